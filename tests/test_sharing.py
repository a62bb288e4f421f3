"""Sharing safely: small counts hidden in the report frames, sentences and chart data; no
case-level data on a page; a scheduled run with a missing input fails that report clearly."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from pathlib import Path

import nbformat
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_notebook, new_output

from coopanalysis.present import narrative
from coopanalysis.present.tables import share_rows
from coopanalysis.reports import outcomes, volumes
from coopanalysis.publish.disclosure import hide_two_way, label_hidden
from coopanalysis.publish.leaks import CaseLevelDataError, check_shareable
from coopanalysis.html import render_notebook
from coopanalysis.present.transparency_text import ranking_sentence
from coopanalysis.publish.transparency import hide_position, hide_small

HEADER = "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on"


def write_log(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=HEADER.split(","))
        w.writeheader()
        w.writerows(rows)
    return path


def small_log(path: Path) -> Path:
    """120 requests to Google and Meta over 2022–2023, and 3 to "Rare" (a small cell)."""
    rows = []
    for i in range(123):
        platform = "Rare" if i < 3 else ("Google" if i % 2 else "Meta")
        day = dt.date(2022, 1, 1) + dt.timedelta(days=(i * 5) % 700)
        answered = i % 3 == 0
        rows.append({"request_id": f"Q-{i:04d}", "requested_on": day, "agency": "Seoul A" if i % 4 else "Busan B",
                     "country": "KR", "platform": platform, "crime_type": "fraud", "channel": "email",
                     "responded_on": day + dt.timedelta(days=10) if answered else "",
                     "response": "disclosed" if answered else "", "case_outcome": "open", "closed_on": ""})
    return write_log(path, rows)


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 4), cols=st.integers(1, 4), data=st.data())
def test_two_way_table_with_margins_never_has_a_lone_hidden_entry(rows: int, cols: int, data: st.DataObject) -> None:
    values = data.draw(st.lists(st.integers(0, 25), min_size=rows * cols, max_size=rows * cols))
    df = pl.DataFrame({"r": [r for r, _ in itertools.product(range(rows), range(cols))],
                       "c": [c for _, c in itertools.product(range(rows), range(cols))], "n": values})
    cells, by_row, by_col = hide_two_way(df, value="n", rows="r", cols="c", threshold=5)
    assert cells.filter((df["n"] > 0) & (df["n"] < 5))["n"].null_count() == int(((df["n"] > 0) & (df["n"] < 5)).sum())
    # every line (the cells of a row plus its total; of a column plus its total) hides 0 or ≥ 2 entries,
    # so no hidden entry is the line's total minus what is shown
    for key, margin in (("r", by_row), ("c", by_col)):
        for k in margin[key].to_list():
            hidden = cells.filter(pl.col(key) == k)["n"].null_count() + margin.filter(pl.col(key) == k)["n"].null_count()
            assert hidden != 1, (key, k, cells, margin)
    grand_line = by_row["n"].null_count() + (1 if df["n"].sum() and df["n"].sum() < 5 else 0)
    assert grand_line != 1


def test_volume_report_hides_small_counts_everywhere(tmp_path: Path) -> None:
    log = small_log(tmp_path / "log.csv")
    t = volumes.volume_report(str(log), period="year", suppress_below=10)
    rare = t.volumes.filter(pl.col("platform") == "Rare")
    # the 3 requests of 2022 are hidden as "<10"; the zero of 2023 is shown (a zero reveals nobody)
    assert rare.select("requests", "requests_hidden").rows() == [(None, "<10"), (0, None)]
    # the totals per platform: Rare is small, and one more platform is withheld so that the
    # grand total minus the others does not give Rare's 3 back
    totals = dict(zip(t.by_platform["platform"], t.by_platform["requests_hidden"], strict=True))
    assert totals["Rare"] == "<10" and sorted(totals.values(), key=str) .count("withheld") == 1
    assert t.volumes.filter(pl.col("requests").is_between(1, 9)).height == 0
    # the table a reader sees says "<10", never the number
    shown = label_hidden(t.by_platform)
    assert shown.filter(pl.col("platform") == "Rare")["requests"].item() == "<10"
    # nothing in the chart data is a small count
    spec = __import__("coopanalysis.present.charts", fromlist=["x"]).chart_volumes(t.volumes).to_dict()
    values = [row["requests"] for d in spec["datasets"].values() for row in d if row.get("requests") is not None]
    assert values and not [v for v in values if 0 < v < 10]
    # off: every count shown, unchanged
    plain = volumes.volume_report(str(log), period="year")
    assert plain.volumes.filter(pl.col("platform") == "Rare")["requests"].sum() == 3
    assert "requests_hidden" not in plain.volumes.columns


def test_outcome_sentences_say_fewer_than_k(tmp_path: Path) -> None:
    log = small_log(tmp_path / "log.csv")
    o = outcomes.outcome_report(str(log), suppress_below=10)
    rare = o.answered_by_platform.filter(pl.col("platform") == "Rare").row(0, named=True)
    assert rare["requests"] is None and rare["answered_share"] is None and rare["ci_low"] is None
    text = narrative.answered_sentences(o.answered_by_platform, limit=5)
    assert "Rare received fewer than 10 requests; how many were answered is withheld" in text
    rows = share_rows(o.answered_by_platform, by="platform").filter(pl.col("Platform") == "Rare")
    assert rows.row(0) == ("Rare", "<10", "<10", "withheld", "withheld")
    assert "Rare" not in o.time_to_response["platform"].to_list()  # a curve of 3 requests is not drawn
    assert o.time_to_response["at_risk"].null_count() == o.time_to_response.height
    assert "Rare" not in o.untraceable["platform"].to_list()


def test_transparency_counts_below_k_are_hidden() -> None:
    df = pl.DataFrame({"provider": ["a", "a", "b", "b"], "year": [2021, 2022, 2021, 2022],
                       "requests": [4, 50, 60, 70], "answered": [2, 30, 40, 50],
                       "answered_share": [0.5, 0.6, 0.67, 0.71]})
    out = hide_small(df, threshold=10, by=["provider", "year"])
    assert out["requests"].to_list()[0] is None and out["requests_hidden"][0] == "<10"
    assert out["answered_share"][0] is None  # a share resting on a hidden count is hidden
    assert out["requests"].null_count() == 4  # complementary cells along both dimensions
    position = hide_position({"provider": "google", "country": "KR", "rank": 40, "countries": 90, "requests": 3},
                             threshold=10)
    assert position["requests"] is None and position["rank"] is None and position["requests_hidden"] == "<10"
    text = ranking_sentence(position, start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31))
    assert "fewer than 10 requests" in text and "3" not in text.replace("31 December", "")


# ------------------------------------------------------------------------- case-level data


def _notebook_with(output: dict):
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("show(x)", outputs=[output])])
    nb.cells[1].execution_count = 7
    return nb


@pytest.mark.parametrize("output", [
    new_output("display_data", data={"text/html": "<table><tr><th>request_id</th></tr></table>", "text/plain": "t"}),
    new_output("execute_result", data={"text/plain": "shape: (1, 1) request_id"}, execution_count=7),
    new_output("display_data", data={"application/vnd.vegalite.v5+json": {
        "datasets": {"d": [{"request_id": "Q-1", "n": 1}]}, "mark": "bar"}}),
    new_output("display_data", data={"text/markdown": "Case request_id Q-1"}),
    new_output("display_data", data={"application/vnd.coopanalysis.headline+json": {"name": "request_id", "value": 1}}),
])
def test_case_level_fields_stop_the_page(tmp_path: Path, output: dict) -> None:
    nb = _notebook_with(output)
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CaseLevelDataError, match=r"leaky\.ipynb, code cell 2 \(execution count 7\).*'request_id'"):
        render_notebook(path, tmp_path / "leaky.html")
    assert not (tmp_path / "leaky.html").exists()


def test_request_id_values_from_the_log_stop_the_page(tmp_path: Path) -> None:
    from coopanalysis.publish.leaks import request_id_lookup

    log = small_log(tmp_path / "log.csv")
    lookup = request_id_lookup(str(log))
    chart = new_output("display_data", data={"application/vnd.vegalite.v5+json": {
        "datasets": {"d": [{"case": "Q-0042", "n": 1}]}, "mark": "bar"}})
    with pytest.raises(CaseLevelDataError, match=r"request id\(s\) of the log \(e\.g\. 'Q-0042'\)"):
        check_shareable(_notebook_with(chart), name="report.ipynb", request_ids=lookup)
    fine = new_output("display_data", data={"text/plain": "Q-9999 is not in the log; 2022-01-01"})
    check_shareable(_notebook_with(fine), name="report.ipynb", request_ids=lookup)  # no error


# ----------------------------------------------------------------------- scheduled runs


def test_scheduled_run_fails_missing_input_and_leaks_and_keeps_earlier_pages(tmp_path: Path) -> None:
    from coopanalysis.batch import run_batch
    from coopanalysis.paths import NOTEBOOKS_DIR

    leaky = tmp_path / "leaky.ipynb"
    nb = new_notebook(cells=[
        new_code_cell('label: str = "x"  # a label', metadata={"tags": ["parameters"]}),
        new_code_cell("import polars as pl\nfrom coopanalysis.present.display import show_table\n"
                      "show_table(pl.DataFrame({'request_id': ['Q-1'], 'n': [1]}))"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, leaky)
    missing = tmp_path / "missing.csv"
    unreadable = tmp_path / "unreadable.csv"
    unreadable.write_bytes(b"\x00\x01\x02 not a table")
    config = tmp_path / "r.toml"
    config.write_text(f"""
