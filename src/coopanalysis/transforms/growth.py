"""Growth: period over period, year over year (like for like), and CAGR.

A zero or missing base gives a null growth with its reason in `growth_note`,
never inf. A partial year is compared with the same span of the year before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from coopanalysis.core.periods import is_full_year, year_before
from coopanalysis.core.stats import t975_expr
from coopanalysis.transforms.volumes import count_requests, filter_requests

NOTE_NO_BASE = "no figure for the base period"
NOTE_ZERO_BASE = "base is zero"
NOTE_BEFORE_DATA = "base period lies before the data begins"
NOTE_NO_VALUE = "no figure for this period"
NOTE_UNEQUAL = "periods of different length (partial period)"


def growth_rate(current: pl.Expr, base: pl.Expr) -> pl.Expr:
    """current / base − 1, null where the base is zero or missing (never inf)."""
    return pl.when(base > 0).then(current.cast(pl.Float64) / base - 1)


def growth_note(current: pl.Expr, base: pl.Expr) -> pl.Expr:
    """Why a growth is null: missing base, zero base or missing value; null when growth exists."""
    return (
        pl.when(current.is_null()).then(pl.lit(NOTE_NO_VALUE))
        .when(base.is_null()).then(pl.lit(NOTE_NO_BASE))
        .when(base == 0).then(pl.lit(NOTE_ZERO_BASE))
    )


def _with_growth(lf: pl.LazyFrame, value: str) -> pl.LazyFrame:
    return lf.with_columns(
        growth=growth_rate(pl.col(value), pl.col("base")),
        growth_note=growth_note(pl.col(value), pl.col("base")),
    )


def add_period_growth(lf: pl.LazyFrame, *, by: Sequence[str] = (), value: str = "requests") -> pl.LazyFrame:
    """Adds `base` (the previous period's value in the same group), `growth` and `growth_note`.
    Input: a counts frame with period_start and `value`; rows are ordered by period_start."""
    by = list(by)
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days()
    previous = pl.struct(pl.col(value).alias("v"), days.alias("d")).shift(1)
    previous = previous.over(by, order_by="period_start") if by else previous
    lf = lf.sort(["period_start", *by]).with_columns(_prev=previous, _days=days)
    comparable = (pl.col("_prev").struct.field("d") - pl.col("_days")).abs() <= 3
    grown = _with_growth(lf.with_columns(base=pl.col("_prev").struct.field("v")), value)
    return grown.with_columns(
        growth=pl.when(comparable | pl.col("base").is_null()).then(pl.col("growth")),
        growth_note=pl.when(~comparable & pl.col("base").is_not_null())
        .then(pl.lit(NOTE_UNEQUAL))
        .otherwise(pl.col("growth_note")),
    ).drop("_prev", "_days")


def add_yoy_growth(lf: pl.LazyFrame, *, by: Sequence[str] = (), value: str = "requests") -> pl.LazyFrame:
    """Adds `base` (the value of the same span one year earlier, e.g. Jan–Jul 2023 for Jan–Jul 2024),
    `growth` and `growth_note`. A span with no same-span row a year earlier gets a null growth."""
    by = list(by)
    base = lf.select(
        pl.col("period_start").alias("_base_start"),
        pl.col("period_end").alias("_base_end"),
        *by,
        pl.col(value).alias("base"),
    )
    keyed = lf.with_columns(
        _base_start=pl.col("period_start").dt.offset_by("-1y"),
        _base_end=pl.col("period_end").dt.offset_by("-1y"),
    )
    joined = keyed.join(base, on=["_base_start", "_base_end", *by], how="left", nulls_equal=True)
    return _with_growth(joined.drop("_base_start", "_base_end"), value).sort(["period_start", *by])


def yoy_growth_from_log(
    lf: pl.LazyFrame,
    *,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = (),
) -> pl.LazyFrame:
    """Yearly requests from a request log with like-for-like year-over-year growth.

    Each year in [start, end] is counted over the part of it inside the range, and compared with
    the same days of the year before (a Jan–Jun partial year against Jan–Jun of the year before,
    never against a full year). The log is taken to cover whole months from the month of its first
    request; a base before that is null (not 0), with the reason. Pass the log unfiltered by date:
    the bases lie a year before `start`. Columns: period_start, period_end, *by, requests, base,
    growth, growth_note.
    """
    by = list(by)
    # One pass over the log: requests per day and group from the base's first day to `end`; both
    # the current and the base years are sums over that small table (a day × group cell each).
    daily = (
        filter_requests(lf, start=year_before(start), end=end)
        .group_by("requested_on", *by)
        .agg(requests=pl.len().cast(pl.Int64))
        .cache()
    )
    current = count_requests(daily, period="year", by=by, start=start, end=end, weight="requests")
    base_lf = count_requests(
        daily, period="year", by=by, start=year_before(start), end=year_before(end), weight="requests"
    )
    first_request = lf.select(_first_request=pl.col("requested_on").min().dt.truncate("1mo"))
    base = base_lf.select(
        pl.col("period_start").alias("_base_start"), *by, pl.col("requests").alias("base")
    )
    joined = (
        current.with_columns(_base_start=pl.col("period_start").dt.offset_by("-1y"))
        .join(base, on=["_base_start", *by], how="left", nulls_equal=True)
        .join(first_request, how="cross")
    )
    before_data = pl.col("_base_start") < pl.col("_first_request")
    return _with_growth(joined, "requests").with_columns(
        base=pl.when(~before_data).then(pl.col("base")),
        growth=pl.when(~before_data).then(pl.col("growth")),
        growth_note=pl.when(before_data)
        .then(pl.lit(NOTE_BEFORE_DATA))
        .otherwise(pl.col("growth_note")),
    ).drop("_base_start", "_first_request").sort(["period_start", *by])


NOTE_FEW_YEARS = "fewer than three full years"
NOTE_ZERO_YEAR = "a full year with no requests"
TREND_AGREES = "agree"
TREND_OUTSIDE = "outside the trend's interval"
TREND_OPPOSITE = "opposite direction"


def _trend(year: pl.Expr, value: pl.Expr) -> list[pl.Expr]:
    """Aggregations of a log-linear trend: OLS of ln(value) on the year, the slope as yearly growth
    (exp(b) − 1) with its 95% interval (t on n − 2 df), the peak year and the falls after it."""
    x = year.cast(pl.Float64)
    y = value.cast(pl.Float64).log()
    dx = x - x.mean()
    slope = (dx * (y - y.mean())).sum() / (dx**2).sum()
    se = (((y - y.mean() - slope * dx) ** 2).sum() / (pl.len() - 2) / (dx**2).sum()).sqrt()
    q = t975_expr((pl.len() - 2).cast(pl.Int64))
    return [
        pl.len().alias("trend_years"),
        (slope.exp() - 1).alias("trend"),
        ((slope - q * se).exp() - 1).alias("trend_low"),
        ((slope + q * se).exp() - 1).alias("trend_high"),
        (value <= 0).any().alias("_zero"),
        year.get(value.arg_max()).alias("peak_year"),
        (value.diff() < 0).filter(year > year.get(value.arg_max())).sum().cast(pl.Int64).alias("falls_after_peak"),
    ]


def compute_cagr(lf: pl.LazyFrame, *, by: Sequence[str] = (), value: str = "requests") -> pl.LazyFrame:
    """Compound annual growth between the first and last full calendar years of each group, and
    beside it the log-linear trend over every full year (it sees what the two endpoints hide: a
    peak, then falls).

    Columns: *by, first_year, last_year, first_value, last_value, cagr, cagr_note; trend_years,
    trend (yearly growth of the least-squares line through ln(requests)), trend_low, trend_high
    (its 95% interval), trend_note (why the trend is null), trend_vs_cagr (how the two compare:
    "outside the trend's interval", "opposite direction" — inside it but of the other sign — or
    "agree"), peak_year (the busiest full year) and
    falls_after_peak (years after it with fewer requests than the year before). Partial years are
    left out (a CAGR over a partial year would understate growth); the notes say why a figure is null.
    """
    by = list(by)
    full = lf.filter(is_full_year(pl.col("period_start"), pl.col("period_end"))).sort("period_start")
    year = pl.col("period_start").dt.year()
    agg = full.group_by(by or pl.lit(0).alias("_all"), maintain_order=True).agg(
        first_year=year.first(),
        last_year=year.last(),
        first_value=pl.col(value).first(),
        last_value=pl.col(value).last(),
        *_trend(year, pl.col(value)),
    )
    years = pl.col("last_year") - pl.col("first_year")
    ok = (years > 0) & (pl.col("first_value") > 0)
    trend_ok = (pl.col("trend_years") >= 3) & ~pl.col("_zero")
    result = agg.with_columns(
        cagr=pl.when(ok).then((pl.col("last_value") / pl.col("first_value")) ** (1 / years) - 1),
        cagr_note=pl.when(years <= 0).then(pl.lit("fewer than two full years"))
        .when(pl.col("first_value") <= 0).then(pl.lit(NOTE_ZERO_BASE)),
        trend_note=pl.when(pl.col("trend_years") < 3).then(pl.lit(NOTE_FEW_YEARS))
        .when(pl.col("_zero")).then(pl.lit(NOTE_ZERO_YEAR)),
        **{c: pl.when(trend_ok).then(pl.col(c)) for c in ("trend", "trend_low", "trend_high")},
    ).with_columns(
        trend_vs_cagr=pl.when(pl.col("cagr").is_not_null() & pl.col("trend").is_not_null()).then(
            pl.when(~pl.col("cagr").is_between(pl.col("trend_low"), pl.col("trend_high")))
            .then(pl.lit(TREND_OUTSIDE))
            .when(pl.col("cagr").sign() * pl.col("trend").sign() < 0).then(pl.lit(TREND_OPPOSITE))
            .otherwise(pl.lit(TREND_AGREES))
        ),
    ).select(*(by or ["_all"]), "first_year", "last_year", "first_value", "last_value", "cagr", "cagr_note",
             "trend_years", "trend", "trend_low", "trend_high", "trend_note", "trend_vs_cagr", "peak_year",
             "falls_after_peak")
    return result if by else result.drop("_all")
