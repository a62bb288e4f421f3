"""A rendered report opened in headless Chromium with the network cut off."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import chart_containers, chart_count, hover_first_mark, open_offline
from coopanalysis.html import read_headlines, render_notebook

XSS = "</script><img src=x onerror=window.__xss=1>"
BOLD = "<b>x</b>"

CELLS = [
    ("markdown", "# Requests to platforms\n\nHow many requests each platform received."),
    "import polars as pl\nimport altair as alt\n"
    "from coopanalysis.present.display import setup_report, say, show_table, headline\n"
    "setup_report()",
    ("parameters", 'hostile: str = "</script><img src=x onerror=window.__xss=1>"  # a platform name'),
    "by_platform = pl.DataFrame({'platform': [hostile, '<b>x</b>', 'Telegram'], 'requests': [1200, 3400, 12771]})\n"
    "alt.Chart(by_platform).mark_bar().encode(\n"
    "    x=alt.X('platform:N', title='Platform'),\n"
    "    y=alt.Y('requests:Q', title='Requests'),\n"
    "    tooltip=[alt.Tooltip('platform:N', title='Platform'), alt.Tooltip('requests:Q', title='Requests', format=',')],\n"
    ").properties(title='Requests by platform', width=420, height=220)",
    "by_year = pl.DataFrame({'year': ['2019', '2020', '2021'], 'requests': [5000, 7560, 12771], 'note': ['<b>x</b>', 'b', 'c']})\n"
    "alt.Chart(by_year).mark_line(point=True).encode(\n"
    "    x=alt.X('year:O', title='Year'), y=alt.Y('requests:Q', title='Requests'),\n"
    "    tooltip=['year:O', 'requests:Q', 'note:N'],\n"
    ").properties(title='Requests per year', width=420, height=220)",
    "say('The platform **{p}** received {n:,} requests.', p=hostile, n=12771)\n"
    "show_table(by_platform, caption='Requests by platform')\n"
    "headline('requests_2021', 12771, label='Requests in 2021')",
    "import warnings\nwarnings.warn('a warning for the operator only')",
]


@pytest.fixture(scope="module")
def rendered_page(tmp_path_factory) -> Path:
    import nbformat
    import papermill as pm
    from conftest import KERNEL_NAME, make_notebook

    folder = tmp_path_factory.mktemp("browser")
    source, executed = folder / "report.ipynb", folder / "report.executed.ipynb"
    nbformat.write(make_notebook(CELLS), source)
    pm.execute_notebook(str(source), str(executed), kernel_name=KERNEL_NAME, cwd=str(folder), progress_bar=False)
    assert read_headlines(executed)["requests_2021"]["value"] == 12771
    return render_notebook(executed, folder / "report.html", footer={"parameters": {"hostile": XSS}})


@pytest.mark.browser
def test_report_works_offline_and_data_stays_text(rendered_page: Path) -> None:
    with open_offline(rendered_page) as (page, blocked):
        assert chart_containers(page) == 2
        assert chart_count(page) == 2  # each container holds an svg or canvas
        svg_text = page.evaluate(
            "() => Array.from(document.querySelectorAll('.coop-chart svg text')).map(t => t.textContent)"
        )
        assert BOLD in svg_text  # axis label shown literally
        assert "Requests by platform" in svg_text and "Requests per year" in svg_text
        body = page.inner_text("body")
        assert f"The platform {XSS} received 12,771 requests." in body
        assert BOLD in body  # table cell, literally
        assert "12,771" in body
        assert "a warning for the operator only" not in body
        assert "setup_report" not in body and "import polars" not in body  # no code
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("main img").count() == 0
        assert page.locator(".coop-chart b, .coop-html b, .coop-markdown b").count() == 0
        assert page.coop_dialogs == []
        assert page.coop_errors == []

        tooltip = hover_first_mark(page, chart_index=0, mark_index=0)
        assert "Platform" in tooltip and XSS in tooltip and "1,200" in tooltip
        tooltip = hover_first_mark(page, chart_index=0, mark_index=1)
        assert BOLD in tooltip and "3,400" in tooltip
        assert page.evaluate("typeof window.__xss") == "undefined"
    assert blocked == []


@pytest.mark.browser
def test_open_offline_records_and_blocks_remote_requests(tmp_path: Path) -> None:
    page_file = tmp_path / "remote.html"
    page_file.write_text(
        '<!DOCTYPE html><html><body><img src="https://cdn.example.org/x.png">'
        '<script src="http://cdn.example.org/require.js"></script><p>text</p></body></html>',
        encoding="utf-8",
    )
    with open_offline(page_file, wait_for_charts=False) as (page, blocked):
        assert page.inner_text("body") == "text"
    assert sorted(blocked) == ["http://cdn.example.org/require.js", "https://cdn.example.org/x.png"]
