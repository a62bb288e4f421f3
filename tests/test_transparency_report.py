"""Transparency transforms, reconciliation, parameter checks, charts and the report notebook."""

from __future__ import annotations

import ast
import datetime as dt
import json

import nbformat
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from coopanalysis.errors import ParameterError
from coopanalysis.paths import NOTEBOOKS_DIR
from coopanalysis.io.published import knpa_yearly_requests
from coopanalysis.io.transparency import TRANSPARENCY_SCHEMA, load_transparency
from coopanalysis.present import transparency_charts as charts
from coopanalysis.transforms import reconcile, transparency as summaries
from coopanalysis.io.transparency.base import finish
from coopanalysis.reports.transparency import check_report_parameters

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
        {"provider": "telegram", "country": "KR", "period_start": D(2024, 1, 1), "period_end": D(2024, 9, 30),
         "legal_process": "all", "answered": 0, "accounts": 0},
        {"provider": "telegram", "country": "KR", "period_start": D(2024, 10, 1), "period_end": D(2024, 12, 31),
         "legal_process": "all", "answered": 270, "accounts": 658},
    ])
    ba = summaries.telegram_before_after(lf, country="KR")
    got = summaries.telegram_phase_summary(ba).collect()
    expected = pl.DataFrame({"phase": ["before", "after"], "days": [274, 92], "fulfilled": [0, 270],
                             "affected_users": [0, 658], "fulfilled_per_30_days": [0.0, 270 * 30 / 92]})
    assert_frame_equal(got, expected, check_dtypes=False)
    template, values = summaries.telegram_sentence(got, country="KR")
    assert values["after"] == 270 and values["before"] == 0 and "{after:,}" in template


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
        row("google", "KR", H1, "legal", 100), row("google", "KR", H2, "legal", 200),
        row("meta", "KR", H1, "legal", 50),  # half a year only: left out, named in the note
        row("google", "KR", H1, "preservation", 999),
        {"provider": "telegram", "country": "KR", "period_start": D(2021, 1, 1), "period_end": D(2021, 12, 31),
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
    assert r["providers_included"] == "google" and r["providers_not_full_year"] == "meta"
    assert r["telegram_fulfilled"] == 7
    assert r["providers_to_agency"] == pytest.approx(1.2)
    assert "every authority of the country" in r["note"]
    assert "only part of the year: meta" in r["note"]
    assert "Telegram publishes only fulfilled requests (7)" in r["note"]
    assert "providers report more requests than the agency sent" in r["note"]


def test_reconcile_kr_real_data():
    table = load_transparency()
    out = reconcile.reconcile_yearly(table, knpa_yearly_requests(), country="KR", providers=["google", "meta"]).collect()
    y2022 = out.filter(pl.col("year") == 2022).row(0, named=True)
    # KNPA 2022: 10,166 (npa_overseas_it_requests_press.csv). Google KR 2022: 157+3279+210+4182 = 7,828
    # (google-global-user-data-requests.csv); Meta KR 2022: 785+380 + 953+393 = 2,511 (PRPL 2022_H1/H2).
    assert (y2022["agency_requests"], y2022["providers_requests"]) == (10166, 7828 + 2511)
    assert y2022["providers_included"] == "google, meta"
    y2023 = out.filter(pl.col("year") == 2023).row(0, named=True)
    # Google and Meta publish only 2023 H1 here: no provider total for 2023.
    assert y2023["providers_requests"] is None and y2023["providers_not_full_year"] == "google, meta"
    partial = out.filter(pl.col("agency_period").str.contains(r"\.\.")).row(0, named=True)
    assert partial["agency_period"] == "2024-01-01..2024-07-31" and partial["difference"] is None
    template, values = reconcile.reconciliation_sentence(out, country="KR")
    assert values["year"] == 2022 and values["providers_requests"] == 10339


def test_reconcile_other_country_has_no_agency_rows():
    out = reconcile.reconcile_yearly(load_transparency(), knpa_yearly_requests(), country="US").collect()
    assert out.is_empty()
    template, values = reconcile.reconciliation_sentence(out, country="US")
    assert "No year" in template and values == {"country": "US"}


# ---------------------------------------------------------------------- parameters


def test_parameters_normalised():
    sel = check_report_parameters(country="kr", providers=["Google", "telegram"], start="2020-01-01", end="")
    assert (sel.country, sel.providers, sel.start) == ("KR", ["google", "telegram"], D(2020, 1, 1))
    assert sel.end >= D(2025, 12, 31)


def test_unknown_provider_lists_valid_values():
    with pytest.raises(ParameterError) as err:
        check_report_parameters(country="KR", providers=["tiktok"], start="", end="")
    message = str(err.value)
    assert "'tiktok'" in message and "'telegram'" in message and "'google'" in message


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
    over = summaries.requests_over_time(table, country="KR", providers=["google", "x"],
                                        start=D(2017, 1, 1), end=D(2017, 6, 30)).collect()
    spec = charts.chart_requests_over_time(over, country="KR").to_dict()
    data = next(iter(spec["datasets"].values()))
    by_provider = {d["provider"]: d for d in data}
    # Google KR 2017 H1: 3 + 486 (preservation 1 left out); X: 75 (information-requests-report-jan-jun-2017.csv).
    assert by_provider["google"]["requests"] == 489 and by_provider["x"]["requests"] == 75
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


def test_notebook_is_thin_and_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    lines = [ln for ln in params[0].source.splitlines() if ln.strip()]
    names = [ln.split(":")[0] for ln in lines]
    assert names[:4] == ["country", "providers", "start", "end"] and "data" in names
    assert all("  # " in ln and " = " in ln for ln in lines)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None
            tree = ast.parse(cell.source)
            banned = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Try, ast.ClassDef)
            assert not [n for n in ast.walk(tree) if isinstance(n, banned)], cell.source
            assert "Path(" not in cell.source and "os.path" not in cell.source


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


