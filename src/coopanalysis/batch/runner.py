"""Run reports in parallel in worker processes, locally or on a Dask cluster.

`run_report(job)` is the unit of work on both paths: papermill executes the
notebook with a kernel started over IPC, then the page is rendered. It never
raises for a report's failure (an exception in a cell, a kernel that dies, a
time limit reached): it returns a failed `ReportResult`, so one report cannot
stop the others. Its time limit is enforced by killing the kernel.

- locally, `run_jobs(..., workers=N)` keeps N worker processes
  (`python -m coopanalysis.batch._worker`), each running one report at a time;
  a worker that dies or does not answer `GRACE_S` seconds after the time limit
  is killed (with its kernel) and replaced;
- with `scheduler="tcp://host:8786"`, `run_report` is submitted to a
  `dask.distributed.Client`, one task per report (workers with one thread each).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import coopanalysis
from coopanalysis.errors import CoopAnalysisError


@dataclass
class ReportJob:
    """Everything a worker needs to produce one report; plain data, so it pickles for Dask."""

    name: str
    notebook: str
    parameters: dict[str, Any]
    out_dir: str
    kernel: str
    cwd: str
    timeout: float | None = None
    title: str = ""
    footer: dict[str, Any] = field(default_factory=dict)
    start_timeout: float = 120.0
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:10])


@dataclass
class ReportResult:
    """What happened to one report. Output paths are relative to the output folder."""

    name: str
    status: str  # "ok" | "failed"
    duration_s: float
    error: str | None = None
    headlines: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    started_at: float = 0.0


GRACE_S = 30.0
"""After its time limit a report's kernel is killed; if its process has not answered this
many seconds later, the process itself is killed."""


def _package_path_env() -> dict[str, str]:
    """Environment for workers: this coopanalysis first on the path, so worker and kernel use it too."""
    env = os.environ.copy()
    src = str(Path(coopanalysis.__file__).resolve().parent.parent)
    parts = [src] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != src]
    env["PYTHONPATH"] = os.pathsep.join(parts)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def _kill_session(pid: int) -> None:
    """SIGKILL the process group led by `pid` (worker or kernel); ignore one that is gone."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


def job_files(job: ReportJob) -> dict[str, Path]:
    """Where a report's files go, all inside its output folder."""
    out = Path(job.out_dir)
    work = out / ".work"
    return {
        "html": out / f"{job.name}.html",
        "notebook": out / "executed" / f"{job.name}.ipynb",
        "error_html": out / "failed" / f"{job.name}.html",
        "error_notebook": out / "failed" / f"{job.name}.ipynb",
        "log": out / "logs" / f"{job.name}.log",
        "work": work / f"{job.name}.{job.token}.ipynb",
        "pid": work / f"{job.name}.{job.token}.pid",
    }


def describe_error(exc: BaseException) -> str:
    """One line a reader understands: the exception raised in the notebook, or what happened."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        value = str(exc.evalue).strip().splitlines()
        first = value[0] if value else ""
        return f"{exc.ename}: {first} (cell {exc.exec_count})" if first else f"{exc.ename} (cell {exc.exec_count})"
    if isinstance(exc, DeadKernelError):
        return "the kernel died while running the notebook (it exited or crashed)"
    if isinstance(exc, CellTimeoutError):
        return f"a cell ran past its time limit: {str(exc).strip().splitlines()[0]}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def render_failed(job: ReportJob, error: str) -> dict[str, Path]:
    """Move the partly executed notebook to `failed/` and render it there; never touches NAME.html."""
    from coopanalysis.batch.outputs import now_iso
    from coopanalysis.html.render import render_notebook

    f = job_files(job)
    out: dict[str, Path] = {}
    if f["work"].exists():
        f["error_notebook"].parent.mkdir(parents=True, exist_ok=True)
        os.replace(f["work"], f["error_notebook"])
    elif f["error_notebook"].exists():
        f["error_notebook"].unlink()  # from an earlier failure; this one left no notebook
    if f["error_notebook"].exists():
        out["error_notebook"] = f["error_notebook"]
        try:
            render_notebook(
                f["error_notebook"],
                f["error_html"],
                footer={**job.footer, "Status": f"FAILED: {error}", "Run at": now_iso()},
                title=f"{job.title} (failed)",
            )
            out["error_html"] = f["error_html"]
        except Exception:  # the report has failed already; its log keeps why rendering failed too
            _log.exception("could not render the failed notebook of %s", job.name)
    return out



_log = logging.getLogger("coopanalysis.batch")


class _ReportLog:
    """Send papermill's and the runner's log records (cell outputs included) to the report's log file."""

    def __init__(self, path: Path, mode: str = "w") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handler = logging.FileHandler(path, mode=mode, encoding="utf-8")
        self.handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self.loggers = [logging.getLogger("papermill"), _log]

    def __enter__(self) -> _ReportLog:
        for lg in self.loggers:
            lg.addHandler(self.handler)
            if lg.getEffectiveLevel() > logging.INFO:
                lg.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc: object) -> None:
        for lg in self.loggers:
            lg.removeHandler(self.handler)
        self.handler.close()


