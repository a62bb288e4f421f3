"""Notebook-side helpers: escaped prose and tables, headline figures, report setup."""

from __future__ import annotations

import datetime as dt
import math
import sys
import types

import altair as alt
import polars as pl
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from nbconvert.filters import markdown2html

from coopanalysis.present import display
from coopanalysis import html as render  # the html package API: sanitize_html, HEADLINE_MIME


@pytest.fixture
def captured():
    """Outputs displayed inside the block, as a kernel would publish them."""
    InteractiveShell.instance()

    def run(fn, *args, **kwargs):
        with capture_output() as cap:
            fn(*args, **kwargs)
        return [(o.data, o.metadata) for o in cap.outputs]

    return run


# ------------------------------------------------------------------------------- say


@pytest.mark.parametrize(
    ("value", "forbidden"),
    [
        ("<b>x</b>", "<b>"),
        ("</script><img src=x onerror=alert(1)>", "<img"),
        ("[click](javascript:alert(1))", "<a"),
        ("<https://evil.example>", "<a"),
        ("https://evil.example/x", "<a"),
        ("![p](https://evil.example/p.png)", "<img"),
        ("x\n# Heading", "<h1"),
        ("x\n\n- item", "<li"),
        ("**bold** _it_ `code`", "<strong"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "<table"),
    ],
)
def test_say_values_cannot_add_markup(value: str, forbidden: str) -> None:
    text = display.format_markdown("Platform: {p}.", p=value)
    rendered = markdown2html(text)
    assert forbidden not in rendered
    assert rendered.startswith("<p>Platform: ") and rendered.count("<p>") == 1


def test_say_shows_the_value_literally() -> None:
    rendered = markdown2html(display.format_markdown("**{p}** got {n:,} requests ({s:.1%}).", p="<b>x</b> & [y]", n=12771, s=0.689))
    assert rendered == "<p><strong>&lt;b&gt;x&lt;/b&gt; &amp; [y]</strong> got 12,771 requests (68.9%).</p>\n"


def test_say_displays_markdown_and_plain_text(captured) -> None:
    [(data, _)] = captured(display.say, "**{p}** answered {n}", p="<i>Telegram</i>", n=3)
    assert data["text/markdown"] == "**&lt;i&gt;Telegram&lt;/i&gt;** answered 3"
    assert data["text/plain"] == "**<i>Telegram</i>** answered 3"


# ------------------------------------------------------------------------- show_table


def test_table_html_formats_and_escapes() -> None:
    df = pl.DataFrame(
        {
            "platform": ["<b>x</b>", "Telegram", None],
            "requests": [1234567, 12771, None],
            "ratio": [0.6891, None, 12345.678],
            "first": [dt.date(2021, 1, 1), None, dt.date(2020, 7, 1)],
        }
    )
    html = display.table_html(df, caption="Requests <2021>")
    assert "<caption>Requests &lt;2021&gt;</caption>" in html
    assert '<th class="num" scope="col">requests</th>' in html
    assert "<td>&lt;b&gt;x&lt;/b&gt;</td>" in html and "<b>" not in html
    assert '<td class="num">1,234,567</td>' in html and '<td class="num">12,771</td>' in html
    assert '<td class="num">0.689</td>' in html and '<td class="num">12,345.68</td>' in html
    assert "<td>2021-01-01</td>" in html
    assert html.count('<td class="null">–</td>') == 4
    assert html.count("<tr>") == 4  # header + 3 rows


def test_table_html_years_without_separator_and_shares_as_percent() -> None:
    df = pl.DataFrame(
        {
            "year": [2013, 2024], "Year": [2013.0, None], "first_year": [2009, 2010],
            "answered_share": [0.5423, 1.0], "Emergency share": [0.001, None], "growth": [0.689, -0.043],
            "requests": [2013, 12345],
        }
    )
    html = display.table_html(df)
    first_row = html.split("<tr>")[2]
    assert first_row.count('<td class="num">2013</td>') == 2 and '<td class="num">2,013</td>' in first_row
    assert '<td class="num">2009</td>' in html  # first_year: a year too
    assert '<td class="num">54.2%</td>' in html and '<td class="num">100.0%</td>' in html
    assert '<td class="num">0.1%</td>' in html
    assert '<td class="num">+68.9%</td>' in html and '<td class="num">−4.3%</td>' in html
    assert "0.542" not in html


def test_table_html_says_when_rows_are_cut() -> None:
    html = display.table_html(pl.DataFrame({"n": list(range(250))}), max_rows=200)
    assert html.count("<tr>") == 201
    assert "Showing the first 200 of 250 rows." in html


def test_show_table_rejects_lazy_frames_and_displays_html(captured) -> None:
    with pytest.raises(TypeError, match="collect"):
        display.show_table(pl.LazyFrame({"a": [1]}))
    [(data, _)] = captured(display.show_table, pl.DataFrame({"a": [1000]}), caption="c")
    assert '<td class="num">1,000</td>' in data["text/html"]
    assert data["text/plain"].startswith("c\n")
    # the offline page keeps the table (its sanitiser allows every tag we emit)
    assert render.sanitize_html(data["text/html"]) == data["text/html"]


# --------------------------------------------------------------------------- headline


def test_headline_displays_its_payload(captured) -> None:
    [(data, _)] = captured(
        display.headline, "requests_2021", pl.Series([12771]).sum(), label="Requests in 2021", interval=(12000, 13500)
    )
    assert data[render.HEADLINE_MIME] == {
        "name": "requests_2021",
        "value": 12771,
        "label": "Requests in 2021",
        "interval": [12000, 13500],
        "unit": None,
    }
    assert data["text/plain"] == "Headline Requests in 2021: 12,771 (12,000 to 13,500)"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(0.001585, "growth", "+0.2%"), (-0.0431, "growth", "−4.3%"), (0.8439, "share", "84.4%"),
     (8921, "count", "8,921"), (11, "days", "11 days"), (None, "share", "–"), (1.055, None, "1.055")],
)
def test_headline_values_read_by_unit(value, unit, text) -> None:
    assert display.format_headline_value(value, unit) == text


def test_headline_payload_checks_its_input() -> None:
    assert display.headline_payload("g", math.nan)["value"] is None
    assert display.headline_payload("g", 0.5, interval=[0.4, math.inf])["interval"] == [0.4, None]
    with pytest.raises(ValueError, match="interval must be"):
        display.headline_payload("g", 1, interval=(1, 2, 3))
    with pytest.raises(ValueError, match="non-empty name"):
        display.headline_payload(" ", 1)
    with pytest.raises(TypeError, match="number, text or None"):
        display.headline_payload("g", [1, 2])


# ---------------------------------------------------------------------- setup_report


def test_setup_report_enables_renderer_and_theme_when_present(monkeypatch) -> None:
    calls = []
    charts = types.ModuleType("coopanalysis.present.charts")
    charts.enable_theme = lambda: calls.append("theme")
    monkeypatch.setitem(sys.modules, "coopanalysis.present.charts", charts)
    try:
        display.setup_report()
        assert alt.renderers.active == "coopanalysis"
        assert calls == ["theme"]
    finally:
        alt.renderers.enable("default")


def test_setup_report_without_charts_module(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "coopanalysis.present.charts", None)  # import fails: module absent
    try:
        display.setup_report()
        assert alt.renderers.active == "coopanalysis"
    finally:
        alt.renderers.enable("default")
