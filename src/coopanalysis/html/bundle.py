"""The vega + vega-lite + vega-embed bundle every offline page inlines once, and its disk cache.

The bundle comes from ``vl-convert-python``; building it takes seconds, so it is kept on disk
(``~/.cache/coopanalysis`` or ``$XDG_CACHE_HOME/coopanalysis``), keyed by the vl-convert and
Vega-Lite versions, and written through :func:`coopanalysis.core.files.write_atomic`.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from coopanalysis.core.files import write_atomic


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
    """The cache file for one vl-convert version and one Vega-Lite version."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coopanalysis"
    return root / f"vega-bundle-vlc{vlc_version}-vl{vl_version}.js"


def _read_cached(path: Path) -> str | None:
    """The cached bundle at `path`, or None when it is missing, unreadable or empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return text or None  # written whole by write_atomic, so never half a file


def _write_cached(path: Path, text: str) -> None:
    """Keep the bundle `text` at `path`; a cache that cannot be written only costs time."""
    try:
        write_atomic(path, text)
    except OSError:  # a read-only home only costs time
        pass


def _altair_vegalite_minor() -> str | None:
    """The ``MAJOR.MINOR`` Vega-Lite version altair's schema targets, e.g. ``"6.4"``."""
    try:
        import altair as alt
    except ImportError:  # pragma: no cover - altair is a dependency
        return None
    parts = str(alt.SCHEMA_VERSION).lstrip("v").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None
