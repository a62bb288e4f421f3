"""axe-core (WCAG 2.1 A/AA rules) run in headless Chromium on every bundled report page and on
the index, opened offline: no serious or critical violation.

axe-core comes from the PyPI package `axe-playwright-python`, which ships `axe.min.js`; it is
read from the installed package and evaluated in the page (nothing is fetched). Without it the
test fails, saying what to install: it never skips.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import open_offline
from test_reports_browser import REPORTS
from test_style import PHONE, built, reports  # noqa: F401 -- the shared batch run

pytestmark = pytest.mark.browser

FAILING = ("serious", "critical")
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
         "resultTypes": ["violations"]}


def axe_source() -> str:
    """The text of axe.min.js, or a test failure naming the package to install."""
    try:
        import axe_playwright_python
    except ImportError:
        pytest.fail("axe-core is missing: install the test extra (`pip install axe-playwright-python`, "
                    "which ships axe.min.js); the accessibility audit cannot run without it")
    path = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    if not path.is_file():
        pytest.fail(f"axe-core is missing: {path} not found in axe-playwright-python")
    return path.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """axe's violations on the open page: rule, impact, help and up to five of the failing nodes."""
    page.evaluate(axe_source() + "\n;void 0")
    return page.evaluate(
        """async (opts) => (await axe.run(document, opts)).violations.map(v => ({
             id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
             nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': '
                    + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240))}))""",
        RULES,
    )


def assert_no_serious(violations: list[dict], what: str) -> None:
    bad = [v for v in violations if v["impact"] in FAILING]
    assert not bad, f"{what}: {len(bad)} serious/critical axe violation(s):\n" + "\n".join(
        json.dumps(v, ensure_ascii=False) for v in bad)


def test_axe_is_installed_and_finds_a_violation() -> None:
    """The audit can fail: an image without alt text and low-contrast text are caught."""
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content('<html lang="en"><body><main><h1>x</h1><img src="data:,">'
                             '<p style="color:#bbb;background:#fff">faint</p></main></body></html>')
            found = {v["id"] for v in run_axe(page) if v["impact"] in FAILING}
        finally:
            browser.close()
    assert {"image-alt", "color-contrast"} <= found, found


@pytest.mark.parametrize("name", REPORTS)
def test_report_page_has_no_serious_axe_violation(built: Path, name: str) -> None:  # noqa: F811
    with open_offline(built / f"{name}.html") as (page, blocked):
        violations = run_axe(page)
        page.emulate_media(color_scheme="dark")
        dark = run_axe(page)
    assert blocked == []
    assert_no_serious(violations, f"{name}.html")
    assert_no_serious(dark, f"{name}.html in dark mode")


@pytest.mark.parametrize("name", REPORTS)
def test_report_page_at_phone_width_has_no_serious_axe_violation(built: Path, name: str) -> None:  # noqa: F811
    """At 390 px a wide chart or table scrolls in its own box: a keyboard must reach that box."""
    with open_offline(built / f"{name}.html", width=PHONE, height=844) as (page, _):
        violations = run_axe(page)
    assert_no_serious(violations, f"{name}.html at {PHONE}px")


@pytest.mark.parametrize("width", [1280, PHONE])
def test_index_has_no_axe_violation(built: Path, width: int) -> None:  # noqa: F811
    with open_offline(built / "index.html", width=width, wait_for_charts=False) as (page, blocked):
        assert page.coop_errors == []
        violations = run_axe(page)
        page.emulate_media(color_scheme="dark")
        dark = run_axe(page)
    assert blocked == []
    assert violations == [], f"index.html at {width}px: {json.dumps(violations, ensure_ascii=False)}"
    assert_no_serious(dark, f"index.html at {width}px, dark mode")
