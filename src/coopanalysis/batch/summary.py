"""The summary of a batch run: one entry per report, and the manifest of the successful ones.

An entry says what happened to a report this run (`ok`, `failed`, or
`skipped` as unchanged, with the figures of its last success); a report of the
configuration not selected this time keeps its previous entry, marked
`this_run: False`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from coopanalysis.batch import outputs
from coopanalysis.batch.jobs import ReportResult, job_files, now_iso
from coopanalysis.batch.plan import Plan, PlannedReport

INTERRUPTED = "interrupted: the run was stopped before this report finished"


def record_result(plan: Plan, result: ReportResult) -> None:
    """As each report finishes: a success goes into `plan.manifest` (with its page's sha256) and the
    manifest is rewritten atomically at once, so a run killed later leaves a manifest that matches
    the pages in the folder (a failure leaves the last good page and its record as they were)."""
    if result.status != "ok":
        return
    planned = next(p for p in plan.reports if p.spec.name == result.name)
    plan.manifest[result.name] = _manifest_record(planned, result)
    outputs.save_manifest(plan.out_dir, plan.manifest)


def report_entries(plan: Plan, results: dict[str, ReportResult]) -> list[dict[str, Any]]:
    """Entries of every planned report (results by report name; a report without one was interrupted)."""
    entries = []
    for planned in plan.reports:
        if planned.job is None:
            entries.append(_skipped_entry(planned))
            continue
        result = results.get(planned.spec.name) or ReportResult(planned.spec.name, "failed", 0.0, INTERRUPTED)
        entries.append(_ran_entry(planned, result))
    return entries + _not_selected(plan, entries)


def _base(planned: PlannedReport) -> dict[str, Any]:
    """The fields every entry has: names, notebook, parameters, input hashes, whether it is shared."""
    spec = planned.spec
    return {
        "name": spec.name,
        "report": spec.base,
        "notebook": spec.notebook.name,
        "parameters": spec.parameters,
        "input_hashes": planned.inputs,
        "this_run": True,
        "shared": planned.shared,
    }


def _skipped_entry(planned: PlannedReport) -> dict[str, Any]:
    """An unchanged report: its figures and outputs are those of its last successful run."""
    prev = planned.previous or {}
    return {
        **_base(planned),
        "status": "skipped",
        "duration_s": prev.get("duration_s"),
        "outputs": prev.get("outputs", {}),
        "headlines": prev.get("headlines", {}),
        "page": prev.get("page", {}),
        "error": None,
        "last_success": prev.get("finished_at"),
    }


def _ran_entry(planned: PlannedReport, r: ReportResult) -> dict[str, Any]:
    """A report run this time: its status, duration, outputs, headline figures and error."""
    return {
        **_base(planned),
        "status": r.status,
        "duration_s": r.duration_s,
        "outputs": r.outputs,
        "headlines": r.headlines,
        "page": page_summary(planned, r),
        "error": r.error,
    }


def _manifest_record(planned: PlannedReport, r: ReportResult) -> dict[str, Any]:
    """What the manifest keeps of a successful run, to skip or summarise the report next time."""
    from coopanalysis import __version__
    from coopanalysis.batch.fingerprints import page_hash

    return {
        "fingerprint": planned.fingerprint,
        "page_sha256": page_hash(Path(planned.job.out_dir) / f"{planned.spec.name}.html") if planned.job else None,
        "finished_at": now_iso(),
        "duration_s": r.duration_s,
        "outputs": r.outputs,
        "headlines": r.headlines,
        "page": page_summary(planned, r),
        "parameters": planned.spec.parameters,
        "input_hashes": planned.inputs,
        "coopanalysis_version": __version__,
    }


def page_summary(planned: PlannedReport, r: ReportResult) -> dict[str, Any]:
    """What the index shows of a successful report's page (`present.page_facts`): its title, one-line
    description and whether it is synthetic; {} when the notebook recorded none or the report failed."""
    from coopanalysis.html.page import read_page_facts

    if r.status != "ok" or planned.job is None:
        return {}
    try:  # the executed notebook: in the output folder, or in the private folder of a shared report
        facts = read_page_facts(job_files(planned.job)["notebook"])
    except Exception:  # noqa: BLE001 -- an unreadable notebook leaves the index as it was, not the run failed
        return {}
    return {k: facts[k] for k in ("title", "description", "synthetic", "lang") if k in facts}


def _not_selected(plan: Plan, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reports of the configuration not selected this time keep their previous entry."""
    previous_summary = outputs.load_summary(plan.out_dir)
    ran = {e["name"] for e in entries}
    return [
        {**previous_summary[spec.name], "this_run": False}
        for spec in plan.config.reports
        if spec.name not in ran and spec.name in previous_summary
    ]


def write_all(plan: Plan, entries: list[dict[str, Any]], *, started: float, scheduler: str | None) -> Path:
    """Write the manifest, `summary.json` and `index.html` (`started`: `time.monotonic()` at the start).

    Returns the index's path.
    """
    from coopanalysis import __version__

    meta: dict[str, Any] = {
        "title": "Reports",
        "finished_at": now_iso(),
        "elapsed_s": round(time.monotonic() - started, 3),
        "coopanalysis_version": __version__,
        "config": str(plan.config.path),
        "kernel": plan.kernel,
        "scheduler": scheduler,
    }
    outputs.save_manifest(plan.out_dir, plan.manifest)
    outputs.write_summary(plan.out_dir, entries, meta=meta)
    return outputs.write_index(plan.out_dir, entries, meta={**meta, "counts": outputs.status_counts(entries)},
                               lang=index_language(entries))


def index_language(entries: list[dict[str, Any]]) -> str:
    """The index's language: the one every page of this run is written in (``run --lang``, or
    ``-p lang=...``); English when the pages differ or say nothing."""
    langs = {_language_of(e) for e in entries if e.get("this_run", True) and e.get("status") != "failed"}
    return langs.pop() if len(langs) == 1 else "en"


def _language_of(entry: dict[str, Any]) -> str:
    """The language a summary entry's page is written in: what its page facts record, else its
    ``lang`` parameter, else English."""
    page = entry.get("page") if isinstance(entry.get("page"), dict) else {}
    parameters = entry.get("parameters") if isinstance(entry.get("parameters"), dict) else {}
    return str(page.get("lang") or parameters.get("lang") or "en")
