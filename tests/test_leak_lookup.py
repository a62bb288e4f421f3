"""The request-id check on a page: one lookup per notebook against the validated log, for every
kind of request log a report reads (CSV file, Parquet file, hive folder of Parquet files)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from coopanalysis.io import requests as requests_io
from coopanalysis.publish.leaks import CaseLevelDataError, check_shareable, request_id_lookup


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _log() -> pl.DataFrame:
    """40 requests over 2022-2023, ids H-0000 ... H-0039."""
    days = [dt.date(2022, 1, 1) + dt.timedelta(days=18 * i) for i in range(40)]
    return pl.DataFrame({
        "request_id": [f"H-{i:04d}" for i in range(40)],
        "requested_on": days,
        "agency": ["Seoul A"] * 40,
        "country": ["KR"] * 40,
        "platform": ["Google" if i % 2 else "Meta" for i in range(40)],
        "crime_type": ["fraud"] * 40,
        "channel": ["email"] * 40,
        "year": [d.year for d in days],
    })


def _write(tmp_path: Path, form: str) -> Path:
    log = _log()
    if form == "hive":
        folder = tmp_path / "log"
        log.write_parquet(folder, partition_by="year")
        assert sorted(p.name for p in folder.iterdir()) == ["year=2022", "year=2023"]
        return folder
    if form == "parquet":
        log.drop("year").write_parquet(tmp_path / "log.parquet")
        return tmp_path / "log.parquet"
    log.drop("year").write_csv(tmp_path / "log.csv")
    return tmp_path / "log.csv"


def _notebook(*texts: str):
    cells = [new_code_cell("x = 1", execution_count=1)]
    for number, text in enumerate(texts, start=2):
        cell = new_code_cell("show()", execution_count=number)
        cell.outputs = [new_output("display_data", data={"text/plain": text})]
        cells.append(cell)
    return new_notebook(cells=cells)


@pytest.mark.parametrize("form", ["hive", "parquet", "csv"])
def test_a_request_id_of_the_log_printed_in_an_output_is_refused(tmp_path: Path, form: str) -> None:
    lookup = request_id_lookup(str(_write(tmp_path, form)))
    assert lookup is not None
    nb = _notebook("requests by year: 2022 20, 2023 20", "the case H-0031 was answered in 2023")
    with pytest.raises(CaseLevelDataError,
                       match=r"report\.ipynb, code cell 3 \(execution count 3\): its output holds 1 request id\(s\) "
                             r"of the log \(e\.g\. 'H-0031'\)"):
        check_shareable(nb, name="report.ipynb", request_ids=lookup)
    check_shareable(_notebook("H-0040 and H-9999 are not in the log; 2022-01-01"),
                    name="report.ipynb", request_ids=lookup)  # no error


def test_a_folder_of_transparency_reports_has_no_request_ids(tmp_path: Path) -> None:
    folder = tmp_path / "transparency"
    folder.mkdir()
    (folder / "google.csv").write_text("period,requests\n2023H1,H-0031\n", encoding="utf-8")
    assert request_id_lookup(str(folder)) is None


@pytest.mark.parametrize("form", ["csv", "hive"])
def test_the_log_is_loaded_once_however_many_cells_hold_candidates(tmp_path: Path, form: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, form)
    loads: list[str] = []
    real = requests_io.load_requests

    def counting(*args, **kwargs):
        loads.append(str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(requests_io, "load_requests", counting)
    lookup = request_id_lookup(str(path))
    nb = _notebook(*(f"{year}: {n} requests, Q{q} 2023" for year, n, q in [(2022, 20, 1), (2023, 20, 2),
                                                                             (2024, 7, 3), (2025, 3, 4), (2026, 1, 1)]))
    check_shareable(nb, name="report.ipynb", request_ids=lookup)
    assert loads == [str(path)]

    loads.clear()
    leaky = _notebook("2022: 20", "H-0002 and H-0003", "2023: 20", "H-0004", "H-0005 H-0006 H-0007")
    with pytest.raises(CaseLevelDataError, match=r"code cell 3 \(execution count 3\): its output holds 2 request id"):
        check_shareable(leaky, name="report.ipynb", request_ids=lookup)
    assert loads == [str(path)]


def test_the_first_cell_that_leaks_is_named_whether_a_field_or_an_id(tmp_path: Path) -> None:
    lookup = request_id_lookup(str(_write(tmp_path, "csv")))
    id_first = _notebook("2022: 20", "H-0010", "a table of request_id")
    with pytest.raises(CaseLevelDataError, match=r"code cell 3 .*request id\(s\) of the log \(e\.g\. 'H-0010'\)"):
        check_shareable(id_first, name="report.ipynb", request_ids=lookup)
    field_first = _notebook("a table of request_id", "H-0010")
    with pytest.raises(CaseLevelDataError, match=r"code cell 2 .*case-level field 'request_id'"):
        check_shareable(field_first, name="report.ipynb", request_ids=lookup)
    same_cell = _notebook("2022: 20", "H-0010 in the request_id column")
    with pytest.raises(CaseLevelDataError, match=r"code cell 3 .*case-level field 'request_id'"):
        check_shareable(same_cell, name="report.ipynb", request_ids=lookup)
