"""What a report works on: its data, checked parameters and the selected rows.

A notebook's parameters cell holds literals; right after it, `select_requests(...)`
or `select_series(...)` checks every parameter (type, allowed values, date range)
and stops with one clear message listing the valid values, then loads the data
(validated, with rows read / kept / rejected) and applies the selection. The checks
themselves are in `coopanalysis.reports.params`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from coopanalysis import paths
from coopanalysis.core.types import PERIODS
from coopanalysis.errors import ParameterError
from coopanalysis.io.published import load_knpa_series
from coopanalysis.io.requests import LoadResult, load_requests
from coopanalysis.reports.params import (
    check_choice,
    check_names,
    check_range,
    parse_date_parameter,
    platform_names,
)
from coopanalysis.transforms.volumes import filter_requests


@dataclass
class RequestSelection:
    """A validated request log and the selected rows of it."""

    source: str
    load: LoadResult
    requests: pl.LazyFrame
    start: dt.date
    end: dt.date
    period: str
    platforms: list[str]
    agencies: list[str]
    available_platforms: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Number of selected requests."""
        return int(self.requests.select(pl.len()).collect().item())

    @property
    def is_empty(self) -> bool:
        return self.rows == 0

    def describe(self) -> str:
        """One sentence saying what is selected."""
        who = ", ".join(self.platforms) if self.platforms else "all platforms"
        by = f" by {', '.join(self.agencies)}" if self.agencies else ""
        return f"requests to {who}{by} from {self.start:%d %B %Y} to {self.end:%d %B %Y}"


def select_requests(
    data: str,
    *,
    start: str = "",
    end: str = "",
    platforms: Sequence[str] = (),
    agencies: Sequence[str] = (),
    period: str = "month",
    mapping: str = "",
) -> RequestSelection:
    """Check the report parameters, load the request log `data` (validated), and select the rows.

    `data` is a path (CSV, Parquet file or hive folder, XLSX) absolute or relative to the project's
    data/ folder; "" means the bundled synthetic sample. `mapping` is a TOML file mapping the log's
    headers and values onto the canonical ones (found like `data`; "" for none). Platform names go
    through the loader's normaliser ("telegram", "텔레그램" → "Telegram"). Raises ParameterError with
    the valid values.
    """
    if not isinstance(data, str):
        raise ParameterError(f"data must be a path written as text, not {data!r}")
    check_choice("period", period, PERIODS)
    first, last = parse_date_parameter("start", start), parse_date_parameter("end", end)
    check_range(first, last)
    if not isinstance(mapping, str):
        raise ParameterError(f"mapping must be the path of a mapping file (TOML) written as text, not {mapping!r}")
    platforms = platform_names("platforms", platforms)
    path = paths.resolve_data_path(data) if data else paths.SAMPLE_REQUESTS
    # Validate once: the kept rows go to a Parquet cache that every later step of the report reads.
    load = load_requests(path, mapping=paths.resolve_data_path(mapping) if mapping else None).kept_on_disk()
    load.summary()  # parse errors surface here, with the file named
    facts = load.data.select(
        pl.col("platform").unique().sort().implode().alias("platforms"),
        pl.col("agency").unique().sort().implode().alias("agencies"),
        pl.col("requested_on").min().alias("first"),
        pl.col("requested_on").max().alias("last"),
    ).collect().row(0, named=True)
    chosen_platforms = check_names("platforms", platforms, [p for p in facts["platforms"] if p is not None])
    chosen_agencies = check_names("agencies", agencies, [a for a in facts["agencies"] if a is not None])
    first = first or facts["first"] or dt.date.today()
    last = last or facts["last"] or dt.date.today()
    check_range(first, last)
    selected = filter_requests(load.data, start=first, end=last, platforms=chosen_platforms, agencies=chosen_agencies)
    return RequestSelection(
        source=str(path),
        load=load,
        requests=selected,
        start=first,
        end=last,
        period=period,
        platforms=chosen_platforms,
        agencies=chosen_agencies,
        available_platforms=list(facts["platforms"]),
    )


@dataclass
class SeriesSelection:
    """Published aggregates (the `counts` table) selected for a report."""

    source: str
    counts: pl.LazyFrame
    rows_read: int
    facts_used: int
    set_aside: pl.DataFrame
    start: dt.date | None
    end: dt.date | None
    providers: list[str]


def select_series(
    data: str = "",
    *,
    start: str = "",
    end: str = "",
    providers: Sequence[str] = (),
) -> SeriesSelection:
    """Check parameters and select rows of a published series (default: the bundled KNPA figures)."""
    first, last = parse_date_parameter("start", start), parse_date_parameter("end", end)
    check_range(first, last)
    path = paths.resolve_data_path(data) if data else paths.KNPA_SERIES
    series = load_knpa_series(path)
    valid = series.counts.select(pl.col("provider").unique().sort()).collect().to_series().to_list()
    chosen = check_names("providers", platform_names("providers", providers), valid)
    cond = pl.lit(True)
    if first:
        cond &= pl.col("period_start") >= first
    if last:
        cond &= pl.col("period_end") <= last
    if chosen:
        cond &= pl.col("provider").is_in(chosen)
    return SeriesSelection(str(Path(path)), series.counts.filter(cond), series.rows_read, series.facts_used,
                           series.set_aside, first, last, chosen)
