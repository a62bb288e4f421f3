"""Altair charts of the `transparency` report.

Each builder takes a small collected frame made by a transform of
`coopanalysis.transparency.summaries` or `.reconcile` and returns a chart with its
data inline. Providers keep the colour they have in every report
(`coopanalysis.charts.platform_colour`); an empty frame gives an empty chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from coopanalysis.present.charts import CATEGORY_PALETTE, _check_columns, platform_colour, title_of
from coopanalysis.core.names import PLATFORM_NAMES
from coopanalysis.core.providers import provider_label, provider_labels

COUNT = ",d"
PERCENT = ".0%"

TITLES = {
    "provider": "Provider",
    "country": "Country",
    "rank": "Rank",
    "year": "Year",
    "legal": "Legal process requests",
    "emergency": "Emergency requests",
    "emergency_share": "Emergency share",
    "requests_low": "Requests (lower bound)",
    "requests_high": "Requests (upper bound)",
    "phase": "Before/after late-2024 change",
    "fulfilled": "Fulfilled requests",
    "affected_users": "Affected users",
    "fulfilled_per_30_days": "Fulfilled requests per 30 days",
    "days": "Days",
    "agency_requests": "Requests the agency sent",
    "providers_requests": "Requests providers received",
    "providers_included": "Providers covering the whole year",
    "series": "Series",
}


def _t(column: str) -> str:
    return TITLES.get(column, title_of(column))


def provider_scale(names: Sequence[str]) -> alt.Scale:
    """Colour scale of provider display names ("Google"; a lower-case code is shown by its
    display name), each in its platform colour."""
    domain = sorted({provider_label(n) for n in names if n is not None})
    return alt.Scale(domain=domain, range=[platform_colour(PLATFORM_NAMES.get(n.lower(), n)) for n in domain])


def _with_names(df: pl.DataFrame) -> pl.DataFrame:
    """`df` with `provider_name`, the display name of each provider code, for legends,
    tooltips and panel headers (the `provider` code stays in the data)."""
    if "provider" not in df.columns:
        return df
    return df.with_columns(
        provider_name=pl.col("provider").map_elements(provider_label, return_dtype=pl.String)
    )


def _provider_colour(df: pl.DataFrame, *, legend: bool = True) -> alt.Color:
    names = df.get_column("provider").unique().to_list() if "provider" in df.columns else []
    return alt.Color(
        "provider_name:N", title=_t("provider"), scale=provider_scale(names),
        legend=alt.Legend() if legend else None,
    )


def _tip(field: str, kind: str, fmt: str | None = None) -> alt.Tooltip:
    if kind == "T":
        return alt.Tooltip(f"{field}:T", title=_t(field), format=fmt or "%Y-%m-%d")
    return alt.Tooltip(f"{field}:{kind}", title=_t(field), **({"format": fmt} if fmt else {}))


def chart_requests_over_time(df: pl.DataFrame, *, country: str) -> alt.VConcatChart:
    """Requests per published period (top) and the share answered (bottom), one line per
    provider; a banded figure ("<10", "0–249") is drawn as a vertical range.
    Input: `requests_over_time` — provider, period_start, period_end, requests,
    requests_low, requests_high, answered_share."""
    _check_columns(df, "chart_requests_over_time", "provider", "period_start", "period_end", "requests",
           "requests_low", "requests_high", "answered_share")
    df = _with_names(df)
    focus = alt.selection_point(fields=["provider_name"], bind="legend", name="focus")
    colour = _provider_colour(df)
    base = alt.Chart(df).encode(
        x=alt.X("period_start:T", title=_t("period_start")),
        color=colour,
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.15)),
    )
    tips = [alt.Tooltip("provider_name:N", title=_t("provider")), _tip("period_start", "T"), _tip("period_end", "T"),
            _tip("requests", "Q", COUNT), _tip("requests_low", "Q", COUNT), _tip("requests_high", "Q", COUNT),
            _tip("answered_share", "Q", PERCENT)]
    counted = base.transform_filter("isValid(datum.requests)")
    # Lines and points as separate layers, the legend selection on the lines only: JupyterLab 4's
    # Vega-Lite (5.6) copies a selection on a line with a point overlay into the points too and
    # then refuses the chart ("Duplicate signal name: focus_tuple").
    lines = counted.mark_line().encode(y=alt.Y("requests:Q", title=_t("requests")), tooltip=tips).add_params(focus)
    points = counted.mark_point(filled=True).encode(y="requests:Q", tooltip=tips)
    bands = base.transform_filter("!isValid(datum.requests) && isValid(datum.requests_high)").mark_rule(
        strokeWidth=3
    ).encode(y="requests_low:Q", y2="requests_high:Q", tooltip=tips)
    top = alt.layer(lines, points, bands).properties(
        title=alt.TitleParams(
            f"Requests from {country} per published period, by provider",
            subtitle="Half-years or quarters as each provider publishes them. Click a legend entry to focus.",
        ),
        height=240,
    )
    share = base.transform_filter("isValid(datum.answered_share)").mark_line(point=True, strokeDash=[4, 2]).encode(
        y=alt.Y("answered_share:Q", title=_t("answered_share"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=tips,
    ).properties(title=f"Share of {country}'s requests the provider answered with some data", height=160)
    return alt.vconcat(top, share, spacing=20).resolve_scale(color="shared")


def chart_country_ranking(df: pl.DataFrame, *, provider: str, highlight: str | None = None) -> alt.Chart:
    """Horizontal bars of the countries with most requests to a provider; `highlight` in colour.
    Input: `country_ranking` — rank, country, requests, answered_share."""
    _check_columns(df, "chart_country_ranking", "rank", "country", "requests", "answered_share")
    colour = alt.condition(
        alt.datum.country == (highlight or ""), alt.value(CATEGORY_PALETTE[1]), alt.value(CATEGORY_PALETTE[0])
    )
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("country:N", title=_t("country"), sort=alt.EncodingSortField("rank", order="ascending")),
        x=alt.X("requests:Q", title=_t("requests")),
        color=colour,
        tooltip=[_tip("rank", "Q"), _tip("country", "N"), _tip("requests", "Q", COUNT),
                 _tip("answered_share", "Q", PERCENT)],
    ).properties(title=f"Countries with the most requests to {provider_label(provider)}", height=alt.Step(18))


def chart_emergency_legal(df: pl.DataFrame, *, country: str) -> alt.Chart:
    """Stacked bars per year of legal-process and emergency requests, one panel per provider.
    Input: `emergency_and_legal` — provider, year, legal, emergency, emergency_share."""
    _check_columns(df, "chart_emergency_legal", "provider", "year", "legal", "emergency", "emergency_share")
    df = _with_names(df)
    return alt.Chart(df).transform_fold(["legal", "emergency"], as_=["kind", "count"]).transform_calculate(
        kind_label="datum.kind == 'legal' ? 'Legal process' : 'Emergency'"
    ).mark_bar().encode(
        x=alt.X("year:O", title=_t("year")),
        y=alt.Y("count:Q", title=_t("requests"), stack="zero"),
        color=alt.Color("kind_label:N", title="Kind of request",
                        scale=alt.Scale(domain=["Legal process", "Emergency"],
                                        range=[CATEGORY_PALETTE[0], CATEGORY_PALETTE[1]])),
        column=alt.Column("provider_name:N", title=_t("provider")),
        tooltip=[alt.Tooltip("provider_name:N", title=_t("provider")), _tip("year", "O"),
                 alt.Tooltip("kind_label:N", title="Kind of request"),
                 alt.Tooltip("count:Q", title=_t("requests"), format=COUNT),
                 _tip("emergency_share", "Q", PERCENT)],
    ).properties(
        title=f"Emergency and legal-process requests from {country}", width=_panel_width(df), height=200
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
    _check_columns(df, "chart_telegram_phases", "phase", "period_start", "period_end", "days", "fulfilled",
           "affected_users", "fulfilled_per_30_days")
    base = alt.Chart(df).encode(
        x=alt.X("period_start:T", title=_t("period_start")),
        x2="period_end:T",
        color=alt.Color("phase:N", title=_t("phase"),
                        scale=alt.Scale(domain=["before", "after"], range=["#BBBBBB", platform_colour("Telegram")])),
        tooltip=[_tip("phase", "N"), _tip("period_start", "T"), _tip("period_end", "T"), _tip("days", "Q"),
                 _tip("fulfilled", "Q", COUNT), _tip("affected_users", "Q", COUNT),
                 _tip("fulfilled_per_30_days", "Q", ",.1f")],
    )
    y = alt.Y("fulfilled_per_30_days:Q", title=_t("fulfilled_per_30_days"))
    # A bar with x and x2 but no y2 is read as a horizontal range and draws nothing: give it y2 = 0.
    bars = base.mark_bar(cornerRadiusEnd=0, opacity=0.85).encode(y=y, y2=alt.datum(0))
    tops = base.mark_rule(strokeWidth=3).encode(y=y)
    return alt.layer(bars, tops).properties(
        title=alt.TitleParams(
            f"Telegram: requests from {country} it fulfilled, per 30 days",
            subtitle="Telegram reports fulfilled requests only (IP address and/or phone number).",
        ),
        height=220,
    )


def chart_reconciliation(df: pl.DataFrame, *, country: str) -> alt.Chart:
    """Per year, what the agency says it sent next to what providers covering the whole
    year say they received. Input: `reconcile_yearly`."""
    _check_columns(df, "chart_reconciliation", "year", "agency_period", "agency_requests", "providers_requests",
           "providers_included")
    df = df.with_columns(
        pl.col("providers_included").map_elements(provider_labels, return_dtype=pl.String).fill_null("")
    )
    return alt.Chart(df).transform_fold(
        ["agency_requests", "providers_requests"], as_=["series_key", "count"]
    ).transform_filter("isValid(datum.count)").transform_calculate(
        series=f"datum.series_key == 'agency_requests' ? '{_t('agency_requests')}' : '{_t('providers_requests')}'"
    ).mark_bar().encode(
        x=alt.X("agency_period:N", title="Year (agency's period)"),
        y=alt.Y("count:Q", title=_t("requests")),
        color=alt.Color("series:N", title=_t("series"),
                        scale=alt.Scale(domain=[_t("agency_requests"), _t("providers_requests")],
                                        range=[CATEGORY_PALETTE[3], CATEGORY_PALETTE[0]])),
        xOffset=alt.XOffset("series:N", sort=[_t("agency_requests"), _t("providers_requests")]),
        tooltip=[alt.Tooltip("agency_period:N", title="Period"), alt.Tooltip("series:N", title=_t("series")),
                 alt.Tooltip("count:Q", title=_t("requests"), format=COUNT),
                 _tip("providers_included", "N")],
    ).properties(title=f"Requests from {country}: the agency's count and the providers' count", height=240)
