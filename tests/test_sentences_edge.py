"""Every sentence the reports print, over edge cases: no requests, one request, a single full year,
a partial year, a small selection whose counts are all hidden, with suppression off (0) and on (10).

Each sentence must read as written text (no "None", no "nan", no doubled word, no empty slot), agree
in number ("1 request", "1 … was"), never say "withheld" when nothing is hidden, and state the
numbers its page's tables show."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from coopanalysis.core.names import CODE_LABELS
from coopanalysis.paths import DATA_DIR
from coopanalysis.present import narrative, tables, transparency_tables, transparency_text
from coopanalysis.present.narrative import answers as answer_text
from coopanalysis.present.narrative import outcomes as outcome_text
from coopanalysis.present.narrative.template import Hidden, SentenceError, check_text, sentence
from coopanalysis.reports import figures, growth, outcomes, transparency, volumes

D = dt.date
SAMPLE = DATA_DIR / "sample" / "requests_synthetic.csv"
CASES = {
    # name: (rows of the bundled sample kept, start, end)
    "no requests": (lambda df: df.filter(pl.col("requested_on").str.starts_with("2020-01-01")), "2020-02-01",
                    "2020-03-01"),
    "one request": (lambda df: df.head(1), "", ""),
    "a single full year": (lambda df: df.filter(pl.col("requested_on").str.starts_with("2022")), "", ""),
    "a partial year": (lambda df: df.filter(pl.col("requested_on").str.starts_with("2025")), "", ""),
    # 60 requests of one station in 2020: Google 22, Meta 23, the rest below 10
    "a small selection": (lambda df: df.filter(pl.col("agency") == "Seoul Gangnam Police Station").head(60), "", ""),
}
CODES = [code for codes in CODE_LABELS.values() for code in codes if "_" in code]
AGREEMENT = [
    re.compile(r"(?<![\d,.])1 (requests|cases|days|rows|responses)\b"),  # "1 cases"
    re.compile(r"(?<![\d,.])1 (\([^)]*\) )?were\b"),  # "1 (25.0% of all requests) were"
    re.compile(r"\ba withheld number (requests|cases)\b"),  # "a withheld number requests"
]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str, str]]:
    """Each edge case as a small CSV cut from the bundled sample, with its start and end."""
    sample = pl.read_csv(SAMPLE, infer_schema=False)
    folder = tmp_path_factory.mktemp("edge")
    out = {}
    for name, (rows, start, end) in CASES.items():
        path = folder / (name.replace(" ", "_") + ".csv")
        rows(sample).write_csv(path)
        out[name] = (path, start, end)
    return out


def page_sentences(path: Path, start: str, end: str, k: int) -> dict[str, str]:
    """Every sentence the three request-log notebooks print, by the function that writes it."""
    kw = {"start": start, "end": end, "suppress_below": k}
    v, g, o = (volumes.volume_report(str(path), period="month", **kw), growth.growth_report(str(path), **kw),
               outcomes.outcome_report(str(path), **kw))
    years = [d.year for d in g.yearly["period_start"]] or [2021]
    return {
        "input_summary": narrative.input_summary(v.input), "selection": narrative.selection_sentence(v.input),
        "volumes": narrative.volumes_sentence(v.volumes, v.by_platform, v.by_period),
        "top": narrative.top_sentence(v.top_agencies), "latest_growth": narrative.latest_growth_sentence(v.growth),
        "cagr (volumes)": narrative.cagr_sentence(v.cagr), "projection": narrative.projection_sentence(v.projection),
        "growth_range": narrative.growth_range_sentence(g.yearly),
        **{f"growth_for_year {y}": narrative.growth_for_year(g.yearly, y) for y in (years[0], years[-1], 2021)},
        "cagr": narrative.cagr_sentence(g.cagr), "partial_year": narrative.partial_year_sentence(g.yearly),
        "projection (growth)": narrative.projection_sentence(g.projection),
        **{f"cagr by {by}": narrative.cagr_sentence(g.cagr_by[by], name=g.cagr_by[by][by][0], column=by)
           for by in ("platform", "crime_type") if g.cagr_by[by].height},
        "answered_total": narrative.answered_total_sentence(o.answered),
        "answered_by_platform": narrative.answered_sentences(o.answered_by_platform),
        "censoring": answer_text.censoring_sentence(o.as_of, given=o.as_of_given),
        "response_time": narrative.response_time_sentence(o.response_time_total),
        "slowest": narrative.slowest_sentence(o.response_times),
        "incidence": answer_text.incidence_sentence(o.reply_incidence_total, o.time_to_response_total),
        "outcome_mix": narrative.outcome_sentence(o.outcome_mix),
        "cohort": outcome_text.cohort_sentence(o.outcome_by_year),
        "funnel": narrative.funnel_sentence(o.funnel, o.identified),
        "untraceable": narrative.untraceable_sentence(o.untraceable),
        "outcome_mix by crime type": narrative.outcome_sentence(o.outcome_mix_by_crime_type),
    }


def assert_reads_well(texts: dict[str, str], *, k: int) -> None:
    for name, text in texts.items():
        check_text(text)  # no None / nan, no doubled word, no empty slot
        for pattern in AGREEMENT:
            assert not pattern.search(text), f"{name}: {text!r}"
        assert not [c for c in CODES if c in text], f"{name} shows a raw code: {text!r}"
        if k == 0:
            assert "withheld" not in text and "small counts" not in text, f"{name}: {text!r}"


@pytest.mark.parametrize("k", [0, 10])
@pytest.mark.parametrize("case", list(CASES))
def test_every_sentence_reads_well(logs, case: str, k: int) -> None:
    texts = page_sentences(*logs[case], k)
    assert_reads_well(texts, k=k)
    if case == "no requests":
        assert texts["selection"].startswith("No requests match this selection")
        assert texts["answered_total"] != texts["answered_by_platform"]  # not the same sentence twice
    if case in ("a single full year", "a partial year"):
        assert texts["cagr"].startswith("No average annual growth for requests: ")
    if case == "a partial year":
        assert texts["cagr"].startswith("No average annual growth for requests: no full calendar year in this selection.")


def test_the_projection_basis_agrees_in_number(logs) -> None:
    v = volumes.volume_report(str(logs["one request"][0]))
    text = narrative.projection_sentence(v.projection)
    assert "(1 day observed, scaled to 366" in text and "1 days" not in text


def test_suppressed_platforms_are_not_said_to_be_too_small(logs) -> None:
    """Platforms with 20 or more requests whose shares are hidden are left out of the comparison:
    the sentence says so instead of claiming that no platform has 20 requests."""
    o = outcomes.outcome_report(str(logs["a small selection"][0]), suppress_below=10)
    shown = outcomes.outcome_report(str(logs["a small selection"][0]))
    assert shown.untraceable.filter(pl.col("requests") >= 20).height >= 1
    if o.untraceable.filter(pl.col("requests") >= 20).height == 0:
        assert narrative.untraceable_sentence(o.untraceable) == (
            "No platform whose shares are shown has 20 requests or more; the platforms left out have their answered "
            "or suspended share withheld to protect small counts.")


def test_sentences_state_the_numbers_of_the_tables() -> None:
    g = growth.growth_report("")
    table = tables.growth_rows(g.yearly)
    latest = table.row(table.height - 1, named=True)
    text = narrative.latest_growth_sentence(g.yearly)
    assert f"there were {latest['Requests']:,} requests against {latest['A year earlier']:,}" in text
    assert f"grew {latest['Growth'].lstrip('+')}" in text  # "+0.2%" in the table, "grew 0.2%" in the sentence
    cagr = tables.cagr_rows(g.cagr).row(0, named=True)
    assert (f"(compound; {cagr['Requests in the first year']:,} to {cagr['Requests in the last year']:,})"
            in narrative.cagr_sentence(g.cagr))
    o = outcomes.outcome_report("")
    by = tables.share_rows(o.answered_by_platform, by="platform").sort("Share").row(0, named=True)
    assert narrative.answered_sentences(o.answered_by_platform).startswith(
        f"{by['Platform']} answered {by['Answered']:,} of {by['Requests']:,} requests ({by['Share']}, 95% CI {by['95% CI']}).")
    stages = dict(o.funnel.select("stage", "cases").iter_rows())
    assert narrative.funnel_sentence(o.funnel).startswith(
        f"Of {stages['requested']:,} requests, {stages['answered']:,} ")


def test_the_ranking_states_the_dates_its_provider_covers() -> None:
    """Google's reports end on 30 June 2023; the sentence must not borrow the end of Telegram's file."""
    for k in (0, 10):
        r = transparency.transparency_report(country="KR", providers=["Google", "Meta", "Telegram"],
                                             start="2013-01-01", suppress_below=k)
        google = r.over_time.filter(pl.col("provider") == "Google")
        assert r.end > google["period_end"].max()  # the report's end comes from another provider
        text = transparency_text.ranking_sentence(r.position, start=r.start, end=r.end, periods=r.over_time)
        assert text.startswith("Between 1 January 2013 and 30 June 2023 (the periods of Google's reports), South Korea sent "
                               "Google ")
        check_text(text)
        for t in (transparency_text.telegram_sentence(r.phases, country=r.country),
                  transparency_text.reconciliation_sentence(r.reconciliation, country=r.country),
                  transparency_text.reconciliation_reasons(r.reconciliation)):
            check_text(t)
            assert k > 0 or "withheld" not in t
        phases = transparency_tables.for_readers(r.phases)
        assert phases[phases.columns[0]].to_list() == ["Before the change", "After the change"]


def test_tables_show_words_for_codes_and_counts_as_counts() -> None:
    g = growth.growth_report("", platforms=["Telegram"])
    by_crime = tables.cagr_rows(g.cagr_by["crime_type"], by="crime_type")
    assert "Cyber sexual violence" in by_crime["Crime type"].to_list()
    assert not any("_" in v for v in by_crime["Crime type"].to_list())
    assert "First year" not in by_crime.columns and "Requests in the first year" in by_crime.columns
    from coopanalysis.present.display import table_html

    html = table_html(tables.cagr_rows(growth.growth_report("").cagr_by["platform"], by="platform"))
    assert "<td class=\"num\">3,179</td>" in html  # a count, not a year ("3179")
    yearly = tables.growth_rows(g.yearly)
    small = yearly.filter(pl.col("Period") == "2025 (1 Jan–30 Jun)").row(0, named=True)
    assert (small["Growth"], small["A year earlier"]) == ("+2900.0%", 8)
    assert small["Note"] == "small base: fewer than 20 requests, the rate says little"
    big = yearly.filter(pl.col("Period") == "2024").row(0, named=True)
    assert (big["A year earlier"], big["Note"]) == (20, "")


def test_growth_headlines_name_their_base_and_flag_a_small_one() -> None:
    g = growth.growth_report("", platforms=["Telegram"])
    figure = figures.latest_growth_figure(g.yearly)
    assert figure == {"value": 29.0, "unit": "growth", "base": 8, "label": (
        "Year-over-year growth, 2025 (1 Jan–30 Jun), against 8 requests a year earlier (small base: the rate says "
        "little)")}
    assert "+2900.0%" in narrative.growth_range_sentence(g.yearly)
    assert "on a base of only 8 requests, a rate that says little" in narrative.latest_growth_sentence(g.yearly)
    from coopanalysis.present.display import headline_payload

    assert headline_payload("latest_yoy_growth", **figure)["base"] == 8
    assert "base" not in headline_payload("answered_share", 0.8, unit="share")
    with pytest.raises(ValueError, match="base must be a count"):
        headline_payload("g", 0.1, unit="growth", base=7.5)
    whole = figures.growth_figure(growth.growth_report("").yearly, year=2021)
    assert whole["label"] == "Year-over-year growth, 2021, against 7,560 requests a year earlier"
    assert whole["base"] == 7560


def test_sentence_template_writes_slots_by_type_and_refuses_what_cannot_be_written() -> None:
    assert sentence("{n:count/request}, {m:count/request}, {c:count/case}", n=1, m=2, c=0) == "1 request, 2 requests, 0 cases"
    assert sentence("{n:count/request}; {h:count/request}", n=Hidden("<10"), h=Hidden("withheld")) == (
        "fewer than 10 requests; a withheld number of requests")
    assert sentence("{a:count} {x:were}, {b:count} {y:were}", a=1, x=1, b=3, y=3) == "1 was, 3 were"
    assert sentence("{p:share} {g:signed} {c:change} {d:date} {y:year}", p=0.0001, g=-0.118532, c=0.689,
                    d=D(2023, 6, 30), y=2021) == "<0.1% −11.9% grew 68.9% 30 June 2023 2021"
    with pytest.raises(SentenceError, match="is None"):
        sentence("{n:count}", n=None)
    with pytest.raises(SentenceError, match="not a finite number"):
        sentence("{p:share}", p=float("nan"))
    with pytest.raises(SentenceError, match="has no value"):
        sentence("{n:count}")
    with pytest.raises(SentenceError, match="repeats the word 'requests'"):
        sentence("{n:count/request} requests", n=3)
    with pytest.raises(SentenceError, match="missing value"):
        check_text("No average annual growth for requests: None.")
    with pytest.raises(SentenceError, match="empty slot"):
        sentence("Requests to{who:text}.", who=" ")
