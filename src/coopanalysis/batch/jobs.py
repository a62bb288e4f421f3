"""One report's job and its result: what a worker is given, what it gives back, where its files go.

Both are plain data, so they travel as JSON to a local worker process and
pickle for a Dask worker. `now_iso` is the time stamp written in footers and
summaries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    shared: bool = False  # see `batch.shared`: its log and notebooks go to `private_dir`, a failure shows no detail
    private_dir: str = ""


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
    log: str = ""  # the log's absolute path, for the terminal (a shared report's lies outside the output folder)


def job_files(job: ReportJob) -> dict[str, Path]:
    """Where a report's files go, by role (html, notebook, error_html, error_notebook, log, work, pid).

    The page `html` is in the output folder; the others are too, unless the job is shared: then
    they are in its private folder (a shared report never writes `error_html`).
    """
    out = Path(job.out_dir)
    if job.shared and not job.private_dir:
        raise ValueError(f"{job.name}: a shared report needs its private folder")
    kept = Path(job.private_dir) if job.shared else out
    work = kept / ".work"
    return {
        "html": out / f"{job.name}.html",
        "notebook": kept / "executed" / f"{job.name}.ipynb",
        "error_html": kept / "failed" / f"{job.name}.html",
        "error_notebook": kept / "failed" / f"{job.name}.ipynb",
        "log": kept / "logs" / f"{job.name}.log",
        "work": work / f"{job.name}.{job.token}.ipynb",
        "pid": work / f"{job.name}.{job.token}.pid",
    }


def output_links(job: ReportJob, outputs: dict[str, Path], *, failed: bool) -> dict[str, str]:
    """The report's output files (role -> path) as links relative to the output folder, its log included.

    A failed report keeps the link to its last good page, if there is one. A shared report links its
    page only: its log and notebooks are outside the folder, and when it fails it links nothing (an
    earlier page may come from an unshared run).
    """
    out = Path(job.out_dir)
    if job.shared:
        return {} if failed else {"html": _relative(outputs["html"], out)}
    links = {k: _relative(v, out) for k, v in outputs.items()}
    links["log"] = _relative(job_files(job)["log"], out)
    if failed and job_files(job)["html"].exists():
        links["html"] = f"{job.name}.html"  # the last good report, left in place
    return links


def _relative(path: str | Path, out: Path) -> str:
    """`path` relative to `out` in POSIX form, or as it is if it lies outside."""
    p = Path(path)
    try:
        return p.resolve().relative_to(out.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def now_iso() -> str:
    """The current local time, ISO 8601 to the second with its UTC offset (for footers and summaries)."""
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
