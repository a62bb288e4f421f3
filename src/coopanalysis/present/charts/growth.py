"""Growth over the same span a year earlier, and the year-end projection of a partial year."""

from __future__ import annotations

import altair as alt
import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.names import code_labels
from coopanalysis.present.charts.base import (
    COUNT,
    GROWTH_DOMAIN,
    check_columns,
    colour_for,
    legend_focus,
    series_cues,
    present_columns,
    readable,
    shown_values,
    tip,
    title_of,
    title_params,
)


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
    check_columns(df, "chart_growth", "period_start", "period_end", "requests", "growth", "growth_note")
    by = by if by and by in df.columns else None
    extra = [tip("period_label", "N")] if "period_label" in df.columns else []
    common = [*([tip(by, "N")] if by else []), *extra, tip("period_start", "T"), tip("period_end", "T")]
    low, high = GROWTH_DOMAIN
    top = df.get_column("growth").max() if df.height else None
    clipped = top is not None and top > high
    base = alt.Chart(readable(df))
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
        focus = legend_focus(by)
        params.append(focus)
        enc["color"] = colour_for(df, by)
        enc["opacity"] = alt.condition(focus, alt.value(1.0), alt.value(0.15))
    tips = [*common, tip("requests", "Q", COUNT), *([tip("base", "Q", COUNT)] if "base" in df.columns else []),
            tip("growth", "Q", "+.1%")]
    dash, shape = series_cues(df, by) if by else (alt.Undefined, alt.Undefined)
    line = base.mark_line(invalid="break-paths-show-domains").encode(**enc, strokeDash=dash, tooltip=tips)
    points = base.mark_point(filled=True, size=50).encode(**enc, shape=shape, tooltip=tips).transform_filter(
        "isValid(datum.growth)" + (" && !datum.beyond" if clipped else "")
    )
    if params:
        line = line.add_params(*params)
    gaps = base.mark_rule(color="#999999", strokeDash=[4, 3]).encode(
        x=x, tooltip=[*common, tip("requests", "Q", COUNT), tip("growth_note", "N")]
    ).transform_filter("!isValid(datum.growth)")
    zero = alt.Chart(pl.DataFrame({"zero": [0.0]})).mark_rule(color="#888888").encode(
        y="zero:Q", tooltip=[alt.Tooltip("zero:Q", title=_("No change"), format="+.0%")]
    )
    layers = [zero, line, points, gaps]
    subtitle = "Dashed grey lines mark periods without a growth figure; hover them for the reason."
    if clipped:
        edge = base.mark_point(filled=True, size=90, shape="triangle-up").encode(**enc, tooltip=tips)
        layers.append(edge.transform_filter("datum.beyond"))
        subtitle = [subtitle, _("Scale cut at {edge}: growth beyond it is drawn at the top edge as a triangle; "
                                "hover it for the true figure.").format(edge=f"{high:+.0%}")]
    return alt.layer(*layers).properties(
        title=title_params(title or _("{measure} over the same span a year earlier").format(measure=title_of("growth")),
                           subtitle), height=260,
        width=560,
    )


def chart_projection(df: pl.DataFrame, *, title: str | None = None) -> alt.LayerChart:
    """Observed requests per year (bars; a partial year lighter) and the year-end projections
    for the partial year (points, one per method, with the interval as a rule).
    Input: a `reports.yearly.projection_frame` — year, kind ("observed"/"projected"), method, requests,
    low, high, period_start, period_end, basis."""
    check_columns(df, "chart_projection", "year", "kind", "method", "requests", "low", "high")
    data = df.with_columns(
        method_and_year=pl.when(pl.col("kind") == "projected")
        .then(pl.concat_str(pl.col("year").cast(pl.String), pl.lit(" "), code_labels("method", pl.col("method"))))
        .when(pl.col("method") == "observed so far")
        .then(pl.concat_str(pl.col("year").cast(pl.String), pl.lit(" " + _("so far"))))
        .otherwise(pl.col("year").cast(pl.String)),
        method_and_year_order=pl.col("year") * 10 + pl.col("kind").eq("projected").cast(pl.Int32)
        + pl.col("method").eq("seasonal share").cast(pl.Int32),
    )
    base = alt.Chart(readable(data))
    year = alt.X("method_and_year:O", title=title_of("year"), sort=alt.EncodingSortField("method_and_year_order", op="min"),
                 axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' ')", labelLineHeight=12))
    # level labels, a word a line ("2025" / "seasonal" / "share"): a slanted label ran off the
    # chart's edge on a small log and showed as "far" or "ate"
    methods = ["observed", "observed so far", "run rate", "seasonal share"]
    colours = ["#4477AA", "#A5C2E0", "#EE6677", "#228833"]
    colour = alt.Color("method:N", title=title_of("method"), scale=alt.Scale(domain=shown_values("method", methods), range=colours))
    obs_tips = [tip("year", "O"), tip("method", "N"), tip("requests", "Q", COUNT)]
    obs_tips += [tip(c, "T") for c in present_columns(df, "period_start", "period_end")]
    observed = base.transform_filter("datum.kind === 'observed'").mark_bar(width={"band": 0.7}).encode(
        x=year, y=alt.Y("requests:Q", title=title_of("requests")), color=colour, tooltip=obs_tips
    )
    proj_tips = [tip("year", "O"), tip("method", "N"),
                 alt.Tooltip("requests:Q", title=title_of("projected"), format=",.0f"),
                 tip("low", "Q", ",.0f"), tip("high", "Q", ",.0f"), *[tip(c, "N") for c in present_columns(df, "basis")]]
    projected = base.transform_filter("datum.kind === 'projected'")
    interval = projected.mark_rule(strokeWidth=4).encode(x=year, y="low:Q", y2="high:Q", color=colour,
                                                         tooltip=proj_tips)
    point = projected.mark_point(shape="diamond", size=300, filled=True, stroke="white", strokeWidth=1).encode(
        x=year, y="requests:Q", color=colour, tooltip=proj_tips
    )
    return alt.layer(observed, interval, point).properties(
        title=title_params(title or "Requests per year and the year-end projection",
                     "Diamonds: projected total for the partial year; lines: its 95% prediction interval."),
        height=280,
        width=alt.Step(56),
    )
