"""Kaplan–Meier curves fit to share: coarse steps that give no small count back.

A survival curve printed to many decimals next to the group's request count gives back every
day's responses: each drop is responded ÷ at risk, and the Greenwood band's growth is
responded ÷ (at risk × (at risk − responded)). Under suppression (k > 1) a curve is therefore
published only as follows:

- steps: consecutive event days are merged into blocks of at least k responses; the curve is
  shown at 1 on day 0 and at the last day of each block (its Kaplan–Meier value there), so every
  published drop aggregates k or more responses (day 0 itself is such a last day when k or more
  requests were answered on the day they were made);
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

The cumulative incidence of each kind of reply (`hide_incidence`) is shown on the same steps and
grid, rounded down, so that it publishes no day and no precision the shared curve does not.

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
    if _steps(km, threshold).filter(pl.col("responded") > 0).height == 0:
        return f"fewer than {threshold} responses while {threshold} or more requests were still waiting"
    return None


def _steps(km: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """The start (day 0, nobody answered yet: responded 0, waiting 1), then the last day of each block
    of at least `threshold` responses while at least `threshold` requests are still waiting after it.
    When the replies on day 0 alone make a block, day 0 is that block's step and there is no start.
    Input: one group's rows sorted by days."""
    keep, events = [], 0
    for i, (at_risk, responded, censored) in enumerate(km.select(*COUNTS).rows()):
        events += responded
        if events >= threshold:
            if at_risk - responded - censored < threshold:
                break
            keep.append(i)
            events = 0
    steps = km[keep]
    if keep and keep[0] == 0:
        return steps
    start = km[:1].with_columns(
        days=pl.lit(0, dtype=km.schema["days"]), responded=pl.lit(0, dtype=km.schema["responded"]),
        censored=pl.lit(0, dtype=km.schema["censored"]), waiting=pl.lit(1.0), ci_low=pl.lit(1.0), ci_high=pl.lit(1.0),
    )
    return pl.concat([start, steps])


def _rounded(column: str, step: float, *, up: bool) -> pl.Expr:
    """`column` rounded to multiples of `step` (up or down), inside [0, 1], to 6 decimals."""
    def fn(x: float) -> float:
        if up:
            return round(min(1.0, math.ceil(x / step - 1e-9) * step), 6)
        return round(max(0.0, math.floor(x / step + 1e-9) * step), 6)

    return pl.col(column).map_elements(fn, return_dtype=pl.Float64)


def _round(curve: pl.DataFrame, step: float) -> pl.DataFrame:
    """The curve rounded up to multiples of `step`, its band outward; counts nulled."""
    return curve.with_columns(
        _rounded("waiting", step, up=True),
        _rounded("ci_low", step, up=False),
        _rounded("ci_high", step, up=True),
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


def hide_incidence(incidence: pl.DataFrame, km: pl.DataFrame, *, by: str | None, threshold: int) -> pl.DataFrame:
    """A `cumulative_incidence` frame (`by`, reply, days, incidence, ci_low, ci_high, replied) fit to
    share beside the `time_to_response` frame `km` of the same requests, which `hide_curves` coarsens:
    each kind's curve is shown on the shared Kaplan–Meier curve's steps only (its value at each step,
    0 at the start), on the same grid, rounded down (the curve of those still waiting is rounded up,
    so the three never add up to more than 1), its band outward, `replied` removed. A group without a
    shared Kaplan–Meier curve has none. No new day and no finer grid is published: every published
    value is known only to within a grid step of at least k / n, so neither a difference of two values
    nor their sum with the curve still waiting pins down a count of fewer than k replies. Unchanged
    for k ≤ 1."""
    if threshold <= 1:
        return incidence
    key = [by] if by else []
    km_groups = km.sort([*key, "days"]).partition_by(by, as_dict=True) if by else {("all",): km.sort("days")}
    curves = []
    for name, group in km_groups.items():
        if group.height == 0 or curve_note(group, threshold=threshold) is not None:
            continue
        steps = _steps(group, threshold).select("days", _start=pl.col("responded") == 0)
        step = curve_grid(threshold, int(group["at_risk"][0]))
        rows = incidence.filter(pl.col(by) == name[0]) if by else incidence
        for kind in rows["reply"].unique().sort().to_list():
            curve = rows.filter(pl.col("reply") == kind).sort("days")
            read = steps.join_asof(curve.drop("days", "replied").with_columns(days=curve["days"]), on="days",
                                   strategy="backward")
            read = read.with_columns(
                *[pl.when(pl.col("_start")).then(0.0).otherwise(pl.col(c)).fill_null(0.0).alias(c)
                  for c in ("incidence", "ci_low", "ci_high")],
                *[pl.lit(v).alias(c) for c, v in ((by, name[0]), ("reply", kind)) if c],
            )
            curves.append(_round_incidence(read, step).select(incidence.columns))
    if not curves:
        return incidence.clear().with_columns(pl.lit(None, dtype=pl.Int64).alias("replied"))
    return pl.concat(curves)


def _round_incidence(curve: pl.DataFrame, step: float) -> pl.DataFrame:
    """Cumulative incidence rounded down to multiples of `step`, its band outward; `replied` nulled."""
    return curve.with_columns(
        _rounded("incidence", step, up=False),
        _rounded("ci_low", step, up=False),
        _rounded("ci_high", step, up=True),
        replied=pl.lit(None, dtype=pl.Int64),
    )
