"""Checking the parameters of the `transparency` report before anything is drawn.

`check_report_parameters` stops with one `ParameterError` that names the parameter and
lists the valid values (providers and countries present in the data), so a typo in
the parameters cell is caught at once rather than giving empty charts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from coopanalysis.errors import ParameterError
from coopanalysis.paths import TRANSPARENCY_DIR, resolve_data_path
from coopanalysis.reports.inputs import check_names, parse_date_parameter
from coopanalysis.io.transparency import load_transparency


@dataclass
class TransparencySelection:
    """The checked parameters of the report, and the table they apply to."""

    table: pl.LazyFrame
    country: str
    providers: list[str]
    start: dt.date
    end: dt.date
    data_dir: Path
    ranking_provider: str
    suppress_below: int = 0


def available(table: pl.LazyFrame, column: str) -> list[str]:
    """Distinct non-null values of a column, sorted."""
    return sorted(table.select(pl.col(column).drop_nulls().unique()).collect().to_series().to_list())


def check_report_parameters(
    *,
    country: object,
    providers: object,
    start: object,
    end: object,
    data: object = "",
    ranking_provider: object = "google",
    suppress_below: object = 0,
) -> TransparencySelection:
    """Validate the report's parameters and load the table.

    country: ISO alpha-2 code present in the data ("KR"); providers: list of provider
    names present in the data (empty = all); start/end: "YYYY-MM-DD" (empty = the data's
    first/last day); data: a transparency directory ("" = the bundled one);
    ranking_provider: the provider whose requesting countries are ranked; suppress_below: counts
    below it are hidden (0: none).
    Raises `ParameterError` naming the parameter and the valid values."""
    from coopanalysis.reports.tables import check_suppress_below

    threshold = check_suppress_below(suppress_below)
    if not isinstance(data, (str, Path)):
        raise ParameterError(f"data must be a directory path written as text, not {data!r}")
    data_dir = resolve_data_path(data) if str(data).strip() else TRANSPARENCY_DIR
    if not Path(data_dir).is_dir():
        raise ParameterError(f"data: no such directory {str(data)!r}; leave it empty for the bundled reports")
    table = load_transparency(data_dir)
    countries = available(table, "country")
    if not isinstance(country, str) or country.strip().upper() not in countries:
        raise ParameterError(
            f"country: unknown {country!r}. Valid values (ISO 3166 alpha-2 codes in the data): "
            + ", ".join(countries)
        )
    names = available(table, "provider")
    chosen = check_names("providers", [p.strip().lower() for p in providers] if isinstance(providers, list) and all(
        isinstance(p, str) for p in providers) else providers, names)
    if not isinstance(ranking_provider, str) or ranking_provider.strip().lower() not in names:
        raise ParameterError(
            f"ranking_provider: unknown {ranking_provider!r}. Valid values: " + ", ".join(names)
        )
    first = table.select(pl.col("period_start").min()).collect().item()
    last = table.select(pl.col("period_end").max()).collect().item()
    start_d = parse_date_parameter("start", start) or first
    end_d = parse_date_parameter("end", end) or last
    if start_d > end_d:
        raise ParameterError(f"empty date range: start {start_d} is after end {end_d}")
    return TransparencySelection(
        table=table,
        country=country.strip().upper(),
        providers=chosen or names,
        start=start_d,
        end=end_d,
        data_dir=Path(data_dir),
        ranking_provider=ranking_provider.strip().lower(),
        suppress_below=threshold,
    )
