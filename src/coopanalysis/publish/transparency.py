"""Small-count suppression for the frames of the transparency report (see `coopanalysis.publish.disclosure`).

A hidden count is nulled and labelled in `<column>_hidden` ("<k" or "withheld"); tables print the
label, sentences say "fewer than k". A threshold of 0 or 1 changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from coopanalysis.publish.disclosure import hidden_column, hide_count_columns

COUNT_COLUMNS = ("requests", "requests_low", "requests_high", "answered", "legal", "emergency", "fulfilled",
                 "affected_users", "providers_requests", "telegram_fulfilled")
"""Counts of the transparency frames that a small value could give away."""
DERIVED_COLUMNS = ("answered_share", "emergency_share", "fulfilled_per_30_days", "difference", "providers_to_agency")
"""Figures computed from those counts: nulled on a row where one of its counts is hidden."""


def hide_small(df: pl.DataFrame, *, threshold: int, by: Sequence[str] = ()) -> pl.DataFrame:
    """A collected summary frame fit to share: each count column (requests, answered, legal,
    emergency, fulfilled, …) hidden where below `threshold`, with complementary suppression
    along `by`; shares, rates and differences of a row with a hidden count are nulled. Tables
    show a hidden count as "<k" or "withheld". A threshold of 0 or 1 changes nothing."""
    return hide_count_columns(df, threshold=threshold, columns=COUNT_COLUMNS, by=by, derived=DERIVED_COLUMNS)


def hide_position(position: dict, *, threshold: int) -> dict:
    """`country_position` fit to share: a count of requests with 0 < requests < `threshold` is nulled
    and labelled "<k" in `requests_hidden` (with its rank, which would place it); else unchanged."""
    requests = position.get("requests")
    if requests is None or not 0 < requests < threshold:
        return dict(position)
    return {**position, "requests": None, "rank": None, hidden_column("requests"): f"<{threshold}"}
