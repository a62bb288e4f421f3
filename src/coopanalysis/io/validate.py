"""What the `validate` command reports: rows read / kept / rejected by reason, for a file or a folder.

Request logs and published counts go through `io.requests`, a folder of provider transparency
reports through `io.transparency`; `--rejects OUT.csv` writes the rejected rows (`io.rejects`).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from coopanalysis.core.files import atomic_path
from coopanalysis.io.rejects import REASONS, people_csv
from coopanalysis.io.requests import load_counts, load_requests


def summary_text(summary: dict[str, object]) -> str:
    """One file's summary (as `LoadResult.summary` or `validate_transparency` give it), for a terminal."""
    lines = [
        f"{summary['file']} ({summary['kind']})",
        f"  rows read     {summary['rows_read']:>10,}",
        f"  rows kept     {summary['rows_kept']:>10,}",
        f"  rows rejected {summary['rows_rejected']:>10,}",
    ]
    for reason, n in summary["rejected_by_reason"].items():  # type: ignore[union-attr]
        lines.append(f"    {reason:<30} {n:>8,}  {REASONS.get(reason, '')}")
    return "\n".join(lines)


def write_rejects(rejects: pl.DataFrame, out: str | Path) -> None:
    """Write the rejects table to `out` as CSV, atomically, with values a spreadsheet would run as
    formulas made inert (`io.rejects.csv_safe`)."""
    with atomic_path(Path(out)) as tmp:
        people_csv(rejects).write_csv(tmp)


def transparency_report(path: str | Path, *, as_json: bool = False) -> str:
    """What `validate --kind transparency` prints: one summary per file of the folder, or one JSON object."""
    from coopanalysis.io.transparency import validate_transparency

    files = validate_transparency(path)
    if not as_json:
        return "\n".join(summary_text({"kind": "transparency", **f}) for f in files)
    totals = {k: sum(int(f[k]) for f in files) for k in ("rows_read", "rows_kept", "rows_rejected")}
    by_reason: dict[str, int] = {}
    for f in files:
        for reason, n in f["rejected_by_reason"].items():
            by_reason[reason] = by_reason.get(reason, 0) + n
    return json.dumps({**totals, "rejected_by_reason": by_reason, "files": files}, ensure_ascii=False)


def file_report(path: str | Path, *, kind: str = "requests", mapping: str | Path | None = None,
                rejects: str | Path | None = None, as_json: bool = False) -> str:
    """What `validate` prints for a request log or a counts table (and writes its rejects to `rejects`)."""
    loader = load_requests if kind == "requests" else load_counts
    result = loader(path, mapping=mapping)
    summary = result.summary()
    if rejects:
        write_rejects(result.rejects, rejects)
    if as_json:
        keys = ("rows_read", "rows_kept", "rows_rejected", "rejected_by_reason")
        return json.dumps({k: summary[k] for k in keys}, ensure_ascii=False)
    text = summary_text(summary)
    return f"{text}\n  rejected rows written to {rejects}" if rejects else text
