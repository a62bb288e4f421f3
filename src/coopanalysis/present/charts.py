"""Altair chart builders for the reports, and the one theme they share.

Every ``chart_*`` function takes a small, aggregated, collected polars DataFrame (the
output of a transform, never raw request rows) and returns an altair chart whose data
travel inline with the spec, so it draws in JupyterLab and in the offline HTML alike.
Titles, axis titles and tooltip titles come from :func:`coopanalysis.schema.label`;
every mark carries a tooltip; a platform has the same colour in every report
(:data:`coopanalysis.platforms.PLATFORM_COLOURS`, see :func:`platform_color`).

An empty frame gives an empty chart, never an error, so a report on an empty selection
still runs from top to bottom.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import altair as alt
import polars as pl

from coopanalysis.transforms.outcomes import curve_by_day
from coopanalysis.core.names import PLATFORM_COLOURS
from coopanalysis.core.names import LABELS, label
from coopanalysis.core.schema import CASE_OUTCOMES

THEME_NAME = "coopanalysis"

FONT = '"Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans", sans-serif'
"""Font stack: Korean-capable fonts first (Debian fonts-noto-cjk, macOS, Windows), then sans-serif."""

CATEGORY_PALETTE = (
    "#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB",
    "#994F00", "#332288", "#117733", "#882255", "#44AA99",
)
"""Paul Tol's colour-blind-safe 'bright' and 'muted' colours, for everything that is not a platform."""

_EXTRA_PLATFORM_COLOURS = ("#332288", "#44AA99", "#999933", "#6F4E37", "#117733")
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

_EXTRA_LABELS = {
    "requests": "Requests",
    "share": "Share of requests",
    "cases": "Cases",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "base": "Same span a year earlier",
    "growth_note": "Why no growth",
    "period_label": "Period",
    "waiting": "Share still waiting",
    "days": "Days since request",
    "at_risk": "Still waiting (at risk)",
    "responded": "Responded that day",
    "censored": "Censored (no response yet)",
    "stage": "Stage",
    "share_of_requested": "Share of requests",
    "suspended_share": "Share suspended (suspect untraceable)",
    "suspended_ci_low": "95% CI low (suspended)",
    "suspended_ci_high": "95% CI high (suspended)",
    "projected": "Projected requests",
    "low": "Interval low",
    "high": "Interval high",
    "method": "Method",
    "basis": "Basis",
    "kind": "Figure",
    "year": "Year",
    "answered_share": "Answered share",
}


def title_of(column: str) -> str:
    """The human title of a column: the schema's label, or the chart module's own for derived columns."""
    return LABELS[column] if column in LABELS else _EXTRA_LABELS.get(column, label(column))


# ----------------------------------------------------------------------------- theme


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
        }
    }


MAX_ROWS = 50_000
"""Most rows a chart embeds: daily volumes of several years by platform fit; raw request rows never should."""


def enable_theme() -> str:
    """Register (once) and enable the project's altair theme; returns its name. Also lets altair embed
    up to MAX_ROWS aggregated rows inline (its own limit, 5,000, stops a daily chart of a few years)."""
    alt.data_transformers.enable("default", max_rows=MAX_ROWS)
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(lambda: alt.theme.ThemeConfig(**theme_config()))
    alt.theme.enable(THEME_NAME)
    return THEME_NAME


# ---------------------------------------------------------------------- shared parts


def platform_colour(name: str) -> str:
    """The colour of a platform: fixed for the known ones, and for any other name a colour
    chosen from its name (the same in every report)."""
    if name in PLATFORM_COLOURS:
        return PLATFORM_COLOURS[name]
    return _EXTRA_PLATFORM_COLOURS[zlib.crc32(name.encode("utf-8")) % len(_EXTRA_PLATFORM_COLOURS)]


def platform_scale(names: Sequence[str]) -> alt.Scale:
    """A colour scale mapping each of `names` to its platform colour."""
    domain = sorted({n for n in names if n is not None})
    return alt.Scale(domain=domain, range=[platform_colour(n) for n in domain])


