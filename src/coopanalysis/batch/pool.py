"""Local worker processes: N reports at a time, each in a long-lived `python -m coopanalysis.batch._worker`.

`run_local(jobs, workers=N)` keeps N worker processes, each running one
report at a time (`execute.run_report`). A worker that dies, or does not answer
`GRACE_S` seconds after its report's time limit, is killed (with its kernel)
and replaced; only that report fails. Workers run in the runner's process group (a Ctrl-C or a
group kill reaches them; each also ends with its runner, `_worker.watch_parent`); when the run is
interrupted every worker and its kernel is killed, and reports not finished are not recorded.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import coopanalysis
from coopanalysis.batch.execute import ReportLog, render_failed
from coopanalysis.batch.jobs import ReportJob, ReportResult, job_files, output_links
from coopanalysis.batch.kernel import kill_pid_in
from coopanalysis.batch.shared import (
    TIMED_OUT,
    Failure,
    remove_public_leftovers,
    shown_error,
    work_root,
)
from coopanalysis.core.files import ensure_dir, ensure_private_dir, open_nofollow

GRACE_S = 30.0
"""After its time limit a report's kernel is killed; if its process has not answered this
many seconds later, the process itself is killed."""

_log = logging.getLogger("coopanalysis.batch")

Slot = list["WorkerProcess | None"]
"""One place in the pool: holds its worker process, or None until one is (re)started."""


def _package_path_env() -> dict[str, str]:
    """Environment for workers: this coopanalysis first on the path, so worker and kernel use it too."""
    env = os.environ.copy()
    src = str(Path(coopanalysis.__file__).resolve().parent.parent)
    parts = [src] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != src]
    env["PYTHONPATH"] = os.pathsep.join(parts)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


class WorkerProcess:
    """A long-lived `python -m coopanalysis.batch._worker` that runs one report at a time.

    Jobs go in as JSON lines on its stdin, results come back as JSON lines on a
    pipe of their own (the kernels' output goes to the worker's log file, a stream
    the process writes itself). It imports papermill and the renderer once, so
    later reports start faster. Its own log goes to `.work/` under `root` (`shared.work_root`).
    """

    def __init__(self, root: Path, cwd: str) -> None:
        work = ensure_dir(root / ".work")
        self.log_path = work / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.spare_pid = self.log_path.with_suffix(".spare.pid")
        read_fd, write_fd = os.pipe()
        with open(open_nofollow(self.log_path, append=False), "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "coopanalysis.batch._worker", "--serve", str(write_fd), str(self.spare_pid)],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=_package_path_env(),
                pass_fds=(write_fd,),
            )
        os.close(write_fd)
        self.read_fd = read_fd
        self.buffer = b""
        self.job: ReportJob | None = None

    def send(self, job: ReportJob, *, another_follows: bool = False) -> None:
        """Hand `job` to the worker (one JSON line on its stdin); `another_follows` if more jobs are
        waiting, so that the worker launches the next report's kernel while this one runs."""
        assert self.proc.stdin is not None
        self.job = job
        message = {"job": asdict(job), "another_follows": another_follows}
        self.proc.stdin.write(json.dumps(message, default=str).encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def receive(self, timeout: float | None) -> dict[str, Any] | None:
        """The next result, or None if `timeout` seconds pass first; EOFError if the worker ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise EOFError("worker process ended")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def last_log_line(self) -> str:
        """The last non-blank line the worker printed (at most 300 characters), or ""."""
        try:
            lines = [ln for ln in self.log_path.read_text("utf-8", errors="replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""

    def kill(self) -> int:
        """Kill the worker, the kernel of its current report and its spare kernel at once; its exit status."""
        self.proc.kill()
        self._kill_kernel()
        kill_pid_in(self.spare_pid)
        self.spare_pid.unlink(missing_ok=True)
        code = self.proc.wait()
        self._close_fds()
        return code

    def close(self) -> None:
        """Let the worker end (stdin closed), killing it after 30 s; remove its log."""
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self._kill_kernel()
            kill_pid_in(self.spare_pid)
            self.proc.wait()
        self._close_fds()
        self.log_path.unlink(missing_ok=True)
        self.spare_pid.unlink(missing_ok=True)

    def _kill_kernel(self) -> None:
        """Kill the kernel (its own session) of the report this worker was last given, if it runs."""
        if self.job:
            kill_pid_in(job_files(self.job)["pid"])

    def _close_fds(self) -> None:
        """Close the result pipe (if still open)."""
        try:
            os.close(self.read_fd)
        except OSError:
            pass


def run_in_worker(slot: Slot, job: ReportJob, root: Path, stop: threading.Event | None = None, *,
                  another_follows: bool = False) -> ReportResult | None:
    """Run `job` on the slot's worker process (started with its log under `root` if needed); replace the
    worker if it dies. None if the run was stopped (`stop` set) meanwhile: its worker was killed for that.
    `another_follows`: more jobs wait, so the worker readies a kernel for the next (`batch.spare`)."""
    if slot[0] is None:
        slot[0] = WorkerProcess(root, job.cwd)
    worker = slot[0]
    started = time.monotonic()
    limit = None if job.timeout is None else job.timeout + GRACE_S
    problem = ""
    try:
        worker.send(job, another_follows=another_follows)
        reply = worker.receive(limit)
        if reply is not None:
            return ReportResult(**reply)
        problem = f"timed out after {job.timeout:g} s"
    except (EOFError, BrokenPipeError, OSError):
        pass
    slot[0] = None
    if stop is not None and stop.is_set():
        return None
    return _lost_worker(worker, job, problem, started)


def _lost_worker(worker: WorkerProcess, job: ReportJob, problem: str, started: float) -> ReportResult:
    """The worker died or hung: kill it and the kernel, and fail this report only."""
    kill_pid_in(job_files(job)["pid"])
    tail = worker.last_log_line()
    code = worker.kill()
    failure = Failure(problem, TIMED_OUT) if problem else Failure(
        f"the report process ended with status {code}" + (f": {tail}" if tail else ""))
    if job.shared:
        ensure_private_dir(job.private_dir)
    with ReportLog(job_files(job)["log"], mode="a", private=job.shared):
        _log.error("report %s: %s; its process was killed", job.name, failure.detail)
        outputs = render_failed(job, failure.detail)
    job_files(job)["pid"].unlink(missing_ok=True)
    if job.shared:
        remove_public_leftovers(job)
    return ReportResult(
        name=job.name,
        status="failed",
        duration_s=round(time.monotonic() - started, 3),
        error=shown_error(job, failure),
        outputs=output_links(job, outputs, failed=True),
        log=str(job_files(job)["log"]),
    )


def run_local(
    jobs: list[ReportJob],
    workers: int,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[ReportResult], None] | None = None,
) -> list[ReportResult]:
    """Run `jobs`, `workers` at a time: one thread per slot feeds its worker process.

    Returns the results in the order they finished; calls `on_start(name)` and
    `on_done(result)` around each. No worker or kernel is left behind, even when interrupted.
    """
    pending: queue.Queue[ReportJob] = queue.Queue()
    for job in jobs:
        pending.put(job)
    results: list[ReportResult] = []
    lock = threading.Lock()
    root = work_root(jobs)
    slots: list[Slot] = [[None] for _ in range(min(workers, len(jobs)))]
    stop = threading.Event()

    def feed(slot: Slot) -> None:
        """Run pending jobs on this slot's worker until none is left (or the run stops)."""
        while not stop.is_set():
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            if on_start:
                on_start(job.name)
            result = run_in_worker(slot, job, root, stop, another_follows=not pending.empty())
            if result is None or stop.is_set():
                return
            with lock:
                results.append(result)
                if on_done:
                    on_done(result)

    threads = [threading.Thread(target=feed, args=(slot,), name="report-slot", daemon=True) for slot in slots]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.5)
    finally:
        stop.set()
        _end_workers(slots, interrupted=any(t.is_alive() for t in threads))
    return results


def _end_workers(slots: list[Slot], *, interrupted: bool) -> None:
    """Close every slot's worker, or kill it (and its kernel) if the run was interrupted."""
    for slot in slots:
        if slot[0] is not None:
            if interrupted:
                slot[0].kill()
            else:
                slot[0].close()
