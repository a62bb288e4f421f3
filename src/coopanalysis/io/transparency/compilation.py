"""The 2009–2013 multi-provider compilation (Silk "Transparency Reports" database, ali-ce/datasets).

`Full-Data(2009-2013).csv`: one row per provider, country and half-year, from the
official reports of 19 providers. The compiler changed two things, undone here:

- Twitter's "<10" was replaced by 5.5. A 5.5 becomes a range again: `requests`
  null, `requests_low` 1, `requests_high` 9 (the same for accounts). The lower bound
  is 1, not 0, because a country appears in Twitter's table only when it sent at
  least one request.
- Annual reports were split into two equal halves (Microsoft 2012 and others: 4.5
  requests in each half of a year for which the provider reported 9). Where every
  row of a provider's year is identical in both halves, the two halves are put back
  together as one full-year row with the provider's own (doubled) numbers.

Providers whose own files are loaded (Google, Meta = Facebook, Apple) are left out
for the periods those files cover, so no request is counted twice. Providers are named as in
every report (`coopanalysis.core.names.PLATFORM_NAMES`: Facebook → Meta, Twitter → X,
CloudFlare → Cloudflare, CREDO → CREDO Mobile).
`Country Aggregations.csv` is a wide summary derived from the full data; its rows are
counted and rejected with that reason.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from coopanalysis.core.names import canonical_platform
from coopanalysis.errors import DataFileError
from coopanalysis.io.countries import add_country_from_name
from coopanalysis.io.transparency.base import (
    FileLoad,
    file_load,
    finish,
    first_reason,
    read_text_table,
    require_columns,
    set_aside_file,
)

FAMILY = "multi_provider_2009_2013"
FULL_DATA = "Full-Data(2009-2013).csv"
AGGREGATIONS = "Country Aggregations.csv"
REQ = "User Data Requests"
ANS = "Number of Requests where some data was disclosed (content or non content)"
PCT = "Percentage of Requests where some data was disclosed (content or non content)"
ACC = "Users/Accounts Specified"
COLUMNS = ["ID", "Service Provider", "Year", "Period", "Country", REQ, ANS, PCT, ACC]
LESS_THAN_10 = "5.5"


def provider_of(name: pl.Expr) -> pl.Expr:
    """The compilation's provider name → the reports' name (Facebook → Meta, Twitter → X)."""
    return canonical_platform(name)


def _number(raw: pl.Expr) -> pl.Expr:
    return raw.str.strip_chars().str.replace_all(",", "").cast(pl.Float64, strict=False)


def _bounds(raw: pl.Expr, factor: pl.Expr) -> dict[str, pl.Expr]:
    """exact / low / high of a compilation value; 5.5 (outside merged years) = "<10" → 1–9."""
    value = _number(raw) * factor
    less_than_10 = (raw.str.strip_chars() == LESS_THAN_10) & (factor == 1)
    exact = pl.when(~less_than_10 & (value == value.round())).then(value).cast(pl.Int64, strict=False)
    return {
        "exact": exact,
        "low": pl.when(less_than_10).then(pl.lit(1)).otherwise(exact),
        "high": pl.when(less_than_10).then(pl.lit(9)).otherwise(exact),
    }


def _signature() -> pl.Expr:
    return pl.concat_str(
        [pl.col(c).fill_null("") for c in ("Country", REQ, ANS, PCT, ACC)], separator="|"
    )


def load_full_data(path: Path, *, covered: set[tuple[str, date, date]] = frozenset()) -> FileLoad:
    """The compilation's full data; `covered` = (provider, start, end) already loaded from own files."""
    df = read_text_table(path)
    require_columns(path, df.columns, COLUMNS)
    half = pl.col("Period").str.extract(r"\((1st|2nd) half\)", 1)
    year = pl.col("Year").str.strip_chars().cast(pl.Int32, strict=False)
    df = df.with_columns(
        provider=provider_of(pl.col("Service Provider")),
        _year=year,
        _half=half,
        period_start=pl.when(half == "1st").then(pl.date(year, 1, 1)).otherwise(pl.date(year, 7, 1)),
        period_end=pl.when(half == "1st").then(pl.date(year, 6, 30)).otherwise(pl.date(year, 12, 31)),
    )
    # An annual report split in two: every row of the provider's year identical in both halves.
    halves = (
        df.group_by("provider", "_year", "_half")
        .agg(_sig=_signature().sort().str.join("\n"))
        .pivot(on="_half", index=["provider", "_year"], values="_sig")
    )
    split_years = halves.filter(
        pl.col("1st").is_not_null() & (pl.col("1st") == pl.col("2nd"))
    ).select("provider", "_year", _split=pl.lit(True))
    df = df.join(split_years, on=["provider", "_year"], how="left").with_columns(
        _split=pl.col("_split").fill_null(False)
    )
    df = add_country_from_name(df.lazy(), name_column="Country").collect()
    cov = pl.DataFrame(
        [{"provider": p, "period_start": s, "period_end": e} for p, s, e in covered],
        schema={"provider": pl.String, "period_start": pl.Date, "period_end": pl.Date},
    ).with_columns(_covered=pl.lit(True))
    df = df.join(cov, on=["provider", "period_start", "period_end"], how="left")
    fractional = pl.any_horizontal(
        [
            (_number(pl.col(c)) != _number(pl.col(c)).round()) & (pl.col(c).str.strip_chars() != LESS_THAN_10)
            for c in (REQ, ANS, ACC)
        ]
    ).fill_null(False) & ~pl.col("_split")
    marked = df.with_columns(
        **first_reason(
            (pl.col("_year").is_null(), "unreadable period", "Year"),
            (pl.col("_half").is_null(), "unreadable period", "Period"),
            (pl.col("_covered").fill_null(False), "the provider's own report for this period is loaded",
             "Service Provider"),
            (pl.col("country").is_null(), "country name not in the ISO 3166 reference", "Country"),
            (fractional, "fractional count outside a split annual report"),
        )
    )

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        # A split year keeps its first-half rows, doubled, as one full-year row.
        lf = lf.filter(~pl.col("_split") | (pl.col("_half") == "1st"))
        factor = pl.when(pl.col("_split")).then(pl.lit(2.0)).otherwise(pl.lit(1.0))
        req, acc, ans = _bounds(pl.col(REQ), factor), _bounds(pl.col(ACC), factor), _bounds(pl.col(ANS), factor)
        return lf.with_columns(
            period_start=pl.when(pl.col("_split")).then(pl.date(pl.col("_year"), 1, 1)).otherwise("period_start"),
            period_end=pl.when(pl.col("_split")).then(pl.date(pl.col("_year"), 12, 31)).otherwise("period_end"),
            legal_process=pl.lit("all"),
            legal_process_detail=pl.when(pl.col("_split"))
            .then(pl.lit("User data requests (annual report)"))
            .otherwise(pl.lit("User data requests")),
            requests=req["exact"],
            requests_low=req["low"],
            requests_high=req["high"],
            accounts=acc["exact"],
            accounts_low=acc["low"],
            accounts_high=acc["high"],
            answered=ans["exact"],
            answered_share=_number(pl.col(PCT)) / 100,
        ).pipe(finish, source=path.name)

    return file_load(path, marked, build)


def load_aggregations(path: Path) -> FileLoad:
    """The wide per-country summary: derived from the full data, counted and not loaded."""
    df = read_text_table(path)
    require_columns(path, df.columns, ["Country", "Total Requests"])
    return set_aside_file(path, df, f"summary derived from {FULL_DATA}, which is loaded instead")


def load_compilation(directory: Path, *, covered: set[tuple[str, date, date]] = frozenset()) -> list[FileLoad]:
    """Both files of the compilation directory; any other CSV there is an error."""
    loads = []
    for path in sorted(Path(directory).glob("*.csv")):
        if path.name == FULL_DATA:
            loads.append(load_full_data(path, covered=covered))
        elif path.name == AGGREGATIONS:
            loads.append(load_aggregations(path))
        else:
            raise DataFileError(path, f"unknown layout: expected {FULL_DATA} with the columns " + ", ".join(COLUMNS))
    return loads
