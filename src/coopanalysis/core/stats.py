"""Interval expressions: Wilson for shares, Poisson for counts. Pure polars, no SciPy.

Each builder takes column expressions and returns expressions, so intervals are
computed inside the same lazy query as the figures they qualify.
"""

from __future__ import annotations

import math

import polars as pl

Z95 = 1.959963984540054

T975 = {
    1: 12.706204736174698, 2: 4.302652729749464, 3: 3.182446305284263, 4: 2.7764451051977934,
    5: 2.570581835636314, 6: 2.4469118511449666, 7: 2.3646242515927853, 8: 2.306004135204168,
    9: 2.2621571628540993, 10: 2.2281388519649385,
}
"""Student's t 97.5% quantile by degrees of freedom 1–10 (scipy.stats.t.ppf(0.975, df))."""


def t975(df: int) -> float:
    """Student's t 97.5% quantile (two-sided 95%) for `df` ≥ 1 degrees of freedom: the table above to
    10, then the Cornish–Fisher expansion in 1/df (within 1e-5 of the exact value beyond 10)."""
    if df in T975:
        return T975[df]
    z, v = Z95, float(df)
    return (z + (z**3 + z) / (4 * v) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4))


def t975_expr(df: pl.Expr) -> pl.Expr:
    """`t975` of an integer column (null where df < 1)."""
    return pl.when(df >= 1).then(df.replace_strict({d: t975(d) for d in range(1, 201)}, default=t975(200),
                                                     return_dtype=pl.Float64))


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
