"""The batch-wide pattern (`publish.cube`) asked about any count by period and platform a page prints.

Every report on a request log that publishes counts under k > 1 asks the `Gate` of its log before
its own suppression runs: a count the gate does not call "shown" is forced hidden on the page, so
all pages of a shared folder together show no more than the cube does.

- A count is a *node* of the cube when its span is one whole calendar month, quarter, half-year or
  year inside the log's months (or the whole log), and its platforms are one platform or every
  platform of the log: its status is the pattern's ("shown", "small" or "withheld").
- Any other count (a partial period at the edge of a date-restricted selection, a total over two
  or more platforms but not all, a span of whole months that is no calendar period) is "shown"
  only when it is made of whole months and every (month, platform) node inside it is shown — a sum
  of shown nodes reveals nothing new — and "withheld" otherwise.

The gate is a function of the full validated log and k alone, computed once per process per
(log fingerprint, k).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from coopanalysis.io.requests import LoadResult
from coopanalysis.publish.cube import (
    ALL,
    Pattern,
    cube_counts,
    month_counts,
    node_start,
    suppress_cube,
)

SHOWN = "shown"
_SUBSET = object()  # the key of a total over some platforms, not one nor all: no node
_CACHE: dict[tuple[str, int], Gate] = {}


def _next_month(m: dt.date) -> dt.date:
    return dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def _month_end(m: dt.date) -> dt.date:
    return _next_month(m) - dt.timedelta(days=1)


LENGTH = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


@dataclass(frozen=True)
class Gate:
    """The pattern of one log and what it needs to place a span: the log's first and last month, its
    platforms, and its first and last day (no request lies outside them: a span reaching past the
    log's last day counts what the log's last month does)."""

    pattern: Pattern
    first: dt.date
    last: dt.date
    platforms: tuple[str, ...]
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    def status(self, start: dt.date, end: dt.date, platforms: Sequence[str] | None = None) -> str:
        """"shown", "small" or "withheld" for the count of `platforms` (None or every platform of the
        log: all of them) from `start` to `end` inside the log (see the module docstring)."""
        chosen = sorted(set(platforms or self.platforms))
        key = None if set(chosen) == set(self.platforms) else chosen[0] if len(chosen) == 1 else _SUBSET
        if self.first_day is not None and start <= self.first_day:
            start = self.first
        if self.last_day is not None and end >= self.last_day:
            end = _month_end(self.last)
        start, end = max(start, self.first), min(end, _month_end(self.last))
        if start > end:
            return SHOWN  # nothing of the log inside: a count of zero
        if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
            return "withheld"
        if key is not _SUBSET:
            statuses = [self.pattern.status(level, node, key) for level, node in self._nodes(start, end)]
            statuses = [s for s in statuses if s != "outside"]
            if statuses:
                return next((s for s in ("small", "withheld") if s in statuses), SHOWN)
        months = []
        m = start
        while m <= end:
            months.append(m)
            m = _next_month(m)
        inside = [self.pattern.status("month", m, p) for m in months for p in chosen]
        return SHOWN if all(s in (SHOWN, "outside") for s in inside) else "withheld"

    def shown(self, start: dt.date, end: dt.date, platforms: Sequence[str] | None = None) -> bool:
        """True when the gate shows the count (see `status`)."""
        return self.status(start, end, platforms) == SHOWN

    def _nodes(self, start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
        """(level, node start) of every cube node whose months are exactly start..end: a calendar
        period cut to the log's months, or the whole log (whole months already checked)."""
        out = []
        for level, n in LENGTH.items():
            first = node_start(level, start, self.first)
            last = first
            for _ in range(n - 1):
                last = _next_month(last)
            if max(first, self.first) == start and min(_month_end(last), _month_end(self.last)) == end:
                out.append((level, first))
        if start == self.first and end == _month_end(self.last):
            out.append(("all", self.first))
        return out


def gate(load: LoadResult, *, threshold: int) -> Gate | None:
    """The gate of the full validated log `load` (kept rows: every platform, every date) under k =
    `threshold`; None when nothing is hidden (k <= 1) or the log is empty. Cached by fingerprint."""
    if threshold <= 1:
        return None
    key = (load.fingerprint, threshold)
    if load.fingerprint and key in _CACHE:
        return _CACHE[key]
    months = month_counts(load.data)
    if months.height == 0:
        return None
    pattern = suppress_cube(cube_counts(months), threshold=threshold)
    platforms = tuple(sorted(p for p in months["platform"].unique().to_list() if p is not None))
    days = load.data.select(pl.col("requested_on").min().alias("a"), pl.col("requested_on").max().alias("b"))
    first_day, last_day = days.collect().row(0)
    out = Gate(pattern, months["month"].min(), months["month"].max(), platforms, first_day, last_day)
    if load.fingerprint:
        _CACHE[key] = out
    return out


__all__ = ["ALL", "Gate", "gate"]
