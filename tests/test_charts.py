"""Chart builders: encodings, selections, tooltips on every mark, and inline data = the aggregated rows."""

from __future__ import annotations

import datetime as dt
import json
import re

import altair as alt
import polars as pl
import pytest

from coopanalysis.present import charts
from coopanalysis.core.names import PLATFORM_COLOURS

D = dt.date


def _units(spec: dict) -> list[dict]:
    """Every unit spec (one with a mark) in a layered / concatenated spec."""
    out = []
    if "mark" in spec:
        out.append(spec)
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for sub in spec.get(key, []):
            out.extend(_units(sub))
    if "spec" in spec:  # a faceted chart's panel
        out.extend(_units(spec["spec"]))
    return out


def _params(spec: dict) -> list[dict]:
    found = list(spec.get("params", []))
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for sub in spec.get(key, []):
            found.extend(_params(sub))
    return found


def _encoding(unit: dict, parent: dict) -> dict:
    shared = {**parent.get("encoding", {}), **parent.get("spec", {}).get("encoding", {})}
    return {**shared, **unit.get("encoding", {})}


def _enc(spec: dict) -> dict:
    """Encoding of the first mark, with encodings shared at the top level."""
    return _encoding(_units(spec)[0], spec)


def _check_common(chart: alt.TopLevelMixin, df: pl.DataFrame) -> dict:
    spec = chart.to_dict()
    text = json.dumps(spec)
    assert '"url"' not in text  # data travel inline, never as a file or URL
    datasets = spec["datasets"]
    # the aggregated frame is embedded as it is: same number of rows, same columns
    main = [rows for rows in datasets.values() if rows and set(df.columns) <= set(rows[0])]
    assert main, "the frame's rows are not embedded"
    assert len(main[0]) == df.height
    assert all("request_id" not in row for rows in datasets.values() for row in rows)
    fields = set().union(*(set(row) for rows in datasets.values() for row in rows))
    computed = {t.get("as") for u in [spec, *_units(spec)] for t in u.get("transform", [])}
    for unit in _units(spec):
        enc = _encoding(unit, spec)
        assert "tooltip" in enc, f"mark {unit['mark']} has no tooltip"
        tips = enc["tooltip"] if isinstance(enc["tooltip"], list) else [enc["tooltip"]]
        for tip in tips:  # a tooltip naming a field the page lacks shows "undefined"
            if "field" in tip:
                assert tip["field"] in fields | computed, f"tooltip field {tip['field']} is not in the data"
                assert not (tip["field"] in charts.CODE_FIELDS and tip["type"] == "nominal"), (
                    f"tooltip shows the code {tip['field']}, not its text")
    return spec


VOLUMES = pl.DataFrame(
    {
        "period_start": [D(2024, 1, 1), D(2024, 1, 1), D(2024, 2, 1), D(2024, 2, 1)],
        "period_end": [D(2024, 1, 31), D(2024, 1, 31), D(2024, 2, 29), D(2024, 2, 29)],
        "platform": ["Google", "Telegram", "Google", "Telegram"],
        "requests": [10, 0, 12, 2],
    }
)


def test_theme_registers_once_with_korean_font_and_enables():
    assert charts.enable_theme() == "coopanalysis"
    charts.enable_theme()
    assert alt.theme.active == "coopanalysis"
    spec = alt.Chart(VOLUMES).mark_point().encode(x="requests:Q").to_dict()
    assert "Noto Sans CJK KR" in spec["config"]["font"]
    assert spec["config"]["title"]["font"].endswith("sans-serif")


def test_platform_colour_fixed_and_stable_for_unknown_names():
    assert charts.platform_colour("Telegram") == PLATFORM_COLOURS["Telegram"]
    assert charts.platform_colour("OKX") == charts.platform_colour("OKX")
    scale = charts.platform_scale(["Telegram", "Google"]).to_dict()
    assert scale == {"domain": ["Google", "Telegram"], "range": [PLATFORM_COLOURS["Google"], PLATFORM_COLOURS["Telegram"]]}


