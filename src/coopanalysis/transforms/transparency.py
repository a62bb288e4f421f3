"""Transforms over the transparency table (LazyFrame in → LazyFrame out).

All of them start from `countable_requests`, which keeps the rows whose requests add
up to a provider's published totals (no preservation requests, no requests already
counted in another row, no takedown requests that ask for no user data).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

from coopanalysis.core.names import PLATFORM_NAMES
from coopanalysis.core.periods import days_in_year

TELEGRAM = PLATFORM_NAMES["telegram"]
TELEGRAM_POLICY_CHANGE = dt.date(2024, 10, 1)
"""First day after Telegram's late-2024 change: from then it gives IP addresses and phone
numbers for valid orders in criminal cases (first quarter it reports on: 2024 Q4)."""


def countable_requests(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Rows that add up to published totals: legal_process != preservation, user_data,
    not counted_elsewhere. Same columns."""
    return lf.filter(
        (pl.col("legal_process") != "preservation")
        & pl.col("user_data")
        & ~pl.col("counted_elsewhere")
    )


def _sum_or_null(column: str) -> pl.Expr:
    """Sum of a column, null when every value is null (a total nobody published is unknown, not 0)."""
    return pl.when(pl.col(column).count() > 0).then(pl.col(column).sum()).otherwise(None)


def total_requests(lf: pl.LazyFrame, *, by: list[str]) -> pl.LazyFrame:
    """Totals per group of `by`: requests, requests_low, requests_high, answered (nulls
    stay null when nothing was published), answered_share (the request-weighted share of the
    rows that publish one; for Telegram's fulfilled-only rows, null), rows."""
    weighted = pl.col("answered_share") * pl.col("requests")
    has_share = pl.col("answered_share").is_not_null() & pl.col("requests").is_not_null()
    return lf.group_by(by).agg(
        requests=_sum_or_null("requests"),
        requests_low=_sum_or_null("requests_low"),
        requests_high=_sum_or_null("requests_high"),
        answered=_sum_or_null("answered"),
        answered_share=pl.when(pl.col("requests").filter(has_share).sum() > 0)
        .then(weighted.filter(has_share).sum() / pl.col("requests").filter(has_share).sum())
        .otherwise(None),
        rows=pl.len(),
    )


def requests_over_time(
    lf: pl.LazyFrame, *, country: str, providers: list[str], start: dt.date, end: dt.date
) -> pl.LazyFrame:
    """Per provider and published period (within start–end) for one country: requests,
    bounds, answered, answered_share. Sorted by provider and period."""
    rows = countable_requests(lf).filter(
        (pl.col("country") == country)
        & pl.col("provider").is_in(providers)
        & (pl.col("period_start") >= start)
        & (pl.col("period_end") <= end)
    )
    return total_requests(rows, by=["provider", "period_start", "period_end"]).sort(
        "provider", "period_start"
    )


