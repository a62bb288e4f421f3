"""The pages of the real reports as a reader opens them: a synthetic page shows its banner and a
real-data page none, the tab names the selection, every page links back to the index and lists
its sections, and the transparency page gives a finding before its audit appendix."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import open_offline
from test_reports_browser import reports  # noqa: F401 -- the one batch run of the four reports

pytestmark = pytest.mark.browser


def test_synthetic_page_shows_the_banner(reports: Path) -> None:  # noqa: F811
    with open_offline(reports / "growth.html", width=1280) as (page, blocked):
        banner = page.locator(".coop-banner")
        assert banner.count() == 1 and banner.is_visible()
        assert "not real figures" in banner.inner_text()
        box = banner.bounding_box()
        assert box is not None and box["y"] < 200  # at the top, before anything else is read
        assert page.title() == "All platforms, 2020–2025: growth and projection (synthetic data)"
        sources = page.locator(".coop-source")
        assert sources.count() >= 5 and "Synthetic data, not real figures." in sources.first.inner_text()
    assert blocked == []


def test_real_data_page_has_no_banner_and_cites_the_providers(reports: Path) -> None:  # noqa: F811
    with open_offline(reports / "transparency.html", width=1280) as (page, blocked):
        assert page.locator(".coop-banner").count() == 0
        assert "Synthetic" not in page.inner_text("main")
        assert page.title() == page.locator("h1").inner_text()
        assert page.title().startswith("South Korea, 2013")
        links = page.eval_on_selector_all(".coop-source a", "els => els.map(a => a.href)")
        assert "https://www.apple.com/legal/transparency/" in links
        assert "https://www.hankyung.com/it/article/202211277146Y" in links  # the agency's figures, cited
    assert blocked == []  # a link is not a load


@pytest.mark.parametrize("name", ["request_volumes", "growth", "case_outcomes", "transparency"])
def test_page_links_back_and_lists_its_sections(reports: Path, name: str) -> None:  # noqa: F811
    with open_offline(reports / f"{name}.html", width=390, wait_for_charts=False) as (page, _blocked):
        back = page.locator("a.coop-back")
        assert back.get_attribute("href") == "index.html" and (reports / "index.html").is_file()
        headings = page.eval_on_selector_all("main h2[id]", "els => els.map(h => h.id)")
        targets = page.eval_on_selector_all(".coop-toc a", "els => els.map(a => a.getAttribute('href').slice(1))")
        assert len(targets) >= 4 and targets[: len(headings)] == headings
        page.locator(".coop-toc a").nth(1).click()
        assert page.evaluate("() => location.hash") == "#" + targets[1]


def test_transparency_findings_come_before_the_audit(reports: Path) -> None:  # noqa: F811
    with open_offline(reports / "transparency.html", width=1280, wait_for_charts=False) as (page, _blocked):
        headings = page.eval_on_selector_all("main h2", "els => els.map(h => h.innerText.trim())")
        assert headings[0] == "Where the country stands"
        assert headings[-1] == "Appendix: the reports read"
        order = page.evaluate("""() => {
          const all = Array.from(document.querySelectorAll('main .coop-markdown p, main caption'));
          const finding = all.findIndex(el => /rank \\d+ of \\d+/.test(el.innerText));
          const audit = all.findIndex(el => el.innerText.startsWith('Rows read, kept and set aside'));
          return {finding, audit};
        }""")
        assert 0 <= order["finding"] < order["audit"], order
