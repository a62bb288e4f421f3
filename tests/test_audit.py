"""`coopanalysis audit`: the reader's linear program over every page of a folder (publish/audit.py).

Literal ledgers first: each case is a route by which pages that are safe alone give a hidden count
back together, and the audit must name it. Then the bundled shared batch: its folder passes, the
package's audit agrees with the tests' own attacker (tests/lp_attack.py), and a folder that mixes a
shared page with an unshared page of the same log is caught by `coopanalysis run` itself.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from coopanalysis.cli import main as cli_main
from coopanalysis.present.mime import escape_json_for_html
from coopanalysis.publish.audit import audit
from coopanalysis.publish.ledger import Count, Ledger, Universe, read_ledger

D = dt.date
U = "request log:test"
UNIVERSE = Universe(U, ("A", "B", "X"), (D(2021, 1, 1), D(2021, 12, 31)))
Q1 = (D(2021, 1, 1), D(2021, 3, 31))
MONTHS = [(D(2021, 1, 1), D(2021, 1, 31)), (D(2021, 2, 1), D(2021, 2, 28)), (D(2021, 3, 1), D(2021, 3, 31))]


def c(span, value=None, status="shown", platforms=("X",), **kw) -> Count:
    return Count(U, span[0], span[1], status, value, platforms, **kw)


def page(name: str, *counts: Count, k: int = 10) -> Ledger:
    return Ledger(name, k, (UNIVERSE,), counts)


def test_a_quarter_on_one_page_minus_the_months_on_another_gives_back_a_hidden_month():
    quarterly = page("case_outcomes", c(Q1, 40))
    monthly = page("request_volumes", c(MONTHS[0], 20), c(MONTHS[1], 16), c(MONTHS[2], status="small"))
    [march] = audit([quarterly, monthly])
    assert (march.low, march.high) == (4, 4) and march.leak
    assert march.where == ("request_volumes",)
    # the page alone gives nothing; with a second month hidden, the two share 20 and are protected
    assert not audit([monthly])[0].leak
    safe = page("request_volumes", c(MONTHS[0], 20), c(MONTHS[1], status="withheld"), c(MONTHS[2], status="small"))
    assert [(i.low, i.high, i.leak) for i in audit([quarterly, safe])] == [(0, 20, False), (0, 20, False)]


def test_an_answered_count_shown_beside_a_hidden_request_count_bounds_it_from_below():
    jan = MONTHS[0]
    counts = [c(jan, 60, platforms=None), c(jan, 42, platforms=("A",)),
              c(jan, status="small", platforms=("B",)), c(jan, status="withheld", platforms=("X",))]
    assert all(not i.leak for i in audit([page("p", *counts)]))  # B and X share 18: [0, 18] each
    answered = c(jan, 9, platforms=("B",), measure="answered")  # 9 of B's requests were answered
    b = next(i for i in audit([page("p", *counts, answered)]) if i.count.platforms == ("B",))
    assert (b.low, b.high) == (9, 18) and b.leak


def test_counts_by_agency_are_tied_to_the_total_of_the_same_requests():
    year = (D(2021, 1, 1), D(2021, 12, 31))
    total = page("growth", c(year, 100, platforms=None))
    agency = lambda name, value=None, status="shown": c(year, value, status, platforms=None, dimension="agency",
                                                        values=(name,))
    top = page("request_volumes", agency("Seoul", 60), agency("Busan", 35), agency("Daegu", status="small"))
    [daegu] = audit([total, top])
    assert (daegu.low, daegu.high) == (0, 5) and daegu.leak  # Daegu and every other agency: 5
    assert not audit([top])[0].leak  # without the total, Daegu is unbounded


def test_a_count_withheld_on_one_page_and_printed_on_another_is_published_not_hidden():
    a = page("a", c(MONTHS[0], 25))
    b = page("b", c(MONTHS[0], status="withheld"), c(MONTHS[1], 30))
    assert audit([a, b]) == []
    # but a count shown "<k" on a shared page and printed on an unshared one is given back
    unshared = Ledger("open", 0, (UNIVERSE,), (c(MONTHS[2], 4),))
    [march] = audit([page("shared", c(MONTHS[2], status="small")), unshared])
    assert (march.low, march.high, march.leak) == (4, 4, True) and march.where == ("shared", "open")


def _write_page(folder: Path, name: str, ledger: Ledger | None) -> None:
    block = ("" if ledger is None else
             f'<script class="coop-ledger" type="application/json">{escape_json_for_html(ledger.to_json())}</script>')
    (folder / f"{name}.html").write_text(f"<!DOCTYPE html><html><body><p>{name}</p>{block}</body></html>", "utf-8")


def test_the_audit_command_prints_each_hidden_count_and_fails_on_a_leak(tmp_path, capsys):
    _write_page(tmp_path, "case_outcomes", page("x", c(Q1, 40)))
    _write_page(tmp_path, "request_volumes", page("x", c(MONTHS[0], 20), c(MONTHS[1], 16), c(MONTHS[2], status="small")))
    (tmp_path / "index.html").write_text("<p>index</p>", "utf-8")
    assert cli_main(["audit", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "LEAK  <k        4 to 4 (k = 10)  2021-03-01 to 2021-03-31, X  [request_volumes]" in out
    assert "2 page(s), 1 hidden count(s); 1 hidden count(s) can be narrowed below k" in out
    _write_page(tmp_path, "request_volumes", page("x", c(MONTHS[0], 20), c(MONTHS[1], status="withheld"),
                                                  c(MONTHS[2], status="small")))
    assert cli_main(["audit", str(tmp_path)]) == 0
    assert "no hidden count can be narrowed below k" in capsys.readouterr().out
    _write_page(tmp_path, "mine", None)  # a page that records nothing cannot be audited
    assert cli_main(["audit", str(tmp_path), "--leaks-only"]) == 1
    assert "NOT AUDITED  mine.html: the page carries no ledger of its published counts" in capsys.readouterr().out
    assert cli_main(["audit", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_a_ledger_edited_by_hand_is_refused_with_the_page_named():
    good = page("p", c(MONTHS[0], 20)).to_json()
    assert read_ledger(json.loads(json.dumps(good))).counts == (c(MONTHS[0], 20),)
    bad = {**good, "counts": [{**good["counts"][0], "value": None}]}
    with pytest.raises(ValueError, match=r"p\.html: count 1: a shown count needs a whole-number value"):
        read_ledger(bad, source="p.html")


# --------------------------------------------------------------------------- the bundled batch


@pytest.fixture(scope="module")
def shared_folder(tmp_path_factory) -> Path:
    """The bundled batch (notebooks/reports.toml) run with `--profile shared` (k = 10)."""
    from coopanalysis.batch import run_batch

    out = tmp_path_factory.mktemp("shared") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_STATE_HOME", str(out.parent / "state"))
        assert run_batch(out_dir=out, profile="shared", jobs=2).exit_code == 0
    return out


def test_the_bundled_shared_folder_passes_its_audit_over_every_page(shared_folder, capsys):
    from coopanalysis.batch.audit import audit_folder

    result = audit_folder(shared_folder)
    assert len(result.pages) == 7 and result.unaudited == ()
    assert result.leaks == [] and len(result.intervals) > 200
    universes = {i.count.universe.split(":")[0] for i in result.intervals}
    assert universes == {"request log", "transparency"}  # the transparency page is audited too
    from coopanalysis.batch.audit import report_pages
    from coopanalysis.html.page import read_ledgers

    counts = [c for p in report_pages(shared_folder) for ledger in read_ledgers(p) for c in ledger.counts]
    assert {c.dimension for c in counts} == {None, "agency", "crime_type"}  # all of them constrain the audit
    assert {c.measure for c in counts} == {"requests", "answered"}
    assert cli_main(["audit", str(shared_folder), "--leaks-only"]) == 0
    assert "7 page(s)" in capsys.readouterr().out
    # the index of a shared run names each page by what it covers, and marks the synthetic ones
    index = (shared_folder / "index.html").read_text("utf-8")
    assert "All platforms, 2020–2025: requests and growth" in index and index.count("Synthetic data") >= 6


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    assert start.day == 1 and (end + dt.timedelta(days=1)).day == 1, (start, end)
    out, m = [], start
    while m <= end:
        out.append(m)
        m = D(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def test_the_tests_own_attacker_finds_no_more_than_the_audit(shared_folder):
    """tests/lp_attack.py over the counts by period and platform of every page, on (month, platform)
    atoms: each count it narrows below k is one whose exact value the folder prints as a sum."""
    from lp_attack import Figure, attack

    from coopanalysis.batch.audit import report_pages
    from coopanalysis.html.page import read_ledgers

    ledgers = [ledger for p in report_pages(shared_folder) for ledger in read_ledgers(p)]
    every = {u.key: u.platforms for ledger in ledgers for u in ledger.universes}
    figures = [
        Figure(f"{n}:{c.start}..{c.end}:{c.platforms}", frozenset(
            f"{m}|{p}" for m in _months(c.start, c.end) for p in (c.platforms or every[c.universe])), c.status, c.value)
        for ledger in ledgers for n, c in enumerate(ledger.counts)
        if c.universe.startswith("request log") and c.dimension is None and c.measure == "requests"
    ]
    assert sum(f.status != "shown" for f in figures) > 150
    narrowed = [i for i in attack(figures, k=10) if not i.protected]
    assert all(i.status == "withheld" and i.high - i.low < 1e-6 for i in narrowed), narrowed[:3]


def test_a_run_that_puts_an_unshared_page_beside_shared_ones_withdraws_the_shared_pages(tmp_path, monkeypatch):
    from coopanalysis import paths
    from coopanalysis.batch import run_batch
    from coopanalysis.batch.audit import AUDIT_FAILED
    from coopanalysis.batch.shared import private_dir

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    notebook = (paths.NOTEBOOKS_DIR / "request_volumes.ipynb").as_posix()
    config = tmp_path / "r.toml"
    config.write_text("".join(
        f'[[reports]]\nname = "{name}"\nnotebook = "{notebook}"\n'
        f'parameters = {{ period = "month", platforms = ["X"], suppress_below = {k} }}\n\n'
        for name, k in (("open", 0), ("shared", 10))), encoding="utf-8")
    out = tmp_path / "out"
    outcome = run_batch(config=config, out_dir=out, jobs=2)
    assert outcome.exit_code == 1
    # the unshared page prints every count the shared one hides: the shared page may not stay
    assert (out / "open.html").exists() and not (out / "shared.html").exists()
    assert (private_dir(out) / "withdrawn" / "shared.html").exists()
    summary = {e["name"]: e for e in json.loads((out / "summary.json").read_text("utf-8"))["reports"]}
    assert summary["shared"]["status"] == "failed" and summary["shared"]["error"] == AUDIT_FAILED
    assert summary["open"]["status"] == "ok"
    assert "withdrawn: the folder audit found a hidden count" in (out / "index.html").read_text("utf-8")


def _matches(c: Count, row: dict) -> bool:
    """Whether ledger count `c` counts what a chart's data row counts (by the fields the row has)."""
    if "period_start" in row and c.start.isoformat() != str(row["period_start"])[:10]:
        return False
    for name in ("platform", "provider"):
        if name in row and c.platforms != (row[name],):
            return False
    if "country" in row and c.universe != f"transparency:{row['country']}":
        return False
    for dim in ("agency", "crime_type"):
        if dim in row and (c.dimension, c.values) != (dim, (row[dim],)):
            return False
    return True