def platform_color(df: pl.DataFrame, field: str = "platform", *, legend: bool = True) -> alt.Color:
    """Colour encoding of `field` with each platform's own colour (the platforms present in `df`)."""
    names = df.get_column(field).unique().to_list() if field in df.columns else []
    return alt.Color(
        f"{field}:N",
        title=title_of(field),
        scale=platform_scale(names),
        legend=alt.Legend(title=title_of(field)) if legend else None,
    )


LONG_LABEL_LIMIT = 300
"""Pixels a long category label (an agency's full name) may take in a legend or on an axis."""


def _colour_for(df: pl.DataFrame, field: str, *, legend: bool = True) -> alt.Color:
    if field in ("platform", "provider"):
        return platform_color(df, field, legend=legend)
    # agencies have long names ("KNPA National Office of Investigation Cyber Bureau"): show them whole
    shown = alt.Legend(title=title_of(field), labelLimit=LONG_LABEL_LIMIT) if legend else None
    return alt.Color(f"{field}:N", title=title_of(field), legend=shown)


CODE_FIELDS = ("crime_type", "case_outcome", "channel", "response")
"""Fields whose values are snake_case codes ("suspended_untraceable"): axes and legends show them
with spaces ("suspended untraceable"); the data keep the codes."""
_READABLE_LABEL = "replace(datum.label, /_/g, ' ')"


def _code_axis(field: str) -> alt.Axis | alt.UndefinedType:
    return alt.Axis(labelExpr=_READABLE_LABEL) if field in CODE_FIELDS else alt.Undefined


def _readable(df: pl.DataFrame) -> pl.DataFrame:
    """`df` with a `<field>_text` column beside each code field it has ("suspended untraceable"
    beside "suspended_untraceable"), which tooltips show; a tooltip cannot reformat text itself."""
    codes = [f for f in CODE_FIELDS if f in df.columns]
    return df.with_columns(pl.col(f).str.replace_all("_", " ").alias(f"{f}_text") for f in codes) if codes else df


def _tip(field: str, kind: str, fmt: str | None = None) -> alt.Tooltip:
    kwargs = {"format": fmt} if fmt else {}
    if kind == "T":
        kwargs = {"format": fmt or "%Y-%m-%d"}
    shown = f"{field}_text" if field in CODE_FIELDS and kind == "N" else field  # see _readable
    return alt.Tooltip(f"{shown}:{kind}", title=title_of(field), **kwargs)


def _present(df: pl.DataFrame, *columns: str) -> list[str]:
    return [c for c in columns if c in df.columns]


def _check_columns(df: pl.DataFrame, builder: str, *columns: str) -> None:
    if not isinstance(df, pl.DataFrame):
        raise TypeError(f"{builder} takes a collected polars DataFrame of aggregated rows, not {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{builder}: columns {', '.join(missing)} missing (got {', '.join(df.columns)})")
    if "request_id" in df.columns:
        raise ValueError(f"{builder} draws aggregated rows only; this frame holds request ids (raw rows)")
    if df.height > MAX_ROWS:
        raise ValueError(f"{builder}: {df.height:,} rows are too many to draw (at most {MAX_ROWS:,}); "
                         "aggregate further, e.g. choose a longer period")


def _focus(field: str, name: str = "focus") -> alt.Parameter:
    """Click a legend entry (shift-click for more) to focus on those values; double-click clears."""
    return alt.selection_point(fields=[field], bind="legend", name=name)


def _title(text: str, subtitle: str | list[str] | None = None) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=subtitle) if subtitle else alt.TitleParams(text=text)


PERCENT = ".1%"
COUNT = ",d"
GROWTH_DOMAIN = (-1.0, 2.0)
"""Growth charts show −100% to +200%; a larger growth is drawn at the top edge (tooltip: the true value)."""


# ----------------------------------------------------------------------------- volumes


