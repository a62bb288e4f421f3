"""The controls under each chart and table of the offline page: stable ids, the data behind them
(as the tables show it, hidden cells as their codes), CSV / XLSX / PNG / SVG made in the browser
offline, the chart state in the address, the chart in words and "show as table"."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from pathlib import Path

import altair as alt
import nbformat
import polars as pl
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coopanalysis.html import render_html, render_notebook
from coopanalysis.present.mime import chart_description, chart_mimebundle
from coopanalysis.present.page_facts import EXPORT_BANNER
from coopanalysis.present.table_data import TABLE_MIME, chart_table, table_payload

HIDDEN = "<10"


def volume_frame() -> pl.DataFrame:
    """Requests per month by platform, one Telegram month hidden ("<10", null count)."""
    months = [f"2024-{m:02d}-01" for m in (1, 2, 3)]
    rows = []
    for p, counts in (("Telegram", [412, None, 300]), ("Meta", [120, 130, 140])):
        for m, n in zip(months, counts, strict=True):
            rows.append({"period_start": m, "platform": p, "requests": n,
                         "requests_hidden": HIDDEN if n is None else None})
    return pl.DataFrame(rows).with_columns(pl.col("period_start").str.to_date())


def volume_chart(title: str = "Requests per month by platform") -> alt.Chart:
    focus = alt.selection_point(fields=["platform"], bind="legend", name="focus")
    brush = alt.selection_interval(encodings=["x"], name="brush")
    return alt.Chart(volume_frame()).mark_line(point=True).encode(
        x=alt.X("period_start:T", title="Month"), y=alt.Y("requests:Q", title="Requests"),
        color=alt.Color("platform:N", title="Platform"),
        opacity=alt.condition(focus, alt.value(1.0), alt.value(0.2)),
    ).add_params(focus, brush).properties(title=title, width=400, height=200)


def chart_out(chart) -> nbformat.NotebookNode:
    bundle, meta = chart_mimebundle(chart.to_dict())
    return new_output("display_data", data=bundle, metadata=meta)


def table_out(df: pl.DataFrame, caption: str) -> nbformat.NotebookNode:
    from coopanalysis.present.display import table_html

    return new_output("display_data", data={"text/html": table_html(df, caption=caption),
                                            TABLE_MIME: table_payload(df, caption=caption), "text/plain": caption})


def notebook(synthetic: bool = False) -> nbformat.NotebookNode:
    from coopanalysis.present.mime import PAGE_MIME

    table = pl.DataFrame({"platform": ["Telegram", "=HYPERLINK(\"x\")", "Meta"], "requests": [412, None, -5],
                          "requests_hidden": [None, "withheld", None]})
    facts = {"title": "Volumes", "description": "", "synthetic": synthetic, "banner": "made up" if synthetic else "",
             "sources": {}}
    cells = [new_markdown_cell("# Volumes\n\n## Requests"),
             new_code_cell("x", outputs=[new_output("display_data", data={PAGE_MIME: facts, "text/plain": "f"})]),
             new_code_cell("x", outputs=[chart_out(volume_chart())]),
             new_code_cell("x", outputs=[chart_out(volume_chart())]),
             new_markdown_cell("## Tables"),
             new_code_cell("x", outputs=[table_out(table, "Requests by platform")])]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "p"}})


# ------------------------------------------------------------------------- python side


def test_ids_are_stable_deduplicated_and_the_page_is_byte_identical() -> None:
    first, second = render_html(notebook(), name="request_volumes"), render_html(notebook(), name="request_volumes")
    assert first == second
    ids = re.findall(r'<div class="coop-chart" id="([^"]+)"', first)
    assert ids == ["request-volumes-requests-per-month-by-platform", "request-volumes-requests-per-month-by-platform-2"]
    assert 'id="request-volumes-requests-by-platform"' in first  # the table block
    assert 'data-for="request-volumes-requests-by-platform"' in first
    assert 'id="Requests"' in first and 'id="Tables"' in first  # section ids from the headings
    assert "uuid" not in first and not re.search(r"coop-chart-[0-9a-f]{32}", first)


def test_table_payload_holds_codes_never_hidden_numbers() -> None:
    df = pl.DataFrame({"platform": ["A", "B"], "requests": [12, 3], "requests_hidden": [None, "<10"]})
    payload = table_payload(df, caption="By platform")
    assert payload["rows"] == [["A", 12], ["B", "<10"]]
    assert payload["missing"] == ["<10"]
    assert payload["columns"][1] == {"name": "requests", "title": "requests", "type": "integer",
                                     "description": "Requests"}
    assert payload["id"] == "by-platform" and payload["caption"] == "By platform"
    # a frame already labelled for readers (present.tables): printed numbers parse back, codes stay
    shown = pl.DataFrame({"Platform": ["A", "B", "C"], "Requests": ["1,234", "withheld", "–"], "Growth": ["+5.0%", "–", "–"]})
    p = table_payload(shown, caption="x")
    assert [c["type"] for c in p["columns"]] == ["string", "integer", "string"]
    assert [r[1] for r in p["rows"]] == [1234, "withheld", None]
    assert p["missing"] == ["withheld"] and p["columns"][0]["description"] == "Platform"


def test_chart_data_titles_and_codes_and_the_chart_in_words() -> None:
    spec = volume_chart().to_dict()
    table = chart_table(spec)
    assert [c["title"] for c in table["columns"]] == ["Month", "Requests", "Platform"]
    assert ["Telegram", "2024-02-01", HIDDEN] in [[r[2], r[0], r[1]] for r in table["rows"]]
    assert table["missing"] == [HIDDEN]
    assert chart_description(spec) == ("Requests per month by platform, 2024-01 to 2024-03. "
                                       "Largest: Telegram, 2024-01, 412. Latest: Telegram, 2024-03, 300.")
    # a hidden first month still belongs to the span the chart covers, and is never the largest
    hide = pl.col("period_start") == pl.date(2024, 1, 1)
    early = volume_frame().with_columns(
        requests=pl.when(hide).then(None).otherwise(pl.col("requests")),
        requests_hidden=pl.when(hide).then(pl.lit(HIDDEN)).otherwise(pl.col("requests_hidden")),
    )
    words = chart_description(alt.Chart(early).mark_line().encode(
        x="period_start:T", y="requests:Q", color="platform:N").properties(title="T").to_dict())
    assert words == "T, 2024-01 to 2024-03. Largest: Telegram, 2024-03, 300. Latest: Telegram, 2024-03, 300."
    page = render_html(notebook(), name="r")
    assert '<div aria-label="Requests per month by platform, 2024-01 to 2024-03. Largest: Telegram, 2024-01, 412.' in page
    assert 'class="coop-viz" role="img" tabindex="0">' in page


# ------------------------------------------------------------------------------ browser


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("controls")
    return {"real": render_notebook(notebook(), folder / "volumes.html"),
            "synthetic": render_notebook(notebook(synthetic=True), folder / "synthetic.html")}


def _download(page, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.locator(selector).click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


CHART = "volumes-requests-per-month-by-platform"
TABLE = "volumes-requests-by-platform"


@pytest.mark.browser
def test_csv_and_xlsx_of_a_chart_and_a_table_are_its_data_with_codes(pages) -> None:
    import openpyxl
    from browser import open_offline

    with open_offline(pages["real"]) as (page, blocked):
        name, data = _download(page, f'.coop-controls[data-for="{CHART}"] [data-act="csv"]')
        assert name == f"{CHART}.csv" and data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        expected = chart_table(volume_chart().to_dict())
        assert rows[0] == ["Month", "Requests", "Platform"]
        assert rows[1:] == [["" if v is None else str(v) for v in r] for r in expected["rows"]]
        assert ["2024-02-01", HIDDEN, "Telegram"] in rows  # the hidden month: its code, never a number

        name, data = _download(page, f'.coop-controls[data-for="{TABLE}"] [data-act="csv"]')
        text = data.decode("utf-8-sig")
        assert text.split("\r\n")[1:4] == ["Telegram,412", "\"'=HYPERLINK(\"\"x\"\")\",withheld", "Meta,-5"]

        name, data = _download(page, f'.coop-controls[data-for="{TABLE}"] [data-act="xlsx"]')
        assert name == f"{TABLE}.xlsx"
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
            ["platform", "requests"], ["Telegram", 412], ['=HYPERLINK("x")', "withheld"], ["Meta", -5]]
        name, data = _download(page, f'.coop-controls[data-for="{CHART}"] [data-act="xlsx"]')
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert ["2024-02-01", HIDDEN, "Telegram"] in [list(r) for r in sheet.iter_rows(values_only=True)]
        assert page.coop_errors == []
    assert blocked == []


@pytest.mark.browser
def test_show_as_table_is_a_keyboard_toggle_of_the_same_data(pages) -> None:
    from browser import open_offline

    with open_offline(pages["real"]) as (page, blocked):
        button = page.locator(f'.coop-controls[data-for="{CHART}"] [data-act="table"]')
        assert button.get_attribute("aria-expanded") == "false"
        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true" and button.inner_text() == "Hide table"
        cells = page.locator(f"#{CHART}-table tbody tr").nth(1).locator("td").all_inner_texts()
        assert cells == ["2024-02-01", HIDDEN, "Telegram"]
        page.keyboard.press("Enter")
        assert page.locator(f"#{CHART}-table").is_hidden()
    assert blocked == []


@pytest.mark.browser
def test_hash_records_and_restores_the_selection_and_the_brush(pages) -> None:
    from browser import open_offline, wait_for_all_charts

    signals = "id => { const v = window.coopData.charts[id].view; return [v.signal('focus').platform || null, v.signal('brush')]; }"
    with open_offline(pages["real"]) as (page, blocked):
        page.locator(f"#{CHART}").scroll_into_view_if_needed()
        box = page.locator(f"#{CHART} .role-legend-label text", has_text="Meta").first.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function("() => location.hash.includes('focus=')")
        assert page.evaluate("location.hash") == f"#{CHART}:focus=Meta"
        svg = page.locator(f"#{CHART} svg").bounding_box()
        page.mouse.move(svg["x"] + 80, svg["y"] + 120)
        page.mouse.down()
        page.mouse.move(svg["x"] + 300, svg["y"] + 120, steps=8)
        page.mouse.up()
        page.wait_for_function("() => location.hash.includes('brush=')")
        hash_ = page.evaluate("location.hash")
        assert re.fullmatch(rf"#{CHART}:brush=2024-\d\d-\d\d\.\.2024-\d\d-\d\d", hash_), hash_
        brushed = page.evaluate(signals, CHART)[1]["period_start"]
        # a link to the view, e-mailed: the page opens from file:// with the brush and the selection
        page.goto(page.url.split("#")[0] + hash_ + "&focus=Meta")
        page.reload()
        wait_for_all_charts(page)
        focus, brush = page.evaluate(signals, CHART)
        assert focus == ["Meta"]
        day = 86_400_000
        assert [b // day for b in brush["period_start"]] == [b // day for b in brushed]  # to the day
        assert page.evaluate(signals, CHART + "-2") == [None, {}]  # the other chart keeps its own state
        opacity = page.evaluate("id => Array.from(document.querySelectorAll('#' + id + ' .mark-line path'))"
                                ".map(p => p.getAttribute('opacity') || p.getAttribute('stroke-opacity'))", CHART)
        assert sorted(opacity) == ["0.2", "1"]  # Telegram's line faded, Meta's drawn: the selection is back
        assert page.coop_errors == []
    assert blocked == []


@pytest.mark.browser
def test_png_and_svg_downloads_carry_the_synthetic_banner(pages) -> None:
    from browser import open_offline

    with open_offline(pages["synthetic"]) as (page, blocked):
        name, svg = _download(page, f'.coop-controls[data-for="synthetic-requests-per-month-by-platform"] [data-act="svg"]')
        assert name.endswith(".svg") and EXPORT_BANNER in svg.decode()
        name, png = _download(page, f'.coop-controls[data-for="synthetic-requests-per-month-by-platform"] [data-act="png"]')
        assert png.startswith(b"\x89PNG") and name.endswith(".png")
    with open_offline(pages["real"]) as (page, blocked2):
        name, svg = _download(page, f'.coop-controls[data-for="{CHART}"] [data-act="svg"]')
        assert EXPORT_BANNER not in svg.decode() and "Requests per month by platform" in svg.decode()
    assert blocked == [] and blocked2 == []


def test_controls_speak_the_language_of_the_page() -> None:
    from coopanalysis.core.i18n import translator
    from coopanalysis.present.mime import PAGE_MIME

    nb = notebook()
    nb.cells[1].outputs[0].data[PAGE_MIME]["lang"] = "ko"
    page = render_html(nb, name="r")
    ko = translator("ko")
    assert '<html lang="ko">' in page
    assert f'data-act="csv" type="button">{ko("Download data (CSV)")}</button>' in page
    strings = json.loads(re.search(r'<script id="coop-strings" type="application/json">(.*?)</script>', page).group(1))
    assert strings["Hide table"] == ko("Hide table") and strings["banner"] == ""