[[reports]]
name = "volumes"
notebook = "{(NOTEBOOKS_DIR / 'request_volumes.ipynb').as_posix()}"
[reports.parameters]
data = "{missing.as_posix()}"

[[reports]]
name = "broken"
notebook = "{(NOTEBOOKS_DIR / 'request_volumes.ipynb').as_posix()}"
[reports.parameters]
data = "{unreadable.as_posix()}"

[[reports]]
name = "leaky"
notebook = "{leaky.as_posix()}"
""", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("volumes", "broken", "leaky"):
        (out / f"{name}.html").write_text(f"<p>earlier good {name}</p>", encoding="utf-8")
    result = run_batch(config=config, out_dir=out, jobs=2)
    assert result.exit_code == 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_name = {e["name"]: e for e in summary["reports"]}
    assert by_name["volumes"]["status"] == "failed"
    assert f"{missing.as_posix()}: no such file or directory" in by_name["volumes"]["error"]
    assert by_name["broken"]["status"] == "failed" and unreadable.as_posix() in by_name["broken"]["error"]
    assert by_name["leaky"]["status"] == "failed"
    assert "case-level field 'request_id'" in by_name["leaky"]["error"] and "code cell 2" in by_name["leaky"]["error"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"{missing.as_posix()}: no such file or directory" in index
    assert "case-level field" in index
    for name in ("volumes", "broken", "leaky"):
        assert (out / f"{name}.html").read_text(encoding="utf-8") == f"<p>earlier good {name}</p>"
        assert by_name[name]["outputs"]["html"] == f"{name}.html"
