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

from coopanalysis.core.names import PLATFORM_NAMES
from coopanalysis.errors import DataFileError
from coopanalysis.io.countries import add_country_from_name, iso2_codes
from coopanalysis.io.parse import is_unreadable, parse_count, parse_share
from coopanalysis.io.transparency.base import (
    FileLoad,
    Rule,
    duplicate_of_earlier,
    file_load,
    finish,
    first_reason,
    read_text_table,
    require_columns,
    set_aside_file,
)

FAMILY = "google_user_data_requests"
PROVIDER = PLATFORM_NAMES["google"]

GLOBAL_COLUMNS = ["Period Ending", "Country/Region", "CLDR Territory Code", "Legal Process",
                  "User Data Requests", "Percentage disclosed", "Accounts"]
DLR_COLUMNS = ["Period Ending", "Country/Region of Origin", "CLDR Territory Code", "Assisting Country",
               "User Data Diplomatic Legal requests"]
ENTERPRISE_COLUMNS = ["Period Ending", "Country/Region", "CLDR Territory Code", "Product", "Legal Process",
                      "Enterprise Cloud customer requests", "Enterprise Cloud customers", "Percentage disclosed"]
ENTERPRISE_DLR_COLUMNS = ["Period Ending", "Product", "Country/Region of Origin", "Assisting Country",
                          "Enterprise Diplomatic Legal requests"]
NATSEC_COLUMNS = ["Reporting period ending date", "Number of requests (range MIN)", "Number of requests (range MAX)",
                  "Number of accounts (range MIN)", "Number of accounts (range MAX)"]
NSL_RELEASED_COLUMNS = ["National Security Letter (NSL) number", "NSL issue date", "FBI release letter date"]

NATSEC_FILES = {
    "google-usnationalsecurity-fisa-content-requests.csv": "FISA content requests",
    "google-usnationalsecurity-fisa-non-content-requests.csv": "FISA non-content requests",
    "google-usnationalsecurity-nsl-requests.csv": "National Security Letters",
}

PERCENT_FROM = "2010-12-31"
"""First period end for which Google published the disclosed share (earlier 0 = not reported)."""
ACCOUNTS_FROM = "2011-06-30"
"""First period end for which Google published accounts (earlier 0 = not reported)."""
DUPLICATE = "duplicate of an earlier row"
UNREADABLE = "unreadable number"


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


def _country_rule(code: str = "CLDR Territory Code") -> Rule:
    return (~pl.col(code).is_in(iso2_codes()) | pl.col(code).is_null(), "no ISO 3166 country code", code)


def _read(path: Path, columns: list[str]) -> pl.DataFrame:
    """The file's cells as text, after checking that it has the layout's columns."""
    df = read_text_table(path)
    require_columns(path, df.columns, columns)
    return df


def _load(path: Path, rows: pl.DataFrame, rules: list[Rule], **columns: pl.Expr) -> FileLoad:
    """Rows set aside by the first of `rules` that holds; the others become transparency rows with `columns`."""
    marked = rows.with_columns(**first_reason(*rules))

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        return lf.with_columns(**columns).pipe(finish, source=path.name, provider=PROVIDER)

    return file_load(path, marked, build)


def load_global(path: Path) -> FileLoad:
    """The main file: every `Legal Process` value, 2009–2023."""
    end = pl.col("Period Ending").str.strip_chars()
    rules: list[Rule] = [
        _country_rule(),
        (end.str.to_date("%Y-%m-%d", strict=False).is_null(), "unreadable period", "Period Ending"),
        (is_unreadable(pl.col("User Data Requests")), UNREADABLE, "User Data Requests"),
        (is_unreadable(pl.col("Accounts")), UNREADABLE, "Accounts"),
        (duplicate_of_earlier("Period Ending", "CLDR Territory Code", "Legal Process"), DUPLICATE),
    ]
    return _load(
        path, _read(path, GLOBAL_COLUMNS), rules,
        **_half_year("Period Ending"),
        country=pl.col("CLDR Territory Code"),
        legal_process=legal_process_of(pl.col("Legal Process")),
        legal_process_detail=pl.col("Legal Process"),
        requests=parse_count(pl.col("User Data Requests")),
        accounts=pl.when(end >= ACCOUNTS_FROM).then(parse_count(pl.col("Accounts"))),
        answered_share=pl.when(end >= PERCENT_FROM).then(parse_share(pl.col("Percentage disclosed"), percent=True)),
    )


