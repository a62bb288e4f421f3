"""What a batch run leaves in its output folder besides the reports.

- `summary.json`: one entry per report (name, status, parameters, duration,
  output paths, input hashes, headline figures, error message);
- `index.html`: the same as a self-contained page with a link to every report;
- `.coopanalysis-manifest.json`: fingerprints of the last successful run of
  each report, so unchanged reports are skipped next time.

Every file is written to a temporary file in the same folder, then renamed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from coopanalysis.present.display import format_headline_value

MANIFEST_NAME = ".coopanalysis-manifest.json"
SUMMARY_NAME = "summary.json"
INDEX_NAME = "index.html"


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- hashing


def sha256_file(path: Path, _chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_chunk):
            h.update(block)
    return h.hexdigest()


def sha256_path(path: Path) -> str:
    """Hex sha256 of a file, or of a folder: its files' relative paths and contents, in order.

    Hidden files and folders (name starting with `.`) are ignored. A missing
    path hashes to `"missing"` (the notebook will report it when it runs).
    """
    if path.is_file():
        return sha256_file(path)
    if not path.is_dir():
        return "missing"
    h = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path)
        if any(part.startswith(".") for part in rel.parts):
            continue
        h.update(rel.as_posix().encode("utf-8") + b"\0" + sha256_file(file).encode("ascii") + b"\n")
    return h.hexdigest()


class InputHasher:
    """Hashes input data paths once per run, however many reports read them."""

    def __init__(self) -> None:
        self._cache: dict[Path, str] = {}

    def __call__(self, value: str) -> tuple[str, str]:
        """`value` as written → (resolved path, sha256)."""
        from coopanalysis.paths import resolve_data_path

        path = Path(resolve_data_path(value)).resolve()
        if path not in self._cache:
            self._cache[path] = sha256_path(path)
        return str(path), self._cache[path]


def notebook_hash(notebook: Path) -> str:
    """sha256 of a notebook's cells (type and source), ignoring outputs and metadata."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    content = [
        [c.get("cell_type"), "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", "")]
        for c in cells
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


