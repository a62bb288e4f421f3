"""Request volumes: requests per period with a brushable total, and the busiest requesters."""

from __future__ import annotations

import altair as alt
import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.names import plural_label
from coopanalysis.present.charts.base import (
    COUNT,
    LONG_LABEL_LIMIT,
    PERCENT,
    check_columns,
    colour_for,
    legend_focus,
    readable,
    series_cues,
    shown_values,
    tip,
    title_of,
    title_params,
)
from coopanalysis.present.charts.theme import CATEGORY_PALETTE


def chart_volumes(df: pl.DataFrame, *, by: str = "platform", title: str | None = None) -> alt.VConcatChart:
    """Requests per period (lines, one per `by` value) above totals per `by` value over the
    brushed time range (bars). Drag on the upper chart to brush a range; click a legend entry
    to focus. Input: a `count_requests` frame — period_start, period_end, `by`, requests."""
    check_columns(df, "chart_volumes", "period_start", "period_end", "requests", by)
    brush = alt.selection_interval(encodings=["x"], name="brush")
    focus = legend_focus(by)
    colour = colour_for(df, by)
    tips = [tip(by, "N"), tip("period_start", "T"), tip("period_end", "T"), tip("requests", "Q", COUNT)]
    base = alt.Chart(readable(df))
    # Lines and points as two layers, the selections on the lines only: JupyterLab 4's Vega-Lite
    # (5.6) copies the selections of a line with a point overlay into the points as well and then
    # refuses the chart ("Duplicate signal name: brush_x").
    dash, shape = series_cues(df, by)
    lines = alt.layer(
        alt.Chart().mark_line().encode(strokeDash=dash, tooltip=tips).add_params(brush, focus),
        alt.Chart().mark_point(size=36, filled=True).encode(shape=shape, tooltip=tips),
        data=readable(df),
    ).encode(
        x=alt.X("period_start:T", title=title_of("period_start")),
        y=alt.Y("requests:Q", title=title_of("requests")),
        color=colour,
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.15)),
        tooltip=tips,
    ).properties(
        title=title_params(title or _("{measure} per period by {field}").format(measure=title_of("requests"),
                                                                                field=title_of(by).lower()),
                     "Drag across the chart to choose a time range; click a legend entry to focus."),
        height=260,
    )
    in_range = _("{measure} in the chosen range").format(measure=title_of("requests"))
    totals = base.mark_bar().encode(
        y=alt.Y(f"{by}:N", title=title_of(by), sort="-x"),
        x=alt.X("sum(requests):Q", title=in_range,
                axis=alt.Axis(labelSeparation=8)),  # "20,000" and "22,000" never run together
        color=colour_for(df, by, legend=False),
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.25)),
        tooltip=[tip(by, "N"), alt.Tooltip("sum(requests):Q", title=in_range,
                                            format=COUNT)],
    ).transform_filter(brush).properties(
        title=title_params(_("Total {measure} by {field}, chosen range").format(measure=title_of("requests").lower(),
                                                                                field=title_of(by).lower())),
        height=alt.Step(18),
    )
    return alt.vconcat(lines, totals, spacing=24).resolve_scale(color="shared", strokeDash="shared", shape="shared")


def chart_top_agencies(df: pl.DataFrame, *, column: str = "agency", title: str | None = None) -> alt.Chart:
    """Horizontal bars of the requesters (or any `column`) with most requests.
    Input: a `top_values` frame — column, requests, share."""
    check_columns(df, "chart_top_agencies", column, "requests", "share")
    return alt.Chart(readable(df)).mark_bar(color=CATEGORY_PALETTE[0]).encode(
        # maxExtent: vega caps the room for labels at 200 px by default and then draws the axis
        # title over longer labels
        y=alt.Y(f"{column}:N", title=title_of(column), sort="-x",
                axis=alt.Axis(labelLimit=LONG_LABEL_LIMIT, maxExtent=LONG_LABEL_LIMIT + 20)),
        x=alt.X("requests:Q", title=title_of("requests")),
        tooltip=[tip(column, "N"), tip("requests", "Q", COUNT), tip("share", "Q", PERCENT)],
    ).properties(title=title_params(title or _("{things} with the most requests").format(things=plural_label(column))), height=alt.Step(20))


def chart_volumes_each(df: pl.DataFrame, *, by: str = "platform", columns: int = 3,
                       title: str | None = None) -> alt.FacetChart:
    """The same requests per period, one small panel per `by` value on a scale of its own (largest
    total first), so a platform with tens of requests is not squashed under one with thousands.
    Input: a `count_requests` frame — period_start, period_end, `by`, requests."""
    check_columns(df, "chart_volumes_each", "period_start", "period_end", "requests", by)
    order = (df.group_by(by).agg(pl.col("requests").sum()).sort("requests", descending=True, nulls_last=True)
             .get_column(by).to_list())
    tips = [tip(by, "N"), tip("period_start", "T"), tip("period_end", "T"), tip("requests", "Q", COUNT)]
    panel = alt.Chart(readable(df)).mark_line(point=alt.OverlayMarkDef(size=14, filled=True)).encode(
        # every other year and three values up the side: a small panel's labels stay apart
        x=alt.X("period_start:T", title=None,
                axis=alt.Axis(format="%Y", labelOverlap=True, tickCount={"interval": "year", "step": 2})),
        y=alt.Y("requests:Q", title=None, axis=alt.Axis(format="~s", tickCount=3, labelOverlap=True)),
        color=colour_for(df, by, legend=False),
        tooltip=tips,
    ).properties(width=220, height=110)
    return panel.facet(
        facet=alt.Facet(f"{by}:N", sort=shown_values(by, order), title=None, header=alt.Header(labelFontWeight="bold", labelFontSize=12)),
        columns=columns,
        title=title_params(title or _("{measure} per period, each {field} on its own scale").format(
                               measure=title_of("requests"), field=title_of(by).lower()),
                           "Each panel has its own vertical scale: compare shapes, not heights."),
    ).resolve_scale(y="independent")
