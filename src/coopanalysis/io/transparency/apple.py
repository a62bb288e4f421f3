"""Apple Transparency Report CSV downloads, half-years 2013 H1 … 2022 H2.

One file per request type, one row per country and half-year. Apple publishes no
grand total across types: each file's count is the total for its type, so every
type is its own row (`legal_process_detail` names it) and nothing is counted twice.
Quirks: " -" means not applicable (→ null), shares come as "54%", dates as M/D/YY,
US national security requests as bands ("0 - 249", kept as low/high bounds).

App takedown and account restriction/deletion requests ask for no user data: they
are loaded with `user_data` false. Devices, financial identifiers and push tokens
specified are not accounts, so `accounts` is null for those types.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from coopanalysis.core.names import PLATFORM_NAMES
from coopanalysis.errors import DataFileError
from coopanalysis.io.countries import add_country_from_name
from coopanalysis.io.parse import is_unreadable, parse_count, parse_high, parse_low, parse_share
from coopanalysis.io.transparency.base import (
    FileLoad,
    duplicate_of_earlier,
    file_load,
    finish,
    first_reason,
    read_text_table,
    require_columns,
    share_of,
)

FAMILY = "apple_transparency"
PROVIDER = PLATFORM_NAMES["apple"]
PERIOD_COLUMNS = ["TR Start Date", "TR End Date", "Country/Region"]


@dataclass(frozen=True)
class AppleFile:
    """How one Apple file maps onto the transparency table."""

    legal_process: str
    detail: str
    requests: str
    accounts: str | None = None
    answered: tuple[str, ...] = ()
    share: str | None = None
    user_data: bool = True
    detail_column: str | None = None

    def expected(self) -> list[str]:
        cols = [*PERIOD_COLUMNS, self.requests, *self.answered]
        cols += [c for c in (self.accounts, self.share, self.detail_column) if c]
        return cols


PCT = "Percentage of Requests where Data Provided"
FILES: dict[str, AppleFile] = {
    "account_requests.csv": AppleFile(
        "legal",
        "Account requests",
        "Account Requests Received",
        accounts="Accounts Specified in Requests",
        answered=("Requests where Only Non-Content Data Provided", "Requests where Content Provided"),
        share=PCT,
    ),
    "device_requests.csv": AppleFile(
        "legal", "Device requests", "Device Requests Received", answered=("Requests where Data Provided",), share=PCT
    ),
    "financial_identifier_requests.csv": AppleFile(
        "legal",
        "Financial identifier requests",
        "Financial Identifier Requests Received",
        answered=("Requests where Data Provided",),
        share=PCT,
    ),
    "push_token_requests.csv": AppleFile(
        "legal", "Push token requests", "Push Token Requests Received", answered=("Requests where Data Provided",), share=PCT
    ),
    "digital_content_provider_requests.csv": AppleFile(
        "legal",
        "Digital content provider requests",
        "Digital Content Provider Requests Received",
        answered=("Requests where Data Provided",),
        share=PCT,
    ),
    "emergency_requests.csv": AppleFile(
        "emergency", "Emergency requests", "Emergency Requests Received", answered=("Requests where Data Provided",), share=PCT
    ),
    "account_preservation_requests.csv": AppleFile(
        "preservation",
        "Account preservation requests",
        "Account Preservation Requests Received",
        accounts="Accounts Specified in Requests",
    ),
    "account_restriction_deletion_requests.csv": AppleFile(
        "legal",
        "Account restriction/deletion requests",
        "Account Restriction/ Account Deletion Requests Received",
        accounts="Accounts Specified in the Requests",
        user_data=False,
    ),
    "app_takedown_legal_violation_requests.csv": AppleFile(
        "legal",
        "App takedown requests (legal violation)",
        "Legal Violation Takedown Requests Received",
        answered=(),
        user_data=False,
    ),
    "app_takedown_platform_policy_violation_requests.csv": AppleFile(
        "legal",
        "App takedown requests (platform policy violation)",
        "Platform Policy Violation Takedown Requests Received",
        user_data=False,
    ),
    "us_national_security_requests.csv": AppleFile(
        "legal",
        "National security requests",
        "Requests Received",
        accounts="Users/Accounts",
        detail_column="National Security Requests Type+",
    ),
}


def load_file(path: Path) -> FileLoad:
    """One Apple request-type file."""
    spec = FILES[path.name]
    df = read_text_table(path)
    df = df.rename({c: c.strip() for c in df.columns})
    require_columns(path, df.columns, spec.expected())
    named = add_country_from_name(df.lazy(), name_column="Country/Region").collect()
    start = pl.col("TR Start Date").str.strip_chars().str.to_date("%m/%d/%y", strict=False)
    end = pl.col("TR End Date").str.strip_chars().str.to_date("%m/%d/%y", strict=False)
    marked = named.with_columns(
        **first_reason(
            (pl.col("Country/Region").str.strip_chars() == "N/A", "no country (placeholder row)", "Country/Region"),
            (pl.col("country").is_null(), "country name not in the ISO 3166 reference", "Country/Region"),
            (start.is_null(), "unreadable period", "TR Start Date"),
            (end.is_null(), "unreadable period", "TR End Date"),
            (is_unreadable(pl.col(spec.requests)), "unreadable number", spec.requests),
            (
                duplicate_of_earlier("TR Start Date", "TR End Date", "country", *([spec.detail_column] if spec.detail_column else [])),
                "duplicate of an earlier row",
            ),
        )
    )

    def build(lf: pl.LazyFrame) -> pl.LazyFrame:
        req = pl.col(spec.requests)
        answered = (
            pl.sum_horizontal([parse_count(pl.col(c)) for c in spec.answered], ignore_nulls=False)
            if spec.answered
            else pl.lit(None, dtype=pl.Int64)
        )
        share = parse_share(pl.col(spec.share), percent=True) if spec.share else share_of(answered, parse_count(req))
        detail = (
            pl.concat_str(pl.lit(spec.detail + ": "), pl.col(spec.detail_column).str.strip_chars())
            if spec.detail_column
            else pl.lit(spec.detail)
        )
        acc = pl.col(spec.accounts) if spec.accounts else pl.lit(None, dtype=pl.String)
        return lf.with_columns(
            period_start=start,
            period_end=end,
            legal_process=pl.lit(spec.legal_process),
            legal_process_detail=detail,
            requests=parse_count(req),
            requests_low=parse_low(req),
            requests_high=parse_high(req),
            accounts=parse_count(acc),
            accounts_low=parse_low(acc),
            accounts_high=parse_high(acc),
            answered=answered,
            answered_share=share,
            user_data=pl.lit(spec.user_data),
        ).pipe(finish, source=path.name, provider=PROVIDER)

    return file_load(path, marked, build)


def load_apple(directory: Path) -> list[FileLoad]:
    """Every Apple file of the family directory; an unknown CSV there is an error."""
    loads = []
    for path in sorted(Path(directory).glob("*.csv")):
        if path.name not in FILES:
            raise DataFileError(
                path,
                "unknown layout: expected one of the Apple files "
                + ", ".join(sorted(FILES))
                + "; each has the columns TR Period, "
                + ", ".join(PERIOD_COLUMNS)
                + " and its request counts",
            )
        loads.append(load_file(path))
    return loads
