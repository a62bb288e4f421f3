"""Offline, safe HTML pages from executed notebooks, and the altair renderer they rely on.

A rendered page works with no network: it loads nothing over http(s), inlines the
vega / vega-lite / vega-embed bundle shipped by ``vl-convert-python`` once, hides every
code cell's input and prompt, and embeds each chart spec through
:func:`escape_json_for_html`, so a data value such as ``</script>`` stays data.

Charts reach the page through the altair renderer registered here as ``"coopanalysis"``.
Its mimebundle carries:

* ``application/vnd.vegalite.v5+json`` -- the spec, which JupyterLab 4 draws with its
  built-in vega extension (JupyterLab 4.6 knows the Vega-Lite 3-5 mime types only, not
  altair 6's ``application/vnd.vegalite.v6.json``; a ``text/html`` entry would outrank
  it there, rank 50 against 57, and its script would find no ``vegaEmbed``);
* :data:`CHART_MIME` -- a ``div`` plus a ``vegaEmbed`` call on the escaped spec. The
  offline template prefers this entry over every other one, and draws it by embedding
  the spec stored beside it afresh (same function, escaped at render time), so HTML
  edited into a stored notebook never reaches the page;
* ``text/plain`` -- a one-line description.

Headline figures recorded by :func:`coopanalysis.display.headline` are data for the
batch runner: the template never draws them and :func:`read_headlines` extracts them.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import re
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coopanalysis.errors import DataFileError
from coopanalysis.paths import TEMPLATES_DIR

TEMPLATE_NAME = "offline"
CHART_MIME = "application/vnd.coopanalysis.chart+html"
HEADLINE_MIME = "application/vnd.coopanalysis.headline+json"
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


# --------------------------------------------------------------------------- charts


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
    """Register (once) and enable the ``"coopanalysis"`` altair renderer."""
    import altair as alt

    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, chart_mimebundle)
    alt.renderers.enable(RENDERER_NAME)


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """The vega + vega-lite + vega-embed bundle from vl-convert, exposing ``window.vegaEmbed``.

    vl-convert's default snippet assigns ``vegaEmbed``, ``vegaLite`` and ``vega`` to
    ``window``. The bundle is loaded as a module script (its many top-level names stay
    out of the global scope), so it must contain nothing that ends a script element.
    Building it takes seconds, so it is kept on disk (``~/.cache/coopanalysis`` or
    ``$XDG_CACHE_HOME/coopanalysis``), keyed by the vl-convert and Vega-Lite versions.
    """
    import vl_convert as vlc

    wanted = _altair_vegalite_minor()
    version = wanted if wanted in vlc.get_vegalite_versions() else None
    cache = _bundle_cache_path(getattr(vlc, "__version__", "unknown"), version or "default")
    bundle = _read_cached(cache)
    if bundle is None:
        bundle = vlc.javascript_bundle(vl_version=version)
        _write_cached(cache, bundle)
    lowered = bundle.lower()
    if "</script" in lowered or "<!--" in bundle:
        raise RuntimeError("the vl-convert bundle contains '</script' or '<!--' and cannot be inlined")
    return bundle


def _bundle_cache_path(vlc_version: str, vl_version: str) -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coopanalysis"
    return root / f"vega-bundle-vlc{vlc_version}-vl{vl_version}.js"


def _read_cached(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return text or None  # written whole by os.replace, so never half a file


def _write_cached(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a read-only home only costs time
        pass


def _altair_vegalite_minor() -> str | None:
    try:
        import altair as alt
    except ImportError:  # pragma: no cover - altair is a dependency
        return None
    parts = str(alt.SCHEMA_VERSION).lstrip("v").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


# ---------------------------------------------------------------------- sanitising

_ALLOWED_TAGS = frozenset(
    """a abbr b blockquote br caption code col colgroup dd del details div dl dt em figcaption
    figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub
    summary sup table tbody td tfoot th thead tr u ul""".split()
)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
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


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def short_error(output: Mapping[str, Any], *, limit: int = 400) -> str:
    """One readable line for an error output: ``ExceptionName: message`` (ANSI removed)."""
    name = _ANSI_RE.sub("", str(output.get("ename", "Error")))
    value = _ANSI_RE.sub("", str(output.get("evalue", ""))).strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"{name}: {value}" if value else name


def _vegalite_from_output(data: Mapping[str, Any]) -> str:
    """The embed fragment for the Vega-Lite spec in an output's data ('' when there is none)."""
    for mime in VEGALITE_MIMES:
        if mime in data:
            return chart_embed_html(data[mime])
    return ""


# -------------------------------------------------------------------------- footer


def footer_html(footer: Mapping[str, object] | None) -> str:
    """The run details (parameters, input hashes, versions, run time) as an escaped table."""
    if not footer:
        return ""
    return (
        '<footer class="coop-footer">\n<h2>About this report</h2>\n'
        + _mapping_table(footer)
        + "\n</footer>"
    )


