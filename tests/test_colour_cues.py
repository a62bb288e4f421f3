"""Colour is never the only cue (WCAG 2.1, 1.4.1): a reader who cannot tell the colours apart can
still tell every series of every chart apart.

The rule, checked on every chart of every bundled report: a mark coloured by a field also shows that
field another way, in the same unit or in a layer drawn with it — a dash or shape (merged into the
colour's legend), a position (an axis, a facet, an offset, a stack order) or written text. A field
"shows" through its derived twins too (`case_outcome_order` for `case_outcome`, `phase_text` for
`phase`, `method_and_year` for `method`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from browser import open_offline, shared_batch
from coopanalysis.present import charts
from coopanalysis.present.charts.theme import DASHES, SHAPES
from test_reports_browser import CONFIG, chart_specs, spec_title

SECOND_CUES = ("shape", "strokeDash", "x", "y", "row", "column", "facet", "text", "xOffset", "yOffset", "order")


def _field(channel) -> str | None:
    return channel.get("field") if isinstance(channel, dict) else None


def _mark(unit: dict) -> str:
    return unit["mark"]["type"] if isinstance(unit["mark"], dict) else unit["mark"]


def _shows(field: str, shown: set[str]) -> bool:
    return any(s == field or s.startswith(field + "_") for s in shown if s)


def colour_only(spec: dict) -> list[tuple[str, str]]:
    """(field, mark) of every mark in `spec` whose colour field is shown in no other way."""
    found: list[tuple[str, str]] = []

    def cues(node: dict, enc: dict) -> set[str]:  # the fields a unit (or a layer of units) shows
        if "mark" in node:
            return {_field(enc.get(k)) for k in SECOND_CUES} - {None}
        out: set[str] = set()
        for sub in node.get("layer", []):
            out |= cues(sub, {**enc, **sub.get("encoding", {})})
        return out

    def walk(node: dict, enc: dict, around: set[str]) -> None:
        enc = {**enc, **node.get("encoding", {})}
        facet = node.get("facet", {})
        around = around | {_field(facet)} | {_field(facet.get(k)) for k in ("row", "column")} - {None}
        if "mark" in node:
            colour = _field(enc.get("color"))
            if colour and not _shows(colour, around | cues(node, enc)):
                found.append((colour, _mark(node)))
            return
        layered = around | cues(node, enc) if "layer" in node else around
        for sub in node.get("layer", []):
            walk(sub, enc, layered)
        for key in ("vconcat", "hconcat", "concat"):
            for sub in node.get(key, []):
                walk(sub, {}, around)
        if "spec" in node:
            walk(node["spec"], {}, around)

    walk(spec, {}, set())
    return sorted(set(found))


@pytest.fixture(scope="module")
def reports(tmp_path_factory, request) -> Path:
    """The bundled reports of one batch run (the one `test_reports_browser` shares)."""
    return shared_batch(tmp_path_factory, request, "reports-browser", config=CONFIG)


def on_first_chart(reports: Path, name: str, script: str):
    """What `script` (a function of the svg) returns on the first chart of report `name`, opened offline."""
    with open_offline(reports / f"{name}.html") as (page, blocked):
        found = page.eval_on_selector(".coop-chart svg", script)
    assert blocked == []
    return found


def _volumes() -> pl.DataFrame:
    return pl.DataFrame({
        "period_start": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)] * 2,
        "period_end": [dt.date(2024, 1, 31), dt.date(2024, 2, 29)] * 2,
        "platform": ["Telegram", "Telegram", "Google", "Google"],
        "requests": [12, 15, 30, 28],
    })


def test_each_platform_keeps_its_dash_and_shape_in_every_chart() -> None:
    spec = charts.chart_volumes(_volumes()).to_dict()
    line, points = spec["vconcat"][0]["layer"]
    dash, shape = line["encoding"]["strokeDash"], points["encoding"]["shape"]
    assert dash["scale"]["domain"] == ["Google", "Telegram"]
    # Google is the first platform of the registry (solid), Telegram the sixth, whatever else is drawn
    assert dash["scale"]["range"] == [DASHES[0], DASHES[5]]
    assert shape["scale"]["range"] == [SHAPES[0], SHAPES[5]]
    assert dash["legend"] == shape["legend"] == {"title": "Platform"}  # one legend with the colour's


def test_a_colour_only_chart_is_caught() -> None:
    import altair as alt

    bare = alt.Chart(_volumes()).mark_line().encode(x="period_start:T", y="requests:Q", color="platform:N")
    assert colour_only(bare.to_dict()) == [("platform", "line")]
    assert colour_only(charts.chart_volumes(_volumes()).to_dict()) == []


@pytest.mark.browser
def test_no_chart_of_any_bundled_report_tells_its_series_by_colour_alone(reports: Path) -> None:
    left, seen = [], 0
    for executed in sorted((reports / "executed").glob("*.ipynb")):
        for spec in chart_specs(executed):
            if spec:
                seen += 1
                left += [f"{executed.stem}: {spec_title(spec)[:60]} — {f} ({m})" for f, m in colour_only(spec)]
    assert seen >= 20 and left == [], "\n".join(left)


@pytest.mark.browser
def test_the_legend_shows_each_platform_with_its_own_dash(reports: Path) -> None:
    legend = on_first_chart(reports, "request_volumes", """svg => [...svg.querySelectorAll('.role-legend-label text')]
        .map((t, i) => {
          const symbol = svg.querySelectorAll('.role-legend-symbol path')[i];
          return [t.textContent, symbol ? symbol.getAttribute('stroke-dasharray') || 'solid' : null];
        })""")
    names = [name for name, _dash in legend]
    dashes = [dash for _name, dash in legend]
    assert {"Google", "Telegram", "Meta"} <= set(names), legend
    assert len(set(dashes)) == len(dashes), legend  # no two platforms share a dash


def test_a_platform_outside_the_registry_takes_a_dash_no_other_series_of_the_chart_has() -> None:
    from coopanalysis.present.charts.theme import series_places

    places = series_places(["Google", "Amazon", "OKX", "Kakao", "Naver"])
    assert places["Google"] == 0 and places["OKX"] == 11  # registry places, the same in every report
    assert places["Kakao"] == 1 and places["Naver"] == 2  # the first free places, in name order
    assert len(set(places.values())) == 5
    assert series_places(["Tor", "Signal"]) == {"Signal": 0, "Tor": 1}  # any other field: sorted


@pytest.mark.browser
def test_the_highlighted_country_is_named_in_bold_not_only_coloured(reports: Path) -> None:
    weights = on_first_chart(reports, "transparency", """svg => Object.fromEntries(
        [...svg.querySelectorAll('.role-axis-label text')].map(t => [t.textContent, t.getAttribute('font-weight')]))""")
    assert weights["South Korea"] == "700", weights
    assert {w for name, w in weights.items() if name != "South Korea" and not name[:1].isdigit()} == {"400"}
