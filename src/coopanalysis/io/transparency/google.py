"""Google Transparency Report, "Global requests for user information" bulk download.

Files (data/transparency/google_user_data_requests/):
- google-global-user-data-requests.csv — half-years 2009 H2 … 2023 H1, one row per country
  and `Legal Process`. The labels partition each country's total: "All" (until 2014,
  no split), "Other Legal Requests", "Emergency Disclosure Requests", "Preservation
  Requests", and in place of "Other Legal Requests" for some countries the detail
  (US: subpoenas, search warrants, court orders…; Ireland: court orders, police
  requests; Russia/Türkiye: local subsidiary; UK: CLOUD Act). There is no separate
  total row, so no label is a sub-total of another (US 2013 H1: 119 + 671 + 207 +
  2,456 + 7,458 + 7 = 10,918, Google's published US total).
  Google began publishing the disclosed share in 2010 H2 and accounts in 2011 H1; the
  0 it shows before is "not reported" and becomes null.
- google-global-user-data-dlr-requests.csv — diplomatic (MLAT) requests by country of
  origin. Google counts them in the total of the assisting country (the United
  States), so they are marked `counted_elsewhere`.
- google-enterprise-data-requests.csv / google-enterprise-data-dlr-requests.csv —
  Enterprise Cloud requests, a subset of the global ones: `counted_elsewhere`.
- google-usnationalsecurity-{fisa-content,fisa-non-content,nsl}-requests.csv — US
  national security requests, published only as bands ("0–499"), reported outside the
  global figures: `requests` null with `requests_low`/`requests_high`.
- google-usnationalsecurity-nsl-requests-released.csv — a list of individual letters,
  not counts: every row is rejected with that reason.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from coopanalysis.errors import DataFileError
from coopanalysis.io.transparency.base import (
    FileLoad,
    add_country_from_name,
    duplicate_of_earlier,
    empty_frame,
    file_load,
    finish,
    first_reason,
    iso2_codes,
    is_unreadable,
    parse_count,
    parse_share,
    read_text_table,
    require_columns,
)

FAMILY = "google_user_data_requests"
PROVIDER = "google"

GLOBAL_COLUMNS = [
    "Period Ending",
    "Country/Region",
    "CLDR Territory Code",
    "Legal Process",
    "User Data Requests",
    "Percentage disclosed",
    "Accounts",
]
DLR_COLUMNS = [
    "Period Ending",
    "Country/Region of Origin",
    "CLDR Territory Code",
    "Assisting Country",
    "User Data Diplomatic Legal requests",
]
ENTERPRISE_COLUMNS = [
    "Period Ending",
    "Country/Region",
    "CLDR Territory Code",
    "Product",
    "Legal Process",
    "Enterprise Cloud customer requests",
    "Enterprise Cloud customers",
    "Percentage disclosed",
]
ENTERPRISE_DLR_COLUMNS = [
    "Period Ending",
    "Product",
    "Country/Region of Origin",
    "Assisting Country",
    "Enterprise Diplomatic Legal requests",
]
NATSEC_COLUMNS = [
    "Reporting period ending date",
    "Number of requests (range MIN)",
    "Number of requests (range MAX)",
    "Number of accounts (range MIN)",
    "Number of accounts (range MAX)",
]
NSL_RELEASED_COLUMNS = [
    "National Security Letter (NSL) number",
    "NSL issue date",
    "FBI release letter date",
]

NATSEC_FILES = {
    "google-usnationalsecurity-fisa-content-requests.csv": "FISA content requests",
    "google-usnationalsecurity-fisa-non-content-requests.csv": "FISA non-content requests",
    "google-usnationalsecurity-nsl-requests.csv": "National Security Letters",
}

PERCENT_FROM = "2010-12-31"
"""First period end for which Google published the disclosed share (earlier 0 = not reported)."""
ACCOUNTS_FROM = "2011-06-30"
"""First period end for which Google published accounts (earlier 0 = not reported)."""


def legal_process_of(label: pl.Expr) -> pl.Expr:
    """Google's `Legal Process` label → legal | emergency | preservation | all."""
    return (
        pl.when(label == "All")
        .then(pl.lit("all"))
        .when(label == "Emergency Disclosure Requests")
        .then(pl.lit("emergency"))
        .when(label == "Preservation Requests")
        .then(pl.lit("preservation"))
        .otherwise(pl.lit("legal"))
    )


