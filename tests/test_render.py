"""Offline HTML pages: escaping, one vega bundle, no remote resources, no code, atomic writes."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import nbformat
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coopanalysis.html.bundle import vega_bundle
from coopanalysis.html.page import read_headlines
from coopanalysis import cli
from coopanalysis.html.renderer import render_html, render_notebook
from coopanalysis.html.sanitise import sanitize_html
from coopanalysis.present.mime import (
    CHART_MIME,
    HEADLINE_MIME,
    JUPYTERLAB_VEGALITE_MIME,
    chart_embed_html,
    chart_mimebundle,
    enable_offline_renderer,
    escape_json_for_html,
)
from coopanalysis.present.display import headline_payload
from coopanalysis.errors import DataFileError

HOSTILE = "</script><img src=x onerror=alert(1)>"
LINE_SEP = "\u2028"


# ----------------------------------------------------------------------------- helpers


class PageParser(HTMLParser):
    """Collects tags with attributes and the text of every script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def chart_output(chart: alt.TopLevelMixin):
    """The display_data output our altair renderer produces for ``chart``."""
    bundle, metadata = chart_mimebundle(chart.to_dict())
    return new_output("display_data", data=bundle, metadata=metadata)


def bar_chart(values: list[str], counts: list[int]) -> alt.Chart:
    df = pl.DataFrame({"platform": values, "requests": counts})
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(x="platform:N", y="requests:Q", tooltip=["platform:N", "requests:Q"])
        .properties(title="Requests by platform")
    )


def executed_nb(*cells):
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def code_cell(source: str, *outputs):
    cell = new_code_cell(source, execution_count=1)
    cell.outputs = list(outputs)
    return cell


@pytest.fixture(scope="module")
def hostile_page() -> str:
    chart = bar_chart([HOSTILE, f"a{LINE_SEP}b", "<b>x</b>"], [1200, 3400, 12771])
    nb = executed_nb(
        new_markdown_cell("# Requests"),
        code_cell("secret_variable_name_42 = 'hidden source'\nchart", chart_output(chart)),
    )
    return render_html(nb, title="Hostile")


# ----------------------------------------------------------------------------- escaping


def test_escape_json_for_html_escapes_markup_characters_and_line_separators() -> None:
    value = {"a": HOSTILE + " & " + LINE_SEP + "\u2029", "k<": [1, "é한"]}
    text = escape_json_for_html(value)
    for raw in ("<", ">", "&", LINE_SEP, "\u2029"):
        assert raw not in text
    assert "\\u003c/script\\u003e" in text
    assert "\\u0026" in text and "\\u2028" in text and "\\u2029" in text
    assert "é한" in text  # other text stays readable
    assert json.loads(text) == value


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )
)
def test_escape_json_for_html_round_trips_and_never_contains_markup(value) -> None:
    text = escape_json_for_html(value)
    assert json.loads(text) == value
    assert not re.search("[<>&\u2028\u2029]", text)


def test_hostile_spec_cannot_close_the_script_element(hostile_page: str) -> None:
    page = parse(hostile_page)
    scripts = page.scripts
    chart_scripts = [s for s in scripts if "window.vegaEmbed(" in s and "window.vegaEmbed=" not in s]
    assert len(chart_scripts) == 1
    # the parser saw the whole spec inside the script: the hostile value is there, escaped
    assert "\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e" in chart_scripts[0]
    assert "a\\u2028b" in chart_scripts[0]
    for script in scripts:
        assert "</script" not in script.lower()
        assert LINE_SEP not in script and "\u2029" not in script
    # and no img element (nor any element with an event handler) came out of the data
    assert not [t for t, _ in page.tags if t == "img"]
    assert not [a for _, attrs in page.tags for a in attrs if a.lower().startswith("on")]
    assert HOSTILE not in hostile_page


def test_chart_spec_in_page_decodes_to_the_original_spec() -> None:
    chart = bar_chart([HOSTILE, "Telegram"], [5, 7])
    fragment = chart_embed_html(chart.to_dict(), element_id="c1")
    script = parse(fragment).scripts[0]
    spec_json = script[script.index('"#c1", ') + len('"#c1", ') : script.rindex(', {"actions"')]
    assert json.loads(spec_json) == chart.to_dict()
    assert '{"actions": false, "tooltip": {"theme": "light"}' in script


# ------------------------------------------------------------------------- page shape


def test_page_inlines_exactly_one_vega_bundle_for_three_charts() -> None:
    charts = [bar_chart(["a", "b"], [i, i + 1]) for i in range(3)]
    nb = executed_nb(*[code_cell("chart", chart_output(c)) for c in charts])
    page_html = render_html(nb)
    bundle = vega_bundle()
    assert page_html.count(bundle[-300:]) == 1
    assert page_html.count(bundle[:300]) == 1
    page = parse(page_html)
    assert sum("window.vegaEmbed=" in s for s in page.scripts) == 1
    assert sum("window.vegaEmbed(" in s for s in page.scripts) == 3
    chart_divs = [a for t, a in page.tags if t == "div" and "coop-chart" in (a.get("class") or "")]
    assert len(chart_divs) == 3
    assert len({a["id"] for a in chart_divs}) == 3


