"""Request volumes per period, zero-filled: a period with no requests is 0, not missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from coopanalysis.core.periods import EVERY, period_end, period_start
from coopanalysis.core.types import Period


def filter_requests(
    lf: pl.LazyFrame,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    platforms: Sequence[str] = (),
    agencies: Sequence[str] = (),
) -> pl.LazyFrame:
    """Requests made between start and end (inclusive), to the given platforms, by the given agencies
    (an empty selection means all)."""
    cond = pl.lit(True)
    if start is not None:
        cond &= pl.col("requested_on") >= start
    if end is not None:
        cond &= pl.col("requested_on") <= end
    if platforms:
        cond &= pl.col("platform").is_in(list(platforms))
    if agencies:
        cond &= pl.col("agency").is_in(list(agencies))
    return lf.filter(cond)


def count_requests(
    lf: pl.LazyFrame,
    *,
    period: Period,
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    weight: str | None = None,
) -> pl.LazyFrame:
    """Requests per period and group: columns period_start, period_end, *by, requests (Int64).

    Every period from `start` to `end` (default: the first and last request) appears for every
    combination of `by` values present, with 0 where nothing was requested. The first and last
    periods are clipped to start/end, so a partial month or year says so in its dates.
    With `weight`, each row stands for that many requests (a table already counted by day, say)
    and the counts are its sums.
    """
    by = list(by)
    lf = filter_requests(lf, start=start, end=end)
    first = pl.lit(start) if start is not None else pl.col("requested_on").min()
    last = pl.lit(end) if end is not None else pl.col("requested_on").max()
    calendar = lf.select(
        period_start=pl.date_range(period_start(first, period), last, EVERY[period]),
        _first=first,
        _last=last,
    )
    counted = pl.col(weight).sum() if weight else pl.len()
    counts = lf.group_by(period_start(pl.col("requested_on"), period).alias("period_start"), *by).agg(
        requests=counted.cast(pl.Int64)
    )
    grid = calendar.join(counts.select(by).unique(), how="cross") if by else calendar
    return (
        grid.join(counts, on=["period_start", *by], how="left", nulls_equal=True)
        .select(
            pl.max_horizontal("period_start", "_first").alias("period_start"),
            pl.min_horizontal(period_end(pl.col("period_start"), period), "_last").alias("period_end"),
            *by,
            pl.col("requests").fill_null(0),
        )
        .sort(["period_start", *by])
    )


def top_values(lf: pl.LazyFrame, *, column: str, n: int = 10) -> pl.LazyFrame:
    """The n values of `column` with most requests: column, requests, share (of all requests)."""
    return (
        lf.group_by(column)
        .agg(requests=pl.len().cast(pl.Int64))
        .with_columns(share=pl.col("requests") / pl.col("requests").sum())
        .sort(["requests", column], descending=[True, False])
        .head(n)
    )
