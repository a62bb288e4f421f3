"""Hostile data values in real reports: shown as text, never run, layout intact (headless
Chromium, network off)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import papermill as pm
import pytest

from browser import chart_containers, chart_count, open_offline
from coopanalysis.paths import NOTEBOOKS_DIR
from coopanalysis.html import render_notebook

LONG = "L" * 10_000
HOSTILE_PLATFORMS = ["</script><script>window.__xss=1</script>", "<img src=x onerror=window.__xss=1>", "Google"]
HOSTILE_AGENCIES = ["[click](javascript:alert(1)) javascript:alert(1)", 'say "hi" it\'s\nnew line',
                    "\u202eevil\u202c 경찰청 😀", LONG]
HOSTILE_CRIMES = ["<b>bold</b>", "사기 🚨"]
WIDTH = 1200


@pytest.fixture(scope="module")
def hostile_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow("request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,"
                   "case_outcome,closed_on".split(","))
        for i in range(240):
            day = dt.date(2023, 1, 1) + dt.timedelta(days=(i * 3) % 540)
            answered = i % 3 == 0
            w.writerow([f"H-{i:04d}", day, HOSTILE_AGENCIES[i % 4], "KR", HOSTILE_PLATFORMS[i % 3],
                        HOSTILE_CRIMES[i % 2], "email", day + dt.timedelta(days=5 + i % 20) if answered else "",
                        "disclosed" if answered else "", "suspended_untraceable" if i % 5 == 0 else "open", ""])
    return path


def _run(name: str, log: Path, out: Path) -> Path:
    executed = out / f"{name}.ipynb"
    pm.execute_notebook(str(NOTEBOOKS_DIR / f"{name}.ipynb"), str(executed), parameters={"data": str(log)},
                        kernel_name="python3", progress_bar=False)
    return render_notebook(executed, out / f"{name}.html")


def _check_page(page: object) -> str:
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.coop_dialogs == []
    assert chart_count(page) == chart_containers(page) > 0  # every chart drew
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTH + 16, f"page is {scroll}px wide: a long value blew up the layout"
    return page.evaluate("document.body.innerText")


def test_request_volumes_with_hostile_values(hostile_log: Path, tmp_path: Path) -> None:
    html = _run("request_volumes", hostile_log, tmp_path)
    source = html.read_text(encoding="utf-8")
    assert "<img src=x" not in source and "<script>window.__xss" not in source
    with open_offline(html, width=WIDTH) as (page, blocked):
        assert blocked == []
        text = _check_page(page)
        # the hostile agency names are shown as text (sentence of the busiest agency, table, chart)
        assert "javascript:alert(1)" in text
        assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
        svg_text = page.evaluate("Array.from(document.querySelectorAll('svg text')).map(t => t.textContent).join('|')")
        assert "<img src=x onerror=window.__xss=1>" in svg_text  # a legend label, as text
        # the 10,000-character name is cut in the chart (label limit), not drawn at full length
        longest = page.evaluate("Math.max(...Array.from(document.querySelectorAll('svg text')).map(t => t.getBBox().width))")
        assert longest < 700  # titles included; the full name would be tens of thousands of pixels


@pytest.mark.slow
def test_case_outcomes_with_hostile_values(hostile_log: Path, tmp_path: Path) -> None:
    html = _run("case_outcomes", hostile_log, tmp_path)
    with open_offline(html, width=WIDTH) as (page, blocked):
        assert blocked == []
        text = _check_page(page)
        assert "<img src=x onerror=window.__xss=1>" in text  # table cells and sentences, as text
        assert "<b>bold</b>" in text and "사기 🚨" in text
        assert page.evaluate("document.querySelectorAll('b').length") == 0 or "bold" not in page.evaluate(
            "Array.from(document.querySelectorAll('b')).map(b => b.textContent).join()")
