"""Sentences the reports print, exact for literal frames."""

from __future__ import annotations

import datetime as dt

import polars as pl

from coopanalysis.present import narrative, tables
from coopanalysis.transforms.growth import compute_cagr
from coopanalysis.transforms.outcomes import answered_share, funnel
from coopanalysis.core.stats import wilson_bounds
from coopanalysis.reports.source import InputSummary

D = dt.date


def _info(**kw) -> InputSummary:
    base = dict(
        source="/x/requests.csv", kind="request log", rows_read=10, rows_kept=8, rows_rejected=2,
        rejected_by_reason={"date_in_future": 2}, selected=8, start=D(2024, 1, 1), end=D(2024, 6, 30),
        platforms=["Telegram"], agencies=[], available_platforms=["Google", "Telegram"], period="month",
    )
    return InputSummary(**(base | kw))


def test_numbers_for_readers():
    assert narrative.count(12771) == "12,771"
    assert narrative.share(3 / 212) == "1.4%"
    assert narrative.share(0.0001) == "<0.1%"
    assert narrative.interval(0.0048, 0.0408) == "0.5–4.1%"
    assert narrative.change(0.689286) == "grew 68.9%"
    assert narrative.change(-0.118532) == "fell 11.9%"
    assert narrative.signed(-0.118532) == "−11.9%"
    assert narrative.span(D(2021, 12, 1), D(2021, 12, 31)) == "December 2021"
    assert narrative.span(D(2021, 1, 1), D(2021, 12, 31)) == "2021"
    assert narrative.span(D(2025, 1, 1), D(2025, 6, 30)) == "1 January 2025 to 30 June 2025"


def test_answered_sentence_telegram_example():
    low, high = wilson_bounds(3, 212)
    row = {"platform": "Telegram", "requests": 212, "answered": 3, "answered_share": 3 / 212, "ci_low": low, "ci_high": high}
    assert narrative.answered_sentence(row) == "Telegram answered 3 of 212 requests (1.4%, 95% CI 0.5–4.1%)."


def test_answered_sentences_from_transform_lowest_first():
    lf = pl.LazyFrame(
        {
            "platform": ["Telegram"] * 4 + ["Google"] * 2,
            "response": ["disclosed", None, "refused", None, "disclosed", "partial"],
        }
    )
    df = answered_share(lf, by=["platform"]).collect()
    assert narrative.answered_sentences(df) == (
        "Telegram answered 1 of 4 requests (25.0%, 95% CI 4.6–69.9%). "
        "Google answered 2 of 2 requests (100.0%, 95% CI 34.2–100.0%)."
    )


def test_input_summary_accounts_for_every_row():
    assert narrative.input_summary(_info()) == (
        "Read 10 rows from requests.csv (request log): 8 kept, 2 rejected. By reason — date in future: 2. "
        "Every row is accounted for."
    )


def test_selection_and_empty_selection():
    assert narrative.selection_sentence(_info()) == (
        "This report covers 8 requests to Telegram from 1 January 2024 to 30 June 2024."
    )
    assert narrative.empty_selection(_info()) == ""
    empty = _info(selected=0)
    assert narrative.selection_sentence(empty) == narrative.empty_selection(empty) == (
        "No requests match this selection: none to Telegram from 1 January 2024 to 30 June 2024. "
        "The tables and charts below are empty. Widen the date range or choose other platforms "
        "(available: Google, Telegram)."
    )


GROWTH = pl.DataFrame(
    {
        "period_start": [D(2020, 1, 1), D(2021, 1, 1), D(2024, 1, 1)],
        "period_end": [D(2020, 12, 31), D(2021, 12, 31), D(2024, 7, 31)],
        "period_label": ["2020", "2021", "2024 (1 Jan–31 Jul)"],
        "requests": [7560, 12771, 5161],
        "base": [None, 7560, None],
        "growth": [None, 12771 / 7560 - 1, None],
        "growth_note": ["no figure for the base period", None, "no figure for the base period"],
    }
)


def test_growth_sentences():
    assert narrative.growth_for_year(GROWTH, 2021) == "Requests grew 68.9% in 2021 over 2020 (12,771 against 7,560)."
    assert narrative.latest_growth_sentence(GROWTH) == (
        "Requests grew 68.9% in 2021 over 2020 (12,771 against 7,560). "
        "No growth figure for 2024 (1 Jan–31 Jul): no figure for the base period."
    )
    partial = {"period_start": D(2025, 1, 1), "period_end": D(2025, 6, 30), "period_label": "2025 (1 Jan–30 Jun)",
               "requests": 4424, "base": 4417, "growth": 4424 / 4417 - 1, "growth_note": None}
    assert narrative.growth_sentence(partial) == (
        "From 1 January 2025 to 30 June 2025 there were 4,424 requests against 4,417 in the same days of 2024: "
        "requests grew 0.2%, like for like."
    )
    assert narrative.latest_growth_sentence(GROWTH.head(0)) == "There is no year to compare in this selection."


