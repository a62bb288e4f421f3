"""Which counts by period and platform a page must hide because the batch-wide pattern hides them.

A report on a request log shared under k > 1 asks `page_gate` for the `publish.gate.Gate` of its
full log (every platform, every date, before the page's selection) and forces hidden, before its
own complementary suppression runs, every count by period and platform the gate does not show.
Reports on the published KNPA series (not a request log) and reports with an `agencies` filter
get no gate: they keep their per-page suppression only (the cube counts requests by period and
platform of the whole log, not of one agency's requests).

The helpers return the forced entries in the form each suppression takes: (row, column) pairs for
`disclosure.hide_two_way`, figure keys for `publish.growth.hide_growth_tables`, one flag per row
for `disclosure.hide_shares`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence

import polars as pl

from coopanalysis.publish.gate import Gate, gate
from coopanalysis.publish.growth import TOTAL, GrowthTable, growth_keys
from coopanalysis.publish.suppression import MARGIN
from coopanalysis.reports.source import InputSummary, Source


def page_gate(src: Source, threshold: int) -> Gate | None:
    """The gate of `src`'s full log under k = `threshold`; None for the published series, an
    `agencies` filter or k <= 1 (the page keeps its own suppression only)."""
    if threshold <= 1 or src.load is None or src.summary.agencies:
        return None
    return gate(src.load, threshold=threshold)


def platforms_of(info: InputSummary) -> list[str] | None:
    """The platforms a row without a platform counts: the selection's, None for all of the log."""
    return list(info.platforms) or None


def _clip(info: InputSummary, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """A calendar period's days inside the selection (a row of the selected requests counts those)."""
    return max(start, info.start), min(end, info.end)


def selected_shown(g: Gate | None, info: InputSummary) -> bool:
    """True when the gate shows the selection's total (every page prints it)."""
    return g is None or g.shown(info.start, info.end, platforms_of(info))


def two_way_force(g: Gate | None, info: InputSummary, volumes: pl.DataFrame, *,
                  rows: str = "period_start", cols: str = "platform") -> set[tuple[object, object]]:
    """The entries of a period × platform table of the selected requests (period_start,
    period_end, platform) and of its margins that the gate hides, for `hide_two_way(force=...)`."""
    if g is None:
        return set()
    out: set[tuple[object, object]] = set()
    periods = volumes.select("period_start", "period_end").unique()
    for r in volumes.iter_rows(named=True):
        if not g.shown(*_clip(info, r["period_start"], r["period_end"]), [r[cols]]):
            out.add((r[rows], r[cols]))
    for start, end in periods.iter_rows():
        if not g.shown(*_clip(info, start, end), platforms_of(info)):
            out.add((start, MARGIN))
    for platform in volumes[cols].unique().to_list():
        if not g.shown(info.start, info.end, [platform]):
            out.add((MARGIN, platform))
    if not selected_shown(g, info):
        out.add((MARGIN, MARGIN))
    return out


def _key_platforms(info: InputSummary, selection: Hashable) -> list[str] | None | bool:
    """The platforms a growth figure's selection counts; False for a breakdown other than platform."""
    if selection == TOTAL:
        return platforms_of(info)
    by, group = selection  # type: ignore[misc]
    return [group[0]] if tuple(by) == ("platform",) else False


def growth_force(g: Gate | None, info: InputSummary, tables: Sequence[GrowthTable]) -> list[Hashable]:
    """The figure keys of a page's growth tables (and of the selection's total) that the gate
    hides, for `hide_growth_tables(force=...)`. Counts of a "previous" table are of the selected
    requests (cut to the selection); yearly spans are the spans counted."""
    if g is None:
        return []
    out: list[Hashable] = [] if selected_shown(g, info) else [(TOTAL, info.start, info.end)]
    for by, df, base in tables:
        for count, base_key in growth_keys(df, by, base):
            for key in (count, base_key):
                if key is None:
                    continue
                platforms = _key_platforms(info, key[0])
                if platforms is False:
                    continue
                span = _clip(info, key[1], key[2]) if base == "previous" else (key[1], key[2])
                if not g.shown(*span, platforms):  # type: ignore[arg-type]
                    out.append(key)
    return out


def row_force(g: Gate | None, info: InputSummary, df: pl.DataFrame) -> list[bool] | None:
    """Per row of a frame of the selected requests — with or without period_start/period_end
    (default: the whole selection) and platform (default: the selection's platforms) — True
    where the gate hides its count, for `hide_shares(force=...)`."""
    if g is None:
        return None
    out = []
    for r in df.iter_rows(named=True):
        span = _clip(info, r["period_start"], r["period_end"]) if "period_start" in r else (info.start, info.end)
        platforms = [r["platform"]] if "platform" in r else platforms_of(info)
        out.append(not g.shown(*span, platforms))
    return out


def shown_span(g: Gate | None, info: InputSummary):
    """A test of a span (first day, last day) of the selection's platforms: True when the gate
    shows its count (always, without a gate), for `yearly.hide_projection`."""
    return lambda span: g is None or g.shown(span[0], span[1], platforms_of(info))
