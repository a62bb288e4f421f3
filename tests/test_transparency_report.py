"""Transparency transforms, reconciliation, parameter checks, charts and the report notebook."""

from __future__ import annotations

import datetime as dt
import json

import nbformat
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from coopanalysis.core.names import PLATFORM_NAMES, platform_name
from coopanalysis.errors import ParameterError
from coopanalysis.paths import NOTEBOOKS_DIR
from coopanalysis.io.published import knpa_yearly_requests
from coopanalysis.io.transparency import TRANSPARENCY_SCHEMA, load_transparency
from coopanalysis.present import transparency_charts as charts, transparency_tables, transparency_text
from coopanalysis.publish.transparency import hide_position, hide_small
from coopanalysis.transforms import reconcile, transparency as summaries
from coopanalysis.io.transparency.base import finish
from coopanalysis.reports.transparency import TransparencyReport, check_report_parameters, transparency_report

D = dt.date


def tiny(rows: list[dict]) -> pl.LazyFrame:
    """A transparency table from a few literal rows (absent columns null, flags defaulted)."""
    keys = sorted({k for r in rows for k in r})
    schema = {k: TRANSPARENCY_SCHEMA[k] for k in keys}
    return pl.LazyFrame(rows, schema=schema).pipe(finish)


H1, H2 = (D(2021, 1, 1), D(2021, 6, 30)), (D(2021, 7, 1), D(2021, 12, 31))


def row(provider, country, period, process, requests, share=None, **extra):
    return {"provider": provider, "country": country, "period_start": period[0], "period_end": period[1],
            "legal_process": process, "requests": requests, "answered_share": share, **extra}


def test_countable_requests_drops_preservation_elsewhere_and_non_user_data():
    lf = tiny([
        row("g", "KR", H1, "legal", 10),
        row("g", "KR", H1, "preservation", 5),
        row("g", "KR", H1, "legal", 7, counted_elsewhere=True),
        row("a", "KR", H1, "legal", 3, user_data=False),
    ])
    assert summaries.countable_requests(lf).collect()["requests"].to_list() == [10]


def test_total_requests_weights_share_and_keeps_unknown_null():
    lf = tiny([
        row("g", "KR", H1, "legal", 100, 0.9),
        row("g", "KR", H1, "emergency", 300, 0.5),
        row("t", "KR", H1, "all", None, None, answered=4),
    ])
    out = summaries.total_requests(lf, by=["provider"]).sort("provider").collect()
    expected = pl.DataFrame({
        "provider": ["g", "t"],
        "requests": [400, None],
        "requests_low": [400, None],
        "requests_high": [400, None],
        "answered": [None, 4],
        "answered_share": [0.6, None],  # (100*0.9 + 300*0.5) / 400
        "rows": [2, 1],
    }, schema_overrides={"rows": pl.UInt32})
    assert_frame_equal(out, expected, check_dtypes=False)


def test_yearly_totals_full_year_only_when_covered():
    lf = tiny([
        row("g", "KR", H1, "legal", 10),
        row("g", "KR", H2, "legal", 20),
        row("m", "KR", H1, "legal", 5),
    ])
    out = summaries.yearly_totals(lf, by=["provider"]).select("provider", "year", "requests", "days_covered", "full_year")
    expected = pl.DataFrame({"provider": ["g", "m"], "year": [2021, 2021], "requests": [30, 5],
                             "days_covered": [365, 181], "full_year": [True, False]})
    assert_frame_equal(out.collect(), expected, check_dtypes=False)


def test_telegram_before_after_and_phases():
    lf = tiny([
        {"provider": "Telegram", "country": "KR", "period_start": D(2024, 1, 1), "period_end": D(2024, 9, 30),
         "legal_process": "all", "answered": 0, "accounts": 0},
        {"provider": "Telegram", "country": "KR", "period_start": D(2024, 10, 1), "period_end": D(2024, 12, 31),
         "legal_process": "all", "answered": 270, "accounts": 658},
    ])
    ba = summaries.telegram_before_after(lf, country="KR")
    got = summaries.telegram_phase_summary(ba).collect()
    expected = pl.DataFrame({"phase": ["before", "after"], "period_days": [274, 92], "fulfilled": [0, 270],
                             "affected_users": [0, 658], "fulfilled_per_30_days": [0.0, 270 * 30 / 92]})
    assert_frame_equal(got, expected, check_dtypes=False)
    text = transparency_text.telegram_sentence(got, country="KR")
    assert "Telegram fulfilled 0 requests from South Korea in 274 days; since then 270 in 92 days" in text
    assert "(88.0 per 30 days against 0.0)" in text
    hidden = hide_small(got, threshold=300, by=["phase"])
    text = transparency_text.telegram_sentence(hidden, country="KR")
    assert "number fewer than 300; the comparison is withheld" in text and "270" not in text