def test_chart_volumes_brush_filters_linked_totals_and_legend_focus():
    spec = _check_common(charts.chart_volumes(VOLUMES), VOLUMES)
    top, bottom = spec["vconcat"]
    params = {p["name"]: p for p in _params(spec)}
    assert params["brush"]["select"] == {"type": "interval", "encodings": ["x"]}
    assert params["focus"]["bind"] == "legend" and params["focus"]["select"]["fields"] == ["platform"]
    assert top["encoding"]["x"] == {"field": "period_start", "type": "temporal", "title": "Period start"}
    assert {"filter": {"param": "brush"}} in bottom["transform"]
    assert bottom["encoding"]["x"]["aggregate"] == "sum"
    colour = top["encoding"]["color"]
    assert colour["scale"]["domain"] == ["Google", "Telegram"]
    assert colour["scale"]["range"] == [PLATFORM_COLOURS["Google"], PLATFORM_COLOURS["Telegram"]]
    titles = [t["title"] for t in top["encoding"]["tooltip"]]
    assert titles == ["Platform", "Period start", "Period end", "Requests"]


def test_chart_volumes_refuses_raw_rows_and_lazy_frames():
    raw = VOLUMES.with_columns(request_id=pl.lit("R1"))
    with pytest.raises(ValueError, match="raw rows"):
        charts.chart_volumes(raw)
    with pytest.raises(TypeError, match="collected polars DataFrame"):
        charts.chart_volumes(VOLUMES.lazy())
    with pytest.raises(ValueError, match="columns requests missing"):
        charts.chart_volumes(VOLUMES.drop("requests"))


def test_many_aggregated_rows_embed_but_too_many_are_refused():
    charts.enable_theme()
    days = pl.date_range(D(2020, 1, 1), D(2025, 6, 30), "1d", eager=True)
    daily = pl.DataFrame({"period_start": days, "period_end": days}).join(
        pl.DataFrame({"platform": ["Google", "Meta", "Telegram", "X"]}), how="cross"
    ).with_columns(requests=pl.lit(1))
    spec = charts.chart_volumes(daily).to_dict()  # 8,020 rows: more than altair's default limit
    assert len(next(iter(spec["datasets"].values()))) == daily.height
    with pytest.raises(ValueError, match="too many to draw"):
        charts.chart_volumes(pl.concat([daily] * 7))


def test_empty_frames_give_charts_not_errors():
    empty = VOLUMES.head(0)
    spec = charts.chart_volumes(empty).to_dict()
    assert list(spec["datasets"].values()) == [[]]


GROWTH = pl.DataFrame(
    {
        "period_start": [D(2020, 1, 1), D(2021, 1, 1), D(2022, 1, 1)],
        "period_end": [D(2020, 12, 31), D(2021, 12, 31), D(2022, 6, 30)],
        "period_label": ["2020", "2021", "2022 (1 Jan–30 Jun)"],
        "requests": [7560, 12771, 5000],
        "base": [None, 7560, 6000],
        "growth": [None, 0.689, -0.1667],
        "growth_note": ["no figure for the base period", None, None],
    }
)


def test_chart_growth_null_is_a_gap_with_its_reason_in_a_tooltip():
    spec = _check_common(charts.chart_growth(GROWTH, by=None), GROWTH)
    units = _units(spec)
    line = next(u for u in units if u["mark"]["type"] == "line")
    assert line["mark"]["invalid"] == "break-paths-show-domains"
    gap = next(u for u in units if u["mark"]["type"] == "rule" and "transform" in u)
    assert gap["transform"] == [{"filter": "!isValid(datum.growth)"}]
    assert {"field": "growth_note", "type": "nominal", "title": "Why no growth"} in gap["encoding"]["tooltip"]
    assert line["encoding"]["x"]["field"] == "period_label"  # the like-for-like label, e.g. 2022 (1 Jan–30 Jun)


def test_chart_growth_by_platform_has_legend_focus():
    df = GROWTH.with_columns(platform=pl.lit("Telegram"))
    spec = charts.chart_growth(df, by="platform").to_dict()
    assert any(p.get("bind") == "legend" for p in _params(spec))
    line = next(u for u in _units(spec) if u["mark"]["type"] == "line")
    assert line["encoding"]["color"]["scale"]["range"] == [PLATFORM_COLOURS["Telegram"]]


PROJECTION = pl.DataFrame(
    {
        "year": [2023, 2024, 2024],
        "kind": ["observed", "observed", "projected"],
        "method": ["observed", "observed so far", "run rate"],
        "requests": [8961.0, 5161.0, 8868.2],
        "low": [None, None, 8627.9],
        "high": [None, None, 9113.5],
        "period_start": [D(2023, 1, 1), D(2024, 1, 1), D(2024, 1, 1)],
        "period_end": [D(2023, 12, 31), D(2024, 7, 31), D(2024, 7, 31)],
        "basis": [None, None, "213 days observed, scaled to 366"],
    }
)