def chart_volumes(df: pl.DataFrame, *, by: str = "platform", title: str | None = None) -> alt.VConcatChart:
    """Requests per period (lines, one per `by` value) above totals per `by` value over the
    brushed time range (bars). Drag on the upper chart to brush a range; click a legend entry
    to focus. Input: a `count_requests` frame — period_start, period_end, `by`, requests."""
    _check_columns(df, "chart_volumes", "period_start", "period_end", "requests", by)
    brush = alt.selection_interval(encodings=["x"], name="brush")
    focus = _focus(by)
    colour = _colour_for(df, by)
    tips = [_tip(by, "N"), _tip("period_start", "T"), _tip("period_end", "T"), _tip("requests", "Q", COUNT)]
    base = alt.Chart(_readable(df))
    # Lines and points as two layers, the selections on the lines only: JupyterLab 4's Vega-Lite
    # (5.6) copies the selections of a line with a point overlay into the points as well and then
    # refuses the chart ("Duplicate signal name: brush_x").
    lines = alt.layer(
        alt.Chart().mark_line().encode(tooltip=tips).add_params(brush, focus),
        alt.Chart().mark_point(size=28, filled=True).encode(tooltip=tips),
        data=_readable(df),
    ).encode(
        x=alt.X("period_start:T", title=title_of("period_start")),
        y=alt.Y("requests:Q", title=title_of("requests")),
        color=colour,
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.15)),
        tooltip=tips,
    ).properties(
        title=_title(title or f"{title_of('requests')} per period by {title_of(by).lower()}",
                     "Drag across the chart to choose a time range; click a legend entry to focus."),
        height=260,
    )
    totals = base.mark_bar().encode(
        y=alt.Y(f"{by}:N", title=title_of(by), sort="-x"),
        x=alt.X("sum(requests):Q", title=f"{title_of('requests')} in the chosen range",
                axis=alt.Axis(labelSeparation=8)),  # "20,000" and "22,000" never run together
        color=_colour_for(df, by, legend=False),
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.25)),
        tooltip=[_tip(by, "N"), alt.Tooltip("sum(requests):Q", title=f"{title_of('requests')} in the chosen range",
                                            format=COUNT)],
    ).transform_filter(brush).properties(
        title=_title(f"Total {title_of('requests').lower()} by {title_of(by).lower()}, chosen range"),
        height=alt.Step(18),
    )
    return alt.vconcat(lines, totals, spacing=24).resolve_scale(color="shared")


def chart_top_agencies(df: pl.DataFrame, *, column: str = "agency", title: str | None = None) -> alt.Chart:
    """Horizontal bars of the requesters (or any `column`) with most requests.
    Input: a `top_values` frame — column, requests, share."""
    _check_columns(df, "chart_top_agencies", column, "requests", "share")
    return alt.Chart(_readable(df)).mark_bar(color=CATEGORY_PALETTE[0]).encode(
        # maxExtent: vega caps the room for labels at 200 px by default and then draws the axis
        # title over longer labels
        y=alt.Y(f"{column}:N", title=title_of(column), sort="-x",
                axis=alt.Axis(labelLimit=LONG_LABEL_LIMIT, maxExtent=LONG_LABEL_LIMIT + 20)),
        x=alt.X("requests:Q", title=title_of("requests")),
        tooltip=[_tip(column, "N"), _tip("requests", "Q", COUNT), _tip("share", "Q", PERCENT)],
    ).properties(title=_title(title or f"{_plural(column)} with the most requests"), height=alt.Step(20))


_PLURALS = {"agency": "Agencies", "platform": "Platforms", "crime_type": "Crime types", "country": "Countries"}


def _plural(column: str) -> str:
    """The plural title of a category column ("agency" → "Agencies")."""
    return _PLURALS.get(column, f"{title_of(column)} values")


# ------------------------------------------------------------------------------ growth


def _period_label_axis(df: pl.DataFrame, *, width: int) -> alt.Axis:
    """Level labels when they fit side by side ("2025 (1 Jan–30 Jun)"), slanted when there are
    many (quarters over years: "2020-Q1", "2020-Q2", ...), so they never print over each other."""
    labels = df.get_column("period_label").drop_nulls().unique()
    fits = float((labels.str.len_chars() * 6.5 + 10).sum()) <= width  # about 6.5 px a character at 11 px
    return alt.Axis(labelAngle=0) if fits else alt.Axis(labelAngle=-40, labelAlign="right", labelBaseline="middle")