def test_emergency_and_legal_share():
    lf = tiny([row("m", "KR", H1, "legal", 30), row("m", "KR", H1, "emergency", 10),
               row("m", "KR", H2, "legal", 50), row("m", "KR", H2, "emergency", 10)])
    out = summaries.emergency_and_legal(lf, country="KR", providers=["m"], start=D(2021, 1, 1), end=D(2021, 12, 31))
    expected = pl.DataFrame({"provider": ["m"], "year": [2021], "legal": [80], "emergency": [20],
                             "emergency_share": [0.2]})
    assert_frame_equal(out.collect(), expected, check_dtypes=False)


def test_country_ranking_and_position():
    lf = tiny([row("g", "KR", H1, "legal", 10), row("g", "US", H1, "legal", 50), row("g", "JP", H1, "legal", 10)])
    out = summaries.country_ranking(lf, provider="g", start=D(2021, 1, 1), end=D(2021, 12, 31)).collect()
    assert out.select("rank", "country", "requests").rows() == [(1, "US", 50), (2, "JP", 10), (3, "KR", 10)]
    pos = summaries.country_position(lf, provider="g", country="KR", start=D(2021, 1, 1), end=D(2021, 12, 31))
    assert (pos["rank"], pos["countries"], pos["requests"]) == (3, 3, 10)


# ------------------------------------------------------------------ reconciliation


def agency_rows(rows):
    return pl.LazyFrame(rows, schema={"country": pl.String, "agency": pl.String, "period_start": pl.Date,
                                      "period_end": pl.Date, "requests": pl.Int64, "answered_share": pl.Float64})


def test_reconcile_tiny():
    lf = tiny([
        row("Google", "KR", H1, "legal", 100), row("Google", "KR", H2, "legal", 200),
        row("Meta", "KR", H1, "legal", 50),  # half a year only: left out, named in the note
        row("Google", "KR", H1, "preservation", 999),
        {"provider": "Telegram", "country": "KR", "period_start": D(2021, 1, 1), "period_end": D(2021, 12, 31),
         "legal_process": "all", "answered": 7},
    ])
    agency = agency_rows([
        {"country": "KR", "agency": "Police", "period_start": D(2021, 1, 1), "period_end": D(2021, 12, 31),
         "requests": 250, "answered_share": None},
        {"country": "JP", "agency": "Other", "period_start": D(2021, 1, 1), "period_end": D(2021, 12, 31),
         "requests": 1, "answered_share": None},
    ])
    out = reconcile.reconcile_yearly(lf, agency, country="KR").collect()
    assert out.height == 1  # the JP agency row is not compared with KR providers
    r = out.row(0, named=True)
    assert (r["agency_requests"], r["providers_requests"], r["difference"]) == (250, 300, -50)
    assert r["providers_included"] == "Google" and r["providers_not_full_year"] == "Meta"
    assert r["telegram_fulfilled"] == 7
    assert r["providers_to_agency"] == pytest.approx(1.2)
    assert "every authority of the country" in r["note"]
    assert "only part of the year: Meta" in r["note"]
    assert "Telegram publishes only fulfilled requests (7)" in r["note"]
    assert "providers report more requests than the agency sent" in r["note"]


