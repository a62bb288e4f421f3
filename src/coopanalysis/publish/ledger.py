"""The published counts of a page, declared in terms of the requests they count: the audit's input.

Every count a shared page prints (a table cell, a chart's data point, a headline, a base of a
growth rate) is one `Count`: the requests of one *universe* (one input file, one agency filter)
whose date lies in `start`..`end`, on the platforms `platforms` (None: every platform of the
universe), optionally split by one more dimension (`dimension` = `values`, e.g. agency = ("Seoul",)),
of one measure ("requests", or "answered": the answered ones among them). Its status is how the
page shows it: "shown" with its `value`, "small" ("<k") or "withheld", with no value.

A page carries its counts as a `Ledger` (JSON, in a ``<script type="application/json">`` block of
the page, see `coopanalysis.html`); `coopanalysis.publish.audit` reads the ledgers of every page of
a folder and runs a reader's linear program over them. A hidden count's value never enters a ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from coopanalysis.errors import CoopAnalysisError
from coopanalysis.core.types import MEASURES, STATUSES, Measure, Status

VERSION = 1


class LedgerError(CoopAnalysisError, ValueError):
    """A ledger that cannot be read (a page edited by hand, or from another version)."""


@dataclass(frozen=True)
class Count:
    """One published count (see the module docstring)."""

    universe: str
    start: dt.date
    end: dt.date
    status: Status
    value: int | None = None
    platforms: tuple[str, ...] | None = None
    measure: Measure = "requests"
    dimension: str | None = None
    values: tuple[str, ...] | None = None
    where: str = ""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        return out


@dataclass(frozen=True)
class Universe:
    """The requests a page counts from: its `platforms` (every one the universe has) and `extent`, the
    first and last day any request of it can fall on (days outside hold none)."""

    key: str
    platforms: tuple[str, ...]
    extent: tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Ledger:
    """Every count one page publishes, with the threshold `k` its page was suppressed at."""

    page: str
    k: int
    universes: tuple[Universe, ...] = ()
    counts: tuple[Count, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION, "page": self.page, "k": self.k,
            "universes": [{"key": u.key, "platforms": list(u.platforms),
                           "extent": [u.extent[0].isoformat(), u.extent[1].isoformat()]} for u in self.universes],
            "counts": [c.to_json() for c in self.counts],
        }


def status_of(value: Any, label: str | None) -> Status | None:
    """How a page shows a count: "shown" (a value), "small" (label "<k"), "withheld"; None: no count."""
    if value is not None and label is None:
        return "shown"
    if label is None:
        return None
    return "small" if str(label).startswith("<") else "withheld"


def count(universe: str, start: dt.date, end: dt.date, value: Any, label: str | None, *,
          platforms: Sequence[str] | None = None, where: str = "", **extra: Any) -> Count | None:
    """A `Count` from a frame's value and its hidden label (`status_of`), or None when there is none."""
    status = status_of(value, label)
    if status is None:
        return None
    shown = int(value) if status == "shown" else None
    values = extra.pop("values", None)
    return Count(universe, start, end, status, shown, tuple(platforms) if platforms is not None else None,
                 values=tuple(values) if values is not None else None, where=where, **extra)


def ledger(page: str, k: int, universes: Iterable[Universe], counts: Iterable[Count | None]) -> Ledger:
    return Ledger(page, k, tuple(universes), tuple(c for c in counts if c is not None))


def _date(raw: Any, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise LedgerError(f"{what}: not a date: {raw!r}") from None


def _names(raw: Any, what: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise LedgerError(f"{what}: not a list of names")
    return tuple(raw)


def read_ledger(data: Any, *, source: str = "page") -> Ledger:
    """A `Ledger` from its JSON form (`Ledger.to_json`); `LedgerError` naming `source` if malformed."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise LedgerError(f"{source}: not a version-{VERSION} ledger of published counts")
    k = data.get("k")
    if not isinstance(k, int) or isinstance(k, bool):
        raise LedgerError(f"{source}: the ledger's k is not a whole number")
    universes = []
    for u in data.get("universes", []):
        extent = u.get("extent") or [None, None]
        universes.append(Universe(str(u.get("key")), _names(u.get("platforms"), f"{source}: universe") or (),
                                  (_date(extent[0], source), _date(extent[1], source))))
    counts = []
    for i, c in enumerate(data.get("counts", [])):
        what = f"{source}: count {i + 1}"
        status, measure, value = c.get("status"), c.get("measure", "requests"), c.get("value")
        if status not in STATUSES or measure not in MEASURES:
            raise LedgerError(f"{what}: unknown status {status!r} or measure {measure!r}")
        if (status == "shown") != isinstance(value, int) or isinstance(value, bool):
            raise LedgerError(f"{what}: a shown count needs a whole-number value and a hidden one none")
        counts.append(Count(str(c.get("universe")), _date(c.get("start"), what), _date(c.get("end"), what), status,
                            value, _names(c.get("platforms"), what), measure, c.get("dimension"),
                            _names(c.get("values"), what), str(c.get("where", ""))))
    return Ledger(str(data.get("page", source)), k, tuple(universes), tuple(counts))