def test_every_count_a_shared_chart_draws_is_in_its_pages_record(shared_folder, monkeypatch):
    """The audit trusts each page's record of its counts: every request count in the data of every
    chart of the bundled shared pages is recorded, with the same value (or hidden, and drawn as nothing)."""
    import nbformat

    from coopanalysis.batch.shared import private_dir
    from coopanalysis.html.page import read_ledgers
    from coopanalysis.present.mime import VEGALITE_MIMES

    monkeypatch.setenv("XDG_STATE_HOME", str(shared_folder.parent / "state"))  # where the run kept them
    checked = 0
    for page in sorted(shared_folder.glob("*.html")):
        if page.name == "index.html":
            continue
        counts = [c for ledger in read_ledgers(page) for c in ledger.counts if c.measure == "requests"]
        executed = private_dir(shared_folder) / "executed" / f"{page.stem}.ipynb"
        for cell in nbformat.read(executed, as_version=4).cells:
            for output in cell.get("outputs", []):
                spec = next((output["data"][m] for m in VEGALITE_MIMES if m in output.get("data", {})), None)
                for rows in (spec or {}).get("datasets", {}).values():
                    for row in rows:
                        value = row.get("requests")
                        if not isinstance(value, int) or isinstance(value, bool) or "year" in row and "kind" in row:
                            continue
                        assert any(c.value == value and _matches(c, row) for c in counts), (page.name, row)
                        checked += 1
    assert checked > 500
