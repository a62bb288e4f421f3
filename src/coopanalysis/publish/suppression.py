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

from coopanalysis.publish.figures import Figures


def suppress_small_counts(
    df: pl.DataFrame,
    *,
    value: str,
    threshold: int,
    dims: Sequence[str] = (),
    force: pl.Expr | None = None,
) -> pl.DataFrame:
    """Suppress counts below `threshold` in a table of `value` by `dims`, with complementary
    suppression along each dimension (the rule of `publish.figures.Figures.hide`, the one
    implementation of it: each row is a figure, and the rows that differ in one dimension only
    form a line). `force` (a boolean expression) marks further cells to suppress from the start,
    e.g. every cell of a group whose total is itself small. Returns the frame with `value` set to
    null where suppressed and a boolean `suppressed` column. threshold ≤ 1 leaves the table as it
    is (with `suppressed` all False)."""
    dims = list(dims)
    if threshold <= 1:
        return df.with_columns(suppressed=pl.lit(False))
    forced = df.select((force if force is not None else pl.lit(False)).fill_null(False)).to_series().to_list()
    figures = Figures()
    for i, v in enumerate(df[value].to_list()):
        figures.add(i, v)
    keys = df.select(dims).rows() if dims else [()] * df.height
    for d in range(len(dims)) if dims else [None]:
        lines: dict[tuple, list[int]] = {}
        for i, key in enumerate(keys):
            lines.setdefault(key[:d] + key[d + 1:] if d is not None else (), []).append(i)
        for members in lines.values():
            figures.add_line(members)
    hidden = figures.hide(threshold, force=[i for i, f in enumerate(forced) if f])
    flags = pl.Series("suppressed", [i in hidden for i in range(df.height)], dtype=pl.Boolean)
    return df.with_columns(flags).with_columns(pl.when(~pl.col("suppressed")).then(pl.col(value)).alias(value))


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
