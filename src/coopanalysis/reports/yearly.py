"""Yearly like-for-like growth and the year-end projection, as the volume and growth reports show them.

Both reports compare each year with the same span of the year before and project a partial
last year to its end; the frames built here are the same whether the input is a request log
or the published series (see `coopanalysis.reports.source`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import polars as pl

from coopanalysis.core.periods import day_month_format, is_year_to_date, year_before
from coopanalysis.publish import disclosure
from coopanalysis.reports.source import Source
from coopanalysis.transforms.growth import (
    add_yoy_growth,
    is_full_year,
    yoy_growth_from_log,
)
from coopanalysis.transforms.projection import project_year_end, projection_spans
from coopanalysis.transforms.volumes import count_requests

YOY_COLUMNS = {
    "period_start": pl.Date, "period_end": pl.Date, "period_label": pl.String, "requests": pl.Int64,
    "base": pl.Int64, "growth": pl.Float64, "growth_note": pl.String,
}
PROJECTION_COLUMNS = {
    "year": pl.Int32, "kind": pl.String, "method": pl.String, "requests": pl.Float64, "low": pl.Float64,
    "high": pl.Float64, "period_start": pl.Date, "period_end": pl.Date, "basis": pl.String,
}
_NO_PROJECTION = {"year": pl.Int32, "as_of": pl.Date, "observed": pl.Int64, "projected": pl.Float64,
                  "low": pl.Float64, "high": pl.Float64, "method": pl.String, "basis": pl.String}


def period_text(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """'2021' for a calendar year, otherwise the span: '2025 (1 Jan–30 Jun)', '2024 (1 Jan–31 Jul)'."""
    day = day_month_format()  # "1 Jan", "1월 1일": the page's language
    span = pl.concat_str(
        start.dt.year().cast(pl.String), pl.lit(" ("), start.dt.strftime(day), pl.lit("–"),
        end.dt.strftime(day), pl.lit(")"),
    )
    return pl.when(is_full_year(start, end)).then(start.dt.year().cast(pl.String)).otherwise(span)


def yearly_totals(counts: pl.LazyFrame) -> pl.LazyFrame:
    """Requests summed over platforms per span: (period_start, period_end, requests), in date order."""
    return counts.group_by("period_start", "period_end").agg(pl.col("requests").sum()).sort("period_start")


def yearly_growth_log(src: Source, by: Sequence[str] = ()) -> pl.LazyFrame:
    """Like-for-like yearly growth of a request log `src` over its selected dates, by `by`, labelled."""
    info = src.summary
    return yoy_growth_from_log(src.log, start=info.start, end=info.end, by=by).with_columns(
        period_label=period_text(pl.col("period_start"), pl.col("period_end"))
    )


def yearly_growth_series(counts: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    """Yearly growth of published spans (totals over platforms unless `by`), labelled."""
    base = counts if by else yearly_totals(counts)
    return add_yoy_growth(base, by=by).with_columns(
        period_label=period_text(pl.col("period_start"), pl.col("period_end"))
    )


def projection_frame(yearly: pl.LazyFrame, projection: pl.LazyFrame) -> pl.LazyFrame:
    """One long frame for `charts.chart_projection`: a row per observed year (method "observed",
    or "observed so far" for a partial year) and a row per projection method for the partial year.
    Input: yearly counts (period_start, period_end, requests) and a `project_year_end` frame."""
    observed = yearly.select(
        year=pl.col("period_start").dt.year().cast(pl.Int32),
        kind=pl.lit("observed"),
        method=pl.when(is_full_year(pl.col("period_start"), pl.col("period_end")))
        .then(pl.lit("observed")).otherwise(pl.lit("observed so far")),
        requests=pl.col("requests").cast(pl.Float64),
        low=pl.lit(None, dtype=pl.Float64),
        high=pl.lit(None, dtype=pl.Float64),
        period_start=pl.col("period_start"),
        period_end=pl.col("period_end"),
        basis=pl.lit(None, dtype=pl.String),
    )
    projected = projection.select(
        year=pl.col("year").cast(pl.Int32),
        kind=pl.lit("projected"),
        method=pl.col("method").str.replace_all("_", " "),
        requests=pl.col("projected").cast(pl.Float64),
        low=pl.col("low").cast(pl.Float64),
        high=pl.col("high").cast(pl.Float64),
        period_start=pl.date(pl.col("year"), 1, 1),
        period_end=pl.col("as_of"),
        basis=pl.col("basis"),
    )
    return pl.concat([observed, projected], how="vertical_relaxed").sort("year", "kind")


def year_end_projection(yearly: pl.LazyFrame, finer: pl.LazyFrame, last: pl.DataFrame) -> pl.LazyFrame:
    """A `projection_frame` of the observed years, with the year-end projection of the last span
    (`last`, one row) when it is a partial year starting on 1 January. `finer`: counts per month
    (request log) or per span (published series) the projection rests on."""
    if last.height == 0:
        return pl.LazyFrame(schema=PROJECTION_COLUMNS)
    start, end = last["period_start"][0], last["period_end"][0]
    partial = is_year_to_date(start, end)
    proj = project_year_end(finer, year=start.year, as_of=end) if partial else None
    return projection_frame(yearly, proj if proj is not None else pl.LazyFrame(schema=_NO_PROJECTION))


def monthly_counts(src: Source, *, years: int = 6) -> pl.LazyFrame:
    """Requests per month of a request log `src` (its chosen platforms and agencies, every date) for
    the projection: from 1 January `years` years before the selection's last year, but never before
    the month of the log's first request, so a log that begins in October does not count the
    months before as months with no request."""
    end = src.summary.end
    data = src.load.data if src.load is not None else src.log
    first = data.select(pl.col("requested_on").min().dt.truncate("1mo")).collect().item()  # type: ignore[union-attr]
    start = dt.date(end.year - years, 1, 1)  # type: ignore[union-attr]
    start = max(start, first) if first else start
    return count_requests(src.log, period="month", start=start, end=end)  # type: ignore[arg-type]


def projection_inputs(finer: pl.LazyFrame, last: pl.DataFrame) -> pl.DataFrame:
    """The counts the projections of the last span (`last`, one row) rest on, per method
    (`transforms.projection.projection_spans`): method ("run_rate", "seasonal_share"),
    period_start, period_end, requests. Empty when the last span is not a partial year."""
    empty = pl.DataFrame(schema={"method": pl.String, "period_start": pl.Date, "period_end": pl.Date,
                                 "requests": pl.Int64})
    if last.height == 0:
        return empty
    start, end = last["period_start"][0], last["period_end"][0]
    if not is_year_to_date(start, end):
        return empty
    return projection_spans(finer, year=start.year, as_of=end)


def page_labels(*frames: pl.DataFrame) -> dict[tuple[dt.date, dt.date], str | None]:
    """Every total count printed by the hidden growth frames (`publish.growth.hide_growth_tables`)
    or a by-period frame of a page: (first day, last day) → its label, None where it is shown."""
    out: dict[tuple[dt.date, dt.date], str | None] = {}
    for df in frames:
        label = disclosure.hidden_column("requests")
        for r in df.iter_rows(named=True):
            out.setdefault((r["period_start"], r["period_end"]), r.get(label))
            if "base" in r and (r["base"] is not None or r.get("base_hidden")):
                span = (year_before(r["period_start"]), year_before(r["period_end"]))
                out.setdefault(span, r.get("base_hidden"))
    return out


def _publishable(span: tuple[dt.date, dt.date], count: int, labels: dict, threshold: int,
                 shown: Callable[[tuple[dt.date, dt.date]], bool] = lambda span: True) -> bool:
    """True when a count a projection rests on may be given back: not small, not hidden where the
    page prints it, and — where the page does not print it — no hidden count printed over any part
    of its span (the projection would give the hidden piece back as this count minus the pieces
    shown), and shown by `shown` (the batch-wide pattern, `reports.pattern.shown_span`)."""
    if 0 < count < threshold or not shown(span):
        return False
    if span in labels:
        return labels[span] is None
    return not any(label and s <= span[1] and span[0] <= e for (s, e), label in labels.items())


def hide_projection(projection: pl.DataFrame, labels: dict, inputs: pl.DataFrame, threshold: int,
                    shown: Callable[[tuple[dt.date, dt.date]], bool] = lambda span: True) -> pl.DataFrame:
    """Observed years hidden as on the page (`labels`, see `page_labels`); a projection (its value
    and interval) "withheld" unless the partial year's count is shown and every count it rests on
    (`inputs`, see `projection_inputs`: this year's months, and the earlier full years' months for
    the seasonal model) is publishable (`_publishable`)."""
    label = disclosure.hidden_column("requests")
    if threshold <= 1 or projection.height == 0:
        return projection
    partial = projection.filter(pl.col("method") == "observed so far")
    so_far_ok = partial.height == 0 or labels.get((partial["period_start"][0], partial["period_end"][0])) is None
    ok = {}
    for method in ("run_rate", "seasonal_share"):
        rows = inputs.filter(pl.col("method") == method)
        ok[method.replace("_", " ")] = so_far_ok and all(
            _publishable((s, e), n, labels, threshold, shown) for s, e, n in rows.select(
                "period_start", "period_end", "requests").iter_rows())
    labelled = [
        labels.get((r["period_start"], r["period_end"])) if r["kind"] == "observed"
        else (None if ok.get(r["method"], False) else disclosure.WITHHELD)
        for r in projection.iter_rows(named=True)
    ]
    out = projection.with_columns(pl.Series(label, labelled, dtype=pl.String))
    return out.with_columns(
        [pl.when(pl.col(label).is_null()).then(pl.col(c)).alias(c) for c in ("requests", "low", "high")]
    )


TREND_COLUMNS = ("trend", "trend_low", "trend_high", "trend_vs_cagr", "peak_year", "falls_after_peak")


def hide_trend(cagr: pl.DataFrame, yearly: pl.DataFrame, *, by: Sequence[str] = (), threshold: int) -> pl.DataFrame:
    """Null the log-linear trend beside a CAGR (`transforms.growth.compute_cagr`) and what it says
    (peak year, falls after it) where any full year's count of its group is hidden in `yearly` (a
    `publish.growth.hide_growth_tables` frame): the trend rests on every full year, so with the others
    shown it gives the hidden one back."""
    label = disclosure.hidden_column("requests")
    if threshold <= 1 or label not in yearly.columns or cagr.height == 0:
        return cagr
    by = list(by)
    full = yearly.filter(is_full_year(pl.col("period_start"), pl.col("period_end")))
    hidden = full.group_by(by or pl.lit(0).alias("_all")).agg(_hidden=pl.col(label).is_not_null().any())
    out = cagr.join(hidden, on=by, how="left", nulls_equal=True) if by else cagr.join(hidden.drop("_all"), how="cross")
    gone = pl.col("_hidden").fill_null(False)
    return out.with_columns(
        *[pl.when(~gone).then(pl.col(c)).alias(c) for c in TREND_COLUMNS if c in cagr.columns],
        trend_note=pl.when(gone).then(pl.lit(f"{disclosure.WITHHELD}: a count below {threshold} or protecting one"))
        .otherwise(pl.col("trend_note")),
    ).drop("_hidden")
