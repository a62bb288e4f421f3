"""The mime types a report's outputs carry, and the altair renderer that makes chart outputs.

Charts reach a notebook (and later the offline page) through the altair renderer registered
here as ``"coopanalysis"``. Its mimebundle carries:

* ``application/vnd.vegalite.v5+json`` -- the spec, which JupyterLab 4 draws with its
  built-in vega extension (JupyterLab 4.6 knows the Vega-Lite 3-5 mime types only, not
  altair 6's ``application/vnd.vegalite.v6.json``; a ``text/html`` entry would outrank
  it there, rank 50 against 57, and its script would find no ``vegaEmbed``);
* :data:`CHART_MIME` -- a ``div`` plus a ``vegaEmbed`` call on the escaped spec. The
  offline template prefers this entry over every other one, and draws it by embedding
  the spec stored beside it afresh (same function, escaped at render time), so HTML
  edited into a stored notebook never reaches the page;
* ``text/plain`` -- a one-line description.

Every spec is embedded through :func:`escape_json_for_html`, so a data value such as
``</script>`` stays data. Headline figures (:data:`HEADLINE_MIME`, recorded by
:func:`coopanalysis.present.display.headline`) are data for the batch runner: the page
never draws them.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

CHART_MIME = "application/vnd.coopanalysis.chart+html"
HEADLINE_MIME = "application/vnd.coopanalysis.headline+json"
LEDGER_MIME = "application/vnd.coopanalysis.ledger+json"
"""Every count a page publishes (`publish.ledger`): kept in the page as data for `coopanalysis audit`."""
PAGE_MIME = "application/vnd.coopanalysis.page+json"
"""What the page says about itself (`present.page_facts`): title, description, synthetic banner, sources."""
JUPYTERLAB_VEGALITE_MIME = "application/vnd.vegalite.v5+json"
RENDERER_NAME = "coopanalysis"

# Vega-Lite mime types other renderers may have left in a notebook; the template
# draws them offline too (same escaping) when our own fragment is absent.
VEGALITE_MIMES = (
    "application/vnd.vegalite.v6+json",
    "application/vnd.vegalite.v6.json",
    JUPYTERLAB_VEGALITE_MIME,
    "application/vnd.vegalite.v4+json",
)

_JSON_HTML_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_HTML_RE = re.compile("[<>&\u2028\u2029]")


def escape_json_for_html(obj: Any) -> str:
    """Serialise ``obj`` as JSON safe to place inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\\u003c``, ``\\u003e``, ``\\u0026``,
    ``\\u2028``, ``\\u2029``: the result is still the same JSON value (and a valid
    JavaScript expression) but can never close the script element, open an HTML
    comment or end a JavaScript line inside a string. Non-ASCII text stays readable.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return _JSON_HTML_RE.sub(lambda m: _JSON_HTML_ESCAPES[m.group(0)], text)


def chart_embed_html(spec: Mapping[str, Any] | str, *, element_id: str | None = None) -> str:
    """HTML fragment drawing one Vega-Lite ``spec`` with the page's inlined vega-embed.

    A ``div`` and a module script calling ``vegaEmbed`` with the escaped spec, no action
    menu and vega-embed's tooltip handler (``#vg-tooltip-element``). Module scripts run
    in document order after the bundle, which is itself a module script in the head.
    """
    if isinstance(spec, str):
        spec = json.loads(spec)
    element_id = element_id or f"coop-chart-{uuid.uuid4().hex}"
    target = escape_json_for_html("#" + element_id)
    return (
        f'<div class="coop-chart" id="{html.escape(element_id)}"></div>\n'
        '<script type="module">\n'
        f"window.vegaEmbed({target}, {escape_json_for_html(spec)}, "
        '{"actions": false, "tooltip": {"theme": "light"}, "renderer": "svg"})'
        ".catch(function (err) { var el = document.querySelector(" + target + ");"
        " if (el) { el.textContent = 'This chart could not be drawn: ' + err; } });\n"
        "</script>"
    )


def chart_mimebundle(spec: dict, **metadata: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Altair renderer: a mimebundle for JupyterLab and for the offline template.

    Returns ``(bundle, metadata)`` where the bundle holds the spec under
    ``application/vnd.vegalite.v5+json`` (JupyterLab 4's built-in renderer), the
    escaped embed fragment under :data:`CHART_MIME` (offline page) and ``text/plain``.
    """
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    plain = f"<Chart: {title}>" if title else "<Chart>"
    bundle = {
        JUPYTERLAB_VEGALITE_MIME: spec,
        CHART_MIME: chart_embed_html(spec),
        "text/plain": plain,
    }
    embed_options = {"actions": False, **(metadata.get("embed_options") or {})}
    return bundle, {JUPYTERLAB_VEGALITE_MIME: {"embed_options": embed_options}}


def enable_offline_renderer() -> None:
    """Register (once) and enable the ``"coopanalysis"`` altair renderer; returns nothing."""
    import altair as alt

    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, chart_mimebundle)
    alt.renderers.enable(RENDERER_NAME)
