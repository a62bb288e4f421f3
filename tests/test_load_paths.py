"""One validation, whatever asks for it: `validate` and a report's cached load give the same counts
and rejects; a typed Parquet log's rejects show its dates as a CSV's would; the duplicate-id rule
rejects every later line of an id, and only those."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from coopanalysis import cli
from coopanalysis.io.requests import load_requests

TODAY = dt.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _log() -> pl.DataFrame:
    """Ten requests: rows 3, 5, 6, 8 and 10 break a rule; the ids of 5 and 10 repeat earlier ones."""
    d = dt.date
    return pl.DataFrame({
        "request_id": ["A1", "A2", "A3", "A4", "A1", " A2 ", "A7", None, "A9", "A1"],
        "requested_on": [d(2021, 1, 5), d(2021, 2, 1), d(2031, 2, 5), d(2021, 3, 1), d(2021, 4, 1),
                         d(2021, 5, 1), d(2021, 6, 1), d(2021, 7, 1), d(2021, 8, 1), d(2021, 9, 1)],
        "agency": ["Seoul"] * 10,
        "platform": ["google", "Meta ", "Google", "X (Twitter)", "Google", "Meta", "Google", "Google", "Naver", "Meta"],
        "responded_on": [None, d(2021, 2, 10), None, d(2021, 2, 1), None, None, None, None, None, None],
        "response": [None, "disclosed", None, "disclosed", None, None, None, None, None, None],
    })


EXPECTED = [  # (row, column, reason, value)
    (3, "requested_on", "date_in_future", "2031-02-05"),
    (4, "responded_on", "responded_before_requested", "2021-02-01"),
    (5, "request_id", "duplicate_request_id", "A1"),
    (6, "request_id", "duplicate_request_id", "A2"),
    (8, "request_id", "missing_value", None),
    (10, "request_id", "duplicate_request_id", "A1"),
]


def test_a_typed_parquet_log_is_rejected_as_its_csv_is(tmp_path: Path) -> None:
    log = _log()
    log.write_parquet(tmp_path / "log.parquet")
    log.write_csv(tmp_path / "log.csv")
    parquet = load_requests(tmp_path / "log.parquet", today=TODAY)
    csv = load_requests(tmp_path / "log.csv", today=TODAY)
    assert parquet.data.collect_schema()["requested_on"] == pl.Date
    assert [(line, col, reason, value) for line, col, reason, value in
            parquet.rejects.select("line", "column", "reason", "value").rows()] == EXPECTED
    # the CSV's lines are the rows + 1 (the header); everything else is the same, kept rows included
    assert [(line - 1, col, reason, value) for line, col, reason, value in
            csv.rejects.select("line", "column", "reason", "value").rows()] == EXPECTED
    assert parquet.rejects.drop("source_file", "line").equals(csv.rejects.drop("source_file", "line"))
    assert parquet.data.collect().equals(csv.data.collect())
    assert parquet.data.collect()["platform"].to_list() == ["Google", "Meta", "Google", "Naver"]


def test_validate_and_a_reports_cached_load_give_the_same_counts_and_rejects(tmp_path: Path,
                                                                             capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "log.parquet"
    _log().write_parquet(path)
    out = tmp_path / "rejects.csv"
    assert cli.main(["validate", str(path), "--json", "--rejects", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    cached = load_requests(path).kept_on_disk(tmp_path / "validated")
    summary = cached.summary()
    assert printed == {k: summary[k] for k in ("rows_read", "rows_kept", "rows_rejected", "rejected_by_reason")}
    assert (printed["rows_read"], printed["rows_kept"], printed["rows_rejected"]) == (10, 4, 6)
    assert printed["rejected_by_reason"] == {"duplicate_request_id": 3, "date_in_future": 1, "missing_value": 1,
                                             "responded_before_requested": 1}
    written = pl.read_csv(out, infer_schema=False)
    assert written.select("line", "column", "reason", "value").rows() == [
        (str(r), c, reason, v) for r, c, reason, v in EXPECTED]


@pytest.mark.parametrize("engine", ["in-memory", "streaming"])
def test_every_later_line_of_an_id_is_a_duplicate(tmp_path: Path, engine: str) -> None:
    n = 30_000
    ids = [f"R{i % 9_973}" if i % 7 else f"S{i}" for i in range(n)]  # some ids seen 3-4 times, others once
    ids[100] = None
    ids[200] = None
    frame = pl.DataFrame({"request_id": ids, "requested_on": ["2021-01-01"] * n, "agency": ["Seoul"] * n,
                          "platform": ["Google"] * n})
    frame.write_csv(tmp_path / "log.csv")
    result = load_requests(tmp_path / "log.csv", today=TODAY)
    seen: set[str] = set()
    expected = []
    for line, rid in enumerate(ids, start=2):
        if rid is not None and rid in seen:
            expected.append(line)
        seen.add(rid)
    duplicates = result.rejects.filter(pl.col("reason") == "duplicate_request_id")["line"].to_list()
    assert duplicates == expected and len(expected) > 15_000
    kept = result.data.collect(engine=engine)
    assert kept["request_id"].to_list() == list(dict.fromkeys(i for i in ids if i is not None))
