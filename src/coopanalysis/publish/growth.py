"""Growth tables fit to share: the counts of all growth tables of one page suppressed as one set.

A growth table prints each span's `requests` and its `base`, and the base is itself a count:
for a whole year the year before's count (printed in the row above), for a partial year the same
span a year earlier, for period-over-period growth the period before. Every such count is one
figure of `coopanalysis.publish.figures.Figures`, keyed by the requests it counts — (selection,
first day, last day), the selection being a group of a breakdown (("platform",), ("Telegram",))
or the total (((), ())) — so a base and the count it repeats are hidden or shown together.

Lines (no line may hold exactly one hidden figure):
- per span and breakdown, the groups' figures, plus the total's figure when the breakdown is
  complete (every request in exactly one group: platform, crime type), since they add up to it;
- per group, its figures over all spans, and per total table, all its figures (conservative:
  a total over time may be printed elsewhere);
- a span with pieces tiling it (quarters of a year) together with the pieces.
A growth rate is hidden wherever its count or base is (a rate and one count give the other).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from typing import Literal

import polars as pl

from coopanalysis.core.periods import year_before
from coopanalysis.publish.disclosure import WITHHELD, hidden_column
from coopanalysis.publish.figures import Figures, tiling_lines

Base = Literal["year", "previous"]
"""What a table's `base` counts: the same span a year earlier, or the group's previous period."""
COMPLETE = ("platform", "crime_type")
"""Breakdowns whose groups add up to the total (each request has one platform, one crime type)."""

TOTAL = ((), ())
"""The selection of a total: no breakdown, no group."""
GrowthTable = tuple[Sequence[str], pl.DataFrame, Base]
"""(breakdown columns, () for the total; growth frame; what its base counts)."""


def growth_keys(df: pl.DataFrame, by: Sequence[str], base: Base) -> list[tuple[Hashable, Hashable | None]]:
    """Per row of a growth frame (period_start, period_end, `by`, requests, base): the keys of its
    count and of its base (None where the row has no base)."""
    by = list(by)
    selection = [(tuple(by), tuple(r[c] for c in by)) for r in df.select(by).iter_rows(named=True)] \
        if by else [TOTAL] * df.height
    spans = list(zip(df["period_start"].to_list(), df["period_end"].to_list(), strict=True))
    counts = [(sel, s, e) for sel, (s, e) in zip(selection, spans, strict=True)]
    previous: dict[int, Hashable | None] = {}
    last: dict[Hashable, Hashable] = {}
    for i in sorted(range(df.height), key=lambda i: spans[i][0]):  # each group's previous period
        previous[i] = last.get(selection[i])
        last[selection[i]] = counts[i]
    bases: list[Hashable | None] = []
    for i, (sel, (s, e)) in enumerate(zip(selection, spans, strict=True)):
        if df["base"][i] is None:
            bases.append(None)
        else:
            bases.append((sel, year_before(s), year_before(e)) if base == "year" else previous[i])
    return list(zip(counts, bases, strict=True))


def hide_growth_tables(tables: Sequence[GrowthTable], *, threshold: int,
                       selected: tuple[dt.date, dt.date, int] | None = None,
                       force: Iterable[Hashable] = ()) -> list[pl.DataFrame]:
    """Every growth table of one page (see `GrowthTable`) with its counts and bases suppressed as
    one set of figures (module docstring): `requests` and `base` nulled where hidden, labelled in
    `requests_hidden` / `base_hidden` ("<k" or "withheld"), `growth` nulled with a note.
    `selected`: (first day, last day, requests) of the selection, which every page prints: the
    years it spans add up to it. `force`: figure keys (`growth_keys`) hidden from the start, e.g.
    the counts a batch-wide pattern hides (`publish.gate`). A threshold of 0 or 1 returns the frames unchanged."""
    if threshold <= 1:
        return [df for _, df, _ in tables]
    figures = Figures()
    if selected is not None and selected[0] is not None:
        figures.add((TOTAL, selected[0], selected[1]), selected[2])
    keyed = [growth_keys(df, by, base) for by, df, base in tables]
    for (_, df, _), keys in zip(tables, keyed, strict=True):
        for (count, base_key), n, b in zip(keys, df["requests"].to_list(), df["base"].to_list(), strict=True):
            figures.add(count, n)
            if base_key is not None:
                figures.add(base_key, b)
    for (by, _, _), keys in zip(tables, keyed, strict=True):
        _add_lines(figures, tuple(by), [k for pair in keys for k in pair if k is not None])
    tiling_lines(figures, list(figures.values))
    labels = figures.hide(threshold, force=force)
    return [_apply(df, keys, labels, threshold) for (_, df, _), keys in zip(tables, keyed, strict=True)]


def hide_growth(df: pl.DataFrame, *, by: Sequence[str] = (), threshold: int, base: Base = "year",
                selected: tuple[dt.date, dt.date, int] | None = None, force: Iterable[Hashable] = ()) -> pl.DataFrame:
    """One growth table of a page (see `hide_growth_tables`)."""
    return hide_growth_tables([(by, df, base)], threshold=threshold, selected=selected, force=force)[0]


def _add_lines(figures: Figures, by: tuple[str, ...], keys: list[tuple]) -> None:
    """The lines of one table's figures `keys` (selection, first day, last day): per span (with the
    total's figure for a complete breakdown), per group, or all of them for a total table."""
    if not by:
        figures.add_line(keys)
        return
    per_span: dict[tuple, list] = {}
    per_group: dict[Hashable, list] = {}
    for key in keys:
        per_span.setdefault(key[1:], []).append(key)
        per_group.setdefault(key[0], []).append(key)
    complete = len(by) == 1 and by[0] in COMPLETE
    for span, members in per_span.items():
        figures.add_line([*members, *([(TOTAL, *span)] if complete else [])])
    for members in per_group.values():
        figures.add_line(members)


