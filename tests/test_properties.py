"""Invariants that hold for any input: counts add up, constant series do not grow, nothing is lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopanalysis.transforms.growth import add_period_growth
from coopanalysis.io.requests import load_requests
from coopanalysis.transforms.volumes import count_requests

DAY0 = dt.date(2019, 1, 1)
dates = st.lists(st.integers(min_value=0, max_value=3 * 365), min_size=1, max_size=200).map(
    lambda xs: [DAY0 + dt.timedelta(days=x) for x in xs]
)
platforms = st.sampled_from(["Google", "Meta", "Telegram"])


@settings(max_examples=40, deadline=None)
@given(dates=dates, data=st.data())
def test_counts_add_up_across_granularities(dates: list[dt.date], data: st.DataObject) -> None:
    plats = data.draw(st.lists(platforms, min_size=len(dates), max_size=len(dates)))
    lf = pl.LazyFrame({"requested_on": dates, "platform": plats})
    totals = {}
    for period in ("day", "week", "month", "quarter", "half_year", "year"):
        out = count_requests(lf, period=period, by=["platform"]).collect()
        totals[period] = out["requests"].sum()
        per_platform = out.group_by("platform").agg(pl.col("requests").sum()).sort("platform")
        assert per_platform.rows() == sorted(pl.DataFrame({"platform": plats}).group_by("platform").len().rows())
    assert set(totals.values()) == {len(dates)}


@settings(max_examples=40, deadline=None)
@given(
    start=st.integers(min_value=0, max_value=700).map(lambda x: DAY0 + dt.timedelta(days=x)),
    length=st.integers(min_value=0, max_value=400),
    period=st.sampled_from(["day", "week", "month", "quarter", "half_year", "year"]),
)
def test_zero_fill_covers_every_period_in_range(start: dt.date, length: int, period: str) -> None:
    end = start + dt.timedelta(days=length)
    lf = pl.LazyFrame({"requested_on": [start]}, schema={"requested_on": pl.Date})
    out = count_requests(lf, period=period, start=start, end=end).collect()
    assert out["period_start"][0] == start and out["period_end"][-1] == end
    # consecutive periods tile the range with no gap and no overlap
    gaps = out.select((pl.col("period_start").shift(-1) - pl.col("period_end")).dt.total_days()).to_series().drop_nulls()
    assert gaps.to_list() == [1] * (out.height - 1)
    assert out["requests"].sum() == 1


@settings(max_examples=30, deadline=None)
@given(value=st.integers(min_value=1, max_value=10_000), years=st.integers(min_value=2, max_value=8))
def test_constant_series_grows_zero(value: int, years: int) -> None:
    lf = pl.LazyFrame(
        {
            "period_start": [dt.date(2010 + i, 1, 1) for i in range(years)],
            "period_end": [dt.date(2010 + i, 12, 31) for i in range(years)],
            "requests": [value] * years,
        }
    )
    growth = add_period_growth(lf).collect()["growth"].to_list()
    assert growth == [None] + [0.0] * (years - 1)


GOOD_ROW = "{id},2021-0{m}-1{d},Agency {m},KR,Google,fraud,email,2021-0{m}-2{d},disclosed,open,"
BAD_ROWS = [
    "{id},2021-02-30,Agency,KR,Google,fraud,email,,,open,",  # impossible date
    "{id},2021-02-03,,KR,Google,fraud,email,,,open,",  # missing agency
    "{id},2021-02-03,Agency,KR,Google,fraud,email,2021-02-01,disclosed,open,",  # responded before
    "{id},2021-02-03,Agency,KR,Google,fraud,email,,sometimes,open,",  # response not allowed
    "{id},2099-02-03,Agency,KR,Google,fraud,email,,,open,",  # future
    "dup,2021-02-03,Agency,KR,Google,fraud,email,,,open,",  # duplicate after the first 'dup'
]
HEADER = "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.integers(min_value=-1, max_value=len(BAD_ROWS) - 1), min_size=1, max_size=60))
def test_rows_read_equal_kept_plus_rejected(tmp_path: Path, kinds: list[int]) -> None:
    lines = [HEADER]
    for i, k in enumerate(kinds):
        template = GOOD_ROW if k < 0 else BAD_ROWS[k]
        lines.append(template.format(id=f"R{i}", m=1 + i % 9, d=i % 9))
    path = tmp_path / "mix.csv"
    path.write_text("\n".join(lines) + "\n")
    result = load_requests(path, today=dt.date(2026, 1, 1))
    summary = result.summary()
    assert summary["rows_read"] == len(kinds)
    assert summary["rows_read"] == summary["rows_kept"] + summary["rows_rejected"]
    n_dup = sum(1 for k in kinds if k == 5)
    expected_bad = sum(1 for k in kinds if 0 <= k < 5) + max(0, n_dup - 1)
    assert summary["rows_rejected"] == expected_bad