def test_chart_projection_interval_rule_and_point():
    spec = _check_common(charts.chart_projection(PROJECTION), PROJECTION)
    units = _units(spec)
    rule = next(u for u in units if u["mark"]["type"] == "rule")
    assert rule["encoding"]["y"]["field"] == "low" and rule["encoding"]["y2"]["field"] == "high"
    point = next(u for u in units if u["mark"]["type"] == "point")
    assert point["transform"] == [{"filter": "datum.kind === 'projected'"}]
    rows = next(iter(spec["datasets"].values()))
    assert [r["method_and_year"] for r in rows] == ["2023", "2024 so far", "2024 run rate"]


SHARES = pl.DataFrame(
    {
        "platform": ["Google", "Telegram"],
        "period_start": [D(2024, 1, 1), D(2024, 1, 1)],
        "period_end": [D(2024, 3, 31), D(2024, 3, 31)],
        "requests": [100, 212],
        "answered": [90, 3],
        "answered_share": [0.9, 3 / 212],
        "ci_low": [0.83, 0.0048],
        "ci_high": [0.94, 0.0408],
    }
)


def test_chart_answered_share_points_with_wilson_bars():
    spec = _check_common(charts.chart_answered_share(SHARES), SHARES)
    units = _units(spec)
    rule = next(u for u in units if u["mark"]["type"] == "rule")
    enc = _encoding(rule, spec)
    assert enc["y"]["field"] == "ci_low" and enc["y2"]["field"] == "ci_high"
    assert enc["y"]["scale"] == {"domain": [0, 1]}
    tips = {t["field"]: t for t in enc["tooltip"]}
    assert tips["answered_share"]["format"] == ".1%" and tips["ci_high"]["title"] == "95% CI high"
    assert any(p.get("bind") == "legend" for p in _params(spec))


def test_chart_share_by_crime_type():
    df = SHARES.drop("period_start", "period_end").rename({"platform": "crime_type"})
    spec = _check_common(charts.chart_share_by(df, by="crime_type"), df)
    assert _enc(spec)["y"]["sort"] == {"field": "answered_share", "order": "descending"}


KM = pl.DataFrame(
    {
        "platform": ["Google"] * 3 + ["Telegram"] * 2,
        "days": [0, 3, 10, 0, 30],
        "at_risk": [4, 4, 2, 2, 2],
        "responded": [0, 2, 1, 0, 0],
        "censored": [0, 0, 1, 0, 2],
        "waiting": [1.0, 0.5, 0.25, 1.0, 1.0],
        "ci_low": [1.0, 0.1, 0.0, 1.0, 1.0],
        "ci_high": [1.0, 0.9, 0.67, 1.0, 1.0],
    }
)


def test_chart_time_to_response_step_curves_with_band():
    spec = _check_common(charts.chart_time_to_response(KM, max_days=None), KM)
    clipped = charts.chart_time_to_response(KM, max_days=20).to_dict()
    rows = next(iter(clipped["datasets"].values()))
    # one row per day up to the axis' end (Google's curve ends at its last day, 10; Telegram's at 20)
    assert [r["days"] for r in rows if r["platform"] == "Google"] == list(range(11))
    assert [r["days"] for r in rows if r["platform"] == "Telegram"] == list(range(21))
    day5 = next(r for r in rows if r["platform"] == "Google" and r["days"] == 5)
    assert (day5["waiting"], day5["at_risk"], day5["responded"]) == (0.5, 2, 0)
    units = _units(spec)
    line = next(u for u in units if u["mark"]["type"] == "line")
    area = next(u for u in units if u["mark"]["type"] == "area")
    assert line["mark"]["interpolate"] == "step-after" and area["mark"]["interpolate"] == "step-after"
    assert area["encoding"]["y"]["field"] == "ci_low" and area["encoding"]["y2"]["field"] == "ci_high"
    assert "scale" not in _enc(spec)["x"]
    assert _enc(clipped)["x"]["scale"] == {"domain": [0, 20]}
    assert line["mark"]["clip"] is True  # curves beyond a year are cut at the axis, not drawn over it
    assert _enc(spec)["color"]["scale"]["domain"] == ["Google", "Telegram"]


