"""Year-end projection from a partial year, each with an interval and the method named.

- run rate: requests so far × (days in the year / days observed); interval from the
  Poisson interval of the count so far.
- seasonal share: requests so far ÷ the share of the year's requests that earlier full
  years had reached by the same day; interval spans the earliest and latest of those
  shares combined with the Poisson interval. Needs earlier years with monthly (or finer)
  counts that split at the same day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from coopanalysis.core.periods import is_full_year, year_span
from coopanalysis.core.stats import poisson_interval

RESULT_COLUMNS = ("year", "as_of", "observed", "projected", "low", "high", "method", "basis")


def _month_day(date: pl.Expr) -> pl.Expr:
    """1231 for 31 December: month and day as one comparable number."""
    return date.dt.month().cast(pl.Int32) * 100 + date.dt.day().cast(pl.Int32)


def project_run_rate(lf: pl.LazyFrame, *, year: int, as_of: dt.date, by: Sequence[str] = ()) -> pl.LazyFrame:
    """Year-end projection at the run rate. Input: a counts frame (period_start, period_end, *by,
    requests) covering `year` up to `as_of`. Output: *by, year, as_of, observed, projected, low,
    high, method ("run_rate"), basis."""
    by = list(by)
    first, last = year_span(year)
    days_observed = (as_of - first).days + 1
    scale = ((last - first).days + 1) / days_observed
    so_far = lf.filter((pl.col("period_start") >= first) & (pl.col("period_end") <= as_of))
    agg = so_far.group_by(by or pl.lit(0).alias("_all"), maintain_order=True).agg(observed=pl.col("requests").sum())
    low, high = poisson_interval(pl.col("observed"))
    out = agg.with_columns(
        year=pl.lit(year),
        as_of=pl.lit(as_of),
        projected=pl.col("observed") * scale,
        low=low * scale,
        high=high * scale,
        method=pl.lit("run_rate"),
        basis=pl.lit(f"{days_observed} days observed, scaled to {(last - first).days + 1}"),
    )
    return out.select(*by, *RESULT_COLUMNS)


def seasonal_base_years(lf: pl.LazyFrame, *, year: int, as_of: dt.date, keys: Sequence[str] = ()) -> pl.LazyFrame:
    """The earlier years a seasonal share rests on: those before `year` that the periods of `lf`
    cover fully and that split at `as_of`'s day of the year (no period straddles it), with requests.
    Output: `keys`, _year, total, so_far (1 January to that day)."""
    md = as_of.month * 100 + as_of.day
    past = lf.filter(pl.col("period_start").dt.year() < year).with_columns(
        _year=pl.col("period_start").dt.year(),
        _by_day=_month_day(pl.col("period_end")) <= md,
        _straddles=(_month_day(pl.col("period_start")) <= md) & (_month_day(pl.col("period_end")) > md),
    )
    return past.group_by(*keys, "_year").agg(
        total=pl.col("requests").sum(),
        so_far=pl.col("requests").filter(pl.col("_by_day")).sum(),
        full=is_full_year(pl.col("period_start").min(), pl.col("period_end").max()),
        splits=~pl.col("_straddles").any(),
    ).filter(pl.col("full") & pl.col("splits") & (pl.col("total") > 0)).drop("full", "splits")


def project_seasonal_share(
    lf: pl.LazyFrame, *, year: int, as_of: dt.date, by: Sequence[str] = ()
) -> pl.LazyFrame:
    """Year-end projection from the seasonal share of earlier full years (same output columns as
    `project_run_rate`, method "seasonal_share"). Groups without an earlier full year split at the
    same day get no row."""
    by = list(by)
    keys = by or ["_all"]
    lf = lf if by else lf.with_columns(_all=pl.lit(0))
    first, _ = year_span(year)
    per_year = seasonal_base_years(lf, year=year, as_of=as_of, keys=keys)
    shares = per_year.group_by(keys).agg(
        share=(pl.col("so_far") / pl.col("total")).mean(),
        share_min=(pl.col("so_far") / pl.col("total")).min(),
        share_max=(pl.col("so_far") / pl.col("total")).max(),
        years=pl.col("_year").sort().cast(pl.String).str.join(", "),
    ).filter(pl.col("share") > 0)
    observed = lf.filter((pl.col("period_start") >= first) & (pl.col("period_end") <= as_of)).group_by(keys).agg(
        observed=pl.col("requests").sum()
    )
    low, high = poisson_interval(pl.col("observed"))
    out = observed.join(shares, on=keys, how="inner").with_columns(
        year=pl.lit(year),
        as_of=pl.lit(as_of),
        projected=pl.col("observed") / pl.col("share"),
        low=low / pl.col("share_max"),
        high=high / pl.col("share_min"),
        method=pl.lit("seasonal_share"),
        basis=pl.concat_str(pl.lit("share of the year reached by this day in "), pl.col("years")),
    )
    return out.select(*by, *RESULT_COLUMNS).sort(by) if by else out.select(*RESULT_COLUMNS)


def project_year_end(lf: pl.LazyFrame, *, year: int, as_of: dt.date, by: Sequence[str] = ()) -> pl.LazyFrame:
    """Both projections stacked (seasonal share only where earlier years allow it)."""
    return pl.concat(
        [project_run_rate(lf, year=year, as_of=as_of, by=by), project_seasonal_share(lf, year=year, as_of=as_of, by=by)],
        how="vertical_relaxed",
    )