def chart_growth(df: pl.DataFrame, *, by: str | None = "platform", title: str | None = None) -> alt.LayerChart:
    """Growth over time (one line per `by` value, or one line when `by` is None or absent).
    A null growth is a gap in the line, marked by a dashed grey rule whose tooltip gives the
    reason (`growth_note`). Input: a growth frame — period_start, period_end, requests, base,
    growth, growth_note (and `by`)."""
    _check_columns(df, "chart_growth", "period_start", "period_end", "requests", "growth", "growth_note")
    by = by if by and by in df.columns else None
    extra = [_tip("period_label", "N")] if "period_label" in df.columns else []
    common = [*([_tip(by, "N")] if by else []), *extra, _tip("period_start", "T"), _tip("period_end", "T")]
    low, high = GROWTH_DOMAIN
    top = df.get_column("growth").max() if df.height else None
    clipped = top is not None and top > high
    base = alt.Chart(_readable(df))
    if clipped:  # one platform's +2,900% would flatten every other line: draw it at the edge
        base = base.transform_calculate(
            growth_shown=f"isValid(datum.growth) ? clamp(datum.growth, {low}, {high}) : null",
            beyond=f"isValid(datum.growth) && datum.growth > {high}",
        )
    x = (alt.X("period_label:O", title=title_of("period_label"), sort=alt.EncodingSortField("period_start", op="min"),
               axis=_period_label_axis(df, width=560))
         if "period_label" in df.columns else alt.X("period_start:T", title=title_of("period_start")))
    y_field = "growth_shown" if clipped else "growth"
    enc: dict = {"x": x, "y": alt.Y(f"{y_field}:Q", title=title_of("growth"), axis=alt.Axis(format="%"),
                                    **({"scale": alt.Scale(domain=[low, high])} if clipped else {}))}
    layers = []
    params = []
    if by:
        focus = _focus(by)
        params.append(focus)
        enc["color"] = _colour_for(df, by)
        enc["opacity"] = alt.condition(focus, alt.value(1.0), alt.value(0.15))
    tips = [*common, _tip("requests", "Q", COUNT), *([_tip("base", "Q", COUNT)] if "base" in df.columns else []),
            _tip("growth", "Q", "+.1%")]
    line = base.mark_line(invalid="break-paths-show-domains").encode(**enc, tooltip=tips)
    points = base.mark_point(filled=True, size=50).encode(**enc, tooltip=tips).transform_filter(
        "isValid(datum.growth)" + (" && !datum.beyond" if clipped else "")
    )
    if params:
        line = line.add_params(*params)
    gaps = base.mark_rule(color="#999999", strokeDash=[4, 3]).encode(
        x=x, tooltip=[*common, _tip("requests", "Q", COUNT), _tip("growth_note", "N")]
    ).transform_filter("!isValid(datum.growth)")
    zero = alt.Chart(pl.DataFrame({"zero": [0.0]})).mark_rule(color="#888888").encode(
        y="zero:Q", tooltip=[alt.Tooltip("zero:Q", title="No change", format="+.0%")]
    )
    layers = [zero, line, points, gaps]
    subtitle = "Dashed grey lines mark periods without a growth figure; hover them for the reason."
    if clipped:
        edge = base.mark_point(filled=True, size=90, shape="triangle-up").encode(**enc, tooltip=tips)
        layers.append(edge.transform_filter("datum.beyond"))
        subtitle = [subtitle, f"Scale cut at {high:+.0%}: growth beyond it is drawn at the top edge as a triangle; "
                              "hover it for the true figure."]
    return alt.layer(*layers).properties(
        title=_title(title or f"{title_of('growth')} over the same span a year earlier", subtitle), height=260,
        width=560,
    )


