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

import hashlib
import html
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from coopanalysis.core.i18n import _
from coopanalysis.present.table_data import slug, spec_title

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


def chart_embed_html(
    spec: Mapping[str, Any] | str, *, element_id: str | None = None, label: str | None = None,
    hooks: bool = False, tr: Callable[[str], str] | None = None,
) -> str:
    """HTML fragment drawing one Vega-Lite ``spec`` with the page's inlined vega-embed.

    A ``div`` and a module script calling ``vegaEmbed`` with the escaped spec, no action
    menu and vega-embed's tooltip handler (``#vg-tooltip-element``). Module scripts run
    in document order after the bundle, which is itself a module script in the head.
    The id is `element_id`, else one derived from the title and the spec (never random).
    `label`: the chart's accessible name (``role="img"``). `hooks`: the offline page's controls
    see the spec first (``window.coopSpec``: the state the address asks for) and the view after.
    """
    if isinstance(spec, str):
        spec = json.loads(spec)
    tr = tr or _
    if element_id is None:
        digest = hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:10]
        element_id = f"coop-chart-{slug(spec_title(spec), 'chart')}-{digest}"
    target = escape_json_for_html("#" + element_id)
    ident = escape_json_for_html(element_id)
    # vega-embed writes its own role and name on the chart's div: the name sits on a frame around it
    # and the frame is the chart's scroll box on a phone, so it is focusable (a keyboard scrolls it)
    frame = f'<div class="coop-viz" role="img" tabindex="0" aria-label="{html.escape(label)}">' if label else ""
    body = escape_json_for_html(spec)
    if hooks:
        body = f"(window.coopSpec || function (i, s) {{ return s; }})({ident}, {body})"
    after = f".then(function (r) {{ if (window.coopView) {{ window.coopView({ident}, r.view); }} }})" if hooks else ""
    failed = escape_json_for_html(tr("This chart could not be drawn:") + " ")
    return (
        f'{frame}<div class="coop-chart" id="{html.escape(element_id)}"></div>{"</div>" if frame else ""}\n'
        '<script type="module">\n'
        f"window.vegaEmbed({target}, {body}, "
        '{"actions": false, "tooltip": {"theme": "light"}, "renderer": "svg", "patch": ' + _UNNAMED_BRUSH + '})'
        f"{after}.catch(function (err) {{ var el = document.querySelector({target});"
        f" if (el) {{ el.textContent = {failed} + err; }} }});\n"
        "</script>"
    )


_UNNAMED_BRUSH = (
    "function (vg) { (function walk(ms) { (ms || []).forEach(function (m) {"
    " if (/_brush(_bg)?$/.test(m.name || '')) { m.aria = false; } walk(m.marks); }); })(vg.marks); return vg; }"
)
"""vega-embed `patch`: a brush's rectangles are not images a screen reader should name (axe's
svg-img-alt); the chart's own accessible name is on its frame."""


def chart_mimebundle(spec: dict, **metadata: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Altair renderer: a mimebundle for JupyterLab and for the offline template.

    Returns ``(bundle, metadata)`` where the bundle holds the spec under
    ``application/vnd.vegalite.v5+json`` (JupyterLab 4's built-in renderer), the
    escaped embed fragment under :data:`CHART_MIME` (offline page) and ``text/plain``.
    """
    title = spec_title(spec)
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


# --------------------------------------------------------------- the chart in words

_TIME_TYPES = ("temporal", "ordinal")


def _leaves(node: Any, inherited: Mapping[str, Any] | None = None) -> list[Mapping[str, Any]]:
    """The merged encoding of every drawn view of a spec tree (a layer inherits its parent's)."""
    if not isinstance(node, Mapping):
        return []
    enc = {**(inherited or {}), **(node.get("encoding") or {})}
    parts = [p for key in ("layer", "vconcat", "hconcat", "concat") for p in node.get(key) or []]
    if isinstance(node.get("spec"), Mapping):
        parts.append(node["spec"])
    if not parts:
        return [enc] if "mark" in node else []
    return [leaf for part in parts for leaf in _leaves(part, enc)]


def _field(enc: Mapping[str, Any], channel: str) -> Mapping[str, Any] | None:
    d = enc.get(channel)
    return d if isinstance(d, Mapping) and isinstance(d.get("field"), str) and not d.get("aggregate") else None


def _when(value: Any, monthly: bool) -> str:
    text = str(value)
    if re.fullmatch(r"\d{4}-\d\d-\d\d(T00:00:00(\.0+)?Z?)?", text):
        return text[:7] if monthly else text[:10]
    return text


def _amount(value: float, fmt: str) -> str:
    if "%" in fmt:
        return f"{value:.1%}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def chart_description(spec: Mapping[str, Any], tr: Callable[[str], str] | None = None) -> str:
    """What a chart shows, in words, for its accessible name: its title, the span of its time
    (or ordinal) axis, its largest value and, on a time axis, the largest at the latest time,
    e.g. "Requests per period by platform, 2020-01 to 2025-12. Largest: Telegram, 2024-03, 412.
    Latest: Telegram, 2025-12, 300." Hidden (null) values are left out. `tr`: the translator."""
    from coopanalysis.present.table_data import _rows_source

    tr = tr or _
    title = spec_title(spec) or tr("Chart")
    _source, rows = _rows_source(spec)
    for enc in _leaves(spec):
        x, y, colour = _field(enc, "x"), _field(enc, "y"), _field(enc, "color")
        if not (x and y):
            continue
        value, key = (y, x) if y.get("type") == "quantitative" else (x, y)
        if value.get("type") != "quantitative":
            continue
        vf, kf, cf = value["field"], key["field"], colour["field"] if colour else None
        points = [r for r in rows if isinstance(r, Mapping) and isinstance(r.get(vf), (int, float))
                  and not isinstance(r.get(vf), bool) and r.get(kf) is not None]
        if not points:
            continue
        axis = value.get("axis") if isinstance(value.get("axis"), Mapping) else {}
        fmt = str(value.get("format") or axis.get("format") or "")
        timed = key.get("type") in _TIME_TYPES
        keyed = key.get("type") != "quantitative"
        kf = f"{kf}_text" if all(f"{kf}_text" in r for r in points) else kf
        cf = f"{cf}_text" if cf and all(f"{cf}_text" in r for r in points) else cf
        monthly = timed and all(re.match(r"\d{4}-\d\d-01", str(r[kf])) for r in points)

        def what(r: Mapping[str, Any]) -> str:
            parts = ([str(r[cf])] if cf and r.get(cf) is not None else []) + ([_when(r[kf], monthly)] if keyed else [])
            return ", ".join(parts) or str(r[kf])

        top = max(points, key=lambda r: r[vf])
        text = title
        if timed:
            times = sorted(str(r[kf]) for r in rows if isinstance(r, Mapping) and r.get(kf) is not None)
            text = tr("{title}, {start} to {end}.").format(title=title, start=_when(times[0], monthly),
                                                           end=_when(times[-1], monthly))
        else:
            text = tr("{title}.").format(title=title)
        text += " " + tr("Largest: {what}, {value}.").format(what=what(top), value=_amount(top[vf], fmt))
        if timed:
            last = max(str(r[kf]) for r in points)
            latest = max((r for r in points if str(r[kf]) == last), key=lambda r: r[vf])
            text += " " + tr("Latest: {what}, {value}.").format(what=what(latest), value=_amount(latest[vf], fmt))
        return text
    return tr("{title}.").format(title=title)