def _half_year(end_column: str) -> dict[str, pl.Expr]:
    """period_start / period_end of a six-month period given by its end date."""
    end = pl.col(end_column).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    start = pl.date(end.dt.year(), end.dt.month() - 5, 1)
    return {"period_start": start, "period_end": end}


def _country_reason(code: str, name: str | None) -> tuple[pl.Expr, str]:
    known = iso2_codes()
    return (~pl.col(code).is_in(known) | pl.col(code).is_null(), "no ISO 3166 country code")


def load_global(path: Path) -> FileLoad:
    """The main file: every `Legal Process` value, 2009–2023."""
    df = read_text_table(path)
    require_columns(path, df.columns, GLOBAL_COLUMNS)
    marked = df.with_columns(
        _reject=first_reason(
            _country_reason("CLDR Territory Code", "Country/Region"),
            (pl.col("Period Ending").str.to_date("%Y-%m-%d", strict=False).is_null(), "unreadable period"),
            (
                is_unreadable(pl.col("User Data Requests")) | is_unreadable(pl.col("Accounts")),
                "unreadable number",
            ),
            (
                duplicate_of_earlier("Period Ending", "CLDR Territory Code", "Legal Process"),
                "duplicate of an earlier row",
            ),
        )
    )

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        end = pl.col("Period Ending").str.strip_chars()
        return lf.with_columns(
            **_half_year("Period Ending"),
            country=pl.col("CLDR Territory Code"),
            legal_process=legal_process_of(pl.col("Legal Process")),
            legal_process_detail=pl.col("Legal Process"),
            requests=parse_count(pl.col("User Data Requests")),
            accounts=pl.when(end >= ACCOUNTS_FROM).then(parse_count(pl.col("Accounts"))),
            answered_share=pl.when(end >= PERCENT_FROM).then(
                parse_share(pl.col("Percentage disclosed"))
            ),
        ).pipe(finish, source=path.name, provider=PROVIDER)

    return file_load(path, marked, build)


def load_dlr(path: Path) -> FileLoad:
    """Diplomatic legal requests by country of origin (already in the assisting country's total)."""
    df = read_text_table(path)
    require_columns(path, df.columns, DLR_COLUMNS)
    marked = df.with_columns(
        _reject=first_reason(
            _country_reason("CLDR Territory Code", "Country/Region of Origin"),
            (is_unreadable(pl.col("User Data Diplomatic Legal requests")), "unreadable number"),
            (
                duplicate_of_earlier("Period Ending", "CLDR Territory Code", "Assisting Country"),
                "duplicate of an earlier row",
            ),
        )
    )

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        return lf.with_columns(
            **_half_year("Period Ending"),
            country=pl.col("CLDR Territory Code"),
            legal_process=pl.lit("legal"),
            legal_process_detail=pl.concat_str(
                pl.lit("Diplomatic legal requests (assisting country: "),
                pl.col("Assisting Country"),
                pl.lit(")"),
            ),
            requests=parse_count(pl.col("User Data Diplomatic Legal requests")),
            counted_elsewhere=pl.lit(True),
        ).pipe(finish, source=path.name, provider=PROVIDER)

    return file_load(path, marked, build)


def load_enterprise(path: Path) -> FileLoad:
    """Enterprise Cloud requests (a subset of the global requests)."""
    df = read_text_table(path)
    require_columns(path, df.columns, ENTERPRISE_COLUMNS)
    marked = df.with_columns(
        _reject=first_reason(
            _country_reason("CLDR Territory Code", "Country/Region"),
            (is_unreadable(pl.col("Enterprise Cloud customer requests")), "unreadable number"),
            (
                duplicate_of_earlier("Period Ending", "CLDR Territory Code", "Product", "Legal Process"),
                "duplicate of an earlier row",
            ),
        )
    )

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        return lf.with_columns(
            **_half_year("Period Ending"),
            country=pl.col("CLDR Territory Code"),
            legal_process=legal_process_of(pl.col("Legal Process")),
            legal_process_detail=pl.concat_str(
                pl.lit("Enterprise Cloud ("), pl.col("Product"), pl.lit("): "), pl.col("Legal Process")
            ),
            requests=parse_count(pl.col("Enterprise Cloud customer requests")),
            accounts=parse_count(pl.col("Enterprise Cloud customers")),
            answered_share=parse_share(pl.col("Percentage disclosed")),
            counted_elsewhere=pl.lit(True),
        ).pipe(finish, source=path.name, provider=PROVIDER)

    return file_load(path, marked, build)