MIX = pl.DataFrame(
    {
        "platform": ["Google", "Google", "Telegram"],
        "case_outcome": ["arrested", "suspended_untraceable", "suspended_untraceable"],
        "cases": [3, 1, 2],
        "share": [0.75, 0.25, 1.0],
    }
)


def test_chart_outcome_mix_fixed_outcome_colours_in_order():
    spec = _check_common(charts.chart_outcome_mix(MIX), MIX)
    colour = spec["encoding"]["color"]
    assert colour["scale"] == {"domain": ["arrested", "suspended_untraceable"],
                               "range": [charts.OUTCOME_COLOURS["arrested"], charts.OUTCOME_COLOURS["suspended_untraceable"]]}
    # shares stacked on a fixed 0–100% axis, not renormalised: a hidden (suppressed) outcome leaves a gap
    # instead of inflating the shares shown
    assert spec["encoding"]["x"]["stack"] == "zero" and spec["encoding"]["x"]["scale"]["domain"] == [0, 1]


FUNNEL = pl.DataFrame(
    {
        "stage": ["requested", "answered", "suspect identified", "arrested"],
        "stage_order": pl.Series([0, 1, 2, 3], dtype=pl.Int8),
        "cases": [10, 8, 4, 1],
        "share_of_requested": [1.0, 0.8, 0.4, 0.1],
    }
)


def test_chart_funnel_stages_in_order_labelled_with_share():
    spec = _check_common(charts.chart_funnel(FUNNEL), FUNNEL)
    assert _enc(spec)["x"]["sort"] == ["requested", "answered", "suspect identified", "arrested"]
    text = next(u for u in _units(spec) if u["mark"]["type"] == "text")
    assert text["encoding"]["text"] == {"field": "share_of_requested", "type": "quantitative", "format": ".1%"}


UNTRACEABLE = pl.DataFrame(
    {
        "platform": ["Google", "Telegram"],
        "requests": [100, 20],
        "answered": [90, 1],
        "suspended": [10, 12],
        "answered_share": [0.9, 0.05],
        "suspended_share": [0.1, 0.6],
        "suspended_ci_low": [0.05, 0.39],
        "suspended_ci_high": [0.17, 0.78],
    }
)


def test_chart_untraceable_scatter_with_intervals():
    spec = _check_common(charts.chart_untraceable(UNTRACEABLE), UNTRACEABLE)
    assert _enc(spec)["x"]["field"] == "answered_share"
    circle = next(u for u in _units(spec) if u["mark"]["type"] == "circle")
    assert _encoding(circle, spec)["y"]["field"] == "suspended_share"
    assert _encoding(circle, spec)["size"]["field"] == "requests"


def test_chart_top_agencies_sorted_bars():
    df = pl.DataFrame({"agency": ["서울경찰청", "Busan"], "requests": [30, 10], "share": [0.75, 0.25]})
    spec = _check_common(charts.chart_top_agencies(df), df)
    assert spec["encoding"]["y"]["sort"] == "-x"
    assert [r["agency"] for r in next(iter(spec["datasets"].values()))] == ["서울경찰청", "Busan"]


def test_chart_growth_clips_an_outlier_at_the_edge_and_keeps_its_value_in_the_tooltip():
    df = GROWTH.with_columns(platform=pl.lit("Google")).vstack(
        GROWTH.with_columns(platform=pl.lit("Telegram"), growth=pl.Series([None, 29.0, 0.5])))
    spec = _check_common(charts.chart_growth(df, by="platform"), df)
    units = _units(spec)
    line = next(u for u in units if u["mark"]["type"] == "line")
    assert line["encoding"]["y"]["field"] == "growth_shown" and line["encoding"]["y"]["scale"]["domain"] == [-1.0, 2.0]
    edge = [u for u in units if isinstance(u["mark"], dict) and u["mark"].get("shape") == "triangle-up"]
    assert edge and {"filter": "datum.beyond"} in edge[0]["transform"]
    assert any(t["field"] == "growth" and t["format"] == "+.1%" for t in edge[0]["encoding"]["tooltip"])
    assert any("+200%" in line for line in spec["title"]["subtitle"])
    # without an outlier the scale is the data's own
    plain = charts.chart_growth(GROWTH.with_columns(platform=pl.lit("Google")), by="platform").to_dict()
    assert next(u for u in _units(plain) if u["mark"]["type"] == "line")["encoding"]["y"]["field"] == "growth"


