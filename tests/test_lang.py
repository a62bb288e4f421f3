"""The page's language reaches every part of a run: `run --lang` and `-p lang=` (checked before
any kernel starts), the markdown cells of the page, and the index."""

from __future__ import annotations

import re

import nbformat
import pytest

from coopanalysis.batch.summary import index_language
from coopanalysis.cli import main as cli_main
from coopanalysis.html import translate
from coopanalysis.html.renderer import render_html
from coopanalysis.present.mime import PAGE_MIME


def test_an_unknown_language_stops_the_run_before_any_kernel(tmp_path, capsys):
    out = tmp_path / "reports"
    assert cli_main(["run", "-p", "lang=fr", "--only", "request_volumes", "--out", str(out)]) == 2
    assert "lang must be one of 'en', 'ko', not 'fr'" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(SystemExit) as stop:
        cli_main(["run", "--lang", "fr", "--out", str(out)])
    assert stop.value.code == 2 and "invalid choice: 'fr'" in capsys.readouterr().err


def _page(lang: str) -> nbformat.NotebookNode:
    facts = {"title": "T", "description": "d", "synthetic": False, "banner": None, "sources": {}, "lang": lang}
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Who asks"),
        nbformat.v4.new_code_cell("x", outputs=[
            nbformat.v4.new_output("display_data", data={PAGE_MIME: facts, "text/plain": "f"})]),
    ])


def test_markdown_cells_read_in_the_language_of_the_page(monkeypatch):
    korean = {"## Who asks": "## 요청 기관"}
    monkeypatch.setattr(translate, "translator", lambda lang: (lambda text: korean.get(text, text)))
    page = render_html(_page("ko"), name="r")
    assert '<html lang="ko">' in page and re.search(r"<h2[^>]*>요청 기관", page) and "Who asks" not in page
    english = render_html(_page("en"), name="r")
    assert '<html lang="en">' in english and re.search(r"<h2[^>]*>Who asks", english) and "요청 기관" not in english


def test_the_index_speaks_the_language_every_page_of_the_run_shares():
    # entries as summary.json holds them: the page's facts record its language, the parameters ask for it
    ko_page = {"status": "ok", "page": {"title": "t", "lang": "ko"}, "parameters": {"lang": "ko"}}
    ko_asked = {"status": "ok", "parameters": {"data": "x.csv", "lang": "ko"}}  # no page facts recorded
    en_page = {"status": "ok", "page": {"title": "t", "lang": "en"}, "parameters": {}}
    assert index_language([ko_page, ko_asked]) == "ko"
    assert index_language([ko_page, en_page]) == "en"  # mixed: English
    assert index_language([{"status": "ok", "parameters": {}}]) == "en"  # pages that say nothing are English
    # a report of an earlier run, or a failed one, does not decide the language of this index
    assert index_language([ko_page, {**en_page, "this_run": False}, {"status": "failed"}]) == "ko"