def test_page_has_no_remote_resource_and_no_code(hostile_page: str) -> None:
    nb = executed_nb(
        new_markdown_cell('Source ![logo](https://cdn.example.org/logo.png) <img src="http://x.example/p.gif">'),
        code_cell(
            "print_html()",
            new_output(
                "display_data",
                data={
                    "text/html": '<script src="https://cdn.example.org/require.js"></script>'
                    '<link rel="stylesheet" href="https://cdn.example.org/a.css">'
                    '<iframe src="https://example.org"></iframe><table><tr><th>kept</th></tr></table>',
                },
            ),
        ),
        code_cell("chart", chart_output(bar_chart(["a"], [1]))),
    )
    for page_html in (hostile_page, render_html(nb)):
        page = parse(page_html)
        for tag, attrs in page.tags:
            for name in ("src", "href", "action", "poster", "data"):
                value = (attrs.get(name) or "").strip().lower()
                assert not value.startswith(("http:", "https:", "//")), (tag, name, value)
            assert tag not in ("link", "iframe", "object", "embed", "base")
            if tag == "script":
                assert "src" not in attrs
        lowered = page_html.lower()
        assert "require.js" not in lowered.replace("cdn.example.org/require.js", "")
        assert "mathjax" not in lowered and "mermaid" not in lowered
    assert ">kept</th>" in render_html(nb)
    # the code cell's source and prompts never reach the reader
    assert "secret_variable_name_42" not in hostile_page
    assert "In&nbsp;[" not in hostile_page and "In [" not in "".join(parse(hostile_page).text)


def test_stderr_is_hidden_and_errors_are_one_readable_line() -> None:
    traceback = [
        "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
        "\x1b[0;31mValueError\x1b[0m  Traceback (most recent call last)",
        "Cell \x1b[0;32mIn[3], line 7\x1b[0m, in \x1b[0;36mdeep_internal_frame\x1b[0;34m()\x1b[0m",
    ]
    nb = executed_nb(
        code_cell(
            "x",
            new_output("stream", name="stdout", text="visible stdout line\n"),
            new_output("stream", name="stderr", text="UserWarning: noisy internals\n"),
            new_output(
                "error",
                ename="ValueError",
                evalue="requests.csv: row 4, column \x1b[1mplatform\x1b[0m: <unknown>",
                traceback=traceback,
            ),
        )
    )
    page_html = render_html(nb)
    text = "".join(parse(page_html).text)
    assert "visible stdout line" in text
    assert "noisy internals" not in page_html
    assert "ValueError: requests.csv: row 4, column platform: <unknown>" in text
    assert "deep_internal_frame" not in page_html and "Traceback" not in page_html
    assert "\x1b" not in page_html


def test_headlines_are_extracted_and_not_shown(tmp_path: Path) -> None:
    payload = headline_payload("requests_2021", 12771, label="Requests in 2021", interval=(12000, 13500))
    other = headline_payload("growth", 0.689)
    nb = executed_nb(
        code_cell(
            "headline(...)",
            new_output("display_data", data={HEADLINE_MIME: payload, "text/plain": "Headline A: 12,771"}),
            new_output("display_data", data={HEADLINE_MIME: other, "text/plain": "Headline B: 0.689"}),
        ),
        code_cell("say(...)", new_output("display_data", data={"text/markdown": "Shown **text**"})),
    )
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    found = read_headlines(path)
    assert found == {
        "requests_2021": {
            "name": "requests_2021",
            "value": 12771,
            "label": "Requests in 2021",
            "interval": [12000, 13500],
            "unit": None,
        },
        "growth": {"name": "growth", "value": 0.689, "label": None, "interval": None, "unit": None},
    }
    assert list(found) == ["requests_2021", "growth"]
    assert read_headlines(nbformat.read(path, as_version=4)) == found
    page_html = render_notebook(path, tmp_path / "page.html").read_text(encoding="utf-8")
    assert "Headline A" not in page_html and "12,771" not in page_html and "0.689" not in page_html
    assert "<strong>text</strong>" in page_html


def test_footer_is_an_escaped_table() -> None:
    nb = executed_nb(new_markdown_cell("# Report"))
    footer = {
        "parameters": {"agency": "<script>alert(1)</script>", "year": 2021},
        "inputs": {"requests.csv": "sha256:ab12"},
        "packages": ["polars 2.1", "altair 6.3"],
        "run time": "3.4 s",
    }
    page_html = render_html(nb, footer=footer, title="T <1>")
    assert "<title>T &lt;1&gt;</title>" in page_html
    page = parse(page_html)
    assert not any("alert(1)" in s for s in page.scripts)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_html
    footer_html = page_html[page_html.index('<footer class="coop-footer">') :]
    for expected in ("parameters", "agency", "2021", "requests.csv", "sha256:ab12", "polars 2.1, altair 6.3", "3.4 s"):
        assert expected in footer_html


# ----------------------------------------------------------------------- atomic write


