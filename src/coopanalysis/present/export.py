"""Static export of a chart to PNG or SVG through vl-convert, with Korean text drawn.

vl-convert draws text with the fonts it knows. Korean glyphs need a CJK font: the
first of `FONT_DIRECTORIES` that exists is registered once (Debian's fonts-noto-cjk
installs Noto Sans CJK in /usr/share/fonts/opentype/noto); set COOPANALYSIS_FONT_DIR
to use another directory. Nothing is fetched from the network.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import altair as alt
import vl_convert as vlc

from coopanalysis.core.files import PUBLIC_FILE, write_atomic
from coopanalysis.core.types import ChartFormat
from coopanalysis.errors import CoopAnalysisError

FONT_DIRECTORIES = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype",
    "/usr/share/fonts",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)

Format = ChartFormat


@functools.lru_cache(maxsize=1)
def register_fonts() -> str | None:
    """Register a font directory with vl-convert (once per process); returns it, or None when none exists."""
    wanted = os.environ.get("COOPANALYSIS_FONT_DIR")
    for directory in ((wanted,) if wanted else ()) + FONT_DIRECTORIES:
        if directory and Path(directory).is_dir():
            vlc.register_font_directory(str(directory))
            return str(directory)
    return None


def _spec(chart: alt.TopLevelMixin | dict, banner: str | None = None) -> dict:
    """The Vega-Lite spec of `chart` (an altair chart, or a spec dict given as is), with `banner`
    (say, the synthetic-data warning) as a bold first subtitle line under its title."""
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    return with_banner(spec, banner) if banner else spec


TOP_LEVEL_ONLY = ("$schema", "datasets", "config", "background", "padding", "autosize", "usermeta")
"""Properties a Vega-Lite spec takes at its top level only: they stay with the wrapper."""


def with_banner(spec: dict, banner: str) -> dict:
    """`spec` under `banner` (say, the synthetic-data warning): a one-chart vconcat whose own title
    is the banner, bold in the page's alert colour, above the chart with its title and subtitle
    untouched (drawn as a subtitle line before, the banner turned the chart's subtitle red too)."""
    inner = {key: value for key, value in spec.items() if key not in TOP_LEVEL_ONLY}
    outer = {key: spec[key] for key in TOP_LEVEL_ONLY if key in spec}
    outer["title"] = {"text": banner, "color": BANNER_COLOUR, "anchor": "start", "fontSize": 12,
                      "fontWeight": "bold"}
    outer["vconcat"] = [inner]
    return outer


BANNER_COLOUR = "#9a2a1b"
"""The alert colour of the offline page (report.css `--alert`)."""


def chart_to_svg(chart: alt.TopLevelMixin | dict, *, banner: str | None = None) -> str:
    """The chart as SVG text, text drawn as glyph paths (the file shows the same on any machine);
    `banner` (e.g. `present.page_facts.export_banner(report)`) goes under its title."""
    register_fonts()
    return vlc.vegalite_to_svg(_spec(chart, banner), vl_version=_vl_version())


def chart_to_png(chart: alt.TopLevelMixin | dict, *, scale: float = 2.0, banner: str | None = None) -> bytes:
    """The chart as PNG bytes (`scale` 2 gives a sharp image for print and slides); `banner` as in `chart_to_svg`."""
    register_fonts()
    return vlc.vegalite_to_png(_spec(chart, banner), vl_version=_vl_version(), scale=scale)


def save_chart(chart: alt.TopLevelMixin | dict, path: str | Path, *, fmt: Format | None = None,
               scale: float = 2.0, report: object = None, banner: str | None = None) -> Path:
    """Write the chart to `path` as PNG or SVG (from the suffix unless `fmt` is given); returns `path`.
    Given the `report` the chart shows, a chart of synthetic data carries the synthetic-data warning
    under its title (`banner` gives that line directly). Written through
    `coopanalysis.core.files.write_atomic` (readable by all, like a page), so a failure never
    leaves a broken file over a good one."""
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")  # type: ignore[assignment]
    if fmt not in ("png", "svg"):
        raise CoopAnalysisError(f"{path}: can export charts as .png or .svg only, not {path.suffix or 'no suffix'}")
    if banner is None and report is not None:
        from coopanalysis.present.page_facts import export_banner

        banner = export_banner(report)
    chart = _spec(chart, banner)
    content = chart_to_png(chart, scale=scale) if fmt == "png" else chart_to_svg(chart).encode("utf-8")
    return write_atomic(path, content, mode=PUBLIC_FILE)


def _vl_version() -> str | None:
    """The vl-convert name of altair's Vega-Lite version ("5_20"), or None to let vl-convert choose."""
    parts = str(alt.SCHEMA_VERSION).lstrip("v").split(".")
    wanted = "_".join(parts[:2])
    versions = vlc.get_vegalite_versions()
    for v in (wanted, ".".join(parts[:2])):
        if v in versions:
            return v
    return None
