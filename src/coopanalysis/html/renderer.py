"""Offline, safe HTML pages from executed notebooks, and the ``render`` command.

A rendered page works with no network: it loads nothing over http(s), inlines the
vega / vega-lite / vega-embed bundle (:mod:`coopanalysis.html.bundle`) once, hides every
code cell's input and prompt, and embeds each chart spec through
:func:`coopanalysis.present.mime.escape_json_for_html`, so a data value such as
``</script>`` stays data. The template prefers the chart fragment of
:mod:`coopanalysis.present.mime` over every other representation and never draws
headline figures (:func:`coopanalysis.html.page.read_headlines` extracts them).
Each chart and table gets a stable id, its data and its controls (download, images, "show as
table", the state in the address: :mod:`coopanalysis.html.controls`, ``controls.js``); the page's
texts are in the language of its facts (``lang``, :func:`coopanalysis.core.i18n.translator`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coopanalysis.core.files import PUBLIC_FILE, atomic_path
from coopanalysis.core.i18n import LANGUAGES, translator
from coopanalysis.html.bundle import vega_bundle
from coopanalysis.html.controls import PageControls
from coopanalysis.html.page import first_heading, footer_html, load_notebook
from coopanalysis.html.page import add_contents, demote_title, read_page_facts, sources_html
from coopanalysis.html.sanitise import sanitize_html, short_error
from coopanalysis.html.translate import translate_notebook
from coopanalysis.paths import TEMPLATES_DIR
from coopanalysis.present.mime import CHART_MIME, HEADLINE_MIME, LEDGER_MIME, VEGALITE_MIMES, escape_json_for_html
from coopanalysis.present.mime import PAGE_MIME
from coopanalysis.present.page_facts import EXPORT_BANNER
from coopanalysis.present.table_data import TABLE_MIME

TEMPLATE_NAME = "offline"

# Order in which an output's representations are tried; anything not listed
# (javascript, widgets, latex, pdf, headline data) is never drawn.
DISPLAY_PRIORITY = [
    CHART_MIME,
    *VEGALITE_MIMES,
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/plain",
]


def _exporter(controls: PageControls) -> Any:
    """An nbconvert ``HTMLExporter`` on the offline template, inputs and prompts hidden; its chart
    and table filters hand out the page's ids through `controls` (one per page, document order)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config({"NbConvertBase": {"display_data_priority": list(DISPLAY_PRIORITY)}})
    exporter = HTMLExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_filter("coop_sanitize", sanitize_html)
    exporter.register_filter("coop_short_error", short_error)
    exporter.register_filter("coop_vegalite", controls.chart)
    exporter.register_filter("coop_table", lambda data: controls.table(data, sanitize_html(data["text/html"])))
    exporter.register_filter("coop_json", _ledger_json)
    exporter.register_filter("coop_demote_title", demote_title)
    exporter.register_filter("coop_t", controls.tr)  # a text of the template, in the page's language
    return exporter


def _ledger_json(data: Any) -> str:
    """A ledger output as JSON safe inside a script element (a stored string is parsed first)."""
    import json

    return escape_json_for_html(json.loads(data) if isinstance(data, str) else data)


def render_html(
    executed: str | Path | Any,
    *,
    footer: Mapping[str, object] | None = None,
    title: str | None = None,
    request_ids: Any = None,
    name: str | None = None,
) -> str:
    """The offline HTML page of an executed notebook, as a string (see :func:`render_notebook`).
    `name`: the report's name, the first part of every chart and table id (default: the
    notebook's file name, else the title). Raises `coopanalysis.publish.leaks.CaseLevelDataError` when an output holds case-level data
    (`request_ids`: an optional `leaks.IdLookup` over the log the report read)."""
    from coopanalysis.publish.leaks import check_shareable

    node = load_notebook(executed)
    check_shareable(node, name=str(executed) if isinstance(executed, (str, Path)) else (title or "notebook"),
                    request_ids=request_ids)
    if title is None:
        title = node.get("metadata", {}).get("title") or first_heading(node)
    if title is None and isinstance(executed, (str, Path)):
        title = Path(executed).stem
    facts = read_page_facts(node)  # the report's own title, banner and sources win over the batch's name
    page = _page_resources(facts)
    lang = page.get("lang", "en")
    tr = translator(lang)
    if facts.get("title"):
        title = str(facts["title"]) + (tr(" (synthetic data)") if facts.get("synthetic") else "")
    if name is None:
        name = Path(executed).stem.removesuffix(".executed") if isinstance(executed, (str, Path)) else (title or "report")
    controls = PageControls(name, tr)
    resources = {
        "metadata": {"name": title or "Report"},
        "coop": {
            "lang": lang,
            "title": title or "Report",
            "vega_bundle": vega_bundle(),
            "footer_html": footer_html(footer, lang),
            "chart_mime": CHART_MIME,
            "headline_mime": HEADLINE_MIME,
            "ledger_mime": LEDGER_MIME,
            "vegalite_mimes": list(VEGALITE_MIMES),
            "page_mime": PAGE_MIME,
            "page": page,
            "table_mime": TABLE_MIME,
            "strings": controls.strings(EXPORT_BANNER if page.get("synthetic") else ""),
        },
    }
    body, _ = _exporter(controls).from_notebook_node(translate_notebook(node, lang), resources=resources)
    return add_contents(body, lang)


def _page_resources(facts: Mapping[str, Any]) -> dict[str, Any]:
    """What the template shows of the page facts: title, banner, the source line per key ({} without facts)."""
    lang = str(facts.get("lang") or "en")
    lang = lang if lang in LANGUAGES else "en"
    if not facts:
        return {"lang": lang}
    return {"title": str(facts.get("title") or ""), "banner": facts.get("banner") or "",
            "synthetic": bool(facts.get("synthetic")), "sources": sources_html(facts), "lang": lang}


def render_notebook(
    executed: str | Path | Any,
    out: str | Path,
    *,
    footer: dict[str, object] | None = None,
    title: str | None = None,
    request_ids: Any = None,
) -> Path:
    """Write the self-contained offline HTML page of an executed notebook to ``out``.

    ``executed`` is a path to an ``.ipynb`` or a ``nbformat.NotebookNode``. ``footer``
    (parameters, input hashes, package versions, run time ...) is shown as an escaped
    table at the end of the page. The page is written through
    :func:`coopanalysis.core.files.atomic_path` (a temporary file beside ``out``, synced and
    moved over it), so a failed render never damages an earlier page.
    Returns the path written. A missing or unreadable notebook raises ``DataFileError``; outputs
    holding case-level data (a ``request_id`` field, a free-text field of the log, or — given
    ``request_ids``, a ``leaks.IdLookup`` — a request id of the log) raise
    ``coopanalysis.publish.leaks.CaseLevelDataError`` naming the notebook and the cell, and no page is written.
    """
    out = Path(out)
    page = render_html(executed, footer=footer, title=title, request_ids=request_ids, name=out.stem)
    with atomic_path(out, mode=_page_mode(out)) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(page)
            handle.flush()
            os.fsync(handle.fileno())
    return out


def _page_mode(out: Path) -> int:
    """Permission bits for the new page: those of the page it replaces, else 0o644
    (a page must stay readable by an intranet web server)."""
    try:
        return out.stat().st_mode & 0o777
    except OSError:
        return PUBLIC_FILE


# ---------------------------------------------------------------------- command line
