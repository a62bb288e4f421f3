"""Batch runs: every report of the configuration, in parallel, with an index page and a summary.

`coopanalysis run` reads the batch configuration (`notebooks/reports.toml`),
checks every report's parameters against its notebook, skips reports whose
inputs have not changed since their last successful run, executes the others
with papermill (in parallel processes, or on a Dask cluster) and renders each
to `DIR/NAME.html`. `DIR/index.html` and `DIR/summary.json` list every report
with its status, parameters, duration and headline figures.

`run_batch` goes plan -> execute -> outputs:

- plan: `config` (the TOML file, matrix, slugs), `parameters` (notebook parameter
  cells, `-p` values), `typecheck` (values against annotations, by pydantic),
  `fingerprints` (what decides a report), `lock` (one run per output folder), `plan` (all of
  it settled before anything runs);
- execute: `jobs` (a job and its result), `execute` (one report: papermill, page,
  failure page), `kernel` (IPC kernels; the jupyter_client adapter), `pool` and
  `_worker` (local worker processes), `dask` (a Dask cluster), `progress`;
- outputs: `summary` (the entries and the manifest), `outputs` (the files:
  manifest, summary.json, index.html via `coopanalysis.html.index`).

A shared report (resolved `suppress_below` >= 2) leaves only its page in the
output folder: its log and notebooks go to a private folder, named on the
terminal, and a failure of one shows a fixed reason (`batch.shared`).

Each finished report is recorded in the manifest at once. SIGTERM / SIGINT stop the run: its
workers and kernels are killed, the finished reports are recorded, the others are listed as
interrupted, and the exit status is 128 + the signal. The `run` command's arguments are in `coopanalysis.cli`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from coopanalysis.batch.jobs import ReportJob, ReportResult
from coopanalysis.batch.plan import Plan, make_plan

__all__ = ["BatchOutcome", "run_batch", "run_jobs"]


@dataclass
class BatchOutcome:
    """What a batch run did: its exit code and the summary entries it wrote."""

    exit_code: int
    entries: list[dict[str, Any]]
    out_dir: Path


def run_batch(
    *,
    config: str | Path | None = None,
    out_dir: str | Path = "reports",
    only: list[str] | None = None,
    parameters: list[str] | None = None,
    profile: str | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    timeout: float | None = None,
    force: bool = False,
    stream: TextIO | None = None,
) -> BatchOutcome:
    """Run the configured reports; see the module docstring. Progress goes to `stream` (stderr).

    Raises `CoopAnalysisError` (exit 2) for configuration or parameter problems
    before anything runs; the outcome's exit code is 1 if a report failed, else 0.
    """
    from coopanalysis import paths
    from coopanalysis.batch import summary
    from coopanalysis.batch.audit import audit_shared_run
    from coopanalysis.batch.shared import private_dir

    stream = stream if stream is not None else sys.stderr
    started = time.monotonic()
    plan = make_plan(config=config or paths.REPORTS_CONFIG, out_dir=out_dir, only=only, parameters=parameters,
                     profile=profile, jobs=jobs, timeout=timeout, force=force)
    results: dict[str, ReportResult] = {}
    try:
        workers = jobs or os.cpu_count() or 1
        stream.write(_announcement(plan, workers, scheduler))
        with _stopped_by_signals() as stopped:
            _execute(plan, workers, scheduler, stream, results)
        entries = summary.report_entries(plan, results)
        if not stopped.signal:
            entries = audit_shared_run(plan.out_dir, entries, plan.manifest, private_dir(plan.out_dir), stream)
        index = summary.write_all(plan, entries, started=started, scheduler=scheduler)
    finally:
        if plan.lock:
            plan.lock.release()
    if stopped.signal:
        stream.write(f"interrupted by {signal.Signals(stopped.signal).name}: {len(results)} report(s) finished "
                     f"and recorded, {len(plan.to_run) - len(results)} not run; index: {index}\n")
        return BatchOutcome(exit_code=128 + stopped.signal, entries=entries, out_dir=plan.out_dir)
    failed = [e["name"] for e in entries if e["this_run"] and e["status"] == "failed"]
    stream.write(f"index: {index}\n")
    _tidy_shared(plan, stream)
    if failed:
        stream.write(f"{len(failed)} report(s) failed: {', '.join(failed)}\n")
    return BatchOutcome(exit_code=1 if failed else 0, entries=entries, out_dir=plan.out_dir)


def _announcement(plan: Plan, workers: int, scheduler: str | None) -> str:
    """`coopanalysis run: 4 report(s) to run 2 at a time, 2 unchanged (skipped; --force to rerun)`."""
    where = f"on {scheduler}" if scheduler else f"{min(workers, max(1, len(plan.to_run)))} at a time"
    skipped = len(plan.skipped)
    return (
        f"coopanalysis run: {len(plan.to_run)} report(s) to run {where}"
        + (f", {skipped} unchanged (skipped; --force to rerun)" if skipped else "")
        + "\n"
    )


def _tidy_shared(plan: Plan, stream: TextIO) -> None:
    """After a run with shared reports: drop empty work folders from the output folder; name the private one."""
    from coopanalysis.batch.shared import private_dir, tidy_output_folder

    if any(job.shared for job in plan.to_run):
        tidy_output_folder(plan.out_dir)
        stream.write(f"logs and executed notebooks of the shared reports (kept out of {plan.out_dir}): "
                     f"{private_dir(plan.out_dir)}\n")


class _Stopped(BaseException):
    """Raised in the main thread by SIGTERM / SIGINT during a run."""


@dataclass
class _Stop:
    """Which signal stopped the run (0: none)."""

    signal: int = 0


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[_Stop]:
    """While the reports run, SIGTERM and SIGINT stop the run (the pool kills its workers) instead
    of ending the process; the block ends normally and the yielded `_Stop` says which signal came."""
    stop = _Stop()

    def handler(signum: int, _frame: object) -> None:
        stop.signal = signum
        raise _Stopped

    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    except _Stopped:
        pass
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _execute(plan: Plan, workers: int, scheduler: str | None, stream: TextIO,
             results: dict[str, ReportResult]) -> None:
    """Run the plan's jobs with progress on `stream`, putting their results by report name in `results`."""
    from coopanalysis.batch.progress import Progress
    from coopanalysis.batch.summary import record_result

    if not plan.to_run:
        return

    def done(result: ReportResult) -> None:
        """Record a finished report at once (manifest), then show it."""
        results[result.name] = result
        record_result(plan, result)
        progress.finished_one(result, plan.out_dir)

    with Progress(len(plan.to_run), stream) as progress:
        run_jobs(plan.to_run, workers=workers, scheduler=scheduler, on_start=progress.started_one, on_done=done)


def run_jobs(
    jobs: list[ReportJob],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    on_start: Any = None,
    on_done: Any = None,
) -> list[ReportResult]:
    """Run every job, `workers` at a time locally, or on the Dask scheduler at `scheduler`.

    `on_start(name)` and `on_done(result)` are called around each report. Results
    come back in the order of `jobs`.
    """
    if scheduler:
        from coopanalysis.batch.dask import run_on_dask

        results = run_on_dask(jobs, scheduler, on_start, on_done)
    else:
        from coopanalysis.batch.pool import run_local

        results = run_local(jobs, max(1, workers), on_start, on_done)
    by_name = {r.name: r for r in results}
    return [by_name[j.name] for j in jobs]
