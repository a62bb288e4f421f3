"""Checks of report parameters, shared by every report.

A notebook's parameters cell holds literals; the report facade checks each one here (type,
allowed values, date range) and stops with one `ParameterError` that names the parameter
and lists the valid values, before any data is read or drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from coopanalysis.errors import ParameterError


def parse_date_parameter(name: str, value: object) -> dt.date | None:
    """A date parameter written as "YYYY-MM-DD" (or "" for "from the data")."""
    if value in ("", None):
        return None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ParameterError(f"{name} must be a date written as 'YYYY-MM-DD', not {type(value).__name__} {value!r}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ParameterError(f"{name} must be a date written as 'YYYY-MM-DD', not {value!r}") from None


def check_range(start: dt.date | None, end: dt.date | None) -> None:
    """Stop when both dates are given and `start` is after `end`."""
    if start and end and start > end:
        raise ParameterError(f"empty date range: start {start} is after end {end}")


def check_names(name: str, value: object, valid: Sequence[str]) -> list[str]:
    """A list-of-names parameter: must be a list of strings, each one of `valid` (empty list = all)."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ParameterError(f"{name} must be a list of names such as {list(valid)[:2]!r}, not {value!r}")
    unknown = [v for v in value if v not in valid]
    if unknown:
        raise ParameterError(
            f"{name}: unknown {', '.join(map(repr, unknown))}. Valid values: {', '.join(map(repr, sorted(valid)))}"
        )
    return list(value)


def check_choice(name: str, value: object, valid: Sequence[str]) -> str:
    """A parameter that must be one of a few words."""
    if value not in valid:
        raise ParameterError(f"{name} must be one of {', '.join(map(repr, valid))}, not {value!r}")
    return str(value)


def check_suppress_below(value: object) -> int:
    """The disclosure threshold parameter: a whole number ≥ 0 (0 or 1: nothing hidden)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParameterError(
            f"suppress_below must be a whole number of at least 0 (0 shows every count), not {value!r}"
        )
    return value


def check_top(value: object) -> int:
    """How many rows a ranking shows: a whole number ≥ 1."""
    if not isinstance(value, int) or value < 1:
        raise ParameterError(f"top must be a whole number of at least 1, not {value!r}")
    return value
