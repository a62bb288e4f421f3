"""The four real reports, as a reader gets them: one `coopanalysis run` on the bundled data,
then every page opened in headless Chromium with the network cut off.

One batch run serves the whole module (executing the notebooks is the slow part). Under
pytest-xdist the workers share it: the first one to arrive runs the batch under a file
lock, the others wait and reuse its output folder.

For every report page: nothing is fetched, every chart draws, there are as many charts as
the executed notebook has chart outputs, hovering a mark of each chart shows a tooltip that
belongs to that mark and shows a value of that chart's data, no code is shown, and nothing
runs off the side of the window. The index links to each report. On `request_volumes`, a
brushed time range on the volume chart changes the linked totals to the sums of that range.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser import CHART_SELECTOR, TOOLTIP_SELECTOR, chart_containers, chart_count, open_offline, run_batch, shared_batch
from coopanalysis import paths
from coopanalysis.present.mime import CHART_MIME, VEGALITE_MIMES

pytestmark = pytest.mark.browser

REPORTS = ("request_volumes", "growth", "case_outcomes", "transparency")
CONFIG = f"""\
timeout = 900

[[reports]]
name = "request_volumes"
notebook = {json.dumps(str(paths.NOTEBOOKS_DIR / "request_volumes.ipynb"))}
[reports.parameters]
data = "sample/requests_synthetic.csv"
period = "month"
top = 10

[[reports]]
name = "growth"
notebook = {json.dumps(str(paths.NOTEBOOKS_DIR / "growth.ipynb"))}
[reports.parameters]
data = "sample/requests_synthetic.csv"
period = "quarter"

[[reports]]
name = "case_outcomes"
notebook = {json.dumps(str(paths.NOTEBOOKS_DIR / "case_outcomes.ipynb"))}
[reports.parameters]
data = "sample/requests_synthetic.csv"
period = "quarter"

[[reports]]
name = "transparency"
notebook = {json.dumps(str(paths.NOTEBOOKS_DIR / "transparency.ipynb"))}
[reports.parameters]
data = "transparency"
country = "KR"
"""
WIDTH = 1280
KNOWN_WIDE_TABLES: set[str] = set()  # every report's tables fit the page column
NARROW = 820  # a laptop window split in two


# ------------------------------------------------------------------------------- batch


def _run_batch(folder: Path) -> Path:
    """Run the four reports once with the real command line; return the output folder."""
    return run_batch(folder, config=CONFIG)


@pytest.fixture(scope="module")
def reports(tmp_path_factory, request) -> Path:
    """The output folder of one batch run of the four reports (shared by xdist workers)."""
    return shared_batch(tmp_path_factory, request, "reports-browser", config=CONFIG)


def chart_specs(executed: Path) -> list[dict]:
    """Vega-Lite specs of the executed notebook's chart outputs, in page order."""
    import nbformat

    specs = []
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            spec = next((data[m] for m in VEGALITE_MIMES if m in data), None)
            if spec is not None or CHART_MIME in data:
                specs.append(spec)
    return specs


def code_lines(executed: Path) -> list[str]:
    """Distinctive source lines of the notebook's code cells (what must never reach the page)."""
    import nbformat

    lines = []
    for cell in nbformat.read(executed, as_version=4).cells:
        if cell.cell_type == "code":
            lines += [ln.strip() for ln in cell.source.splitlines() if len(ln.strip()) >= 12]
    return lines


