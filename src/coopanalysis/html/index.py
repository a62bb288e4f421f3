"""The index page of a batch run: one row per report with status, parameters, duration, headlines, links.

Rendered with the Jinja2 template `templates/index/index.html.j2` (autoescape
on): every value from configuration, data or errors is HTML-escaped, and a
link is kept only if it is a relative path inside the output folder. The page
loads nothing; its one script (`templates/index/index.js`, allowed by its hash
in the Content-Security-Policy) filters and sorts the reports in the browser.
Every text the page itself says goes through `translator(lang)`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup, escape

from coopanalysis.core.i18n import check_language, translator
from coopanalysis.paths import TEMPLATES_DIR
from coopanalysis.present.display import format_headline_value

STATUS_TEXT = {"ok": "done", "skipped": "unchanged", "failed": "FAILED"}
"""How a report's status reads on the page (English message ids)."""

_YEARS = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_KEY = re.compile(r"[^a-z0-9_]")
_BREAK_AFTER = re.compile(r"([/\\,])")


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


@functools.lru_cache(maxsize=1)
def _script() -> tuple[str, str]:
    """The page's script and its CSP source (`'sha256-…'`)."""
    text = (TEMPLATES_DIR / "index" / "index.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"'sha256-{digest}'"


def render_index(entries: list[dict[str, Any]], *, meta: dict[str, Any], lang: str = "en") -> str:
    """The index page (HTML text) of the summary `entries`, with the run's `meta` above them, in `lang`.

    `meta` gives `title`, `finished_at`, `coopanalysis_version`, `counts`
    (status -> number) and `elapsed_s`; an entry is one report of `summary.json`.
    """
    t = translator(check_language(lang))
    counts = meta.get("counts", {})
    rows = [_row(e, t) for e in entries]
    script, script_hash = _script()
    return _template().render(
        t=t,
        lang=lang,
        title=t(meta.get("title", "Reports")),
        finished_at=meta.get("finished_at", ""),
        version=meta.get("coopanalysis_version", ""),
        counts=", ".join(f"{n} {t(STATUS_TEXT.get(k, k))}" for k, n in sorted(counts.items())),
        elapsed=f"{meta.get('elapsed_s', 0):.1f}",
        rows=rows,
        sort_figures=_sort_figures(rows),
        script=Markup(script),  # a file of the package, never data
        script_hash=script_hash,
    )


def _row(entry: dict[str, Any], t: Callable[[str], str]) -> dict[str, Any]:
    """What the template shows of one summary entry (plain values; the template escapes them)."""
    status = entry.get("status", "")
    outputs = entry.get("outputs") or {}
    duration = entry.get("duration_s")
    page = entry.get("page") if isinstance(entry.get("page"), dict) else {}
    title = str(page.get("title") or "")
    headlines = _headlines(entry.get("headlines") or {}, t)
    years = [int(y) for y in _YEARS.findall(title)]
    return {
        "name": entry["name"],
        "title": title,  # what the report covers (`present.page_facts`)
        "description": str(page.get("description") or ""),
        "synthetic": page.get("synthetic") is True,
        "link": _href(outputs.get("html")),
        "this_run": entry.get("this_run") is not False,
        "status": status,
        "status_text": t(STATUS_TEXT.get(status, status)),
        "failed": status == "failed",
        "shared": entry.get("shared") is True,  # its log and notebooks stay on the machine that ran it
        "error": entry.get("error") or t("failed"),
        "error_link": _href(outputs.get("error_html")),
        "log_link": _href(outputs.get("log")),
        "parameters": [(k, _fmt_param(v)) for k, v in (entry.get("parameters") or {}).items()],
        "duration": f"{duration:.1f} s" if isinstance(duration, (int, float)) else "",
        "headlines": headlines,
        # what the page's script sorts and searches on (JSON in a data attribute, escaped)
        "sort": json.dumps(
            {
                "title": (title or entry["name"]).casefold(),
                "start": min(years) if years else None,
                "end": max(years) if years else None,
                "figures": {h["key"]: h["number"] for h in headlines if h["number"] is not None},
            },
            ensure_ascii=False,
        ),
        "search": " ".join([title, str(page.get("description") or ""), entry["name"]]).casefold(),
    }


def _sort_figures(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The headline figures one can sort the reports by: (key, short label), in first-seen order."""
    labels: dict[str, str] = {}
    for row in rows:
        for h in row["headlines"]:
            if h["number"] is None:
                continue
            short = re.split(r",\s|\s\(", h["label"], maxsplit=1)[0]
            if h["key"] not in labels or len(short) < len(labels[h["key"]]):
                labels[h["key"]] = short
    return list(labels.items())


def _fmt_param(value: Any) -> Markup:
    """A parameter value as escaped text (strings as they are, anything else as JSON) that may
    break after a path separator or a comma, and nowhere else: "sample/<wbr>requests_synthetic.csv",
    never "sample/reques|ts_synthetic.csv"."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return Markup(_BREAK_AFTER.sub(r"\1<wbr>", str(escape(text))))  # escaping writes none of / \ ,


def _headlines(headlines: dict[str, Any], t: Callable[[str], str]) -> list[dict[str, Any]]:
    """Each headline figure as its label (written in its page's language), formatted value and, if
    it has one, formatted interval (their words through `t`)."""
    items = []
    for key, h in headlines.items():
        h = h if isinstance(h, dict) else {"value": h}
        unit = h.get("unit")
        interval = h.get("interval")
        value = h.get("value")
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        items.append(
            {
                "key": _KEY.sub("_", str(key).lower()),
                "label": str(h.get("label") or h.get("name") or key),
                "value": format_headline_value(value, unit, t),
                "number": number if number is not None and math.isfinite(number) else None,  # NaN sorts as missing
                "interval": [format_headline_value(v, unit, t) for v in interval]
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
