"""Every report of the bundled configuration in Korean, as a reader gets it: one
`coopanalysis run --lang ko` (what `make report` runs, in Korean), every page and the index opened
in headless Chromium with the network cut off.

What a reader sees or hears must be Korean: the text of the page and of its charts (svg text), the
names a screen reader reads (`aria-label`, `title`, `placeholder`, `alt`) and a chart's tooltip.
Left as written, by design:
- what the page marks as no one's to translate: cited works under their own titles (`<cite>`),
  code, parameter names and values, report ids, file names, hashes and versions (`translate="no"`);
- tokens that are identifiers, not words: with an underscore, a slash, a dot, a digit or an "@"
  (`as_of`, `requests_synthetic.csv`, `@transparency`, `sha256`);
- the names of `ALLOWED`: abbreviations, file formats, products, methods named after people;
- Vega's own `aria-label`s inside a chart: the chart is one `role="img"` whose accessible name
  is the page's Korean description of it, so a screen reader does not read them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser import chart_count, open_offline, shared_batch

pytestmark = pytest.mark.browser

HANGUL = re.compile(r"[\uac00-\ud7a3]")
ALLOWED = {
    "CAGR", "MLAT", "ISO", "OKX", "CSV", "PNG", "SVG", "Excel", "XLSX", "GLM",  # abbreviations, formats
    "coopanalysis", "synth", "statsmodels", "Shift",  # the package, a command, a library, a key
    "Aalen", "Johansen", "Kaplan", "Meier", "Wilson",  # methods named after people
}
"""Latin words a Korean page may show."""

TEXTS = """() => {
  const out = [];
  const mine = e => e.closest('script,style,noscript,template,cite,code,[translate="no"]');
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const p = n.parentElement, t = n.textContent.trim();
    if (p && t && !mine(p) && p.getClientRects().length) out.push(t);
  }
  document.querySelectorAll('[aria-label],[title],[placeholder],[alt]').forEach(e => {
    if (mine(e) || (e.parentElement && e.parentElement.closest('[role=img]'))) return;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (e.getAttribute(a)) out.push(e.getAttribute(a));
  });
  out.push(document.title);
  return out;
}"""
"""Every text of the page a reader sees or a screen reader reads (see the module's docstring)."""


def english_words(text: str) -> set[str]:
    """The Latin words of `text` that are neither identifiers nor `ALLOWED`."""
    tokens = [t for t in re.split(r"[\s,;:'\"“”‘’·–—]+", text) if t and not re.search(r"[_/.\d@]", t)]
    return {w for t in tokens for w in re.findall(r"[A-Za-z][A-Za-z\-]{2,}", t)} - ALLOWED


def test_the_allow_list_keeps_names_and_identifiers_and_nothing_else():
    assert english_words("출처: requests_synthetic.csv(coopanalysis synth), as_of, sha256, @transparency") == set()
    assert english_words("윌슨 구간(Wilson), Kaplan–Meier 곡선") == set()
    assert english_words("Requests in the selection: 52,729") == {"Requests", "the", "selection"}
    assert english_words("11 days") == {"days"}


@pytest.fixture(scope="module")
def korean(tmp_path_factory, request) -> Path:
    """The output folder of one Korean batch run of the bundled configuration (shared by xdist workers)."""
    return shared_batch(tmp_path_factory, request, "korean-batch", "--lang", "ko")


def _pages(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html"))


def test_the_korean_batch_writes_every_report_and_the_index(korean: Path):
    summary = json.loads((korean / "summary.json").read_text(encoding="utf-8"))
    names = {e["name"] for e in summary["reports"]}
    assert {p.stem for p in _pages(korean)} == names | {"index"}
    assert len(names) >= 7 and all(e["status"] == "ok" for e in summary["reports"])
    assert {e["page"]["lang"] for e in summary["reports"]} == {"ko"}


def test_no_english_label_is_left_on_any_korean_page(korean: Path):
    left: dict[str, list[str]] = {}
    for path in _pages(korean):
        with open_offline(path) as (page, blocked):
            assert page.evaluate("document.documentElement.lang") == "ko", path.name
            texts = page.evaluate(TEXTS)
            assert blocked == [] and page.coop_errors == [], (path.name, blocked, page.coop_errors)
        assert sum(bool(HANGUL.search(t)) for t in texts) > 20, f"{path.name}: hardly any Korean text"
        found = [f"{t[:120]!r}: {sorted(english_words(t))}" for t in dict.fromkeys(texts) if english_words(t)]
        if found:
            left[path.name] = found
    assert left == {}, "English left on the Korean pages:\n" + "\n".join(
        f"{name}: {line}" for name, lines in left.items() for line in lines)


def test_the_index_lists_headline_figures_in_korean_with_their_values(korean: Path):
    summary = json.loads((korean / "summary.json").read_text(encoding="utf-8"))
    outcomes = next(e for e in summary["reports"] if e["name"] == "case_outcomes")
    median = next(h for h in outcomes["headlines"].values() if h.get("unit") == "days")
    assert median["label"] == "회신까지 걸린 일수의 중앙값"
    with open_offline(korean / "index.html", wait_for_charts=False) as (page, _):
        items = page.locator("tr", has_text="case_outcomes").locator("ul.h li").all_inner_texts()
        options = page.locator("#ix-sort option").all_inner_texts()
    assert f"회신까지 걸린 일수의 중앙값: {median['value']:,}일" in items
    assert "회신까지 걸린 일수의 중앙값 (높은 순)" in options


def test_every_chart_of_every_korean_page_has_a_korean_tooltip(korean: Path):
    from test_reports_browser import hover_a_mark

    left, hovered = [], 0
    for path in _pages(korean):
        if path.stem == "index":
            continue
        with open_offline(path) as (page, _):
            for i in range(chart_count(page)):
                _mark, tip, _values = hover_a_mark(page, i)
                hovered += 1
                if not HANGUL.search(tip) or english_words(tip):
                    left.append(f"{path.name}, chart {i}: {tip!r}")
    print(f"{hovered} charts hovered")
    assert hovered >= 20 and left == [], "\n".join(left)


def test_korean_glyphs_render_as_glyphs_not_boxes(korean: Path):
    """Hangul drawn in the page's own font: a font without Hangul draws every syllable as the same
    box (tofu), so two different syllables would give the same pixels."""
    with open_offline(korean / "growth.html", wait_for_charts=False) as (page, _):
        drawn = page.evaluate("""() => {
          const font = getComputedStyle(document.querySelector('h1')).font;
          const pixels = text => { const c = document.createElement('canvas'); c.width = 80; c.height = 60;
            const g = c.getContext('2d'); g.font = font.replace(/\\d+(\\.\\d+)?px/, '40px'); g.fillText(text, 4, 48);
            return Array.from(g.getImageData(0, 0, 80, 60).data).join(','); };
          return {heading: document.querySelector('h1').innerText, a: pixels('가'), b: pixels('힣'),
                  blank: pixels(' ')};
        }""")
    assert HANGUL.search(drawn["heading"]), drawn["heading"]
    assert drawn["a"] != drawn["blank"] and drawn["b"] != drawn["blank"], "Hangul draws nothing"
    assert drawn["a"] != drawn["b"], "every Hangul syllable draws the same box: no Korean font"