def test_provider_labels_are_display_names():
    from coopanalysis.core.providers import provider_label, provider_labels

    assert [provider_label(c) for c in ("google", "x", "linkedin", "at&t", "yahoo", "microsoft", "acme")] == [
        "Google", "X", "LinkedIn", "AT&T", "Yahoo", "Microsoft", "Acme"]
    assert provider_labels("google, meta") == "Google, Meta" and provider_labels("") == ""
    # every provider in the bundled reports has a name that is not all lower case
    codes = load_transparency().select("provider").unique().collect()["provider"].to_list()
    assert all(provider_label(c) != c for c in codes), codes


def test_charts_and_sentences_name_providers_for_readers():
    table = load_transparency()
    over = summaries.requests_over_time(table, country="KR", providers=["google", "x"],
                                        start=D(2017, 1, 1), end=D(2017, 6, 30)).collect()
    spec = charts.chart_requests_over_time(over, country="KR").to_dict()
    data = next(iter(spec["datasets"].values()))
    assert {d["provider_name"] for d in data} == {"Google", "X"}
    assert spec["vconcat"][0]["layer"][0]["encoding"]["color"]["field"] == "provider_name"
    assert spec["vconcat"][0]["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["Google", "X"]
    ranking = summaries.country_ranking(table, provider="google", start=D(2017, 1, 1), end=D(2017, 12, 31)).collect()
    assert charts.chart_country_ranking(ranking, provider="google").to_dict()["title"] == (
        "Countries with the most requests to Google")
    position = summaries.country_position(table, provider="google", country="KR", start=D(2017, 1, 1),
                                          end=D(2017, 12, 31))
    template, values = summaries.ranking_sentence(position, start=D(2017, 1, 1), end=D(2017, 12, 31))
    assert values["provider"] == "Google"


def test_reconciliation_table_and_reasons_for_readers():
    out = reconcile.reconcile_yearly(load_transparency(), knpa_yearly_requests(), country="KR",
                                     providers=["google", "meta"]).collect()
    shown = reconcile.reconciliation_table(out)
    assert shown.columns == ["Year", "Agency reports sending", "Providers report receiving", "Providers ÷ agency",
                             "Providers counted"]
    y2022 = shown.filter(pl.col("Year") == "2022").row(0, named=True)
    # 7,828 + 2,511 = 10,339 of 10,166 → 101.7%
    assert (y2022["Providers report receiving"], y2022["Providers counted"]) == (10339, "Google, Meta")
    assert y2022["Providers ÷ agency"] == pytest.approx(10339 / 10166)
    assert "2024 (1 Jan–31 Jul)" in shown["Year"].to_list()
    from coopanalysis.present.display import table_html

    assert '<td class="num">101.7%</td>' in table_html(shown) and '<td>2022</td>' in table_html(shown)
    template, values = reconcile.reconciliation_reasons(out)
    assert template.count("{scope}") == 1 and "every authority of the country" in values["scope"]
    text = " ".join(str(v) for v in values.values())
    assert "only part of the year: Google, Meta" in text and "meta" not in text


def test_tables_for_readers_have_human_headers_and_names():
    from coopanalysis.io.transparency import validation_table
    from coopanalysis.core.providers import for_readers

    assert for_readers(validation_table()).columns == ["File", "Rows read", "Rows kept", "Rows set aside",
                                                       "Why set aside"]
    lf = tiny([row("google", "KR", H1, "legal", 100), row("google", "KR", H2, "legal", 200)])
    shown = for_readers(summaries.provider_years(lf, country="KR").collect())
    # bounds equal to the requests on every row and bookkeeping columns are left out
    assert shown.columns == ["Provider", "Year", "Requests", "Answered", "Answered share", "Whole year covered"]
    assert shown.row(0)[:3] == ("Google", 2021, 300)
