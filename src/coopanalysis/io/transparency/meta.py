"""Meta (Facebook) "Government Requests for User Data", one CSV per half-year, 2013 H1 … 2023 H1.

One row per country. The columns change between periods (52 columns 2013–2017 H1,
49 from 2017 H2, 52 in 2019 H1, 48 from 2019 H2); files of 2013–2020 start with a
BOM and two use bare CR line ends; numbers come as "1,158", shares as "80%", the
2013 H1 United States figures as bands ("11,000 - 12,000").

Mapping: `Total Requests` = `Legal Process Request Total` + `Emergency Request Total`.
Where the split is published the two parts become `legal` and `emergency` rows and
the total is not kept (it would count every request twice); where it is not (up to
2016), the total becomes one `all` row. The US sub-categories (search warrants,
subpoenas, …) are further sub-totals of the legal-process total and are not kept.
Preservation requests (with accounts preserved) are a separate `preservation` row.
A blank cell is null (Meta reported nothing), a 0 stays 0.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from coopanalysis.core.names import PLATFORM_NAMES
from coopanalysis.errors import DataFileError
from coopanalysis.io.countries import add_country_from_name
from coopanalysis.io.parse import parse_count, parse_high, parse_low, parse_share
from coopanalysis.io.transparency.base import (
    FileLoad,
    duplicate_of_earlier,
    file_load,
    finish,
    first_reason,
    read_text_table,
    require_columns,
)

FAMILY = "meta_government_requests"
PROVIDER = PLATFORM_NAMES["meta"]
FILE_PATTERN = re.compile(r"PRPL-Facebook-Government-Report-(\d{4})_H([12])\.csv$")

REQUIRED_COLUMNS = ["Country", "Total Requests", "Total Requests Accounts", "Total Requests Percentage"]

SPLITS = {
    # legal_process: (requests, accounts, share, answered, detail)
    "legal": (
        "Legal Process Request Total",
        "Legal Process Request Total Accounts",
        "Legal Process Request Total Percentage",
        "Legal Number of Requests Where Some Data Produced",
        "Legal process requests",
    ),
    "emergency": (
        "Emergency Request Total",
        "Emergency Request Total Accounts",
        "Emergency Request Total Percentage",
        "ER Number of Requests Where Some Data Produced",
        "Emergency requests",
    ),
    "all": (
        "Total Requests",
        "Total Requests Accounts",
        "Total Requests Percentage",
        "Number of Requests Where Some Data Produced",
        "Total requests",
    ),
}


def period_of(path: Path) -> tuple[date, date]:
    """(start, end) of the half-year named in a Meta file name."""
    m = FILE_PATTERN.search(path.name)
    if m is None:
        raise DataFileError(path, "unknown file name: expected PRPL-Facebook-Government-Report-YYYY_H1.csv or _H2")
    year, half = int(m.group(1)), int(m.group(2))
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


def _col(names: list[str], name: str) -> pl.Expr:
    return pl.col(name) if name in names else pl.lit(None, dtype=pl.String)


def _rows(lf: pl.LazyFrame, names: list[str], process: str) -> pl.LazyFrame:
    req, acc, share, answered, detail = SPLITS[process]
    return lf.with_columns(
        legal_process=pl.lit(process),
        legal_process_detail=pl.lit(detail),
        requests=parse_count(_col(names, req)),
        requests_low=parse_low(_col(names, req)),
        requests_high=parse_high(_col(names, req)),
        accounts=parse_count(_col(names, acc)),
        accounts_low=parse_low(_col(names, acc)),
        accounts_high=parse_high(_col(names, acc)),
        answered=parse_count(_col(names, answered)),
        answered_share=parse_share(_col(names, share), percent=True),
    )


def load_file(path: Path) -> FileLoad:
    """One half-year file → legal/emergency (or all) rows and preservation rows per country."""
    start, end = period_of(path)
    df = read_text_table(path)
    df = df.rename({c: c.strip() for c in df.columns})
    require_columns(path, df.columns, REQUIRED_COLUMNS)
    names = df.columns
    named = add_country_from_name(df.lazy(), name_column="Country").collect()
    marked = named.with_columns(
        **first_reason(
            (pl.col("Country").str.strip_chars().fill_null("") == "", "blank row"),
            (pl.col("country").is_null(), "country name not in the ISO 3166 reference", "Country"),
            (duplicate_of_earlier("country"), "duplicate of an earlier row", "Country"),
        )
    )
    has_split = "Legal Process Request Total" in names

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        split = pl.lit(False)
        if has_split:
            split = pl.col("Legal Process Request Total").str.strip_chars().fill_null("").ne("") | pl.col(
                "Emergency Request Total"
            ).str.strip_chars().fill_null("").ne("")
        lf = lf.with_columns(_split=split)
        parts = [
            _rows(lf.filter(pl.col("_split")), names, "legal"),
            _rows(lf.filter(pl.col("_split")), names, "emergency"),
            _rows(lf.filter(~pl.col("_split")), names, "all"),
        ]
        if "Preservation Requests" in names:
            pres = lf.filter(pl.col("Preservation Requests").str.strip_chars().fill_null("") != "")
            parts.append(
                pres.with_columns(
                    legal_process=pl.lit("preservation"),
                    legal_process_detail=pl.lit("Preservation requests (accounts preserved)"),
                    requests=parse_count(pl.col("Preservation Requests")),
                    accounts=parse_count(_col(names, "Preservation Accounts Preserved")),
                )
            )
        return pl.concat(
            [
                p.pipe(finish, source=path.name, provider=PROVIDER, period_start=start, period_end=end)
                for p in parts
            ]
        )

    return file_load(path, marked, build)


def load_meta(directory: Path) -> list[FileLoad]:
    """Every Meta half-year file of the family directory."""
    paths = sorted(Path(directory).glob("*.csv"))
    for path in paths:
        if not FILE_PATTERN.search(path.name):
            raise DataFileError(
                path,
                "unknown layout: expected Meta files named PRPL-Facebook-Government-Report-YYYY_HN.csv "
                "with the columns " + ", ".join(REQUIRED_COLUMNS),
            )
    return [load_file(p) for p in paths]
