"""The benchmark script itself: its JSON, and that it stops when an engine disagrees with ours."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
from pathlib import Path

import polars as pl
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "transforms.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_transforms", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_json_names_every_engine_after_checking_their_results(bench, tmp_path):
    pytest.importorskip("pandas")
    pytest.importorskip("duckdb")
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert bench.main(["--rows", "3000", "--repeat", "1", "--json", "--out", str(tmp_path)]) == 0
    lines = stdout.getvalue().strip().splitlines()
    assert len(lines) == 1  # one object and nothing else
    out = json.loads(lines[0])
    assert set(out) == {"rows", "seconds", "peak_rss_mb"} and out["rows"] == 3000
    for figure in ("seconds", "peak_rss_mb"):
        assert set(out[figure]) == {"polars", "pandas", "duckdb"}
        assert all(v > 0 for v in out[figure].values())
    # the log was written where asked, with the rows asked for
    log = tmp_path / "requests-3000-seed2020"
    assert pl.scan_parquet(log, hive_partitioning=True).select(pl.len()).collect().item() == 3000


def test_a_disagreeing_engine_stops_the_run_naming_the_analysis(bench):
    ours = {
        name: pl.DataFrame({c: [] for c in cols}) for name, cols in bench.COLUMNS.items()
    }
    ours["answered_by_platform"] = bench.normalise(
        "answered_by_platform",
        pl.DataFrame({"platform": ["Google"], "requests": [10], "answered": [6], "answered_share": [0.6],
                      "ci_low": [0.31], "ci_high": [0.83]}),
    )
    theirs = dict(ours)
    theirs["answered_by_platform"] = ours["answered_by_platform"].with_columns(answered=pl.lit(5, dtype=pl.Int64))
    with pytest.raises(SystemExit, match="pandas disagrees with polars on answered_by_platform"):
        bench.compare(ours, theirs, "pandas")
    bench.compare(ours, dict(ours), "pandas")  # equal results pass


def test_peak_memory_is_the_workers_own_not_the_drivers(bench):
    """VmHWM of this process, read from /proc: the figure each engine's worker reports."""
    import resource

    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc on this system")
    own = bench.own_peak_mb()
    assert own > 0
    # a Python process with polars loaded peaks at tens of MB at least; never above ru_maxrss
    assert 20 < own <= resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + 1


BAD_LOG = (
    "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on\n"
    "A1,2021-03-04,Seoul,KR,telegram ,fraud,email,2021-03-10,disclosed,arrested,2021-06-01\n"
    "A2,2021/3/4,Busan,kr,GOOGLE,fraud,portal,,,open,\n"
    "A3,04-03-2021,Busan,KR,Meta,fraud,portal,,,open,\n"          # unparseable date
    "A1,2021-03-05,Seoul,KR,Meta,fraud,email,,,open,\n"           # repeated id
    ",,,,,,,,,,\n"                                                  # blank row
    "A4,2021-03-05,,KR,Meta,fraud,email,,,open,\n"                 # missing agency
    "A5,2021-03-05,Seoul,Korea,Meta,fraud,email,,,open,\n"         # country not a code
    "A6,2021-03-05,Seoul,KR,Meta,fraud,email,2021-03-01,refused,closed_other,\n"  # reply before request
    "A7,2021-03-05,Seoul,KR,Meta,fraud,email,2021-03-09,,open,\n"  # reply date, no response
    "A8,20210305,Seoul,KR,Meta,fraud,email,,maybe,open,\n"         # response not allowed
    "A9, 2021-03-05 ,Seoul,KR,Meta,fraud,email,,, Suspect identified ,\n"
    "A10,2999-01-01,Seoul,KR,Meta,fraud,email,,,open,\n"           # in the future
    "A11,2021-02-30,Seoul,KR,Meta,fraud,email,,,open,2021-01-01\n"  # impossible date
)


def test_duckdb_pipeline_rejects_the_same_lines_for_the_same_reasons(tmp_path):
    """benchmarks/validate.py's DuckDB baseline applies our rules: kept rows and rejects equal ours."""
    pytest.importorskip("duckdb")
    import datetime as dt
    import sys

    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import duckdb_rules
    finally:
        sys.path.remove(str(SCRIPT.parent))
    from coopanalysis.io.requests import load_requests

    log = tmp_path / "log.csv"
    log.write_text(BAD_LOG, encoding="utf-8")
    today = dt.date(2026, 1, 1)
    ours = load_requests(log, today=today)
    read, kept = duckdb_rules.validate_duckdb(log, tmp_path / "duck", today=today)
    assert (read, kept) == (ours.rows_read, ours.rows_kept) == (13, 3)
    theirs = duckdb_rules.rejects(tmp_path / "duck")
    assert theirs.to_dicts() == ours.rejects.select("line", "column", "reason", "value").to_dicts()
    assert theirs["reason"].to_list() == [
        "unparseable_date", "duplicate_request_id", "blank_row", "missing_value", "value_not_allowed",
        "responded_before_requested", "response_date_mismatch", "value_not_allowed", "date_in_future",
        "unparseable_date",
    ]
