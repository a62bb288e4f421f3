"""The case_outcomes report: do platforms answer, how fast, and what becomes of the cases.

`outcome_report(...)` checks the notebook's parameters, loads the request log, runs the
outcome transforms and returns an `OutcomeReport` of small collected frames and headline
figures. Nothing here draws or prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from coopanalysis.core.periods import period_end, period_start
from coopanalysis.errors import ParameterError
from coopanalysis.io.sources import is_request_log
from coopanalysis.publish import disclosure
from coopanalysis.publish.curves import curve_note, hide_curves, hide_incidence
from coopanalysis.publish.gate import Gate
from coopanalysis.reports import figures
from coopanalysis.reports.params import check_suppress_below, parse_date_parameter
from coopanalysis.reports.pattern import page_gate, platforms_of, row_force
from coopanalysis.reports.source import InputSummary, load_source
from coopanalysis.transforms.analyses import collect_each
from coopanalysis.transforms.incidence import cumulative_incidence
from coopanalysis.transforms.outcomes import (
    answered_share,
    as_of_date,
    funnel,
    identified_share,
    outcome_mix,
    outcome_mix_by_year,
    response_time_summary,
    time_to_response,
    untraceable_against_answered,
)


@dataclass(frozen=True)
class OutcomeReport:
    """Frames of the case_outcomes report and its headline figures."""

    input: InputSummary
    answered: pl.DataFrame  # total: requests, answered, answered_share, ci_low, ci_high
    answered_by_platform: pl.DataFrame  # platform, requests, answered, answered_share, ci_low, ci_high
    answered_over_time: pl.DataFrame  # platform, period_start, period_end, requests, answered, answered_share, ci_low, ci_high
    time_to_response: pl.DataFrame  # platform, days, at_risk, responded, censored, waiting, ci_low, ci_high (shared: coarse, counts null)
    response_times: pl.DataFrame  # platform, requests, responded, median_days, p90_days (+ curve_note when shared)
    response_time_total: pl.DataFrame  # requests, responded, median_days, p90_days (+ curve_note when shared)
    outcome_mix: pl.DataFrame  # platform, case_outcome, cases, share
    funnel: pl.DataFrame  # stage, stage_order, cases, share_of_requested
    untraceable: pl.DataFrame  # platform, requests, answered, suspended, answered_share, suspended_share, suspended_ci_low, suspended_ci_high
    answered_by_crime_type: pl.DataFrame
    outcome_mix_by_crime_type: pl.DataFrame
    identified: pl.DataFrame  # requests, identified, identified_share, ci_low, ci_high: over all requests, answered or not
    outcome_by_year: pl.DataFrame  # year (of the request), case_outcome, cases, share (open cases included)
    reply_incidence: pl.DataFrame  # platform, reply, days, incidence, ci_low, ci_high, replied (shared: coarse, replied null)
    reply_incidence_total: pl.DataFrame  # reply, days, incidence, ci_low, ci_high, replied: all selected requests
    time_to_response_total: pl.DataFrame  # days, at_risk, responded, censored, waiting, ci_low, ci_high: all selected requests
    as_of: dt.date | None  # the censoring date: requests without a reply are counted as still waiting on it
    as_of_given: bool  # True when the `as_of` parameter set it, False for the latest date in the whole file
    answered_figure: dict[str, Any]  # headline: the answered share with its interval
    median_days_figure: dict[str, Any]  # headline: median days to a response


def with_period(lf: pl.LazyFrame, *, period: str, date: str = "requested_on") -> pl.LazyFrame:
    """Adds period_start and period_end: the calendar period of `date` (month, quarter, ...)."""
    start = period_start(pl.col(date), period)  # type: ignore[arg-type]
    return lf.with_columns(period_start=start, period_end=period_end(start, period))  # type: ignore[arg-type]


def outcome_report(
    data: str = "",
    *,
    start: str = "",
    end: str = "",
    platforms: Sequence[str] = (),
    agencies: Sequence[str] = (),
    period: str = "quarter",
    suppress_below: int = 0,
    as_of: str = "",
    mapping: str = "",
) -> OutcomeReport:
    """Case-outcome report frames from a request log: answered share (total, by platform, by
    platform and period, by crime type, with Wilson intervals), Kaplan–Meier time to response by
    platform and Aalen–Johansen cumulative incidence of each kind of reply (requests without a reply
    censored at `as_of`, the log's extraction date: by default the latest date in the whole file,
    whatever the selection), outcome mix (by platform, crime type and year of request), funnel, the
    share of requests that led to an identified suspect, and the share of cases suspended as
    untraceable against the answered share. With `suppress_below` = k > 1
    small counts and the shares resting on them are hidden, curves of groups with fewer than k
    requests are left out (see `coopanalysis.publish.disclosure`); without an `agencies` filter, every
    count of requests by period and platform also takes its status from the batch-wide pattern of the
    whole log (`coopanalysis.reports.pattern`), and the counts inside a hidden one go with it."""
    k = check_suppress_below(suppress_below)
    if not is_request_log(data):
        raise ParameterError(
            "data: case_outcomes needs a request log (one row per request); the published series has no "
            "responses or case outcomes per request"
        )
    src = load_source(data, start=start, end=end, platforms=platforms, agencies=agencies, period=period,
                      suppress_below=k, mapping=mapping)
    latest = src.load.data.select(as_of_date(src.load.data)).collect().item()
    given = parse_date_parameter("as_of", as_of)
    if given is not None and latest is not None and given < latest:
        raise ParameterError(f"as_of: {given} is before {latest}, the latest date in the log; the date the log was "
                             f"extracted cannot be earlier than a date it records (leave as_of empty for {latest})")
    censor = given or latest
    frames, km_total = _collect(src.requests, period=period, as_of=censor)
    if k > 1:
        frames = _hide(frames, km_total, k, src.summary, page_gate(src, k))
    return OutcomeReport(
        src.summary, *frames, as_of=censor, as_of_given=given is not None,
        answered_figure=figures.answered_figure(frames[0]),
        median_days_figure=figures.median_days_figure(frames[5]),
    )


def _collect(req: pl.LazyFrame, *, period: str, as_of: dt.date | None) -> tuple[list[pl.DataFrame], pl.DataFrame]:
    """The report's frames from the selected requests, in `OutcomeReport` order (answered …
    outcome_mix_by_crime_type), and the curve of all requests; unanswered requests are censored
    at `as_of`."""
    km = time_to_response(req, by=["platform"], as_of=as_of)
    km_total = time_to_response(req, as_of=as_of)
    incidence = collect_each([cumulative_incidence(req, by=["platform"], as_of=as_of),
                              cumulative_incidence(req, as_of=as_of)])
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
        identified_share(req),
        outcome_mix_by_year(req),
        km_total,
    ])
    over_time = frames[2].select(
        "platform", "period_start", "period_end", "requests", "answered", "answered_share", "ci_low", "ci_high"
    ).sort("platform", "period_start")
    return [frames[0], frames[1], over_time, *frames[3:-1], *incidence, frames[-1]], frames[-1]


def _hide(frames: list[pl.DataFrame], km_total: pl.DataFrame, k: int, info: InputSummary,
          g: Gate | None = None) -> list[pl.DataFrame]:
    """The frames of `_collect`, in its order, with small counts hidden; the curves coarsened
    (`publish.curves`) and the response times read off the coarsened curves. The request counts
    the gate `g` hides (per platform and period, per platform, in total) are forced hidden, and
    with each its answered, responded and outcome counts (nested in it)."""
    (total, by_platform, over_time, km, times, time_total, mix, funnel_df, untraceable, by_crime,
     mix_crime, identified, by_year, incidence, incidence_total, _) = frames
    shares = {"threshold": k, "total": "requests", "part": "answered"}
    total = disclosure.hide_shares(total, by=[], force=row_force(g, info, total), **shares)
    by_platform = disclosure.hide_shares(by_platform, by=["platform"], force=row_force(g, info, by_platform), **shares)
    over_time = disclosure.hide_shares(over_time, by=["platform", "period_start"], force=row_force(g, info, over_time),
                                       **shares)
    hidden = by_platform.filter(pl.col("requests").is_null())["platform"].to_list()
    total_hidden = total.height > 0 and total["requests"][0] is None
    by_crime = disclosure.hide_shares(by_crime, by=["crime_type"], **shares)
    times, time_total = _hide_response_times(times, time_total, km, km_total, k, hidden, total_hidden)
    incidence = hide_incidence(incidence, km, by="platform", threshold=k)
    incidence_total = hide_incidence(incidence_total, km_total, by=None, threshold=k)
    km = hide_curves(km, by="platform", threshold=k)
    mix = disclosure.hide_outcome_mix(mix, by="platform", threshold=k, hidden_groups=hidden)
    mix_crime = disclosure.hide_outcome_mix(mix_crime, by="crime_type", threshold=k)
    funnel_df = disclosure.hide_funnel(funnel_df, threshold=k)
    untraceable = _hide_untraceable(untraceable, k, row_force(g, info, untraceable))
    identified = _hide_identified(identified, funnel_df, k, total_hidden)
    by_year = disclosure.hide_outcome_mix(by_year, by="year", threshold=k, hidden_groups=_hidden_years(g, info, by_year))
    return [total, by_platform, over_time, km, times, time_total, mix, funnel_df, untraceable, by_crime, mix_crime,
            identified, by_year, incidence, incidence_total, hide_curves(km_total, by=None, threshold=k)]


def _hidden_years(g: Gate | None, info: InputSummary, by_year: pl.DataFrame) -> list[int]:
    """The years of request whose count of the selected requests the gate `g` hides."""
    if g is None:
        return []
    years = sorted(by_year["year"].unique().to_list())
    return [y for y in years if not g.shown(max(dt.date(y, 1, 1), info.start), min(dt.date(y, 12, 31), info.end),
                                            platforms_of(info))]


def _hide_identified(identified: pl.DataFrame, funnel_df: pl.DataFrame, k: int, total_hidden: bool) -> pl.DataFrame:
    """The requests that led to an identified suspect, answered or not, hidden (with the share and its
    interval) when fewer than k, when fewer than k requests did not, when the requests are hidden, or
    when it differs by fewer than k from a shown funnel stage nested in it ("suspect identified": the
    difference counts the suspects identified without an answer; "arrested")."""
    nested = funnel_df.filter(pl.col("stage").is_in(["suspect identified", "arrested"]))["cases"].drop_nulls()
    r = identified.row(0, named=True) if identified.height else None
    if r is None:
        return identified
    n, m = r["requests"], r["identified"]
    small = 0 < m < k or 0 < n - m < k or total_hidden or n < k or any(0 < m - c < k for c in nested.to_list())
    label = (f"<{k}" if 0 < m < k else disclosure.WITHHELD) if small else None
    return identified.with_columns(
        *[pl.lit(None, dtype=identified.schema[c]).alias(c) if small else pl.col(c)
          for c in ("identified", "identified_share", "ci_low", "ci_high")],
        pl.lit(label, dtype=pl.String).alias(disclosure.hidden_column("identified")),
    )


def _hide_response_times(times: pl.DataFrame, time_total: pl.DataFrame, km: pl.DataFrame, km_total: pl.DataFrame,
                         k: int, hidden: Sequence[str] = (), total_hidden: bool = False,
                         ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Response-time summaries (by platform, and in total) as the shared curves show them: median
    and 90th percentile read off the coarsened curve (`publish.curves.hide_curves`), null with a
    `curve_note` where a group has no curve; `requests` hidden where below k, `responded` where it
    or the unanswered rest is below k; both hidden for the `hidden` platforms (and the total when
    `total_hidden`), whose request counts are hidden elsewhere on the page."""
    small = (pl.col("requests") < k) | pl.col("platform").is_in(list(hidden))
    responded = pl.when(~small & (pl.col("responded") >= k) & (pl.col("requests") - pl.col("responded") >= k)) \
        .then(pl.col("responded"))
    notes = {name[0]: curve_note(group.sort("days"), threshold=k) for name, group in km.group_by("platform")}
    coarse = response_time_summary(hide_curves(km, by="platform", threshold=k).lazy(), by=["platform"]).collect()
    times = times.drop("median_days", "p90_days").join(
        coarse.select("platform", "median_days", "p90_days"), on="platform", how="left"
    ).with_columns(
        curve_note=pl.col("platform").replace_strict(notes, default=None, return_dtype=pl.String),
        responded=responded,
        requests=pl.when(~small).then(pl.col("requests")),
    ).select("platform", "requests", "responded", "median_days", "p90_days", "curve_note")
    total_coarse = response_time_summary(hide_curves(km_total, by=None, threshold=k).lazy()).collect()
    note = curve_note(km_total.sort("days"), threshold=k) if km_total.height else None
    small = (pl.col("requests") < k) | pl.lit(total_hidden)
    responded = pl.when(~small & (pl.col("responded") >= k) & (pl.col("requests") - pl.col("responded") >= k)) \
        .then(pl.col("responded"))
    time_total = time_total.with_columns(
        responded=responded,
        requests=pl.when(~small).then(pl.col("requests")),
        median_days=pl.lit(total_coarse["median_days"][0] if total_coarse.height else None, dtype=pl.Int64),
        p90_days=pl.lit(total_coarse["p90_days"][0] if total_coarse.height else None, dtype=pl.Int64),
        curve_note=pl.lit(note, dtype=pl.String),
    )
    return times, time_total


def _hide_untraceable(untraceable: pl.DataFrame, k: int, force: list[bool] | None = None) -> pl.DataFrame:
    """Answered and suspended shares by platform, each hidden on its own counts (and where `force`
    hides the platform's requests); a platform with either share hidden is left out."""
    answered = disclosure.hide_shares(untraceable, by=["platform"], threshold=k, total="requests", part="answered",
                                      shares=["answered_share"], force=force)
    suspended = disclosure.hide_shares(untraceable, by=["platform"], threshold=k, total="requests", part="suspended",
                                       shares=["suspended_share", "suspended_ci_low", "suspended_ci_high"], force=force)
    return answered.with_columns(
        suspended.select("suspended", "suspended_share", "suspended_ci_low", "suspended_ci_high", "suspended_hidden")
    ).filter(pl.col("answered_share").is_not_null() & pl.col("suspended_share").is_not_null())
