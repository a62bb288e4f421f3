"""Every closed set of option values the package accepts, as `Literal` types, in one place.

A function that takes one of these says so in its signature; the tuples beside them are the same
values for checking a parameter at run time (`typing.get_args` of the Literal)."""

from __future__ import annotations

from typing import Literal, get_args

Period = Literal["day", "week", "month", "quarter", "half_year", "year"]
"""Calendar periods a count can be grouped by (periods are explicit date ranges)."""

Kind = Literal["requests", "counts"]
"""The two canonical tables a loader produces: request logs and published aggregates."""

Method = Literal["run_rate", "seasonal_share"]
"""Year-end projection methods."""

Phase = Literal["before", "after"]
"""Telegram's answering before and after its change in late 2024."""

Status = Literal["shown", "small", "withheld"]
"""How a published figure appears: its number, "<k" (a small count), or withheld to protect one."""

Measure = Literal["requests", "answered"]
"""What a published count counts: requests, or the answered ones among them (`publish.ledger`)."""

ChartFormat = Literal["png", "svg"]
"""Formats a chart is exported to."""

OutputFormat = Literal["csv", "parquet", "hive"]
"""Formats a synthetic log is written in."""

PERIODS: tuple[str, ...] = get_args(Period)
STATUSES: tuple[str, ...] = get_args(Status)
MEASURES: tuple[str, ...] = get_args(Measure)
