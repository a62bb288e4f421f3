"""Broken input never ends in a raw traceback or a silent drop: either one clear error naming the
file and the cause, or rows read = rows kept + rows rejected."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopanalysis import cli
from coopanalysis.errors import DataFileError
from coopanalysis.io.requests import load_requests

GOOD = (
    "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on\n"
    + "".join(
        f"R{i},2021-0{1 + i % 9}-1{i % 9},Seoul Mapo Police Station,KR,Google,fraud,email,"
        f"2021-0{1 + i % 9}-2{i % 9},disclosed,arrested,2021-1{i % 3}-01\n"
        for i in range(30)
    )
)
TODAY = dt.date(2026, 1, 1)
NASTY = ['"', ",", "\n", "\r", ";", "\t", "\ufeff", "\x00", "서울", "'", "\\", "\u202e", "😀", "x" * 5000]


def outcome(path: Path) -> str:
    """'error' or 'accounted' — anything else (a raw exception, numbers that do not add up) fails."""
    try:
        summary = load_requests(path, today=TODAY).summary()
    except DataFileError as exc:
        assert str(path) in str(exc)
        assert len(str(exc)) < 600
        return "error"
    assert summary["rows_read"] == summary["rows_kept"] + summary["rows_rejected"]
    return "accounted"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(GOOD)), st.sampled_from(NASTY)), min_size=1, max_size=6
    ),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=len(GOOD))),
    encoding=st.sampled_from(["utf-8", "cp949-tail"]),
)
def test_mutated_csv(tmp_path: Path, edits: list[tuple[int, str]], cut: int | None, encoding: str) -> None:
    text = GOOD
    for pos, piece in sorted(edits, reverse=True):
        text = text[:pos] + piece + text[pos:]
    if cut is not None:
        text = text[:cut]
    data = text.encode("utf-8")
    if encoding == "cp949-tail":  # a file whose second half was saved in another encoding
        half = len(text) // 2
        data = text[:half].encode("utf-8") + text[half:].encode("cp949", errors="replace")
    path = tmp_path / "mutated.csv"
    path.write_bytes(data)
    outcome(path)


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (b"request_id,requested_on,agency,platform,agency\nR1,2021-01-01,A,Google,B\n", "duplicate column name"),
        (b'request_id,requested_on,agency,platform\nR1,2021-01-01,"A,Google\n', "stray quote"),
        (b"request_id,requested_on,agency,platform\nR1,2021-01-01,A,Google,x,y\n", "more fields than the header"),
        (b"request_id,requested_on,agency,platform\n", "no data rows"),
        (bytes(range(256)) * 4, "neither UTF-8 nor CP949"),
    ],
)
def test_named_causes(tmp_path: Path, content: bytes, cause: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataFileError, match=cause):
        load_requests(path).summary()


def test_blank_lines_are_rejected_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("request_id,requested_on,agency,platform\n\nR1,2021-01-01,A,Google\n\n")
    result = load_requests(path, today=TODAY)
    assert result.summary()["rejected_by_reason"] == {"blank_row": 2}
    assert result.rejects["line"].to_list() == [2, 4]


def _parquet_bytes() -> bytes:
    buf = io.BytesIO()
    pl.read_csv(io.StringIO(GOOD), infer_schema=False).write_parquet(buf)
    return buf.getvalue()


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    pl.read_csv(io.StringIO(GOOD), infer_schema=False).write_excel(buf)
    return buf.getvalue()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["parquet", "xlsx"]), cut=st.floats(min_value=0.0, max_value=0.99), flip=st.booleans())
def test_truncated_or_corrupt_binary_files(tmp_path: Path, kind: str, cut: float, flip: bool) -> None:
    data = _parquet_bytes() if kind == "parquet" else _xlsx_bytes()
    data = bytearray(data[: int(len(data) * cut)] if not flip else data)
    if flip:  # corrupt bytes in the middle instead of cutting
        mid = int(len(data) * cut)
        data[mid : mid + 16] = b"\xff" * 16
    path = tmp_path / f"broken.{kind}"
    path.write_bytes(bytes(data))
    outcome(path)


@pytest.mark.parametrize("at", [0.42, 0.76])
def test_damaged_parquet_page_is_a_clear_error(tmp_path: Path, at: float) -> None:
    # 16 bytes overwritten at these points make polars' Parquet reader panic (polars 2.1), which
    # must reach the user as the one-line file error, not as a Rust backtrace
    data = bytearray(_parquet_bytes())
    mid = int(len(data) * at)
    data[mid : mid + 16] = b"\xff" * 16
    path = tmp_path / "damaged.parquet"
    path.write_bytes(bytes(data))
    with pytest.raises(DataFileError, match=r"damaged\.parquet.*cannot be read as a table"):
        load_requests(path, today=TODAY).summary()


def test_cli_never_prints_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(_parquet_bytes()[:100])
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "broken.parquet" in err
