"""The small frames each report shows, built from either a request log or a published series.

A report notebook calls one function here (`volume_tables`, `growth_tables`,
`outcome_tables`) with its parameters. The function checks them and loads the data
through `coopanalysis.selection`, runs the transforms, and collects the small
aggregated frames the charts, tables and sentences need — the same frames whether
`data` is a request log or the published KNPA series (`selection.is_request_log`).
Nothing here draws or prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from coopanalysis.publish import disclosure
from coopanalysis.reports import inputs as selection
from coopanalysis.transforms.analyses import collect_each
from coopanalysis.errors import ParameterError
from coopanalysis.transforms.growth import add_period_growth, add_yoy_growth, compute_cagr, is_full_year, yoy_growth_from_log
from coopanalysis.transforms.outcomes import (
    answered_share,
    as_of_date,
    funnel,
    outcome_mix,
    response_time_summary,
    time_to_response,
    untraceable_against_answered,
)
from coopanalysis.core.periods import period_end, period_start
from coopanalysis.transforms.projection import project_year_end
from coopanalysis.transforms.volumes import count_requests, filter_requests, top_values

ALL_PUBLISHED = "all overseas IT companies"
"""The published series' provider selected when a report on it names no platform."""

YOY_COLUMNS = {
    "period_start": pl.Date, "period_end": pl.Date, "period_label": pl.String, "requests": pl.Int64,
    "base": pl.Int64, "growth": pl.Float64, "growth_note": pl.String,
}
PROJECTION_COLUMNS = {
    "year": pl.Int32, "kind": pl.String, "method": pl.String, "requests": pl.Float64, "low": pl.Float64,
    "high": pl.Float64, "period_start": pl.Date, "period_end": pl.Date, "basis": pl.String,
}


@dataclass
class InputSummary:
    """What was read and what the report works on: rows read / kept / rejected, and the selection."""

    source: str
    kind: str  # "request log" or "published series"
    rows_read: int
    rows_kept: int
    rows_rejected: int
    rejected_by_reason: dict[str, int]
    selected: int  # requests (request log) or requests summed over the selected spans (published series)
    start: dt.date | None
    end: dt.date | None
    platforms: list[str]
    agencies: list[str]
    available_platforms: list[str]
    period: str
    suppress_below: int = 0  # counts below this are hidden (0: nothing hidden)

    @property
    def is_empty(self) -> bool:
        return self.selected == 0

    @property
    def selected_hidden(self) -> bool:
        """True when the selection itself counts fewer requests than the disclosure threshold."""
        return 0 < self.selected < self.suppress_below

    @property
    def file_name(self) -> str:
        return Path(self.source).name


