"""Calendar periods as explicit date ranges (period_start, period_end inclusive)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from coopanalysis.core.i18n import current_language
from coopanalysis.core.types import Period

EVERY: dict[str, str] = {
    "day": "1d",
    "week": "1w",
    "month": "1mo",
    "quarter": "1q",
    "half_year": "6mo",
    "year": "1y",
}
"""Period name → polars duration string."""


def period_start(date: pl.Expr, period: Period) -> pl.Expr:
    """The first day of the period that contains `date` (weeks start on Monday; halves in January and July)."""
    # Months and years step back by the day of the month / year: the same dates as `dt.truncate`,
    # at about half its cost per row (it runs on every request of a log).
    if period == "month":
        return (date.cast(pl.Int32) - date.dt.day().cast(pl.Int32) + 1).cast(pl.Date)
    if period == "year":
        return (date.cast(pl.Int32) - date.dt.ordinal_day().cast(pl.Int32) + 1).cast(pl.Date)
    return date.dt.truncate(EVERY[period])


def period_end(start: pl.Expr, period: Period) -> pl.Expr:
    """The last day of the period that starts at `start`."""
    return start.dt.offset_by(EVERY[period]).dt.offset_by("-1d")


def period_label(start: pl.Expr, period: Period) -> pl.Expr:
    """A short label a reader knows: 2021, 2021-H1, 2021-Q3, 2021-03, or the ISO date for days and weeks."""
    year = start.dt.year().cast(pl.String)
    if period == "year":
        return year
    if period == "half_year":
        return pl.concat_str(year, pl.lit("-H"), ((start.dt.month() - 1) // 6 + 1).cast(pl.String))
    if period == "quarter":
        return pl.concat_str(year, pl.lit("-Q"), start.dt.quarter().cast(pl.String))
    if period == "month":
        return start.dt.strftime("%Y-%m")
    return start.dt.strftime("%Y-%m-%d")


def is_full_year(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """True where the span start..end is exactly one calendar year (1 January to 31 December)."""
    return (start.dt.ordinal_day() == 1) & (end == start.dt.offset_by("1y").dt.offset_by("-1d"))


def year_before(d: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def month_end(year: int, month: int) -> dt.date:
    """The last day of a calendar month (28, 29, 30 or 31)."""
    first_of_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def year_span(year: int) -> tuple[dt.date, dt.date]:
    """1 January and 31 December of `year`."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def is_full_year_span(start: dt.date, end: dt.date) -> bool:
    """True where start..end is exactly one calendar year: the plain-Python twin of `is_full_year`."""
    return (start, end) == year_span(start.year)


def is_year_to_date(start: dt.date, end: dt.date) -> bool:
    """True where start..end runs from 1 January to a day before 31 December of the same year."""
    first, last = year_span(start.year)
    return start == first and end < last


def days_in_year(year: pl.Expr) -> pl.Expr:
    """365 or 366 for each year of an integer column."""
    return (pl.date(year + 1, 1, 1) - pl.date(year, 1, 1)).dt.total_days()


DAY_MONTH = {"en": "%-d %b", "ko": "%-m월 %-d일"}
"""strftime format of a day of the year as a period label writes it, by language ("1 Jan", "1월 1일")."""


def day_month_format() -> str:
    """The strftime format of a day within a year in the page's language (:data:`DAY_MONTH`)."""
    return DAY_MONTH.get(current_language(), DAY_MONTH["en"])


def day_month(d: dt.date) -> str:
    """`d` as a day within its year in the page's language: "1 Jan", "1월 1일"."""
    return d.strftime(day_month_format())
