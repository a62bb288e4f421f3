"""Static export through vl-convert: Korean text is drawn as real glyphs, files replaced atomically."""

from __future__ import annotations

import io
import re

import altair as alt
import polars as pl
import pytest

from coopanalysis.present import charts, export
from coopanalysis.errors import CoopAnalysisError

PIL = pytest.importorskip("PIL.Image")

DATA = pl.DataFrame({"agency": ["서울경찰청", "부산경찰청"], "requests": [30, 10], "share": [0.75, 0.25]})


def _chart(title: str) -> alt.Chart:
    charts.enable_theme()
    return alt.Chart(DATA).mark_bar().encode(
        x="requests:Q", y="agency:N", tooltip=["agency:N"]
    ).properties(title=alt.TitleParams(title or " ", fontSize=28), width=300, height=80)


def _title_band(png: bytes):
    image = PIL.open(io.BytesIO(png)).convert("L")
    return image, image.crop((0, 0, image.width, 45))


def _dark_pixels(region) -> int:
    return sum(1 for v in region.tobytes() if v < 128)


def test_register_fonts_finds_the_cjk_directory():
    directory = export.register_fonts()
    assert directory is not None


def test_korean_title_is_drawn_as_glyphs_not_tofu():
    korean = export.chart_to_png(_chart("수사협조요청"), scale=1)
    blank = export.chart_to_png(_chart(""), scale=1)
    _, with_title = _title_band(korean)
    _, without = _title_band(blank)
    assert _dark_pixels(without) == 0
    assert _dark_pixels(with_title) > 300
    # missing glyphs (tofu) draw the same box for every Hangul syllable: two different titles of
    # the same length must give different pixels
    other = export.chart_to_png(_chart("텔레그램응답"), scale=1)
    assert _title_band(other)[1].tobytes() != with_title.tobytes()


def test_svg_keeps_korean_text_with_a_korean_font_first():
    svg = export.chart_to_svg(_chart("요청 건수"))
    assert svg.startswith("<svg")
    title = re.search(r"<text[^>]*>요청 건수</text>", svg)
    assert title, "the Korean title is not in the SVG as text"
    assert "Noto Sans CJK KR" in title.group(0)


def test_save_chart_replaces_atomically_and_refuses_other_formats(tmp_path):
    out = export.save_chart(_chart("요청"), tmp_path / "chart.png", scale=1)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(CoopAnalysisError, match="as .png or .svg only"):
        export.save_chart(_chart("요청"), tmp_path / "chart.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.png"]
    assert out.stat().st_mode & 0o777 == 0o644  # an exported chart is for readers (core.files.PUBLIC_FILE)


def test_save_chart_keeps_the_good_file_when_drawing_fails(tmp_path, monkeypatch):
    good = export.save_chart(_chart("요청"), tmp_path / "chart.svg")
    before = good.read_bytes()

    def broken(chart):
        raise RuntimeError("vl-convert failed")

    monkeypatch.setattr(export, "chart_to_svg", broken)
    with pytest.raises(RuntimeError, match="vl-convert failed"):
        export.save_chart(_chart("요청"), good)
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.svg"]
