"""Shared reports: which reports of a run are shared, where their private files go, what their failures say.

A report is *shared* when its resolved `suppress_below` is at least `SHARED_FROM` (2): the value
the configuration gives it with the profile (`--profile shared`) and the `-p` values applied, or,
when none of them sets it, the default its notebook declares. A shared report's output folder is
meant to be passed on, so nothing that can hold request-level rows is written into it:

- its log, its executed notebook and a failed run's partly executed notebook go to a private
  work folder outside it, `private_dir(out_dir)`: `platformdirs.user_state_path("coopanalysis")
  / "runs" / <sha256 of the resolved output folder, 16 hex digits>`, made 0700;
- a failed report (an exception, a time limit, a dead kernel, a page refused by the leak check)
  gets no page; its summary entry and index row give a fixed `Failure.reason`, never the
  exception text, which can quote data. The full text goes to its private log;
- files an earlier unshared run of the same report left in the output folder (its failure page
  and notebook, executed notebook and log) are removed.

An unshared report (suppress_below 0 or 1) keeps all of these in the output folder, as it always did.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from coopanalysis.batch.jobs import ReportJob, job_files
from coopanalysis.core.files import ensure_private_dir
from coopanalysis.errors import CoopAnalysisError


class UnsafeFolderError(CoopAnalysisError):
    """A work folder of the output folder is a symlink (or a file): nothing is run (exit 2)."""


SHARED_FROM = 2
"""The smallest `suppress_below` that makes a report shared (0 and 1 hide nothing)."""

REFUSED = "refused: its output holds request-level data"
FAILED = "failed: see the run's log"
TIMED_OUT = "timed out"

PUBLIC_WORK_FOLDERS = ("failed", "executed", "logs", ".work")
"""Folders of an unshared run inside the output folder; a shared run removes them once empty."""


@dataclass(frozen=True)
class Failure:
    """Why a report failed: `detail` for its log (and an unshared report's summary; it may quote
    data), and `reason`, the fixed text a shared report's summary and index show instead."""

    detail: str
    reason: str = FAILED


def is_shared(suppress_below: Any) -> bool:
    """Whether a resolved `suppress_below` value makes its report shared (a number >= `SHARED_FROM`)."""
    number = isinstance(suppress_below, (int, float)) and not isinstance(suppress_below, bool)
    return number and suppress_below >= SHARED_FROM


def shown_error(job: ReportJob, failure: Failure | None) -> str | None:
    """The error a report's summary entry gives: None if it did not fail, the fixed reason if it is
    shared, the full detail otherwise."""
    if failure is None:
        return None
    return failure.reason if job.shared else failure.detail


def private_dir(out_dir: str | Path) -> Path:
    """The private work folder of the shared reports written to `out_dir` (not created here)."""
    import platformdirs

    key = hashlib.sha256(str(Path(out_dir).resolve()).encode("utf-8")).hexdigest()[:16]
    return platformdirs.user_state_path("coopanalysis") / "runs" / key


def remove_public_leftovers(job: ReportJob) -> None:
    """Remove the files an unshared run of this report leaves in the output folder (failure page and
    notebook, executed notebook, log); its page `NAME.html` is left alone."""
    public = job_files(replace(job, shared=False, private_dir=""))
    for role in ("error_html", "error_notebook", "notebook", "log"):
        public[role].unlink(missing_ok=True)


def tidy_output_folder(out_dir: Path) -> None:
    """Remove the folders of `PUBLIC_WORK_FOLDERS` from `out_dir` where they are empty (after a run with shared reports)."""
    for name in PUBLIC_WORK_FOLDERS:
        with contextlib.suppress(OSError):
            (out_dir / name).rmdir()


def work_root(jobs: list[ReportJob]) -> Path:
    """Where the worker processes of a run keep their own logs: the private folder (made 0700) if any
    job is shared (a worker prints what its reports print), else the output folder."""
    for job in jobs:
        if job.shared:
            return ensure_private_dir(job.private_dir)
    return Path(jobs[0].out_dir) if jobs else Path(".")


def refuse_symlinked_folders(out_dir: Path) -> None:
    """`UnsafeFolderError` (exit 2) if a work folder of `out_dir` (`PUBLIC_WORK_FOLDERS`) is a symlink or a file:
    the run would write its notebooks and logs wherever it points (often as root)."""
    for name in PUBLIC_WORK_FOLDERS:
        folder = out_dir / name
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise UnsafeFolderError(f"{folder} is {'a symlink' if folder.is_symlink() else 'not a folder'}; "
                                  "refusing to write through it (remove it and run again)")
