"""The batch index's search and sort (its own script, offline), its headline figures as the
reports format them, its labelled keyboard controls, and its texts through `translator(lang)`."""

from __future__ import annotations

import base64
import html
import hashlib
import re
from pathlib import Path

import pytest

from browser import open_offline
from coopanalysis.html import index as index_mod
from coopanalysis.html.index import render_index

ENTRIES = [
    {"name": "growth", "status": "ok", "outputs": {"html": "growth.html"},
     "parameters": {"data": "sample/requests_synthetic.csv", "platforms": ["Telegram", "Meta"],
                    "rules": "a_very_long_file_name_with_no_slashes_from_the_ministry_of_justice_2025.toml"},
     "page": {"title": "All platforms, 2020–2025: growth and projection",
              "description": "Growth year over year and per quarter.", "synthetic": True},
     "headlines": {"latest_yoy_growth": {"value": -0.0431, "unit": "growth",
                                         "label": "Year-over-year growth, 2025 (1 Jan–30 Jun)"},
                   "total_requests": {"value": 21948, "unit": "count", "label": "Requests in the selection"}}},
    {"name": "transparency", "status": "ok", "outputs": {"html": "transparency.html"},
     "page": {"title": "South Korea, 2013–2026: what the platforms' transparency reports say",
              "description": "Requests from South Korea to 6 providers."},
     "headlines": {"providers_to_agency": {"value": 1.055, "unit": "share", "label": "Providers' share"}}},
    {"name": "case_outcomes", "status": "ok", "outputs": {"html": "case_outcomes.html"},
     "page": {"title": "Telegram, 2018–2021: answers, response times and outcomes",
              "description": "How often Telegram answered."},
     "headlines": {"total_requests": {"value": 425, "unit": "count", "label": "Requests in the selection"},
                   "median_days_to_response": {"value": 11.0, "unit": "days", "label": "Median days"}}},
    {"name": "broken", "status": "failed", "error": "ValueError: no rows", "outputs": {}},
]
META = {"title": "Reports", "finished_at": "2026-12-02T13:56:00+00:00", "coopanalysis_version": "0.1.0",
        "counts": {"ok": 3, "failed": 1}, "elapsed_s": 3.0}


def test_headlines_are_formatted_as_the_reports_format_them() -> None:
    page = render_index(ENTRIES, meta=META)
    assert "Year-over-year growth, 2025 (1 Jan–30 Jun): <b>−4.3%</b>" in page
    assert "Requests in the selection: <b>21,948</b>" in page and "Providers&#39; share: <b>105.5%</b>" in page
    assert "Median days: <b>11 days</b>" in page
    assert "Growth year over year and per quarter." in page  # the description


def test_script_is_allowed_by_its_hash_and_nothing_else() -> None:
    page = render_index(ENTRIES, meta=META)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    csp = html.unescape(csp)
    assert csp == f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"


def test_index_texts_go_through_the_translator(monkeypatch) -> None:
    seen: list[str] = []

    def fake(lang):
        assert lang == "ko"
        return lambda text: seen.append(text) or f"«{text}»"

    monkeypatch.setattr(index_mod, "translator", fake)
    page = render_index(ENTRIES, meta=META, lang="ko")
    assert '<html lang="ko">' in page
    for text in ("Search reports", "Sort by", "Title (A–Z)", "Period (latest first)", "Report", "Status",
                 "Headline figures", "No report matches the search.", "{shown} of {total} reports shown",
                 "done", "FAILED", "Synthetic data"):
        assert f"«{text}»" in page.replace("&#34;", '"'), text
    assert ">Search reports<" not in page
    with pytest.raises(ValueError, match="lang must be one of"):
        render_index(ENTRIES, meta=META, lang="xx")


def test_sort_options_name_each_headline_figure_once() -> None:
    page = render_index(ENTRIES, meta=META)
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', page)
    assert [v for v, _ in options] == ["run", "title", "period-desc", "period-asc", "fig-latest_yoy_growth",
                                       "fig-total_requests", "fig-providers_to_agency", "fig-median_days_to_response"]
    assert ("fig-latest_yoy_growth", "Year-over-year growth (highest first)") in options


@pytest.fixture
def index_file(tmp_path: Path) -> Path:
    path = tmp_path / "index.html"
    path.write_text(render_index(ENTRIES, meta=META), encoding="utf-8")
    return path


