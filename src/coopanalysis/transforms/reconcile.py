"""What an agency says it sent against what providers say they received from its country.

The agency side is a `counts` table (e.g. `coopanalysis.io.published.knpa_yearly_requests()`:
the Korean National Police Agency's requests to all overseas IT companies per year).
The provider side is the sum, per calendar year, of the requests each provider reports
from that country, counting a provider only for years its half-years or quarters cover
completely. The two never match exactly, and the reasons are part of the result (`note`):
providers count requests from every authority of the country, the agency only its own;
the agency counts companies that publish no report; providers' years are assembled from
halves or quarters, and some years are not (yet) covered; Telegram publishes only the
requests it fulfilled.
"""

from __future__ import annotations

import polars as pl

from coopanalysis.core.periods import is_full_year
from coopanalysis.transforms.transparency import TELEGRAM, provider_years

SCOPE_NOTE = (
    "Providers count requests from every authority of the country (police, prosecutors, courts, "
    "other agencies); the agency counts only the requests it sent itself, to all overseas companies, "
    "including ones that publish no transparency report."
)

RECONCILIATION_COLUMNS = (
    "year",
    "agency",
    "agency_period",
    "agency_requests",
    "agency_answered_share",
    "providers_requests",
    "providers_included",
    "providers_not_full_year",
    "telegram_fulfilled",
    "difference",
    "providers_to_agency",
    "note",
)


def _join_names(col: str) -> pl.Expr:
    return pl.col(col).list.sort().list.join(", ")


def agency_years(agency: pl.LazyFrame) -> pl.LazyFrame:
    """Agency rows (counts table) → year, agency, agency_period ("2021" or "2024-01-01..2024-07-31"),
    agency_requests, agency_answered_share, agency_full_year."""
    full = is_full_year(pl.col("period_start"), pl.col("period_end"))
    return agency.filter(pl.col("requests").is_not_null()).select(
        year=pl.col("period_start").dt.year(),
        agency=pl.col("agency"),
        agency_period=pl.when(full)
        .then(pl.col("period_start").dt.year().cast(pl.String))
        .otherwise(
            pl.concat_str(
                pl.col("period_start").dt.to_string("%Y-%m-%d"),
                pl.lit(".."),
                pl.col("period_end").dt.to_string("%Y-%m-%d"),
            )
        ),
        agency_requests=pl.col("requests"),
        agency_answered_share=pl.col("answered_share"),
        agency_full_year=full,
    )


def reconcile_yearly(
    transparency: pl.LazyFrame,
    agency: pl.LazyFrame,
    *,
    country: str,
    providers: list[str] | None = None,
) -> pl.LazyFrame:
    """One row per year the agency (rows of `agency` whose country is `country`) published:
    the columns of `RECONCILIATION_COLUMNS`.

    `providers_requests` sums the requests received of the providers whose reports cover
    the whole year (`providers_included`); `providers_not_full_year` lists those with
    only part of the year; `telegram_fulfilled` is Telegram's fulfilled requests (it
    publishes no requests received). `difference` = agency − providers;
    `providers_to_agency` = providers / agency. `note` says why they differ."""
    years = provider_years(transparency, country=country, providers=providers)
    received = years.filter(pl.col("provider") != TELEGRAM)
    per_year = received.group_by("year").agg(
        providers_requests=pl.col("requests").filter(pl.col("full_year") & pl.col("requests").is_not_null()).sum(),
        providers_included=pl.col("provider").filter(pl.col("full_year") & pl.col("requests").is_not_null()),
        providers_not_full_year=pl.col("provider").filter(~pl.col("full_year")),
    )
    telegram = years.filter((pl.col("provider") == TELEGRAM) & pl.col("full_year")).select(
        "year", telegram_fulfilled="answered"
    )
    out = (
        agency_years(agency.filter(pl.col("country") == country))
        .join(per_year, on="year", how="left")
        .join(telegram, on="year", how="left")
        .with_columns(
            providers_included=_join_names("providers_included").fill_null(""),
            providers_not_full_year=_join_names("providers_not_full_year").fill_null(""),
        )
        .with_columns(
            providers_requests=pl.when(pl.col("providers_included") != "")
            .then(pl.col("providers_requests"))
            .otherwise(None)
        )
        .with_columns(
            difference=pl.when(pl.col("agency_full_year")).then(
                pl.col("agency_requests") - pl.col("providers_requests")
            ),
            providers_to_agency=pl.when(pl.col("agency_full_year")).then(
                pl.col("providers_requests") / pl.col("agency_requests")
            ),
        )
    )
    note = pl.concat_str(
        [
            pl.lit(SCOPE_NOTE),
            pl.when(~pl.col("agency_full_year")).then(
                pl.concat_str(
                    pl.lit(" The agency figure covers only "),
                    pl.col("agency_period"),
                    pl.lit(", so it is not compared with whole years."),
                )
            ),
            pl.when(pl.col("providers_included") == "").then(
                pl.lit(" No provider's report covers the whole year, so there is no provider total.")
            ),
            pl.when(pl.col("providers_not_full_year") != "").then(
                pl.concat_str(
                    pl.lit(" Left out because their reports cover only part of the year: "),
                    pl.col("providers_not_full_year"),
                    pl.lit("."),
                )
            ),
            pl.when(pl.col("difference") < 0).then(
                pl.lit(
                    " Here the providers report more requests than the agency sent: the excess comes from"
                    " other authorities of the country, or from periods counted differently."
                )
            ),
            pl.when(pl.col("difference") > 0).then(
                pl.lit(
                    " Here the agency sent more requests than these providers report: the rest went to"
                    " companies without a report here, or was counted differently."
                )
            ),
            pl.when(pl.col("telegram_fulfilled").is_not_null()).then(
                pl.concat_str(
                    pl.lit(" Telegram publishes only fulfilled requests ("),
                    pl.col("telegram_fulfilled").cast(pl.String),
                    pl.lit("), not requests received; they are not in the provider total."),
                )
            ),
        ],
        ignore_nulls=True,
    )
    return out.with_columns(note=note).select(RECONCILIATION_COLUMNS).sort("year", "agency_period")


def reconciliation_summary(table: pl.DataFrame) -> dict | None:
    """The latest year with both an agency and a provider total, as values for a sentence:
    year, agency, agency_requests, providers_requests, providers_included, providers_to_agency.
    None when no year has both."""
    both = table.filter(pl.col("providers_requests").is_not_null() & pl.col("providers_to_agency").is_not_null())
    if both.is_empty():
        return None
    row = both.sort("year").row(-1, named=True)
    return {k: row[k] for k in (
        "year", "agency", "agency_requests", "providers_requests", "providers_included", "providers_to_agency")}
