"""Small-count suppression for tables and charts that leave the analyst's machine.

Statistics offices do not publish a cell that counts fewer than k cases (k is often 5 or
10): a count of 1 or 2 requests from one police station about one crime type can point to
a person. Here:

- primary suppression: a count with 0 < value < k is suppressed (0 is shown: it reveals
  nobody);
- complementary suppression: along every dimension of the table, a line (the cells that add
  up to one margin) holding exactly one suppressed cell gets a second one — its smallest
  other cell — so that no suppressed cell can be recovered as margin minus the others, nor
  as the difference of two charts built from the same table. Repeated until stable;
- margins computed for display (`add_margin`) are suppressed when they are themselves small.

A suppressed value is removed from the data (set to null, `suppressed` = True), never
hidden by styling; its label reads "<k".
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def primary_suppression(value: pl.Expr, threshold: int) -> pl.Expr:
    """True where 0 < value < threshold (a threshold of 0 or 1 suppresses nothing)."""
    return (value > 0) & (value < threshold)


def _complement_once(df: pl.DataFrame, value: str, line: list[str]) -> pl.DataFrame:
    """Along one dimension: in each line with exactly one suppressed cell, suppress its smallest
    other cell (positive cells first; ties broken by the row's position)."""
    over = line or None
    n_suppressed = pl.col("suppressed").sum().over(over) if over else pl.col("suppressed").sum()
    # One sortable number per candidate: positive cells before zeros, then by value, then position.
    m = df.height + 1
    rank = pl.when(pl.col(value) > 0).then(pl.col(value)).otherwise(2**40) * m + pl.col("_pos")
    rank = pl.when(~pl.col("suppressed") & pl.col(value).is_not_null()).then(rank)
    smallest = rank.min().over(over) if over else rank.min()
    return df.with_columns(
        suppressed=pl.col("suppressed") | ((n_suppressed == 1) & (rank == smallest)).fill_null(False)
    )


def suppress_small_counts(
    df: pl.DataFrame,
    *,
    value: str,
    threshold: int,
    dims: Sequence[str] = (),
) -> pl.DataFrame:
    """Suppress counts below `threshold` in a table of `value` by `dims`, with complementary
    suppression along each dimension. Returns the frame with `value` set to null where
    suppressed and a boolean `suppressed` column. threshold ≤ 1 leaves the table as it is
    (with `suppressed` all False)."""
    dims = list(dims)
    out = df.with_row_index("_pos").with_columns(
        suppressed=primary_suppression(pl.col(value), threshold).fill_null(False)
    )
    if threshold > 1:
        lines = [[d for d in dims if d != dim] for dim in dims] or [[]]
        while True:
            before = int(out["suppressed"].sum())
            for line in lines:
                out = _complement_once(out, value, line)
            if int(out["suppressed"].sum()) == before:
                break
    return out.with_columns(pl.when(~pl.col("suppressed")).then(pl.col(value)).alias(value)).drop("_pos")


def suppress_shares(
    df: pl.DataFrame,
    *,
    numerator: str,
    denominator: str,
    shares: Sequence[str],
    threshold: int,
) -> pl.DataFrame:
    """Null the share columns (and the numerator) where the numerator is a small count or the
    denominator is below the threshold: "2 of 3 answered" reveals as much as the counts do."""
    if threshold <= 1:
        return df.with_columns(suppressed=pl.lit(False))
    hide = primary_suppression(pl.col(numerator), threshold) | (pl.col(denominator) < threshold)
    return df.with_columns(
        *[pl.when(~hide).then(pl.col(c)).alias(c) for c in [numerator, *shares]],
        suppressed=hide.fill_null(False),
    )


def count_label(value: pl.Expr, suppressed: pl.Expr, threshold: int) -> pl.Expr:
    """The text shown for a count: "1,234", or "<k" where suppressed."""
    formatted = value.cast(pl.Int64).map_elements(lambda v: f"{v:,}", return_dtype=pl.String)
    return pl.when(suppressed).then(pl.lit(f"<{threshold}")).otherwise(formatted)


def add_margin(df: pl.DataFrame, *, value: str, by: Sequence[str], threshold: int, label: str = "Total") -> pl.DataFrame:
    """Rows of totals over `by` computed from the unsuppressed table, appended; a total below the
    threshold is itself suppressed. Use on the table before `suppress_small_counts`."""
    others = [c for c in df.columns if c not in (*by, value)]
    totals = df.group_by(others or pl.lit(0).alias("_x")).agg(pl.col(value).sum())
    if not others:
        totals = totals.drop("_x")
    totals = totals.with_columns([pl.lit(label).alias(c) for c in by])
    return pl.concat([df, totals.select(df.columns)], how="vertical_relaxed")
