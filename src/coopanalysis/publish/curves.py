"""Kaplan–Meier curves fit to share: coarse steps that give no small count back.

A survival curve printed to many decimals next to the group's request count gives back every
day's responses: each drop is responded ÷ at risk, and the Greenwood band's growth is
responded ÷ (at risk × (at risk − responded)). Under suppression (k > 1) a curve is therefore
published only as follows:

- steps: consecutive event days are merged into blocks of at least k responses; the curve is
  shown at the last day of each block (its Kaplan–Meier value there), so every published drop
  aggregates k or more responses;
- at risk: a step is published only while at least k requests are still waiting after it (at
  risk, minus those answered or censored that day); the curve ends before the first block that
  would leave fewer;
- counts: at_risk, responded and censored are removed (null), so neither chart data nor
  tooltips hold them;
- rounding: the curve and its band are put on a grid of step `curve_grid(k, n)` — the smallest of
  0.0001, 0.0002, 0.00025, 0.0005, 0.001, … that is at least k / n for a group of n requests. The curve is
  rounded up to the grid (a median read off it is never earlier than the estimate's), the band
  outward (low down, high up). Any difference between two published values then stands for a
  span of at least k requests of the group, so successive steps give no count back, and the
  count before the curve ends (total responses minus those shown) is known only to within k;
- a group with fewer than k responses, or with no step left, has no curve.

Without suppression (k ≤ 1) a curve is returned exactly as it is.
"""

from __future__ import annotations

import math

import polars as pl

COUNTS = ("at_risk", "responded", "censored")
"""The per-day counts of a `time_to_response` frame, removed from a shared curve."""
_GRID = (1, 2, 2.5, 5)


def curve_grid(threshold: int, requests: int) -> float:
    """The rounding step of a shared curve of `requests` requests: the smallest of 0.0001, 0.0002,
    0.00025, 0.0005, 0.001, … that is at least threshold / requests (at most 1)."""
    need = threshold / max(requests, 1)
    for exponent in range(-4, 1):
        for mantissa in _GRID:
            step = mantissa * 10.0 ** exponent
            if step >= need - 1e-12:
                return min(step, 1.0)
    return 1.0


def curve_note(km: pl.DataFrame, *, threshold: int) -> str | None:
    """Why a group's `time_to_response` rows (one group, sorted by days) have no shared curve, or None."""
    if int(km["responded"].sum()) < threshold:
        return f"fewer than {threshold} responses"
    if _steps(km, threshold).height <= 1:
        return f"fewer than {threshold} responses while {threshold} or more requests were still waiting"
    return None


def _steps(km: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """Day 0 and the last day of each block of at least `threshold` responses, while at least
    `threshold` requests are still waiting after it. Input: one group's rows sorted by days."""
    keep, events = [0], 0
    rows = km.select("days", *COUNTS).rows()
    for i, (_, at_risk, responded, censored) in enumerate(rows):
        if i == 0:
            continue
        events += responded
        if events >= threshold:
            if at_risk - responded - censored < threshold:
                break
            keep.append(i)
            events = 0
    return km[keep]


def _round(curve: pl.DataFrame, step: float) -> pl.DataFrame:
    """The curve rounded up to multiples of `step`, its band outward; counts nulled."""
    def up(x: float) -> float:
        return round(min(1.0, math.ceil(x / step - 1e-9) * step), 6)

    def down(x: float) -> float:
        return round(max(0.0, math.floor(x / step + 1e-9) * step), 6)

    return curve.with_columns(
        pl.col("waiting").map_elements(up, return_dtype=pl.Float64),
        pl.col("ci_low").map_elements(down, return_dtype=pl.Float64),
        pl.col("ci_high").map_elements(up, return_dtype=pl.Float64),
        *[pl.lit(None, dtype=pl.Int64).alias(c) for c in COUNTS],
    )


def hide_curves(km: pl.DataFrame, *, by: str | None, threshold: int) -> pl.DataFrame:
    """A `time_to_response` frame (`by`, days, at_risk, responded, censored, waiting, ci_low,
    ci_high; `by` None for one curve of all requests) fit to share, as the module docstring says:
    coarse steps of at least k responses with k still waiting, on a grid of at least k / n,
    counts removed, groups with fewer than k responses left out. Unchanged for k ≤ 1."""
    if threshold <= 1:
        return km
    groups = km.sort([by, "days"] if by else "days").partition_by(by, maintain_order=True) if by \
        else [km.sort("days")]
    curves = []
    for group in groups:
        if group.height == 0 or curve_note(group, threshold=threshold) is not None:
            continue
        curves.append(_round(_steps(group, threshold), curve_grid(threshold, int(group["at_risk"][0]))))
    return pl.concat(curves) if curves else km.clear().with_columns(pl.lit(None, dtype=pl.Int64).alias(c) for c in COUNTS)
