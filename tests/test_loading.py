"""Validated loading: every row is kept or rejected with file, line, column and reason."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from coopanalysis import cli, paths
from coopanalysis.errors import DataFileError
from coopanalysis.io.cache import cache_files
from coopanalysis.io.requests import load_counts, load_requests

HEADER = "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on"
GOOD = "R1,2021-01-05,Seoul Mapo Police Station,KR,telegram,fraud,email,,,open,"
MIXED = "\n".join(
    [
        HEADER,
        GOOD,  # line 2: kept
        "R2,2021-13-05,Seoul Mapo,KR,Google,fraud,portal,2021-01-20,disclosed,arrested,2021-03-01",  # 3 bad date
        "R3,2021-02-05,Seoul Mapo,KR,Google,fraud,portal,2021-01-20,disclosed,arrested,2021-03-01",  # 4 responded before
        "R1,2021-02-05,Seoul Mapo,KR,Google,fraud,portal,2021-02-20,disclosed,arrested,2021-03-01",  # 5 duplicate id
        "R5,2021-02-05,,KR,Google,fraud,portal,2021-02-20,disclosed,arrested,2021-03-01",  # 6 missing agency
        "R6,2031-02-05,Busan,KR,Meta,fraud,portal,,,open,",  # 7 future
        "R7,2021-02-05,Busan,KR,Meta,fraud,portal,2021-03-01,Partial,Suspect identified,",  # 8 kept (normalised)
        "R8,2021-02-05,Busan,KR,Meta,fraud,portal,2021-03-01,maybe,open,",  # 9 response not allowed
        "R9,2021-02-05,Busan,KR,Meta,fraud,portal,2021-03-01,disclosed,open,2021-01-01",  # 10 closed before
        "R10,2021-02-05,Busan,KR,Meta,fraud,portal,,disclosed,open,",  # 11 response without date
    ]
)
TODAY = dt.date(2026, 1, 1)


@pytest.fixture
def mixed_csv(tmp_path: Path) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(MIXED + "\n", encoding="utf-8")
    return path


def test_mixed_file_accounts_for_every_row(mixed_csv: Path) -> None:
    result = load_requests(mixed_csv, today=TODAY)
    summary = result.summary()
    assert (summary["rows_read"], summary["rows_kept"], summary["rows_rejected"]) == (10, 2, 8)
    rejects = result.rejects.select("line", "column", "reason").rows()
    assert rejects == [
        (3, "requested_on", "unparseable_date"),
        (4, "responded_on", "responded_before_requested"),
        (5, "request_id", "duplicate_request_id"),
        (6, "agency", "missing_value"),
        (7, "requested_on", "date_in_future"),
        (9, "response", "value_not_allowed"),
        (10, "closed_on", "closed_before_requested"),
        (11, "response", "response_date_mismatch"),
    ]
    assert result.rejects["source_file"].unique().to_list() == [str(mixed_csv)]
    assert result.rejects.filter(pl.col("line") == 3)["value"].item() == "2021-13-05"


def test_kept_rows_are_canonical(mixed_csv: Path) -> None:
    kept = load_requests(mixed_csv, today=TODAY).data.collect()
    assert kept.columns == list(__import__("coopanalysis.core.schema", fromlist=["x"]).REQUESTS_SCHEMA)
    assert kept["request_id"].to_list() == ["R1", "R7"]
    assert kept["platform"].to_list() == ["Telegram", "Meta"]  # one spelling per platform
    assert kept.filter(pl.col("request_id") == "R7").select("response", "case_outcome").row(0) == (
        "partial",
        "suspect_identified",
    )
    assert kept["requested_on"].dtype == pl.Date


def test_bom_utf8_and_cp949_with_korean_mapping(tmp_path: Path) -> None:
    text = (
        "요청번호,요청일자,요청관서,플랫폼,회신일자,회신결과,사건결과\n"
        "K1,2022.03.04,서울마포경찰서,텔레그램,,,추적불가중지\n"
        "K2,2022. 3. 5.,서울강남경찰서,Google,2022-03-20,자료제공,검거\n"
        "K3,20220306,서울강남경찰서,Google,2022-03-21,무응답,검거\n"
    )
    mapping = paths.DATA_DIR / "mappings" / "knpa_korean_headers.toml"
    for name, raw in {"bom.csv": "\ufeff" + text, "cp949.csv": text}.items():
        path = tmp_path / name
        path.write_bytes(raw.encode("utf-8") if name == "bom.csv" else raw.encode("cp949"))
        result = load_requests(path, mapping=mapping, today=TODAY)
        kept = result.data.collect()
        assert kept["request_id"].to_list() == ["K1", "K2"], name
        assert kept["agency"].to_list() == ["서울마포경찰서", "서울강남경찰서"]
        assert kept["platform"].to_list() == ["Telegram", "Google"]  # 텔레그램 → Telegram
        assert kept["requested_on"].to_list() == [dt.date(2022, 3, 4), dt.date(2022, 3, 5)]
        assert kept["case_outcome"].to_list() == ["suspended_untraceable", "arrested"]
        assert result.rejects.select("line", "column", "reason", "value").row(0) == (
            4, "response", "value_not_allowed", "무응답",
        )


def test_parquet_hive_and_xlsx(tmp_path: Path) -> None:
    df = pl.DataFrame(
        {
            "request_id": ["P1", "P2", "P3"],
            "requested_on": [dt.date(2021, 1, 1), dt.date(2022, 1, 1), dt.date(2022, 2, 1)],
            "agency": ["A", "B", None],
            "platform": ["Google", "Meta", "X"],
            "year": [2021, 2022, 2022],
        }
    )
    hive = tmp_path / "hive"
    df.write_parquet(hive, partition_by="year")
    result = load_requests(hive, today=TODAY)
    assert result.summary()["rows_kept"] == 2
    assert result.rejects.select("column", "reason").row(0) == ("agency", "missing_value")

    xlsx = tmp_path / "log.xlsx"
    df.drop("year").write_excel(xlsx)
    result = load_requests(xlsx, today=TODAY)
    assert result.data.collect()["requested_on"].to_list() == [dt.date(2021, 1, 1), dt.date(2022, 1, 1)]
    assert result.rejects.select("line", "column").row(0) == (4, "agency")  # sheet row 4 (header is row 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "the file is empty"),
        ("request_id,agency\nR1,A\n", "required columns 'requested_on', 'platform' absent; the file has 'request_id', 'agency'"),
    ],
)
def test_unusable_file_names_file_and_problem(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "log.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(DataFileError) as err:
        load_requests(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_validate_cli_json_and_rejects(mixed_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "rejects.csv"
    code = cli.main(["validate", str(mixed_csv), "--json", "--rejects", str(out)])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"rows_read", "rows_kept", "rows_rejected", "rejected_by_reason"}
    assert payload["rows_read"] == payload["rows_kept"] + payload["rows_rejected"]
    assert payload["rejected_by_reason"]["duplicate_request_id"] == 1
    assert pl.read_csv(out).height == payload["rows_rejected"]


def test_validate_cli_unusable_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = cli.main(["validate", str(tmp_path / "missing.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "missing.csv: no such file or directory" in err
    assert "Traceback" not in err


def test_counts_table_parses_published_number_formats(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text(
        "source,provider,country,period_start,period_end,requests,answered,answered_share\n"
        'meta,facebook,KR,2021-01-01,2021-06-30,"1,158",900,80%\n'
        "meta,facebook,KR,2021-07-01,2021-06-30,10,5,50%\n"
        "meta,facebook,KR,2022-01-01,2022-06-30,10,12,\n"
    )
    result = load_counts(path)
    kept = result.data.collect()
    assert kept.select("provider", "requests", "answered", "answered_share").row(0) == ("Meta", 1158, 900, 0.8)
    assert result.rejects.select("line", "reason").rows() == [
        (3, "period_end_before_start"),
        (4, "answered_exceeds_requests"),
    ]


def test_validate_transparency_folder_json(capsys: pytest.CaptureFixture) -> None:
    code = cli.main(["validate", "--kind", "transparency", str(paths.TRANSPARENCY_DIR), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["rows_read"] == payload["rows_kept"] + payload["rows_rejected"]
    meta = [f for f in payload["files"] if f["file"].startswith("meta_government_requests/")]
    assert len(meta) == 21
    for f in payload["files"]:
        assert f["rows_read"] == f["rows_kept"] + f["rows_rejected"], f["file"]


def test_kept_rows_cached_once_and_refreshed_when_the_file_changes(mixed_csv: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    uncached = load_requests(mixed_csv, today=TODAY)
    first = uncached.kept_on_disk(cache)
    assert first.summary()["rows_kept"] == 2
    assert first.data.collect()["request_id"].to_list() == ["R1", "R7"]
    # kept and rejected rows come from one validation, written side by side; the rejects read back
    # from the cache are the ones the uncached result lists
    names = [p.name for p in cache_files(cache, "requests", first.fingerprint, source=mixed_csv)]
    assert sorted(p.name for p in cache.glob("*.parquet")) == sorted(names)
    assert first.summary() == uncached.summary()
    assert first.rejects.equals(uncached.rejects)
    again = load_requests(mixed_csv, today=TODAY).kept_on_disk(cache)
    assert again.fingerprint == first.fingerprint and len(list(cache.glob("*.parquet"))) == 2
    with mixed_csv.open("a") as fh:  # a new good row: a new fingerprint, a new cache file
        fh.write("R11,2021-03-01,Busan,KR,Meta,fraud,portal,,,open,\n")
    changed = load_requests(mixed_csv, today=TODAY).kept_on_disk(cache)
    assert changed.fingerprint != first.fingerprint
    assert changed.summary() == {**first.summary(), "rows_read": 11, "rows_kept": 3}
    assert not list(cache.glob(".*.tmp"))


def test_writing_a_cache_removes_caches_left_days_ago(mixed_csv: Path, tmp_path: Path) -> None:
    import os
    import time

    cache = tmp_path / "cache"
    cache.mkdir()
    old = [cache / "requests-0123456789abcdef0123.parquet", cache / "requests-0123456789abcdef0123.rejects.parquet",
           cache / ".requests-0123456789abcdef0123.parquet.4242.tmp"]
    recent = cache / "requests-fedcba9876543210fedc.parquet"  # another source's cache from a few hours ago
    theirs = [cache / "requests.parquet", cache / "notes.tmp"]  # a user's own old files in the folder
    for path in [*old, recent, *theirs]:
        path.write_bytes(b"PAR1")
    three_days_ago = time.time() - 3 * 24 * 3600
    for path in [*old, *theirs]:
        os.utime(path, (three_days_ago, three_days_ago))
    os.utime(recent, (time.time() - 5 * 3600, time.time() - 5 * 3600))
    loaded = load_requests(mixed_csv, today=TODAY).kept_on_disk(cache)
    assert loaded.summary()["rows_kept"] == 2
    assert not any(path.exists() for path in old)
    assert recent.exists()
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [recent.name, *(p.name for p in theirs),
         *(p.name for p in cache_files(cache, "requests", loaded.fingerprint, source=mixed_csv))]
    )


# ----------------------------------------------------------------------------- one parse, one rejects contract


def _parsed(expr_of, values: list[str | None]) -> list:
    return pl.DataFrame({"x": values}, schema={"x": pl.String}).select(expr_of(pl.col("x")).alias("x"))["x"].to_list()


def test_parse_count_reads_every_published_number_format() -> None:
    from coopanalysis.io.parse import parse_count

    texts = ["1,158", " 42 ", "1 158", "1\u00a0158", "1*", "-", "–", "N/A", "n/a", "NA", "", None, "0 - 249", "<10", "1.5", "x"]
    assert _parsed(parse_count, texts) == [1158, 42, 1158, 1158, 1, *[None] * 11]
    assert _parsed(parse_count, ["99999999999999999999999"]) == [None]  # too large: unreadable, not a crash


def test_parse_share_reads_a_share_or_always_a_percentage() -> None:
    from coopanalysis.io.parse import parse_share

    texts = ["80%", "80", "0.8", "0,8", " 12.5 % ", "-", "N/A", "", None]
    assert _parsed(parse_share, texts) == pytest.approx([0.8, 0.8, 0.8, 0.8, 0.125, None, None, None, None])
    percent = _parsed(lambda e: parse_share(e, percent=True), [*texts, "1*", "1,000"])
    assert percent == pytest.approx([0.8, 0.8, 0.008, 0.08, 0.125, None, None, None, None, 0.01, 10.0])


def test_parse_bounds_and_unreadable_cells() -> None:
    from coopanalysis.io.parse import is_unreadable, parse_high, parse_low

    texts = ["42", "0 - 249", "<10", "1,000*", "-", "", None, "many", "99999999999999999999999"]
    assert _parsed(parse_low, texts) == [42, 0, 0, 1000, None, None, None, None, None]
    assert _parsed(parse_high, texts) == [42, 249, 9, 1000, None, None, None, None, None]
    assert _parsed(is_unreadable, texts) == [False, False, False, False, False, False, False, True, False]


def test_rejects_frame_is_the_one_contract() -> None:
    from coopanalysis.io.rejects import (
        REASONS, REJECTS_SCHEMA, check_rows_add_up, count_by_reason, empty_rejects, rejects_frame,
    )
    from coopanalysis.errors import CoopAnalysisError

    assert list(REJECTS_SCHEMA) == ["source_file", "line", "column", "reason", "message", "value"]
    assert empty_rejects().schema == pl.Schema(REJECTS_SCHEMA) and empty_rejects().height == 0
    rows = pl.DataFrame({"n": [7, 3, 5], "text": ["x", None, "y"], "why": ["blank_row", "an unregistered reason", "blank_row"]})
    out = rejects_frame(rows, source_file="f.csv", line=pl.col("n"), column="requests", reason=pl.col("why"),
                        value=pl.col("text"))
    assert out.schema == pl.Schema(REJECTS_SCHEMA)
    assert out.rows() == [
        ("f.csv", 3, "requests", "an unregistered reason", "an unregistered reason", None),
        ("f.csv", 5, "requests", "blank_row", REASONS["blank_row"], "y"),
        ("f.csv", 7, "requests", "blank_row", REASONS["blank_row"], "x"),
    ]
    assert count_by_reason(out) == {"blank_row": 2, "an unregistered reason": 1}
    assert count_by_reason(empty_rejects()) == {}
    check_rows_add_up("f.csv", 10, 7, 3)
    with pytest.raises(CoopAnalysisError, match="f.csv: 10 rows read but 8 kept"):
        check_rows_add_up("f.csv", 10, 8, 3)


def test_request_rejects_follow_the_contract(mixed_csv: Path) -> None:
    from coopanalysis.io.rejects import REASONS, REJECTS_SCHEMA

    rejects = load_requests(mixed_csv, today=TODAY).rejects
    assert rejects.schema == pl.Schema(REJECTS_SCHEMA)
    assert rejects["line"].to_list() == sorted(rejects["line"].to_list())
    from coopanalysis.io.rejects import value_hint

    for reason, column, message in rejects.select("reason", "column", "message").iter_rows():
        hint = value_hint(column) if reason == "value_not_allowed" else None
        assert message == (REASONS[reason] + (f": {hint}" if hint else "")), (reason, column, message)


def test_published_series_sets_facts_aside_as_rejects_with_their_lines() -> None:
    from coopanalysis.io.published import load_knpa_series
    from coopanalysis.io.rejects import REASONS, REJECTS_SCHEMA

    series = load_knpa_series()
    aside = series.set_aside
    assert aside.schema == pl.Schema(REJECTS_SCHEMA)
    assert series.facts_used + aside.height == series.rows_read
    source = paths.KNPA_SERIES.read_text(encoding="utf-8").splitlines()
    for line, column, reason, message, value in aside.select("line", "column", "reason", "message", "value").iter_rows():
        assert (column, reason, message) == ("period", "not_one_calendar_span", REASONS["not_one_calendar_span"])
        assert source[line - 1].split(",")[3] == value  # the line a spreadsheet shows (header = line 1)
    assert set(aside["value"]) == {"annual mean", "period mean", "annual approx", "since Oct 2024"}


def test_is_request_log_tells_a_log_from_the_published_series() -> None:
    from coopanalysis.io.sources import is_request_log

    assert is_request_log("data/requests.csv") and is_request_log("")
    assert not is_request_log(str(paths.KNPA_SERIES)) and not is_request_log(paths.KNPA_SERIES.name)


def test_cache_files_are_private_and_validate_writes_rejects(mixed_csv: Path, tmp_path: Path) -> None:
    loaded = load_requests(mixed_csv, today=TODAY).kept_on_disk(tmp_path / "cache")
    for path in (tmp_path / "cache").iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path.name
    assert loaded.rows_rejected == 8
    out = tmp_path / "out" / "rejects.csv"
    assert cli.main(["validate", str(mixed_csv), "--rejects", str(out), "--json"]) == 0
    written = pl.read_csv(out)
    assert written.columns == ["source_file", "line", "column", "reason", "message", "value"]
    assert written.height == 8 and not list(out.parent.glob(".*.tmp"))


def test_only_the_adapter_touches_dataframely_internals() -> None:
    package = Path(__file__).resolve().parents[1] / "src" / "coopanalysis"
    touching = sorted(
        str(p.relative_to(package)) for p in package.rglob("*.py")
        if any(name in p.read_text(encoding="utf-8") for name in ("._lf", "._rule_columns", "_rule_columns"))
    )
    assert touching == ["io/_dataframely.py"]


def test_repeated_ids_found_in_a_pass_of_their_own_are_the_ones_the_plan_finds(tmp_path: Path) -> None:
    # ids repeated once, twice, after spaces are stripped, in another case, and blank ids (never repeats)
    ids = ["A", "B", "A", " B ", "C", "a", "A", "", "", "D"]
    rows = [f"{i},2021-02-05,Busan,KR,Meta,fraud,portal,,,open," for i in ids]
    path = tmp_path / "ids.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    loaded = load_requests(path, today=TODAY)
    in_plan = loaded.data.collect()  # the plan marks the first of each id itself
    one_pass = loaded.kept_on_disk(tmp_path / "cache")  # the repeats are found first (rules.repeated_id_lines)
    assert one_pass.data.collect().equals(in_plan)
    dups = one_pass.rejects.filter(pl.col("reason") == "duplicate_request_id")
    assert dups["line"].to_list() == [4, 5, 8]  # the second and third "A", the stripped " B "
    assert in_plan.height == 5 and one_pass.rows_read == 10  # A, B, C, a, D; the blank ids are rejected as missing
    assert one_pass.rows_rejected == 5


@pytest.mark.parametrize(("first", "env", "expected"), [
    ("import coopanalysis", {}, "2"),  # two row groups ahead: a million-row group costs ~150 MB decoded
    ("import coopanalysis", {"POLARS_ROW_GROUP_PREFETCH_SIZE": "8"}, "8"),  # the user's own setting stands
    ("import polars, coopanalysis", {}, "None"),  # polars has read its settings already: left alone
])
def test_parquet_is_read_two_row_groups_ahead_unless_set(first: str, env: dict, expected: str) -> None:
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if k != "POLARS_ROW_GROUP_PREFETCH_SIZE"}
    code = f"{first}; import os; print(os.environ.get('POLARS_ROW_GROUP_PREFETCH_SIZE'))"
    done = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == expected


def test_a_parquet_file_of_large_row_groups_is_read_in_batches_to_the_same_rows_and_rejects(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from coopanalysis.io import parquetbatches

    text = pl.read_csv(io.StringIO(MIXED), infer_schema=False)
    log = pl.concat([text] * 5).with_columns(  # repeated ids across copies, typed dates with nulls
        requested_on=pl.col("requested_on").str.to_date(strict=False), platform=pl.col("platform").cast(pl.Categorical))
    path = tmp_path / "log.parquet"
    log.write_parquet(path, row_group_size=20)
    native = load_requests(path, today=TODAY).kept_on_disk(tmp_path / "native")
    used = []
    _batch_small_groups(monkeypatch)
    real = parquetbatches.scan_in_batches
    monkeypatch.setattr("coopanalysis.io.binaryfiles.scan_in_batches", lambda p: used.append(p) or real(p))
    batched = load_requests(path, today=TODAY).kept_on_disk(tmp_path / "batched")
    assert used == [path]
    assert batched.data.collect().equals(native.data.collect())
    assert batched.rejects.equals(native.rejects) and batched.rejects.height > 20
    assert batched.summary() == native.summary() and batched.rows_read == 50
    assert load_requests(path, today=TODAY)._raw.head(9).collect()["_line"].to_list() == list(range(1, 10))


def _batch_small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Row groups of more than 10 rows count as large, and are read in batches of 7 rows (which cut
    across row groups)."""
    from coopanalysis.io import parquetbatches

    monkeypatch.setattr(parquetbatches, "LARGE_ROW_GROUP", 10)
    monkeypatch.setattr(parquetbatches, "BATCH_ROWS", 7)


