"""The one look of every chart: fonts, palettes, the altair theme, and each platform's colour."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import altair as alt

from coopanalysis.core.i18n import current_language
from coopanalysis.core.names import PLATFORM_COLOURS

THEME_NAME = "coopanalysis"

FONT = '"Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans", sans-serif'
"""Font stack: Korean-capable fonts first (Debian fonts-noto-cjk, macOS, Windows), then sans-serif."""

CATEGORY_PALETTE = (
    "#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB",
    "#994F00", "#332288", "#EE7733", "#882255", "#44AA99",
)
"""Paul Tol's colour-blind-safe 'bright' and 'muted' colours, for everything that is not a platform;
muted green (#117733) gave way to vibrant orange, as it was hard to tell from bright green (#228833)."""

_EXTRA_PLATFORM_COLOURS = ("#332288", "#44AA99", "#999933", "#6F4E37", "#EE7733")
"""Colours for platforms not in PLATFORM_COLOURS, picked by a hash of the name: none close to a fixed one."""

OUTCOME_COLOURS: dict[str, str] = {
    "open": "#BBBBBB",
    "suspect_identified": "#66CCEE",
    "arrested": "#4477AA",
    "referred_to_prosecution": "#228833",
    "closed_no_suspect": "#CCBB44",
    "suspended_untraceable": "#EE6677",
    "closed_other": "#AA3377",
    "unknown": "#DDDDDD",
}
"""One colour per case outcome (suspended because untraceable in red, arrested in dark blue)."""

MAX_ROWS = 50_000
"""Most rows a chart embeds: daily volumes of several years by platform fit; raw request rows never should."""


KO_LOCALE: dict = {
    "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", "원"]},
    "time": {
        "dateTime": "%Y/%m/%d %a %X", "date": "%Y/%m/%d", "time": "%H:%M:%S", "periods": ["오전", "오후"],
        "days": ["일요일", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일"],
        "shortDays": ["일", "월", "화", "수", "목", "금", "토"],
        "months": [f"{m}월" for m in range(1, 13)],
        "shortMonths": [f"{m}월" for m in range(1, 13)],
    },
}
"""The d3-format / d3-time-format ko-KR locale (as d3 publishes it), for axes of a Korean page."""

LOCALES: dict[str, dict] = {"ko": KO_LOCALE}
"""Vega-Lite `config.locale` per page language; English uses Vega's default (en-US)."""


def theme_config() -> dict:
    """The Vega-Lite config of the project's theme: readable fonts (Korean included), an
    accessible categorical palette, a light grid and a comfortable default size."""
    return {
        "config": {
            "font": FONT,
            "view": {"continuousWidth": 560, "continuousHeight": 280, "stroke": None},
            "title": {"font": FONT, "fontSize": 15, "fontWeight": 600, "anchor": "start", "color": "#222222",
                      "subtitleFontSize": 12, "subtitleColor": "#555555", "offset": 10},
            "axis": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 11, "titleFontSize": 12,
                     "titleFontWeight": 500, "labelColor": "#333333", "titleColor": "#333333", "labelLimit": 240,
                     "gridColor": "#E6E6E6", "domainColor": "#888888", "tickColor": "#888888"},
            "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 11, "titleFontSize": 12,
                       "symbolSize": 90, "orient": "right", "labelLimit": 200},
            "header": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12},
            "text": {"font": FONT, "fontSize": 11, "limit": 240},
            "range": {"category": list(CATEGORY_PALETTE)},
            "line": {"strokeWidth": 2},
            "point": {"size": 45, "filled": True},
            "bar": {"cornerRadiusEnd": 2},
            **({"locale": LOCALES[current_language()]} if current_language() in LOCALES else {}),
        }
    }


def enable_theme() -> str:
    """Register (once) and enable the project's altair theme; returns its name. Also lets altair embed
    up to MAX_ROWS aggregated rows inline (its own limit, 5,000, stops a daily chart of a few years)."""
    alt.data_transformers.enable("default", max_rows=MAX_ROWS)
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(lambda: alt.theme.ThemeConfig(**theme_config()))
    alt.theme.enable(THEME_NAME)
    return THEME_NAME


def platform_colour(name: str) -> str:
    """The colour of a platform: fixed for the known ones, and for any other name a colour
    chosen from its name (the same in every report)."""
    if name in PLATFORM_COLOURS:
        return PLATFORM_COLOURS[name]
    return _EXTRA_PLATFORM_COLOURS[zlib.crc32(name.encode("utf-8")) % len(_EXTRA_PLATFORM_COLOURS)]


DASHES: tuple[list[int], ...] = (
    [1, 0], [6, 3], [2, 2], [10, 3, 2, 3], [1, 4], [12, 4], [4, 2, 1, 2, 1, 2], [8, 2], [3, 6],
    [14, 3, 3, 3, 3, 3], [6, 2, 2, 2], [16, 6],
)
"""Line dashes told apart at a glance, the first solid, one for each platform of the registry: with
colour, a line's second cue (colour is never the only one: a reader who cannot tell the colours apart
matches the dash in the legend)."""

STAR = "M0,-1L0.24,-0.33L0.95,-0.31L0.38,0.12L0.59,0.81L0,0.4L-0.59,0.81L-0.38,0.12L-0.95,-0.31L-0.24,-0.33Z"
HEXAGON = "M0,-1L0.87,-0.5L0.87,0.5L0,1L-0.87,0.5L-0.87,-0.5Z"
PLUS = "M-0.3,-1H0.3V-0.3H1V0.3H0.3V1H-0.3V0.3H-1V-0.3H-0.3Z"
BAR = "M-1,-0.35H1V0.35H-1Z"
SHAPES: tuple[str, ...] = (
    "circle", "square", "diamond", "cross", "triangle-down", STAR, "triangle-right", "wedge", "triangle-left",
    HEXAGON, PLUS, BAR,
)
"""Point shapes in the same order as DASHES: a point's second cue after its colour. No upward
triangle: a growth chart draws a value beyond its scale as one at the top edge."""


def series_places(names: Sequence[str]) -> dict[str, int]:
    """Which dash and shape each of `names` gets, none shared within a chart of up to len(DASHES)
    series: a registered platform its place in the registry (the same in every report), any other
    name the free places in turn, in sorted order."""
    known = list(PLATFORM_COLOURS)
    places = {n: known.index(n) for n in names if n in PLATFORM_COLOURS}
    free = [i for i in range(len(DASHES)) if i not in places.values()] or list(range(len(DASHES)))
    others = sorted({n for n in names if n is not None and n not in places})
    return places | {n: free[i % len(free)] for i, n in enumerate(others)}


def platform_scale(names: Sequence[str]) -> alt.Scale:
    """A colour scale mapping each of `names` (canonical names) to its platform colour, the domain
    written as the page shows the names (`core.names.display_name`: "구글" on a Korean page)."""
    from coopanalysis.core.names import display_name

    domain = sorted({n for n in names if n is not None})
    return alt.Scale(domain=[display_name(n) for n in domain], range=[platform_colour(n) for n in domain])
