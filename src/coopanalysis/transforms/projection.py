"""Year-end projection from a partial year: the total with a 95% prediction interval, the method named.

- run rate: requests so far × (days in the year / days observed); the interval is a quasi-Poisson
  prediction interval for the year's total, its dispersion estimated from this year's months, or
  with fewer than three of them also from the earlier full years' months; with neither there is
  no interval, and the basis says why.
- seasonal share: a negative-binomial GLM with a level for each year and an effect for each month
  of the year, fitted on the months of the earlier full years and this year's months so far
  (`transforms.projection_fit.fit_seasonal`); the rest of the year is forecast from it. Needs
  monthly counts and at least one earlier year the counts cover fully, month by month.

The models run on the few collected month counts (numpy, statsmodels); choosing the months is
polars. See benchmarks/projection_backtest.py for how often the intervals hold the year's total.

The counts frame holds only spans the data covers: a request log that begins on 1 October 2020
must not be zero-filled back to 1 January (`reports.yearly.monthly_counts`), or 2020 would count
as a full year with almost no requests.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.periods import is_full_year, year_span
from coopanalysis.transforms.projection_fit import MIN_RATE_MONTHS, Fit, fit_run_rate, fit_seasonal

RESULT_COLUMNS = ("year", "as_of", "observed", "projected", "low", "high", "method", "basis")
_SCHEMA = {"year": pl.Int32, "as_of": pl.Date, "observed": pl.Int64, "projected": pl.Float64, "low": pl.Float64,
           "high": pl.Float64, "method": pl.String, "basis": pl.String}
SEASONAL_NAME = "negative-binomial GLM with year and month-of-year effects"


def _is_month(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """True where start..end lies inside one calendar month."""
    return start.dt.truncate("1mo") == end.dt.truncate("1mo")


def observed_spans(lf: pl.LazyFrame, *, year: int, as_of: dt.date) -> pl.LazyFrame:
    """The spans of `year` up to `as_of` (what the projection has observed), with `days`."""
    first, _last = year_span(year)
    return lf.filter((pl.col("period_start") >= first) & (pl.col("period_end") <= as_of)).with_columns(
        days=(pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    )


def seasonal_base_months(lf: pl.LazyFrame, *, year: int, keys: Sequence[str] = ()) -> pl.LazyFrame:
    """The months the seasonal model learns the season from: every month of each year before `year`
    that the spans of `lf` cover fully, month by month (twelve whole-month spans, 1 January to 31
    December). Output: `keys`, period_start, period_end, requests."""
    keys = list(keys)
    past = lf.filter(pl.col("period_start").dt.year() < year).with_columns(
        _year=pl.col("period_start").dt.year(),
        _whole=(pl.col("period_start").dt.day() == 1) & (pl.col("period_end") == pl.col("period_start").dt.month_end()),
    )
    full = past.group_by(*keys, "_year").agg(
        ok=is_full_year(pl.col("period_start").min(), pl.col("period_end").max())
        & pl.col("_whole").all() & (pl.len() == 12)
    ).filter("ok")
    return past.join(full, on=[*keys, "_year"], how="semi").select(
        *keys, "period_start", "period_end", "requests").sort([*keys, "period_start"])


def _groups(lf: pl.LazyFrame, by: list[str]) -> list[tuple[tuple, pl.DataFrame]]:
    df = lf.collect()
    if not by:
        return [((), df)]
    return [(k, g) for k, g in df.sort(by).group_by(by, maintain_order=True)]


def _row(key: tuple, by: list[str], *, year: int, as_of: dt.date, observed: int, fit: Fit, method: str,
         basis: str) -> dict:
    return {**dict(zip(by, key, strict=True)), "year": year, "as_of": as_of, "observed": observed,
            "projected": fit.projected, "low": None if math.isnan(fit.low) else fit.low,
            "high": None if math.isnan(fit.high) else fit.high, "method": method, "basis": basis}


def _result(rows: list[dict], by: list[str], schema_of: pl.LazyFrame) -> pl.LazyFrame:
    schema = {**{c: schema_of.collect_schema()[c] for c in by}, **_SCHEMA}
    return pl.LazyFrame(rows, schema=schema, orient="row") if rows else pl.LazyFrame(schema=schema)


def _dispersion_text(fit: Fit, what: str) -> str:
    if fit.df is None:
        return _("no interval: too few months observed, and no earlier full year, to say how much the counts vary")
    return _("quasi-Poisson, dispersion {dispersion} from {what}, {df} degrees of freedom").format(
        dispersion=f"{fit.dispersion:.2f}", what=what, df=fit.df)


def _by_year(months: pl.DataFrame | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(counts, days) of each year of whole months."""
    if months is None or months.height == 0:
        return []
    days = months.with_columns(days=(pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1)
    return [(g["requests"].to_numpy().astype(float), g["days"].to_numpy().astype(float))
            for _year, g in days.group_by(pl.col("period_start").dt.year(), maintain_order=True)]


def project_run_rate(lf: pl.LazyFrame, *, year: int, as_of: dt.date, by: Sequence[str] = ()) -> pl.LazyFrame:
    """Year-end projection at the run rate. Input: a counts frame (period_start, period_end, *by,
    requests) covering `year` up to `as_of`. Output: *by, year, as_of, observed, projected, low,
    high (95% prediction interval of the year's total; null when nothing says how much the counts
    vary), method ("run_rate"), basis. The dispersion comes from this year's spans, or with fewer
    than three of them also from the earlier full years' months (`seasonal_base_months`)."""
    by = list(by)
    keys = by or ["_all"]
    lf = lf if by else lf.with_columns(_all=pl.lit(0))
    first, last = year_span(year)
    year_days = (last - first).days + 1
    base = dict(_groups(seasonal_base_months(lf, year=year, keys=keys), keys))
    rows = []
    for key, g in _groups(observed_spans(lf, year=year, as_of=as_of), keys):
        if g.height == 0 or g["days"].sum() == 0:
            continue
        days = int(g["days"].sum())
        earlier = _by_year(base.get(key)) if g.height < MIN_RATE_MONTHS else []
        fit = fit_run_rate(g["requests"].to_numpy().astype(float), g["days"].to_numpy().astype(float),
                           year_days=year_days, earlier=earlier)
        months = g.select(_is_month(pl.col("period_start"), pl.col("period_end")).all()).item()
        what = (_("the {n} months observed") if months else _("the {n} spans observed")).format(n=g.height)
        if earlier:
            what += _(" and the months of {n} earlier full years").format(n=len(earlier))
        observed = _("{days} day observed, scaled to {year_days}; ") if days == 1 else _(
            "{days} days observed, scaled to {year_days}; ")
        basis = observed.format(days=days, year_days=year_days) + _dispersion_text(fit, what)
        rows.append(_row(key if by else (), by, year=year, as_of=as_of, observed=int(g["requests"].sum()), fit=fit,
                         method="run_rate", basis=basis))
    return _result(rows, by, lf)


def _rest_of_year(spans: pl.DataFrame, *, year: int) -> tuple[np.ndarray, np.ndarray]:
    """The months of `year` and the fraction of each not observed in `spans` (observed spans with days)."""
    months = np.arange(1, 13)
    length = np.array([((dt.date(year + m // 12, m % 12 + 1, 1)) - dt.date(year, m, 1)).days for m in months])
    seen = np.bincount(spans["period_start"].dt.month().to_numpy(), weights=spans["days"].to_numpy(),
                       minlength=13)[1:]
    rest = 1 - seen / length
    keep = rest > 1e-9
    return months[keep], rest[keep]


def _seasonal_fit(base: pl.DataFrame, now: pl.DataFrame, *, year: int) -> Fit | None:
    """`fit_seasonal` on collected base months and this year's observed spans (all inside a month)."""
    in_months = now.select(_is_month(pl.col("period_start"), pl.col("period_end")).all()).item()
    if base.height == 0 or now.height == 0 or not in_months:
        return None
    length = now["period_start"].dt.month_end().dt.day().to_numpy()
    rest_months, rest_exposure = _rest_of_year(now, year=year)
    return fit_seasonal(
        np.concatenate([base["period_start"].dt.year().to_numpy(), np.full(now.height, year)]),
        np.concatenate([base["period_start"].dt.month().to_numpy(), now["period_start"].dt.month().to_numpy()]),
        np.concatenate([base["requests"].to_numpy(), now["requests"].to_numpy()]).astype(float),
        np.concatenate([np.ones(base.height), now["days"].to_numpy() / length]),
        year=year, rest_months=rest_months, rest_exposure=rest_exposure,
    )


def _years_text(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def project_seasonal_share(
    lf: pl.LazyFrame, *, year: int, as_of: dt.date, by: Sequence[str] = ()
) -> pl.LazyFrame:
    """Year-end projection from the seasonal model (same output columns as `project_run_rate`,
    method "seasonal_share"): the months so far, plus the rest of the year forecast from the year's
    level and the month-of-year effects of the earlier full years. Groups where the model cannot
    be estimated (see `fit_seasonal`) get no row."""
    by = list(by)
    keys = by or ["_all"]
    lf = lf if by else lf.with_columns(_all=pl.lit(0))
    base = dict(_groups(seasonal_base_months(lf, year=year, keys=keys), keys))
    rows = []
    for key, now in _groups(observed_spans(lf, year=year, as_of=as_of), keys):
        past = base.get(key)
        fit = None if past is None else _seasonal_fit(past, now, year=year)
        if fit is None:
            continue
        years = sorted(set(past["period_start"].dt.year().to_list()))
        left = _(", dispersion {dispersion} left over").format(dispersion=f"{fit.dispersion:.2f}") if fit.dispersion > 1 else ""
        basis = _("{model} (statsmodels), fitted on the months of {years} and of {year} so far; variance μ + αμ² with "
                  "α = {alpha} by moments{left}, {df} degrees of freedom; the days so far hold {share} of the projected "
                  "total").format(model=_(SEASONAL_NAME), years=_years_text(years), year=year, alpha=f"{fit.alpha:.2g}",
                                  left=left, df=fit.df, share=f"{fit.observed_share:.0%}")
        rows.append(_row(key if by else (), by, year=year, as_of=as_of, observed=int(now["requests"].sum()), fit=fit,
                         method="seasonal_share", basis=basis))
    out = _result(rows, by, lf)
    return out.sort(by) if by else out


def project_year_end(lf: pl.LazyFrame, *, year: int, as_of: dt.date, by: Sequence[str] = ()) -> pl.LazyFrame:
    """Both projections stacked (the seasonal model only where the counts allow it)."""
    return pl.concat(
        [project_run_rate(lf, year=year, as_of=as_of, by=by), project_seasonal_share(lf, year=year, as_of=as_of, by=by)],
        how="vertical_relaxed",
    )


def projection_spans(lf: pl.LazyFrame, *, year: int, as_of: dt.date) -> pl.DataFrame:
    """Every count each projection of `year` rests on: method, period_start, period_end, requests —
    the run rate on this year's spans so far (and, with fewer than three, on the earlier full years'
    months), the seasonal model on the earlier full years' months and this year's spans (none when
    it cannot be estimated). For the disclosure check."""
    now = observed_spans(lf, year=year, as_of=as_of).select("period_start", "period_end", "requests").collect()
    base = seasonal_base_months(lf, year=year).collect()
    seasonal = project_seasonal_share(lf, year=year, as_of=as_of).collect().height > 0
    frames = [pl.concat([base, now]) if now.height < MIN_RATE_MONTHS else now]
    methods = ["run_rate"]
    if seasonal:
        frames.append(pl.concat([base, now]))
        methods.append("seasonal_share")
    schema = {"method": pl.String, "period_start": pl.Date, "period_end": pl.Date, "requests": pl.Int64}
    out = [f.with_columns(method=pl.lit(m)) for f, m in zip(frames, methods, strict=True)]
    return pl.concat(out).select(list(schema)).cast(schema)  # type: ignore[arg-type]
