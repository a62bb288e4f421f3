"""Responses and case outcomes: answered share, time to response, outcome mix, funnel.

"Answered" means the platform produced data (response disclosed or partial), the same
meaning as the providers' "share of requests where some data was produced".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from coopanalysis.core.schema import ANSWERED_RESPONSES
from coopanalysis.core.stats import Z95, wilson_interval

IDENTIFIED_OUTCOMES = ("suspect_identified", "arrested", "referred_to_prosecution")
ARRESTED_OUTCOMES = ("arrested",)
FUNNEL_STAGES = ("requested", "answered", "suspect identified", "arrested")


def is_answered() -> pl.Expr:
    """True where the platform produced data (disclosed or partial)."""
    return pl.col("response").is_in(ANSWERED_RESPONSES).fill_null(False)


def _keys(by: Sequence[str]) -> list[str | pl.Expr]:
    return list(by) or [pl.lit("all").alias("_all")]


def answered_share(lf: pl.LazyFrame, *, by: Sequence[str] = ()) -> pl.LazyFrame:
    """*by, requests, answered, answered_share, ci_low, ci_high (95% Wilson interval)."""
    agg = lf.group_by(_keys(by)).agg(requests=pl.len().cast(pl.Int64), answered=is_answered().sum().cast(pl.Int64))
    low, high = wilson_interval(pl.col("answered"), pl.col("requests"))
    out = agg.with_columns(
        answered_share=pl.when(pl.col("requests") > 0).then(pl.col("answered") / pl.col("requests")),
        ci_low=low,
        ci_high=high,
    )
    return (out.sort(list(by)) if by else out.drop("_all"))


def closure_share(lf: pl.LazyFrame, *, by: Sequence[str] = ()) -> pl.LazyFrame:
    """*by, cases, closed, closed_share, ci_low, ci_high: share of cases with a closed_on date."""
    agg = lf.group_by(_keys(by)).agg(cases=pl.len().cast(pl.Int64), closed=pl.col("closed_on").is_not_null().sum().cast(pl.Int64))
    low, high = wilson_interval(pl.col("closed"), pl.col("cases"))
    out = agg.with_columns(closed_share=pl.col("closed") / pl.col("cases"), ci_low=low, ci_high=high)
    return out.sort(list(by)) if by else out.drop("_all")


def outcome_mix(lf: pl.LazyFrame, *, by: Sequence[str] = ()) -> pl.LazyFrame:
    """*by, case_outcome, cases, share (of the group's cases); a missing outcome shows as "unknown"."""
    keys = list(by)
    counted = lf.with_columns(pl.col("case_outcome").fill_null("unknown")).group_by([*keys, "case_outcome"]).agg(
        cases=pl.len().cast(pl.Int64)
    )
    total = pl.col("cases").sum().over(keys) if keys else pl.col("cases").sum()
    return counted.with_columns(share=pl.col("cases") / total).sort(
        [*keys, "cases", "case_outcome"], descending=[*[False] * len(keys), True, False]
    )  # ties in cases ordered by outcome, so both engines and every run give the same rows


def outcome_mix_by_year(lf: pl.LazyFrame) -> pl.LazyFrame:
    """year (of the request), case_outcome, cases, share (of the year's cases): the outcome shares of
    each cohort of requests, cases still open among them, so that recent years' open cases show."""
    return outcome_mix(lf.with_columns(year=pl.col("requested_on").dt.year().cast(pl.Int32)), by=["year"])


def identified_share(lf: pl.LazyFrame) -> pl.LazyFrame:
    """requests, identified, identified_share, ci_low, ci_high (95% Wilson): the cases that led to an
    identified suspect (identified, arrested or referred) over all requests, answered or not."""
    agg = lf.select(
        requests=pl.len().cast(pl.Int64),
        identified=pl.col("case_outcome").is_in(IDENTIFIED_OUTCOMES).fill_null(False).sum().cast(pl.Int64),
    )
    low, high = wilson_interval(pl.col("identified"), pl.col("requests"))
    return agg.with_columns(
        identified_share=pl.when(pl.col("requests") > 0).then(pl.col("identified") / pl.col("requests")),
        ci_low=low, ci_high=high,
    )


def funnel(lf: pl.LazyFrame, *, by: Sequence[str] = ()) -> pl.LazyFrame:
    """*by, stage, stage_order, cases, share_of_requested. Stages are nested: answered ⊂ requested,
    suspect identified ⊂ answered (suspect identified, arrested or referred), arrested ⊂ identified."""
    answered = is_answered()
    identified = answered & pl.col("case_outcome").is_in(IDENTIFIED_OUTCOMES).fill_null(False)
    arrested = identified & pl.col("case_outcome").is_in(ARRESTED_OUTCOMES).fill_null(False)
    wide = lf.group_by(_keys(by)).agg(
        requested=pl.len().cast(pl.Int64),
        answered=answered.sum().cast(pl.Int64),
        **{"suspect identified": identified.sum().cast(pl.Int64), "arrested": arrested.sum().cast(pl.Int64)},
    )
    index = list(by) or ["_all"]
    long = wide.unpivot(index=index, on=list(FUNNEL_STAGES), variable_name="stage", value_name="cases")
    long = long.with_columns(
        stage_order=pl.col("stage").replace_strict({s: i for i, s in enumerate(FUNNEL_STAGES)}, return_dtype=pl.Int8),
    )
    requested = pl.col("cases").filter(pl.col("stage") == "requested").first()
    long = long.with_columns(share_of_requested=pl.col("cases") / (requested.over(index)))
    long = long.sort([*index, "stage_order"])
    return long if by else long.drop("_all")


def untraceable_against_answered(lf: pl.LazyFrame, *, by: Sequence[str] = ("platform",)) -> pl.LazyFrame:
    """*by, requests, answered_share, suspended_share (+ Wilson bounds): how often cases end
    suspended because the suspect could not be traced, next to how often the platform answered."""
    agg = lf.group_by(list(by)).agg(
        requests=pl.len().cast(pl.Int64),
        answered=is_answered().sum().cast(pl.Int64),
        suspended=(pl.col("case_outcome") == "suspended_untraceable").fill_null(False).sum().cast(pl.Int64),
    )
    low, high = wilson_interval(pl.col("suspended"), pl.col("requests"))
    return agg.with_columns(
        answered_share=pl.col("answered") / pl.col("requests"),
        suspended_share=pl.col("suspended") / pl.col("requests"),
        suspended_ci_low=low,
        suspended_ci_high=high,
    ).sort(list(by))


def as_of_date(lf: pl.LazyFrame) -> pl.Expr:
    """The last date the log knows of (latest request, response or closure): the censoring date."""
    return pl.max_horizontal(pl.col("requested_on").max(), pl.col("responded_on").max(), pl.col("closed_on").max())


def log_log_band(survival: pl.Expr, greenwood: pl.Expr, *, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """The 95% band of a survival estimate from Greenwood's sum Σ d / (n (n − d)), on the log(−log)
    scale: S ** exp(∓ z √sum / log S). [1, 1] where S = 1, [0, 0] where S = 0 (lifelines' values)."""
    v = survival.log()
    spread = z * greenwood.sqrt() / v

    def bound(sign: float) -> pl.Expr:
        inner = (-((-v).log() + sign * spread).exp()).exp()
        return pl.when(survival >= 1).then(1.0).when(survival <= 0).then(0.0).otherwise(inner)

    return bound(-1.0), bound(1.0)


def response_durations(lf: pl.LazyFrame, *, keys: Sequence[str], as_of: dt.date | None = None,
                       extra: dict[str, pl.Expr] | None = None) -> pl.LazyFrame:
    """*keys, *extra, days, event, _n: the requests counted by days to their reply (event) or, for
    those without one, to `as_of` (default: the last date in `lf`), where they are censored."""
    # Streaming: the rows are reduced first (answered requests by delay, unanswered ones by request
    # day) and the censoring date is applied to that small table. Broadcasting the log's last date
    # onto every row would make the engine hold all rows until that date is known.
    # One integer key per row: the delay in days for an answered request, the request day (days
    # since 1970) for an unanswered one; integer subtraction costs a fraction of date arithmetic.
    event = pl.col("responded_on").is_not_null()
    requested = pl.col("requested_on").cast(pl.Int32)
    extra = extra or {}
    reduced = lf.group_by(
        *keys,
        *[e.alias(name) for name, e in extra.items()],
        _event=event,
        _day=pl.when(event).then(pl.col("responded_on").cast(pl.Int32) - requested).otherwise(requested),
    ).agg(_n=pl.len().cast(pl.Int64))
    cutoff = pl.LazyFrame({"_cutoff": [as_of]}, schema={"_cutoff": pl.Date}) if as_of is not None else lf.select(
        _cutoff=as_of_date(lf)
    )
    return reduced.join(cutoff, how="cross").select(
        *keys,
        *extra,
        days=pl.when("_event")
        .then(pl.col("_day"))
        .otherwise(pl.col("_cutoff").cast(pl.Int32) - pl.col("_day"))
        .cast(pl.Int64)
        .clip(lower_bound=0),
        event=pl.col("_event"),
        _n=pl.col("_n"),
    )


def time_to_response(lf: pl.LazyFrame, *, by: Sequence[str] = (), as_of: dt.date | None = None) -> pl.LazyFrame:
    """Kaplan–Meier estimate of the share still waiting for a response after `days`.

    Requests without a response are censored at `as_of` (default: the last date in the log), not
    dropped; a reply on the day of the request counts at day 0. Columns: *by, days, at_risk,
    responded, censored, waiting (survival), ci_low, ci_high (95%, Greenwood's variance on the
    log(−log) scale, as lifelines and R's `conf.type = "log-log"`: inside [0, 1], 1 while nobody has
    responded, 0 once the curve is 0). One row per distinct duration, and a row at day 0 with
    waiting = 1 where nobody responded or was censored on day 0.
    """
    keys = list(by) or ["_all"]
    timed = response_durations(lf if by else lf.with_columns(_all=pl.lit("all")), keys=keys, as_of=as_of)
    per_day = timed.group_by([*keys, "days"]).agg(
        responded=pl.col("_n").filter(pl.col("event")).sum().cast(pl.Int64),
        leaving=pl.col("_n").sum().cast(pl.Int64),
    )
    per_day = per_day.sort([*keys, "days"]).with_columns(
        at_risk=pl.col("leaving").sum().over(keys) - pl.col("leaving").cum_sum().over(keys) + pl.col("leaving"),
    )
    step = 1 - pl.col("responded") / pl.col("at_risk")
    # Greenwood's sum; a day on which every request still waiting responded adds nothing (the curve is
    # 0 from then on, and so is its band), as in lifelines
    greenwood_term = pl.when(pl.col("at_risk") > pl.col("responded")).then(
        pl.col("responded") / (pl.col("at_risk") * (pl.col("at_risk") - pl.col("responded")))
    ).otherwise(0.0)
    km = per_day.with_columns(
        censored=pl.col("leaving") - pl.col("responded"),
        waiting=step.cum_prod().over(keys),
        _gw=greenwood_term.cum_sum().over(keys),
    )
    low, high = log_log_band(pl.col("waiting"), pl.col("_gw"))
    km = km.with_columns(ci_low=low, ci_high=high)
    # the day-0 row: the estimate after the replies on the day of the request, where there are any
    start = km.group_by(keys).agg(at_risk=pl.col("at_risk").max()).with_columns(
        days=pl.lit(0, dtype=pl.Int64), responded=pl.lit(0, dtype=pl.Int64), censored=pl.lit(0, dtype=pl.Int64),
        waiting=pl.lit(1.0), ci_low=pl.lit(1.0), ci_high=pl.lit(1.0),
    ).join(km.filter(pl.col("days") == 0).select(keys), on=keys, how="anti")
    columns = [*keys, "days", "at_risk", "responded", "censored", "waiting", "ci_low", "ci_high"]
    out = pl.concat([start.select(columns), km.select(columns)]).sort([*keys, "days"])
    return out if by else out.drop("_all")


def curve_by_day(km: pl.LazyFrame, *, by: Sequence[str] = (), max_days: int = 365) -> pl.LazyFrame:
    """A `time_to_response` table on every day from 0 to `max_days` (or to the group's last day, if
    sooner): a day on which nobody responded or was censored repeats the curve, with responded =
    censored = 0 and at_risk that of the next day with an event. Its size depends on `max_days` and
    the groups, never on the number of requests (a chart built from it weighs the same for 10
    thousand or 10 million rows). A table without the count columns (a shared curve) gets none."""
    keys = list(by) or ["_all"]
    base = km if by else km.with_columns(_all=pl.lit("all"))
    names = base.collect_schema().names()
    grid = (
        base.group_by(keys)
        .agg(_last=pl.col("days").max())
        .with_columns(days=pl.int_ranges(0, pl.col("_last") + 1, dtype=pl.Int64))
        .explode("days")
        .drop("_last")
    )
    counts = {
        "at_risk": pl.col("at_risk").backward_fill().over(keys),  # nobody leaves before the next event day
        "responded": pl.col("responded").fill_null(0),
        "censored": pl.col("censored").fill_null(0),
    }
    out = (
        grid.join(base, on=[*keys, "days"], how="left")
        .sort([*keys, "days"])
        .with_columns(
            **{c: e for c, e in counts.items() if c in names},
            **{c: pl.col(c).forward_fill().over(keys) for c in ("waiting", "ci_low", "ci_high")},
        )
        .filter(pl.col("days") <= max_days)
        .select(names)
    )
    return out if by else out.drop("_all")


def response_time_summary(km: pl.LazyFrame, *, by: Sequence[str] = ()) -> pl.LazyFrame:
    """From a `time_to_response` table: *by, requests, responded, median_days, p90_days — the first day
    by which half (90%) of requests had a response; null when the curve never gets there."""
    keys = list(by) or [pl.lit("all").alias("_all")]
    out = km.group_by(keys).agg(
        requests=pl.col("at_risk").max(),
        responded=pl.col("responded").sum(),
        median_days=pl.col("days").filter(pl.col("waiting") <= 0.5).min(),
        p90_days=pl.col("days").filter(pl.col("waiting") <= 0.1).min(),
    )
    return out.sort(list(by)) if by else out.drop("_all")