def _mapping_table(mapping: Mapping[Any, object]) -> str:
    rows = []
    for key, value in mapping.items():
        rows.append(
            f'<tr><th scope="row">{html.escape(str(key))}</th><td>{_value_html(value)}</td></tr>'
        )
    return '<table class="coop-meta">\n' + "\n".join(rows) + "\n</table>"


def _value_html(value: object) -> str:
    if isinstance(value, Mapping):
        return _mapping_table(value) if value else "<em>none</em>"
    if isinstance(value, (list, tuple, set, frozenset)):
        return html.escape(", ".join(str(v) for v in value)) if value else "<em>none</em>"
    if value is None:
        return "<em>none</em>"
    return html.escape(str(value))


# ------------------------------------------------------------------------ notebooks


def _load_notebook(executed: str | Path | Any) -> Any:
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


def read_headlines(nb: str | Path | Any) -> dict[str, dict]:
    """Headline figures recorded by :func:`coopanalysis.display.headline` in an executed notebook.

    Takes a path or a notebook node; returns ``{name: {"name", "value", "label",
    "interval"}}`` in the order they were displayed (a name displayed twice keeps its
    last value).
    """
    node = _load_notebook(nb)
    found: dict[str, dict] = {}
    for cell in node.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            payload = output.get("data", {}).get(HEADLINE_MIME)
            if payload is None:
                continue
            if isinstance(payload, str):
                payload = json.loads(payload)
            payload = dict(payload)
            found.pop(payload["name"], None)
            found[payload["name"]] = payload
    return found


def _exporter() -> Any:
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
    exporter.register_filter("coop_vegalite", _vegalite_from_output)
    return exporter


def _first_heading(node: Any) -> str | None:
    """Text of the first level-1 Markdown heading of a notebook, if any."""
    for cell in node.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for line in str(cell.get("source", "")).splitlines():
            if line.startswith("# "):
                return line[2:].strip() or None
    return None


def render_html(
    executed: str | Path | Any,
    *,
    footer: Mapping[str, object] | None = None,
    title: str | None = None,
    request_ids: Any = None,
) -> str:
    """The offline HTML page of an executed notebook, as a string (see :func:`render_notebook`).
    Raises `coopanalysis.leaks.CaseLevelDataError` when an output holds case-level data
    (`request_ids`: an optional `leaks.IdLookup` over the log the report read)."""
    from coopanalysis.publish.leaks import check_shareable

    node = _load_notebook(executed)
    check_shareable(node, name=str(executed) if isinstance(executed, (str, Path)) else (title or "notebook"),
                    request_ids=request_ids)
    if title is None:
        title = node.get("metadata", {}).get("title") or _first_heading(node)
    if title is None and isinstance(executed, (str, Path)):
        title = Path(executed).stem
    resources = {
        "metadata": {"name": title or "Report"},
        "coop": {
            "title": title or "Report",
            "vega_bundle": vega_bundle(),
            "footer_html": footer_html(footer),
            "chart_mime": CHART_MIME,
            "headline_mime": HEADLINE_MIME,
            "vegalite_mimes": list(VEGALITE_MIMES),
        },
    }
    body, _ = _exporter().from_notebook_node(node, resources=resources)
    return body


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
    table at the end of the page. The page is written to a temporary file beside
    ``out`` and moved over it, so a failed render never damages an earlier page.
    Returns the path written. A missing or unreadable notebook raises ``DataFileError``; outputs
    holding case-level data (a ``request_id`` field, a free-text field of the log, or — given
    ``request_ids``, a ``leaks.IdLookup`` — a request id of the log) raise
    ``coopanalysis.leaks.CaseLevelDataError`` naming the notebook and the cell, and no page is written.
    """
    out = Path(out)
    page = render_html(executed, footer=footer, title=title, request_ids=request_ids)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(page)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, _page_mode(out))
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return out


def _page_mode(out: Path) -> int:
    """Permission bits for the new page: those of the page it replaces, else 0o644
    (mkstemp creates 0o600, which would hide the page from an intranet web server)."""
    try:
        return out.stat().st_mode & 0o777
    except OSError:
        return 0o644


# ---------------------------------------------------------------------- command line


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``coopanalysis render EXECUTED.ipynb --out FILE.html``."""
    parser = subparsers.add_parser(
        "render",
        help="render one executed notebook as an offline HTML page",
        description="Render an executed notebook as a self-contained HTML page that works with "
        "no network: code hidden, charts drawn by an inlined vega bundle, data escaped.",
    )
    parser.add_argument("notebook", metavar="EXECUTED.ipynb", help="an executed notebook")
    parser.add_argument("--out", required=True, metavar="FILE.html", help="the HTML file to write")
    parser.add_argument("--title", default=None, help="page title (default: the notebook's name)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    written = render_notebook(args.notebook, args.out, title=args.title)
    print(written)
    return 0
