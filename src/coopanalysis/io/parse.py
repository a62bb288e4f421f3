"""Expression builders that turn raw source strings into typed values: the one place that reads
numbers, shares, dates and tokens from text (request logs, published counts, transparency files).

Every builder returns null where the text cannot be read, so that validation
can tell "missing" (raw is null) from "unreadable" (raw present, parsed null).
"""

from __future__ import annotations

import re

import polars as pl


_DATE_PARTS = r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"

PLACEHOLDERS: tuple[str, ...] = ("", "-", "–", "N/A", "n/a", "NA")
"""Cell texts that stand for "no value" in published tables: read as null."""


_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
"""A whole text that is already YYYY-MM-DD: read as it is (`parse_date`'s fast path)."""


def parse_date(raw: pl.Expr) -> pl.Expr:
    """Date from text in the forms agencies export: 2021-03-04, 2021/3/4, 2021.03.04, 2021. 3. 4.,
    20210304, and the same followed by a time. Anything else (or an impossible date) is null.

    Almost every value of a log is a plain ISO date, which the full-match check `_ISO_DATE`
    sends straight to `str.to_date`; only the rest go through the regex (`_parse_date_text`),
    which reads such a text as the same date (or null), so the result is that of the regex alone."""
    text = raw.cast(pl.String).str.strip_chars()
    iso = text.str.contains(_ISO_DATE)
    return pl.coalesce(
        pl.when(iso).then(text).str.to_date("%Y-%m-%d", strict=False),
        _parse_date_text(pl.when(iso).then(None).otherwise(text)),
    )


_DATE_GROUPS_JSON = '{"1":"%Y","2":"%m","3":"%d"}'
"""The date format of `_DATE_PARTS`' groups written as one JSON object (`struct.json_encode`)."""


def _parse_date_text(text: pl.Expr) -> pl.Expr:
    """`parse_date` by the regex alone, on stripped text. The three groups are read as one JSON
    object in one step ({"1":"2021","2":"3","3":"4"}, month and day with or without a leading 0):
    taking them as three struct fields would run the regex once per field."""
    dated = text.str.extract_groups(_DATE_PARTS).struct.json_encode().str.to_date(_DATE_GROUPS_JSON, strict=False)
    compact = text.str.extract(r"^(\d{8})(?:\D.*)?$", 1)
    return pl.coalesce(dated, compact.str.to_date("%Y%m%d", strict=False))


def _clean(raw: pl.Expr) -> pl.Expr:
    """Text with thousands separators, NBSP and footnote stars removed and the ends stripped;
    a placeholder ("-", "–", "N/A", "n/a", "NA", "") becomes null. Inner spaces stay."""
    text = (
        raw.cast(pl.String)
        .str.strip_chars()
        .str.replace_all(r"[,\u00a0\*]", "")
        .str.strip_chars()
    )
    return pl.when(text.is_in(list(PLACEHOLDERS))).then(None).otherwise(text)


def parse_count(raw: pl.Expr) -> pl.Expr:
    """Exact whole number from text such as "1,158", " 42 ", "1 158" or "1*" (thousands separators,
    NBSP, spaces and footnote stars removed); a range, placeholder ("-", "n/a", "") or blank is null."""
    text = _clean(raw).str.replace_all(r"\s", "")
    return pl.when(text.str.contains(r"^\d+$")).then(text).otherwise(None).cast(pl.Int64, strict=False)


def parse_low(raw: pl.Expr) -> pl.Expr:
    """Lower bound: the number itself, the first end of "0 - 249", 0 for "<10"; else null."""
    text = _clean(raw).str.replace_all(r"\s+", "")
    return (
        pl.when(text.str.contains(r"^\d+$"))
        .then(text)
        .when(text.str.contains(r"^\d+-\d+$"))
        .then(text.str.extract(r"^(\d+)-", 1))
        .when(text.str.contains(r"^<\d+$"))
        .then(pl.lit("0"))
        .otherwise(None)
        .cast(pl.Int64, strict=False)
    )


def parse_high(raw: pl.Expr) -> pl.Expr:
    """Upper bound: the number itself, the second end of "0 - 249", 9 for "<10"; else null."""
    text = _clean(raw).str.replace_all(r"\s+", "")
    return (
        pl.when(text.str.contains(r"^\d+$"))
        .then(text.cast(pl.Int64, strict=False))
        .when(text.str.contains(r"^\d+-\d+$"))
        .then(text.str.extract(r"-(\d+)$", 1).cast(pl.Int64, strict=False))
        .when(text.str.contains(r"^<\d+$"))
        .then(text.str.extract(r"^<(\d+)$", 1).cast(pl.Int64, strict=False) - 1)
        .otherwise(None)
    )


def is_unreadable(raw: pl.Expr) -> pl.Expr:
    """True where a cell holds text that is neither blank, a placeholder, a number nor a range."""
    text = _clean(raw).str.replace_all(r"\s+", "")
    return text.is_not_null() & ~text.str.contains(r"^(\d+|\d+-\d+|<\d+|\d+(\.\d+)?%?)$")


def parse_share(raw: pl.Expr, *, percent: bool = False) -> pl.Expr:
    """Share in 0–1 from text; unreadable text, a blank or a placeholder is null.

    `percent=False` (published counts): "80%" and "80" are percentages, "0.8" is a share (a value
    above 1, or one ending in "%", is read as a percentage); a comma is a decimal comma ("0,8").
    `percent=True` (a provider's "Percentage disclosed" column): the number is always a percentage,
    so "0.8" is 0.008; commas are thousands separators and footnote stars are dropped."""
    if percent:
        return _clean(raw).str.replace_all(r"[%\s]", "").cast(pl.Float64, strict=False) / 100
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
