"""Published aggregates: the KNPA series of requests to overseas IT companies, as `counts` rows.

The source (data/published/npa_overseas_it_requests_press.csv) is a table of facts
transcribed from press reports: one row per scope, platform, period and metric.
Requests, replies and reply rates of the same scope and period become one `counts`
row; facts that are not a count over a period (means, approximations, rates "since")
are kept aside with the reason, never silently dropped: `set_aside` is the loaders' one rejects
frame (`io.rejects`), with each fact's line in the source file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from coopanalysis import paths
from coopanalysis.core.names import canonical_platform
from coopanalysis.core.periods import month_end, year_span
from coopanalysis.core.schema import COUNTS_SCHEMA, conform
from coopanalysis.errors import DataFileError
from coopanalysis.io.rejects import check_rows_add_up, rejects_frame

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_METRICS = ["cooperation_requests", "replies", "reply_rate", "response_rate"]
"""The metrics that become `counts` columns (requests, answered, answered_share)."""
_COLUMNS = ("scope", "platform", "year", "period", "metric", "value", "unit", "source_publisher", "source_url")


def parse_press_period(year: str, period: str) -> tuple[dt.date, dt.date] | None:
    """(start, end) of a press-report period such as ("2021", "full year") or ("2024", "Jan-Jul");
    None for anything that is not one calendar span ("annual mean", "2020-2023", "since Oct 2024")."""
    if not re.fullmatch(r"\d{4}", year.strip()):
        return None
    y = int(year)
    text = period.strip().lower()
    if text == "full year":
        return year_span(y)
    m = re.fullmatch(r"([a-z]{3})\s*-\s*([a-z]{3})", text)
    if m and m.group(1) in _MONTHS and m.group(2) in _MONTHS:
        first, last = _MONTHS[m.group(1)], _MONTHS[m.group(2)]
        return dt.date(y, first, 1), month_end(y, last)
    return None


@dataclass
class PublishedSeries:
    """Counts rows built from the press table, and the facts set aside with the reason."""

    counts: pl.LazyFrame
    set_aside: pl.DataFrame
    """The facts not used, one rejects row each (`io.rejects.REJECTS_SCHEMA`): reason
    `not_one_calendar_span` (column `period`, value the period as published) or
    `metric_not_a_count` (column `metric`, value the metric)."""
    rows_read: int
    facts_used: int
    """Source rows merged into `counts` (several facts of one span make one row); with
    `set_aside` they account for every row read."""


def load_knpa_series(path: str | Path | None = None) -> PublishedSeries:
    """The KNPA press figures as canonical `counts` rows (source "KNPA via press", country "KR").

    cooperation_requests → requests; replies → answered; reply_rate/response_rate → answered_share
    (and answered = round(requests × rate) only when the count itself was not published).
    """
    path = Path(path) if path else paths.KNPA_SERIES
    if not path.is_file():
        raise DataFileError(path, "no such file")
    raw = pl.read_csv(path, infer_schema=False, glob=False).with_row_index("line", offset=2)
    missing = [c for c in _COLUMNS if c not in raw.columns]
    if missing:
        raise DataFileError(path, f"not the KNPA press table: columns {', '.join(missing)} absent")
    spans = [parse_press_period(y, p) for y, p in zip(raw["year"], raw["period"], strict=True)]
    raw = raw.with_columns(
        period_start=pl.Series([s[0] if s else None for s in spans], dtype=pl.Date),
        period_end=pl.Series([s[1] if s else None for s in spans], dtype=pl.Date),
        value_num=pl.col("value").cast(pl.Float64, strict=False),
    )
    usable = pl.col("period_start").is_not_null() & pl.col("metric").is_in(_METRICS)
    set_aside = _set_aside(raw.filter(~usable), path)
    key = ["scope", "platform", "period_start", "period_end"]
    wide = raw.filter(usable).group_by(key, maintain_order=True).agg(
        requests=pl.col("value_num").filter(pl.col("metric") == "cooperation_requests").first(),
        answered=pl.col("value_num").filter(pl.col("metric") == "replies").first(),
        rate=pl.col("value_num").filter(pl.col("metric").is_in(["reply_rate", "response_rate"])).first() / 100,
        source=pl.col("source_publisher").first(),
    )
    counts = wide.with_columns(
        provider=canonical_platform(pl.col("platform")),
        agency=pl.col("scope"),
        country=pl.lit("KR"),
        requests=pl.col("requests").round().cast(pl.Int64),
        answered=pl.coalesce(pl.col("answered"), (pl.col("requests") * pl.col("rate")).round()).cast(pl.Int64),
        answered_share=pl.coalesce(pl.col("rate"), pl.col("answered") / pl.col("requests")),
        legal_process=pl.lit(None, dtype=pl.String),
    )
    used = raw.filter(usable).height
    check_rows_add_up(str(path), raw.height, used, set_aside.height)
    return PublishedSeries(conform(counts.lazy(), COUNTS_SCHEMA), set_aside, raw.height, used)


def _set_aside(rows: pl.DataFrame, path: Path) -> pl.DataFrame:
    """The rejects frame of the press facts that are not a count over one calendar span (or whose
    metric is none of `_METRICS`), with their lines in `path`."""
    no_span = pl.col("period_start").is_null()
    return rejects_frame(
        rows,
        source_file=str(path),
        line=pl.col("line"),
        column=pl.when(no_span).then(pl.lit("period")).otherwise(pl.lit("metric")),
        reason=pl.when(no_span).then(pl.lit("not_one_calendar_span")).otherwise(pl.lit("metric_not_a_count")),
        value=pl.when(no_span).then(pl.col("period")).otherwise(pl.col("metric")),
    )


def knpa_yearly_requests(path: str | Path | None = None) -> pl.LazyFrame:
    """KNPA requests to all overseas IT companies, one row per published span (full years and the
    partial 2024): the `counts` columns, requests only."""
    series = load_knpa_series(path).counts
    return series.filter(
        (pl.col("provider") == "all overseas IT companies") & pl.col("requests").is_not_null()
    ).sort("period_start")
