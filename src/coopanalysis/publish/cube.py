"""One suppression pattern for every count of requests by period and platform, across a batch.

Reports published side by side give an attacker more than each page does: a quarter on one
page minus the months shown on another gives back a hidden month. So the pattern is not decided
table by table. It is decided once, over the whole *cube* of a request log: requests per
calendar month and platform, with every margin a report can show — quarters, half-years, years
and the whole log, per platform and for all platforms together. Every report that shows a count
by period and platform takes its hidden/shown status from this one pattern, so the union of all
pages shows no more than the cube does, and the cube withstands the differencing attack.

The pattern is a function of the log and k alone (never of the report asking), so every report
of a batch, in any process, finds the same pattern.

Rules, as in `publish.suppression`, applied to every *line* of the cube (a node and the nodes
that add up to it: the platforms of one period plus their total; the months of a quarter, the
quarters of a half-year, the halves of a year, the years of the log, each plus its total) until
nothing changes: a count in 1..k-1 is hidden; a line with exactly one hidden node, or hidden nodes
adding up to less than k, hides its smallest other positive node.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from coopanalysis.core.periods import period_start
from coopanalysis.publish.figures import Figures

ALL = "\u0000all"
"""The platform key of a total over all platforms (a key no platform name can be)."""

LEVELS = ("month", "quarter", "half_year", "year", "all")
CHILD = {"quarter": "month", "half_year": "quarter", "year": "half_year", "all": "year"}

Node = tuple[str, dt.date, str]
"""(level, first day of the period, platform or ALL); the "all" level starts on the log's first month."""


@dataclass(frozen=True)
class Pattern:
    """The cube's counts and which of them are hidden (`small`: 1..k-1, `withheld`: to protect one)."""

    counts: dict[Node, int]
    small: frozenset[Node]
    withheld: frozenset[Node]

    def status(self, level: str, start: dt.date, platform: str | None) -> str:
        """"shown", "small", "withheld" — or "outside" for a node the cube does not hold."""
        node = (level, start, platform or ALL)
        if node not in self.counts:
            return "outside"
        return "small" if node in self.small else "withheld" if node in self.withheld else "shown"


def month_counts(log: pl.LazyFrame) -> pl.DataFrame:
    """Requests per (month, platform) of a canonical request log: month, platform, requests."""
    return (
        log.group_by(month=period_start(pl.col("requested_on"), "month"), platform=pl.col("platform"))
        .agg(requests=pl.len())
        .sort("month", "platform")
        .collect()
    )


def node_start(level: str, month: dt.date, first: dt.date) -> dt.date:
    """The first day of the `level` period holding `month` (the log's first month for "all")."""
    if level == "month":
        return month
    if level == "quarter":
        return month.replace(month=(month.month - 1) // 3 * 3 + 1)
    if level == "half_year":
        return month.replace(month=1 if month.month <= 6 else 7)
    if level == "year":
        return month.replace(month=1)
    return first


def cube_counts(months: pl.DataFrame) -> dict[Node, int]:
    """Every node of the cube (each level, each platform and ALL) with its count; months absent
    from `months` between its first and last month count 0."""
    if months.height == 0:
        return {}
    first, last = months["month"].min(), months["month"].max()
    platforms = sorted(months["platform"].unique().to_list())
    by_cell = {(m, p): n for m, p, n in months.select("month", "platform", "requests").iter_rows()}
    counts: dict[Node, int] = {}
    for month in _months(first, last):
        for platform in platforms:
            n = by_cell.get((month, platform), 0)
            for level in LEVELS:
                start = node_start(level, month, first)
                for key in (platform, ALL):
                    counts[(level, start, key)] = counts.get((level, start, key), 0) + n
    return counts


def _months(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    month = first
    while month <= last:
        yield month
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def lines(counts: dict[Node, int]) -> list[list[Node]]:
    """Every line of the cube: a total first, then the nodes that add up to it."""
    out: list[list[Node]] = []
    by_level_start: dict[tuple[str, dt.date], list[Node]] = {}
    for node in counts:
        by_level_start.setdefault((node[0], node[1]), []).append(node)
    for (level, start), members in by_level_start.items():
        out.append([(level, start, ALL), *sorted(n for n in members if n[2] != ALL)])
    children: dict[Node, list[Node]] = {}
    first = min(n[1] for n in counts)
    for level, start, key in counts:
        if level == "month":
            continue
        children.setdefault((level, start, key), [])
    for level, start, key in counts:
        if level == "all":
            continue
        parent_level = next(p for p, c in CHILD.items() if c == level)
        parent = (parent_level, node_start(parent_level, start, first), key)
        children[parent].append((level, start, key))
    out += [[parent, *sorted(kids)] for parent, kids in children.items() if len(kids) > 1]
    return out


def suppress_cube(counts: dict[Node, int], *, threshold: int) -> Pattern:
    """The hidden nodes of the cube under the rules of the module docstring: the cube's lines go
    through `publish.figures.Figures`, the one implementation of the line rule, with the nodes
    registered coarsest level last (ties between equal counts go to the finer, earlier node)."""
    figures = Figures()
    for node in sorted(counts, key=lambda n: (LEVELS.index(n[0]), n[1], n[2])):
        figures.add(node, counts[node])
    for line in lines(counts):
        figures.add_line(line)
    hidden = set(figures.hide(threshold))
    small = {n for n in hidden if 0 < counts[n] < threshold}
    return Pattern(counts, frozenset(small), frozenset(hidden - small))
