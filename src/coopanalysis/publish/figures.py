"""The counts one page prints, each once, and the lines that tie them: suppression across tables.

A page shows the same requests more than once — a year's count in one row is the next year's
base in the row below; a platform's yearly counts add up to the total printed in another table;
the quarters of a year add up to the year. Suppressing each table on its own then fails: a
"withheld" cell is printed elsewhere on the page, or comes back as a total minus what is shown.

`Figures` holds one entry per distinct count, keyed by the requests it counts (whatever the
caller chooses, e.g. (dimension, group, first day, last day)): adding a key twice adds nothing,
so two figures that count the same requests are hidden or shown together. A *line* is a set of
figures of which one is the sum of the others (or, conservatively, any set that must not hold
exactly one hidden figure). `hide` applies primary suppression (0 < count < k) and then, as
`coopanalysis.publish.suppression` does for one table, while a line holds exactly one hidden
figure, or hidden figures adding up to less than k (the line gives back their sum), hides its
smallest other figure (positive counts before zeros, ties by the order figures were added).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence

WITHHELD = "withheld"
"""The label of a count hidden to protect another (a small one reads "<k")."""


class Figures:
    """Distinct counts of one page and the lines between them (see the module docstring)."""

    def __init__(self) -> None:
        self.values: dict[Hashable, int] = {}
        self.lines: list[list[Hashable]] = []

    def add(self, key: Hashable, value: int | None) -> None:
        """Register the count `value` of the requests `key` (a null value is no figure). A key
        already registered keeps its first value: the same requests are one figure."""
        if value is not None:
            self.values.setdefault(key, int(value))

    def add_line(self, keys: Iterable[Hashable]) -> None:
        """Register a line: the registered ones among `keys` (each once) must not hold exactly one
        hidden figure. Lines of fewer than two figures are dropped."""
        members = [k for k in dict.fromkeys(keys) if k in self.values]
        if len(members) > 1:
            self.lines.append(members)

    def hide(self, threshold: int, *, force: Iterable[Hashable] = ()) -> dict[Hashable, str]:
        """The hidden figures with their labels: "<k" for a count below the threshold, "withheld"
        for one hidden to protect another (or forced). A threshold of 0 or 1 hides nothing."""
        if threshold <= 1:
            return {}
        order = {k: i for i, k in enumerate(self.values)}
        hidden = {k for k, v in self.values.items() if 0 < v < threshold}
        hidden |= {k for k in force if k in self.values}
        changed = True
        while changed:
            changed = False
            for line in self.lines:
                inside = [k for k in line if k in hidden]
                alone = len(inside) == 1
                if not alone and not (inside and sum(self.values[k] for k in inside) < threshold):
                    continue
                # a line short of k gets positive figures only: hiding a zero adds no uncertainty
                candidates = [k for k in line if k not in hidden and (alone or self.values[k] > 0)]
                if candidates:
                    hidden.add(min(candidates, key=lambda k: (self.values[k] == 0, self.values[k], order[k])))
                    changed = True
        return {k: (f"<{threshold}" if 0 < self.values[k] < threshold else WITHHELD) for k in hidden}


def tiling_lines(figures: Figures, spans: Sequence[tuple[Hashable, dt.date, dt.date]]) -> None:
    """Add a line for every registered span that other registered spans of the same selection tile
    exactly (the quarters of a year, the months of a half-year): the whole and its pieces.
    `spans`: (selection, first day, last day); the figure's key is (selection, first, last)."""
    by_selection: dict[Hashable, set[tuple[dt.date, dt.date]]] = {}
    for selection, start, end in spans:
        by_selection.setdefault(selection, set()).add((start, end))
    for selection, ranges in by_selection.items():
        for start, end in ranges:
            pieces = _tiling(start, end, ranges - {(start, end)})
            if pieces:
                figures.add_line([(selection, start, end), *[(selection, s, e) for s, e in pieces]])


def _tiling(start: dt.date, end: dt.date, ranges: set[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Spans of `ranges` that cover start..end day after day without overlap, taking at each day the
    longest span that starts there and ends inside (e.g. the months of a quarter); [] when none do."""
    inside = sorted((s, e) for s, e in ranges if start <= s and e <= end)
    starts: dict[dt.date, dt.date] = {}
    for s, e in inside:
        starts[s] = max(e, starts.get(s, e))
    pieces, day = [], start
    while day <= end:
        if day not in starts:
            return []
        pieces.append((day, starts[day]))
        day = starts[day] + dt.timedelta(days=1)
    return pieces
