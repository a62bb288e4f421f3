"""Altair charts of the `transparency` report.

Each builder takes a small collected frame of `coopanalysis.reports.transparency` (made by
`coopanalysis.transforms.transparency` or `.reconcile`) and returns a chart with its data inline.
Titles and tooltips come from the one label registry (`coopanalysis.core.names.label`); providers
carry the names and colours they have in every report; an empty frame gives an empty chart.
"""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.names import display_name
from coopanalysis.present.charts.base import (
    check_columns,
    platform_color,
    readable,
    readable_label,
    series_cues,
    tip,
    title_of,
    title_params,
)
from coopanalysis.present.charts.theme import CATEGORY_PALETTE, platform_colour
from coopanalysis.present.transparency_text import period_short

COUNT = ",d"
PERCENT = ".0%"


def chart_requests_over_time(df: pl.DataFrame, *, country: str) -> alt.VConcatChart:
    """Requests per published period (top) and the share answered (bottom), one line per
    provider; a banded figure ("<10", "0–249") is drawn as a vertical range.
    Input: `requests_over_time` — provider, period_start, period_end, requests,
    requests_low, requests_high, answered_share."""
    check_columns(df, "chart_requests_over_time", "provider", "period_start", "period_end", "requests",
                  "requests_low", "requests_high", "answered_share")
    drawn = pl.col("requests").is_not_null() | pl.col("requests_high").is_not_null() | pl.col("answered_share").is_not_null()
    left_out = sorted(set(df.get_column("provider").to_list()) - set(df.filter(drawn).get_column("provider").to_list()))
    df = df.filter(drawn)  # a provider with nothing to draw gets no legend entry
    focus = alt.selection_point(fields=["provider"], bind="legend", name="focus")
    colour = platform_color(df, "provider")
    base = alt.Chart(readable(df)).encode(
        x=alt.X("period_start:T", title=title_of("period_start")),
        color=colour,
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.15)),
    )
    tips = [tip("provider", "N"), tip("period_start", "T"), tip("period_end", "T"),
            tip("requests", "Q", COUNT), tip("requests_low", "Q", COUNT), tip("requests_high", "Q", COUNT),
            tip("answered_share", "Q", PERCENT)]
    counted = base.transform_filter("isValid(datum.requests)")
    # Lines and points as separate layers, the legend selection on the lines only: JupyterLab 4's
    # Vega-Lite (5.6) copies a selection on a line with a point overlay into the points too and
    # then refuses the chart ("Duplicate signal name: focus_tuple").
    dash, shape = series_cues(df, "provider")
    lines = counted.mark_line().encode(y=alt.Y("requests:Q", title=title_of("requests")), strokeDash=dash,
                                       tooltip=tips).add_params(focus)
    points = counted.mark_point(filled=True).encode(y="requests:Q", shape=shape, tooltip=tips)
    bands = base.transform_filter("!isValid(datum.requests) && isValid(datum.requests_high)").mark_rule(
        strokeWidth=3
    ).encode(y="requests_low:Q", y2="requests_high:Q", strokeDash=dash, tooltip=tips)
    top = alt.layer(lines, points, bands).properties(
        title=title_params(
            _("Requests from {country} per published period, by provider").format(country=country),
            [
                _("Half-years or quarters as each provider publishes them. Click a legend entry to focus."),
                *([_("Not drawn: {names} (no count of requests received published).").format(
                    names=", ".join(display_name(n) for n in left_out))] if left_out else []),
            ],
        ),
        height=240,
    )
    shares = base.transform_filter("isValid(datum.answered_share)").encode(
        y=alt.Y("answered_share:Q", title=title_of("answered_share"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=tips,
    )
    share = alt.layer(shares.mark_line(strokeDash=[4, 2]), shares.mark_point(filled=True).encode(shape=shape)).properties(title=title_params(
        _("Share of {country}'s requests the provider answered with some data").format(country=country),
        "Dashed lines: the share answered in each published period (the solid lines above are counts).",
    ), height=160)
    return alt.vconcat(top, share, spacing=20).resolve_scale(color="shared", shape="shared")


def chart_country_ranking(df: pl.DataFrame, *, provider: str, highlight: str | None = None) -> alt.Chart:
    """Horizontal bars of the countries with most requests to a provider; `highlight` in colour.
    Input: `country_ranking` — rank, country, requests, answered_share."""
    check_columns(df, "chart_country_ranking", "rank", "country", "requests", "answered_share")
    colour = alt.condition(
        alt.datum.country == (highlight or ""), alt.value(CATEGORY_PALETTE[1]), alt.value(CATEGORY_PALETTE[0])
    )
    from coopanalysis.io.countries import country_name

    df = df.with_columns(country_name=pl.col("country").map_elements(country_name, return_dtype=pl.String))
    shown = json.dumps(country_name(highlight) if highlight else "")
    # the highlighted country's name in bold as well as its bar in colour: colour is not the only cue
    bold = alt.condition(f"datum.label === {shown}", alt.value(700), alt.value(400))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("country_name:N", title=title_of("country"), sort=alt.EncodingSortField("rank", order="ascending"),
                axis=alt.Axis(labelLimit=0, labelFontWeight=bold)),  # whole names, never cut short
        x=alt.X("requests:Q", title=title_of("requests")),
        color=colour,
        tooltip=[tip("rank", "Q"), alt.Tooltip("country_name:N", title=title_of("country")), tip("requests", "Q", COUNT),
                 tip("answered_share", "Q", PERCENT)],
    ).properties(title=title_params(_("Countries with the most requests to {provider}").format(
        provider=display_name(provider))), height=alt.Step(18))


def chart_emergency_legal(df: pl.DataFrame, *, country: str) -> alt.Chart:
    """Stacked bars per year of legal-process and emergency requests, one panel per provider.
    Input: `emergency_and_legal` — provider, year, legal, emergency, emergency_share."""
    check_columns(df, "chart_emergency_legal", "provider", "year", "legal", "emergency", "emergency_share")
    legal, emergency = _("Legal process"), _("Emergency")
    return alt.Chart(readable(df)).transform_fold(["legal", "emergency"], as_=["kind", "count"]).transform_calculate(
        kind_label=f"datum.kind == 'legal' ? {json.dumps(legal)} : {json.dumps(emergency)}",
        kind_label_order="datum.kind == 'legal' ? 0 : 1",
    ).mark_bar().encode(
        x=alt.X("year:O", title=title_of("year")),
        y=alt.Y("count:Q", title=title_of("requests"), stack="zero"),
        color=alt.Color("kind_label:N", title=_("Kind of request"),
                        scale=alt.Scale(domain=[legal, emergency],
                                        range=[CATEGORY_PALETTE[0], CATEGORY_PALETTE[1]])),
        # the stack in the legend's order, legal process at the foot: a segment's place tells its kind,
        # not its colour alone; white edges keep the two apart
        order=alt.Order("kind_label_order:Q"), stroke=alt.value("white"), strokeWidth=alt.value(1),
        column=alt.Column("provider:N", title=title_of("provider")),
        tooltip=[tip("provider", "N"), tip("year", "O"),
                 alt.Tooltip("kind_label:N", title=_("Kind of request")),
                 alt.Tooltip("count:Q", title=title_of("requests"), format=COUNT),
                 tip("emergency_share", "Q", PERCENT)],
    ).properties(
        title=title_params(_("Emergency and legal-process requests from {country}").format(country=country)),
        width=_panel_width(df), height=200
    ).resolve_scale(x="independent")


def _panel_width(df: pl.DataFrame, *, room: int = 640) -> int:
    """Width of each provider's panel so that all of them fit the page column side by side."""
    panels = max(1, df.get_column("provider").n_unique())
    return max(90, min(220, room // panels - 20))


def chart_telegram_phases(df: pl.DataFrame, *, country: str) -> alt.LayerChart:
    """Telegram's fulfilled requests per 30 days for each published period, coloured by
    phase (before / after its late-2024 change): a bar from zero across the period, topped by
    a line, so a period with nothing fulfilled still shows (a line along zero).
    Input: `telegram_before_after`."""
    check_columns(df, "chart_telegram_phases", "phase", "period_start", "period_end", "period_days", "fulfilled",
                  "affected_users", "fulfilled_per_30_days")
    base = alt.Chart(readable(df)).encode(
        x=alt.X("period_start:T", title=title_of("period_start")),
        x2="period_end:T",
        color=alt.Color("phase:N", title=title_of("phase"), legend=alt.Legend(labelExpr=readable_label("phase")),
                        scale=alt.Scale(domain=["before", "after"], range=["#BBBBBB", platform_colour("Telegram")])),
        tooltip=[tip("phase", "N"), tip("period_start", "T"), tip("period_end", "T"), tip("period_days", "Q"),
                 tip("fulfilled", "Q", COUNT), tip("affected_users", "Q", COUNT),
                 tip("fulfilled_per_30_days", "Q", ",.1f")],
    )
    y = alt.Y("fulfilled_per_30_days:Q", title=title_of("fulfilled_per_30_days"))
    # A bar with x and x2 but no y2 is read as a horizontal range and draws nothing: give it y2 = 0.
    bars = base.mark_bar(cornerRadiusEnd=0, opacity=0.85).encode(y=y, y2=alt.datum(0))
    tops = base.mark_rule(strokeWidth=3).encode(y=y)
    # the phase written over its first period: colour is not the only cue of before and after
    names = base.transform_window(first="rank()", groupby=["phase"], sort=[alt.SortField("period_start")]).transform_filter(
        "datum.first === 1").mark_text(align="left", baseline="bottom", dx=2, dy=-6).encode(
        y=y, text="phase_text:N", color=alt.value("#333333"))
    return alt.layer(bars, tops, names).properties(
        title=title_params(
            _("Telegram: requests from {country} it fulfilled, per 30 days").format(country=country),
            "Telegram reports fulfilled requests only (IP address and/or phone number).",
        ),
        height=220,
    )


def chart_reconciliation(df: pl.DataFrame, *, country: str) -> alt.Chart:
    """Per year, what the agency says it sent next to what providers covering the whole
    year say they received. Input: `reconcile_yearly`."""
    check_columns(df, "chart_reconciliation", "year", "agency_period", "agency_requests", "providers_requests",
                  "providers_included")
    agency, providers = title_of("agency_requests"), title_of("providers_requests")
    df = df.with_columns(
        agency_period=pl.col("agency_period").map_elements(period_short, return_dtype=pl.String),
        partial=pl.col("agency_period").str.contains("..", literal=True),
    )
    partial = df.filter(pl.col("partial")).get_column("agency_period").to_list()
    note = (_("Lighter bars: {periods} covers part of the year only, not a drop.").format(periods=", ".join(partial))
            if partial else _("Every year shown is a whole calendar year."))
    return alt.Chart(readable(df)).transform_fold(
        ["agency_requests", "providers_requests"], as_=["series_key", "count"]
    ).transform_filter("isValid(datum.count)").transform_calculate(
        series=f"datum.series_key == 'agency_requests' ? {json.dumps(agency)} : {json.dumps(providers)}"
    ).mark_bar().encode(
        x=alt.X("agency_period:N", title=title_of("agency_period")),
        y=alt.Y("count:Q", title=title_of("requests")),
        color=alt.Color("series:N", title=_("Series"),
                        scale=alt.Scale(domain=[agency, providers], range=[CATEGORY_PALETTE[3], CATEGORY_PALETTE[0]])),
        xOffset=alt.XOffset("series:N", sort=[agency, providers]),
        opacity=alt.condition("datum.partial", alt.value(0.4), alt.value(1.0)),
        stroke=alt.condition("datum.partial", alt.value("#59636e"), alt.value(None)),
        strokeDash=alt.condition("datum.partial", alt.value([3, 2]), alt.value([])),
        tooltip=[tip("agency_period", "N"), alt.Tooltip("series:N", title=_("Series")),
                 alt.Tooltip("count:Q", title=title_of("requests"), format=COUNT),
                 tip("providers_included", "N")],
    ).properties(title=title_params(
        _("Requests from {country}: the agency's count and the providers' count").format(country=country), note),
        height=240)
