"""Checks of report parameters, shared by every report.

A notebook's parameters cell holds literals; the report facade checks each one here (type,
allowed values, date range) and stops with one `ParameterError` that names the parameter
and lists the valid values, before any data is read or drawn.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence

import polars as pl

from coopanalysis.core.names import PLATFORM_NAMES, platform_name
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
            f"{name}: unknown {', '.join(map(repr, unknown))}{did_you_mean(unknown, valid)}. "
            f"Valid values: {', '.join(map(repr, sorted(valid)))}"
        )
    return list(value)


def did_you_mean(unknown: Sequence[str], valid: Sequence[str]) -> str:
    """' (did you mean Telegram?)' naming the closest valid spelling of each unknown name (ignoring
    case); '' when none is close."""
    lower = {v.lower(): v for v in valid}
    matches = (difflib.get_close_matches(u.strip().lower(), lower, n=1, cutoff=0.8) for u in unknown)
    close = [lower[m[0]] for m in matches if m]
    return f" (did you mean {', '.join(dict.fromkeys(close))}?)" if close else ""


def platform_names(name: str, value: object, *, registered_only: bool = False) -> list[str]:
    """A list of platform names in the reports' spelling ("telegram", "텔레그램" → "Telegram": the loader's
    normaliser); other names are kept as written, for the data to judge. With `registered_only`
    (the batch, before any data is read), a name not registered but close to a registered one
    ("Telegarm") stops with "did you mean Telegram"."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ParameterError(f"{name} must be a list of names such as ['Telegram', 'Google'], not {value!r}")
    names = [platform_name(v) for v in value]
    registered = sorted(set(PLATFORM_NAMES.values()))
    typos = [n for n in names if n not in registered and did_you_mean([n], registered)] if registered_only else []
    if typos:
        raise ParameterError(f"{name}: unknown {', '.join(map(repr, typos))}{did_you_mean(typos, registered)}")
    return list(dict.fromkeys(names))


def chosen_year(year: object, yearly: pl.DataFrame) -> int:
    """The year a growth page reports on: `year` when given (a whole number other than 0), else the latest
    full calendar year of the `yearly` rows (period_start, period_end), else their latest year (this year
    when there are none)."""
    if isinstance(year, bool) or not isinstance(year, int) or (year != 0 and not 1900 <= year <= 2200):
        raise ParameterError(f"year must be a calendar year such as 2023 (0 for the latest full year), not {year!r}")
    if year:
        return year
    full = yearly.filter((pl.col("period_start").dt.ordinal_day() == 1) & (pl.col("period_end").dt.month() == 12)
                         & (pl.col("period_end").dt.day() == 31)
                         & (pl.col("period_start").dt.year() == pl.col("period_end").dt.year()))
    rows = full if full.height else yearly
    return int(rows["period_start"].dt.year().max()) if rows.height else dt.date.today().year


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
