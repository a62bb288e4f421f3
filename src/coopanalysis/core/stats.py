"""Interval expressions: Wilson for shares, Poisson for counts. Pure polars, no SciPy.

Each builder takes column expressions and returns expressions, so intervals are
computed inside the same lazy query as the figures they qualify.
"""

from __future__ import annotations

import math

import polars as pl

Z95 = 1.959963984540054


def wilson_interval(successes: pl.Expr, trials: pl.Expr, *, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """(low, high) of the Wilson score interval for successes/trials; null where trials == 0."""
    n = trials.cast(pl.Float64)
    p = successes.cast(pl.Float64) / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt() / (1 + z * z / n)
    valid = trials > 0
    low = pl.when(valid).then((centre - half).clip(0.0, 1.0))
    high = pl.when(valid).then((centre + half).clip(0.0, 1.0))
    return low, high


def poisson_interval(count: pl.Expr, *, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """(low, high) for the mean of a Poisson count, by the Wilson–Hilferty approximation of the exact
    (Garwood) interval; low is 0 for a count of 0."""
    n = count.cast(pl.Float64)
    low = pl.when(n > 0).then(n * (1 - 1 / (9 * n) - z / (3 * n.sqrt())) ** 3).otherwise(0.0)
    m = n + 1
    high = m * (1 - 1 / (9 * m) + z / (3 * m.sqrt())) ** 3
    return low, high


def wilson_bounds(successes: int, trials: int, *, z: float = Z95) -> tuple[float, float] | None:
    """Plain-Python Wilson interval, for sentences; None where trials == 0."""
    if trials <= 0:
        return None
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
