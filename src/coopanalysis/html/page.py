"""What a page is made of besides the outputs: the notebook read from disk, its title,
its headline figures, and the escaped footer table of run details."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from coopanalysis.core.i18n import translator
from coopanalysis.errors import DataFileError
from coopanalysis.present.mime import HEADLINE_MIME, PAGE_MIME

# ------------------------------------------------------------------------ notebooks


def load_notebook(executed: str | Path | Any) -> Any:
    """The notebook node at path `executed` (a node passes through unchanged).

    A missing, unreadable or malformed notebook raises ``DataFileError`` naming the path."""
    import nbformat

    if isinstance(executed, (str, Path)):
        path = Path(executed)
        try:
            return nbformat.read(path, as_version=4)
        except FileNotFoundError:
            raise DataFileError(path, "notebook not found") from None
        except IsADirectoryError:
            raise DataFileError(path, "is a folder, not a notebook file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError(path, f"cannot be read ({exc})") from None
        except Exception as exc:  # nbformat raises NotJSONError, ValidationError, ...
            raise DataFileError(path, f"is not a readable notebook ({type(exc).__name__}: {exc})") from None
    return executed


def mime_payloads(nb: str | Path | Any, mime: str) -> Iterator[Any]:
    """The JSON payloads of `mime` a notebook's code cells displayed (a path or a node), in order."""
    for cell in load_notebook(nb).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            payload = output.get("data", {}).get(mime)
            if payload is not None:
                yield json.loads(payload) if isinstance(payload, str) else payload


def read_headlines(nb: str | Path | Any) -> dict[str, dict]:
    """Headline figures recorded by :func:`coopanalysis.present.display.headline` in an executed notebook.

    Takes a path or a notebook node; returns ``{name: {"name", "value", "label",
    "interval"}}`` in the order they were displayed (a name displayed twice keeps its
    last value).
    """
    found: dict[str, dict] = {}
    for payload in mime_payloads(nb, HEADLINE_MIME):
        payload = dict(payload)
        found.pop(payload["name"], None)
        found[payload["name"]] = payload
    return found


def first_heading(node: Any) -> str | None:
    """Text of the first level-1 Markdown heading of a notebook, if any."""
    for cell in node.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for line in str(cell.get("source", "")).splitlines():
            if line.startswith("# "):
                return line[2:].strip() or None
    return None


# -------------------------------------------------------------------------- footer


def footer_html(footer: Mapping[str, object] | None, lang: str = "en") -> str:
    """The run details (parameters, input hashes, versions, run time) as an escaped table, headed in `lang`."""
    if not footer:
        return ""
    t = translator(lang)
    return (
        f'<footer class="coop-footer">\n<h2 id="about-this-report">{html.escape(t("About this report"))}</h2>\n'
        + _mapping_table(footer, t, keys=t)
        + "\n</footer>"
    )


def _mapping_table(mapping: Mapping[Any, object], t: Callable[[str], str], *, keys: Callable[[str], str] | None = None) -> str:
    """A two-column table, one escaped row per key; nested mappings become nested tables. The
    footer's own keys are translated (`keys`); what they hold (report ids, parameter, file and
    package names, hashes, times) is marked ``translate="no"``: it reads the same in every language."""
    rows = []
    for key, value in mapping.items():
        head = html.escape(keys(str(key))) if keys else html.escape(str(key))
        rows.append(f'<tr><th scope="row">{head}</th><td{_NO if value else ""}>{_value_html(value, t)}</td></tr>')
    return f'<table class="coop-meta"{"" if keys else _NO}>\n' + "\n".join(rows) + "\n</table>"


_NO = ' translate="no"'  # names, ids and values that no language translates


def _value_html(value: object, t: Callable[[str], str]) -> str:
    """One footer value as escaped HTML: a table, a comma-separated list, text or *none*."""
    none = f"<em>{html.escape(t('none'))}</em>"
    if isinstance(value, Mapping):
        return _mapping_table(value, t) if value else none
    if isinstance(value, (list, tuple, set, frozenset)):
        return html.escape(", ".join(str(v) for v in value)) if value else none
    if value is None:
        return none
    return html.escape(str(value))