def load_dlr(path: Path) -> FileLoad:
    """Diplomatic legal requests by country of origin (already in the assisting country's total)."""
    count = "User Data Diplomatic Legal requests"
    rules: list[Rule] = [
        _country_rule(),
        (is_unreadable(pl.col(count)), UNREADABLE, count),
        (duplicate_of_earlier("Period Ending", "CLDR Territory Code", "Assisting Country"), DUPLICATE),
    ]
    return _load(
        path, _read(path, DLR_COLUMNS), rules,
        **_half_year("Period Ending"),
        country=pl.col("CLDR Territory Code"),
        legal_process=pl.lit("legal"),
        legal_process_detail=pl.concat_str(
            pl.lit("Diplomatic legal requests (assisting country: "), pl.col("Assisting Country"), pl.lit(")")
        ),
        requests=parse_count(pl.col(count)),
        counted_elsewhere=pl.lit(True),
    )


def load_enterprise(path: Path) -> FileLoad:
    """Enterprise Cloud requests (a subset of the global requests)."""
    count = "Enterprise Cloud customer requests"
    rules: list[Rule] = [
        _country_rule(),
        (is_unreadable(pl.col(count)), UNREADABLE, count),
        (duplicate_of_earlier("Period Ending", "CLDR Territory Code", "Product", "Legal Process"), DUPLICATE),
    ]
    return _load(
        path, _read(path, ENTERPRISE_COLUMNS), rules,
        **_half_year("Period Ending"),
        country=pl.col("CLDR Territory Code"),
        legal_process=legal_process_of(pl.col("Legal Process")),
        legal_process_detail=pl.concat_str(
            pl.lit("Enterprise Cloud ("), pl.col("Product"), pl.lit("): "), pl.col("Legal Process")
        ),
        requests=parse_count(pl.col(count)),
        accounts=parse_count(pl.col("Enterprise Cloud customers")),
        answered_share=parse_share(pl.col("Percentage disclosed"), percent=True),
        counted_elsewhere=pl.lit(True),
    )


def load_enterprise_dlr(path: Path) -> FileLoad:
    """Enterprise Cloud diplomatic requests by country of origin (names, not codes)."""
    origin, count = "Country/Region of Origin", "Enterprise Diplomatic Legal requests"
    df = _read(path, ENTERPRISE_DLR_COLUMNS)
    named = add_country_from_name(df.lazy(), name_column=origin).collect()
    rules: list[Rule] = [
        (pl.col(origin).is_null(), "no country of origin (placeholder row of 0 requests)", origin),
        (pl.col("country").is_null(), "country name not in the ISO 3166 reference", origin),
        (is_unreadable(pl.col(count)), UNREADABLE, count),
    ]
    return _load(
        path, named, rules,
        **_half_year("Period Ending"),
        legal_process=pl.lit("legal"),
        legal_process_detail=pl.concat_str(
            pl.lit("Enterprise Cloud ("), pl.col("Product"),
            pl.lit("): diplomatic legal requests (assisting country: "), pl.col("Assisting Country"), pl.lit(")"),
        ),
        requests=parse_count(pl.col(count)),
        counted_elsewhere=pl.lit(True),
    )


def load_national_security(path: Path) -> FileLoad:
    """US national security requests, published as bands (MIN–MAX)."""
    period, low, high, alow, ahigh = NATSEC_COLUMNS
    rl, rh = parse_count(pl.col(low)), parse_count(pl.col(high))
    al, ah = parse_count(pl.col(alow)), parse_count(pl.col(ahigh))
    rules: list[Rule] = [
        (rl.is_null(), "unreadable band", low),
        (rh.is_null(), "unreadable band", high),
        (duplicate_of_earlier(period), DUPLICATE),
    ]
    return _load(
        path, _read(path, NATSEC_COLUMNS), rules,
        **_half_year(period),
        country=pl.lit("US"),
        legal_process=pl.lit("legal"),
        legal_process_detail=pl.lit(NATSEC_FILES[path.name]),
        requests=pl.when(rl == rh).then(rl),
        requests_low=rl,
        requests_high=rh,
        accounts=pl.when(al == ah).then(al),
        accounts_low=al,
        accounts_high=ah,
    )


def load_nsl_released(path: Path) -> FileLoad:
    """The list of released letters: no counts, every row rejected with that reason."""
    return set_aside_file(path, _read(path, NSL_RELEASED_COLUMNS), "one row per released letter, not a request count")


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
