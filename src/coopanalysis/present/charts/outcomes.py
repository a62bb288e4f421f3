"""Outcomes: answered share (over time and by category), case outcomes, the funnel from request to
arrest, and untraceable suspects against answered share (time to response: :mod:`.survival`)."""

from __future__ import annotations

import math

import altair as alt
import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.schema import CASE_OUTCOMES
from coopanalysis.present.charts.base import (
    COUNT,
    PERCENT,
    readable_label,
    check_columns,
    code_axis,
    colour_for,
    legend_focus,
    present_columns,
    readable,
    series_cues,
    shown_values,
    tip,
    title_of,
    title_params,
)
from coopanalysis.present.charts.placement import (
    POINT_SIZE,
    SCATTER_HEIGHT,
    SCATTER_WIDTH,
    label_places,
)
from coopanalysis.present.charts.theme import CATEGORY_PALETTE, OUTCOME_COLOURS
from coopanalysis.transforms.outcomes import FUNNEL_STAGES

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
    check_columns(df, "chart_answered_share", "period_start", by, "requests", "answered", "answered_share",
                   "ci_low", "ci_high")
    values = df.get_column(by).n_unique()
    facets = values >= SMALL_MULTIPLES_FROM
    colour = colour_for(df, by, legend=not facets)
    tips = [tip(by, "N"), tip("period_start", "T"), *[tip(c, "T") for c in present_columns(df, "period_end")],
            tip("answered", "Q", COUNT), tip("requests", "Q", COUNT), tip("answered_share", "Q", PERCENT),
            tip("ci_low", "Q", PERCENT), tip("ci_high", "Q", PERCENT)]
    subtitle = "Points: share of requests the platform answered with data; lines: 95% Wilson interval."
    heading = title or _("{measure} by {field} over time").format(measure=title_of("answered_share"), field=title_of(by).lower())
    y = alt.Y("ci_low:Q", title=title_of("answered_share"), scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%", **({"tickCount": 3} if facets else {})))
    if facets:
        base = alt.Chart(readable(df)).encode(
            x=alt.X("period_start:T", title=title_of("period_start"), axis=alt.Axis(tickCount=4)),
            color=colour, tooltip=tips,
        )
        bars = base.mark_rule(strokeWidth=1.5).encode(y=y, y2="ci_high:Q")
        points = base.mark_point(filled=True, size=30).encode(y="answered_share:Q")
        columns = 3
        return alt.layer(bars, points).properties(width=170, height=110).facet(
            facet=alt.Facet(f"{by}:N", title=None, header=alt.Header(labelFontWeight="bold", labelFontSize=12)),
            columns=columns,
            title=title_params(heading, [subtitle, "One panel per platform, same axes."]),
        )
    focus = legend_focus(by)
    base = alt.Chart(readable(df)).encode(
        x=alt.X("period_start:T", title=title_of("period_start")),
        color=colour,
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.1)),
        tooltip=tips,
    )
    bars = base.mark_rule(strokeWidth=1.5).encode(y=y, y2="ci_high:Q")
    points = base.mark_point(filled=True, size=45).encode(y="answered_share:Q", shape=series_cues(df, by)[1]).add_params(focus)
    return alt.layer(bars, points).properties(title=title_params(heading, subtitle), height=280)


def share_domain(df: pl.DataFrame, *, step: float = 0.05) -> list[float]:
    """The answered-share axis of a dot plot: from the lowest interval bound to the highest, each
    rounded out to `step` and kept within 0-100% (the axis never reads 105%)."""
    lows = [v for v in df.get_column("ci_low").to_list() if v is not None]
    highs = [v for v in df.get_column("ci_high").to_list() if v is not None]
    if not lows or not highs:
        return [0.0, 1.0]
    low = max(0.0, math.floor(min(lows) / step) * step)
    high = min(1.0, math.ceil(max(highs) / step) * step)
    return [round(low, 4), round(high, 4) if high > low else round(low + step, 4)]


