"""Making a notebook's outputs safe for the offline page: the template's filters.

- :func:`sanitize_html` keeps tables, lists, headings and inline formatting of an HTML
  output and drops scripts, styles, event handlers and remote resources;
- :func:`short_error` turns an error output into one readable line;
- :func:`vegalite_from_output` redraws a Vega-Lite spec another renderer left in an output,
  embedded afresh through :func:`coopanalysis.present.mime.chart_embed_html` (escaped). The
  offline page draws its charts through `coopanalysis.html.controls.PageControls.chart`, which
  does the same with the page's stable id, the chart's description and its controls.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from coopanalysis.present.mime import VEGALITE_MIMES, chart_embed_html

_ALLOWED_TAGS = frozenset(
    """a abbr b blockquote br caption code col colgroup dd del details div dl dt em figcaption
    figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub
    summary sup table tbody td tfoot th thead tr u ul""".split()
)

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Whether attribute `name` with `value` may stay on element `tag` (bleach's callback)."""
    if name in ("class", "id", "title", "lang", "dir"):
        return True
    if tag == "a" and name == "href":
        return True  # protocols are checked by the sanitizer (http, https, mailto, #)
    if tag == "img" and name == "src":
        return value.strip().lower().startswith("data:image/")
    if tag == "img" and name in ("alt", "width", "height"):
        return True
    if tag in ("td", "th") and name in ("colspan", "rowspan", "scope", "align"):
        return True
    return tag in ("col", "colgroup") and name == "span"


def sanitize_html(fragment: str) -> str:
    """Remove scripts, styles, event handlers and remote resources from an HTML fragment.

    Tables, lists, headings and inline formatting stay; ``img`` keeps only ``data:``
    sources; tags outside the allow-list are escaped and so shown as text.
    """
    import bleach

    if isinstance(fragment, bytes):
        fragment = fragment.decode()
    cleaner = bleach.Cleaner(
        tags=_ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "mailto", "data"},
        strip=True,
        strip_comments=True,
    )
    return cleaner.clean(str(fragment))


def short_error(output: Mapping[str, Any], *, limit: int = 400) -> str:
    """One readable line for an error output: ``ExceptionName: message`` (ANSI removed)."""
    name = _ANSI_RE.sub("", str(output.get("ename", "Error")))
    value = _ANSI_RE.sub("", str(output.get("evalue", ""))).strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"{name}: {value}" if value else name


def vegalite_from_output(data: Mapping[str, Any], *, element_id: str | None = None) -> str:
    """The embed fragment for the Vega-Lite spec in an output's data ('' when there is none);
    its id is `element_id`, else one derived from the spec (never random)."""
    for mime in VEGALITE_MIMES:
        if mime in data:
            return chart_embed_html(data[mime], element_id=element_id)
    return ""