def test_cagr_and_projection_sentences():
    cagr = pl.DataFrame({"first_year": [2020], "last_year": [2023], "first_value": [7560], "last_value": [8961],
                         "cagr": [(8961 / 7560) ** (1 / 3) - 1], "cagr_note": [None]})
    assert narrative.cagr_sentence(cagr) == (
        "From 2020 to 2023 requests grew 5.8% a year on average (compound; 7,560 to 8,961)."
    )
    proj = pl.DataFrame(
        {
            "year": [2024, 2024], "kind": ["observed", "projected"], "method": ["observed so far", "run rate"],
            "requests": [5161.0, 8868.2], "low": [None, 8627.9], "high": [None, 9113.5],
            "period_start": [D(2024, 1, 1), D(2024, 1, 1)], "period_end": [D(2024, 7, 31), D(2024, 7, 31)],
            "basis": [None, "213 days observed, scaled to 366"],
        }
    )
    assert narrative.projection_sentence(proj) == (
        "Projected requests for the whole of 2024 from 5,161 by 31 July 2024: about 8,868 at the run rate "
        "(95% prediction interval 8,628–9,114). Method of the run rate: 213 days observed, scaled to 366."
    )
    assert narrative.projection_sentence(proj.head(1)).startswith("The selection ends with a full calendar year")
    no_interval = proj.with_columns(low=pl.lit(None, pl.Float64), high=pl.lit(None, pl.Float64),
                                    basis=pl.lit("no interval: too few months observed"))
    assert narrative.projection_sentence(no_interval).endswith(
        "about 8,868 at the run rate (no interval: too few months observed)."
    )


def test_cagr_sentence_says_what_the_endpoints_hide():
    # the bundled log's yearly totals: a 2021 peak, then three falls; CAGR +4.0%, trend −0.4%
    yearly = pl.LazyFrame({"period_start": [D(y, 1, 1) for y in range(2020, 2025)],
                           "period_end": [D(y, 12, 31) for y in range(2020, 2025)],
                           "requests": [7560, 12771, 10166, 8961, 8847]})
    cagr = compute_cagr(yearly).collect()
    assert narrative.cagr_sentence(cagr) == (
        "From 2020 to 2024 requests grew 4.0% a year on average (compound; 7,560 to 8,847). Requests peaked in "
        "2021 and fell in each of the three years since; the average hides that. The log-linear trend through all "
        "5 full years is −0.4% a year (95% CI −20.6% to +25.0%). The endpoints and the trend disagree on the "
        "direction, though the trend's interval is wide enough to hold the compound rate."
    )
    steady = compute_cagr(yearly.with_columns(requests=pl.Series([100, 110, 121, 140, 146]))).collect()
    text = narrative.cagr_sentence(steady)
    assert "peaked" not in text and "disagree" not in text
    assert text.endswith("grew 9.9% a year on average (compound; 100 to 146). The log-linear trend through all 5 "
                         "full years is +10.5% a year (95% CI +7.7% to +13.3%).")
    assert narrative.cagr_sentence(compute_cagr(yearly.head(2)).collect()).endswith(
        "No log-linear trend: fewer than three full years.")


def test_funnel_sentence_from_transform():
    lf = pl.LazyFrame(
        {
            "response": ["disclosed", "disclosed", "partial", "refused"],
            "case_outcome": ["arrested", "suspect_identified", "open", "suspended_untraceable"],
        }
    )
    assert narrative.funnel_sentence(funnel(lf).collect()) == (
        "Of 4 requests, 3 (75.0% of all requests) were answered with data; 2 (50.0% of all requests) were answered "
        "and led to an identified suspect, and 1 (25.0% of all requests) was answered and led to an arrest (the last "
        "two stages count only answered requests; the outcome mix counts every case, answered or not)."
    )


def test_untraceable_and_response_time_sentences():
    df = pl.DataFrame(
        {
            "platform": ["Google", "Telegram", "Tiny"], "requests": [100, 40, 3], "answered": [90, 2, 0],
            "suspended": [10, 24, 3], "answered_share": [0.9, 0.05, 0.0], "suspended_share": [0.1, 0.6, 1.0],
            "suspended_ci_low": [0.055, 0.446, 0.44], "suspended_ci_high": [0.174, 0.737, 1.0],
        }
    )
    assert narrative.untraceable_sentence(df) == (
        "Telegram answered 5.0% of its requests and 60.0% of its cases (open ones included) were suspended because "
        "the suspect could not be traced (95% CI 44.6–73.7%); Google answered 90.0% of its requests and 10.0% of "
        "its cases (open ones included) were suspended because the suspect could not be traced (95% CI 5.5–17.4%)."
    )
    summary = pl.DataFrame({"requests": [50], "responded": [40], "median_days": [12], "p90_days": [None]},
                           schema_overrides={"p90_days": pl.Int64})
    assert narrative.response_time_sentence(summary) == (
        "Of the 50 requests, half had a reply (data, a refusal or no data) within 12 days; by the censoring date fewer "
        "than 90% had one, so how long 90% took is not known (Kaplan–Meier, requests without a reply censored)."
    )
    by_platform = pl.DataFrame({"platform": ["Google", "Telegram"], "requests": [10, 5], "responded": [9, 1],
                                "median_days": [7, None], "p90_days": [30, None]})
    assert narrative.slowest_sentence(by_platform) == (
        "For Telegram, fewer than half of the requests ever had a response by the censoring date."
    )


def test_tables_for_readers():
    rows = tables.growth_rows(GROWTH)
    assert rows.columns == ["Period", "Requests", "A year earlier", "Growth", "Note"]
    assert rows["Growth"].to_list() == ["–", "+68.9%", "–"]
    assert rows["Note"].to_list()[0] == "no figure for the base period"
