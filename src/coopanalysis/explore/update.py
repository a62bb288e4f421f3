"""The update function: a selection and the prepared tables in, the frames of every linked view out.

Pure: `update(tables, selection)` reads nothing but its arguments. The views are the library's own
transforms run on the selected rows (the same functions the reports run): top agencies
(`transforms.volumes.top_values`), answered share with its Wilson interval
(`transforms.outcomes.answered_share`), the Kaplan–Meier curve (`time_to_response`, censored at the
log's censoring date, whatever the selection, as in the case_outcomes report) and its response
times, and the outcome mix by platform (`outcome_mix`). With `suppress_below` = k ≥ 2 each frame
goes through the disclosure helpers the report facades use (`publish.disclosure`, `publish.curves`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from coopanalysis.explore.selection import Selection
from coopanalysis.explore.tables import Tables
from coopanalysis.publish import disclosure
from coopanalysis.publish.curves import curve_note, hide_curves
from coopanalysis.transforms.outcomes import answered_share, outcome_mix, response_time_summary, time_to_response
from coopanalysis.transforms.volumes import filter_requests, top_values

TOP = 10
"""Agencies shown in the top-agencies table."""


@dataclass(frozen=True)
class Views:
    """The frames of the linked views for one selection (small counts hidden where k ≥ 2)."""

    selection: Selection
    selected: int  # requests in the selection (not hidden: the sentences hide it when small)
    top_agencies: pl.DataFrame  # agency, requests, share (of the selection)
    answered: pl.DataFrame  # requests, answered, answered_share, ci_low, ci_high
    curve: pl.DataFrame  # days, at_risk, responded, censored, waiting, ci_low, ci_high
    response_time: pl.DataFrame  # requests, responded, median_days, p90_days (+ curve_note when k ≥ 2)
    outcome_mix: pl.DataFrame  # platform, case_outcome, cases, share (of the platform's cases)
    suppress_below: int = 0


def selected_rows(tables: Tables, selection: Selection) -> pl.DataFrame:
    """The rows of the selection: the time range as a slice of the sorted rows, then the platforms,
    agencies (`transforms.volumes.filter_requests`) and crime types."""
    rows, days = tables.rows, tables.rows["requested_on"]
    low = 0 if selection.start is None else int(days.search_sorted(selection.start, side="left"))
    high = rows.height if selection.end is None else int(days.search_sorted(selection.end, side="right"))
    part = rows.slice(low, max(high - low, 0)).lazy()
    part = filter_requests(part, platforms=selection.platforms, agencies=selection.agencies)
    if selection.crime_types:
        part = part.filter(pl.col("crime_type").is_in(list(selection.crime_types)))
    return part.collect()


def update(tables: Tables, selection: Selection, *, suppress_below: int = 0, top: int = TOP) -> Views:
    """Every linked view of `selection`, recomputed from `tables` by the library's transforms."""
    rows = selected_rows(tables, selection).lazy()
    k = suppress_below
    agencies = top_values(rows, column="agency", n=top if k <= 1 else 1_000_000)
    top_df, answered, curve, mix = pl.collect_all([
        agencies, answered_share(rows), time_to_response(rows, as_of=tables.as_of), outcome_mix(rows, by=["platform"]),
    ])
    top_df, mix = (df.with_columns(pl.col(pl.Categorical).cast(pl.String)) for df in (top_df, mix))
    times = response_time_summary(curve.lazy()).collect()
    selected = int(answered["requests"][0]) if answered.height else 0
    if k > 1:
        top_df, answered, curve, times, mix = _hide(top_df, answered, curve, times, mix, k=k, top=top)
    return Views(selection, selected, top_df, answered, curve, times, mix, suppress_below=k)


def _hide(top_df: pl.DataFrame, answered: pl.DataFrame, curve: pl.DataFrame, times: pl.DataFrame,
          mix: pl.DataFrame, *, k: int, top: int) -> tuple[pl.DataFrame, ...]:
    """The frames as a shared report shows them: counts below k hidden with their complements (the
    complete one-way agency table, then its top rows), the answered share hidden where its part or
    rest is small, the curve coarsened to steps of at least k responses and the response times read
    off it, the outcome mix's small cells hidden."""
    top_df = disclosure.hide_counts(top_df, value="requests", threshold=k, dims=["agency"])
    top_df = top_df.with_columns(share=pl.when(pl.col("requests").is_not_null()).then(pl.col("share")))
    top_df = top_df.sort(["requests", "agency"], descending=[True, False], nulls_last=True).head(top)
    answered = disclosure.hide_shares(answered.with_columns(_all=pl.lit("all")), by=["_all"], threshold=k).drop("_all")
    note = curve_note(curve.sort("days"), threshold=k) if curve.height else None
    coarse = hide_curves(curve, by=None, threshold=k)
    read_off = response_time_summary(coarse.lazy()).collect() if coarse.height else None
    small = pl.col("requests") < k
    times = times.with_columns(
        responded=pl.when(~small & (pl.col("responded") >= k) & (pl.col("requests") - pl.col("responded") >= k))
        .then(pl.col("responded")),
        requests=pl.when(~small).then(pl.col("requests")),
        median_days=pl.lit(read_off["median_days"][0] if read_off is not None else None, dtype=pl.Int64),
        p90_days=pl.lit(read_off["p90_days"][0] if read_off is not None else None, dtype=pl.Int64),
        curve_note=pl.lit(note, dtype=pl.String),
    )
    mix = disclosure.hide_outcome_mix(mix, by="platform", threshold=k)
    return top_df, answered, coarse, times, mix
