"""The input a report works on: a request log or the published KNPA series, loaded and selected.

`load_source` takes a report's `data` and selection parameters and returns a `Source`: the
selected rows (request log) or spans (published series) and an `InputSummary` saying what
was read, kept, rejected and selected. Every report facade starts here, so the same `data`
parameter takes either kind of input (`is_request_log`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from coopanalysis.core.types import PERIODS
from coopanalysis.errors import ParameterError
from coopanalysis.io.published import load_knpa_series
from coopanalysis.io.requests import LoadResult
from coopanalysis.io.sources import is_request_log
from coopanalysis.reports import inputs
from coopanalysis.reports.params import check_choice
from coopanalysis.transforms.volumes import filter_requests

SYNTHETIC_PREFIX = "SYN-"
"""How `coopanalysis synth` begins every request id (data/README.md): a log holding one is synthetic."""

ALL_PUBLISHED = "all overseas IT companies"
"""The published series' provider selected when a report on it names no platform."""


@dataclass
class InputSummary:
    """What was read and what the report works on: rows read / kept / rejected, and the selection."""

    source: str
    kind: str  # "request log" or "published series"
    rows_read: int
    rows_kept: int
    rows_rejected: int
    rejected_by_reason: dict[str, int]
    selected: int  # requests (request log) or requests summed over the selected spans (published series)
    start: dt.date | None
    end: dt.date | None
    platforms: list[str]
    agencies: list[str]
    available_platforms: list[str]
    period: str
    suppress_below: int = 0  # counts below this are hidden (0: nothing hidden)
    extent: tuple[dt.date, dt.date] | None = None  # first and last day of the whole input (every platform)
    synthetic: bool = False  # a generated log (its request ids start with SYNTHETIC_PREFIX): not real figures

    @property
    def is_empty(self) -> bool:
        return self.selected == 0

    @property
    def selected_hidden(self) -> bool:
        """True when the selection itself counts fewer requests than the disclosure threshold."""
        return 0 < self.selected < self.suppress_below

    @property
    def file_name(self) -> str:
        return Path(self.source).name


@dataclass(frozen=True)
class Source:
    """A report's loaded input: its summary and the rows or spans selected."""

    summary: InputSummary
    log: pl.LazyFrame | None  # request log rows for the chosen platforms/agencies, all dates
    requests: pl.LazyFrame | None  # request log rows in the selection
    counts: pl.LazyFrame | None  # published spans in the selection (platform column)
    load: LoadResult | None = None  # the full validated request log (every platform, every date)


def load_source(data: str, *, start: str, end: str, platforms: Sequence[str], agencies: Sequence[str],
                period: str, suppress_below: int = 0, mapping: str = "") -> Source:
    """Check the selection parameters and load `data`: a request log (its headers and values mapped by
    the TOML file `mapping`, if any), or the published KNPA series (by file name). Raises
    ParameterError with the valid values."""
    if is_request_log(data):
        return _log_source(data, start=start, end=end, platforms=platforms, agencies=agencies, period=period,
                           suppress_below=suppress_below, mapping=mapping)
    if agencies:
        raise ParameterError("agencies: the published series is not broken down by agency; leave agencies empty")
    if mapping:
        raise ParameterError("mapping: the published series is read as published; leave mapping empty")
    check_choice("period", period, PERIODS)
    return _series_source(data, start=start, end=end, platforms=platforms, suppress_below=suppress_below)


def _log_source(data: str, *, start: str, end: str, platforms: Sequence[str], agencies: Sequence[str],
                period: str, suppress_below: int, mapping: str = "") -> Source:
    """A request log: the selected rows, and the chosen platforms' and agencies' rows of every date."""
    sel = inputs.select_requests(data, start=start, end=end, platforms=platforms, agencies=agencies, period=period,
                                 mapping=mapping)
    summary = sel.load.summary()
    log = filter_requests(sel.load.data, platforms=sel.platforms, agencies=sel.agencies)
    info = InputSummary(
        source=sel.source, kind="request log", rows_read=summary["rows_read"], rows_kept=summary["rows_kept"],
        rows_rejected=summary["rows_rejected"], rejected_by_reason=dict(summary["rejected_by_reason"]),
        selected=sel.rows, start=sel.start, end=sel.end, platforms=sel.platforms, agencies=sel.agencies,
        available_platforms=[p for p in sel.available_platforms if p is not None], period=period,
        suppress_below=suppress_below, extent=_extent(sel.load.data, "requested_on", "requested_on"),
        synthetic=is_synthetic(sel.load.data),
    )
    return Source(info, log, sel.requests, None, sel.load)


def _series_source(data: str, *, start: str, end: str, platforms: Sequence[str], suppress_below: int) -> Source:
    """The published series: its spans in the selection, as (period_start, period_end, platform, requests)."""
    series = inputs.select_series(data, start=start, end=end, providers=list(platforms) or [ALL_PUBLISHED])
    counts = series.counts.filter(pl.col("requests").is_not_null()).select(
        "period_start", "period_end", platform=pl.col("provider"), requests=pl.col("requests")
    ).sort("period_start", "platform")
    total, first, last = counts.select(
        pl.col("requests").sum(), pl.col("period_start").min(), pl.col("period_end").max()
    ).collect().row(0)
    providers = load_knpa_series(series.source).counts.select(pl.col("provider").unique().sort())
    set_aside = series.set_aside
    info = InputSummary(
        source=series.source, kind="published series", rows_read=series.rows_read,
        rows_kept=series.rows_read - set_aside.height, rows_rejected=set_aside.height,
        rejected_by_reason=dict(set_aside.group_by("reason").len().iter_rows()) if set_aside.height else {},
        selected=int(total or 0), start=series.start or first, end=series.end or last,
        platforms=series.providers, agencies=[], available_platforms=providers.collect().to_series().to_list(),
        period="year", suppress_below=suppress_below,
        extent=_extent(load_knpa_series(series.source).counts, "period_start", "period_end"),
    )
    return Source(info, None, None, counts)


def _extent(lf: pl.LazyFrame, first: str, last: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day the rows of `lf` cover (None when it has none)."""
    low, high = lf.select(pl.col(first).min().alias("_first"), pl.col(last).max().alias("_last")).collect().row(0)
    return None if low is None else (low, high)


def is_synthetic(lf: pl.LazyFrame) -> bool:
    """Whether a request log holds a generated request (`request_id` starting with SYNTHETIC_PREFIX)."""
    if "request_id" not in lf.collect_schema().names():
        return False
    return bool(lf.select(pl.col("request_id").str.starts_with(SYNTHETIC_PREFIX).any()).collect().item())