def load_enterprise_dlr(path: Path) -> FileLoad:
    """Enterprise Cloud diplomatic requests by country of origin (names, not codes)."""
    df = read_text_table(path)
    require_columns(path, df.columns, ENTERPRISE_DLR_COLUMNS)
    named = add_country_from_name(df.lazy(), name_column="Country/Region of Origin").collect()
    marked = named.with_columns(
        _reject=first_reason(
            (
                pl.col("Country/Region of Origin").is_null(),
                "no country of origin (placeholder row of 0 requests)",
            ),
            (pl.col("country").is_null(), "country name not in the ISO 3166 reference"),
            (is_unreadable(pl.col("Enterprise Diplomatic Legal requests")), "unreadable number"),
        )
    )

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        return lf.with_columns(
            **_half_year("Period Ending"),
            legal_process=pl.lit("legal"),
            legal_process_detail=pl.concat_str(
                pl.lit("Enterprise Cloud ("),
                pl.col("Product"),
                pl.lit("): diplomatic legal requests (assisting country: "),
                pl.col("Assisting Country"),
                pl.lit(")"),
            ),
            requests=parse_count(pl.col("Enterprise Diplomatic Legal requests")),
            counted_elsewhere=pl.lit(True),
        ).pipe(finish, source=path.name, provider=PROVIDER)

    return file_load(path, marked, build)


def load_national_security(path: Path) -> FileLoad:
    """US national security requests, published as bands (MIN–MAX)."""
    df = read_text_table(path)
    require_columns(path, df.columns, NATSEC_COLUMNS)
    low, high = NATSEC_COLUMNS[1], NATSEC_COLUMNS[2]
    alow, ahigh = NATSEC_COLUMNS[3], NATSEC_COLUMNS[4]
    marked = df.with_columns(
        _reject=first_reason(
            (
                parse_count(pl.col(low)).is_null() | parse_count(pl.col(high)).is_null(),
                "unreadable band",
            ),
            (duplicate_of_earlier(NATSEC_COLUMNS[0]), "duplicate of an earlier row"),
        )
    )

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        rl, rh = parse_count(pl.col(low)), parse_count(pl.col(high))
        al, ah = parse_count(pl.col(alow)), parse_count(pl.col(ahigh))
        return lf.with_columns(
            **_half_year(NATSEC_COLUMNS[0]),
            country=pl.lit("US"),
            legal_process=pl.lit("legal"),
            legal_process_detail=pl.lit(NATSEC_FILES[path.name]),
            requests=pl.when(rl == rh).then(rl),
            requests_low=rl,
            requests_high=rh,
            accounts=pl.when(al == ah).then(al),
            accounts_low=al,
            accounts_high=ah,
        ).pipe(finish, source=path.name, provider=PROVIDER)

    return file_load(path, marked, build)


def load_nsl_released(path: Path) -> FileLoad:
    """The list of released letters: no counts, every row rejected with that reason."""
    df = read_text_table(path)
    require_columns(path, df.columns, NSL_RELEASED_COLUMNS)
    marked = df.with_columns(_reject=pl.lit("one row per released letter, not a request count"))
    return file_load(path, marked, lambda lf: empty_frame())


LOADERS = {
    "google-global-user-data-requests.csv": load_global,
    "google-global-user-data-dlr-requests.csv": load_dlr,
    "google-enterprise-data-requests.csv": load_enterprise,
    "google-enterprise-data-dlr-requests.csv": load_enterprise_dlr,
    "google-usnationalsecurity-nsl-requests-released.csv": load_nsl_released,
    **{name: load_national_security for name in NATSEC_FILES},
}


def load_google(directory: Path) -> list[FileLoad]:
    """Every Google file of the family directory; an unknown CSV there is an error."""
    loads = []
    for path in sorted(Path(directory).glob("*.csv")):
        loader = LOADERS.get(path.name)
        if loader is None:
            raise DataFileError(
                path,
                "unknown layout: expected one of the Google files " + ", ".join(sorted(LOADERS))
                + f"; the global file has the columns {', '.join(GLOBAL_COLUMNS)}",
            )
        loads.append(loader(path))
    return loads
