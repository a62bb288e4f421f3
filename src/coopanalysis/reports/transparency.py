"""The transparency report: what providers publish about the requests they receive from a country.

`transparency_report(...)` checks the notebook's parameters (stopping with one `ParameterError`
that names the parameter and lists the valid values: providers and countries present in the
data), loads the providers' reports, runs the transforms, hides small counts and returns a
`TransparencyReport` of small collected frames and its headline figure. Nothing here draws or prints.

Providers are named as in every report ("Google", "X", "AT&T"); a parameter may name them in any
registered spelling ("google", "구글": `coopanalysis.core.names.platform_name`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.names import platform_name
from coopanalysis.errors import ParameterError
from coopanalysis.io.countries import country_name
from coopanalysis.io.published import knpa_yearly_requests
from coopanalysis.io.transparency import load_transparency, validation_table
from coopanalysis.paths import TRANSPARENCY_DIR, resolve_data_path
from coopanalysis.publish.disclosure import hidden_column
from coopanalysis.publish.transparency import (
    hide_periods_and_years,
    hide_position,
    hide_small,
)
from coopanalysis.reports.citations import Citation, press_sources, provider_sources
from coopanalysis.reports.params import (
    check_names,
    check_range,
    check_suppress_below,
    parse_date_parameter,
)
from coopanalysis.transforms import transparency as summaries
from coopanalysis.transforms.reconcile import reconcile_yearly, reconciliation_summary


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


def check_providers(name: str, value: object, valid: list[str]) -> list[str]:
    """A list of provider names in any registered spelling ("google", "Google", "구글") → the
    reports' names; a name that is none of `valid` stops with the names as written and the valid ones."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return check_names(name, value, valid)  # raises the shared "must be a list of names" message
    names = [platform_name(v) for v in value]
    check_names(name, [v for v, n in zip(value, names, strict=True) if n not in valid], valid)
    return names


def _data_dir(data: object) -> Path:
    """The transparency directory a `data` parameter names ("" = the bundled one)."""
    if not isinstance(data, (str, Path)):
        raise ParameterError(f"data must be a directory path written as text, not {data!r}")
    data_dir = resolve_data_path(data) if str(data).strip() else TRANSPARENCY_DIR
    if not Path(data_dir).is_dir():
        raise ParameterError(f"data: no such directory {str(data)!r}; leave it empty for the bundled reports")
    return Path(data_dir)


def check_report_parameters(
    *,
    country: object,
    providers: object,
    start: object,
    end: object,
    data: object = "",
    ranking_provider: object = "Google",
    suppress_below: object = 0,
) -> TransparencySelection:
    """Validate the report's parameters and load the table.

    country: ISO alpha-2 code present in the data ("KR"); providers: list of provider names
    present in the data, any registered spelling (empty = all); start/end: "YYYY-MM-DD" (empty =
    the data's first/last day); data: a transparency directory ("" = the bundled one);
    ranking_provider: the provider whose requesting countries are ranked; suppress_below: counts
    below it are hidden (0: none). Raises `ParameterError` naming the parameter and the valid values."""
    threshold = check_suppress_below(suppress_below)
    data_dir = _data_dir(data)
    table = load_transparency(data_dir)
    countries = available(table, "country")
    if not isinstance(country, str) or country.strip().upper() not in countries:
        raise ParameterError(
            f"country: unknown {country!r}. Valid values (ISO 3166 alpha-2 codes in the data): "
            + ", ".join(countries)
        )
    names = available(table, "provider")
    chosen = check_providers("providers", providers, names)
    if not isinstance(ranking_provider, str) or platform_name(ranking_provider) not in names:
        raise ParameterError(f"ranking_provider: unknown {ranking_provider!r}. Valid values: " + ", ".join(names))
    first = table.select(pl.col("period_start").min()).collect().item()
    last = table.select(pl.col("period_end").max()).collect().item()
    start_d = parse_date_parameter("start", start) or first
    end_d = parse_date_parameter("end", end) or last
    check_range(start_d, end_d)
    return TransparencySelection(
        table=table, country=country.strip().upper(), providers=chosen or names, start=start_d, end=end_d,
        data_dir=data_dir, ranking_provider=platform_name(ranking_provider), suppress_below=threshold,
    )


