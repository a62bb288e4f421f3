"""Hostile inputs (issue 13): files built to mislead, exhaust or inject, each refused with one clear
message naming the file, or read exactly as written — never silently garbled."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import polars as pl
import pytest

from coopanalysis import cli
from coopanalysis.errors import DataFileError
from coopanalysis.io import binaryfiles, textfile
from coopanalysis.io.rejects import csv_safe
from coopanalysis.io.requests import load_requests

HEADER = "request_id,requested_on,agency,platform"
TODAY = dt.date(2026, 1, 1)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# ----------------------------------------------------------------------------- 1. formula injection
FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_safe_defuses_formulas(value: str) -> None:
    out = pl.DataFrame({"value": [value, "plain", None]}).select(csv_safe(pl.col("value")))
    assert out["value"].to_list() == ["'" + value, "plain", None]


def test_rejects_csv_for_people_is_inert(tmp_path: Path) -> None:
    rows = "".join(f'R{i},2021-01-01,"{v.replace(chr(34), chr(34) * 2)}",Google\n' for i, v in enumerate(FORMULAS))
    rows += "".join(f"X{i},{v},A,Google\n" for i, v in enumerate(["=1+1", "@A1"]))
    path = _write(tmp_path / "log.csv", HEADER + "\n" + rows)
    out = tmp_path / "rejects.csv"
    assert cli.main(["validate", str(path), "--rejects", str(out)]) == 0
    written = pl.read_csv(out, infer_schema=False)
    assert sorted(written["value"].drop_nulls().to_list()) == ["'=1+1", "'@A1"]
    assert not any(v[:1] in "=+-@\t\r" for v in written.fill_null("").to_numpy().ravel() if v)
    # the in-memory frame keeps the values as read
    assert sorted(load_requests(path, today=TODAY).rejects["value"].to_list()) == ["=1+1", "@A1"]


# ----------------------------------------------------------------------------- 2. glob characters in names
@pytest.mark.parametrize("name", ["log[1].csv", "log*.csv", "log?.csv", "log[1].parquet"])
def test_file_names_are_read_literally(tmp_path: Path, name: str) -> None:
    rows = f"{HEADER}\nR1,2021-01-01,A,Google\n"
    for other in ("log1.csv", "logx.csv", "log1.parquet"):  # files a glob would also match
        p = tmp_path / other
        df = pl.read_csv(io.StringIO(f"{HEADER}\nO1,2021-01-01,A,Google\nO2,2021-01-01,A,Google\n"), infer_schema=False)
        df.write_parquet(p) if other.endswith(".parquet") else df.write_csv(p)
    path = tmp_path / name
    df = pl.read_csv(io.StringIO(rows), infer_schema=False)
    df.write_parquet(path) if name.endswith(".parquet") else df.write_csv(path)
    summary = load_requests(path, today=TODAY).summary()
    assert summary["rows_read"] == 1 and summary["rows_kept"] == 1


# ----------------------------------------------------------------------------- 3. nested Parquet columns
@pytest.mark.parametrize(
    ("series", "kind"),
    [
        (pl.Series("agency", [["A", "B"]]), "list"),
        (pl.Series("agency", [[1, 2]], dtype=pl.Array(pl.Int64, 2)), "array"),
        (pl.Series("agency", [{"a": 1}]), "struct"),
        (pl.Series("agency", [dt.timedelta(days=1)]), "duration"),
    ],
)
def test_nested_parquet_column_is_a_clear_error(tmp_path: Path, series: pl.Series, kind: str) -> None:
    path = tmp_path / "nested.parquet"
    pl.DataFrame({"request_id": ["R1"], "requested_on": ["2021-01-01"], "platform": ["Google"]}).with_columns(
        series
    ).write_parquet(path)
    with pytest.raises(DataFileError, match=rf"nested\.parquet.*'agency'.*{kind}") as err:
        load_requests(path, today=TODAY).summary()
    assert "\n" not in str(err.value)


def test_map_parquet_column_is_a_clear_error(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"request_id": ["R1"], "requested_on": ["2021-01-01"], "platform": ["Google"],
                      "agency": pa.array([[("k", "v")]], type=pa.map_(pa.string(), pa.string()))})
    path = tmp_path / "map.parquet"
    pq.write_table(table, path)
    with pytest.raises(DataFileError, match=r"map\.parquet.*'agency'"):
        load_requests(path, today=TODAY).summary()


# ----------------------------------------------------------------------------- 4. physical line numbers
def test_rejects_after_multiline_fields_name_the_physical_line(tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n"
        'R1,2021-01-01,"Seoul\nMapo\nStation",Google\n'  # lines 2-4
        "R2,2021-01-01,A,Google\n"  # line 5
        'R3,2021-13-01,"two\r\nlines",Google\n'  # lines 6-7, rejected: reported at 6
        "R4,2021-13-01,A,Google\n"  # line 8, rejected
    )
    path = _write(tmp_path / "multi.csv", text)
    assert load_requests(path, today=TODAY).rejects["line"].to_list() == [6, 8]


def test_multiline_header_shifts_the_lines(tmp_path: Path) -> None:
    text = 'request_id,requested_on,agency,platform,"note\nmore"\nR1,2021-13-01,A,Google,x\n'
    path = _write(tmp_path / "head.csv", text)
    assert load_requests(path, today=TODAY).rejects["line"].to_list() == [3]


# ----------------------------------------------------------------------------- 5. messages that say what is wrong
def test_cp949_after_an_ascii_first_mib_is_read(tmp_path: Path) -> None:
    ascii_rows = "".join(f"R{i},2021-01-01,Seoul Mapo Police Station,Google\n" for i in range(30_000))
    path = _write(tmp_path / "late.csv", f"{HEADER}\n{ascii_rows}K1,2021-01-01,서울마포경찰서,Google\n", "cp949")
    assert path.stat().st_size > 1 << 20
    result = load_requests(path, today=TODAY)
    assert result.rows_kept == 30_001
    assert result.data.filter(pl.col("request_id") == "K1").collect()["agency"].item() == "서울마포경찰서"


def test_not_utf8_says_how_to_give_the_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path / "late.csv", f"{HEADER}\nK1,2021-01-01,서울,Google\n", "cp949")
    with pytest.raises(DataFileError, match=r"late\.csv.*not UTF-8.*encoding"):
        load_requests(path, mapping={"options": {"encoding": "utf-8"}}, today=TODAY).summary()


def test_cr_only_line_ends_are_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "mac.csv", f"{HEADER}\rR1,2021-01-01,A,Google\rR2,2021-01-01,A,Google\r")
    with pytest.raises(DataFileError, match=r"mac\.csv.*CR only"):
        load_requests(path, today=TODAY).summary()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    with pytest.raises(DataFileError, match=r"pipe\.csv.*not a regular file"):
        load_requests(path, today=TODAY)


# ----------------------------------------------------------------------------- 6. mixed encodings
def test_stray_utf8_line_in_cp949_file_is_never_imported_garbled(tmp_path: Path) -> None:
    rows = [HEADER, "K1,2021-01-01,서울마포경찰서,Google", "K2,2021-01-01,부산경찰청,Google"]
    data = "\n".join(rows).encode("cp949") + "\nU1,2021-01-01,서울경찰청,Google\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    with pytest.raises(DataFileError, match=r"mixed\.csv.*line 4.*UTF-8.*CP949"):
        load_requests(path, today=TODAY).summary()


# ----------------------------------------------------------------------------- 7. bounded memory
def test_a_file_of_blank_lines_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textfile, "MAX_BLANK_LINES", 1000)
    path = _write(tmp_path / "blank.csv", f"{HEADER}\nR1,2021-01-01,A,Google\n" + "\n" * 5000)
    with pytest.raises(DataFileError, match=r"blank\.csv.*blank lines"):
        load_requests(path, today=TODAY)
    few = _write(tmp_path / "few.csv", f"{HEADER}\nR1,2021-01-01,A,Google\n" + "\r\n" * 999)
    assert load_requests(few, today=TODAY).summary()["rejected_by_reason"] == {"blank_row": 999}


def test_blank_line_count_is_exact() -> None:
    assert textfile.count_blank_lines(io.BytesIO(b"a\n\n\nb\r\n\r\n\nc\n" * 3), chunk=5) == 12


def test_xlsx_whose_sheet_unpacks_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.xlsx"
    pl.DataFrame({"request_id": ["R1"], "requested_on": ["2021-01-01"], "agency": ["A"],
                  "platform": ["Google"]}).write_excel(path)
    assert load_requests(path, today=TODAY).rows_kept == 1
    sheet = max((i for i in zipfile.ZipFile(path).infolist() if i.filename.startswith("xl/worksheets/")),
                key=lambda i: i.file_size)
    monkeypatch.setattr(binaryfiles, "XLSX_MAX_XML_BYTES", sheet.file_size - 1)
    with pytest.raises(DataFileError, match=r"bomb\.xlsx.*unpacks to"):
        load_requests(path, today=TODAY)


def test_utf8_check_spans_chunks(tmp_path: Path) -> None:
    path = tmp_path / "split.csv"
    path.write_bytes("가".encode() + b"abc")  # a whole character cut by the chunk boundary: still UTF-8
    assert textfile.survey(path, chunk=1).utf8
    path.write_bytes("가".encode()[:2] + b"ab" + "가".encode()[2:])  # ASCII inside a character: not UTF-8
    assert not textfile.survey(path, chunk=2).utf8
