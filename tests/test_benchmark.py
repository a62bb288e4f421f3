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