def test_reconcile_kr_real_data():
    table = load_transparency()
    out = reconcile.reconcile_yearly(table, knpa_yearly_requests(), country="KR", providers=["Google", "Meta"]).collect()
    y2022 = out.filter(pl.col("year") == 2022).row(0, named=True)
    # KNPA 2022: 10,166 (npa_overseas_it_requests_press.csv). Google KR 2022: 157+3279+210+4182 = 7,828
    # (google-global-user-data-requests.csv); Meta KR 2022: 785+380 + 953+393 = 2,511 (PRPL 2022_H1/H2).
    assert (y2022["agency_requests"], y2022["providers_requests"]) == (10166, 7828 + 2511)
    assert y2022["providers_included"] == "Google, Meta"
    y2023 = out.filter(pl.col("year") == 2023).row(0, named=True)
    # Google and Meta publish only 2023 H1 here: no provider total for 2023.
    assert y2023["providers_requests"] is None and y2023["providers_not_full_year"] == "Google, Meta"
    partial = out.filter(pl.col("agency_period").str.contains(r"\.\.")).row(0, named=True)
    assert partial["agency_period"] == "2024-01-01..2024-07-31" and partial["difference"] is None
    values = reconcile.reconciliation_summary(out)
    assert values["year"] == 2022 and values["providers_requests"] == 10339
    text = transparency_text.reconciliation_sentence(out, country="KR")
    assert text.startswith("In 2022, ") and "sending 10,166 requests" in text and "receiving 10,339 from South Korea" in text
    assert "(Google, Meta)" in text and "101.7% of the agency's figure" in text


def test_reconcile_other_country_has_no_agency_rows():
    out = reconcile.reconcile_yearly(load_transparency(), knpa_yearly_requests(), country="US").collect()
    assert out.is_empty()
    assert reconcile.reconciliation_summary(out) is None
    text = transparency_text.reconciliation_sentence(out, country="US")
    assert text == "No year has both an agency figure and a full year of provider reports for United States of America."
    assert transparency_text.reconciliation_reasons(out) == ""


# ---------------------------------------------------------------------- parameters


def test_parameters_normalised():
    sel = check_report_parameters(country="kr", providers=["Google", "telegram", "구글"], start="2020-01-01", end="",
                                  ranking_provider="twitter")
    assert (sel.country, sel.providers, sel.start) == ("KR", ["Google", "Telegram", "Google"], D(2020, 1, 1))
    assert sel.end >= D(2025, 12, 31) and sel.ranking_provider == "X"


def test_unknown_provider_lists_valid_values():
    with pytest.raises(ParameterError) as err:
        check_report_parameters(country="KR", providers=["tiktok"], start="", end="")
    message = str(err.value)
    assert "'tiktok'" in message and "'Telegram'" in message and "'Google'" in message and "'AT&T'" in message


def test_unknown_country_lists_valid_codes():
    with pytest.raises(ParameterError, match=r"country: unknown 'KOR'.*KR, KW"):
        check_report_parameters(country="KOR", providers=[], start="", end="")


def test_bad_dates_and_ranking_provider():
    with pytest.raises(ParameterError, match="start must be a date"):
        check_report_parameters(country="KR", providers=[], start="2021/13/01", end="")
    with pytest.raises(ParameterError, match="empty date range"):
        check_report_parameters(country="KR", providers=[], start="2022-01-01", end="2021-01-01")
    with pytest.raises(ParameterError, match="ranking_provider: unknown 'bing'"):
        check_report_parameters(country="KR", providers=[], start="", end="", ranking_provider="bing")


# ------------------------------------------------------------------------- charts


def test_charts_carry_aggregated_data_and_tooltips():
    table = load_transparency()
    over = summaries.requests_over_time(table, country="KR", providers=["Google", "X"],
                                        start=D(2017, 1, 1), end=D(2017, 6, 30)).collect()
    spec = charts.chart_requests_over_time(over, country="KR").to_dict()
    data = next(iter(spec["datasets"].values()))
    by_provider = {d["provider"]: d for d in data}
    # Google KR 2017 H1: 3 + 486 (preservation 1 left out); X: 75 (information-requests-report-jan-jun-2017.csv).
    assert by_provider["Google"]["requests"] == 489 and by_provider["X"]["requests"] == 75
    assert "tooltip" in json.dumps(spec)
    empty = charts.chart_reconciliation(
        reconcile.reconcile_yearly(table, knpa_yearly_requests(), country="US").collect(), country="US"
    ).to_dict()
    assert "datasets" not in empty or all(len(v) == 0 for v in empty["datasets"].values())