def run_report(job: ReportJob) -> ReportResult:
    """Execute one report's notebook with papermill and render it; never raises for a report failure.

    Runs in the calling process (a batch worker process, or a Dask worker). The
    kernel is started over IPC (`IPCKernelManager`) in the notebook's working
    folder `job.cwd`. When `job.timeout` seconds have passed, the kernel is
    killed, which ends the execution; the report is then failed as timed out.
    On success the page goes to `DIR/NAME.html` (written atomically); on
    failure the partly executed notebook is rendered to `DIR/failed/NAME.html`
    and `DIR/NAME.html` is left as it was.
    """
    from coopanalysis.batch.kernel import IPCKernelManager, record_kernel_pid_in
    from coopanalysis.batch.outputs import now_iso
    import papermill

    f = job_files(job)
    f["work"].parent.mkdir(parents=True, exist_ok=True)
    started_wall = time.time()
    started = time.monotonic()
    done = threading.Event()
    timed_out = threading.Event()

    def watchdog() -> None:
        if job.timeout is None or done.wait(job.timeout):
            return
        timed_out.set()
        killed: set[int] = set()
        while not done.is_set():
            pid = _read_pid(f["pid"])
            if pid and pid not in killed:
                _log.error("%s: time limit of %g s reached, killing its kernel (pid %d)", job.name, job.timeout, pid)
                _kill_session(pid)
                killed.add(pid)
            done.wait(0.2)

    error: str | None = None
    result = ReportResult(name=job.name, status="failed", duration_s=0.0, started_at=started_wall)
    outputs: dict[str, Path] = {}
    with _ReportLog(f["log"]):
        _log.info("report %s: %s with %s", job.name, job.notebook, json.dumps(job.parameters, default=str))
        record_kernel_pid_in(f["pid"])
        guard = threading.Thread(target=watchdog, name=f"timeout-{job.name}", daemon=True)
        guard.start()
        try:
            papermill.execute_notebook(
                job.notebook,
                str(f["work"]),
                parameters=job.parameters,
                kernel_name=job.kernel,
                kernel_manager_class=IPCKernelManager,
                resources={"metadata": {"path": job.cwd}},
                log_output=True,
                progress_bar=False,
                request_save_on_cell_execute=True,
                start_timeout=job.start_timeout,
            )
        except Exception as exc:  # any failure of the notebook is this report's failure, not the batch's
            error = describe_error(exc)
            _log.error("report %s failed: %s\n%s", job.name, error, traceback.format_exc())
        finally:
            done.set()
            guard.join()
            record_kernel_pid_in(None)
            f["pid"].unlink(missing_ok=True)
        execution_s = time.monotonic() - started
        if timed_out.is_set():
            error = f"timed out after {job.timeout:g} s"
            _log.error("report %s: %s", job.name, error)
        if error is None:
            try:
                from coopanalysis.html.render import read_headlines, render_notebook

                result.headlines = read_headlines(f["work"])
                footer = {**job.footer, "Run at": now_iso(), "Execution time": f"{execution_s:.1f} s"}
                from coopanalysis.publish.leaks import request_id_lookup

                data = job.parameters.get("data")
                ids = request_id_lookup(data) if isinstance(data, str) else None  # request logs only
                render_notebook(f["work"], f["html"], footer=footer, title=job.title, request_ids=ids)
                f["notebook"].parent.mkdir(parents=True, exist_ok=True)
                os.replace(f["work"], f["notebook"])
                for stale in (f["error_html"], f["error_notebook"]):
                    stale.unlink(missing_ok=True)
                outputs = {"html": f["html"], "notebook": f["notebook"]}
            except CoopAnalysisError as exc:  # e.g. case-level data in the outputs: its own message
                error = f"rendering failed: {exc}"
                _log.error("report %s: %s", job.name, error)
            except Exception as exc:  # the notebook ran but its page could not be made: still a failure
                error = f"rendering failed: {describe_error(exc)}"
                _log.error("report %s: %s\n%s", job.name, error, traceback.format_exc())
        if error is not None:
            outputs = render_failed(job, error)
        _log.info("report %s: %s in %.1f s", job.name, "FAILED" if error else "done", time.monotonic() - started)
    result.status = "failed" if error else "ok"
    result.error = error
    result.outputs = _output_links(job, outputs, failed=error is not None)
    result.duration_s = round(time.monotonic() - started, 3)
    return result


