"""What a batch run leaves in its output folder besides the reports.

- `summary.json`: one entry per report (name, status, parameters, duration,
  output paths, input hashes, headline figures, error message);
- `index.html`: the same as a self-contained page with a link to every report
  (made by `coopanalysis.html.index`);
- `.coopanalysis-manifest.json`: fingerprints of the last successful run of
  each report, so unchanged reports are skipped next time.

Every file is written through `coopanalysis.core.files.write_atomic`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from coopanalysis.core.files import write_atomic

MANIFEST_NAME = ".coopanalysis-manifest.json"
SUMMARY_NAME = "summary.json"
INDEX_NAME = "index.html"


def load_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Last successful run per report name; empty if there is no usable manifest."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    reports = data.get("reports") if isinstance(data, dict) else None
    return reports if isinstance(reports, dict) else {}


def save_manifest(out_dir: Path, reports: dict[str, dict[str, Any]]) -> Path:
    """Write the manifest (report name -> its last successful run); return its path."""
    text = json.dumps({"format": 1, "reports": reports}, indent=1, sort_keys=True, ensure_ascii=False, default=str)
    return write_atomic(out_dir / MANIFEST_NAME, text)


def load_summary(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Entries of the previous `summary.json` by report name (empty if none)."""
    try:
        data = json.loads((out_dir / SUMMARY_NAME).read_text(encoding="utf-8"))
        return {e["name"]: e for e in data["reports"] if isinstance(e, dict) and "name" in e}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def status_counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    """How many entries have each status (`ok`, `failed`, `skipped`)."""
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["status"]] = counts.get(e["status"], 0) + 1
    return counts


def write_summary(out_dir: Path, entries: list[dict[str, Any]], *, meta: dict[str, Any]) -> Path:
    """Write `summary.json`: `meta` (run time, version, config), `counts` and `reports` (entries); its path."""
    doc = {**meta, "counts": status_counts(entries), "reports": entries}
    return write_atomic(out_dir / SUMMARY_NAME, json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")


def write_index(out_dir: Path, entries: list[dict[str, Any]], *, meta: dict[str, Any], lang: str = "en") -> Path:
    """Write `index.html` (see `coopanalysis.html.index.render_index`); its path."""
    from coopanalysis.html.index import render_index

    return write_atomic(out_dir / INDEX_NAME, render_index(entries, meta=meta, lang=lang))