def chart_projection(df: pl.DataFrame, *, title: str | None = None) -> alt.LayerChart:
    """Observed requests per year (bars; a partial year lighter) and the year-end projections
    for the partial year (points, one per method, with the interval as a rule).
    Input: a `tables.projection_frame` — year, kind ("observed"/"projected"), method, requests,
    low, high, period_start, period_end, basis."""
    _check_columns(df, "chart_projection", "year", "kind", "method", "requests", "low", "high")
    data = df.with_columns(
        column=pl.when(pl.col("kind") == "projected")
        .then(pl.concat_str(pl.col("year").cast(pl.String), pl.lit(" "), pl.col("method")))
        .when(pl.col("method") == "observed so far")
        .then(pl.concat_str(pl.col("year").cast(pl.String), pl.lit(" so far")))
        .otherwise(pl.col("year").cast(pl.String)),
        column_order=pl.col("year") * 10 + pl.col("kind").eq("projected").cast(pl.Int32)
        + pl.col("method").eq("seasonal share").cast(pl.Int32),
    )
    base = alt.Chart(_readable(data))
    year = alt.X("column:O", title=title_of("year"), sort=alt.EncodingSortField("column_order", op="min"),
                 axis=alt.Axis(labelAngle=-30))
    methods = ["observed", "observed so far", "run rate", "seasonal share"]
    colours = ["#4477AA", "#A5C2E0", "#EE6677", "#228833"]
    colour = alt.Color("method:N", title=title_of("method"), scale=alt.Scale(domain=methods, range=colours))
    obs_tips = [_tip("year", "O"), _tip("method", "N"), _tip("requests", "Q", COUNT)]
    obs_tips += [_tip(c, "T") for c in _present(df, "period_start", "period_end")]
    observed = base.transform_filter("datum.kind === 'observed'").mark_bar(width={"band": 0.7}).encode(
        x=year, y=alt.Y("requests:Q", title=title_of("requests")), color=colour, tooltip=obs_tips
    )
    proj_tips = [_tip("year", "O"), _tip("method", "N"),
                 alt.Tooltip("requests:Q", title=title_of("projected"), format=",.0f"),
                 _tip("low", "Q", ",.0f"), _tip("high", "Q", ",.0f"), *[_tip(c, "N") for c in _present(df, "basis")]]
    projected = base.transform_filter("datum.kind === 'projected'")
    interval = projected.mark_rule(strokeWidth=2.5).encode(x=year, y="low:Q", y2="high:Q", color=colour,
                                                         tooltip=proj_tips)
    point = projected.mark_point(shape="diamond", size=120, filled=True).encode(
        x=year, y="requests:Q", color=colour, tooltip=proj_tips
    )
    return alt.layer(observed, interval, point).properties(
        title=_title(title or "Requests per year and the year-end projection",
                     "Diamonds: projected total for the partial year; lines: its interval."),
        height=280,
        width=alt.Step(56),
    )


# ---------------------------------------------------------------------------- outcomes


SMALL_MULTIPLES_FROM = 5
"""From this many platforms on, answered share over time is drawn as one small panel per platform."""


def chart_answered_share(
    df: pl.DataFrame, *, by: str = "platform", title: str | None = None
) -> alt.LayerChart | alt.FacetChart:
    """Answered share per period (points) with its 95% Wilson interval (rules), one colour per
    `by` value; click a legend entry to focus. With `SMALL_MULTIPLES_FROM` or more values of
    `by`, one small panel per value (shared axes) instead of all of them over each other.
    Input: an `answered_share` frame by `by` and period_start — period_start, `by`, requests,
    answered, answered_share, ci_low, ci_high."""
    _check_columns(df, "chart_answered_share", "period_start", by, "requests", "answered", "answered_share",
                   "ci_low", "ci_high")
    values = df.get_column(by).n_unique()
    facets = values >= SMALL_MULTIPLES_FROM
    colour = _colour_for(df, by, legend=not facets)
    tips = [_tip(by, "N"), _tip("period_start", "T"), *[_tip(c, "T") for c in _present(df, "period_end")],
            _tip("answered", "Q", COUNT), _tip("requests", "Q", COUNT), _tip("answered_share", "Q", PERCENT),
            _tip("ci_low", "Q", PERCENT), _tip("ci_high", "Q", PERCENT)]
    subtitle = "Points: share of requests the platform answered with data; lines: 95% Wilson interval."
    heading = title or f"{title_of('answered_share')} by {title_of(by).lower()} over time"
    y = alt.Y("ci_low:Q", title=title_of("answered_share"), scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%", **({"tickCount": 3} if facets else {})))
    if facets:
        base = alt.Chart(_readable(df)).encode(
            x=alt.X("period_start:T", title=title_of("period_start"), axis=alt.Axis(tickCount=4)),
            color=colour, tooltip=tips,
        )
        bars = base.mark_rule(strokeWidth=1.5).encode(y=y, y2="ci_high:Q")
        points = base.mark_point(filled=True, size=30).encode(y="answered_share:Q")
        columns = 3
        return alt.layer(bars, points).properties(width=170, height=110).facet(
            facet=alt.Facet(f"{by}:N", title=None, header=alt.Header(labelFontWeight="bold", labelFontSize=12)),
            columns=columns,
            title=_title(heading, [subtitle, "One panel per platform, same axes."]),
        )
    focus = _focus(by)
    base = alt.Chart(_readable(df)).encode(
        x=alt.X("period_start:T", title=title_of("period_start")),
        color=colour,
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.1)),
        tooltip=tips,
    )
    bars = base.mark_rule(strokeWidth=1.5).encode(y=y, y2="ci_high:Q")
    points = base.mark_point(filled=True, size=45).encode(y="answered_share:Q").add_params(focus)
    return alt.layer(bars, points).properties(title=_title(heading, subtitle), height=280)


