"""The index page of a batch run: one row per report with status, parameters, duration, headlines, links.

Rendered with the Jinja2 template `templates/index/index.html.j2` (autoescape
on): every value from configuration, data or errors is HTML-escaped, and a
link is kept only if it is a relative path inside the output folder. The page
has no script and loads nothing.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jinja2

from coopanalysis.paths import TEMPLATES_DIR
from coopanalysis.present.display import format_headline_value

STATUS_TEXT = {"ok": "done", "skipped": "unchanged", "failed": "FAILED"}
"""How a report's status reads on the page."""


@functools.lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    """The index template, loaded once, with autoescape on."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "index"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("index.html.j2")


def render_index(entries: list[dict[str, Any]], *, meta: dict[str, Any]) -> str:
    """The index page (HTML text) of the summary `entries`, with the run's `meta` above them.

    `meta` gives `title`, `finished_at`, `coopanalysis_version`, `counts`
    (status -> number) and `elapsed_s`; an entry is one report of `summary.json`.
    """
    counts = meta.get("counts", {})
    return _template().render(
        title=meta.get("title", "Reports"),
        finished_at=meta.get("finished_at", ""),
        version=meta.get("coopanalysis_version", ""),
        counts=", ".join(f"{n} {STATUS_TEXT.get(k, k)}" for k, n in sorted(counts.items())),
        elapsed=f"{meta.get('elapsed_s', 0):.1f}",
        rows=[_row(e) for e in entries],
    )


def _row(entry: dict[str, Any]) -> dict[str, Any]:
    """What the template shows of one summary entry (plain values; the template escapes them)."""
    status = entry.get("status", "")
    outputs = entry.get("outputs") or {}
    duration = entry.get("duration_s")
    page = entry.get("page") if isinstance(entry.get("page"), dict) else {}
    return {
        "name": entry["name"],
        "title": str(page.get("title") or ""),  # what the report covers (`present.page_facts`)
        "description": str(page.get("description") or ""),
        "synthetic": page.get("synthetic") is True,
        "link": _href(outputs.get("html")),
        "this_run": entry.get("this_run") is not False,
        "status": status,
        "status_text": STATUS_TEXT.get(status, status),
        "failed": status == "failed",
        "shared": entry.get("shared") is True,  # its log and notebooks stay on the machine that ran it
        "error": entry.get("error") or "failed",
        "error_link": _href(outputs.get("error_html")),
        "log_link": _href(outputs.get("log")),
        "parameters": [(k, _fmt_param(v)) for k, v in (entry.get("parameters") or {}).items()],
        "duration": f"{duration:.1f} s" if isinstance(duration, (int, float)) else "",
        "headlines": _headlines(entry.get("headlines") or {}),
    }


def _fmt_param(value: Any) -> str:
    """A parameter value as text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _headlines(headlines: dict[str, Any]) -> list[dict[str, Any]]:
    """Each headline figure as its label, formatted value and, if it has one, formatted interval."""
    items = []
    for key, h in headlines.items():
        h = h if isinstance(h, dict) else {"value": h}
        unit = h.get("unit")
        interval = h.get("interval")
        items.append(
            {
                "label": h.get("label") or h.get("name") or key,
                "value": format_headline_value(h.get("value"), unit),
                "interval": [format_headline_value(v, unit) for v in interval]
                if isinstance(interval, (list, tuple)) and len(interval) == 2
                else None,
            }
        )
    return items


def _href(rel: str | None) -> str | None:
    """A relative link made only of safe path segments, or None."""
    if not rel or rel.startswith(("/", ".")) or ".." in rel.split("/") or ":" in rel:
        return None
    return rel