@dataclass(frozen=True)
class TransparencyReport:
    """Frames of the transparency report (all collected, small, small counts hidden) and its headline."""

    country: str
    providers: list[str]
    start: dt.date
    end: dt.date
    ranking_provider: str
    suppress_below: int
    validation: pl.DataFrame  # per file: file, rows_read, rows_kept, rows_rejected, reasons
    over_time: pl.DataFrame  # `requests_over_time`: per provider and published period
    yearly: pl.DataFrame  # `provider_years`: per provider and calendar year
    ranking: pl.DataFrame  # `country_ranking` of ranking_provider: rank, country, requests, answered_share
    position: dict  # `country_position` of the country among ranking_provider's requesters
    emergency: pl.DataFrame  # `emergency_and_legal`: per provider and year
    telegram: pl.DataFrame  # `telegram_before_after`: Telegram's periods with their phase
    phases: pl.DataFrame  # `telegram_phase_summary`: before / after
    reconciliation: pl.DataFrame  # `reconcile_yearly` against the KNPA's yearly requests
    reconciliation_figure: dict[str, Any]  # headline: providers' count as a share of the agency's
    country_name: str = ""  # the country as readers know it ("South Korea" for KR)
    sources: tuple[Citation, ...] = ()  # the providers' reports read (their PROVENANCE.md)
    agency_sources: tuple[Citation, ...] = ()  # the press reports of the agency's figures


def reconciliation_figure(reconciliation: pl.DataFrame) -> dict[str, Any]:
    """Headline keyword arguments: the providers' count as a share of the agency's in the latest year
    with both (null when none, or when withheld)."""
    summary = reconciliation_summary(reconciliation)
    value = None if summary is None else summary["providers_to_agency"]
    return {"value": value, "label": _("Providers' count as a share of the agency's"), "unit": "share"}


def _same_position(ranking: pl.DataFrame, *, position: dict) -> pl.DataFrame:
    """The ranking with the country's own row hidden as its position is (the same requests)."""
    label = position.get(hidden_column("requests"))
    if not label or hidden_column("requests") not in ranking.columns:
        return ranking
    mine = pl.col("country") == position["country"]
    return ranking.with_columns(
        requests=pl.when(mine).then(None).otherwise(pl.col("requests")),
        answered_share=pl.when(mine).then(None).otherwise(pl.col("answered_share")),
        **{hidden_column("requests"): pl.when(mine).then(pl.lit(label)).otherwise(pl.col(hidden_column("requests")))},
    )


def transparency_report(
    country: object = "KR",
    providers: object = (),
    start: object = "",
    end: object = "",
    ranking_provider: object = "Google",
    data: object = "",
    suppress_below: object = 0,
) -> TransparencyReport:
    """Check the parameters (see `check_report_parameters`), load the reports under `data` and
    compute every frame the report shows, small counts below `suppress_below` hidden."""
    sel = check_report_parameters(country=country, providers=providers, start=start, end=end, data=data,
                                  ranking_provider=ranking_provider, suppress_below=suppress_below)
    k, table, where = sel.suppress_below, sel.table, {"country": sel.country, "start": sel.start, "end": sel.end}
    ranked = {"provider": sel.ranking_provider, "start": sel.start, "end": sel.end}
    over_time = summaries.requests_over_time(table, providers=sel.providers, **where).collect()
    yearly = summaries.provider_years(table, country=sel.country, providers=sel.providers).collect()
    emergency = summaries.emergency_and_legal(table, providers=sel.providers, **where).collect()
    telegram = summaries.telegram_before_after(table, country=sel.country).collect()
    phases = summaries.telegram_phase_summary(telegram.lazy()).collect()
    agency = knpa_yearly_requests()
    reconciliation = reconcile_yearly(table, agency, country=sel.country, providers=sel.providers).collect()
    reconciliation = hide_small(reconciliation, threshold=k, by=["year"])
    position = summaries.country_position(table, country=sel.country, **ranked)
    same_dates = sel.ranking_provider in sel.providers
    over_time, yearly, shown_position = hide_periods_and_years(over_time, yearly, threshold=k,
                                                               position=position if same_dates else None)
    return TransparencyReport(
        country=sel.country, providers=sel.providers, start=sel.start, end=sel.end,
        ranking_provider=sel.ranking_provider, suppress_below=k,
        validation=validation_table(sel.data_dir),
        over_time=over_time,
        yearly=yearly,
        ranking=_same_position(hide_small(summaries.country_ranking(table, **ranked).collect(), threshold=k,
                                          by=["country"]), position=shown_position if same_dates else hide_position(
            position, threshold=k)),
        position=shown_position if same_dates else hide_position(position, threshold=k),
        emergency=hide_small(emergency, threshold=k, by=["provider", "year"]),
        telegram=hide_small(telegram, threshold=k, by=["period_start"]),
        phases=hide_small(phases, threshold=k, by=["phase"]),
        reconciliation=reconciliation,
        reconciliation_figure=reconciliation_figure(reconciliation),
        country_name=country_name(sel.country), sources=tuple(provider_sources(sel.data_dir)),
        agency_sources=tuple(press_sources(platforms=["all overseas IT companies"])),
    )