def chart_share_by(df: pl.DataFrame, *, by: str = "crime_type", title: str | None = None) -> alt.LayerChart:
    """Answered share per category (points with 95% Wilson interval), sorted by share.
    Input: an `answered_share` frame by `by` — `by`, requests, answered, answered_share, ci_low, ci_high."""
    _check_columns(df, "chart_share_by", by, "requests", "answered", "answered_share", "ci_low", "ci_high")
    tips = [_tip(by, "N"), _tip("answered", "Q", COUNT), _tip("requests", "Q", COUNT),
            _tip("answered_share", "Q", PERCENT), _tip("ci_low", "Q", PERCENT), _tip("ci_high", "Q", PERCENT)]
    y = alt.Y(f"{by}:N", title=title_of(by), sort=alt.EncodingSortField("answered_share", order="descending"),
              axis=_code_axis(by))
    base = alt.Chart(_readable(df)).encode(y=y, tooltip=tips)
    colour = _colour_for(df, by) if by in ("platform", "provider") else alt.value(CATEGORY_PALETTE[0])
    rules = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=title_of("answered_share"), scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        x2="ci_high:Q", color=colour,
    )
    points = base.mark_point(filled=True, size=60).encode(x="answered_share:Q", color=colour)
    return alt.layer(rules, points).properties(
        title=_title(title or f"{title_of('answered_share')} by {title_of(by).lower()}", "With 95% Wilson interval."),
        height=alt.Step(22),
    )


