"""The Korean pages: the catalogue (loads, keeps every slot, covers every label, code, sentence
template and notebook heading), the Korean words of the library, and a Korean growth page."""

from __future__ import annotations

import ast
import datetime as dt
import html.parser
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from coopanalysis import paths
from coopanalysis.core import i18n, names
from coopanalysis.core.i18n import use_language

KO_TOML = Path(i18n.__file__).with_name("locales") / "ko.toml"
NARRATIVE = Path(names.__file__).parents[1] / "present" / "narrative"
SLOT = re.compile(r"\{[^{}]*\}")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(autouse=True)
def english_after():
    """Every test leaves the process in English, whatever it switched to."""
    yield
    use_language("en")


def _messages() -> dict[str, str]:
    with KO_TOML.open("rb") as handle:
        return tomllib.load(handle)["messages"]


def _templates() -> list[str]:
    """Every string literal passed to `sentence(...)` or `_(...)` in present/narrative/*."""
    found = []
    for path in sorted(NARRATIVE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("sentence", "_")):
                continue
            first = node.args[0]  # a literal, or `"a" if ... else "b"`
            parts = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            found += [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]
    return found


# ----------------------------------------------------------------------- the catalogue


def test_catalogue_loads_and_every_entry_keeps_its_slots():
    messages = _messages()
    assert len(messages) > 250
    wrong = {k: v for k, v in messages.items() if sorted(SLOT.findall(k)) != sorted(SLOT.findall(v))}
    assert wrong == {}
    assert all(v.strip() for v in messages.values())


@pytest.mark.parametrize("path", sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_markdown_cell_has_a_korean_entry(path: Path):
    messages = _messages()
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
    assert cells and [c[:60] for c in cells if c not in messages] == []
    assert all(HANGUL.search(messages[c]) for c in cells)


def test_every_label_code_and_template_has_a_korean_entry():
    messages = _messages()
    wanted = [*names.LABELS.values(), *names.PLURAL_LABELS.values(), *names.AGENCY_SCOPES.values(),
              *(v for codes in names.CODE_LABELS.values() for v in codes.values()), *_templates()]
    assert len(_templates()) > 40
    assert [w for w in wanted if w not in messages] == []


def test_every_seoul_station_and_platform_has_its_korean_name():
    import csv

    messages = _messages()
    with (paths.DATA_DIR / "reference" / "seoul_police_stations.csv").open(encoding="utf-8") as handle:
        stations = [r for r in csv.DictReader(handle) if r["kind"] == "police_station"]
    assert stations and all(messages[r["name_en"]] == r["name_ko"] for r in stations)
    assert messages["Gyeonggi Nambu Provincial Police Agency"] == "경기남부경찰청"
    assert messages["KNPA National Office of Investigation Cyber Bureau"] == "국가수사본부 사이버수사국"
    assert [messages[p] for p in ("Google", "Meta", "X", "Telegram", "OKX")] == ["구글", "메타", "X(엑스)", "텔레그램", "OKX"]


# ------------------------------------------------------------------ the library in Korean


def test_labels_codes_and_names_read_in_korean_and_english_unchanged():
    english = (names.label("crime_type"), names.label("unknown_col"), names.plural_label("agency"),
               names.plural_label("channel"), names.code_label("crime_type", "fraud", capital=True),
               names.code_label("agency", "Seoul Mapo Police Station"))
    assert english == ("Crime type", "Unknown col", "Agencies", "Channel values", "Fraud", "Seoul Mapo Police Station")
    use_language("ko")
    assert names.label("crime_type") == "범죄 유형"
    assert names.plural_label("agency") == "기관"
    assert names.plural_label("channel") == "요청 경로 값"
    assert names.code_label("crime_type", "fraud") == "사기"
    assert names.code_label("agency", "Seoul Mapo Police Station") == "서울마포경찰서"
    assert names.code_label("platform", "Telegram") == "텔레그램"
    use_language("en")
    assert names.code_label("crime_type", "fraud", capital=True) == "Fraud"


def test_a_sentence_reads_in_korean_with_korean_counts_and_dates():
    from coopanalysis.present.narrative import Hidden, sentence

    template = ("From {start:date} to {end:date} there were {n:count/request} against {base:count} in the same days "
                "of {before:year}: requests {g:change}, like for like{small:text}.")
    slots = dict(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), n=1234, base=1000, before=2024, g=0.234,
                 small="")
    english = sentence(template, **slots)
    assert english == ("From 1 January 2025 to 30 June 2025 there were 1,234 requests against 1,000 in the same "
                       "days of 2024: requests grew 23.4%, like for like.")
    use_language("ko")
    assert sentence(template, **slots) == ("2025년 1월 1일부터 2025년 6월 30일까지의 요청은 1,234건으로, 2024년 같은 "
                                           "기간의 1,000건과 비교하면 동기 대비 23.4% 증가했다.")
    assert sentence("{who:name} received {n:count/request}; there is no answered share.", who="구글",
                    n=Hidden("<10")) == "구글은(는) 10건 미만의 요청을 받았다. 회신 비율은 산출되지 않는다."
    use_language("en")
    assert sentence(template, **slots) == english