def test_chart_answered_share_many_platforms_are_small_multiples():
    names = ["Google", "Meta", "Apple", "X", "Telegram", "Discord"]
    df = pl.concat([SHARES.head(1).with_columns(platform=pl.lit(n)) for n in names])
    spec = _check_common(charts.chart_answered_share(df), df)
    assert spec["facet"]["field"] == "platform" and spec["columns"] == 3
    rule = next(u for u in _units(spec) if u["mark"]["type"] == "rule")
    assert _encoding(rule, spec)["y"]["scale"] == {"domain": [0, 1]}


def test_untraceable_labels_never_overprint():
    close = pl.DataFrame({
        "platform": ["Google", "Meta", "Apple", "Telegram"], "requests": [100, 90, 80, 10],
        "answered_share": [0.85, 0.86, 0.85, 0.10], "suspended_share": [0.12, 0.125, 0.121, 0.6],
    })
    places = charts.placement.label_places(close, by="platform", x="answered_share", y="suspended_share",
                                           y_max=1.0)
    # Meta's point sits just right of Google's: Google's name goes left, Meta's right, and Apple,
    # on top of both, gets the room above; Telegram, far away, keeps the first side tried
    assert [p.side for p in places] == ["left", "right", "above", "right"]
    # no two label boxes (6.5 px a character, 14 px a line, on the 480 x 300 plot) overlap
    boxes = []
    for name, place in zip(close["platform"], places):
        px, py = place.x * 480, 300 - place.y * 300
        w = len(name) * 6.5
        left = {"right": px, "left": px - w}.get(place.side, px - w / 2)
        boxes.append((left, py - 7, left + w, py + 7))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3], (a, b)
    # Google's label ends left of its own circle (radius of 600 px^2 area: 13.8 px)
    assert boxes[0][2] < 0.85 * 480 - 13.8
    spec = charts.chart_untraceable(UNTRACEABLE).to_dict()
    texts = [u for u in _units(spec) if u["mark"]["type"] == "text"]
    assert [t["transform"] for t in texts] == [[{"filter": f"datum.label_side === '{side}'"}]
                                               for side in ("right", "left", "above", "below")]
    assert {t["encoding"]["x"]["field"] for t in texts} == {"label_x"}


def test_untraceable_axis_starts_below_the_lowest_answered_share():
    df = UNTRACEABLE.with_columns(answered_share=pl.Series([0.92, 0.67]))  # Google, Telegram
    spec = charts.chart_untraceable(df).to_dict()
    rule = next(u for u in _units(spec) if u["mark"]["type"] == "rule")
    assert _encoding(rule, spec)["x"]["scale"]["domain"] == [0.6, 1]
    assert any("axis starts at 60%" in line for line in spec["title"]["subtitle"])


def test_share_dot_plot_axis_stays_within_0_and_100_percent():
    from coopanalysis.present.charts.outcomes import share_domain

    assert share_domain(pl.DataFrame({"ci_low": [0.342, 0.61], "ci_high": [0.97, 1.0]})) == [0.3, 1.0]
    assert share_domain(pl.DataFrame({"ci_low": [0.811], "ci_high": [0.889]})) == [0.8, 0.9]
    assert share_domain(pl.DataFrame({"ci_low": [None], "ci_high": [None]}, schema={"ci_low": pl.Float64,
                                                                                    "ci_high": pl.Float64})) == [0.0, 1.0]


def test_top_agencies_title_is_plural():
    df = pl.DataFrame({"agency": ["Busan"], "requests": [10], "share": [1.0]})
    assert charts.chart_top_agencies(df).to_dict()["title"] == {"text": "Agencies with the most requests"}


def test_code_values_read_as_words_on_axes_and_legends() -> None:
    import polars as pl
    import vl_convert

    from coopanalysis.present import charts

    mix = pl.DataFrame({"crime_type": ["child_sexual_exploitation"], "case_outcome": ["suspended_untraceable"],
                        "cases": [12], "share": [1.0]})
    chart = charts.chart_outcome_mix(mix, by="crime_type")
    spec = chart.to_dict()
    svg = vl_convert.vegalite_to_svg(chart.to_json())  # drawn: the axis and legend read as the tables do
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "child sexual exploitation" in texts and "suspended (suspect untraceable)" in texts
    assert not [t for t in texts if "_" in t]  # no code drawn as written
    values = next(iter(spec["datasets"].values()))
    assert values[0]["case_outcome"] == "suspended_untraceable"  # the data keep the code
    by_platform = charts.chart_outcome_mix(mix.rename({"crime_type": "platform"}), by="platform").to_dict()
    assert "axis" not in by_platform["encoding"]["y"]  # platform names are shown as written