def period_text(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """'2021' for a calendar year, otherwise the span: '2025 (1 Jan–30 Jun)', '2024 (1 Jan–31 Jul)'."""
    span = pl.concat_str(
        start.dt.year().cast(pl.String), pl.lit(" ("), start.dt.strftime("%-d %b"), pl.lit("–"),
        end.dt.strftime("%-d %b"), pl.lit(")"),
    )
    return pl.when(is_full_year(start, end)).then(start.dt.year().cast(pl.String)).otherwise(span)


def with_period(lf: pl.LazyFrame, *, period: str, date: str = "requested_on") -> pl.LazyFrame:
    """Adds period_start and period_end: the calendar period of `date` (month, quarter, ...)."""
    start = period_start(pl.col(date), period)  # type: ignore[arg-type]
    return lf.with_columns(period_start=start, period_end=period_end(start, period))  # type: ignore[arg-type]


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


def _empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def _yearly_totals(counts: pl.LazyFrame) -> pl.LazyFrame:
    return counts.group_by("period_start", "period_end").agg(pl.col("requests").sum()).sort("period_start")


def _projection(yearly: pl.LazyFrame, finer: pl.LazyFrame, last: pl.DataFrame) -> pl.LazyFrame:
    """Year-end projection of the last span when it is a partial year starting on 1 January."""
    if last.height == 0:
        return pl.LazyFrame(schema=PROJECTION_COLUMNS)
    start, end = last["period_start"][0], last["period_end"][0]
    partial = start == dt.date(start.year, 1, 1) and end < dt.date(start.year, 12, 31)
    proj = project_year_end(finer, year=start.year, as_of=end) if partial else None
    return projection_frame(yearly, proj) if proj is not None else projection_frame(
        yearly, pl.LazyFrame(schema={"year": pl.Int32, "as_of": pl.Date, "observed": pl.Int64, "projected": pl.Float64,
                                     "low": pl.Float64, "high": pl.Float64, "method": pl.String, "basis": pl.String}))


# --------------------------------------------------------------------- shared loading


def check_suppress_below(value: object) -> int:
    """The disclosure threshold parameter: a whole number ≥ 0 (0 or 1: nothing hidden)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParameterError(
            f"suppress_below must be a whole number of at least 0 (0 shows every count), not {value!r}"
        )
    return value


def _hide_projection(projection: pl.DataFrame, yearly: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """Observed years hidden as in `yearly` (a `hide_growth` frame); projections hidden when an
    observed year they rest on is hidden (the run rate gives the partial year's count back)."""
    label = disclosure.hidden_column("requests")
    if threshold <= 1 or label not in yearly.columns or projection.height == 0:
        return projection
    years = yearly.select(year=pl.col("period_start").dt.year().cast(pl.Int32), _label=pl.col(label))
    out = projection.join(years, on="year", how="left")
    any_hidden = out.filter(pl.col("kind") == "observed")["_label"].is_not_null().any()
    hidden = (pl.col("kind") == "observed") & pl.col("_label").is_not_null()
    hidden_projection = (pl.col("kind") == "projected") & pl.lit(any_hidden)
    return out.with_columns(
        pl.when(hidden).then(pl.col("_label"))
        .when(hidden_projection).then(pl.lit(disclosure.WITHHELD)).alias(label),
    ).with_columns(
        [pl.when(pl.col(label).is_null()).then(pl.col(c)).alias(c) for c in ("requests", "low", "high")]
    ).drop("_label")


def _hide_top(full: pl.DataFrame, *, column: str, n: int, threshold: int) -> pl.DataFrame:
    """The n largest rows of a complete one-way table (column, requests, share), small counts hidden
    with a second one so the total of the selection does not give them away."""
    out = disclosure.hide_counts(full, value="requests", threshold=threshold, dims=[column])
    if threshold > 1:
        out = out.with_columns(share=pl.when(pl.col("requests").is_not_null()).then(pl.col("share")))
    return out.sort(["requests", column], descending=[True, False], nulls_last=True).head(n)


@dataclass
class _Source:
    summary: InputSummary
    log: pl.LazyFrame | None  # request log rows for the chosen platforms/agencies, all dates
    requests: pl.LazyFrame | None  # request log rows in the selection
    counts: pl.LazyFrame | None  # published spans in the selection (platform column)


def _load(data: str, *, start: str, end: str, platforms: Sequence[str], agencies: Sequence[str],
          period: str, suppress_below: int = 0) -> _Source:
    if selection.is_request_log(data):
        sel = selection.select_requests(data, start=start, end=end, platforms=platforms, agencies=agencies,
                                        period=period)
        summary = sel.load.summary()
        log = filter_requests(sel.load.data, platforms=sel.platforms, agencies=sel.agencies)
        info = InputSummary(
            source=sel.source, kind="request log", rows_read=summary["rows_read"], rows_kept=summary["rows_kept"],
            rows_rejected=summary["rows_rejected"], rejected_by_reason=dict(summary["rejected_by_reason"]),
            selected=sel.rows, start=sel.start, end=sel.end, platforms=sel.platforms, agencies=sel.agencies,
            available_platforms=[p for p in sel.available_platforms if p is not None], period=period,
            suppress_below=suppress_below,
        )
        return _Source(info, log, sel.requests, None)
    if agencies:
        raise ParameterError("agencies: the published series is not broken down by agency; leave agencies empty")
    selection.check_choice("period", period, selection.PERIODS)
    series = selection.select_series(data, start=start, end=end, providers=list(platforms) or [ALL_PUBLISHED])
    counts = series.counts.filter(pl.col("requests").is_not_null()).select(
        "period_start", "period_end", platform=pl.col("provider"), requests=pl.col("requests")
    ).sort("period_start", "platform")
    total, first, last = counts.select(
        pl.col("requests").sum(), pl.col("period_start").min(), pl.col("period_end").max()
    ).collect().row(0)
    providers = selection.load_knpa_series(series.source).counts.select(pl.col("provider").unique().sort())
    set_aside = series.set_aside
    info = InputSummary(
        source=series.source, kind="published series", rows_read=series.rows_read,
        rows_kept=series.rows_read - set_aside.height, rows_rejected=set_aside.height,
        rejected_by_reason=dict(set_aside.group_by("reason").len().iter_rows()) if set_aside.height else {},
        selected=int(total or 0), start=series.start or first, end=series.end or last,
        platforms=series.providers, agencies=[], available_platforms=providers.collect().to_series().to_list(),
        period="year", suppress_below=suppress_below,
    )
    return _Source(info, None, None, counts)


# ------------------------------------------------------------------------- volumes


@dataclass
class VolumeTables:
    """Frames of the request_volumes report (all collected, small)."""

    input: InputSummary
    volumes: pl.DataFrame  # period_start, period_end, platform, requests (zero-filled)
    top_agencies: pl.DataFrame  # agency, requests, share
    growth: pl.DataFrame  # yearly, like for like: period_start, period_end, period_label, requests, base, growth, growth_note
    cagr: pl.DataFrame  # first_year, last_year, first_value, last_value, cagr, cagr_note
    projection: pl.DataFrame  # see projection_frame
    by_platform: pl.DataFrame = field(default_factory=pl.DataFrame)  # platform, requests, share
    by_period: pl.DataFrame = field(default_factory=pl.DataFrame)  # period_start, period_end, requests (all platforms)


def _yearly_growth_log(src: _Source, by: Sequence[str] = ()) -> pl.LazyFrame:
    info = src.summary
    return yoy_growth_from_log(src.log, start=info.start, end=info.end, by=by).with_columns(
        period_label=period_text(pl.col("period_start"), pl.col("period_end"))
    )


def _yearly_growth_series(counts: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    base = counts if by else _yearly_totals(counts)
    return add_yoy_growth(base, by=by).with_columns(
        period_label=period_text(pl.col("period_start"), pl.col("period_end"))
    )


def volume_tables(
    data: str = "",
    *,
    start: str = "",
    end: str = "",
    platforms: Sequence[str] = (),
    agencies: Sequence[str] = (),
    period: str = "month",
    top: int = 10,
    suppress_below: int = 0,
) -> VolumeTables:
    """Check the parameters, load `data` (request log, or the published KNPA series) and collect
    the frames of the request_volumes report. Raises ParameterError with the valid values.
    With `suppress_below` = k > 1, counts below k (and the cells protecting them) are hidden in
    every frame (see `coopanalysis.disclosure`)."""
    if not isinstance(top, int) or top < 1:
        raise ParameterError(f"top must be a whole number of at least 1, not {top!r}")
    k = check_suppress_below(suppress_below)
    src = _load(data, start=start, end=end, platforms=platforms, agencies=agencies, period=period, suppress_below=k)
    info = src.summary
    if src.requests is not None:
        volumes = count_requests(src.requests, period=period, by=["platform"], start=info.start, end=info.end)  # type: ignore[arg-type]
        top_agencies = top_values(src.requests, column="agency", n=top if k <= 1 else 2**31)
        growth = _yearly_growth_log(src)
        finer = count_requests(src.log, period="month", start=dt.date(info.end.year - 6, 1, 1), end=info.end)
    else:
        volumes = src.counts
        top_agencies = pl.LazyFrame(schema={"agency": pl.String, "requests": pl.Int64, "share": pl.Float64})
        growth = _yearly_growth_series(src.counts)
        finer = _yearly_totals(src.counts)
    by_platform = volumes.group_by("platform").agg(pl.col("requests").sum()).with_columns(
        share=pl.col("requests") / pl.col("requests").sum()
    ).sort("requests", "platform", descending=[True, False])
    volumes_df, top_df, growth_df, by_platform_df = collect_each([volumes, top_agencies, growth, by_platform])
    growth_df = growth_df.select(list(YOY_COLUMNS)).cast(YOY_COLUMNS)  # type: ignore[arg-type]
    yearly = growth_df.lazy().select("period_start", "period_end", "requests")
    projection = _projection(yearly, finer, growth_df.tail(1)).collect()
    cagr = compute_cagr(yearly).collect()
    by_period_df = volumes_df.group_by("period_start", "period_end").agg(pl.col("requests").sum()).sort("period_start")
    if k > 1:
        # One table (period × platform) with its margins feeds the lines, the totals bars and the
        # sentences, so no hidden cell comes back as a total minus the cells shown.
        ends = volumes_df.select("period_start", "period_end").unique()
        volumes_df, by_period_df, totals = disclosure.hide_two_way(
            volumes_df, value="requests", rows="period_start", cols="platform", threshold=k)
        by_period_df = by_period_df.join(ends, on="period_start", how="left").select(
            "period_start", "period_end", "requests", "requests_hidden").sort("period_start")
        grand = by_platform_df["requests"].sum()
        by_platform_df = totals.with_columns(share=pl.col("requests") / grand).sort(
            ["requests", "platform"], descending=[True, False], nulls_last=True)
        top_df = _hide_top(top_df, column="agency", n=top, threshold=k)
        growth_df = disclosure.hide_growth(growth_df, threshold=k)
        cagr = disclosure.hide_cagr(cagr, growth_df, threshold=k)
        projection = _hide_projection(projection, growth_df, k)
    return VolumeTables(info, volumes_df, top_df, growth_df, cagr, projection, by_platform_df, by_period_df)


# -------------------------------------------------------------------------- growth


@dataclass
class GrowthTables:
    """Frames of the growth report."""

    input: InputSummary
    yearly: pl.DataFrame  # total, like for like (YOY_COLUMNS)
    yearly_by: dict[str, pl.DataFrame]  # dimension -> YOY_COLUMNS + dimension
    period_growth: pl.DataFrame  # period over period, total: period_start, period_end, period_label, requests, base, growth, growth_note
    cagr_by: dict[str, pl.DataFrame]  # dimension -> dimension, first_year, last_year, first_value, last_value, cagr, cagr_note
    projection: pl.DataFrame
    cagr: pl.DataFrame  # total: first_year, last_year, first_value, last_value, cagr, cagr_note


def growth_tables(
    data: str = "",
    *,
    start: str = "",
    end: str = "",
    platforms: Sequence[str] = (),
    agencies: Sequence[str] = (),
    period: str = "quarter",
    top: int = 10,
    suppress_below: int = 0,
) -> GrowthTables:
    """Growth report frames: yearly like-for-like growth in total and by platform, agency and crime
    type (the `top` agencies by requests), period-over-period growth of the total, CAGR by each
    dimension and the year-end projection of a partial last year. With `suppress_below` = k > 1,
    counts below k and the growth rates and CAGRs resting on them are hidden."""
    if not isinstance(top, int) or top < 1:
        raise ParameterError(f"top must be a whole number of at least 1, not {top!r}")
    k = check_suppress_below(suppress_below)
    src = _load(data, start=start, end=end, platforms=platforms, agencies=agencies, period=period, suppress_below=k)
    info = src.summary
    if src.requests is not None:
        yearly = _yearly_growth_log(src)
        dims = {"platform": _yearly_growth_log(src, by=["platform"])}
        busiest = top_values(src.requests, column="agency", n=top).select("agency").collect().to_series().to_list()
        agency_src = _Source(info, src.log.filter(pl.col("agency").is_in(busiest)), None, None)
        dims["agency"] = _yearly_growth_log(agency_src, by=["agency"])
        dims["crime_type"] = _yearly_growth_log(src, by=["crime_type"])
        per_period = count_requests(src.requests, period=period, start=info.start, end=info.end)  # type: ignore[arg-type]
        finer = count_requests(src.log, period="month", start=dt.date(info.end.year - 6, 1, 1), end=info.end)
    else:
        yearly = _yearly_growth_series(src.counts)
        dims = {"platform": _yearly_growth_series(src.counts, by=["platform"])}
        for name in ("agency", "crime_type"):  # the published series has no such breakdown
            dims[name] = pl.LazyFrame(schema={name: pl.String, **YOY_COLUMNS})
        per_period = _yearly_totals(src.counts)
        finer = per_period
    period_growth = add_period_growth(per_period).with_columns(
        period_label=period_text(pl.col("period_start"), pl.col("period_end"))
        if src.requests is None else _label_expr(period)
    )
    names = list(dims)
    collected = collect_each([yearly, period_growth, *dims.values()])
    yearly_df = collected[0].select(list(YOY_COLUMNS)).cast(YOY_COLUMNS)  # type: ignore[arg-type]
    period_df = collected[1].select(list(YOY_COLUMNS)).cast(YOY_COLUMNS)  # type: ignore[arg-type]
    yearly_by = {
        name: df.select(name, *YOY_COLUMNS).cast(YOY_COLUMNS)  # type: ignore[arg-type]
        for name, df in zip(names, collected[2:], strict=True)
    }
    cagr_by = {
        name: compute_cagr(df.lazy(), by=[name]).sort("last_value", descending=True).collect()
        for name, df in yearly_by.items()
    }
    yearly_lf = yearly_df.lazy().select("period_start", "period_end", "requests")
    projection = _projection(yearly_lf, finer, yearly_df.tail(1)).collect()
    cagr = compute_cagr(yearly_lf).collect()
    if k > 1:
        yearly_df = disclosure.hide_growth(yearly_df, threshold=k)
        period_df = disclosure.hide_growth(period_df, threshold=k)
        yearly_by = {name: disclosure.hide_growth(df, by=[name], threshold=k) for name, df in yearly_by.items()}
        cagr_by = {name: disclosure.hide_cagr(df, yearly_by[name], by=[name], threshold=k) for name, df in cagr_by.items()}
        cagr = disclosure.hide_cagr(cagr, yearly_df, threshold=k)
        projection = _hide_projection(projection, yearly_df, k)
    return GrowthTables(info, yearly_df, yearly_by, period_df, cagr_by, projection, cagr)


def _label_expr(period: str) -> pl.Expr:
    from coopanalysis.core.periods import period_label

    return period_label(pl.col("period_start"), period)  # type: ignore[arg-type]


# ------------------------------------------------------------------------ outcomes


@dataclass
class OutcomeTables:
    """Frames of the case_outcomes report."""

    input: InputSummary
    answered: pl.DataFrame  # total: requests, answered, answered_share, ci_low, ci_high
    answered_by_platform: pl.DataFrame  # platform, requests, answered, answered_share, ci_low, ci_high
    answered_over_time: pl.DataFrame  # platform, period_start, period_end, requests, answered, answered_share, ci_low, ci_high
    time_to_response: pl.DataFrame  # platform, days, at_risk, responded, censored, waiting, ci_low, ci_high
    response_times: pl.DataFrame  # platform, requests, responded, median_days, p90_days
    response_time_total: pl.DataFrame  # requests, responded, median_days, p90_days
    outcome_mix: pl.DataFrame  # platform, case_outcome, cases, share
    funnel: pl.DataFrame  # stage, stage_order, cases, share_of_requested
    untraceable: pl.DataFrame  # platform, requests, answered, suspended, answered_share, suspended_share, suspended_ci_low, suspended_ci_high
    answered_by_crime_type: pl.DataFrame
    outcome_mix_by_crime_type: pl.DataFrame
    as_of: dt.date | None


def outcome_tables(
    data: str = "",
    *,
    start: str = "",
    end: str = "",
    platforms: Sequence[str] = (),
    agencies: Sequence[str] = (),
    period: str = "quarter",
    suppress_below: int = 0,
) -> OutcomeTables:
    """Case-outcome report frames from a request log: answered share (total, by platform, by
    platform and period, by crime type, with Wilson intervals), Kaplan–Meier time to response by
    platform (unanswered requests censored at the log's last date), outcome mix, funnel, and the
    share of cases suspended as untraceable against the answered share. With `suppress_below` = k > 1
    small counts and the shares resting on them are hidden, curves of groups with fewer than k
    requests are left out (see `coopanalysis.disclosure`)."""
    k = check_suppress_below(suppress_below)
    if not selection.is_request_log(data):
        raise ParameterError(
            "data: case_outcomes needs a request log (one row per request); the published series has no "
            "responses or case outcomes per request"
        )
    src = _load(data, start=start, end=end, platforms=platforms, agencies=agencies, period=period, suppress_below=k)
    req = src.requests
    as_of = src.log.select(as_of_date(src.log)).collect().item()
    km = time_to_response(req, by=["platform"], as_of=as_of)
    km_total = time_to_response(req, as_of=as_of)
    frames = collect_each([
        answered_share(req),
        answered_share(req, by=["platform"]),
        answered_share(with_period(req, period=period), by=["platform", "period_start", "period_end"]),
        km,
        response_time_summary(km, by=["platform"]),
        response_time_summary(km_total),
        outcome_mix(req, by=["platform"]),
        funnel(req),
        untraceable_against_answered(req, by=["platform"]),
        answered_share(req, by=["crime_type"]).sort("answered_share", descending=True, nulls_last=True),
        outcome_mix(req, by=["crime_type"]),
    ])
    over_time = frames[2].select(
        "platform", "period_start", "period_end", "requests", "answered", "answered_share", "ci_low", "ci_high"
    ).sort("platform", "period_start")
    frames = [frames[0], frames[1], over_time, *frames[3:]]
    if k > 1:
        frames = _hide_outcomes(frames, k)
    return OutcomeTables(src.summary, *frames, as_of=as_of)


def _hide_outcomes(frames: list[pl.DataFrame], k: int) -> list[pl.DataFrame]:
    """The frames of `outcome_tables`, in its order, with small counts hidden."""
    (total, by_platform, over_time, km, times, time_total, mix, funnel_df, untraceable, by_crime,
     mix_crime) = frames
    shares = dict(threshold=k, total="requests", part="answered")
    total = disclosure.hide_shares(total, by=[], **shares)
    by_platform = disclosure.hide_shares(by_platform, by=["platform"], **shares)
    over_time = disclosure.hide_shares(over_time, by=["platform", "period_start"], **shares)
    by_crime = disclosure.hide_shares(by_crime, by=["crime_type"], **shares)
    km = disclosure.hide_curves(km, by="platform", threshold=k)
    small = pl.col("requests") < k
    times = times.filter(~small).with_columns(
        responded=pl.when((pl.col("responded") >= k) & (pl.col("requests") - pl.col("responded") >= k))
        .then(pl.col("responded"))
    )
    time_total = time_total.with_columns(
        responded=pl.when((pl.col("responded") >= k) & (pl.col("requests") - pl.col("responded") >= k))
        .then(pl.col("responded")),
        requests=pl.when(~small).then(pl.col("requests")),
        median_days=pl.when(~small).then(pl.col("median_days")),
        p90_days=pl.when(~small).then(pl.col("p90_days")),
    )
    mix = disclosure.hide_outcome_mix(mix, by="platform", threshold=k)
    mix_crime = disclosure.hide_outcome_mix(mix_crime, by="crime_type", threshold=k)
    funnel_df = disclosure.hide_funnel(funnel_df, threshold=k)
    answered = disclosure.hide_shares(untraceable, by=["platform"], threshold=k, total="requests", part="answered",
                                      shares=["answered_share"])
    suspended = disclosure.hide_shares(untraceable, by=["platform"], threshold=k, total="requests", part="suspended",
                                       shares=["suspended_share", "suspended_ci_low", "suspended_ci_high"])
    untraceable = answered.with_columns(
        suspended.select("suspended", "suspended_share", "suspended_ci_low", "suspended_ci_high", "suspended_hidden")
    ).filter(pl.col("answered_share").is_not_null() & pl.col("suspended_share").is_not_null())
    return [total, by_platform, over_time, km, times, time_total, mix, funnel_df, untraceable, by_crime, mix_crime]


# ------------------------------------------------------------------ headline figures
# Each returns keyword arguments for `coopanalysis.display.headline(name, **figure)`.


def total_figure(info: InputSummary) -> dict[str, Any]:
    """Requests in the selection (null, "fewer than k", when the selection itself is small)."""
    if info.selected_hidden:
        return {"value": None, "label": f"Requests in the selection: fewer than {info.suppress_below}"}
    return {"value": int(info.selected), "label": "Requests in the selection", "unit": "count"}


def latest_growth_figure(growth: pl.DataFrame) -> dict[str, Any]:
    """The latest like-for-like year-over-year growth (a share, e.g. 0.689), null when none exists."""
    with_figure = growth.filter(pl.col("growth").is_not_null())
    if with_figure.height == 0:
        return {"value": None, "label": "Latest year-over-year growth (none: no comparable year)"}
    r = with_figure.row(with_figure.height - 1, named=True)
    return {"value": float(r["growth"]), "label": f"Year-over-year growth, {r['period_label']}", "unit": "growth"}


def growth_figure(growth: pl.DataFrame, *, year: int) -> dict[str, Any]:
    """The year-over-year growth of one calendar year (null when absent)."""
    rows = growth.filter(pl.col("period_start").dt.year() == year)
    value = rows["growth"][0] if rows.height else None
    return {"value": None if value is None else float(value), "label": f"Year-over-year growth, {year}",
            "unit": "growth"}


def projection_figure(projection: pl.DataFrame, *, method: str = "run rate") -> dict[str, Any]:
    """The year-end projection by `method`, with its interval (null when there is no partial year)."""
    rows = projection.filter((pl.col("kind") == "projected") & (pl.col("method") == method))
    if rows.height == 0:
        return {"value": None, "label": f"Year-end projection ({method}): no partial year"}
    r = rows.row(0, named=True)
    if r["requests"] is None:
        return {"value": None, "label": f"Year-end projection ({method}): withheld to protect small counts"}
    return {"value": round(r["requests"]), "label": f"Projected requests in {r['year']} ({method})",
            "interval": (round(r["low"]), round(r["high"])), "unit": "count"}


def answered_figure(total: pl.DataFrame) -> dict[str, Any]:
    """The answered share of all selected requests with its 95% Wilson interval."""
    if total.height == 0 or total["requests"][0] == 0:
        return {"value": None, "label": "Answered share (no requests)"}
    r = total.row(0, named=True)
    if r["answered_share"] is None:
        return {"value": None, "label": "Answered share: withheld to protect small counts"}
    return {"value": float(r["answered_share"]), "label": "Answered share", "interval": (r["ci_low"], r["ci_high"]),
            "unit": "share"}


def median_days_figure(summary: pl.DataFrame) -> dict[str, Any]:
    """Median days to a response (Kaplan–Meier), null when half never had one."""
    value = summary["median_days"][0] if summary.height else None
    return {"value": None if value is None else int(value), "label": "Median days to a response", "unit": "days"}
