"""Backtest of the year-end projection: does the nominal 95% interval hold the year's total 95% of the time?

    .venv/bin/python benchmarks/projection_backtest.py              # 200 simulated series per scenario
    .venv/bin/python benchmarks/projection_backtest.py --series 100 # quicker

Every year of each series is projected from the end of each month January–November, as the report
would project it on that day: the seasonal model (`transforms.projection_fit.fit_seasonal`) on the
earlier full years' months and the months so far, or the run rate (`fit_run_rate`) where the model
cannot be estimated (the first year, or one earlier year and too few months). Scenarios:

- bundled log: the monthly counts of data/sample/requests_synthetic.csv, all platforms (2020–2024);
- bundled log by platform: the same for each platform (small and changing counts);
- synthetic series of six years of months (around 800 requests a month): Poisson; negative binomial
  (month-to-month CV 10%); seasonal (8% seasonal swing, negative binomial); trend (the seasonal
  negative binomial months with a log-linear trend of +15% a year running through the years).

Printed for each scenario: projections made, the share of them whose interval holds the year's
total (target 92–98%), the same for the intervals the report used to show (the Poisson interval of
the count so far scaled up — run rate — and the seasonal share's min/max envelope over earlier
years), and the mean interval width of each, relative to the year's total.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from coopanalysis.core.stats import Z95  # noqa: E402
from coopanalysis.paths import SAMPLE_REQUESTS  # noqa: E402
from coopanalysis.transforms.projection_fit import fit_run_rate, fit_seasonal  # noqa: E402

YEARS = 6
METHODS = ("new", "model", "old run rate", "old seasonal")
MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)


def _old_poisson(n: float) -> tuple[float, float]:
    """The Wilson–Hilferty Poisson interval for the mean of a count (core.stats.poisson_interval)."""
    low = n * (1 - 1 / (9 * n) - Z95 / (3 * math.sqrt(n))) ** 3 if n > 0 else 0.0
    m = n + 1
    return low, m * (1 - 1 / (9 * m) + Z95 / (3 * math.sqrt(m))) ** 3


def project(series: np.ndarray, year: int, month: int) -> dict[str, tuple[float, float] | None]:
    """Intervals for the total of `series[year]` (rows: years, columns: months) known to the end of
    `month`: the new headline (seasonal model, else run rate) and the old run rate and seasonal share."""
    now = series[year, :month]
    n = float(now.sum())
    days = MONTH_DAYS[:month]
    out: dict[str, tuple[float, float] | None] = {}
    fit = None
    if year > 0:
        past = series[:year]
        years = np.concatenate([np.repeat(np.arange(year), 12), np.full(month, year)])
        months = np.concatenate([np.tile(np.arange(1, 13), year), np.arange(1, month + 1)])
        fit = fit_seasonal(years, months, np.concatenate([past.ravel(), now]).astype(float),
                           np.ones(len(years)), year=year, rest_months=np.arange(month + 1, 13),
                           rest_exposure=np.ones(12 - month))
    out["model"] = None if fit is None else (fit.low, fit.high)
    if fit is None:
        fit = fit_run_rate(now.astype(float), days, year_days=365,
                           earlier=[(series[y].astype(float), MONTH_DAYS) for y in range(year)])
    out["new"] = None if math.isnan(fit.low) else (fit.low, fit.high)
    scale = 365 / days.sum()
    low, high = _old_poisson(n)
    out["old run rate"] = (low * scale, high * scale)
    out["old seasonal"] = None
    if year > 0:
        shares = series[:year, :month].sum(axis=1) / series[:year].sum(axis=1)
        if shares.min() > 0:
            out["old seasonal"] = (low / shares.max(), high / shares.min())
    return out


def _backtest(series_list: list[np.ndarray]) -> dict[str, list[tuple[bool, float]]]:
    """(covered, width / truth) of every projection of every full year of every series, per method."""
    got: dict[str, list[tuple[bool, float]]] = {m: [] for m in METHODS}
    for series in series_list:
        for year in range(series.shape[0]):
            truth = float(series[year].sum())
            for month in range(1, 12):
                for name, iv in project(series, year, month).items():
                    if iv is not None and truth > 0:
                        got[name].append((iv[0] <= truth <= iv[1], (iv[1] - iv[0]) / truth))
    return got


def _synthetic(kind: str, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(YEARS * 12)
    mu = np.full(t.shape, 800.0)
    if kind in ("seasonal", "trend"):
        mu *= 1 + 0.08 * np.sin(2 * np.pi * (t % 12) / 12 + rng.uniform(0, 2 * np.pi))
    if kind == "trend":
        mu *= np.exp(np.log(1.15) * t / 12)
    if kind != "poisson":
        mu = rng.gamma(shape=1 / 0.1**2, scale=mu * 0.1**2)  # negative binomial: CV 10% month to month
    return rng.poisson(mu).reshape(YEARS, 12)


def _bundled() -> dict[str, list[np.ndarray]]:
    log = pl.read_csv(SAMPLE_REQUESTS, try_parse_dates=True, columns=["requested_on", "platform"])
    log = log.filter(pl.col("requested_on").dt.year() <= 2024)
    monthly = log.group_by("platform", y=pl.col("requested_on").dt.year(), m=pl.col("requested_on").dt.month()).len()

    def grid(df: pl.DataFrame) -> np.ndarray:
        out = np.zeros((5, 12))
        for y, m, n in df.select("y", "m", "len").iter_rows():
            out[y - 2020, m - 1] += n
        return out

    return {"bundled log": [grid(monthly)],
            "bundled log by platform": [grid(g) for _, g in monthly.group_by("platform", maintain_order=True)]}


def _scenario(args: tuple[str, int, int]) -> tuple[str, dict]:
    kind, n, seed = args
    rng = np.random.default_rng(seed)
    return kind, _backtest([_synthetic(kind, rng) for _ in range(n)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=200, help="simulated six-year series per scenario")
    ap.add_argument("--jobs", type=int, default=2)
    opts = ap.parse_args()
    t0 = time.perf_counter()
    results = {name: _backtest(s) for name, s in _bundled().items()}
    kinds = ["poisson", "negative binomial", "seasonal", "trend"]
    chunks = [(k, opts.series // opts.jobs, 1000 * i + j) for i, k in enumerate(kinds) for j in range(opts.jobs)]
    with ProcessPoolExecutor(opts.jobs) as pool:
        for kind, got in pool.map(_scenario, chunks):
            acc = results.setdefault(kind, {m: [] for m in METHODS})
            for name, rows in got.items():
                acc[name] += rows
    years = opts.series // opts.jobs * opts.jobs * YEARS
    print(f"{years:,} simulated years per synthetic scenario ({opts.series // opts.jobs * opts.jobs} series of "
          f"{YEARS} years), each projected from the end of every month January–November; "
          f"{time.perf_counter() - t0:.0f} s")
    print("| scenario | projections | with an interval | coverage | coverage, seasonal model alone | coverage, old run rate "
          "| coverage, old seasonal share | mean width | old run rate | old seasonal share |")
    print("|" + "---|" * 10)
    bad = []
    for name, got in results.items():
        cov = {m: np.mean([c for c, _ in rows]) if rows else float("nan") for m, rows in got.items()}
        wid = {m: np.mean([w for _, w in rows]) if rows else float("nan") for m, rows in got.items()}
        total = len(got["old run rate"])
        print(f"| {name} | {total:,} | {len(got['new']) / total:.1%} | {cov['new']:.1%} | {cov['model']:.1%} "
              f"| {cov['old run rate']:.1%} | {cov['old seasonal']:.1%} | {wid['new']:.1%} | {wid['old run rate']:.1%} "
              f"| {wid['old seasonal']:.1%} |")
        if not 0.92 <= cov["new"] <= 0.98:
            bad.append(name)
    print("Coverage: the share of projections whose 95% interval holds the year's actual total (base: the projections "
          "with an interval). Width: the interval's width as a share of the year's actual total, averaged.")
    print("Coverage within 92–98% in every scenario: " + ("yes" if not bad else f"NO ({', '.join(bad)})"))


if __name__ == "__main__":
    main()
