"""Cumulative incidence of each kind of reply: data against refusal or no data, as competing events.

The Kaplan–Meier curve of `outcomes.time_to_response` counts every reply as a response, a refusal as
much as a disclosure. Here the two kinds are competing events (Aalen–Johansen, lifelines'
`AalenJohansenFitter`): by each day, the share of requests that had data (disclosed or partial), and
the share that had a refusal or a no-data reply; requests without a reply are censored at the
censoring date, and the two shares and the Kaplan–Meier share still waiting add up to 1.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence

import numpy as np
import polars as pl

from coopanalysis.core.schema import ANSWERED_RESPONSES, RESPONSES
from coopanalysis.transforms.outcomes import response_durations

REPLY_KINDS: dict[str, tuple[str, ...]] = {
    "data": ANSWERED_RESPONSES,
    "no data": tuple(r for r in RESPONSES if r not in ANSWERED_RESPONSES),
}
"""The kinds of reply, each with the responses it counts: data (disclosed, partial), no data
(refused, no_data)."""

_CODE = {kind: i + 1 for i, kind in enumerate(REPLY_KINDS)}
# lifelines' estimator takes no tied times of different events, and sets the first time's estimate to
# 0: each day d is given three instants after a first one at 0 — data replies at d + 1, the other
# replies at d + 1.25, censoring at d + 1.5 — and the estimate of day d is read at d + 1.5. Within a
# day the product-limit steps telescope, so the value at the end of the day is the tied estimate.
_OFFSET = {0: 1.5, **{code: 1 + 0.25 * (code - 1) for code in _CODE.values()}}
_END_OF_DAY = 1.5


def reply_kind() -> pl.Expr:
    """"data" or "no data" by the request's response (null without a reply)."""
    return pl.col("response").replace_strict(
        {r: kind for kind, responses in REPLY_KINDS.items() for r in responses}, default=None, return_dtype=pl.String
    )


def cumulative_incidence(lf: pl.LazyFrame, *, by: Sequence[str] = (), as_of: dt.date | None = None) -> pl.LazyFrame:
    """Aalen–Johansen cumulative incidence of each kind of reply, requests without a reply censored at
    `as_of` (default: the last date in the log). Columns: *by, reply, days, incidence (share of the
    group's requests that had a reply of this kind by the end of day `days`), ci_low, ci_high (95%,
    lifelines' delta method on the log(−log) scale; [0, 0] before the first reply of the kind; on the
    day the last request still waiting replies, where lifelines' variance divides by 0, the band of the
    day before), replied (replies of the kind that day). One row per group, kind and day on which
    anyone replied or was censored, and one on day 0 (0 where nobody replied that day). The log is
    reduced in polars (requests by group, day and kind, on the streaming engine, when this is called)
    and only that table is passed to lifelines, as weights."""
    keys = list(by) or ["_all"]
    base = lf if by else lf.with_columns(_all=pl.lit("all"))
    counts = response_durations(base, keys=keys, as_of=as_of, extra={"reply": reply_kind()}).collect(
        engine="streaming")
    frames = [_fit(group, keys) for _, group in counts.sort([*keys, "days"]).group_by(keys, maintain_order=True)]
    schema = {**{k: counts.schema[k] for k in keys}, "reply": pl.String, "days": pl.Int64, "incidence": pl.Float64,
              "ci_low": pl.Float64, "ci_high": pl.Float64, "replied": pl.Int64}
    out = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
    out = out.select(list(schema)).sort([*keys, "reply", "days"]).lazy()
    return out if by else out.drop("_all")


def _fit(group: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """One group's reduced counts (keys, reply, days, event, _n) fit for each kind of reply."""
    from lifelines import AalenJohansenFitter  # imported here: it loads pandas and scipy, seconds long

    code = pl.when(pl.col("event")).then(pl.col("reply").replace_strict(_CODE, default=0)).otherwise(0)
    rows = group.with_columns(code=code).group_by("days", "code").agg(n=pl.col("_n").sum()).sort("days", "code")
    offset = rows["code"].replace_strict(_OFFSET, return_dtype=pl.Float64)
    durations = (rows["days"].cast(pl.Float64) + offset).to_numpy()
    days = pl.concat([pl.Series([0], dtype=pl.Int64), rows["days"].cast(pl.Int64)]).unique().sort()  # day 0 always
    out = []
    for kind, kind_code in _CODE.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lifelines warns of non-integer weights it does not have here
            fit = AalenJohansenFitter(calculate_variance=True).fit(
                durations, rows["code"].to_numpy(), event_of_interest=kind_code, weights=rows["n"].to_numpy())
        table = pl.DataFrame({
            "_t": np.asarray(fit.cumulative_density_.index, dtype=float),
            "incidence": fit.cumulative_density_.iloc[:, 0].to_numpy(dtype=float),
            "_a": fit.confidence_interval_.iloc[:, 0].to_numpy(dtype=float),
            "_b": fit.confidence_interval_.iloc[:, 1].to_numpy(dtype=float),
        }).sort("_t")
        ends = pl.DataFrame({"days": days, "_t": days.cast(pl.Float64) + _END_OF_DAY})
        read = ends.join_asof(table, on="_t", strategy="backward")
        replied = rows.filter(pl.col("code") == kind_code).select("days", replied=pl.col("n"))
        zero = pl.col("incidence") <= 0
        out.append(read.join(replied, on="days", how="left").select(
            *[pl.lit(group[k][0], dtype=group.schema[k]).alias(k) for k in keys],
            reply=pl.lit(kind),
            days=pl.col("days").cast(pl.Int64),
            incidence=pl.col("incidence").fill_nan(0.0).fill_null(0.0),
            ci_low=pl.when(zero).then(0.0).otherwise(pl.min_horizontal("_a", "_b")).fill_nan(None).forward_fill(),
            ci_high=pl.when(zero).then(0.0).otherwise(pl.max_horizontal("_a", "_b")).fill_nan(None).forward_fill(),
            replied=pl.col("replied").fill_null(0).cast(pl.Int64),
        ))
    return pl.concat(out)