def chart_time_to_response(
    km: pl.DataFrame, *, by: str = "platform", max_days: int | None = 365, title: str | None = None
) -> alt.LayerChart:
    """Kaplan–Meier curves: share of requests still waiting for a response after so many days,
    one step curve per `by` value with its 95% band. Input: a `time_to_response` frame —
    `by`, days, at_risk, responded, censored, waiting, ci_low, ci_high."""
    _check_columns(km, "chart_time_to_response", by, "days", "at_risk", "responded", "censored", "waiting",
                   "ci_low", "ci_high")
    if max_days:  # one row per day up to the axis' end: the page weighs the same for any number of requests
        km = curve_by_day(km.lazy(), by=[by], max_days=max_days).collect().with_columns(
            pl.col("waiting", "ci_low", "ci_high").round(5)  # 0.001 percentage points: beyond any tooltip
        )
    focus = _focus(by)
    colour = _colour_for(km, by)
    tips = [_tip(by, "N"), _tip("days", "Q", COUNT), _tip("waiting", "Q", PERCENT), _tip("ci_low", "Q", PERCENT),
            _tip("ci_high", "Q", PERCENT), _tip("at_risk", "Q", COUNT), _tip("responded", "Q", COUNT),
            _tip("censored", "Q", COUNT)]
    x = alt.X("days:Q", title=title_of("days"),
              scale=alt.Scale(domain=[0, max_days]) if max_days else alt.Undefined)
    base = alt.Chart(_readable(km)).encode(x=x, color=colour, tooltip=tips)
    band = base.mark_area(interpolate="step-after", clip=True).encode(
        y=alt.Y("ci_low:Q", title=title_of("waiting"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y2="ci_high:Q",
        opacity=alt.condition(focus, alt.value(0.15), alt.value(0.0)),
    )
    line = base.mark_line(interpolate="step-after", clip=True).encode(
        y="waiting:Q", opacity=alt.condition(focus, alt.value(1.0), alt.value(0.12))
    ).add_params(focus)
    points = base.mark_point(size=30, filled=True, clip=True).encode(y="waiting:Q", opacity=alt.value(0))
    return alt.layer(line, band, points).properties(
        title=_title(title or "Time to response (Kaplan–Meier)",
                     "Share of requests still waiting after so many days; unanswered requests are censored, "
                     "not dropped. Band: 95% interval."),
        height=280,
    )


def chart_outcome_mix(df: pl.DataFrame, *, by: str = "platform", title: str | None = None) -> alt.Chart:
    """Case outcomes as shares of each `by` value's cases (stacked horizontal bars).
    Input: an `outcome_mix` frame by `by` — `by`, case_outcome, cases, share."""
    _check_columns(df, "chart_outcome_mix", by, "case_outcome", "cases", "share")
    present = df.get_column("case_outcome").unique().to_list()
    domain = [o for o in (*CASE_OUTCOMES, "unknown") if o in present] + sorted(
        o for o in present if o not in OUTCOME_COLOURS and o is not None)
    colours = [OUTCOME_COLOURS.get(o, "#777777") for o in domain]
    order = {o: i for i, o in enumerate(domain)}
    focus = alt.selection_point(fields=["case_outcome"], bind="legend", name="focus")
    data = df.with_columns(outcome_order=pl.col("case_outcome").replace_strict(order, default=99, return_dtype=pl.Int32))
    return alt.Chart(_readable(data)).mark_bar().encode(
        y=alt.Y(f"{by}:N", title=title_of(by), axis=_code_axis(by)),
        x=alt.X("share:Q", title="Share of cases", stack="zero", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("case_outcome:N", title=title_of("case_outcome"), scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(labelExpr=_READABLE_LABEL)),
        order=alt.Order("outcome_order:Q"),
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.2)),
        tooltip=[_tip(by, "N"), _tip("case_outcome", "N"), _tip("cases", "Q", COUNT),
                 alt.Tooltip("share:Q", title="Share of cases", format=PERCENT)],
    ).add_params(focus).properties(
        title=_title(title or f"How the cases ended, by {title_of(by).lower()}"), height=alt.Step(22)
    )


def chart_funnel(df: pl.DataFrame, *, by: str | None = None, title: str | None = None) -> alt.LayerChart:
    """The funnel requested → answered → suspect identified → arrested: cases at each stage
    (bars, labelled with the share of requests). Input: a `funnel` frame — stage, stage_order,
    cases, share_of_requested (and `by`, drawn as grouped bars)."""
    _check_columns(df, "chart_funnel", "stage", "stage_order", "cases", "share_of_requested")
    by = by if by and by in df.columns else None
    from coopanalysis.transforms.outcomes import FUNNEL_STAGES

    x = alt.X("stage:N", title=title_of("stage"), sort=list(FUNNEL_STAGES), axis=alt.Axis(labelAngle=0))
    tips = [*([_tip(by, "N")] if by else []), _tip("stage", "N"), _tip("cases", "Q", COUNT),
            _tip("share_of_requested", "Q", PERCENT)]
    base = alt.Chart(_readable(df)).encode(x=x, tooltip=tips)
    enc = {"y": alt.Y("cases:Q", title=title_of("cases"))}
    if by:
        enc |= {"xOffset": alt.XOffset(f"{by}:N"), "color": _colour_for(df, by)}
        bars = base.mark_bar().encode(**enc)
        return alt.layer(bars).properties(title=_title(title or "From request to arrest"), height=260,
                                          width=alt.Step(110))
    bars = base.mark_bar(color=CATEGORY_PALETTE[0], width={"band": 0.7}).encode(**enc)
    text = base.mark_text(dy=-7, color="#222222").encode(y="cases:Q", text=alt.Text("share_of_requested:Q", format=PERCENT))
    return alt.layer(bars, text).properties(
        title=_title(title or "From request to arrest", "Labels: share of all requests reaching the stage."),
        height=260,
        width=alt.Step(110),
    )


SCATTER_WIDTH = 480
SCATTER_HEIGHT = 300


def label_sides(
    df: pl.DataFrame, *, by: str, x: str, y: str, width: int = SCATTER_WIDTH, height: int = SCATTER_HEIGHT,
    x_max: float = 1.0, y_max: float | None = None, char_px: float = 6.5, line_px: float = 14.0,
) -> list[str | None]:
    """Where to put each point's label so that no two labels overprint: "right", "left" or
    None (no label; the tooltip names the point). Points with most `requests` (or in row
    order) are placed first, each on the right when that room is free and inside the
    plot, else on the left, else not at all. Label boxes are estimated at `char_px` a
    character and `line_px` a line on a `width` × `height` plot of 0…`x_max`, 0…`y_max`."""
    if df.is_empty():
        return []
    y_top = y_max if y_max else max(float(v) for v in df.get_column(y).drop_nulls().to_list() or [1.0]) or 1.0
    order = (df.with_row_index("_i").sort("requests", descending=True, nulls_last=True)
             if "requests" in df.columns else df.with_row_index("_i"))
    placed: list[tuple[float, float, float, float]] = []
    sides: list[str | None] = [None] * df.height
    for row in order.iter_rows(named=True):
        if row[x] is None or row[y] is None or row[by] is None:
            continue
        px = float(row[x]) / x_max * width
        py = height - float(row[y]) / y_top * height
        text_w = len(str(row[by])) * char_px
        top, bottom = py - 6 - line_px / 2 - 2, py - 6 + line_px / 2 + 2
        for side, left in (("right", px + 9), ("left", px - 9 - text_w)):
            box = (left, top, left + text_w, bottom)
            inside = box[0] >= -40 and box[2] <= width + 40
            free = all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed)
            if inside and free:
                placed.append(box)
                sides[row["_i"]] = side
                break
    return sides