def test_chart_rejects_wrong_input():
    with pytest.raises(ValueError, match="requests_low"):
        charts.chart_requests_over_time(pl.DataFrame({"provider": ["g"]}), country="KR")


# ----------------------------------------------------------------------- notebook

NOTEBOOK = NOTEBOOKS_DIR / "transparency.ipynb"


def test_notebook_defaults_name_providers_as_the_reports_do():
    """Thinness is checked for every notebook in tests/test_notebooks.py; here, the one naming."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params_source = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert '"Google"' in params_source and '"google"' not in params_source


@pytest.mark.slow
def test_notebook_runs_with_papermill(tmp_path):
    import papermill as pm

    out = tmp_path / "transparency.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), kernel_name="coopanalysis", cwd=str(tmp_path),
                        parameters={"country": "KR", "start": "2013-01-01"}, progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    markdown = [o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code"
                for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
    assert any("10,166" in m and "2022" in m for m in markdown)
    assert any("270" in m or "2,371" in m for m in markdown)


@pytest.mark.slow
def test_notebook_stops_on_unknown_provider(tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError, match=r"providers: unknown 'facebok'"):
        pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "bad.ipynb"), kernel_name="coopanalysis",
                            cwd=str(tmp_path), parameters={"providers": ["facebok"]}, progress_bar=False)


# ------------------------------------------------------------------ what readers see


def test_provider_names_are_the_reports_names():
    assert [platform_name(c) for c in ("google", "x", "linkedin", "at&t", "yahoo", "microsoft", "acme")] == [
        "Google", "X", "LinkedIn", "AT&T", "Yahoo", "Microsoft", "acme"]
    assert [platform_name(c) for c in ("Google", " 구글 ", "Twitter", "CloudFlare", "CREDO")] == [
        "Google", "Google", "X", "Cloudflare", "CREDO Mobile"]
    # every provider in the bundled reports is named as in the request logs, and none is all lower case
    names = load_transparency().select("provider").unique().collect()["provider"].to_list()
    assert all(n in PLATFORM_NAMES.values() and platform_name(n) == n for n in names), names
    assert all(n != n.lower() for n in names), names


def test_charts_and_sentences_name_providers_for_readers():
    table = load_transparency()
    over = summaries.requests_over_time(table, country="KR", providers=["Google", "X"],
                                        start=D(2017, 1, 1), end=D(2017, 6, 30)).collect()
    spec = charts.chart_requests_over_time(over, country="KR").to_dict()
    data = next(iter(spec["datasets"].values()))
    assert {d["provider"] for d in data} == {"Google", "X"}
    assert spec["vconcat"][0]["layer"][0]["encoding"]["color"]["field"] == "provider"
    assert spec["vconcat"][0]["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["Google", "X"]
    ranking = summaries.country_ranking(table, provider="Google", start=D(2017, 1, 1), end=D(2017, 12, 31)).collect()
    assert charts.chart_country_ranking(ranking, provider="Google").to_dict()["title"]["text"] == (
        "Countries with the most requests to Google")
    position = summaries.country_position(table, provider="Google", country="KR", start=D(2017, 1, 1),
                                          end=D(2017, 12, 31))
    text = transparency_text.ranking_sentence(position, start=D(2017, 1, 1), end=D(2017, 12, 31))
    assert text.startswith("Between 1 January 2017 and 31 December 2017, South Korea sent Google ")
    assert f"{position['requests']:,} requests, rank {position['rank']} of {position['countries']}" in text
    hidden = hide_position({**position, "requests": 3}, threshold=10)
    assert hidden["requests"] is None and hidden["requests_hidden"] == "<10"
    text = transparency_text.ranking_sentence(hidden, start=D(2017, 1, 1), end=D(2017, 12, 31))
    assert text.endswith("South Korea sent Google fewer than 10 requests.") and "rank" not in text
    none = transparency_text.ranking_sentence({**position, "rank": None, "requests": None}, start=D(2017, 1, 1),
                                              end=D(2017, 12, 31))
    assert none == "Google reports no requests from South Korea between 1 January 2017 and 31 December 2017."


def test_reconciliation_table_and_reasons_for_readers():
    out = reconcile.reconcile_yearly(load_transparency(), knpa_yearly_requests(), country="KR",
                                     providers=["Google", "Meta"]).collect()
    shown = transparency_tables.reconciliation_table(out)
    assert shown.columns == ["Year", "Agency reports sending", "Providers report receiving", "Providers ÷ agency",
                             "Providers counted"]
    y2022 = shown.filter(pl.col("Year") == "2022").row(0, named=True)
    # 7,828 + 2,511 = 10,339 of 10,166 → 101.7%
    assert (y2022["Providers report receiving"], y2022["Providers counted"]) == (10339, "Google, Meta")
    assert y2022["Providers ÷ agency"] == pytest.approx(10339 / 10166)
    assert "2024 (1 Jan–31 Jul)" in shown["Year"].to_list()
    from coopanalysis.present.display import table_html

    assert '<td class="num">101.7%</td>' in table_html(shown) and '<td>2022</td>' in table_html(shown)
    text = transparency_text.reconciliation_reasons(out)
    assert text.count("every authority of the country") == 1 and text.startswith(reconcile.SCOPE_NOTE)
    assert "only part of the year: Google, Meta" in text and "meta" not in text
    assert "2023: No provider's report covers the whole year" in text
    assert "2024 (1 Jan–31 Jul): The agency figure covers only 1 Jan to 31 Jul 2024" in text


def test_tables_for_readers_have_human_headers_and_names():
    from coopanalysis.io.transparency import validation_table
    from coopanalysis.present.transparency_tables import for_readers

    assert for_readers(validation_table()).columns == ["File", "Rows read", "Rows kept", "Rows set aside",
                                                       "Why set aside"]
    lf = tiny([row("Google", "KR", H1, "legal", 100), row("Google", "KR", H2, "legal", 200)])
    shown = for_readers(summaries.provider_years(lf, country="KR").collect())
    # bounds equal to the requests on every row and bookkeeping columns are left out
    assert shown.columns == ["Provider", "Year", "Requests", "Answered", "Answered share", "Whole year covered"]
    assert shown.row(0)[:3] == ("Google", 2021, 300)


# ------------------------------------------------------------------------ the facade


def test_transparency_report_computes_every_frame():
    report = transparency_report(country="kr", providers=["google", "메타"], start="2013-01-01", end="",
                                 ranking_provider="구글")
    assert isinstance(report, TransparencyReport)
    assert (report.country, report.providers, report.ranking_provider) == ("KR", ["Google", "Meta"], "Google")
    assert set(report.over_time["provider"]) == {"Google", "Meta"}
    assert report.validation.columns == ["file", "rows_read", "rows_kept", "rows_rejected", "reasons"]
    assert report.position["country"] == "KR" and report.position["rank"] is not None
    assert report.ranking.height == 15 and report.emergency.height > 0 and report.phases.height == 2
    y2022 = report.reconciliation.filter(pl.col("year") == 2022).row(0, named=True)
    assert y2022["providers_requests"] == 10339
    figure = report.reconciliation_figure
    assert figure["unit"] == "share" and figure["value"] == pytest.approx(10339 / 10166)
    with pytest.raises(AttributeError):
        report.country = "US"  # frozen


def test_transparency_report_hides_small_counts():
    report = transparency_report(country="KR", providers=["Google", "Meta", "Telegram"], suppress_below=3000)
    assert "requests_hidden" in report.over_time.columns and report.over_time["requests"].null_count() > 0
    assert "fulfilled_hidden" in report.telegram.columns
    assert report.phases["fulfilled"].null_count() == 2  # 0 before, 2,371 after: both withheld
    text = transparency_text.telegram_sentence(report.phases, country=report.country)
    assert "fewer than 3000" in text and "2,371" not in text
    shown = transparency_tables.for_readers(report.phases)
    assert shown["Fulfilled requests"].to_list() == ["<3000", "<3000"]


def test_transparency_report_checks_its_parameters():
    with pytest.raises(ParameterError, match=r"providers: unknown 'facebok'"):
        transparency_report(providers=["facebok"])
    with pytest.raises(ParameterError, match="suppress_below must be a whole number"):
        transparency_report(suppress_below=-1)
    with pytest.raises(ParameterError, match="ranking_provider: unknown 'bing'"):
        transparency_report(ranking_provider="bing")
