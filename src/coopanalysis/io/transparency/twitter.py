"""Twitter (now X) "Information requests" CSV download, January–June 2017.

One row per country: account information requests, the share where some
information was produced, accounts specified. Twitter publishes no split between
legal and emergency requests here, so the row is `all`. "-" means nothing reported
(→ null, not 0); a trailing "*" is a footnote marker ("1*" → 1). The file ends with
a TOTAL line, which is not kept (it would count every request twice).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from coopanalysis.core.names import PLATFORM_NAMES
from coopanalysis.core.periods import month_end
from coopanalysis.errors import DataFileError
from coopanalysis.io.countries import iso2_codes
from coopanalysis.io.parse import is_unreadable, parse_count, parse_share
from coopanalysis.io.transparency.base import (
    FileLoad,
    duplicate_of_earlier,
    file_load,
    finish,
    first_reason,
    read_text_table,
    require_columns,
)

FAMILY = "twitter_information_requests"
PROVIDER = PLATFORM_NAMES["x"]
COLUMNS = [
    "TIME PERIOD",
    "COUNTRY",
    "ISO CODE",
    "ACCOUNT INFORMATION REQUESTS",
    "PERCENTAGE WHERE SOME INFORMATION PRODUCED",
    "ACCOUNTS SPECIFIED",
]
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}
PERIOD = re.compile(r"^\s*([A-Za-z]+)\s*[-–]\s*([A-Za-z]+)\s+(\d{4})\s*$")


def period_of(text: str) -> tuple[date, date] | None:
    """"January - June 2017" → (2017-01-01, 2017-06-30); None when unreadable."""
    m = PERIOD.match(text or "")
    if not m or m.group(1).lower() not in MONTHS or m.group(2).lower() not in MONTHS:
        return None
    year, first, last = int(m.group(3)), MONTHS[m.group(1).lower()], MONTHS[m.group(2).lower()]
    return date(year, first, 1), month_end(year, last)


def load_file(path: Path) -> FileLoad:
    """One Twitter information-requests file."""
    df = read_text_table(path)
    require_columns(path, df.columns, COLUMNS)
    periods = {t: period_of(t) for t in df["TIME PERIOD"].unique().to_list()}
    df = df.with_columns(
        period_start=pl.col("TIME PERIOD").replace_strict(
            {k: v[0] if v else None for k, v in periods.items()}, return_dtype=pl.Date
        ),
        period_end=pl.col("TIME PERIOD").replace_strict(
            {k: v[1] if v else None for k, v in periods.items()}, return_dtype=pl.Date
        ),
        country=pl.col("ISO CODE").str.strip_chars().str.to_uppercase(),
    )
    marked = df.with_columns(
        **first_reason(
            (pl.col("COUNTRY").str.strip_chars().str.to_uppercase() == "TOTAL", "total line (not kept)"),
            (~pl.col("country").is_in(iso2_codes()) | pl.col("country").is_null(), "no ISO 3166 country code",
             "ISO CODE"),
            (pl.col("period_start").is_null(), "unreadable period", "TIME PERIOD"),
            (is_unreadable(pl.col("ACCOUNT INFORMATION REQUESTS")), "unreadable number", "ACCOUNT INFORMATION REQUESTS"),
            (is_unreadable(pl.col("ACCOUNTS SPECIFIED")), "unreadable number", "ACCOUNTS SPECIFIED"),
            (duplicate_of_earlier("TIME PERIOD", "country"), "duplicate of an earlier row"),
        )
    )

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        return lf.with_columns(
            legal_process=pl.lit("all"),
            legal_process_detail=pl.lit("Account information requests"),
            requests=parse_count(pl.col("ACCOUNT INFORMATION REQUESTS")),
            accounts=parse_count(pl.col("ACCOUNTS SPECIFIED")),
            answered_share=parse_share(pl.col("PERCENTAGE WHERE SOME INFORMATION PRODUCED"), percent=True),
        ).pipe(finish, source=path.name, provider=PROVIDER)

    return file_load(path, marked, build)


def load_twitter(directory: Path) -> list[FileLoad]:
    """Every Twitter information-requests file of the family directory."""
    paths = sorted(Path(directory).glob("*.csv"))
    for path in paths:
        if not path.name.startswith("information-requests-report"):
            raise DataFileError(path, "unknown layout: expected Twitter information-requests files with the columns "
                                + ", ".join(COLUMNS))
    return [load_file(p) for p in paths]
