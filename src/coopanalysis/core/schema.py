"""The canonical tables: column names, dtypes and allowed values, fixed here once.

Every loader maps its source onto one of these tables and nothing else flows
downstream (see DESIGN.md, "Canonical tables").
"""

from __future__ import annotations

import polars as pl

RESPONSES: tuple[str, ...] = ("disclosed", "partial", "refused", "no_data")
"""Allowed values of `requests.response`; null means no reply (yet)."""

ANSWERED_RESPONSES: tuple[str, ...] = ("disclosed", "partial")
"""Responses that count as the platform having answered with data."""

CASE_OUTCOMES: tuple[str, ...] = (
    "open",
    "suspect_identified",
    "arrested",
    "referred_to_prosecution",
    "closed_no_suspect",
    "suspended_untraceable",
    "closed_other",
)
"""Allowed values of `requests.case_outcome`."""

CHANNELS: tuple[str, ...] = ("email", "portal", "mlat", "emergency", "liaison", "other")


REQUESTS_SCHEMA: dict[str, pl.DataType] = {
    "request_id": pl.String(),
    "requested_on": pl.Date(),
    "agency": pl.String(),
    "country": pl.String(),
    "platform": pl.String(),
    "crime_type": pl.String(),
    "channel": pl.String(),
    "responded_on": pl.Date(),
    "response": pl.String(),
    "case_outcome": pl.String(),
    "closed_on": pl.Date(),
}
"""Column → dtype of the canonical `requests` table, in canonical order."""

REQUESTS_REQUIRED: tuple[str, ...] = ("request_id", "requested_on", "agency", "platform")
"""Columns a request log must provide; the others may be absent (filled with null)."""

REQUESTS_DATE_COLUMNS: tuple[str, ...] = ("requested_on", "responded_on", "closed_on")

REQUESTS_FREE_TEXT: tuple[str, ...] = ("request_id",)
"""Case-level identifiers that must never appear in a shared report."""

COUNTS_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "provider": pl.String(),
    "country": pl.String(),
    "agency": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "legal_process": pl.String(),
    "requests": pl.Int64(),
    "accounts": pl.Int64(),
    "answered": pl.Int64(),
    "answered_share": pl.Float64(),
}
"""Column → dtype of the canonical `counts` table (published aggregates), in canonical order."""

COUNTS_REQUIRED: tuple[str, ...] = ("source", "provider", "period_start", "period_end", "requests")

def conform(lf: pl.LazyFrame, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """Select the schema's columns in canonical order, cast, and add absent ones as null."""
    names = lf.collect_schema().names()
    return lf.select(
        [
            (pl.col(c) if c in names else pl.lit(None)).cast(dtype).alias(c)
            for c, dtype in schema.items()
        ]
    )
