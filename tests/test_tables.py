"""Report frames: the same small frames from a request log or the published series."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from coopanalysis.reports import figures, outcomes, volumes
from coopanalysis.reports.yearly import period_text, projection_frame
from coopanalysis.errors import ParameterError

D = dt.date


def test_period_text_names_full_and_partial_years():
    df = pl.DataFrame({"s": [D(2021, 1, 1), D(2024, 1, 1)], "e": [D(2021, 12, 31), D(2024, 7, 31)]})
    assert df.select(period_text(pl.col("s"), pl.col("e"))).to_series().to_list() == ["2021", "2024 (1 Jan–31 Jul)"]


def test_projection_frame_stacks_observed_and_projected():
    yearly = pl.LazyFrame({"period_start": [D(2023, 1, 1), D(2024, 1, 1)], "period_end": [D(2023, 12, 31), D(2024, 7, 31)],
                           "requests": [8961, 5161]})
    proj = pl.LazyFrame({"year": [2024], "as_of": [D(2024, 7, 31)], "observed": [5161], "projected": [8868.2],
                         "low": [8627.9], "high": [9113.5], "method": ["run_rate"], "basis": ["213 days"]})
    out = projection_frame(yearly, proj).collect()
    expected = pl.DataFrame(
        {"year": [2023, 2024, 2024], "kind": ["observed", "observed", "projected"],
         "method": ["observed", "observed so far", "run rate"], "requests": [8961.0, 5161.0, 8868.2],
         "low": [None, None, 8627.9], "high": [None, None, 9113.5],
         "period_start": [D(2023, 1, 1), D(2024, 1, 1), D(2024, 1, 1)],
         "period_end": [D(2023, 12, 31), D(2024, 7, 31), D(2024, 7, 31)], "basis": [None, None, "213 days"]},
        schema_overrides={"year": pl.Int32},
    )
    assert_frame_equal(out, expected)


def test_volume_report_on_the_published_series():
    t = volumes.volume_report("published/npa_overseas_it_requests_press.csv")
    assert t.input.kind == "published series"
    assert t.input.rows_read == t.input.rows_kept + t.input.rows_rejected
    assert t.volumes["requests"].to_list() == [7560, 12771, 10166, 8961, 5161]
    assert t.growth.filter(pl.col("period_label") == "2021")["growth"].item() == pytest.approx(12771 / 7560 - 1)
    run_rate = t.projection.filter(pl.col("method") == "run rate")
    assert run_rate["requests"].item() == pytest.approx(5161 * 366 / 213)
    assert t.top_agencies.height == 0 and t.top_agencies.columns == ["agency", "requests", "share"]
    assert figures.latest_growth_figure(t.growth)["label"] == (
        "Year-over-year growth, 2023, against 10,166 requests a year earlier")
    assert figures.latest_growth_figure(t.growth)["base"] == 10166
    assert t.latest_growth_figure == figures.latest_growth_figure(t.growth)


def test_published_series_rejects_agencies_and_outcomes():
    with pytest.raises(ParameterError, match="not broken down by agency"):
        volumes.volume_report("published/npa_overseas_it_requests_press.csv", agencies=["Seoul"])
    with pytest.raises(ParameterError, match="case_outcomes needs a request log"):
        outcomes.outcome_report("published/npa_overseas_it_requests_press.csv")
    with pytest.raises(ParameterError, match="top must be a whole number"):
        volumes.volume_report("", top=0)
