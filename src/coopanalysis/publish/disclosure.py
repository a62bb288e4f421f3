"""Report frames fit to leave the analyst's machine: small counts hidden, and the labels readers see.

Each `hide_*` helper takes a small collected frame of a report (counts, shares, a funnel, an
outcome mix, a two-way table with its margins) and hides what would point at fewer than k cases,
using the primary and complementary suppression of `coopanalysis.publish.suppression`.
`label_hidden` turns a frame into the text a table shows. Growth tables are suppressed together,
page by page, in `coopanalysis.publish.growth`; survival curves are coarsened in
`coopanalysis.publish.curves`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import polars as pl

from coopanalysis.publish import figures
from coopanalysis.publish.suppression import (
    MARGIN,
    cell_key,
    suppress_small_counts,
    suppress_with_margins,
)

# ------------------------------------------------------------------ report frames
# The helpers below work on the small collected frames of a report. Each nulls the hidden
# values and adds, for every value column it may hide, a text column `<column>_hidden`:
# "<k" where the value itself is below the threshold (primary), "withheld" where it is
# hidden to protect another cell (complementary), null where the value is shown. Tables
# print that text in place of the number; sentences say "fewer than k" or "withheld".
# With a threshold of 0 or 1 every helper returns its frame unchanged (no extra columns).

WITHHELD = figures.WITHHELD


def hidden_column(column: str) -> str:
    """Name of the column holding the reader-facing label of a hidden `column`."""
    return f"{column}_hidden"


def _label(original: pl.Expr, hidden: pl.Expr, threshold: int) -> pl.Expr:
    """The reader-facing label of a value: null where shown, "<k" where `original` is below the
    threshold, "withheld" where it is hidden to protect another cell."""
    return (
        pl.when(~hidden).then(pl.lit(None, dtype=pl.String))
        .when(original.fill_null(0) < threshold).then(pl.lit(f"<{threshold}"))
        .otherwise(pl.lit(WITHHELD))
    )


def hide_counts(
    df: pl.DataFrame,
    *,
    value: str,
    threshold: int,
    dims: Sequence[str] = (),
    force: pl.Expr | None = None,
) -> pl.DataFrame:
    """`suppress_small_counts` for a report frame: `value` nulled where hidden and its label in
    `<value>_hidden` ("<k" or "withheld"). Input: a table of `value` by `dims` (other columns kept)."""
    if threshold <= 1:
        return df
    out = suppress_small_counts(df.with_columns(_orig=pl.col(value)), value=value, threshold=threshold,
                                dims=dims, force=force)
    return out.with_columns(_label(pl.col("_orig"), pl.col("suppressed"), threshold).alias(hidden_column(value))).drop(
        "_orig", "suppressed"
    )


def hide_shares(
    df: pl.DataFrame,
    *,
    by: Sequence[str],
    threshold: int,
    total: str = "requests",
    part: str = "answered",
    shares: Sequence[str] = ("answered_share", "ci_low", "ci_high"),
    force: Sequence[bool] | None = None,
) -> pl.DataFrame:
    """Hide a share and its interval where its numerator (`part`), the rest (`total` − `part`) or
    the denominator (`total`) is small, with complementary suppression.

    Input: one row per group of `by` with counts `total` and `part` and the share columns.
    The table suppressed is group × {part, rest}, whose margins are the published totals: a
    group's `total` (hidden when small, with a second group hidden along every dimension so
    the grand total does not give it away) and the sum of `part` over groups. Every cell of a
    group whose total is hidden is hidden too. `force`: per row, True to hide its `total` from the
    start (and so every cell of its group). Returns the frame with `total`, `part` and the
    shares nulled where hidden, and `<total>_hidden`, `<part>_hidden` labels."""
    if threshold <= 1:
        return df
    by = list(by)
    base = df.with_row_index("_row")
    forced = pl.Series("_force", list(force) if force is not None else [False] * df.height, dtype=pl.Boolean)
    totals = hide_counts(base.select("_row", *by, total).with_columns(forced), value=total, threshold=threshold,
                         dims=by, force=pl.col("_force")).drop("_force")
    hidden_total = totals.select("_row", _total_hidden=pl.col(hidden_column(total)).is_not_null())
    cells = pl.concat([
        base.select("_row", *by, _status=pl.lit("part"), _n=pl.col(part)),
        base.select("_row", *by, _status=pl.lit("rest"), _n=pl.col(total) - pl.col(part)),
    ]).join(hidden_total, on="_row", how="left")
    cells = suppress_small_counts(cells, value="_n", threshold=threshold, dims=[*by, "_status"],
                                  force=pl.col("_total_hidden"))
    hidden_row = cells.group_by("_row").agg(_cell_hidden=pl.col("suppressed").any())
    out = base.join(hidden_row, on="_row", how="left").join(hidden_total, on="_row", how="left")
    cell = pl.col("_cell_hidden").fill_null(False)
    tot = pl.col("_total_hidden").fill_null(False)
    return out.with_columns(
        _label(pl.col(part), cell, threshold).alias(hidden_column(part)),
        _label(pl.col(total), tot, threshold).alias(hidden_column(total)),
        *[pl.when(~cell).then(pl.col(c)).alias(c) for c in [part, *shares]],
        pl.when(~tot).then(pl.col(total)).alias(total),
    ).sort("_row").drop("_row", "_cell_hidden", "_total_hidden")


def hide_funnel(funnel: pl.DataFrame, *, threshold: int) -> pl.DataFrame:
    """Hide funnel stages (stage_order, cases, share_of_requested; no `by`): a stage after the first
    is hidden when it is small or when it differs from the stage before by a small number (the
    difference counts the cases that left at that step). A hidden stage hides the next stage's
    difference too, so the next is compared with the last shown stage."""
    if threshold <= 1:
        return funnel
    rows = funnel.sort("stage_order").with_row_index("_i")
    cases = rows["cases"].to_list()
    labels: list[str | None] = []
    last_shown = None
    for i, n in enumerate(cases):
        small = n is not None and 0 < n < threshold
        gap = last_shown is not None and n is not None and 0 < last_shown - n < threshold
        if small or (i > 0 and gap):
            labels.append(f"<{threshold}" if small else WITHHELD)
        else:
            labels.append(None)
            last_shown = n
    if labels and labels[0] is not None:  # too few requests: nothing in the funnel is shown
        labels = [labels[0]] + [f"<{threshold}"] * (len(labels) - 1)
    out = rows.with_columns(pl.Series(hidden_column("cases"), labels, dtype=pl.String))
    hidden = pl.col(hidden_column("cases")).is_not_null()
    return out.with_columns(
        cases=pl.when(~hidden).then(pl.col("cases")),
        share_of_requested=pl.when(~hidden).then(pl.col("share_of_requested")),
    ).drop("_i")


def hide_outcome_mix(mix: pl.DataFrame, *, by: str, threshold: int, hidden_groups: Collection[object] = ()) -> pl.DataFrame:
    """Hide small cells of an outcome mix (`by`, case_outcome, cases, share) with complementary
    suppression along both dimensions; every cell of a group with fewer than k cases is hidden
    (its total is small), and every cell of the `hidden_groups` (whose total is hidden elsewhere:
    the cells would add up to it). The share of a hidden cell is hidden too."""
    if threshold <= 1:
        return mix
    group_total = pl.col("cases").sum().over(by)
    out = hide_counts(mix, value="cases", threshold=threshold, dims=[by, "case_outcome"],
                      force=(group_total < threshold) | pl.col(by).is_in(list(hidden_groups)))
    return out.with_columns(share=pl.when(pl.col(hidden_column("cases")).is_null()).then(pl.col("share")))


def label_hidden(df: pl.DataFrame) -> pl.DataFrame:
    """A frame for a table: every column with a `<column>_hidden` companion becomes text — the
    number with thousands separators, or its label ("<k", "withheld") where hidden — and the
    companion columns go. A frame without companions is returned as it is."""
    pairs = [c for c in df.columns if hidden_column(c) in df.columns]
    if not pairs:
        return df
    exprs = []
    for c in pairs:
        shown = pl.col(c).map_elements(lambda v: f"{v:,.0f}" if isinstance(v, float) else f"{v:,}",
                                       return_dtype=pl.String)
        exprs.append(pl.coalesce(pl.col(hidden_column(c)), shown, pl.lit("–")).alias(c))
    return df.with_columns(exprs).drop([hidden_column(c) for c in pairs])


def hide_two_way(
    df: pl.DataFrame, *, value: str, rows: str, cols: str, threshold: int,
    force: Collection[tuple[object, object]] = (),
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Hide small counts of a two-way table together with its margins, so that neither a row
    total, a column total, the grand total, nor the difference of two charts drawn from the
    same table gives a hidden cell back. The totals take part in the suppression as cells of
    their lines (a line: the cells of one row plus its total, or of one column plus its total).

    Input: one row per (`rows`, `cols`) with the count `value` (other columns kept).
    Returns (cells, row totals, column totals): `df` with `value` hidden and labelled;
    `rows`, `value` (+ label) per row; `cols`, `value` (+ label) per column. With a
    threshold of 0 or 1 nothing is hidden and the totals carry no labels. `force`: entries hidden
    from the start, as (row value, column value) with `MARGIN` for a total (`suppress_with_margins`)."""
    full = suppress_with_margins(df, value=value, rows=rows, cols=cols, threshold=threshold, force=force)
    full = full.with_columns(_label=_label(pl.col("_orig"), pl.col("suppressed"), threshold))
    label = hidden_column(value)

    out = df.with_columns(_r=cell_key(rows), _c=cell_key(cols)).join(
        full.select("_r", "_c", "_v", "_label"), on=["_r", "_c"], how="left"
    ).with_columns(pl.col("_v").alias(value), pl.col("_label").alias(label)).drop("_r", "_c", "_v", "_label")
    row_keys = df.select(rows).unique(maintain_order=True).with_columns(_r=cell_key(rows))
    col_keys = df.select(cols).unique(maintain_order=True).with_columns(_c=cell_key(cols))
    by_row = row_keys.join(full.filter(pl.col("_c") == MARGIN).select("_r", "_v", "_label"), on="_r", how="left")
    by_col = col_keys.join(full.filter(pl.col("_r") == MARGIN).select("_c", "_v", "_label"), on="_c", how="left")
    by_row = by_row.select(rows, pl.col("_v").alias(value), pl.col("_label").alias(label))
    by_col = by_col.select(cols, pl.col("_v").alias(value), pl.col("_label").alias(label))
    if threshold <= 1:
        out, by_row, by_col = (f.drop(label) for f in (out, by_row, by_col))
    return out, by_row, by_col
