"""The published pages of a run folder and the tables they embed: what `coopanalysis export` reads.

A page is published when `summary.json` lists it as done (`ok`, or `skipped` as unchanged: its last
good page stays); its file must be a plain file directly in the folder. Nothing else is read: not
the executed notebooks, not the logs, not a shared run's private folder. Each table of a page
carries its data beside it (``<script type="application/json" class="coop-table-data">``, the
`present.table_data` payload, escaped as chart specs are) and its "Source:" line under it
(`html.page.sources_html`), which `source_line` reads back into ``{"label", "url"}`` citations.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopanalysis.batch.outputs import SUMMARY_NAME
from coopanalysis.core.i18n import LANGUAGES
from coopanalysis.errors import DataFileError
from coopanalysis.present.table_data import HIDDEN_CODE

PUBLISHED = ("ok", "skipped")
"""Summary statuses whose page is published (a skipped report keeps its last good page)."""

_TABLE = re.compile(r'<script\b(?=[^>]*\bclass="coop-table-data")(?=[^>]*\btype="application/json")[^>]*>(.*?)</script>', re.S)
_BLOCK = 'class="coop-html coop-table-block"'
_SOURCE = re.compile(r'<p class="coop-source">(.*?)</p>', re.S)
_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>|(&#?\w+;)|(;\s)|(<[^>]*>)|([^&;<]+|.)', re.S)
_LANG = re.compile(r'<html\b[^>]*\blang="([^"]*)"')
_SYNTHETIC = re.compile(r'class="coop-(banner|source-warning)"')  # the banner, or the warning on a source line
_TAG, _TH, _TR = re.compile(r"<[^>]+>"), re.compile(r"<th\b[^>]*>(.*?)</th>", re.S), re.compile(r"<tr>(.*?)</tr>", re.S)
_TD = re.compile(r"<td\b[^>]*>(.*?)</td>", re.S)
_H1 = re.compile(r'<h1 class="coop-title">(.*?)</h1>', re.S)


@dataclass
class Page:
    """A published page: report name, file, title, language, whether synthetic, tables (and tables shown without data)."""

    name: str
    file: str
    title: str
    lang: str = "en"
    synthetic: bool = False
    tables: list[dict[str, Any]] = field(default_factory=list)
    undata: int = 0  # tables the page shows without their data beside them


def table_payloads(text: str, *, source: str = "page") -> list[dict[str, Any]]:
    """The table data a page embeds, in page order, each with its `sources` (the "Source:" line
    printed under it, ``[{"label", "url"}]``). `DataFileError` names `source` for a malformed block."""
    found, after = [], 0
    for n, match in enumerate(_TABLE.finditer(text), 1):
        try:
            p = json.loads(match.group(1))
        except ValueError as exc:
            raise DataFileError(source, f"table data {n} is not JSON ({exc})") from None
        cols, rows = (p.get("columns"), p.get("rows")) if isinstance(p, dict) else (None, None)
        if not (isinstance(cols, list) and all(isinstance(c, dict) and isinstance(c.get("name"), str) for c in cols)
                and isinstance(rows, list) and all(isinstance(r, list) and len(r) == len(cols) for r in rows)):
            raise DataFileError(source, f"table data {n} is not a table (columns with names, rows as long as the columns)")
        shown = text.rfind('<table class="coop-table"', after, match.start())
        if shown != -1:
            _check_shown(text[shown:match.start()], p, f"{source}: table data {n}")
        end = text.find("</section>", match.end())
        line = _SOURCE.search(text, match.end(), end if end != -1 else len(text))
        found.append({**p, "sources": source_line(line.group(1)) if line else []})
        after = match.end()
    return found


def _check_shown(table_html: str, payload: dict[str, Any], where: str) -> None:
    """Refuse data that gives a number where the table above it shows a hidden code ("<10",
    "withheld"): the package must never publish what the page hides."""
    cell = lambda s: html.unescape(_TAG.sub("", s)).strip()
    head = [cell(h) for h in _TH.findall(table_html)]
    if head != [c["name"] for c in payload["columns"]]:
        return  # a table laid out otherwise than its data: nothing to compare cell by cell
    for i, row in enumerate(_TR.findall(table_html.split("<tbody>", 1)[-1])[:len(payload["rows"])]):
        for j, text in enumerate(cell(c) for c in _TD.findall(row)):
            if HIDDEN_CODE.fullmatch(text) and j < len(head) and payload["rows"][i][j] != text:
                raise DataFileError(where, f"row {i + 1}, {head[j]!r}: the page shows {text!r}, the data beside "
                                    "it does not; nothing was exported")


def source_line(fragment: str) -> list[dict[str, str]]:
    """The citations of a page's "Source: a; b." line (its HTML): a link gives its label and address."""
    span = re.search(r"<span>(.*?)</span>", fragment, re.S)
    body = re.sub(r"^[^<:]{1,20}:\s*", "", (span.group(1) if span else fragment).strip()).removesuffix(".")
    out, text = [], ""
    for url, label, entity, sep, _tag, plain in _LINK.findall(body):
        if url or label:
            out.append({"label": html.unescape(re.sub(r"<[^>]+>", "", label)).strip(), "url": html.unescape(url)})
        elif sep:
            out.append({"label": html.unescape(text).strip(), "url": ""})
            text = ""
        else:
            text += entity or plain
    out.append({"label": html.unescape(text).strip(), "url": ""})
    return [c for c in out if c["label"] and not (c["label"] == "not recorded" and not c["url"])]


def published_pages(out_dir: Path) -> list[Page]:
    """The pages `summary.json` lists as published, read from `out_dir` (never another folder)."""
    summary = out_dir / SUMMARY_NAME
    if not summary.is_file():
        raise DataFileError(summary, "not found: is this the output folder of `coopanalysis run`?")
    try:
        entries = [e for e in json.loads(summary.read_text(encoding="utf-8"))["reports"] if isinstance(e, dict)]
    except (OSError, ValueError, KeyError, TypeError):
        raise DataFileError(summary, "is not the summary of a run (no list of reports)") from None
    pages = []
    for e in entries:
        rel = str((e.get("outputs") or {}).get("html") or "")
        if e.get("status") not in PUBLISHED or not rel:
            continue
        path = out_dir / rel
        if "/" in rel or "\\" in rel or not rel.endswith(".html") or rel.startswith("."):
            raise DataFileError(summary, f"lists a page outside the folder ({rel!r})")
        if path.is_symlink() or not path.is_file():
            raise DataFileError(path, f"summary.json lists it as published, but it is {'a symlink' if path.is_symlink() else 'missing'}")
        text, facts = path.read_text(encoding="utf-8", errors="replace"), e.get("page") or {}
        h1, lang = _H1.search(text), (_LANG.search(text) or [None, "en"])[1]
        tables = table_payloads(text, source=str(path))
        pages.append(Page(str(e.get("name") or path.stem), rel,
                          str(facts.get("title") or (html.unescape(h1.group(1)).strip() if h1 else path.stem)),
                          lang if lang in LANGUAGES else "en",
                          bool(facts.get("synthetic")) or bool(_SYNTHETIC.search(text)),
                          tables, max(0, text.count(_BLOCK) - len(tables))))
    return pages
