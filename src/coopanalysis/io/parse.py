"""Expression builders that turn raw source strings into typed values.

Every builder returns null where the text cannot be read, so that validation
can tell "missing" (raw is null) from "unreadable" (raw present, parsed null).
"""

from __future__ import annotations

import re

import polars as pl

_DATE_PARTS = r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"


def parse_date(raw: pl.Expr) -> pl.Expr:
    """Date from text in the forms agencies export: 2021-03-04, 2021/3/4, 2021.03.04, 2021. 3. 4.,
    20210304, and the same followed by a time. Anything else (or an impossible date) is null."""
    text = raw.cast(pl.String).str.strip_chars()
    parts = text.str.extract_groups(_DATE_PARTS)
    iso = pl.concat_str(
        parts.struct.field("1"),
        parts.struct.field("2").str.zfill(2),
        parts.struct.field("3").str.zfill(2),
        separator="-",
    )
    compact = text.str.extract(r"^(\d{8})(?:\D.*)?$", 1)
    return pl.coalesce(
        iso.str.to_date("%Y-%m-%d", strict=False),
        compact.str.to_date("%Y%m%d", strict=False),
    )


def parse_count(raw: pl.Expr) -> pl.Expr:
    """Whole number from text such as "1,158", " 42 " or "1 158"; placeholders ("-", "n/a", "") are null."""
    text = raw.cast(pl.String).str.strip_chars().str.replace_all(r"[,\s\u00a0]", "")
    return pl.when(text.str.contains(r"^\d+$")).then(text).otherwise(None).cast(pl.Int64, strict=False)


def parse_share(raw: pl.Expr) -> pl.Expr:
    """Share in 0–1 from "80%", "80", "0.8" (values above 1 are read as percentages)."""
    text = raw.cast(pl.String).str.strip_chars()
    number = text.str.replace_all(r"[%\s]", "").str.replace(",", ".").cast(pl.Float64, strict=False)
    return pl.when(text.str.ends_with("%") | (number > 1)).then(number / 100).otherwise(number)


def normalise_token(raw: pl.Expr) -> pl.Expr:
    """Lower-case snake token for enum values: " Suspect identified " → "suspect_identified"."""
    return raw.cast(pl.String).str.strip_chars().str.to_lowercase().str.replace_all(r"[\s\-]+", "_")


def blank_to_null(raw: pl.Expr) -> pl.Expr:
    """Strip text; an empty string becomes null."""
    text = raw.cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def snake_case(header: str) -> str:
    """A source header as a canonical-looking name: "Request ID" → "request_id"."""
    text = header.strip().lstrip("\ufeff").strip().lower()
    return re.sub(r"[^0-9a-z가-힣]+", "_", text).strip("_")
