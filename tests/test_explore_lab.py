"""The dashboard in JupyterLab, as a researcher uses it: a notebook calling `coopanalysis.explore` on
the bundled sample, run in the project's JupyterLab in headless Chromium with the network cut off.
The test clicks Telegram's bar in the platform chart and brushes a time range on the volume chart; Python sees
both (the selection sentence, written in the kernel, names the range and the platform), and the
linked tables show the numbers the library computes for that selection. Nothing is fetched from
outside this machine: the chart's vega comes from vl-convert's bundle (JupyterChart offline mode).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import nbformat
import pytest

from browser import lab_context
from test_lab import serve_lab

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LAB_CONFIG = """\
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.extension_manager = "readonly"
"""
CELL = 'import coopanalysis\nview = coopanalysis.explore("")\nview'
SAID = re.compile(r"This selection holds ([\d,]+) requests? to Telegram from (\d+ \w+ \d{4}) to (\d+ \w+ \d{4})")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[dict]:
    """JupyterLab on 127.0.0.1 (a token, a free port) serving a folder with the exploring notebook."""
    home = tmp_path_factory.mktemp("explore-lab")
    root = home / "root"
    root.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "explore.ipynb")
    with serve_lab(home, root, LAB_CONFIG) as server:  # this notebook runs: its kernel starts
        yield server


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d %B %Y").date()


def test_brush_and_click_reach_python_and_the_linked_views(lab) -> None:
    from coopanalysis.explore.selection import Selection
    from coopanalysis.explore.sentences import view_sentences
    from coopanalysis.explore.tables import prepare
    from coopanalysis.explore.update import update

    with lab_context(lab, width=1500, height=1100) as (context, blocked):
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{lab['base']}/lab/tree/explore.ipynb?token={lab['token']}&reset", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell .jp-InputArea-editor", timeout=90_000)
        page.wait_for_function("() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
                               " ?.getAttribute('data-status') === 'idle'", timeout=90_000)
        page.wait_for_timeout(2_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        said = page.locator(".coop-explore-selection")
        try:
            said.wait_for(timeout=90_000)
        except Exception:
            shown = page.locator(".jp-NotebookPanel").first.inner_text()
            raise AssertionError(f"no dashboard in the notebook; it shows:\n{shown[-2000:]}") from None
        chart = page.locator(".coop-explore .vega-embed svg").first
        chart.wait_for(timeout=60_000)
        whole = said.inner_text()

        # click Telegram's bar in the platform chart
        page.locator(".coop-explore .vega-embed").nth(1).locator('svg [aria-label*="Telegram"]').first.click()
        page.wait_for_function("() => document.querySelector('.coop-explore-selection').innerText"
                               ".includes('to Telegram from')", timeout=30_000)
        # brush: drag across the middle of the plot
        box = chart.bounding_box()  # title, plot (most of it), axis, and the legend on the right
        y = box["y"] + box["height"] * 0.45
        page.mouse.move(box["x"] + box["width"] * 0.3, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=10)
        page.mouse.up()
        page.wait_for_function("(w) => !document.querySelector('.coop-explore-selection').innerText.includes(w)",
                               arg="Telegram from 1 January 2020", timeout=30_000)
        brushed = said.inner_text()
        page.wait_for_timeout(500)
        text = said.inner_text()
        answered = page.locator(".coop-explore-answered").inner_text()
        top = page.locator(".coop-explore-top_agencies").inner_text()
        assert errors == [], errors

    m = SAID.search(text)
    assert m, text
    tables = prepare("")
    start, end = _day(m.group(2)), _day(m.group(3))
    first, last = tables.info.extent
    assert first < start < end < last, (start, end, whole, brushed)  # a brushed range, not the whole log
    views = update(tables, Selection(start=start, end=end, platforms=("Telegram",)))
    expected = view_sentences(tables, views)
    assert int(m.group(1).replace(",", "")) == views.selected
    assert expected["answered"] in answered
    r = views.answered.row(0, named=True)
    assert f"{r['requests']:,}" in answered and f"{r['answered_share']:.1%}" in answered
    first_agency = views.top_agencies.row(0, named=True)
    assert first_agency["agency"] in top and expected["top_agencies"] in top
    assert blocked == [], f"the dashboard tried to reach {blocked}"
    assert "Traceback" not in lab["log"].read_text()
