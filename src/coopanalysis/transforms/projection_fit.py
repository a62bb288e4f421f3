"""The models behind the year-end projection, on small collected arrays of counts (numpy, statsmodels).

Both return a prediction interval for the year's total: the requests observed so far are known,
the rest of the year is forecast, and the interval for that rest combines the uncertainty of its
estimated mean (delta method on the log-linear predictor) with the variation of the counts around
their mean. With an estimated dispersion the quantile is Student's t on the residual degrees of
freedom, not the normal one.

- `fit_run_rate`: one constant daily rate from the months observed this year; quasi-Poisson
  (variance = dispersion × mean, the dispersion Pearson χ²/df, never below 1).
- `fit_seasonal`: a negative-binomial GLM with a level for each year and an effect for each month
  of the year, fitted on the earlier full years' months and this year's months so far (variance
  μ + αμ², α by moments, times any Pearson χ²/df left over above 1). The quadratic variance
  follows month-to-month swings that grow with the level, as a rising series has.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from coopanalysis.core.stats import Z95, t975

MIN_RATE_MONTHS = 3
"""Months observed this year from which the run rate estimates a dispersion (fewer: Poisson)."""
MIN_SEASONAL_DF = 2
"""Residual degrees of freedom the seasonal model needs to estimate its dispersion."""


@dataclass(frozen=True)
class Fit:
    """A year-end projection: total and its 95% prediction interval, the dispersion used, the residual
    degrees of freedom (None: dispersion not estimated) and the share of the year's expected total the
    observed days hold (base: the projected total)."""

    projected: float
    low: float
    high: float
    dispersion: float
    df: int | None
    observed_share: float
    alpha: float = 0.0  # the negative binomial's α (variance μ + αμ²); 0 for the quasi-Poisson run rate


def t_quantile(df: int | None) -> float:
    """Two-sided 95% quantile of Student's t with `df` degrees of freedom (normal when None)."""
    return Z95 if df is None else t975(df)


def _interval(observed: float, rest: float, variance: float, q: float) -> tuple[float, float]:
    """Observed + rest ± q·sd, the rest never below 0."""
    sd = math.sqrt(max(variance, 0.0))
    return observed + max(rest - q * sd, 0.0), observed + rest + q * sd


def _pearson(groups: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[float, int]:
    """Pearson χ² of each group's counts around its own constant daily rate, and its df (Σ spans − 1)."""
    chi2, df = 0.0, 0
    for counts, days in groups:
        if len(counts) < 2 or counts.sum() <= 0:
            continue
        expected = counts.sum() / days.sum() * days
        chi2 += float(((counts - expected) ** 2 / expected).sum())
        df += len(counts) - 1
    return chi2, df


def fit_run_rate(counts: np.ndarray, days: np.ndarray, *, year_days: int,
                 earlier: Sequence[tuple[np.ndarray, np.ndarray]] = ()) -> Fit:
    """Projection at a constant daily rate. `counts`, `days`: this year's observed spans (requests and
    days each). The dispersion is the Pearson χ² of the spans around that rate over (spans − 1) when
    there are at least `MIN_RATE_MONTHS` of them; with fewer, it also takes in the months of the
    earlier full years (`earlier`: (counts, days) per year, each around its own rate). Without
    either, the interval is (nan, nan): nothing says how much the counts vary."""
    n, d = float(counts.sum()), float(days.sum())
    rest_days = max(year_days - d, 0.0)
    rate = n / d
    own = [(counts, days)]
    chi2, df = _pearson(own if len(counts) >= MIN_RATE_MONTHS else [*own, *earlier] if earlier else [])
    phi = max(1.0, chi2 / df) if df > 0 else 1.0
    rest = rate * rest_days
    if df == 0:
        return Fit(n + rest, math.nan, math.nan, 1.0, None, d / year_days)
    if n == 0:  # no request yet: the count so far is 0 and the rest at most the Poisson bound of 0
        return Fit(0.0, 0.0, -math.log(0.025) * phi * year_days / d, phi, df, d / year_days)
    variance = phi * n * (rest_days / d) ** 2 + phi * rest  # estimated mean, then the counts around it
    low, high = _interval(n, rest, variance, t_quantile(df))
    return Fit(n + rest, low, high, phi, df, d / year_days)


def _design(years: np.ndarray, months: np.ndarray, levels: list[int]) -> np.ndarray:
    """Intercept, one column per year after the first of `levels`, one per month after January."""
    cols = [np.ones(len(years))]
    cols += [(years == y).astype(float) for y in levels[1:]]
    cols += [(months == m).astype(float) for m in range(2, 13)]
    return np.column_stack(cols)


def _moment_alpha(y: np.ndarray, mu: np.ndarray, df: int) -> float:
    """The negative binomial's α by moments: Σ((y − μ)² − μ) / μ² over the residual df, never below 0."""
    return max(0.0, float((((y - mu) ** 2 - mu) / mu**2).sum()) / df)


def fit_seasonal(years: np.ndarray, months: np.ndarray, counts: np.ndarray, exposure: np.ndarray, *,
                 year: int, rest_months: np.ndarray, rest_exposure: np.ndarray) -> Fit | None:
    """Negative-binomial GLM log E[count] = year level + month-of-year effect + log(exposure), on the
    earlier full years' months and `year`'s observed months (`exposure`: the fraction of each month
    covered); variance μ + αμ², α by moments, times the Pearson χ²/df left over (at least 1).
    Forecasts `rest_months` (fractions `rest_exposure`) of `year`. None when the model cannot be
    estimated: fewer than `MIN_SEASONAL_DF` residual degrees of freedom, no request yet in `year`,
    a month of the year with no request in any year, or a fit that does not converge."""
    import statsmodels.api as sm  # a heavy import, needed only here
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    levels = sorted(set(years.tolist()))
    obs = years == year
    n = float(counts[obs].sum())
    month_totals = np.bincount(months.astype(int), weights=counts, minlength=13)[1:]
    x = _design(years, months, levels)
    df = len(counts) - x.shape[1]
    if year not in levels or df < MIN_SEASONAL_DF or n <= 0 or (month_totals <= 0).any():
        return None
    alpha = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)  # a perfect fit; zero months are refused above
        try:
            for _ in range(3):  # Poisson first, then the negative binomial with α from the fit before
                family = sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
                res = sm.GLM(counts, x, family=family, offset=np.log(exposure)).fit(scale="X2")
                alpha = _moment_alpha(counts, res.fittedvalues, df)
        except (ConvergenceWarning, RuntimeWarning, ValueError, np.linalg.LinAlgError):
            return None
    phi = max(1.0, float(res.scale))
    cov = np.asarray(res.cov_params()) / float(res.scale) * phi
    fitted_alpha = res.model.family.alpha if alpha > 0 and hasattr(res.model.family, "alpha") else 0.0
    xr = _design(np.full(len(rest_months), year), rest_months, levels)
    mu = np.exp(xr @ res.params) * rest_exposure
    rest = float(mu.sum())
    grad = mu @ xr
    variance = float(grad @ cov @ grad) + phi * float((mu + fitted_alpha * mu**2).sum())
    if not np.isfinite(variance):
        return None
    low, high = _interval(n, rest, variance, t_quantile(df))
    return Fit(n + rest, low, high, phi, df, n / (n + rest), fitted_alpha)