def fingerprint(*, notebook_sha: str, parameters: dict[str, Any], version: str, inputs: dict[str, str]) -> str:
    """One hash of everything that decides a report's content."""
    blob = json.dumps(
        {"notebook": notebook_sha, "parameters": parameters, "version": version, "inputs": inputs},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- manifest


def load_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Last successful run per report name; empty if there is no usable manifest."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    reports = data.get("reports") if isinstance(data, dict) else None
    return reports if isinstance(reports, dict) else {}


def save_manifest(out_dir: Path, reports: dict[str, dict[str, Any]]) -> None:
    atomic_write_text(
        out_dir / MANIFEST_NAME,
        json.dumps({"format": 1, "reports": reports}, indent=1, sort_keys=True, ensure_ascii=False, default=str),
    )


# --------------------------------------------------------------------------- summary


def load_summary(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Entries of the previous `summary.json` by report name (empty if none)."""
    try:
        data = json.loads((out_dir / SUMMARY_NAME).read_text(encoding="utf-8"))
        return {e["name"]: e for e in data["reports"] if isinstance(e, dict) and "name" in e}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_summary(out_dir: Path, entries: list[dict[str, Any]], *, meta: dict[str, Any]) -> Path:
    """Write `summary.json`: `meta` (run time, version, config, counts) and `reports` (entries)."""
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["status"]] = counts.get(e["status"], 0) + 1
    doc = {**meta, "counts": counts, "reports": entries}
    path = out_dir / SUMMARY_NAME
    atomic_write_text(path, json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


# --------------------------------------------------------------------------- index page

_STATUS_TEXT = {"ok": "done", "skipped": "unchanged", "failed": "FAILED"}

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans KR",sans-serif;margin:2rem auto;
max-width:75rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem;margin:0 0 .3rem}p.meta{color:#555;margin:0 0 1.2rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.45rem .5rem;
text-align:left;vertical-align:top}th{background:#f4f4f4;font-weight:600}
td.num{text-align:right;white-space:nowrap}
.st{font-weight:600;white-space:nowrap}.st-ok{color:#1a7f37}.st-skipped{color:#57606a}.st-failed{color:#cf222e}
.err{color:#cf222e;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;white-space:pre-wrap;
word-break:break-word}
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:0 .6rem}dt{color:#555}dd{margin:0}
code{font-size:.85em;word-break:break-all}ul.h{margin:0;padding-left:1rem}.old{color:#777;font-size:.85em}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt_param(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _headlines_html(headlines: dict[str, dict[str, Any]]) -> str:
    if not headlines:
        return ""
    items = []
    for key, h in headlines.items():
        h = h if isinstance(h, dict) else {"value": h}
        label = h.get("label") or h.get("name") or key
        unit = h.get("unit")
        text = f"{_e(label)}: <b>{_e(format_headline_value(h.get('value'), unit))}</b>"
        interval = h.get("interval")
        if isinstance(interval, (list, tuple)) and len(interval) == 2:
            low, high = (format_headline_value(v, unit) for v in interval)
            text += f" ({_e(low)} – {_e(high)})"
        items.append(f"<li>{text}</li>")
    return f'<ul class="h">{"".join(items)}</ul>'


def _href(rel: str | None) -> str | None:
    """A relative link made only of safe path segments, or None."""
    if not rel or rel.startswith(("/", ".")) or ".." in rel.split("/") or ":" in rel:
        return None
    return _e(rel)


def render_index(entries: list[dict[str, Any]], *, meta: dict[str, Any]) -> str:
    """The index page: one row per report with status, parameters, duration, headlines, links.

    No script, no external resource; every value from configuration, data or
    errors is HTML-escaped.
    """
    rows = []
    for e in entries:
        status = e.get("status", "")
        outputs = e.get("outputs") or {}
        link = _href(outputs.get("html"))
        name_html = f'<a href="{link}">{_e(e["name"])}</a>' if link else _e(e["name"])
        if e.get("this_run") is False:
            name_html += '<br><span class="old">not part of this run</span>'
        cell_status = f'<span class="st st-{_e(status)}">{_e(_STATUS_TEXT.get(status, status))}</span>'
        err = ""
        if status == "failed":
            err_link = _href(outputs.get("error_html"))
            err = f'<div class="err">{_e(e.get("error") or "failed")}</div>'
            if err_link:
                err += f'<a href="{err_link}#papermill-error-cell">executed notebook with the error</a>'
            log = _href(outputs.get("log"))
            if log:
                err += f' · <a href="{log}">log</a>'
            if link:
                err += '<br><span class="old">the link on the name is the last good report</span>'
        params = "".join(
            f"<dt>{_e(k)}</dt><dd><code>{_e(_fmt_param(v))}</code></dd>" for k, v in (e.get("parameters") or {}).items()
        )
        duration = e.get("duration_s")
        rows.append(
            "<tr>"
            f"<td>{name_html}</td>"
            f"<td>{cell_status}{err}</td>"
            f"<td><dl>{params}</dl></td>"
            f'<td class="num">{_e(f"{duration:.1f} s") if isinstance(duration, (int, float)) else ""}</td>'
            f"<td>{_headlines_html(e.get('headlines') or {})}</td>"
            "</tr>"
        )
    counts = meta.get("counts", {})
    elapsed = f"{meta.get('elapsed_s', 0):.1f}"
    count_text = ", ".join(f"{n} {_STATUS_TEXT.get(k, k)}" for k, n in sorted(counts.items()))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{_e(meta.get('title', 'Reports'))}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(meta.get('title', 'Reports'))}</h1>"
        f'<p class="meta">Run {_e(meta.get("finished_at", ""))} · coopanalysis {_e(meta.get("coopanalysis_version", ""))}'
        f" · {_e(count_text)} · total {_e(elapsed)} s</p>"
        "<table><thead><tr><th>Report</th><th>Status</th><th>Parameters</th><th>Duration</th>"
        f"<th>Headline figures</th></tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


def write_index(out_dir: Path, entries: list[dict[str, Any]], *, meta: dict[str, Any]) -> Path:
    path = out_dir / INDEX_NAME
    atomic_write_text(path, render_index(entries, meta=meta))
    return path


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")
