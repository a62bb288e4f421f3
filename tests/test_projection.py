"""The year-end projection against statsmodels on literal counts, the mid-year-start log, and the
counts it rests on (what `reports.yearly.hide_projection` checks before publishing it)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from coopanalysis.core.stats import t975
from coopanalysis.present import narrative
from coopanalysis.reports import growth, volumes
from coopanalysis.reports.yearly import hide_projection, hide_trend
from coopanalysis.transforms.growth import compute_cagr
from coopanalysis.transforms.projection import project_run_rate, project_seasonal_share, projection_spans

D = dt.date
# three earlier years and five months of 2024, spread wider than Poisson (month-to-month CV about 12%)
COUNTS = {
    2021: [406, 336, 313, 274, 287, 319, 300, 259, 284, 281, 282, 315],
    2022: [333, 286, 380, 319, 270, 357, 342, 342, 260, 329, 255, 286],
    2023: [438, 397, 408, 446, 420, 411, 497, 376, 297, 318, 397, 264],
    2024: [331, 443, 467, 483, 350],
}


def _months(counts: dict[int, list[int]]) -> pl.LazyFrame:
    rows = [(D(y, m + 1, 1), n) for y, ns in counts.items() for m, n in enumerate(ns)]
    return pl.LazyFrame(rows, schema=["period_start", "requests"], orient="row").with_columns(
        period_end=pl.col("period_start").dt.month_end())


def _frame(counts: dict[int, list[int]]) -> pd.DataFrame:
    return pd.DataFrame([(y, m + 1, n) for y, ns in counts.items() for m, n in enumerate(ns)],
                        columns=["year", "month", "y"])


def _moment_alpha(data: pd.DataFrame, rounds: int = 2) -> float:
    """α of the negative binomial by moments, Σ((y − μ)² − μ)/μ² over the residual df at the fitted
    means, refitted `rounds` times from a Poisson fit."""
    alpha = 0.0
    for _ in range(rounds):
        fam = sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
        res = smf.glm("y ~ C(year) + C(month)", data, family=fam).fit(scale="X2")
        mu = res.fittedvalues.to_numpy()
        alpha = max(0.0, float((((data.y - mu) ** 2 - mu) / mu**2).sum()) / res.df_resid)
    return alpha


def _reference(data: pd.DataFrame, alpha: float) -> tuple[float, float, float, float]:
    """(projected, low, high, residual df) for 2024 from a statsmodels formula GLM: the delta method on
    the sum of the months forecast, plus the counts' own variance, Student's t on the residual df."""
    fam = sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
    res = smf.glm("y ~ C(year) + C(month)", data, family=fam).fit(scale="X2")
    rest = pd.DataFrame({"year": 2024, "month": range(6, 13)})
    both = smf.glm("y ~ C(year) + C(month)", pd.concat([data, rest.assign(y=0)], ignore_index=True))
    x = both.exog[len(data):]  # the same coding: every level is in `data`
    mu = np.exp(x @ res.params.to_numpy())
    phi = max(1.0, res.scale)
    cov = res.cov_params().to_numpy() / res.scale * phi
    var = mu @ x @ cov @ (mu @ x) + phi * (mu + alpha * mu**2).sum()
    q = stats.t.ppf(0.975, res.df_resid)
    n = data.loc[data.year == 2024, "y"].sum()
    return n + mu.sum(), n + mu.sum() - q * math.sqrt(var), n + mu.sum() + q * math.sqrt(var), res.df_resid


@pytest.mark.parametrize("spread", ["overdispersed", "poisson"])
def test_seasonal_model_matches_statsmodels_glm(spread: str) -> None:
    counts = COUNTS if spread == "overdispersed" else {
        y: [round(60 * (1 + 0.2 * math.sin(m)) * 1.05 ** (y - 2021)) for m in range(len(ns))]
        for y, ns in COUNTS.items()}
    out = project_seasonal_share(_months(counts), year=2024, as_of=D(2024, 5, 31)).collect().row(0, named=True)
    data = _frame(counts)
    alpha = _moment_alpha(data)
    assert (alpha > 0) == (spread == "overdispersed")
    projected, low, high, df = _reference(data, alpha)
    assert out["observed"] == sum(counts[2024])
    assert out["projected"] == pytest.approx(projected, rel=1e-6)
    assert (out["low"], out["high"]) == pytest.approx((low, high), rel=1e-6)
    assert f"{df:.0f} degrees of freedom" in out["basis"]
    assert out["basis"].startswith("negative-binomial GLM with year and month-of-year effects (statsmodels), fitted "
                                   "on the months of 2021–2023 and of 2024 so far")


def test_run_rate_interval_uses_the_quasi_poisson_dispersion_of_the_months() -> None:
    out = project_run_rate(_months({2024: COUNTS[2024]}), year=2024, as_of=D(2024, 5, 31)).collect().row(0, named=True)
    days = np.array([31, 29, 31, 30, 31])
    y = np.array(COUNTS[2024])
    res = sm.GLM(y, np.ones((5, 1)), family=sm.families.Poisson(), offset=np.log(days)).fit(scale="X2")
    phi, rate, seen, rest = max(1.0, res.scale), math.exp(res.params[0]), days.sum(), 366 - days.sum()
    sd = math.sqrt(phi * y.sum() * (rest / seen) ** 2 + phi * rate * rest)
    q = stats.t.ppf(0.975, 4)
    assert out["projected"] == pytest.approx(y.sum() * 366 / seen)
    assert (out["low"], out["high"]) == pytest.approx((out["projected"] - q * sd, out["projected"] + q * sd))
    assert f"dispersion {phi:.2f} from the 5 months observed, 4 degrees of freedom" in out["basis"]


def test_t975_matches_scipy() -> None:
    for df in (1, 2, 5, 10, 11, 17, 40, 199, 1000):
        assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=1e-5)


def test_trend_matches_statsmodels_ols_on_log_counts() -> None:
    values = [7560, 12771, 10166, 8961, 8847]
    yearly = pl.LazyFrame({"period_start": [D(y, 1, 1) for y in range(2020, 2025)],
                           "period_end": [D(y, 12, 31) for y in range(2020, 2025)], "requests": values})
    out = compute_cagr(yearly).collect().row(0, named=True)
    ols = sm.OLS(np.log(values), sm.add_constant(np.arange(2020, 2025, dtype=float))).fit()
    low, high = ols.conf_int(0.05)[1]
    assert out["trend"] == pytest.approx(math.exp(ols.params[1]) - 1)
    assert (out["trend_low"], out["trend_high"]) == pytest.approx((math.exp(low) - 1, math.exp(high) - 1))
    assert out["cagr"] == pytest.approx((8847 / 7560) ** (1 / 4) - 1)
    assert (out["trend_vs_cagr"], out["peak_year"], out["falls_after_peak"]) == ("opposite direction", 2021, 3)
    # a year with no requests has no logarithm: no trend, and the note says why
    zero = compute_cagr(yearly.with_columns(requests=pl.Series([0, 5, 7, 9, 12]))).collect().row(0, named=True)
    assert (zero["trend"], zero["trend_note"]) == (None, "a full year with no requests")


def test_trend_withheld_where_a_full_year_is_hidden() -> None:
    cagr = pl.DataFrame({"first_year": [2020], "last_year": [2022], "trend": [0.1], "trend_low": [0.0],
                         "trend_high": [0.2], "trend_note": [None], "trend_vs_cagr": ["agree"], "peak_year": [2022],
                         "falls_after_peak": [0]}, schema_overrides={"trend_note": pl.String})
    yearly = pl.DataFrame({"period_start": [D(2020, 1, 1), D(2021, 1, 1), D(2022, 1, 1)],
                           "period_end": [D(2020, 12, 31), D(2021, 12, 31), D(2022, 12, 31)],
                           "requests": [40, None, 60], "requests_hidden": [None, "<10", None]})
    out = hide_trend(cagr, yearly, threshold=10).row(0, named=True)
    assert (out["trend"], out["trend_low"], out["peak_year"]) == (None, None, None)
    assert out["trend_note"] == "withheld: a count below 10 or protecting one"
    shown = hide_trend(cagr, yearly.with_columns(requests_hidden=pl.lit(None, pl.String)), threshold=10)
    assert shown["trend"].to_list() == [0.1]


def _log(path: Path, start: D, end: D, per_day: int = 3) -> Path:
    """A request log with `per_day` requests to Google every day from `start` to `end`."""
    header = "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on"
    lines, day, i = [header], start, 0
    while day <= end:
        for _ in range(per_day + (day.day % 3 == 0)):
            lines.append(f"R-{i:06d},{day},Seoul A,KR,Google,fraud,email,,,open,")
            i += 1
        day += dt.timedelta(days=1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [volumes.volume_report, growth.growth_report])
def test_log_starting_mid_year_leaves_that_year_out(tmp_path: Path, make) -> None:
    # the log begins on 1 October 2020. Before the fix 2020 was zero-filled back to 1 January and
    # counted as a full earlier year with a share of 0: the upper bound was infinite and the
    # projection sentence raised OverflowError
    report = make(str(_log(tmp_path / "log.csv", D(2020, 10, 1), D(2022, 6, 30))))
    projected = report.projection.filter(pl.col("kind") == "projected").sort("method")
    assert projected["method"].to_list() == ["run rate", "seasonal share"]
    for r in projected.iter_rows(named=True):
        assert all(math.isfinite(r[c]) for c in ("requests", "low", "high"))
        assert r["low"] < r["requests"] < r["high"]
    assert "fitted on the months of 2021 and of 2022 so far" in projected["basis"][1]
    text = narrative.projection_sentence(report.projection)
    assert text.startswith("Projected requests for the whole of 2022 from ")
    assert report.projection_figure["label"] == "Projected requests in 2022 (seasonal share)"


def test_log_without_an_earlier_full_year_projects_by_run_rate_alone(tmp_path: Path) -> None:
    report = volumes.volume_report(str(_log(tmp_path / "log.csv", D(2020, 10, 1), D(2021, 6, 30))))
    projected = report.projection.filter(pl.col("kind") == "projected")
    assert projected["method"].to_list() == ["run rate"]
    r = projected.row(0, named=True)
    assert r["low"] < r["requests"] < r["high"] and math.isfinite(r["high"])
    assert "quasi-Poisson, dispersion" in r["basis"] and "from the 6 months observed, 5 degrees of freedom" in r["basis"]
    assert report.projection_figure["label"] == "Projected requests in 2021 (run rate)"


def test_log_starting_in_march_leaves_its_first_year_out_of_the_season(tmp_path: Path) -> None:
    report = volumes.volume_report(str(_log(tmp_path / "log.csv", D(2020, 3, 1), D(2022, 4, 30))))
    seasonal = report.projection.filter(pl.col("method") == "seasonal share").row(0, named=True)
    assert "on the months of 2021 and of 2022 so far" in seasonal["basis"]


def test_projection_rests_on_the_months_it_uses_and_is_withheld_when_one_is_small() -> None:
    counts = {**COUNTS, 2022: [*COUNTS[2022][:6], 4, *COUNTS[2022][7:]]}  # July 2022: 4 requests
    lf = _months(counts)
    spans = projection_spans(lf, year=2024, as_of=D(2024, 5, 31))
    seasonal = spans.filter(pl.col("method") == "seasonal_share")
    assert seasonal.height == 36 + 5 and seasonal["requests"].sum() == sum(map(sum, counts.values()))
    run_rate = spans.filter(pl.col("method") == "run_rate")
    assert run_rate["period_start"].to_list() == [D(2024, m, 1) for m in range(1, 6)]
    proj = pl.DataFrame({
        "year": [2024] * 3, "kind": ["observed", "projected", "projected"],
        "method": ["observed so far", "run rate", "seasonal share"], "requests": [2074.0, 4900.0, 4950.0],
        "low": [None, 4500.0, 4600.0], "high": [None, 5300.0, 5300.0],
        "period_start": [D(2024, 1, 1)] * 3, "period_end": [D(2024, 5, 31)] * 3, "basis": [None, "a", "b"]})
    labels = {(D(2024, 1, 1), D(2024, 5, 31)): None}
    out = hide_projection(proj, labels, spans, threshold=10)
    assert out["requests"].to_list() == [2074.0, 4900.0, None]
    assert out["requests_hidden"].to_list() == [None, None, "withheld"]
    # with a threshold of 4 the month of 4 is no longer small: both are published
    assert hide_projection(proj, labels, spans, threshold=4)["requests"].null_count() == 0
    # a month hidden where the page prints it withholds every projection resting on it
    hidden_month = {**labels, (D(2024, 3, 1), D(2024, 3, 31)): "<10"}
    assert hide_projection(proj, hidden_month, spans, threshold=4)["requests"].to_list() == [2074.0, None, None]


def test_growth_report_withholds_the_trend_of_a_platform_with_a_hidden_year() -> None:
    report = growth.growth_report("sample/requests_synthetic.csv", suppress_below=10)
    by = report.cagr_by["platform"]
    telegram = by.filter(pl.col("platform") == "Telegram").row(0, named=True)
    hidden_years = report.yearly_by["platform"].filter(
        (pl.col("platform") == "Telegram") & pl.col("requests_hidden").is_not_null())
    assert hidden_years.height > 0  # Telegram has years below 10 requests in the bundled log
    assert (telegram["trend"], telegram["trend_low"], telegram["trend_high"], telegram["peak_year"]) == (None,) * 4
    assert telegram["trend_note"] == "withheld: a count below 10 or protecting one"
    google = by.filter(pl.col("platform") == "Google").row(0, named=True)
    assert google["trend"] is not None and google["trend_low"] < google["trend"] < google["trend_high"]
