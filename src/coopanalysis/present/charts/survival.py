"""Survival curves of the replies: time to response (Kaplan–Meier) and replies by kind over time
(Aalen–Johansen cumulative incidence), step curves with their 95% band."""

from __future__ import annotations

import altair as alt
import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.present.charts.base import (
    COUNT,
    PERCENT,
    check_columns,
    colour_for,
    legend_focus,
    readable,
    readable_label,
    series_cues,
    tip,
    title_of,
    title_params,
)
from coopanalysis.present.charts.theme import CATEGORY_PALETTE, DASHES
from coopanalysis.transforms.outcomes import curve_by_day


def chart_time_to_response(
    km: pl.DataFrame, *, by: str = "platform", max_days: int | None = 365, title: str | None = None
) -> alt.LayerChart:
    """Kaplan–Meier curves: share of requests still waiting for a response after so many days,
    one step curve per `by` value with its 95% band. Input: a `time_to_response` frame —
    `by`, days, waiting, ci_low, ci_high and the counts at_risk, responded, censored. Counts that a
    shared curve has removed (all null, see `coopanalysis.publish.curves`) are left out of the chart
    data and its tooltips."""
    check_columns(km, "chart_time_to_response", by, "days", "waiting", "ci_low", "ci_high")
    counts = [c for c in ("at_risk", "responded", "censored") if c in km.columns and km[c].null_count() < km.height]
    km = km.drop([c for c in ("at_risk", "responded", "censored") if c in km.columns and c not in counts])
    if max_days:  # one row per day up to the axis' end: the page weighs the same for any number of requests
        km = curve_by_day(km.lazy(), by=[by], max_days=max_days).collect().with_columns(
            pl.col("waiting", "ci_low", "ci_high").round(5)  # 0.001 percentage points: beyond any tooltip
        )
    focus = legend_focus(by)
    colour = colour_for(km, by, lines=True)  # lines alone: the legend shows each one's dash
    tips = [tip(by, "N"), tip("days", "Q", COUNT), tip("waiting", "Q", PERCENT), tip("ci_low", "Q", PERCENT),
            tip("ci_high", "Q", PERCENT), *[tip(c, "Q", COUNT) for c in counts]]
    x = alt.X("days:Q", title=title_of("days"),
              scale=alt.Scale(domain=[0, max_days]) if max_days else alt.Undefined)
    dash, _shape = series_cues(km, by, lines=True)
    base = alt.Chart(readable(km)).encode(x=x, color=colour, strokeDash=dash, tooltip=tips)
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
        title=title_params(title or "Time to response (Kaplan–Meier)",
                     "Share of requests still waiting after so many days; unanswered requests are censored, "
                     "not dropped. Band: 95% interval."),
        height=280,
    )


def chart_cumulative_incidence(
    incidence: pl.DataFrame, *, by: str | None = "platform", max_days: int | None = 365, title: str | None = None
) -> alt.LayerChart | alt.FacetChart:
    """Aalen–Johansen cumulative incidence of each kind of reply (data; refusal or no data): the share
    of requests with a reply of that kind after so many days, step curves with their 95% band, one
    panel per `by` value (one chart when `by` is None). Input: a `cumulative_incidence` frame — `by`,
    reply, days, incidence, ci_low, ci_high (and replied, left out: a shared curve has none)."""
    check_columns(incidence, "chart_cumulative_incidence", "reply", "days", "incidence", "ci_low", "ci_high",
                  *([by] if by else []))
    keep = [*([by] if by else []), "reply", "days", "incidence", "ci_low", "ci_high"]
    df = incidence.select(keep).with_columns(pl.col("incidence", "ci_low", "ci_high").round(5))
    if max_days:
        df = df.filter(pl.col("days") <= max_days)
    kinds = ["data", "no data"]
    legend = alt.Legend(labelExpr=readable_label("reply"), symbolOpacity=1, symbolType="stroke",
                        symbolStrokeWidth=3)  # the band is pale: the symbol is the line
    colour = alt.Color("reply:N", title=_("Kind of reply"), scale=alt.Scale(domain=kinds, range=list(CATEGORY_PALETTE[:2])),
                       legend=legend)
    dash = alt.StrokeDash("reply:N", title=_("Kind of reply"), scale=alt.Scale(domain=kinds, range=[DASHES[0], DASHES[1]]),
                          legend=legend)
    tips = [*([tip(by, "N")] if by else []), tip("reply", "N"), tip("days", "Q", COUNT),
            alt.Tooltip("incidence:Q", title=_("Share with this kind of reply"), format=PERCENT),
            tip("ci_low", "Q", PERCENT), tip("ci_high", "Q", PERCENT)]
    x = alt.X("days:Q", title=title_of("days"), scale=alt.Scale(domain=[0, max_days]) if max_days else alt.Undefined)
    base = alt.Chart(readable(df)).encode(x=x, color=colour, strokeDash=dash)
    band = base.mark_area(interpolate="step-after", clip=True, opacity=0.15).encode(
        y=alt.Y("ci_low:Q", title=_("Share of requests"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y2="ci_high:Q",
    )
    line = base.mark_line(interpolate="step-after", clip=True).encode(y="incidence:Q")
    # one invisible point per step carries the tooltip, so the tooltip is the hovered day's
    points = base.mark_point(size=30, filled=True, clip=True).encode(y="incidence:Q", opacity=alt.value(0),
                                                                      tooltip=tips)
    heading = title or "Replies by kind over time (cumulative incidence)"
    subtitle = ["Share of requests with data, and with a refusal or no-data reply, after so many days (Aalen–Johansen);",
                "requests without a reply are censored. Band: 95% interval."]
    if not by:
        return alt.layer(band, line, points).properties(title=title_params(heading, subtitle), height=260)
    return alt.layer(band, line, points).properties(width=220, height=140).facet(
        facet=alt.Facet(f"{by}:N", title=None, header=alt.Header(labelFontWeight="bold", labelFontSize=12)),
        columns=3, title=title_params(heading, subtitle),
    )