def chart_share_by(df: pl.DataFrame, *, by: str = "crime_type", title: str | None = None) -> alt.LayerChart:
    """Answered share per category (points with 95% Wilson interval), sorted by share.
    Input: an `answered_share` frame by `by` — `by`, requests, answered, answered_share, ci_low, ci_high."""
    check_columns(df, "chart_share_by", by, "requests", "answered", "answered_share", "ci_low", "ci_high")
    tips = [tip(by, "N"), tip("answered", "Q", COUNT), tip("requests", "Q", COUNT),
            tip("answered_share", "Q", PERCENT), tip("ci_low", "Q", PERCENT), tip("ci_high", "Q", PERCENT)]
    y = alt.Y(f"{by}:N", title=title_of(by), sort=alt.EncodingSortField("answered_share", order="descending"),
              axis=code_axis(by))
    base = alt.Chart(readable(df)).encode(y=y, tooltip=tips)
    colour = colour_for(df, by) if by in ("platform", "provider") else alt.value(CATEGORY_PALETTE[0])
    # the axis spans the intervals, not 0-100%: an 82-87% spread must be visible (points, not bars)
    rules = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=title_of("answered_share"), scale=alt.Scale(domain=share_domain(df), nice=False),
                axis=alt.Axis(format="%", tickCount=6, labelOverlap=True)),
        x2="ci_high:Q", color=colour,
    )
    points = base.mark_point(filled=True, size=60).encode(x="answered_share:Q", color=colour)
    return alt.layer(rules, points).properties(
        title=title_params(title or _("{measure} by {field}").format(measure=title_of("answered_share"),
                                                                   field=title_of(by).lower()),
                           "With 95% Wilson interval. The axis does not start at 0%."),
        height=alt.Step(22),
    )


def chart_outcome_mix(df: pl.DataFrame, *, by: str = "platform", title: str | None = None) -> alt.Chart:
    """Case outcomes as shares of each `by` value's cases (stacked horizontal bars).
    Input: an `outcome_mix` frame by `by` — `by`, case_outcome, cases, share."""
    check_columns(df, "chart_outcome_mix", by, "case_outcome", "cases", "share")
    present = df.get_column("case_outcome").unique().to_list()
    domain = [o for o in (*CASE_OUTCOMES, "unknown") if o in present] + sorted(
        o for o in present if o not in OUTCOME_COLOURS and o is not None)
    colours = [OUTCOME_COLOURS.get(o, "#777777") for o in domain]
    order = {o: i for i, o in enumerate(domain)}
    focus = alt.selection_point(fields=["case_outcome"], bind="legend", name="focus")
    data = df.with_columns(case_outcome_order=pl.col("case_outcome").replace_strict(order, default=99, return_dtype=pl.Int32))
    return alt.Chart(readable(data)).mark_bar().encode(
        y=alt.Y(f"{by}:N", title=title_of(by), axis=code_axis(by)),
        x=alt.X("share:Q", title=_("Share of cases"), stack="zero", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("case_outcome:N", title=title_of("case_outcome"), scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(labelExpr=readable_label("case_outcome"))),
        order=alt.Order("case_outcome_order:Q"),
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.2)),
        tooltip=[tip(by, "N"), tip("case_outcome", "N"), tip("cases", "Q", COUNT),
                 alt.Tooltip("share:Q", title=_("Share of cases"), format=PERCENT)],
    ).add_params(focus).properties(
        title=title_params(title or _("How the cases ended, by {field}").format(field=title_of(by).lower())), height=alt.Step(22)
    )


def chart_funnel(df: pl.DataFrame, *, by: str | None = None, title: str | None = None) -> alt.LayerChart:
    """The funnel requested → answered → suspect identified → arrested: cases at each stage
    (bars, labelled with the share of requests). Input: a `funnel` frame — stage, stage_order,
    cases, share_of_requested (and `by`, drawn as grouped bars)."""
    check_columns(df, "chart_funnel", "stage", "stage_order", "cases", "share_of_requested")
    by = by if by and by in df.columns else None
    x = alt.X("stage:N", title=title_of("stage"), sort=shown_values("stage", list(FUNNEL_STAGES)), axis=alt.Axis(labelAngle=0))
    tips = [*([tip(by, "N")] if by else []), tip("stage", "N"), tip("cases", "Q", COUNT),
            tip("share_of_requested", "Q", PERCENT)]
    base = alt.Chart(readable(df)).encode(x=x, tooltip=tips)
    enc = {"y": alt.Y("cases:Q", title=title_of("cases"))}
    if by:
        enc |= {"xOffset": alt.XOffset(f"{by}:N"), "color": colour_for(df, by)}
        bars = base.mark_bar().encode(**enc)
        return alt.layer(bars).properties(title=title_params(title or "From request to arrest"), height=260,
                                          width=alt.Step(110))
    bars = base.mark_bar(color=CATEGORY_PALETTE[0], width={"band": 0.7}).encode(**enc)
    text = base.mark_text(dy=-7, color="#222222").encode(y="cases:Q", text=alt.Text("share_of_requested:Q", format=PERCENT))
    return alt.layer(bars, text).properties(
        title=title_params(title or "From request to arrest", "Labels: share of all requests reaching the stage."),
        height=260,
        width=alt.Step(110),
    )