def _large_groups(monkeypatch: pytest.MonkeyPatch, path: Path, rows: int, **write) -> None:
    """A request log of `rows` good rows at `path`, in 50-row groups read in batches (`_batch_small_groups`)."""
    pl.DataFrame({"request_id": [f"R{i:04d}" for i in range(rows)], "requested_on": ["2024-01-02"] * rows,
                  "agency": ["A"] * rows, "country": ["KR"] * rows, "platform": ["Telegram"] * rows,
                  "responded_on": ["2024-01-09"] * rows, "response": ["disclosed"] * rows,
                  }).write_parquet(path, row_group_size=50, **write)
    _batch_small_groups(monkeypatch)


def _decode_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name.startswith("decode ")]


def test_a_batched_parquet_file_is_decoded_once_for_kept_rows_and_rejects_and_counted_from_its_metadata(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "log.parquet"
    _large_groups(monkeypatch, path, 200)
    reads: list[list[str]] = []
    real = pq.ParquetFile.iter_batches
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", lambda self, **kw: reads.append(kw["columns"]) or real(self, **kw))
    loaded = load_requests(path, today=TODAY).kept_on_disk(tmp_path / "cache")
    assert loaded.summary()["rows_read"] == 200 and loaded.rows_kept == 200
    assert reads[0] == ["request_id"]  # the narrow pass over the ids
    assert len(reads) == 2 and "response" in reads[1]  # then one decode serves both sinks and the row count
    assert _decode_threads() == []


def test_a_damaged_page_in_a_batched_parquet_file_names_the_file_and_leaves_no_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "log.parquet"
    _large_groups(monkeypatch, path, 200, compression="uncompressed")
    damaged = bytearray(path.read_bytes())
    at = damaged.index(b"R0120")
    damaged[at - 40:at + 40] = b"\xff" * 80
    path.write_bytes(bytes(damaged))
    with pytest.raises(DataFileError, match=r"log\.parquet: cannot be read as a table: .*BYTE_ARRAY"):
        load_requests(path, today=TODAY).kept_on_disk(tmp_path / "cache")
    assert _decode_threads() == []


def test_a_batched_parquet_read_that_stops_early_stops_its_decoding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coopanalysis.io.parquetbatches import scan_in_batches

    path = tmp_path / "log.parquet"
    _large_groups(monkeypatch, path, 200)
    head = scan_in_batches(path).head(9).collect()
    assert head["_line"].to_list() == list(range(1, 10)) and head["request_id"][8] == "R0008"
    assert _decode_threads() == []


def test_parquet_row_groups_of_more_than_one_batch_are_read_in_batches(tmp_path: Path) -> None:
    """polars' own reader took over 1 GB on a 10M-row file of 125,000-row groups (what polars
    writes by default): any group of more than `BATCH_ROWS` rows goes to the batched reader."""
    from coopanalysis.io.parquetbatches import BATCH_ROWS, has_large_row_groups

    ids = pl.DataFrame({"request_id": pl.int_range(BATCH_ROWS + 1, eager=True)})
    ids.write_parquet(one_batch := tmp_path / "one.parquet", row_group_size=BATCH_ROWS)
    ids.write_parquet(more := tmp_path / "more.parquet", row_group_size=BATCH_ROWS + 1)
    assert not has_large_row_groups(one_batch) and has_large_row_groups(more)
