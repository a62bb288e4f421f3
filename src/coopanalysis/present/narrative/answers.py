"""Sentences about answers: the answered share and the time to a response."""

from __future__ import annotations

from typing import Any

import polars as pl

from coopanalysis.present.narrative.words import (
    count,
    figure,
    interval,
    join_names,
    share,
)
from coopanalysis.publish.disclosure import hidden_column


def answered_sentence(row: dict[str, Any], *, name: str | None = None) -> str:
    """'Telegram answered 3 of 212 requests (1.4%, 95% CI 0.5–4.1%).' Input: a row of an
    `answered_share` frame (requests, answered, answered_share, ci_low, ci_high)."""
    who = name or row.get("platform") or "The platforms"
    if row["requests"] == 0:
        return f"{who} received no requests in this selection."
    if row["answered_share"] is None and row.get(hidden_column("answered")):
        return (f"{who} received {figure(row, 'requests')} requests; how many were answered is withheld "
                f"to protect small counts.")
    return (f"{who} answered {count(row['answered'])} of {count(row['requests'])} requests "
            f"({share(row['answered_share'])}, 95% CI {interval(row['ci_low'], row['ci_high'])}).")


def answered_sentences(by_platform: pl.DataFrame, *, limit: int = 3) -> str:
    """Answered share of the `limit` platforms answering least often (lowest share first)."""
    if by_platform.height == 0:
        return "No requests, so no answered share."
    rows = by_platform.sort(["answered_share", "platform"], nulls_last=True).head(limit)
    return " ".join(answered_sentence(r) for r in rows.iter_rows(named=True))


def answered_total_sentence(total: pl.DataFrame) -> str:
    """The answered share of all selected requests."""
    if total.height == 0 or total["requests"][0] == 0:
        return "No requests, so no answered share."
    return answered_sentence(total.row(0, named=True), name="The platforms together")


def response_time_sentence(summary: pl.DataFrame, *, name: str | None = None) -> str:
    """'Half of the requests had a response within 12 days, 90% within 45 days.' Input: a
    `response_time_summary` row (requests, responded, median_days, p90_days; under suppression a
    `curve_note` saying why there is no curve)."""
    if summary.height == 0 or summary["requests"][0] == 0:
        return "No requests, so no time to response."
    r = summary.row(0, named=True)
    who = f"requests to {name}" if name else "requests"
    if r["requests"] is None:
        return "Too few requests to show how long a response took (withheld to protect small counts)."
    if r.get("curve_note"):
        return f"How long a response took is withheld to protect small counts ({r['curve_note']})."
    if r["median_days"] is None:
        how_many = (f" ({count(r['responded'])} of {count(r['requests'])} answered or refused)"
                    if r["responded"] is not None else "")
        return f"Fewer than half of the {who} had a response by the end of the data{how_many}."
    text = f"Half of the {who} had a response within {count(r['median_days'])} days"
    if r["p90_days"] is None:
        return text + "; 90% were never reached by the end of the data."
    return text + f", 90% within {count(r['p90_days'])} days (Kaplan–Meier, unanswered requests censored)."


def slowest_sentence(summary: pl.DataFrame) -> str:
    """The platform with the longest median time to response (or whose median is never reached).
    Under suppression, also names the platforms that have no curve and why (`curve_note`)."""
    if summary.height == 0:
        return ""
    notes = summary.filter(pl.col("curve_note").is_not_null()) if "curve_note" in summary.columns \
        else summary.clear()
    drawn = summary.filter(~pl.col("platform").is_in(notes["platform"].implode()))
    no_curve = " ".join(f"There is no time-to-response curve for {r['platform']}: {r['curve_note']}."
                        for r in notes.sort("platform").iter_rows(named=True))
    return " ".join(t for t in (_slowest(drawn), no_curve) if t)


def _slowest(summary: pl.DataFrame) -> str:
    """The slowest platform of `summary` (every platform with a curve), '' when there is none."""
    if summary.height == 0:
        return ""
    never = summary.filter(pl.col("median_days").is_null() & (pl.col("requests") > 0))
    if never.height:
        return (f"For {join_names(never['platform'].to_list())}, fewer than half of the requests ever had a response "
                f"by the end of the data.")
    r = summary.sort(["median_days", "platform"], descending=[True, False]).row(0, named=True)
    return f"{r['platform']} was slowest: half of its requests had a response within {count(r['median_days'])} days."
