"""The exploring half: the update function on a tiny literal log (numbers worked out by hand), the
chart's selections turned into a `Selection`, suppression under a sharing threshold, and a view made
into a report (the entry written, run by the batch, a number on the page equal to the selection's)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import polars as pl
import pytest

from coopanalysis.errors import CoopAnalysisError, ParameterError
from coopanalysis.explore.report import to_report
from coopanalysis.explore.selection import Selection, brushed_days, clicked
from coopanalysis.explore.sentences import view_sentences
from coopanalysis.explore.tables import prepare
from coopanalysis.explore.update import update
from coopanalysis.reports.outcomes import outcome_report

HEADER = "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on"
ROWS = [
    "R1,2021-01-04,Agency A,KR,Telegram,fraud,portal,2021-01-14,disclosed,arrested,2021-03-01",
    "R2,2021-01-10,Agency A,KR,Google,fraud,portal,2021-01-12,partial,suspect_identified,2021-02-01",
    "R3,2021-02-01,Agency B,KR,Google,hacking,email,2021-02-11,refused,closed_no_suspect,2021-04-01",
    "R4,2021-02-15,Agency B,KR,Telegram,hacking,email,,,suspended_untraceable,2021-05-01",
    "R5,2021-03-01,Agency A,KR,Google,fraud,portal,2021-03-01,disclosed,open,",
    "R6,2021-03-20,Agency C,KR,Meta,fraud,mlat,,,open,",
]
GOOGLE_Q1 = Selection(start=dt.date(2021, 1, 5), end=dt.date(2021, 3, 31), platforms=("Google",))
"""R2, R3 and R5 (R1, R4 and R6 are Telegram's and Meta's)."""


@pytest.fixture(scope="module")
def log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("explore") / "tiny.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tables(log):
    return prepare(str(log))


def test_tables_hold_every_row_and_the_censoring_date(tables) -> None:
    assert tables.rows.height == 6
    assert tables.rows["requested_on"].is_sorted()
    assert tables.as_of == dt.date(2021, 5, 1)  # R4's closure: the latest date in the file
    assert tables.platforms == ["Google", "Meta", "Telegram"]
    assert int(tables.days["requests"].sum()) == 6 and int(tables.days["answered"].sum()) == 3


def test_update_on_a_brushed_range_and_a_platform(tables) -> None:
    v = update(tables, GOOGLE_Q1)
    assert v.selected == 3
    assert v.answered.select("requests", "answered").row(0) == (3, 2)  # R2 partial, R5 disclosed
    assert v.answered["answered_share"][0] == pytest.approx(2 / 3)
    assert v.top_agencies.rows() == [("Agency A", 2, pytest.approx(2 / 3)), ("Agency B", 1, pytest.approx(1 / 3))]
    # replies after 0 (R5), 2 (R2) and 10 days (R3): 3 at risk, one reply each time
    curve = v.curve.select("days", "at_risk", "responded", "waiting").rows()
    assert curve == [(0, 3, 1, pytest.approx(2 / 3)), (2, 2, 1, pytest.approx(1 / 3)), (10, 1, 1, 0.0)]
    assert v.response_time.select("requests", "responded", "median_days").row(0) == (3, 3, 2)
    mix = dict(v.outcome_mix.select("case_outcome", "cases").rows())
    assert mix == {"suspect_identified": 1, "closed_no_suspect": 1, "open": 1}


def test_update_censors_at_the_logs_date_whatever_the_selection(tables) -> None:
    v = update(tables, Selection(crime_types=("hacking",)))  # R3 (reply after 10 days) and R4 (none)
    assert v.answered.select("requests", "answered").row(0) == (2, 0)
    rows = v.curve.select("days", "at_risk", "responded", "censored", "waiting").rows()
    # R4, asked on 15 February, still waiting on 1 May: censored after 75 days
    assert rows == [(0, 2, 0, 0, 1.0), (10, 2, 1, 0, 0.5), (75, 1, 0, 1, 0.5)]


def test_the_views_are_the_reports_numbers(tables, log) -> None:
    report = outcome_report(str(log), start="2021-01-05", end="2021-03-31", platforms=["Google"])
    v = update(tables, GOOGLE_Q1)
    assert v.answered.row(0) == report.answered.row(0)
    assert v.curve.equals(report.time_to_response_total)
    said = view_sentences(tables, v)
    assert said["answered"] == "The platforms together answered 2 of 3 requests (66.7%, 95% CI 20.8–93.9%)."
    assert said["selection"].startswith("This selection holds 3 requests to Google from 5 January 2021 to 31 March 2021")


def test_an_empty_selection_says_so(tables) -> None:
    v = update(tables, Selection(start=dt.date(2021, 4, 1), platforms=("Meta",)))
    assert v.selected == 0 and v.top_agencies.height == 0
    assert view_sentences(tables, v)["answered"] == "There are no requests in this selection, so there is no answered share."


def test_small_counts_are_hidden_under_a_sharing_threshold(tables) -> None:
    v = update(tables, GOOGLE_Q1, suppress_below=2)
    # 2 answered of 3: the one unanswered request is below 2, so the share would give it away
    assert v.answered["answered_share"][0] is None and v.answered["answered_hidden"][0] == "withheld"
    assert v.top_agencies.filter(pl.col("agency") == "Agency B")["requests"][0] is None
    assert v.outcome_mix["cases"].null_count() == 3
    said = view_sentences(tables, v)
    assert "withheld to protect small counts" in said["answered"]
    assert "1" not in said["curve"].split(".")[0]  # no count of 1 in the response-time sentence


def test_brushed_days_and_clicked_platforms() -> None:
    day = 86_400_000
    jan5, mar31 = 18_632 * day, 18_717 * day  # 2021-01-05 and 2021-03-31 at midnight UTC
    assert brushed_days({"period_start": [jan5 + 3_600_000, mar31 + 7_200_000]}, "period_start") == (
        dt.date(2021, 1, 5), dt.date(2021, 3, 31))
    assert brushed_days({"period_start": [mar31, jan5]}, "period_start") == (dt.date(2021, 1, 5), dt.date(2021, 3, 31))
    assert brushed_days({}, "period_start") == (None, None)
    assert clicked([{"platform": "Telegram"}, {"platform": "Google"}], "platform") == ("Google", "Telegram")
    assert clicked([], "platform") == ()


def test_a_selection_of_crime_types_cannot_become_a_report() -> None:
    with pytest.raises(ParameterError, match="crime_types: the reports take no crime type selection"):
        Selection(crime_types=("fraud",)).parameters()
    with pytest.raises(ParameterError, match="starts on 2021-03-01 after it ends on 2021-01-01"):
        Selection(start=dt.date(2021, 3, 1), end=dt.date(2021, 1, 1))


def test_a_bad_name_writes_nothing(tables, tmp_path) -> None:
    config = tmp_path / "reports.toml"
    with pytest.raises(CoopAnalysisError, match="must be lower-case"):
        to_report(tables, GOOGLE_Q1, "Not A Name", config=config, run=False)
    assert not config.exists() and list(tmp_path.iterdir()) == []


def test_a_view_becomes_a_report(tables, log, tmp_path) -> None:
    config = tmp_path / "reports.toml"
    config.write_text('timeout = 600\n', encoding="utf-8")
    made = to_report(tables, GOOGLE_Q1, "google_q1", config=config, out_dir=tmp_path / "out")
    entry = tomllib.loads(config.read_text(encoding="utf-8"))["reports"][0]
    assert entry["name"] == "google_q1" and entry["notebook"].endswith("case_outcomes.ipynb")
    assert entry["parameters"] == {"data": str(log.resolve()), "start": "2021-01-05", "end": "2021-03-31",
                                   "platforms": ["Google"], "agencies": [], "period": "quarter"}
    assert made.outcome.exit_code == 0 and made.entry["status"] == "ok"
    page = made.page.read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    assert "The platforms together answered 2 of 3 requests (66.7%, 95% CI 20.8–93.9%)." in text
    with pytest.raises(CoopAnalysisError, match="google_q1"):
        to_report(tables, GOOGLE_Q1, "google_q1", config=config, run=False)  # a second entry of that name
