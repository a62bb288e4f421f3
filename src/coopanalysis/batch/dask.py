"""The Dask path: one task per report on a `dask.distributed` cluster.

With `coopanalysis run --scheduler tcp://host:8786`, `execute.run_report` is
submitted to a `distributed.Client`, one task per report (run the workers with
one thread each). A task whose worker is lost fails that report only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from coopanalysis.batch.execute import run_report
from coopanalysis.batch.jobs import ReportJob, ReportResult
from coopanalysis.batch.shared import Failure, shown_error
from coopanalysis.errors import CoopAnalysisError


def run_on_dask(
    jobs: list[ReportJob],
    scheduler: str,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[ReportResult], None] | None = None,
) -> list[ReportResult]:
    """Run every job on the Dask scheduler at `scheduler`; the results in the order they finished.

    Raises `CoopAnalysisError` if the scheduler cannot be reached.
    """
    from distributed import Client, as_completed

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
            result = _result_of(fut, futures[fut])
            results.append(result)
            if on_done:
                on_done(result)
    finally:
        client.close()
    return results


def _result_of(future: object, job: ReportJob) -> ReportResult:
    """The task's `ReportResult`, or a failed one if the task itself failed (its worker was lost;
    a shared report's error is then the fixed reason, not the exception's text)."""
    try:
        return future.result()  # type: ignore[attr-defined]
    except Exception as exc:  # the worker itself was lost: this report failed, the rest go on
        failure = Failure(f"Dask task failed: {type(exc).__name__}: {exc}")
        return ReportResult(job.name, "failed", 0.0, error=shown_error(job, failure))
