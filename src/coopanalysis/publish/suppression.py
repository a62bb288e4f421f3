"""Small-count suppression for tables and charts that leave the analyst's machine.

Statistics offices do not publish a cell that counts fewer than k cases (k is often 5 or
10): a count of 1 or 2 requests from one police station about one crime type can point to
a person. Here:

- primary suppression: a count with 0 < value < k is suppressed (0 is shown: it reveals
  nobody);
- complementary suppression: along every dimension of the table, a line (the cells that add
  up to one margin) holding exactly one suppressed cell, or suppressed cells that add up to
  less than k, gets one more — its smallest other cell — so that no suppressed cell can be
  recovered, or narrowed to within k, as margin minus the others, nor as the difference of
  two charts built from the same table. Repeated until stable;
- margins shown beside a table are suppressed with it (`suppress_with_margins`), and when
  they are themselves small.

A suppressed value is removed from the data (set to null, `suppressed` = True), never
hidden by styling. The report frames built on these, with the labels readers see ("<k",
"withheld"), are in `coopanalysis.publish.disclosure`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import polars as pl


def primary_suppression(value: pl.Expr, threshold: int) -> pl.Expr:
    """True where 0 < value < threshold (a threshold of 0 or 1 suppresses nothing)."""
    return (value > 0) & (value < threshold)


def _complement_once(df: pl.DataFrame, value: str, line: list[str], threshold: int) -> pl.DataFrame:
    """Along one dimension: in each line whose suppressed cells are one alone, or add up to less
    than `threshold`, suppress its smallest other cell (positive cells first; ties broken by the
    row's position). A line's total minus its shown cells gives the sum of its suppressed ones:
    when that sum is below the threshold, each of them is known to within less than it."""
    over = line or None
    n_suppressed = pl.col("suppressed").sum().over(over) if over else pl.col("suppressed").sum()
    hidden = pl.when(pl.col("suppressed")).then(pl.col(value)).otherwise(0)
    hidden_sum = hidden.sum().over(over) if over else hidden.sum()
    alone = n_suppressed == 1
    too_little = (n_suppressed > 1) & (hidden_sum < threshold)
    # One sortable number per candidate: positive cells before zeros, then by value, then position.
    m = df.height + 1
    rank = pl.when(pl.col(value) > 0).then(pl.col(value)).otherwise(2**40) * m + pl.col("_pos")
    rank = pl.when(~pl.col("suppressed") & pl.col(value).is_not_null()).then(rank)
    smallest = rank.min().over(over) if over else rank.min()
    # a line short of k gets positive cells only: hiding a zero would add no uncertainty
    exposed = alone | (too_little & (pl.col(value) > 0))
    return df.with_columns(
        suppressed=pl.col("suppressed") | (exposed & (rank == smallest)).fill_null(False)
    )


def suppress_small_counts(
    df: pl.DataFrame,
    *,
    value: str,
    threshold: int,
    dims: Sequence[str] = (),
    force: pl.Expr | None = None,
) -> pl.DataFrame:
    """Suppress counts below `threshold` in a table of `value` by `dims`, with complementary
    suppression along each dimension. `force` (a boolean expression) marks further cells to
    suppress from the start, e.g. every cell of a group whose total is itself small. Returns the
    frame with `value` set to null where suppressed and a boolean `suppressed` column.
    threshold ≤ 1 leaves the table as it is (with `suppressed` all False)."""
    dims = list(dims)
    first = primary_suppression(pl.col(value), threshold)
    if force is not None and threshold > 1:
        first = first | force
    out = df.with_row_index("_pos").with_columns(suppressed=first.fill_null(False))
    if threshold > 1:
        lines = [[d for d in dims if d != dim] for dim in dims] or [[]]
        while True:
            before = int(out["suppressed"].sum())
            for line in lines:
                out = _complement_once(out, value, line, threshold)
            if int(out["suppressed"].sum()) == before:
                break
    return out.with_columns(pl.when(~pl.col("suppressed")).then(pl.col(value)).alias(value)).drop("_pos")


MARGIN = "\u0000margin"
"""The key of a total in `suppress_with_margins` (a key no data value can hold)."""
_NULL_KEY = "\u0000null"


def cell_key(column: str) -> pl.Expr:
    """A column's values as text keys of a two-way table (null as a key of its own)."""
    return pl.col(column).cast(pl.String).fill_null(_NULL_KEY)


def _as_key(value: object) -> str:
    """A Python value as its `cell_key` text (`MARGIN` stays itself)."""
    if value == MARGIN:
        return MARGIN
    return _NULL_KEY if value is None else str(pl.Series([value]).cast(pl.String)[0])


def suppress_with_margins(df: pl.DataFrame, *, value: str, rows: str, cols: str, threshold: int,
                          force: Collection[tuple[object, object]] = ()) -> pl.DataFrame:
    """Suppress a two-way table of `value` by (`rows`, `cols`) together with its margins: the row
    totals, column totals and grand total take part as entries of their lines (a line: the cells
    of one row plus its total, or of one column plus its total).

    Input: one row per (`rows`, `cols`) with the count `value`; `force`: (row value, column value)
    entries hidden from the start, `MARGIN` naming a total (e.g. (day, MARGIN): that row's total).
    Returns every entry: `_r`, `_c` (`cell_key`s; `MARGIN` for a total), `_v` (the count, null
    where suppressed), `_orig` (the count) and `suppressed`. A threshold of 0 or 1 suppresses nothing."""
    cells = df.select(_r=cell_key(rows), _c=cell_key(cols), _v=pl.col(value).cast(pl.Int64))
    row_tot = cells.group_by("_r").agg(pl.col("_v").sum()).with_columns(_c=pl.lit(MARGIN))
    col_tot = cells.group_by("_c").agg(pl.col("_v").sum()).with_columns(_r=pl.lit(MARGIN))
    grand = cells.select(pl.col("_v").sum()).with_columns(_r=pl.lit(MARGIN), _c=pl.lit(MARGIN))
    full = pl.concat([cells, row_tot.select(cells.columns), col_tot.select(cells.columns), grand.select(cells.columns)])
    full = full.with_columns(_orig=pl.col("_v"))
    if threshold > 1:
        forced = pl.DataFrame({"_r": [_as_key(r) for r, _ in force], "_c": [_as_key(c) for _, c in force]},
                              schema={"_r": pl.String, "_c": pl.String}).unique().with_columns(_f=pl.lit(True))
        full = full.join(forced, on=["_r", "_c"], how="left", maintain_order="left")
        return suppress_small_counts(full, value="_v", threshold=threshold, dims=["_r", "_c"],
                                     force=pl.col("_f").fill_null(False)).drop("_f")
    return full.with_columns(suppressed=pl.lit(False))