def _output_links(job: ReportJob, outputs: dict[str, Path], *, failed: bool) -> dict[str, str]:
    out = Path(job.out_dir)
    links = {k: _relative(v, out) for k, v in outputs.items()}
    links["log"] = _relative(job_files(job)["log"], out)
    if failed and job_files(job)["html"].exists():
        links["html"] = f"{job.name}.html"  # the last good report, left in place
    return links


def _relative(path: str | Path, out: Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(out.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


# --------------------------------------------------------------------------- local worker processes


class _WorkerProcess:
    """A long-lived `python -m coopanalysis.batch._worker` that runs one report at a time.

    Jobs go in as JSON lines on its stdin, results come back as JSON lines on a
    pipe of their own (the kernels' output goes to the worker's log file). It
    imports papermill and the renderer once, so later reports start faster.
    """

    def __init__(self, out_dir: Path, cwd: str) -> None:
        work = out_dir / ".work"
        work.mkdir(parents=True, exist_ok=True)
        self.log_path = work / f"worker-{uuid.uuid4().hex[:8]}.log"
        read_fd, write_fd = os.pipe()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "coopanalysis.batch._worker", "--serve", str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=_package_path_env(),
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        os.close(write_fd)
        self.read_fd = read_fd
        self.buffer = b""

    def send(self, job: ReportJob) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(asdict(job), default=str).encode("utf-8") + b"\n")
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
        try:
            lines = [ln for ln in self.log_path.read_text("utf-8", errors="replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""

    def kill(self) -> int:
        _kill_session(self.proc.pid)
        code = self.proc.wait()
        self._close_fds()
        return code

    def close(self) -> None:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            _kill_session(self.proc.pid)
            self.proc.wait()
        self._close_fds()
        self.log_path.unlink(missing_ok=True)

    def _close_fds(self) -> None:
        try:
            os.close(self.read_fd)
        except OSError:
            pass


def _run_in_worker(slot: list[_WorkerProcess | None], job: ReportJob, out_dir: Path) -> ReportResult:
    """Run `job` on the slot's worker process (starting one if needed); replace the worker if it dies."""
    if slot[0] is None:
        slot[0] = _WorkerProcess(out_dir, job.cwd)
    worker = slot[0]
    started = time.monotonic()
    limit = None if job.timeout is None else job.timeout + GRACE_S
    problem: str
    try:
        worker.send(job)
        reply = worker.receive(limit)
        if reply is not None:
            return ReportResult(**reply)
        problem = f"timed out after {job.timeout:g} s"
    except (EOFError, BrokenPipeError, OSError):
        problem = ""
    # The worker died or hung: kill it and the kernel, and fail this report only.
    pid = _read_pid(job_files(job)["pid"])
    if pid:
        _kill_session(pid)
    tail = worker.last_log_line()
    code = worker.kill()
    slot[0] = None
    if not problem:
        problem = f"the report process ended with status {code}" + (f": {tail}" if tail else "")
    with _ReportLog(job_files(job)["log"], mode="a"):
        _log.error("report %s: %s; its process was killed", job.name, problem)
        outputs = render_failed(job, problem)
    job_files(job)["pid"].unlink(missing_ok=True)
    return ReportResult(
        name=job.name,
        status="failed",
        duration_s=round(time.monotonic() - started, 3),
        error=problem,
        outputs=_output_links(job, outputs, failed=True),
    )


# --------------------------------------------------------------------------- progress


class Progress:
    """Done / running / failed counts and elapsed time on stderr; one line per finished report."""

    def __init__(self, total: int, stream: TextIO | None = None, *, interval: float = 1.0) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.done = self.failed = self.running = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.interval = interval

    def __enter__(self) -> Progress:
        if self.live:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker:
            self._ticker.join()
        with self._lock:
            self._clear()
            self.stream.write(self.status_line() + "\n")
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                self._draw()

    def status_line(self) -> str:
        elapsed = time.monotonic() - self.started
        return (
            f"[{elapsed:6.1f} s] {self.done + self.failed}/{self.total} finished: "
            f"{self.done} done, {self.running} running, {self.failed} failed"
        )

    def _clear(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")

    def _draw(self) -> None:
        if self.live:
            self.stream.write("\r\033[K" + self.status_line())
            self.stream.flush()

    def started_one(self, name: str) -> None:
        with self._lock:
            self.running += 1
            self._draw()

    def finished_one(self, result: ReportResult, out_dir: Path) -> None:
        with self._lock:
            self.running = max(0, self.running - 1)
            self._clear()
            if result.status == "ok":
                self.done += 1
                self.stream.write(f"  done    {result.name} ({result.duration_s:.1f} s)\n")
            else:
                self.failed += 1
                log = out_dir / result.outputs.get("log", "")
                self.stream.write(f"  FAILED  {result.name} ({result.duration_s:.1f} s): {result.error}\n")
                self.stream.write(f"          log: {log}\n")
            self._draw()
            self.stream.flush()


# --------------------------------------------------------------------------- fan-out


def run_jobs(
    jobs: list[ReportJob],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[ReportResult], None] | None = None,
) -> list[ReportResult]:
    """Run every job, `workers` at a time locally, or on the Dask scheduler at `scheduler`.

    Results come back in the order of `jobs`.
    """
    if scheduler:
        results = _run_on_dask(jobs, scheduler, on_start, on_done)
    else:
        results = _run_local(jobs, max(1, workers), on_start, on_done)
    by_name = {r.name: r for r in results}
    return [by_name[j.name] for j in jobs]


def _run_local(
    jobs: list[ReportJob],
    workers: int,
    on_start: Callable[[str], None] | None,
    on_done: Callable[[ReportResult], None] | None,
) -> list[ReportResult]:
    """`workers` threads, each feeding one worker process; papermill runs in those processes."""
    pending: queue.Queue[ReportJob] = queue.Queue()
    for job in jobs:
        pending.put(job)
    results: list[ReportResult] = []
    lock = threading.Lock()
    out_dir = Path(jobs[0].out_dir) if jobs else Path(".")
    slots: list[list[_WorkerProcess | None]] = [[None] for _ in range(min(workers, len(jobs)))]
    stop = threading.Event()

    def feed(slot: list[_WorkerProcess | None]) -> None:
        while not stop.is_set():
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            if on_start:
                on_start(job.name)
            result = _run_in_worker(slot, job, out_dir)
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
        for slot in slots:
            if slot[0] is not None:
                if any(t.is_alive() for t in threads):  # interrupted: leave no worker or kernel behind
                    slot[0].kill()
                else:
                    slot[0].close()
    return results


def _run_on_dask(
    jobs: list[ReportJob],
    scheduler: str,
    on_start: Callable[[str], None] | None,
    on_done: Callable[[ReportResult], None] | None,
) -> list[ReportResult]:
    from distributed import Client, as_completed

    from coopanalysis.errors import CoopAnalysisError

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise CoopAnalysisError(f"--scheduler {scheduler}: cannot connect to the Dask scheduler ({exc})") from None
    results = []
    try:
        futures = {}
        for job in jobs:
            fut = client.submit(run_report, job, key=f"coopanalysis-{job.name}-{uuid.uuid4().hex[:8]}", pure=False)
            futures[fut] = job
            if on_start:
                on_start(job.name)
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # the worker itself was lost: this report failed, the rest go on
                result = ReportResult(job.name, "failed", 0.0, error=f"Dask task failed: {type(exc).__name__}: {exc}")
            results.append(result)
            if on_done:
                on_done(result)
    finally:
        client.close()
    return results


def package_versions(names: Iterable[str] = ("coopanalysis", "polars", "altair", "papermill")) -> dict[str, str]:
    """Installed versions of the packages that make a report (for its footer)."""
    from importlib import import_module, metadata

    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = str(getattr(import_module(name), "__version__", "unknown"))
    return out