def test_korean_charts_carry_the_d3_ko_locale_and_english_none():
    from coopanalysis.present.charts.theme import theme_config

    assert "locale" not in theme_config()["config"]
    use_language("ko")
    locale = theme_config()["config"]["locale"]
    assert locale["number"]["currency"] == ["", "원"] and locale["number"]["grouping"] == [3]
    assert locale["time"]["months"][11] == "12월" and locale["time"]["shortDays"][0] == "일"
    assert locale["time"]["periods"] == ["오전", "오후"]


def test_page_facts_record_the_language():
    from coopanalysis.present.page_facts import page_facts
    from coopanalysis.reports.volumes import volume_report

    report = volume_report("sample/requests_synthetic.csv", platforms=["Telegram"], period="quarter")
    assert page_facts(report)["lang"] == "en"
    use_language("ko")
    facts = page_facts(report)
    assert facts["lang"] == "ko" and facts["banner"].startswith("이 페이지의 모든 요청은")


def test_table_cells_made_on_polars_threads_are_korean():
    """polars runs map_elements on its own threads: the language reaches them (a context variable did not,
    and a Korean table read "Child sexual exploitation")."""
    import polars as pl

    from coopanalysis.present.tables import share_rows

    use_language("ko")
    frame = pl.DataFrame({"crime_type": ["child_sexual_exploitation", "fraud"] * 50, "requests": [100] * 100,
                          "answered": [90] * 100, "answered_share": [0.9] * 100, "ci_low": [0.8] * 100,
                          "ci_high": [0.95] * 100})
    cells = set(share_rows(frame, by="crime_type").get_column(names.label("crime_type")).to_list())
    assert cells == {"아동 성착취", names.code_label("crime_type", "fraud", capital=True)}
    assert all(HANGUL.search(cell) for cell in cells)


def test_the_missing_messages_log_lists_what_the_catalogue_lacks_and_nothing_translated(tmp_path, monkeypatch):
    log = tmp_path / "missing.txt"
    monkeypatch.setenv(i18n.MISSING_LOG, str(log))
    use_language("ko")
    assert i18n._("A text no catalogue has") == "A text no catalogue has"
    assert i18n._("Google") == "구글"
    assert i18n._("구글") == "구글"  # a text already in Korean is not missing
    use_language("en")
    i18n._("An English page logs nothing")
    assert log.read_text(encoding="utf-8").splitlines() == ["A text no catalogue has"]


# ------------------------------------------------------------------- a Korean growth page


class _Visible(html.parser.HTMLParser):
    """The text a reader sees: everything outside script, style and template elements."""

    def __init__(self) -> None:
        super().__init__()
        self.skip, self.text, self.h2 = 0, [], []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.skip += 1
        self._in_h2 = self._in_h2 or tag == "h2"

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.skip -= 1
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.text.append(data.strip())
            if self._in_h2:
                self.h2.append(data.strip())


@pytest.fixture(scope="module")
def korean_growth_page(tmp_path_factory, request) -> str:
    """The growth page of the Korean batch (`tests/test_korean_pages.py` checks it in Chromium)."""
    from browser import shared_batch

    return (shared_batch(tmp_path_factory, request, "korean-batch", "--lang", "ko") / "growth.html").read_text(
        encoding="utf-8")


def test_korean_growth_page_is_korean(korean_growth_page: str):
    page = korean_growth_page
    assert '<html lang="ko">' in page
    visible = _Visible()
    visible.feed(page)
    headings = [h for h in visible.h2 if h != "¶"]  # "¶": the anchor link beside each heading
    assert len(headings) >= 5 and all(HANGUL.search(h) for h in headings), headings
    sentences = [t for t in visible.text if t.endswith(".") and len(t) > 40]
    assert sentences and sum(bool(HANGUL.search(s)) for s in sentences) >= 0.8 * len(sentences)