def data_rows(spec: dict) -> list[dict]:
    """Every inline data row of a spec (top-level datasets and nested `values`)."""
    rows: list[dict] = []
    for values in (spec.get("datasets") or {}).values():
        rows += [r for r in values if isinstance(r, dict)]

    def walk(node):
        if isinstance(node, dict):
            values = node.get("values")
            if isinstance(values, list):
                rows.extend(r for r in values if isinstance(r, dict))
            for key, value in node.items():
                if key not in ("values", "datasets"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return rows


def spec_title(spec: dict) -> str:
    for node in [spec, *(spec.get("vconcat") or []), *(spec.get("hconcat") or []), *(spec.get("layer") or [])]:
        title = node.get("title")
        if isinstance(title, dict):
            title = title.get("text")
        if isinstance(title, list):
            title = " ".join(title)
        if title:
            return title
    return ""


_NUMBER = re.compile(r"^[+\-−]?[\d,]*\.?\d+%?$")


def shown_in_data(shown: str, rows: list[dict]) -> bool:
    """Whether a tooltip value (as displayed) is a value of `rows`: the same text, a date the
    rows hold, or a number equal to one of theirs up to the digits shown (percent or not)."""
    text = shown.strip()
    strings = {v for r in rows for v in r.values() if isinstance(v, str)}
    if text in strings:
        return True
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return any(s.startswith(text) for s in strings)
    if not _NUMBER.match(text):
        return False
    number = text.replace(",", "").replace("−", "-").replace("+", "")
    percent = number.endswith("%")
    number = number.rstrip("%")
    decimals = len(number.split(".")[1]) if "." in number else 0
    value = float(number) / (100 if percent else 1)
    tolerance = 0.5 * 10 ** -decimals / (100 if percent else 1) + 1e-9
    numbers = [v for r in rows for v in r.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return any(abs(n - value) <= tolerance for n in numbers)


# ------------------------------------------------------------------ in-page helpers

# The vega SVG renderer binds each scenegraph item to its element as `__data__`; an item's
# `tooltip` is what vega-tooltip will show for it (already formatted).
_PICK_MARK = """([sel, index]) => {
  const chart = document.querySelectorAll(sel)[index];
  const order = ['rect', 'symbol', 'arc', 'rule', 'text', 'area', 'line'];
  const items = Array.from(chart.querySelectorAll('svg path, svg line, svg text'))
    .filter(el => el.__data__ && el.__data__.tooltip && typeof el.__data__.tooltip === 'object'
                  && el.__data__.mark && order.includes(el.__data__.mark.marktype));
  items.sort((a, b) => order.indexOf(a.__data__.mark.marktype) - order.indexOf(b.__data__.mark.marktype));
  for (const el of items) {
    el.scrollIntoView({block: 'center'});
    const box = el.getBoundingClientRect();
    if (box.width + box.height < 2) continue;
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    if (document.elementFromPoint(x, y) !== el) continue;  // covered by another mark
    const tip = {};
    for (const [k, v] of Object.entries(el.__data__.tooltip)) tip[k] = v === null ? '' : String(v);
    return {x, y, tooltip: tip, marktype: el.__data__.mark.marktype};
  }
  return null;
}"""


def hover_a_mark(page, index: int) -> tuple[dict, str, list[str]]:
    """Hover a visible mark of chart `index`; return (vega's tooltip for it, the tooltip
    text shown, the value cells shown)."""
    page.mouse.move(1, 1)
    page.wait_for_function(
        "sel => { const el = document.querySelector(sel);"
        " return !el || !el.classList.contains('visible'); }",
        arg=TOOLTIP_SELECTOR, timeout=5_000,
    )
    mark = page.evaluate(_PICK_MARK, [CHART_SELECTOR, index])
    assert mark is not None, f"chart {index}: no mark with a tooltip can be hovered"
    page.mouse.move(mark["x"] - 3, mark["y"] - 3)
    page.mouse.move(mark["x"], mark["y"], steps=3)
    page.wait_for_function(
        "sel => { const el = document.querySelector(sel);"
        " return el && el.classList.contains('visible') && el.innerText.trim().length > 0; }",
        arg=TOOLTIP_SELECTOR, timeout=5_000,
    )
    tooltip = page.locator(TOOLTIP_SELECTOR)
    values = tooltip.locator("td.value").all_inner_texts()
    return mark, tooltip.inner_text(), values


# Text a reader cannot read in a chart: labels cut short with an ellipsis, an axis title drawn
# over that axis' labels, level labels of one axis printed into each other.
_CLUTTERED_TEXT = """sel => {
  const found = [];
  const box = el => el.getBoundingClientRect();
  const overlap = (a, b) => Math.min(Math.min(a.right, b.right) - Math.max(a.left, b.left),
                                     Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  document.querySelectorAll(sel).forEach((chart, i) => {
    chart.querySelectorAll('svg text').forEach(t => {
      if (t.textContent.endsWith('\u2026')) found.push(`chart ${i}: "${t.textContent}" cut short`);
    });
    chart.querySelectorAll('g.role-axis').forEach(axis => {
      const labels = Array.from(axis.querySelectorAll('g.role-axis-label text'))
        .filter(t => t.textContent && t.getAttribute('opacity') !== '0');
      const title = axis.querySelector('g.role-axis-title text');
      if (title && title.textContent) labels.forEach(l => {
        if (overlap(box(title), box(l)) > 3) found.push(`chart ${i}: title "${title.textContent}" over "${l.textContent}"`);
      });
      const level = labels.filter(l => !/rotate\\((?!0\\))/.test(l.getAttribute('transform') || ''));
      for (let a = 0; a < level.length; a++) for (let b = a + 1; b < level.length; b++)
        if (overlap(box(level[a]), box(level[b])) > -1)
          found.push(`chart ${i}: "${level[a].textContent}" runs into "${level[b].textContent}"`);
    });
  });
  return found;
}"""


def page_overflow(page) -> dict:
    """How far the page runs off the side of the window, and which boxes hide content sideways."""
    return page.evaluate(
        """() => ({
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          hidden: Array.from(document.querySelectorAll('.coop-html, .coop-chart, .coop-markdown, pre'))
            .filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => (el.querySelector('caption') || el).textContent.trim().slice(0, 80)
                       + ` (${el.scrollWidth}px in ${el.clientWidth}px)`),
        })"""
    )


# ------------------------------------------------------------------------------ tests


def test_batch_produced_every_report(reports: Path) -> None:
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert {e["name"]: e["status"] for e in summary["reports"]} == {name: "ok" for name in REPORTS}
    for name in REPORTS:
        assert (reports / f"{name}.html").stat().st_size > 100_000  # the inlined vega bundle at least
        assert (reports / "executed" / f"{name}.ipynb").exists()


@pytest.mark.parametrize("name", REPORTS)
def test_report_reads_offline(reports: Path, name: str) -> None:
    executed = reports / "executed" / f"{name}.ipynb"
    specs = chart_specs(executed)
    assert specs, f"{name}: the executed notebook has no chart output"
    hidden_code = code_lines(executed)
    with open_offline(reports / f"{name}.html", width=WIDTH) as (page, blocked):
        assert page.coop_errors == [], f"{name}: script errors {page.coop_errors}"
        assert chart_containers(page) == len(specs), f"{name}: {chart_containers(page)} charts on the page"
        assert chart_count(page) == len(specs), f"{name}: only {chart_count(page)} of {len(specs)} charts drew"

        body = page.inner_text("body")
        assert "This chart could not be drawn" not in body
        shown_code = [line for line in hidden_code if line in body]
        assert shown_code == [], f"{name}: code shown on the page: {shown_code[:3]}"
        assert page.locator(".jp-InputArea, .input_area, .jp-InputPrompt, .prompt").count() == 0

        for index, spec in enumerate(specs):
            svg_text = page.evaluate(
                "([sel, i]) => Array.from(document.querySelectorAll(sel)[i].querySelectorAll('svg text'))"
                ".map(t => t.textContent).join(' ')",
                [CHART_SELECTOR, index],
            )
            title = spec_title(spec)
            assert title and title in svg_text, f"{name} chart {index}: title {title!r} not drawn"
            mark, text, values = hover_a_mark(page, index)
            assert text.strip(), f"{name} chart {index}: empty tooltip"
            codes = re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text)  # suspended_untraceable, no_data, ...
            assert codes == [], f"{name} chart {index}: tooltip shows codes, not words: {codes}"
            for key, value in mark["tooltip"].items():  # the tooltip shown is the hovered mark's
                assert key in text and value in text, f"{name} chart {index}: {key}={value!r} not in {text!r}"
            rows = data_rows(spec)
            assert rows, f"{name} chart {index}: no inline data"
            assert any(shown_in_data(v, rows) for v in values), (
                f"{name} chart {index} ({title}): tooltip {values} shows no value of the chart's data"
            )

        cluttered = page.evaluate(_CLUTTERED_TEXT, CHART_SELECTOR)
        assert cluttered == [], f"{name}: unreadable chart text: {cluttered[:5]}"

        overflow = page_overflow(page)
        assert overflow["page"] <= 0, f"{name}: page is {overflow['page']}px wider than the window"
        if name not in KNOWN_WIDE_TABLES:  # no table or chart hides columns behind a sideways scroll bar
            assert overflow["hidden"] == [], f"{name}: content hidden sideways: {overflow['hidden']}"
        page.set_viewport_size({"width": NARROW, "height": 900})
        page.wait_for_timeout(200)
        overflow = page_overflow(page)
        assert overflow["page"] <= 0, f"{name}: page is {overflow['page']}px wider than an {NARROW}px window"
        hidden_charts = page.evaluate(
            "sel => Array.from(document.querySelectorAll(sel)).filter(el => el.scrollWidth > el.clientWidth + 1).length",
            CHART_SELECTOR,
        )
        assert hidden_charts == 0, f"{name}: {hidden_charts} charts need sideways scrolling at {NARROW}px"
        assert page.coop_dialogs == []
    assert blocked == [], f"{name}: tried to load {blocked}"


def test_transparency_tables_fit_the_column(reports: Path) -> None:
    with open_offline(reports / "transparency.html", width=WIDTH) as (page, _blocked):
        assert page_overflow(page)["hidden"] == []


def test_index_links_every_report(reports: Path) -> None:
    with open_offline(reports / "index.html", width=WIDTH, wait_for_charts=False) as (page, blocked):
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
        resolved = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        assert sorted(h for h in hrefs if h.endswith(".html")) == sorted(f"{n}.html" for n in REPORTS)
        for url in resolved:
            assert url.startswith("file://"), url
            target = Path(url.removeprefix("file://").split("#")[0])
            assert target.is_file(), f"index links to {url}, which does not exist"
        text = page.inner_text("body")
        for name in REPORTS:
            assert name in text
        assert text.count("done") >= len(REPORTS)
        assert "52,729" in text  # request_volumes' headline: every request of the sample
        assert page_overflow(page)["page"] <= 0
        assert page.coop_errors == []
    assert blocked == []


# The points of the volume chart (period, platform, requests) and the bars of the linked
# totals chart (platform, the total shown in its tooltip, its length on screen).
_VOLUME_STATE = """sel => {
  const chart = document.querySelector(sel);
  const items = Array.from(chart.querySelectorAll('svg path')).filter(el => el.__data__ && el.__data__.mark);
  const points = items.filter(el => el.__data__.mark.marktype === 'symbol' && el.__data__.datum
                                    && 'period_start' in el.__data__.datum)
    .map(el => { const b = el.getBoundingClientRect(); const d = el.__data__.datum;
                 return {x: b.left + b.width / 2, y: b.top + b.height / 2, start: d.period_start,
                         platform: d.platform, requests: d.requests}; });
  const bars = items.filter(el => el.__data__.mark.marktype === 'rect' && el.__data__.tooltip)
    .map(el => { const b = el.getBoundingClientRect();
                 return {platform: el.__data__.datum.platform, width: b.width, x: b.left + b.width / 2,
                         y: b.top + b.height / 2, tooltip: el.__data__.tooltip}; });
  return {points, bars};
}"""


def _bar_totals(bars: list[dict]) -> dict[str, int]:
    totals = {}
    for bar in bars:
        (value,) = [v for k, v in bar["tooltip"].items() if k.startswith("Requests")]
        totals[bar["platform"]] = int(str(value).replace(",", ""))
    return totals


def test_brushed_range_filters_linked_totals(reports: Path) -> None:
    with open_offline(reports / "request_volumes.html", width=WIDTH) as (page, blocked):
        page.locator(CHART_SELECTOR).first.scroll_into_view_if_needed()
        before = page.evaluate(_VOLUME_STATE, CHART_SELECTOR)
        points, bars = before["points"], before["bars"]
        assert points and bars
        everything: dict[str, int] = {}
        for p in points:
            everything[p["platform"]] = everything.get(p["platform"], 0) + p["requests"]
        assert _bar_totals(bars) == everything  # no brush: the bars add up every period

        # Brush from between the 12th and 13th periods to between the 30th and 31st.
        xs = sorted({round(p["x"], 1) for p in points})
        assert len(xs) > 31, f"only {len(xs)} periods on the volume chart"
        x0, x1 = (xs[11] + xs[12]) / 2, (xs[29] + xs[30]) / 2
        ys = [p["y"] for p in points]
        y = (min(ys) + max(ys)) / 2
        page.mouse.move(x0, y)
        page.mouse.down()
        page.mouse.move(x1, y, steps=12)
        page.mouse.up()
        page.wait_for_timeout(300)

        inside = {p["start"] for p in points if x0 < p["x"] < x1}
        assert len(inside) == 18
        expected: dict[str, int] = {}
        for p in points:
            if p["start"] in inside:
                expected[p["platform"]] = expected.get(p["platform"], 0) + p["requests"]
        after = page.evaluate(_VOLUME_STATE, CHART_SELECTOR)["bars"]
        assert _bar_totals(after) == expected
        assert expected != everything
        # The bars are drawn to the brushed totals (the axis rescales, so compare proportions).
        width = {b["platform"]: b["width"] for b in after}
        top = max(expected, key=expected.get)
        for platform, total in expected.items():
            assert abs(width[platform] - width[top] * total / expected[top]) <= 2, (platform, width, expected)

        # What a reader sees on hovering the longest bar: the brushed total, not the overall one.
        bar = next(b for b in after if b["platform"] == top)
        page.mouse.move(bar["x"], bar["y"], steps=3)
        tooltip = page.locator(TOOLTIP_SELECTOR)
        page.wait_for_function(
            "([sel, want]) => { const el = document.querySelector(sel);"
            " return el && el.classList.contains('visible') && el.innerText.includes(want); }",
            arg=[TOOLTIP_SELECTOR, f"{expected[top]:,}"], timeout=5_000,
        )
        assert top in tooltip.inner_text()
        assert f"{everything[top]:,}" not in tooltip.inner_text()
        assert page.coop_errors == []
    assert blocked == []