def chart_untraceable(df: pl.DataFrame, *, by: str = "platform", title: str | None = None) -> alt.LayerChart:
    """Share of cases suspended because the suspect could not be traced (y, with 95% interval)
    against the platform's answered share (x), one point per `by` value sized by requests.
    A point is labelled with its name only where the label does not run into another
    (`label_sides`); the tooltip names every point. Input: an `untraceable_against_answered` frame."""
    _check_columns(df, "chart_untraceable", by, "requests", "answered_share", "suspended_share",
                   "suspended_ci_low", "suspended_ci_high")
    y_max = max([v for v in df.get_column("suspended_ci_high").to_list() if v is not None] or [1.0])
    y_max = min(1.0, math.ceil(y_max * 10) / 10) if y_max > 0 else 1.0  # the axis reaches a round tenth
    sides = label_sides(df, by=by, x="answered_share", y="suspended_share", y_max=y_max)
    df = df.with_columns(label_side=pl.Series(sides, dtype=pl.String))
    colour = _colour_for(df, by)
    tips = [_tip(by, "N"), _tip("requests", "Q", COUNT), _tip("answered_share", "Q", PERCENT),
            _tip("suspended_share", "Q", PERCENT), _tip("suspended_ci_low", "Q", PERCENT),
            _tip("suspended_ci_high", "Q", PERCENT)]
    x = alt.X("answered_share:Q", title=title_of("answered_share"), scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))
    base = alt.Chart(_readable(df)).encode(x=x, color=colour, tooltip=tips)
    rules = base.mark_rule(strokeWidth=1.5).encode(
        y=alt.Y("suspended_ci_low:Q", title=title_of("suspended_share"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, y_max])),
        y2="suspended_ci_high:Q",
    )
    points = base.mark_circle(opacity=0.85).encode(
        y="suspended_share:Q", size=alt.Size("requests:Q", title=title_of("requests"), scale=alt.Scale(range=[40, 600]))
    )
    right = base.mark_text(align="left", dx=9, dy=-6).encode(
        y="suspended_share:Q", text=f"{by}:N", color=alt.value("#333333")
    ).transform_filter("datum.label_side === 'right'")
    left = base.mark_text(align="right", dx=-9, dy=-6).encode(
        y="suspended_share:Q", text=f"{by}:N", color=alt.value("#333333")
    ).transform_filter("datum.label_side === 'left'")
    return alt.layer(rules, points, right, left).properties(
        title=_title(title or "Cases suspended because the suspect could not be traced",
                     ["Against the share of requests the platform answered; lines: 95% Wilson interval.",
                      "Names where there is room; hover a point for the rest."]),
        height=SCATTER_HEIGHT, width=SCATTER_WIDTH,
    )
