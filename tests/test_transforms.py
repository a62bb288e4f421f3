"""Transforms on tiny literal frames: volumes, growth, projection, outcomes, intervals."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from coopanalysis.transforms.growth import (
    NOTE_BEFORE_DATA,
    NOTE_NO_BASE,
    NOTE_UNEQUAL,
    NOTE_ZERO_BASE,
    add_period_growth,
    add_yoy_growth,
    compute_cagr,
    yoy_growth_from_log,
)
from coopanalysis.transforms.outcomes import answered_share, closure_share, curve_by_day, funnel, outcome_mix, response_time_summary, time_to_response
from coopanalysis.transforms.projection import project_run_rate, project_seasonal_share
from coopanalysis.io.published import knpa_yearly_requests, load_knpa_series
from coopanalysis.core.stats import wilson_bounds
from coopanalysis.transforms.volumes import count_requests

d = dt.date


def log(*dates: dt.date, platform: str = "A") -> pl.LazyFrame:
    return pl.LazyFrame({"requested_on": list(dates), "platform": [platform] * len(dates)})


def test_count_requests_zero_fills_and_clips_partial_periods() -> None:
    lf = pl.concat([log(d(2020, 1, 5), d(2020, 3, 9)), log(d(2020, 3, 1), platform="B")])
    out = count_requests(lf, period="month", by=["platform"], start=d(2020, 1, 5), end=d(2020, 3, 9)).collect()
    expected = pl.DataFrame(
        {
            "period_start": [d(2020, 1, 5), d(2020, 1, 5), d(2020, 2, 1), d(2020, 2, 1), d(2020, 3, 1), d(2020, 3, 1)],
            "period_end": [d(2020, 1, 31), d(2020, 1, 31), d(2020, 2, 29), d(2020, 2, 29), d(2020, 3, 9), d(2020, 3, 9)],
            "platform": ["A", "B", "A", "B", "A", "B"],
            "requests": [1, 0, 0, 0, 1, 1],
        }
    )
    assert_frame_equal(out, expected)


def test_count_requests_half_years_and_weeks() -> None:
    lf = log(d(2021, 2, 1), d(2021, 8, 1), d(2021, 8, 2))
    halves = count_requests(lf, period="half_year", start=d(2021, 1, 1), end=d(2021, 12, 31)).collect()
    assert halves.rows() == [(d(2021, 1, 1), d(2021, 6, 30), 1), (d(2021, 7, 1), d(2021, 12, 31), 2)]
    weeks = count_requests(lf, period="week", start=d(2021, 7, 26), end=d(2021, 8, 8)).collect()
    assert weeks["requests"].to_list() == [1, 1]  # Sunday 1 Aug ends the first week; Monday 2 Aug starts the next


def test_count_requests_weighted_rows_count_as_many_requests() -> None:
    daily = pl.LazyFrame(
        {"requested_on": [d(2021, 1, 3), d(2021, 1, 20), d(2021, 3, 2)], "platform": ["A", "A", "B"], "n": [4, 1, 7]}
    )
    out = count_requests(daily, period="month", by=["platform"], weight="n").collect()
    assert out.filter(pl.col("platform") == "A")["requests"].to_list() == [5, 0, 0]
    assert out.filter(pl.col("platform") == "B")["requests"].to_list() == [0, 0, 7]
    assert out["period_end"].max() == d(2021, 3, 2)  # clipped to the last request, as without weights


def test_knpa_growth_2021_is_68_9_percent() -> None:
    growth = knpa_yearly_requests().pipe(add_yoy_growth).collect()
    row = growth.filter(pl.col("period_start") == d(2021, 1, 1)).row(0, named=True)
    assert (row["requests"], row["base"]) == (12771, 7560)
    assert round(row["growth"] * 100, 1) == 68.9
    partial = growth.filter(pl.col("period_start") == d(2024, 1, 1)).row(0, named=True)
    assert partial["growth"] is None and partial["growth_note"] == NOTE_NO_BASE  # never Jan–Jul vs a full year


def test_period_growth_refuses_unequal_spans_and_zero_base() -> None:
    lf = pl.LazyFrame(
        {
            "period_start": [d(2020, 1, 1), d(2021, 1, 1), d(2022, 1, 1), d(2023, 1, 1)],
            "period_end": [d(2020, 12, 31), d(2021, 12, 31), d(2022, 12, 31), d(2023, 6, 30)],
            "requests": [0, 10, 15, 9],
        }
    )
    out = add_period_growth(lf).collect()
    assert out["growth"].to_list() == [None, None, 0.5, None]
    assert out["growth_note"].to_list() == [NOTE_NO_BASE, NOTE_ZERO_BASE, None, NOTE_UNEQUAL]


def test_yoy_from_log_compares_partial_year_with_same_months() -> None:
    # 2021: 2 requests in Jan-Jun, 3 in Jul-Dec; 2022 (data to 30 June): 3 requests.
    lf = log(
        d(2021, 1, 10), d(2021, 5, 1), d(2021, 7, 1), d(2021, 9, 1), d(2021, 12, 1),
        d(2022, 2, 1), d(2022, 3, 1), d(2022, 6, 30),
    )
    out = yoy_growth_from_log(lf, start=d(2021, 1, 1), end=d(2022, 6, 30)).collect()
    assert out.select("period_start", "period_end", "requests", "base").rows() == [
        (d(2021, 1, 1), d(2021, 12, 31), 5, None),  # before the data: unknown, not 0
        (d(2022, 1, 1), d(2022, 6, 30), 3, 2),
    ]
    assert out["growth"].to_list() == [None, 0.5]
    assert out["growth_note"].to_list() == [NOTE_BEFORE_DATA, None]


def test_cagr_uses_full_years_only() -> None:
    lf = knpa_yearly_requests()
    out = compute_cagr(lf).collect().row(0, named=True)
    assert (out["first_year"], out["last_year"]) == (2020, 2023)
    assert out["cagr"] == pytest.approx((8961 / 7560) ** (1 / 3) - 1)


def test_run_rate_projection_of_published_partial_year() -> None:
    out = project_run_rate(knpa_yearly_requests(), year=2024, as_of=d(2024, 7, 31)).collect().row(0, named=True)
    assert out["observed"] == 5161
    assert out["projected"] == pytest.approx(5161 * 366 / 213)
    # one span and no earlier months: nothing says how much the counts vary, so no interval
    assert (out["low"], out["high"]) == (None, None)
    assert "no interval: too few months observed" in out["basis"]
    assert out["method"] == "run_rate"


def test_seasonal_share_projection() -> None:
    months = [(d(y, m, 1), m * 10) for y in (2021, 2022, 2023) for m in range(1, 13)]
    months += [(d(2024, m, 1), m * 10) for m in range(1, 7)]
    lf = pl.LazyFrame(months, schema=["period_start", "requests"], orient="row").with_columns(
        period_end=pl.col("period_start").dt.month_end()
    )
    out = project_seasonal_share(lf, year=2024, as_of=d(2024, 6, 30)).collect().row(0, named=True)
    assert out["observed"] == 210
    assert out["projected"] == pytest.approx(780.0)  # same seasonal pattern as 2021-2023
    assert out["low"] < 780 < out["high"]
    assert "on the months of 2021–2023 and of 2024 so far" in out["basis"]


REQUESTS = pl.LazyFrame(
    {
        "platform": ["A", "A", "A", "B", "B"],
        "requested_on": [d(2020, 1, 1)] * 5,
        "responded_on": [d(2020, 1, 3), d(2020, 1, 5), None, d(2020, 1, 2), None],
        "response": ["disclosed", "refused", None, "partial", None],
        "case_outcome": ["arrested", "suspended_untraceable", "open", "suspect_identified", None],
        "closed_on": [d(2020, 2, 1), d(2020, 3, 1), None, None, None],
    }
)


def test_answered_share_with_wilson_interval() -> None:
    out = answered_share(REQUESTS, by=["platform"]).collect()
    assert out.select("platform", "requests", "answered").rows() == [("A", 3, 1), ("B", 2, 1)]
    low, high = wilson_bounds(1, 3)
    assert out["ci_low"][0] == pytest.approx(low) and out["ci_high"][0] == pytest.approx(high)
    assert wilson_bounds(3, 212) == pytest.approx((0.00482, 0.04076), abs=1e-4)


def test_kaplan_meier_censors_unanswered_requests() -> None:
    km = time_to_response(REQUESTS, by=["platform"], as_of=d(2020, 1, 10))
    a = km.filter(pl.col("platform") == "A").collect()
    assert a.select("days", "at_risk", "responded", "censored").rows() == [
        (0, 3, 0, 0), (2, 3, 1, 0), (4, 2, 1, 0), (9, 1, 0, 1),
    ]
    assert a["waiting"].to_list() == pytest.approx([1.0, 2 / 3, 1 / 3, 1 / 3])
    summary = response_time_summary(km, by=["platform"]).collect()
    assert summary.select("platform", "median_days", "p90_days").rows() == [("A", 4, None), ("B", 1, None)]


def test_funnel_is_nested_and_outcome_mix_shares() -> None:
    f = funnel(REQUESTS).collect()
    assert f.select("stage", "cases").rows() == [
        ("requested", 5), ("answered", 2), ("suspect identified", 2), ("arrested", 1),
    ]
    mix = outcome_mix(REQUESTS, by=["platform"]).collect()
    assert mix.filter(pl.col("platform") == "B").select("case_outcome", "share").sort("case_outcome").rows() == [
        ("suspect_identified", 0.5), ("unknown", 0.5),
    ]


def test_published_series_keeps_every_fact() -> None:
    series = load_knpa_series()
    assert series.facts_used + series.set_aside.height == series.rows_read == 21
    assert series.counts.collect().height == 12  # requests, replies and rates of one span make one row
    assert set(series.set_aside["value"]) == {"annual mean", "period mean", "annual approx", "since Oct 2024"}


def test_closure_share_counts_cases_with_a_closing_date() -> None:
    out = closure_share(REQUESTS, by=["platform"]).collect()
    assert out.select("platform", "cases", "closed").rows() == [("A", 3, 2), ("B", 2, 0)]
    assert out["closed_share"].to_list() == pytest.approx([2 / 3, 0.0])
    assert (out["ci_low"][0], out["ci_high"][0]) == pytest.approx(wilson_bounds(2, 3))


@pytest.mark.parametrize("period", ["month", "year"])
def test_period_start_is_the_calendar_start_on_every_day(period) -> None:
    from coopanalysis.core.periods import EVERY, period_start

    days = pl.DataFrame({"d": pl.date_range(d(1899, 12, 1), d(2101, 3, 1), "1d", eager=True)})
    out = days.select(ours=period_start(pl.col("d"), period), calendar=pl.col("d").dt.truncate(EVERY[period]))
    assert out.filter(pl.col("ours") != pl.col("calendar")).height == 0
    assert out["ours"].null_count() == 0
    assert days.select(period_start(pl.col("d"), "month")).row(1)[0] == d(1899, 12, 1)


def test_curve_by_day_repeats_the_curve_between_event_days() -> None:
    km = pl.LazyFrame({
        "platform": ["A"] * 4, "days": [0, 1, 3, 5], "at_risk": [10, 10, 7, 2], "responded": [0, 2, 4, 1],
        "censored": [0, 1, 1, 1], "waiting": [1.0, 0.8, 0.34, 0.17], "ci_low": [1.0, 0.5, 0.1, 0.0],
        "ci_high": [1.0, 0.9, 0.6, 0.5],
    })
    out = curve_by_day(km, by=["platform"], max_days=4).collect()
    assert out["days"].to_list() == [0, 1, 2, 3, 4]
    # day 2: nobody left, still 7 waiting (those at risk on day 3), the curve as on day 1
    assert out.row(2) == ("A", 2, 7, 0, 0, 0.8, 0.5, 0.9)
    # day 4: cut at max_days, at risk are the 2 still there on day 5
    assert out.row(4) == ("A", 4, 2, 0, 0, 0.34, 0.1, 0.6)
    # the same number of rows whatever the counts: a curve of 10 requests and of 10 million
    big = km.with_columns(pl.col("at_risk", "responded", "censored") * 1_000_000)
    assert curve_by_day(big, by=["platform"], max_days=4).collect().height == out.height
