"""The report pages' and the index's styles, as a reader's browser applies them: dark mode,
print, and a phone-width (390 px) layout where charts keep readable text and scroll inside
their own box rather than shrinking, and nothing runs off the side of the screen.

One batch run of the four bundled reports (`coopanalysis run`, as in test_reports_browser)
serves this module and tests/test_axe.py; under pytest-xdist the workers share it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import open_offline
from test_reports_browser import REPORTS, reports  # noqa: F401 -- the shared batch run

pytestmark = pytest.mark.browser

PHONE = 390
MIN_TEXT_PX = 9.0


@pytest.fixture(scope="module")
def built(reports) -> Path:
    """The output folder of the bundled batch run the browser tests share (`test_reports_browser.reports`)."""
    return reports


PHONE_CHECK = """(minPx) => {
  const vw = document.documentElement.clientWidth;
  const out = {vw, pageOverflow: document.documentElement.scrollWidth - vw, small: [], outside: [],
               texts: 0, scrolling: 0};
  for (const svg of document.querySelectorAll('.coop-chart svg')) {
    const drawn = svg.width.baseVal.value || 1, scale = svg.getBoundingClientRect().width / drawn;
    for (const t of svg.querySelectorAll('.role-axis text, .role-legend text, .role-title text')) {
      if (!t.textContent.trim()) continue;
      out.texts += 1;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < minPx) out.small.push(`${t.textContent.trim().slice(0, 30)}: ${px.toFixed(1)}px`);
    }
  }
  for (const c of document.querySelectorAll('.coop-chart')) if (c.scrollWidth > c.clientWidth + 1) out.scrolling += 1;
  const inScroller = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll') && p.getBoundingClientRect().right <= vw + 0.5) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const b = el.getBoundingClientRect();
    if (b.width > 0 && b.right > vw + 0.5 && getComputedStyle(el).position !== 'fixed' && !inScroller(el))
      out.outside.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') || ''} (right edge ${Math.round(b.right)}px)`);
  }
  out.outside = out.outside.slice(0, 10); out.small = out.small.slice(0, 10);
  return out;
}"""


@pytest.mark.parametrize("name", REPORTS)
def test_phone_width_charts_keep_readable_text_and_nothing_overflows(built: Path, name: str) -> None:
    with open_offline(built / f"{name}.html", width=PHONE, height=844) as (page, blocked):
        found = page.evaluate(PHONE_CHECK, MIN_TEXT_PX)
    assert blocked == []
    assert found["vw"] == PHONE and found["texts"] > 0, found
    assert found["small"] == [], f"{name}: chart text under {MIN_TEXT_PX}px at {PHONE}px: {found['small']}"
    assert found["pageOverflow"] <= 0 and found["outside"] == [], \
        f"{name}: runs off a {PHONE}px screen outside a scroll box: {found['outside']}"


def test_phone_width_wide_chart_scrolls_in_its_box(built: Path) -> None:
    """The volume chart (560 px plot plus legend) is wider than a phone: it scrolls, at full size."""
    with open_offline(built / "request_volumes.html", width=PHONE, height=844) as (page, _):
        found = page.evaluate(PHONE_CHECK, MIN_TEXT_PX)
        box = page.evaluate("""() => { const c = document.querySelector('.coop-viz');  // the chart's scroll box
            const s = c.querySelector('svg'); c.scrollLeft = 100;
            return {client: c.clientWidth, scroll: c.scrollWidth, left: c.scrollLeft, tab: c.tabIndex,
                    drawn: s.width.baseVal.value, shown: s.getBoundingClientRect().width}; }""")
    assert found["scrolling"] >= 1, found
    assert box["scroll"] > box["client"] and box["left"] > 0, box
    assert box["tab"] == 0, box  # a keyboard reaches the scroll box (axe: scrollable-region-focusable)
    assert abs(box["shown"] - box["drawn"]) < 1, box  # drawn at its own size, not shrunk


def test_phone_width_tables_stay_inside_the_screen(built: Path) -> None:
    with open_offline(built / "transparency.html", width=PHONE, height=844) as (page, _):
        # each table scrolls inside its own block (focusable, named by its caption), or is its own scroll box
        tables = page.evaluate("""() => Array.from(document.querySelectorAll('.coop-report table')).map(t => {
            const box = t.closest('.coop-table-block') || t; const b = box.getBoundingClientRect();
            return {right: b.right, overflowX: getComputedStyle(box).overflowX,
                    reachable: box === t || box.tabIndex === 0}; })""")
    assert tables, "the transparency page has tables"
    assert all(t["right"] <= PHONE + 0.5 for t in tables), tables
    assert all(t["overflowX"] == "auto" and t["reachable"] for t in tables), tables


def _luminance(rgb: str) -> float:
    parts = [float(x) for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    lin = [(c / 255 / 12.92) if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


COLOURS = """() => { const c = (sel, p) => { const e = document.querySelector(sel); return e ? getComputedStyle(e)[p] : null; };
  return {bg: c('body', 'backgroundColor'), ink: c('body', 'color'), link: c('.coop-toc a', 'color'),
          banner: c('.coop-banner', 'color'), bannerBg: c('.coop-banner', 'backgroundColor'),
          chartBg: c('.coop-chart', 'backgroundColor'), axis: c('.coop-chart .role-axis-label text', 'fill'),
          th: c('.coop-report thead th', 'color')}; }"""


def test_dark_mode_page_is_dark_readable_and_charts_sit_on_a_light_card(built: Path) -> None:
    with open_offline(built / "request_volumes.html") as (page, _):
        light = page.evaluate(COLOURS)
        page.emulate_media(color_scheme="dark")
        dark = page.evaluate(COLOURS)
    assert _luminance(light["bg"]) > 0.9 and _luminance(dark["bg"]) < 0.05, (light, dark)
    for fg, bg in (("ink", "bg"), ("link", "bg"), ("th", "bg"), ("banner", "bannerBg")):
        assert _contrast(dark[fg], dark[bg]) >= 4.5, f"dark mode {fg} on {bg}: {dark[fg]} on {dark[bg]}"
    # the chart keeps the light theme's labels, on a white card
    assert dark["chartBg"] == "rgb(255, 255, 255)" and _contrast(dark["axis"], dark["chartBg"]) >= 4.5, dark


def test_print_hides_controls_keeps_charts_whole_and_prints_addresses(built: Path) -> None:
    with open_offline(built / "request_volumes.html") as (page, _):
        # the page's own controls, and ones of the names the page template uses
        page.evaluate("""() => { const d = document.createElement('div'); d.className = 'coop-controls';
            d.innerHTML = '<button class="coop-btn coop-download">CSV</button><button class="coop-btn coop-table-toggle">Table</button>';
            document.querySelector('.coop-figure').after(d); }""")
        page.emulate_media(media="print")
        found = page.evaluate("""() => ({
          controls: Array.from(document.querySelectorAll('.coop-controls, .coop-download, .coop-table-toggle, .coop-btn, button'))
                      .filter(e => e.getBoundingClientRect().height > 0).length,
          figures: Array.from(document.querySelectorAll('.coop-figure')).map(f => getComputedStyle(f).breakInside),
          source: (() => { const a = document.querySelector('.coop-source a[href^="http"]');
                           return a ? [a.getAttribute('href'), getComputedStyle(a, '::after').content] : null; })(),
          sourceKeeps: getComputedStyle(document.querySelector('.coop-source')).breakBefore,
          nav: getComputedStyle(document.querySelector('.coop-nav')).display })""")
        pdf = page.pdf(format="A4")
    assert found["controls"] == 0, found
    assert found["figures"] and set(found["figures"]) == {"avoid"}, found
    assert found["sourceKeeps"] == "avoid" and found["nav"] == "none", found
    assert found["source"] and found["source"][0] in found["source"][1], found  # the URL printed after the link
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_index_dark_and_print(built: Path) -> None:
    with open_offline(built / "index.html", wait_for_charts=False) as (page, _):
        page.emulate_media(color_scheme="dark")
        dark = page.evaluate("""() => ({bg: getComputedStyle(document.body).backgroundColor,
            ink: getComputedStyle(document.body).color, link: getComputedStyle(document.querySelector('a.t')).color,
            field: getComputedStyle(document.querySelector('#ix-q')).backgroundColor})""")
        page.emulate_media(media="print", color_scheme="light")
        printed = page.evaluate("""() => ({tools: getComputedStyle(document.querySelector('#ix-tools')).display,
            after: getComputedStyle(document.querySelector('a.t'), '::after').content})""")
    assert _luminance(dark["bg"]) < 0.05 and _contrast(dark["ink"], dark["bg"]) >= 7, dark
    assert _contrast(dark["link"], dark["bg"]) >= 4.5 and _luminance(dark["field"]) < 0.05, dark
    assert printed["tools"] == "none" and ".html" in printed["after"], printed
