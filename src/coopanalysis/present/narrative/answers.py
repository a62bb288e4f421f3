"""Sentences about answers: the answered share and the time to a response."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.present.narrative.template import sentence
from coopanalysis.present.narrative.words import date, join_names, slot
from coopanalysis.publish.disclosure import hidden_column

WITHHELD_NOTE = "withheld to protect small counts"


def answered_sentence(row: dict[str, Any], *, name: str | None = None) -> str:
    """'Telegram answered 3 of 212 requests (1.4%, 95% CI 0.5–4.1%).' Input: a row of an
    `answered_share` frame (requests, answered, answered_share, ci_low, ci_high)."""
    who = name or row.get("platform") or "The platforms"
    if row["requests"] == 0:
        return sentence("{who:name} received no requests in this selection.", who=who)
    if row["answered_share"] is None and row.get(hidden_column("answered")):
        return sentence("{who:name} received {n:count/request}; how many were answered is withheld to protect "
                        "small counts.", who=who, n=slot(row, "requests"))
    if row["answered_share"] is None:
        return sentence("{who:name} received {n:count/request}; there is no answered share.", who=who,
                        n=slot(row, "requests"))
    return sentence("{who:name} answered {answered:count} of {requests:count/request} ({p:share}, 95% CI {ci:interval}).",
                    who=who, answered=row["answered"], requests=row["requests"], p=row["answered_share"],
                    ci=(row["ci_low"], row["ci_high"]))


def answered_sentences(by_platform: pl.DataFrame, *, limit: int = 3) -> str:
    """Answered share of the `limit` platforms answering least often (lowest share first)."""
    if by_platform.height == 0:
        return _("No platform received a request in this selection.")
    rows = by_platform.sort(["answered_share", "platform"], nulls_last=True).head(limit)
    return " ".join(answered_sentence(r) for r in rows.iter_rows(named=True))


def answered_total_sentence(total: pl.DataFrame) -> str:
    """The answered share of all selected requests."""
    if total.height == 0 or total["requests"][0] == 0:
        return _("There are no requests in this selection, so there is no answered share.")
    return answered_sentence(total.row(0, named=True), name="The platforms together")


def response_time_sentence(summary: pl.DataFrame, *, name: str | None = None) -> str:
    """'Of the 52,729 requests, half had a reply (data, refusal or no data) within 12 days, 90% within
    45 days.' Input: a `response_time_summary` row (requests, responded, median_days, p90_days; under
    suppression a `curve_note` saying why there is no curve)."""
    if summary.height == 0 or summary["requests"][0] == 0:
        return _("There are no requests in this selection, so there is no time to a response.")
    r = summary.row(0, named=True)
    to = _(" to {name}").format(name=_(name)) if name else ""
    if r["requests"] is None and not (r.get("curve_note") or r.get(hidden_column("requests"))):
        return _("There are no requests in this selection, so there is no time to a response.")
    if r["requests"] is None and not r.get("curve_note"):
        return _("Too few requests to show how long a response took (withheld to protect small counts).")
    if r.get("curve_note"):
        return sentence("How long a response took is withheld to protect small counts ({note:name}).",
                        note=r["curve_note"])
    if r["median_days"] is None:
        how_many = "" if r["responded"] is None else sentence(
            " ({responded:count} of {requests:count} had a reply: data, a refusal or no data)",
            responded=r["responded"], requests=r["requests"])
        return sentence("Fewer than half of the {n:count/request}{to:text} had a reply by the censoring date{how:text}.",
                        n=r["requests"], to=to, how=how_many)
    text = sentence("Of the {n:count/request}{to:text}, half had a reply (data, a refusal or no data) {within:text}",
                    n=r["requests"], to=to, within=_within(r["median_days"]))
    if r["p90_days"] is None:
        return text + ("; by the censoring date fewer than 90% had one, so how long 90% took is not known "
                       "(Kaplan–Meier, requests without a reply censored).")
    return text + sentence(", 90% {within:text} (Kaplan–Meier, requests without a reply censored).",
                           within=_within(r["p90_days"]))


def _within(days: int) -> str:
    """'within 12 days', 'within 1 day'; 'on the day of the request' for 0."""
    return _("on the day of the request") if days == 0 else sentence("within {days:count/day}", days=days)


def censoring_sentence(as_of: dt.date | None, *, given: bool = False) -> str:
    """The censoring date and where it comes from: the `as_of` parameter, or the latest date in the
    whole file (the same for every selection of it)."""
    if as_of is None:
        return _("The log has no dates, so no censoring date.")
    source = _("the date given as the log's extraction date" if given else
               "the latest date in the whole file, whatever the selection; set as_of to the date the log was extracted")
    return _("Requests without a reply are counted as still waiting on {date} (the censoring date: {source}); "
             "the curves end there.").format(date=date(as_of), source=source)


def incidence_sentence(incidence: pl.DataFrame, km: pl.DataFrame, *, day: int = 30) -> str:
    """'By day 30, 62.1% of the requests had data (disclosed or partial), 8.3% a refusal or no data,
    and 29.6% were still waiting; by the censoring date, …' Input: a `cumulative_incidence` frame of
    all requests (reply, days, incidence) and the `time_to_response` frame of the same requests (days,
    waiting); both as published (coarsened under suppression)."""
    if incidence.height == 0 or km.height == 0:
        return _("There is no split of the replies by kind to show: no requests, or too few to show.")

    def at(t: int | None) -> str:
        def value(df: pl.DataFrame, column: str) -> float | None:
            rows = df.filter(pl.col("days") <= t) if t is not None else df
            return rows.sort("days")[column][-1] if rows.height else None
        data = value(incidence.filter(pl.col("reply") == "data"), "incidence")
        none = value(incidence.filter(pl.col("reply") == "no data"), "incidence")
        waiting = value(km, "waiting")
        # before the first reply of a kind its incidence is 0, and every request is still waiting
        return sentence("{data:share} of the requests had data (disclosed or partial), {none:share} a refusal or a "
                        "no-data reply, and {waiting:share} were still waiting", data=data or 0.0, none=none or 0.0,
                        waiting=1.0 if waiting is None else waiting)

    last = int(min(incidence["days"].max(), km["days"].max()))
    text = _("By day {day}, {shares}").format(day=day, shares=at(day)) if day < last else ""
    end = _("by the end of the curves (day {day}), {shares}").format(day=last, shares=at(last))
    return ((text + "; " + end) if text else end[0].upper() + end[1:]) + \
        _(" (Aalen–Johansen cumulative incidence; shares of all requests, those without a reply censored).")


def slowest_sentence(summary: pl.DataFrame) -> str:
    """The platform with the longest median time to response (or whose median is never reached).
    Under suppression, also names the platforms that have no curve and why (`curve_note`)."""
    if summary.height == 0:
        return ""
    notes = summary.filter(pl.col("curve_note").is_not_null()) if "curve_note" in summary.columns \
        else summary.clear()
    drawn = summary.filter(~pl.col("platform").is_in(notes["platform"].implode()))
    no_curve = " ".join(_("There is no time-to-response curve for {platform}: {note}.").format(
                            platform=_(r["platform"]), note=_(r["curve_note"]))
                        for r in notes.sort("platform").iter_rows(named=True))
    return " ".join(t for t in (_slowest(drawn), no_curve) if t)


def _slowest(summary: pl.DataFrame) -> str:
    """The slowest platform of `summary` (every platform with a curve), '' when there is none."""
    if summary.height == 0:
        return ""
    never = summary.filter(pl.col("median_days").is_null() & (pl.col("requests") > 0))
    if never.height:
        return _("For {platforms}, fewer than half of the requests ever had a response by the censoring date.").format(
            platforms=join_names(never["platform"].to_list()))
    r = summary.sort(["median_days", "platform"], descending=[True, False]).row(0, named=True)
    return sentence("{who:name} was slowest: half of its requests had a reply {within:text}.", who=r["platform"],
                    within=_within(r["median_days"]))