def test_a_code_reads_in_the_words_of_its_own_field() -> None:
    """Crime type "other" was drawn "other channel" (the channel table's words for "other"), and
    a growth chart's crime-type legend showed the codes as written."""
    import vl_convert

    mix = pl.DataFrame({"crime_type": ["other", "fraud"], "case_outcome": ["arrested", "arrested"],
                        "cases": [3, 4], "share": [1.0, 1.0]})
    texts = re.findall(r"<text[^>]*>([^<]*)</text>",
                       vl_convert.vegalite_to_svg(charts.chart_outcome_mix(mix, by="crime_type").to_json()))
    assert "other crimes" in texts and "other channel" not in texts
    growth = GROWTH.with_columns(crime_type=pl.lit("child_sexual_exploitation")).drop("platform", strict=False)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>",
                       vl_convert.vegalite_to_svg(charts.chart_growth(growth, by="crime_type").to_json()))
    assert "child sexual exploitation" in texts and "child_sexual_exploitation" not in texts


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_no_two_colours_of_a_palette_are_hard_to_tell_apart() -> None:
    """Seoul and Daegu were drawn in #228833 and #117733, one green to a reader: every pair of
    category colours, and of platform colours, is at least 40 apart in RGB (Euclidean; those two were 24)."""
    from coopanalysis.core.names import PLATFORM_COLOURS
    from coopanalysis.present.charts.theme import CATEGORY_PALETTE

    for palette in (CATEGORY_PALETTE, tuple(PLATFORM_COLOURS.values())):
        close = [(a, b) for i, a in enumerate(palette) for b in palette[i + 1:]
                 if sum((x - y) ** 2 for x, y in zip(_rgb(a), _rgb(b), strict=True)) ** 0.5 < 40]
        assert close == []


def test_the_share_by_crime_type_axis_shows_the_spread_of_the_shares() -> None:
    import polars as pl
    import vl_convert

    from coopanalysis.present import charts

    df = pl.DataFrame({"crime_type": ["fraud", "hacking"], "requests": [1000, 1000], "answered": [820, 870],
                       "answered_share": [0.82, 0.87], "ci_low": [0.80, 0.85], "ci_high": [0.84, 0.89]})
    svg = vl_convert.vegalite_to_svg(charts.chart_share_by(df).to_json())
    ticks = [float(t.rstrip("%")) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.endswith("%")]
    assert 75 <= min(ticks) and max(ticks) <= 95 and len(ticks) >= 4  # a 0-100% axis hid an 82-87% spread


def test_small_multiples_give_each_platform_its_own_scale_largest_first() -> None:
    import vl_convert

    spec = charts.chart_volumes_each(VOLUMES).to_dict()
    assert spec["resolve"]["scale"]["y"] == "independent"
    totals = VOLUMES.group_by("platform").agg(pl.col("requests").sum()).sort("requests", descending=True)
    assert spec["facet"]["sort"] == totals["platform"].to_list()
    svg = vl_convert.vegalite_to_svg(charts.chart_volumes_each(VOLUMES).to_json())
    headers = [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t in totals["platform"].to_list()]
    assert headers == totals["platform"].to_list()  # one panel per platform, in that order


def test_projection_year_labels_are_level_lines_never_slanted():
    """A slanted "2025 so far" ran off the chart's left edge on a small log and read "far"."""
    import vl_convert as vlc

    df = pl.DataFrame({"year": [2025, 2025, 2025], "kind": ["observed", "projected", "projected"],
                       "method": ["observed so far", "run rate", "seasonal share"],
                       "requests": [10.0, 23.0, 23.0], "low": [None, 10.0, 11.0], "high": [None, 36.0, 35.0]})
    spec = charts.chart_projection(df).to_dict()
    axis = next(u for u in _units(spec) if u["mark"]["type"] == "bar")["encoding"]["x"]["axis"]
    assert axis["labelAngle"] == 0 and "split(datum.label, ' ')" in axis["labelExpr"]
    svg = vlc.vegalite_to_svg(spec)
    assert all(word in svg for word in (">2025<", ">so<", ">far<", ">seasonal<", ">share<"))