def _shown(page) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#ix-rows tr'))
        .filter(tr => !tr.hidden && tr.getBoundingClientRect().height > 0)
        .map(tr => tr.querySelector('.slug') ? tr.querySelector('.slug').textContent : tr.cells[0].textContent.trim())""")


@pytest.mark.browser
def test_search_filters_live_and_sort_reorders(index_file: Path) -> None:
    with open_offline(index_file, wait_for_charts=False) as (page, blocked):
        assert page.coop_errors == [] and blocked == []
        assert page.locator("#ix-count").inner_text() == "4 of 4 reports shown"
        page.fill("#ix-q", "telegram")  # in the title and the description
        assert _shown(page) == ["case_outcomes"] and page.locator("#ix-count").inner_text() == "1 of 4 reports shown"
        page.fill("#ix-q", "south korea providers")  # every word, anywhere
        assert _shown(page) == ["transparency"]
        page.fill("#ix-q", "nothing like this")
        assert _shown(page) == [] and page.locator("#ix-none").is_visible()
        page.fill("#ix-q", "")
        assert len(_shown(page)) == 4 and not page.locator("#ix-none").is_visible()
        page.select_option("#ix-sort", "title")
        assert _shown(page) == ["growth", "broken", "transparency", "case_outcomes"]  # All, broken (its name), South, Telegram
        page.select_option("#ix-sort", "period-desc")
        assert _shown(page) == ["transparency", "growth", "case_outcomes", "broken"]  # ends 2026, 2025, 2021
        page.select_option("#ix-sort", "period-asc")
        assert _shown(page)[:3] == ["case_outcomes", "growth", "transparency"]
        page.select_option("#ix-sort", "fig-total_requests")
        assert _shown(page) == ["growth", "case_outcomes", "transparency", "broken"]  # 21,948 > 425; none after
        page.select_option("#ix-sort", "run")
        assert _shown(page) == ["growth", "transparency", "case_outcomes", "broken"]


@pytest.mark.browser
def test_controls_are_labelled_and_keyboard_usable(index_file: Path) -> None:
    with open_offline(index_file, wait_for_charts=False) as (page, _):
        labels = page.evaluate("""() => ['ix-q', 'ix-sort'].map(id => {
            const el = document.getElementById(id); return el.labels.length ? el.labels[0].textContent : null; })""")
        assert labels == ["Search reports", "Sort by"]
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "ix-q"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        page.keyboard.type("growth")
        assert _shown(page) == ["growth"]
        page.keyboard.press("Escape")  # a search box's own clear key
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "ix-sort"
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == "title"
        assert _shown(page)[0] == "growth" and len(_shown(page)) == 4


def test_a_parameter_value_breaks_only_after_a_separator_and_stays_escaped() -> None:
    page = render_index([{**ENTRIES[0], "parameters": {"data": "in/<b>x</b>.csv", "platforms": ["A", "B"]}}], meta=META)
    assert "<code>in/<wbr>&lt;b&gt;x&lt;/<wbr>b&gt;.csv</code>" in page
    assert "<code>[&#34;A&#34;,<wbr> &#34;B&#34;]</code>" in page


@pytest.mark.browser
@pytest.mark.parametrize("width", [1200, 390])
def test_a_file_name_in_the_parameters_is_never_broken_inside(index_file: Path, width: int) -> None:
    """The desktop table gave the column too little room and broke "sample/reques|ts_synthetic.csv".
    A name wider than the column still breaks inside (the page never scrolls sideways)."""
    with open_offline(index_file, width=width, wait_for_charts=False) as (page, _):
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        lines = page.evaluate("""() => {
  const code = [...document.querySelectorAll('dd code')].find(c => c.textContent.includes('requests_synthetic'));
  const walk = document.createTreeWalker(code, NodeFilter.SHOW_TEXT), rows = [];
  for (let text = walk.nextNode(); text; text = walk.nextNode()) {
    for (let i = 0; i < text.length; i++) {
      const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1);
      const top = Math.round(r.getBoundingClientRect().top);
      if (!rows.length || rows[rows.length - 1].top !== top) rows.push({top, text: ''});
      rows[rows.length - 1].text += text.data[i];
    }
  }
  return rows.map(r => r.text);
}""")
    assert lines in (["sample/requests_synthetic.csv"], ["sample/", "requests_synthetic.csv"]), lines