def country_ranking(
    lf: pl.LazyFrame, *, provider: str, start: dt.date, end: dt.date, top: int = 15
) -> pl.LazyFrame:
    """Countries ranked by the provider's requests summed over periods within start–end:
    rank, country, requests, answered_share. The top `top` countries."""
    rows = countable_requests(lf).filter(
        (pl.col("provider") == provider)
        & (pl.col("period_start") >= start)
        & (pl.col("period_end") <= end)
        & pl.col("requests").is_not_null()
    )
    return (
        total_requests(rows, by=["country"])
        .sort(["requests", "country"], descending=[True, False])
        .head(top)
        .with_columns(rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
        .select("rank", "country", "requests", "answered_share")
    )


def emergency_and_legal(
    lf: pl.LazyFrame, *, country: str, providers: list[str], start: dt.date, end: dt.date
) -> pl.LazyFrame:
    """Per provider and year, requests by legal_process (legal, emergency) for one country,
    plus emergency_share = emergency / (legal + emergency). Only providers that publish
    the split; years summed from their half-years or quarters."""
    rows = countable_requests(lf).filter(
        (pl.col("country") == country)
        & pl.col("provider").is_in(providers)
        & pl.col("legal_process").is_in(["legal", "emergency"])
        & (pl.col("period_start") >= start)
        & (pl.col("period_end") <= end)
        & pl.col("requests").is_not_null()
    )
    wide = (
        rows.with_columns(year=pl.col("period_start").dt.year())
        .group_by("provider", "year")
        .agg(
            legal=pl.col("requests").filter(pl.col("legal_process") == "legal").sum(),
            emergency=pl.col("requests").filter(pl.col("legal_process") == "emergency").sum(),
        )
        .filter(pl.col("emergency") + pl.col("legal") > 0)
    )
    return wide.with_columns(
        emergency_share=pl.col("emergency") / (pl.col("legal") + pl.col("emergency"))
    ).sort("provider", "year")


def yearly_totals(lf: pl.LazyFrame, *, by: list[str]) -> pl.LazyFrame:
    """Calendar-year totals per `by` + year, from periods that lie within one year:
    requests, answered, answered_share, days_covered, full_year (true when the periods
    published cover every day of the year). Assumes non-overlapping periods per group,
    which `countable_requests` rows are."""
    within = lf.filter(pl.col("period_start").dt.year() == pl.col("period_end").dt.year()).with_columns(
        year=pl.col("period_start").dt.year()
    )
    periods = (
        within.select([*by, "year", "period_start", "period_end"])
        .unique()
        .group_by([*by, "year"])
        .agg(days_covered=((pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1).sum())
    )
    totals = total_requests(within, by=[*by, "year"])
    return (
        totals.join(periods, on=[*by, "year"], how="left")
        .with_columns(full_year=pl.col("days_covered") == days_in_year(pl.col("year")))
        .sort([*by, "year"])
    )


def provider_years(lf: pl.LazyFrame, *, country: str, providers: list[str] | None = None) -> pl.LazyFrame:
    """Per provider and year for one country: requests (received; for Telegram, fulfilled
    requests in `answered`), answered_share, full_year. From `countable_requests`."""
    rows = countable_requests(lf).filter(pl.col("country") == country)
    if providers is not None:
        rows = rows.filter(pl.col("provider").is_in(providers))
    return yearly_totals(rows, by=["provider"])


Phase = Literal["before", "after"]


def telegram_before_after(
    lf: pl.LazyFrame, *, country: str, change: dt.date = TELEGRAM_POLICY_CHANGE
) -> pl.LazyFrame:
    """Telegram's fulfilled requests for one country per published period, with phase
    ("before"/"after" the policy change), period_days (days in the period), fulfilled, affected
    users, and fulfilled per 30 days (periods of different lengths become comparable)."""
    rows = lf.filter((pl.col("provider") == TELEGRAM) & (pl.col("country") == country))
    return (
        rows.with_columns(
            phase=pl.when(pl.col("period_start") >= change).then(pl.lit("after")).otherwise(pl.lit("before")),
            period_days=(pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1,
        )
        .select(
            "phase",
            "period_start",
            "period_end",
            "period_days",
            fulfilled="answered",
            affected_users="accounts",
            fulfilled_per_30_days=pl.col("answered") * 30 / pl.col("period_days"),
        )
        .sort("period_start")
    )


def telegram_phase_summary(before_after: pl.LazyFrame) -> pl.LazyFrame:
    """`telegram_before_after` rows summed per phase: period_days, fulfilled, affected_users,
    fulfilled_per_30_days."""
    return (
        before_after.group_by("phase")
        .agg(
            period_days=pl.col("period_days").sum(),
            fulfilled=_sum_or_null("fulfilled"),
            affected_users=_sum_or_null("affected_users"),
        )
        .with_columns(fulfilled_per_30_days=pl.col("fulfilled") * 30 / pl.col("period_days"))
        .sort("phase", descending=True)
    )


def country_position(
    lf: pl.LazyFrame, *, provider: str, country: str, start: dt.date, end: dt.date
) -> dict:
    """Where a country stands among all requesters of a provider within start–end:
    rank (None when it sent none), countries (how many sent requests), requests."""
    ranking = country_ranking(lf, provider=provider, start=start, end=end, top=10_000).collect()
    row = ranking.filter(pl.col("country") == country)
    return {
        "provider": provider,
        "country": country,
        "rank": row["rank"].item() if row.height else None,
        "countries": ranking.height,
        "requests": row["requests"].item() if row.height else None,
    }