def _good_notebook():
    return executed_nb(new_markdown_cell("# First version"), code_cell("c", chart_output(bar_chart(["a"], [1]))))


def test_failed_render_leaves_the_earlier_page_byte_identical(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "report.html"
    render_notebook(_good_notebook(), out)
    before = out.read_bytes()
    assert b"First version" in before

    # the notebook cannot be read: nothing is written
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(DataFileError, match="broken.ipynb"):
        render_notebook(broken, out)
    assert out.read_bytes() == before

    # the disk fails while the new page is being written: the old page stays
    second = executed_nb(new_markdown_cell("# Second version"))

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space left"):
        render_notebook(second, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ipynb", "report.html"]

    monkeypatch.undo()
    render_notebook(second, out)
    assert b"Second version" in out.read_bytes()
    assert out.stat().st_mode & 0o777 == 0o644  # readable by a web server, unlike mkstemp's 0o600


def test_missing_notebook_is_a_data_file_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="notebook not found"):
        render_notebook(tmp_path / "nope.ipynb", tmp_path / "x.html")
    with pytest.raises(DataFileError, match="notebook not found"):
        read_headlines(tmp_path / "nope.ipynb")
    assert not (tmp_path / "x.html").exists()


def test_render_command(tmp_path: Path, capsys) -> None:
    source = tmp_path / "executed.ipynb"
    nbformat.write(_good_notebook(), source)
    out = tmp_path / "reports" / "page.html"
    assert cli.main(["render", str(source), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert "First version" in out.read_text(encoding="utf-8")

    assert cli.main(["render", str(tmp_path / "missing.ipynb"), "--out", str(out)]) == 2
    assert "missing.ipynb: notebook not found" in capsys.readouterr().err


# -------------------------------------------------------------------- altair renderer


def test_renderer_bundle_serves_jupyterlab_and_the_offline_page() -> None:
    chart = bar_chart(["<b>x</b>", "Telegram"], [3, 4])
    enable_offline_renderer()
    try:
        assert alt.renderers.active == "coopanalysis"
        bundle, metadata = chart._repr_mimebundle_()
    finally:
        alt.renderers.enable("default")
    spec = chart.to_dict()
    # JupyterLab 4 draws this mime type with its built-in vega extension ...
    assert bundle[JUPYTERLAB_VEGALITE_MIME] == spec
    assert metadata[JUPYTERLAB_VEGALITE_MIME]["embed_options"]["actions"] is False
    # ... and would prefer text/html over it, so there is none
    assert "text/html" not in bundle
    assert bundle["text/plain"] == "<Chart: Requests by platform>"
    fragment = bundle[CHART_MIME]
    assert fragment.startswith('<div class="coop-chart" id="coop-chart-')
    assert "<b>" not in fragment and "\\u003cb\\u003ex" in fragment


def test_vegalite_outputs_of_other_renderers_are_drawn_offline_too() -> None:
    chart = bar_chart([HOSTILE], [1])
    nb = executed_nb(
        code_cell(
            "chart",
            new_output(
                "display_data",
                data={
                    # not a "+json" type, so nbformat keeps it as a string
                    "application/vnd.vegalite.v6.json": json.dumps(chart.to_dict()),
                    "text/plain": "<VegaLite 6 object>",
                },
            ),
        )
    )
    page = parse(render_html(nb))
    chart_scripts = [s for s in page.scripts if "window.vegaEmbed(" in s and "window.vegaEmbed=" not in s]
    assert len(chart_scripts) == 1 and "\\u003c/script\\u003e" in chart_scripts[0]
    assert "<VegaLite 6 object>" not in "".join(page.text)


def test_sanitize_html_keeps_tables_and_drops_active_content() -> None:
    cleaned = sanitize_html(
        '<table><caption>c</caption><thead><tr><th class="num">n</th></tr></thead>'
        '<tbody><tr><td onclick="x()">1</td></tr></tbody></table>'
        '<script>alert(1)</script><style>body{}</style><a href="javascript:alert(1)">j</a>'
        '<img src="data:image/png;base64,AAAA"><img src="https://x.example/y.png">'
    )
    assert '<th class="num">n</th>' in cleaned and "<caption>c</caption>" in cleaned
    assert "onclick" not in cleaned and "<script" not in cleaned and "<style" not in cleaned
    assert "javascript:" not in cleaned
    assert 'src="data:image/png;base64,AAAA"' in cleaned and "x.example" not in cleaned


def test_stored_chart_html_is_not_trusted_the_spec_is_embedded_afresh() -> None:
    output = chart_output(bar_chart(["a", "b"], [1, 2]))
    output.data[CHART_MIME] += "<script>window.__tampered = 1</script>"
    nb = executed_nb(new_markdown_cell("# Platform answers\n\ntext"), code_cell("chart", output))
    page_html = render_html(nb)
    assert "__tampered" not in page_html
    assert sum("window.vegaEmbed(" in s for s in parse(page_html).scripts) == 1  # the one chart
    assert "<title>Platform answers</title>" in page_html  # default title: first heading
