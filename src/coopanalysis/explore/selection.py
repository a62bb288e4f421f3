"""What an exploration has selected: a frozen `Selection`, and how the chart's selections become one.

The volume chart's brush gives a time range (epoch milliseconds on a UTC scale) and its
platform selection gives a list of `{"platform": name}` points; the controls give agencies, crime
types and the period. `Selection.parameters()` writes the selection as a report's parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from coopanalysis.core.types import PERIODS
from coopanalysis.errors import ParameterError

DAY_MS = 86_400_000


@dataclass(frozen=True)
class Selection:
    """A time range (inclusive days; None for the log's first or last day), platforms, agencies and
    crime types (empty for all) and the report period (day … year)."""

    start: dt.date | None = None
    end: dt.date | None = None
    platforms: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    crime_types: tuple[str, ...] = ()
    period: str = "quarter"

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise ParameterError(f"period: {self.period!r} is not one of {', '.join(PERIODS)}")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ParameterError(f"the selection starts on {self.start} after it ends on {self.end}")
        for name in ("platforms", "agencies", "crime_types"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))

    def with_(self, **changes: Any) -> Selection:
        """A copy with `changes` (lists become tuples)."""
        return replace(self, **{k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()})

    def parameters(self) -> dict[str, Any]:
        """The selection as a report's parameters (start, end, platforms, agencies, period).

        The reports take no crime type selection: a selection of crime types raises ParameterError."""
        if self.crime_types:
            raise ParameterError(
                "crime_types: the reports take no crime type selection, so this view cannot become a report "
                f"as it is (selected: {', '.join(self.crime_types)}); clear the crime types first"
            )
        return {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "platforms": list(self.platforms),
            "agencies": list(self.agencies),
            "period": self.period,
        }


def day_of(ms: float) -> dt.date:
    """The UTC day of an epoch-milliseconds instant (how vega hands a brushed date to Python)."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(ms // DAY_MS))


def brushed_days(value: Mapping[str, Sequence[Any]] | None, field: str) -> tuple[dt.date | None, dt.date | None]:
    """(first, last) day of an interval selection's value on `field`; (None, None) when nothing is
    brushed. Values may be epoch milliseconds or ISO date strings."""
    if not value or not value.get(field):
        return None, None
    low, high = (_as_day(v) for v in value[field][:2])
    return (low, high) if low <= high else (high, low)


def _as_day(v: Any) -> dt.date:
    if isinstance(v, (int, float)):
        return day_of(v)
    return dt.date.fromisoformat(str(v)[:10])


def clicked(value: Iterable[Mapping[str, Any]] | None, field: str) -> tuple[str, ...]:
    """The `field` values of a point selection's value (a list of points); () when none is clicked."""
    return tuple(sorted({str(p[field]) for p in (value or []) if p.get(field) is not None}))
