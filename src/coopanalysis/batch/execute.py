"""Run one report: papermill executes its notebook, then its page is rendered, or its failure page.

`run_report(job)` is the unit of work of every batch path (a local worker
process, a Dask worker). It never raises for a report's failure (an exception
in a cell, a kernel that dies, a time limit reached, a page that cannot be
rendered): it returns a failed `ReportResult`, so one report cannot stop the
others. Its time limit is enforced by killing the kernel. A shared report (`batch.shared`)
keeps its log and notebooks in its private folder, and a failure of one gets no page.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import traceback
from pathlib import Path

from coopanalysis.batch.jobs import (
    ReportJob,
    ReportResult,
    job_files,
    now_iso,
    output_links,
)
from coopanalysis.batch.kernel import (
    IPCKernelManager,
    kernel_pid,
    kill_process_group,
    record_kernel_pid,
    record_kernel_pid_in,
    recorded_pid,
)
from coopanalysis.batch.shared import (
    REFUSED,
    TIMED_OUT,
    Failure,
    remove_public_leftovers,
    shown_error,
)
from coopanalysis.batch.spare import SpareKernels, shut_down
from coopanalysis.batch.warm import wait_for_warm_up
from coopanalysis.core.files import (
    PRIVATE_FILE,
    PUBLIC_FILE,
    ensure_dir,
    ensure_private_dir,
    open_nofollow,
    write_atomic,
)
from coopanalysis.errors import CoopAnalysisError

_log = logging.getLogger("coopanalysis.batch")

def run_report(job: ReportJob, spares: SpareKernels | None = None, *, another_follows: bool = False) -> ReportResult:
    """Execute one report's notebook with papermill and render it; never raises for a report failure.

    Runs in the calling process (a batch worker process, or a Dask worker). The
    kernel is started over IPC (`IPCKernelManager`) in the notebook's working
    folder `job.cwd`. When `job.timeout` seconds have passed, the kernel is
    killed, which ends the execution; the report is then failed as timed out.
    On success the page goes to `DIR/NAME.html` (written atomically); on
    failure the partly executed notebook is rendered to `DIR/failed/NAME.html`
    (unless the report is shared) and `DIR/NAME.html` is left as it was.

    With `spares` (a batch worker's), the report takes the spare kernel launched for it, if it fits,
    and, if `another_follows`, launches one for the next report (`batch.spare`).
    """
    f = job_files(job)
    if job.shared:
        ensure_private_dir(job.private_dir)
    ensure_dir(f["work"].parent)
    result = ReportResult(name=job.name, status="failed", duration_s=0.0, started_at=time.time(), log=str(f["log"]))
    started = time.monotonic()
    outputs: dict[str, Path] = {}
    with ReportLog(f["log"], private=job.shared):
        _log.info("report %s: %s with %s", job.name, job.notebook, json.dumps(job.parameters, default=str))
        failure = _execute_notebook(job, spares, another_follows)
        if failure is None:
            failure, outputs = _render_page(job, result, time.monotonic() - started)
        if failure is not None:
            outputs = render_failed(job, failure.detail)
        _log.info("report %s: %s in %.1f s", job.name, "FAILED" if failure else "done", time.monotonic() - started)
    if job.shared:
        remove_public_leftovers(job)
    result.status = "failed" if failure else "ok"
    result.error = shown_error(job, failure)
    result.outputs = output_links(job, outputs, failed=failure is not None)
    result.duration_s = round(time.monotonic() - started, 3)
    return result


def _execute_notebook(job: ReportJob, spares: SpareKernels | None, another_follows: bool) -> Failure | None:
    """Run the notebook with papermill into the job's work file; why it failed, or None if it ran.

    papermill is given the spare kernel (`km`), if one fits; else it starts one (`kernel_manager_class`)."""
    import papermill

    f = job_files(job)
    error: Failure | None = None
    record_kernel_pid_in(f["pid"])
    km = spares.take(job.kernel, job.cwd) if spares is not None else None
    if km is not None:
        record_kernel_pid(kernel_pid(km))
        _log.info("report %s: kernel launched ahead (pid %s)", job.name, kernel_pid(km))
    if spares is not None and another_follows:
        spares.launch(job.kernel, job.cwd)
    watchdog = _Watchdog(job)
    try:
        papermill.execute_notebook(
            job.notebook,
            str(f["work"]),
            parameters=job.parameters,
            kernel_name=job.kernel,
            **({"km": km} if km is not None else {"kernel_manager_class": IPCKernelManager}),
            resources={"metadata": {"path": job.cwd}},
            log_output=True,
            progress_bar=False,
            request_save_on_cell_execute=True,
            start_timeout=job.start_timeout,
        )
    except Exception as exc:  # any failure of the notebook is this report's failure, not the batch's
        error = Failure(describe_error(exc))
        _log.error("report %s failed: %s\n%s", job.name, error.detail, traceback.format_exc())
    finally:
        watchdog.stop()
        if km is not None:  # nbclient shuts down only the kernels it started
            shut_down(km)
        record_kernel_pid_in(None)
        f["pid"].unlink(missing_ok=True)
    if watchdog.timed_out.is_set():
        error = Failure(f"timed out after {job.timeout:g} s", TIMED_OUT)
        _log.error("report %s: %s", job.name, error.detail)
    return error


class _Watchdog:
    """Kills the job's kernel (every one started, read from its pid file) once `job.timeout` has passed."""

    def __init__(self, job: ReportJob) -> None:
        self.job = job
        self.done = threading.Event()
        self.timed_out = threading.Event()
        self.thread = threading.Thread(target=self._watch, name=f"timeout-{job.name}", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        """Wait for the time limit; then kill each kernel the job starts until the execution ends."""
        job = self.job
        if job.timeout is None or self.done.wait(job.timeout):
            return
        self.timed_out.set()
        killed: set[int] = set()
        while not self.done.is_set():
            pid = recorded_pid(job_files(job)["pid"])
            if pid and pid not in killed:
                _log.error("%s: time limit of %g s reached, killing its kernel (pid %d)", job.name, job.timeout, pid)
                kill_process_group(pid)
                killed.add(pid)
            self.done.wait(0.2)

    def stop(self) -> None:
        """End the watch (the execution is over) and wait for the thread."""
        self.done.set()
        self.thread.join()


def _render_page(job: ReportJob, result: ReportResult, execution_s: float) -> tuple[Failure | None, dict[str, Path]]:
    """Render the executed notebook to `DIR/NAME.html` and keep it in `executed/`.

    Sets `result.headlines`. Returns (why it failed or None, output files by role).
    """
    wait_for_warm_up()
    from coopanalysis.html import read_headlines, render_notebook
    from coopanalysis.publish.leaks import CaseLevelDataError, request_id_lookup

    f = job_files(job)
    try:
        result.headlines = read_headlines(f["work"])
        footer = {**job.footer, "Run at": now_iso(), "Execution time": f"{execution_s:.1f} s"}
        data = job.parameters.get("data")
        ids = request_id_lookup(data) if isinstance(data, str) else None  # request logs only
        render_notebook(f["work"], f["html"], footer=footer, title=job.title, request_ids=ids)
        _move(f["work"], f["notebook"], job)
        for stale in (f["error_html"], f["error_notebook"]):
            stale.unlink(missing_ok=True)
        return None, {"html": f["html"], "notebook": f["notebook"]}
    except CoopAnalysisError as exc:  # e.g. case-level data in the outputs: its own message
        refused = isinstance(exc, CaseLevelDataError)
        error = Failure(f"rendering failed: {exc}", REFUSED) if refused else Failure(f"rendering failed: {exc}")
        _log.error("report %s: %s", job.name, error.detail)
    except Exception as exc:  # the notebook ran but its page could not be made: still a failure
        error = Failure(f"rendering failed: {describe_error(exc)}")
        _log.error("report %s: %s\n%s", job.name, error.detail, traceback.format_exc())
    return error, {}


def _move(source: Path, target: Path, job: ReportJob) -> None:
    """Put `source`'s bytes at `target` through the safe writer (owner-only for a shared job), then remove `source`."""
    write_atomic(target, source.read_bytes(), mode=PRIVATE_FILE if job.shared else PUBLIC_FILE)
    source.unlink()


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
    """Move the partly executed notebook to `failed/` and render it there (a shared job's is kept,
    in its private folder, and never rendered); never touches NAME.html.

    Returns the failure's output files by role (`error_notebook`, `error_html`), those that exist.
    """
    wait_for_warm_up()
    from coopanalysis.html import render_notebook

    f = job_files(job)
    out: dict[str, Path] = {}
    if f["work"].exists():
        _move(f["work"], f["error_notebook"], job)
    elif f["error_notebook"].exists():
        f["error_notebook"].unlink()  # from an earlier failure; this one left no notebook
    if f["error_notebook"].exists():
        out["error_notebook"] = f["error_notebook"]
        if job.shared:
            return out
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


class ReportLog:
    """Send papermill's and the runner's log records (cell outputs included) to the report's log file.

    The log is written as it goes (a stream, so not through the atomic writer: a hung
    report's log must be readable while it hangs), opened by `core.files.open_nofollow`: a
    symlink planted at its name is replaced, never written through.
    A `private` log (a shared report's) is made readable by its owner only.
    """

    def __init__(self, path: Path, mode: str = "w", *, private: bool = False) -> None:
        fd = open_nofollow(path, append=mode == "a", mode=PRIVATE_FILE if private else PUBLIC_FILE)
        if private:
            os.fchmod(fd, PRIVATE_FILE)
        self.handler = logging.StreamHandler(open(fd, "a", encoding="utf-8"))  # noqa: SIM115  closed in __exit__
        self.handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self.loggers = [logging.getLogger("papermill"), _log]

    def __enter__(self) -> ReportLog:
        for lg in self.loggers:
            lg.addHandler(self.handler)
            if lg.getEffectiveLevel() > logging.INFO:
                lg.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc: object) -> None:
        for lg in self.loggers:
            lg.removeHandler(self.handler)
        self.handler.close()
        self.handler.stream.close()