def _apply(df: pl.DataFrame, keys: list[tuple], labels: dict, threshold: int) -> pl.DataFrame:
    """`df` with the hidden counts and bases of `labels` nulled and labelled, growth nulled beside them."""
    count_label = [labels.get(c) for c, _ in keys]
    base_label = [labels.get(b) if b is not None else None for _, b in keys]
    out = df.with_columns(
        pl.Series(hidden_column("requests"), count_label, dtype=pl.String),
        pl.Series(hidden_column("base"), base_label, dtype=pl.String),
    )
    hidden = pl.col(hidden_column("requests")).is_not_null() | pl.col(hidden_column("base")).is_not_null()
    return out.with_columns(
        requests=pl.when(pl.col(hidden_column("requests")).is_null()).then(pl.col("requests")),
        base=pl.when(pl.col(hidden_column("base")).is_null()).then(pl.col("base")),
        growth=pl.when(~hidden).then(pl.col("growth")),
        growth_note=pl.when(hidden).then(pl.lit(f"{WITHHELD}: a count below {threshold} or protecting one"))
        .otherwise(pl.col("growth_note")),
    )


def hide_cagr(cagr: pl.DataFrame, yearly: pl.DataFrame, *, by: Sequence[str] = (), threshold: int) -> pl.DataFrame:
    """Null a CAGR and its first/last values where the first or last year's count is hidden in
    `yearly` (a `hide_growth_tables` frame): a growth rate and one count give the other."""
    if threshold <= 1 or hidden_column("requests") not in yearly.columns:
        return cagr
    by = list(by)
    years = yearly.select(*by, _year=pl.col("period_start").dt.year().cast(pl.Int32),
                          _label=pl.col(hidden_column("requests")))
    out = cagr.with_row_index("_row").with_columns(pl.col("first_year", "last_year").cast(pl.Int32))
    for end in ("first", "last"):
        out = out.join(years.rename({"_year": f"{end}_year", "_label": hidden_column(f"{end}_value")}),
                       on=[*by, f"{end}_year"], how="left", nulls_equal=True)
    hidden = pl.col(hidden_column("first_value")).is_not_null() | pl.col(hidden_column("last_value")).is_not_null()
    return out.with_columns(
        first_value=pl.when(pl.col(hidden_column("first_value")).is_null()).then(pl.col("first_value")),
        last_value=pl.when(pl.col(hidden_column("last_value")).is_null()).then(pl.col("last_value")),
        cagr=pl.when(~hidden).then(pl.col("cagr")),
        cagr_note=pl.when(hidden).then(pl.lit(f"{WITHHELD}: a count below {threshold} or protecting one"))
        .otherwise(pl.col("cagr_note")),
    ).sort("_row").drop("_row")
