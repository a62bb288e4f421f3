"""Batch runs on a real Dask distributed cluster (LocalCluster on loopback, worker processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coopanalysis.batch import run_batch

FIXTURES = Path(__file__).parent / "fixtures" / "batch"


@pytest.mark.slow
def test_reports_run_on_a_dask_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    config = tmp_path / "r.toml"
    config.write_text(
        f"""
        [[reports]]
        name = "good"
        notebook = "{(FIXTURES / 'good.ipynb').as_posix()}"
        parameters = {{ n = 4 }}
        [reports.matrix]
        label = ["Telegram", "Meta"]

        [[reports]]
        name = "raises"
        notebook = "{(FIXTURES / 'raises.ipynb').as_posix()}"
        """,
        encoding="utf-8",
    )
    out = tmp_path / "out"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        outcome = run_batch(config=config, out_dir=out, scheduler=cluster.scheduler_address)
        with distributed.Client(cluster) as client:
            workers = client.scheduler_info()["workers"]
            assert len(workers) == 2 and all(w["nthreads"] == 1 for w in workers.values())
    assert outcome.exit_code == 1
    by_name = {e["name"]: e for e in outcome.entries}
    assert by_name["good--label-telegram"]["status"] == "ok"
    assert by_name["good--label-meta"]["headlines"]["total"]["value"] == 4 * 1.5
    assert by_name["raises"]["error"] == "ValueError: the fixture was asked to fail (cell 3)"
    assert "label Telegram total 6.0" in (out / "good--label-telegram.html").read_text(encoding="utf-8")
    assert (out / "failed" / "raises.html").exists() and not (out / "raises.html").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scheduler"] == cluster.scheduler_address and summary["counts"] == {"ok": 2, "failed": 1}
