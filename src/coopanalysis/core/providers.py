"""How a reader sees the transparency report's names and columns.

The canonical table and the report's parameters keep providers as lower-case codes
("google", "at&t"); everything a reader sees (legends, tooltips, titles, sentences, tables)
names them as the providers write themselves ("Google", "AT&T") through `provider_label`.
"""

from __future__ import annotations

import polars as pl

from coopanalysis.core.names import PLATFORM_NAMES

PROVIDER_LABELS: dict[str, str] = {
    "google": "Google",
    "meta": "Meta",
    "apple": "Apple",
    "x": "X",
    "discord": "Discord",
    "telegram": "Telegram",
    "microsoft": "Microsoft",
    "yahoo": "Yahoo",
    "linkedin": "LinkedIn",
    "tumblr": "Tumblr",
    "dropbox": "Dropbox",
    "pinterest": "Pinterest",
    "wordpress": "WordPress",
    "cloudflare": "Cloudflare",
    "leaseweb": "LeaseWeb",
    "sonic.net": "Sonic.net",
    "verizon": "Verizon",
    "at&t": "AT&T",
    "comcast": "Comcast",
    "telstra": "Telstra",
    "credo": "CREDO Mobile",
}
"""Provider code (lower case, as in the table) → the name a reader sees."""


def provider_label(code: str | None) -> str | None:
    """The display name of a provider code: "google" → "Google", "at&t" → "AT&T". A code
    not listed is capitalised ("acme" → "Acme"); None stays None."""
    if code is None:
        return None
    key = code.strip().lower()
    if key in PROVIDER_LABELS:
        return PROVIDER_LABELS[key]
    if key in PLATFORM_NAMES:
        return PLATFORM_NAMES[key]
    return code[:1].upper() + code[1:]


def provider_labels(codes: list[str] | tuple[str, ...] | str) -> str:
    """Several provider codes as display names joined by ", " (a string "google, meta" is
    split on commas first); empty in, empty out."""
    if isinstance(codes, str):
        codes = [c for c in (part.strip() for part in codes.split(",")) if c]
    return ", ".join(provider_label(c) for c in codes)


def label_providers(df: pl.DataFrame, column: str = "provider") -> pl.DataFrame:
    """`df` with the provider codes of `column` replaced by display names (a frame without
    the column is returned unchanged)."""
    if column not in df.columns:
        return df
    return df.with_columns(pl.col(column).map_elements(provider_label, return_dtype=pl.String))


COLUMN_LABELS: dict[str, str] = {
    "file": "File",
    "rows_read": "Rows read",
    "rows_kept": "Rows kept",
    "rows_rejected": "Rows set aside",
    "reasons": "Why set aside",
    "provider": "Provider",
    "country": "Country",
    "rank": "Rank",
    "year": "Year",
    "requests": "Requests",
    "requests_low": "Requests (low bound)",
    "requests_high": "Requests (high bound)",
    "answered": "Answered",
    "answered_share": "Answered share",
    "rows": "Rows in the reports",
    "days_covered": "Days covered",
    "full_year": "Whole year covered",
    "legal": "Legal process requests",
    "emergency": "Emergency requests",
    "emergency_share": "Emergency share",
    "phase": "Before/after late-2024 change",
    "period_start": "Period start",
    "period_end": "Period end",
    "days": "Days",
    "fulfilled": "Fulfilled requests",
    "affected_users": "Affected users",
    "fulfilled_per_30_days": "Fulfilled per 30 days",
}
"""Column of a transparency frame → its header in a table a reader sees."""


def column_label(column: str) -> str:
    """The header of a column: `COLUMN_LABELS`, else the name with spaces, capitalised."""
    return COLUMN_LABELS.get(column, column.replace("_", " ").capitalize())


BOUNDS = ("requests_low", "requests_high")
BOOKKEEPING = ("rows", "days_covered")
"""Columns a reader does not need: the number of source rows summed, the days a year's
periods cover (`full_year` says whether that is the whole year)."""


def for_readers(df: pl.DataFrame) -> pl.DataFrame:
    """A collected transparency frame as a table for readers: hidden counts as "<k" /
    "withheld" (`coopanalysis.disclosure.label_hidden`), provider codes as display names and
    every column under its human header ("rows_read" → "Rows read", "requests_low" →
    "Requests (low bound)"). The published bounds are kept only when some row's bounds
    differ from its requests (a banded figure such as "<10"); `BOOKKEEPING` columns go.
    Share columns keep their fractions (tables show them as %)."""
    from coopanalysis.publish.disclosure import label_hidden

    drop = [c for c in BOOKKEEPING if c in df.columns]
    if all(c in df.columns for c in (*BOUNDS, "requests")):
        same = df.select(
            [(pl.col(b).eq_missing(pl.col("requests"))).all() for b in BOUNDS]
        ).row(0)
        if all(same):
            drop += [*BOUNDS, *[f"{b}_hidden" for b in BOUNDS if f"{b}_hidden" in df.columns]]
    out = label_providers(label_hidden(df.drop(drop)))
    return out.rename({c: column_label(c) for c in out.columns})