def chart_untraceable(df: pl.DataFrame, *, by: str = "platform", title: str | None = None) -> alt.LayerChart:
    """Share of cases suspended because the suspect could not be traced (y, with 95% interval)
    against the platform's answered share (x), one point per `by` value sized by requests.
    A point is labelled with its name only where the label does not run into another
    (`label_places`); the tooltip names every point. Input: an `untraceable_against_answered` frame."""
    check_columns(df, "chart_untraceable", by, "requests", "answered_share", "suspended_share",
                   "suspended_ci_low", "suspended_ci_high")
    y_max = max([v for v in df.get_column("suspended_ci_high").to_list() if v is not None] or [1.0])
    y_max = min(1.0, math.ceil(y_max * 10) / 10) if y_max > 0 else 1.0  # the axis reaches a round tenth
    # the answered shares sit close together (67-92% on the bundled log): the x axis starts at the
    # round tenth below the lowest, so the points spread out and their names find room
    x_low = min([v for v in df.get_column("answered_share").to_list() if v is not None] or [0.0])
    x_min = math.floor(x_low * 10) / 10 if x_low >= 0.3 else 0.0
    places = label_places(df, by=by, x="answered_share", y="suspended_share", x_min=x_min, y_max=y_max)
    df = df.with_columns(
        label_side=pl.Series([p.side if p else None for p in places], dtype=pl.String),
        label_x=pl.Series([p.x if p else None for p in places], dtype=pl.Float64),
        label_y=pl.Series([p.y if p else None for p in places], dtype=pl.Float64),
    )
    colour = colour_for(df, by)
    tips = [tip(by, "N"), tip("requests", "Q", COUNT), tip("answered_share", "Q", PERCENT),
            tip("suspended_share", "Q", PERCENT), tip("suspended_ci_low", "Q", PERCENT),
            tip("suspended_ci_high", "Q", PERCENT)]
    x = alt.X("answered_share:Q", title=title_of("answered_share"), scale=alt.Scale(domain=[x_min, 1]),
              axis=alt.Axis(format="%"))
    base = alt.Chart(readable(df)).encode(x=x, color=colour, tooltip=tips)
    rules = base.mark_rule(strokeWidth=1.5).encode(
        y=alt.Y("suspended_ci_low:Q", title=title_of("suspended_share"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, y_max])),
        y2="suspended_ci_high:Q",
    )
    points = base.mark_circle(opacity=0.85).encode(
        y="suspended_share:Q", size=alt.Size("requests:Q", title=title_of("requests"),
                                             scale=alt.Scale(range=list(POINT_SIZE), domainMin=0))
    )
    labels = [  # each label at the place `label_places` found for it, in data coordinates
        base.mark_text(align=align, baseline="middle").encode(
            x="label_x:Q", y="label_y:Q", text=f"{by}:N", color=alt.value("#333333")
        ).transform_filter(f"datum.label_side === '{side}'")
        for side, align in (("right", "left"), ("left", "right"), ("above", "center"), ("below", "center"))
    ]
    first = [_("Against the share of requests the platform answered; lines: 95% Wilson interval.")
             + (_(" The answered-share axis starts at {start}.").format(start=f"{x_min:.0%}") if x_min > 0 else "")]
    return alt.layer(rules, points, *labels).properties(
        title=title_params(title or "Cases suspended because the suspect could not be traced",
                     [*first, "Names where there is room; hover a point for the rest."]),
        height=SCATTER_HEIGHT, width=SCATTER_WIDTH,
    )