_LEDGER_BLOCK = re.compile(r'<script\b(?=[^>]*\bclass="coop-ledger")(?=[^>]*\btype="application/json")[^>]*>(.*?)</script>', re.S)


def read_ledgers(page: str | Path) -> list[Any]:
    """The published-count ledgers a rendered page carries (`publish.ledger.Ledger`), one per
    `present.display.record_counts` call; [] for a page without any. `LedgerError` names the page
    when a block is not a ledger."""
    from coopanalysis.publish.ledger import LedgerError, read_ledger

    path = Path(page)
    text = path.read_text(encoding="utf-8", errors="replace")
    out = []
    for i, block in enumerate(_LEDGER_BLOCK.findall(text)):
        try:
            data = json.loads(block)
        except ValueError as exc:
            raise LedgerError(f"{path}: ledger {i + 1} is not JSON ({exc})") from None
        out.append(read_ledger(data, source=path.name))
    return out


# ---------------------------------------------------------------- what the page says about itself


def read_page_facts(nb: str | Path | Any) -> dict[str, Any]:
    """The page facts a notebook recorded (`present.display.page_facts`): the last one, or {}."""
    found = list(mime_payloads(nb, PAGE_MIME))
    return dict(found[-1]) if found else {}


def sources_html(facts: Mapping[str, Any]) -> dict[str, str]:
    """The escaped "Source: …" line of each source key of `facts` (one per chart and table);
    an address shows as a plain link (a link loads nothing until followed)."""
    out = {}
    tr = translator(str(facts.get("lang") or "en"))
    warning = f'<strong class="coop-source-warning">{html.escape(tr("Synthetic data, not real figures."))}</strong> ' \
        if facts.get("synthetic") else ""
    for key, citations in (facts.get("sources") or {}).items():
        parts = []
        for c in citations or []:
            label, url = html.escape(str(c.get("label", ""))), str(c.get("url") or "")
            if re.fullmatch(r"https?://[^\s\"'<>]+", url):
                label = f'<a href="{html.escape(url)}" rel="noreferrer" title="{html.escape(_short_url(url))}">{label}</a>'
            parts.append(f"<cite>{label}</cite>")  # the title of a cited work, as its publisher wrote it
        if parts or warning:
            line = html.escape(tr("Source: {sources}.")).replace("{sources}", "; ".join(parts) or html.escape(tr("not recorded")))
            out[key] = f'<p class="coop-source">{warning}<span>{line}</span></p>'
    return out


def _short_url(url: str) -> str:
    """The address as a reader reads it: no scheme, at most 48 characters."""
    text = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    return text if len(text) <= 48 else text[:47] + "…"


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)


def demote_title(fragment: str) -> str:
    """A Markdown cell's level-1 heading as the page's question line (`<p class="coop-question">`):
    the page's own title, from its facts, is the one heading of the page."""
    return _H1.sub(lambda m: f'<p class="coop-question">{_ANCHOR.sub("", m.group(1)).strip()}</p>', fragment)


def add_contents(page: str, lang: str = "en") -> str:
    """The page with a table of contents of its `##` headings (those with an id), placed before the
    first, headed in `lang`."""
    main = page.find('<main class="coop-report">')
    if main == -1:
        return page
    found = [(m.group(1), _TAG.sub("", _ANCHOR.sub("", m.group(2))).strip()) for m in _H2.finditer(page, main)]
    if len(found) < 2:
        return page
    items = "".join(f'<li><a href="#{ident}">{text}</a></li>' for ident, text in found)
    tr = translator(lang)
    nav = (f'<nav class="coop-toc" aria-label="{html.escape(tr("Contents"))}"><p class="coop-toc-title">'
           f'{html.escape(tr("On this page"))}</p><ol>{items}</ol></nav>\n')
    first = _H2.search(page, main)
    start = page.rfind('<section class="coop-markdown">', 0, first.start())
    at = start if start != -1 else first.start()
    return page[:at] + nav + page[at:]
