"""The dashboard's charts: the volume chart the researcher brushes a time range on, the platform chart
a platform is clicked on, and the Kaplan–Meier curve of the selection."""

from __future__ import annotations

import altair as alt
import polars as pl

from coopanalysis.core.names import label
from coopanalysis.explore.tables import Tables
from coopanalysis.present.charts.theme import platform_scale
from coopanalysis.transforms.outcomes import curve_by_day
from coopanalysis.transforms.volumes import count_requests

BRUSH = "brush"
"""The interval selection on the volume chart's time axis (its value: epoch milliseconds, UTC)."""
PICK = "platform"
"""The point selection of platforms: a click on a platform's bar (shift-click for more)."""
CHART_PERIOD = "week"
"""The volume chart's bars: weekly counts (a few hundred per platform, whatever the log's size)."""


def volume_frame(tables: Tables) -> pl.DataFrame:
    """period_start (ISO text, read by vega as a UTC day), period_end, platform, requests: weekly counts
    of the whole log from its day × platform table (`transforms.volumes.count_requests`, zero-filled)."""
    counted = count_requests(tables.days.lazy(), period=CHART_PERIOD, by=["platform"], weight="requests").collect()
    return counted.with_columns(pl.col("period_start", "period_end").dt.strftime("%Y-%m-%d"))


def volume_chart(tables: Tables) -> alt.Chart:
    """Stacked weekly requests by platform; drag across it to select a time range."""
    df = volume_frame(tables)
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("period_start:T", title=label("requested_on"), scale=alt.Scale(type="utc"),
                axis=alt.Axis(format="%b %Y", formatType="utc")),
        y=alt.Y("requests:Q", title=f"{label('requests')} per week", stack=True),
        color=alt.Color("platform:N", title=label("platform"), scale=platform_scale(tables.platforms)),
        tooltip=[alt.Tooltip("period_start:T", title="Week of", format="%d %b %Y", formatType="utc"),
                 alt.Tooltip("platform:N", title=label("platform")), alt.Tooltip("requests:Q", format=",")],
    ).add_params(brush).properties(width=760, height=200, title="Requests per week: drag to select a time range")


def platform_chart(tables: Tables) -> alt.Chart:
    """Requests by platform in the whole log; click a platform's bar to select it (shift-click for more,
    a click beside the bars for all). A view of its own, so that brushing the volume chart and picking
    a platform never undo each other."""
    df = tables.days.group_by("platform").agg(pl.col("requests").sum()).sort("requests", descending=True)
    pick = alt.selection_point(name=PICK, fields=["platform"])
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("platform:N", title=label("platform"), sort="-x"),
        x=alt.X("requests:Q", title=label("requests")),
        color=alt.Color("platform:N", scale=platform_scale(tables.platforms), legend=None),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.3)),
        tooltip=[alt.Tooltip("platform:N", title=label("platform")), alt.Tooltip("requests:Q", format=",")],
    ).add_params(pick).properties(width=220, height=200, title="Click a platform")


def curve_chart(curve: pl.DataFrame) -> alt.Chart:
    """The selection's Kaplan–Meier curve (share still waiting after so many days), one row per day up
    to a year (`transforms.outcomes.curve_by_day`)."""
    df = curve.select("days", "waiting", "ci_low", "ci_high")
    if df.height:
        df = curve_by_day(df.lazy(), max_days=365).collect()
    base = alt.Chart(df).encode(x=alt.X("days:Q", title=label("days"), scale=alt.Scale(domain=[0, 365])))
    band = base.mark_area(interpolate="step-after", opacity=0.2).encode(
        y=alt.Y("ci_low:Q", title="Still waiting", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        y2="ci_high:Q")
    line = base.mark_line(interpolate="step-after").encode(y="waiting:Q")
    return alt.layer(band, line).properties(width=320, height=180, title="Time to response (Kaplan–Meier)")
