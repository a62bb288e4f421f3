"""The next report's kernel is launched while the current one runs (`batch.spare`): each report still
gets a kernel of its own that nothing ran in before, and no kernel outlives its worker."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from coopanalysis.batch import run_batch
from coopanalysis.batch.kernel import default_kernel_name, kernel_pid
from coopanalysis.batch.spare import SpareKernels
from processes import alive, wait_for

PROBE = (
    "import os\n"
    "fresh = 'ran_before' not in globals()\n"
    "ran_before = True\n"
    "print(json.dumps({'label': label, 'pid': os.getpid(), 'fresh': fresh, 'cwd': os.getcwd()}))"
)


def probe_notebook(path: Path) -> Path:
    """A report that prints its kernel's pid and whether anything ran in that kernel before it."""
    nb = new_notebook(cells=[
        new_code_cell('label = "x"', metadata={"tags": ["parameters"]}),
        new_code_cell("import json\n" + PROBE),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def wait_until_gone(pid: int) -> None:
    """Fail the test unless process `pid` has ended (or is a zombie) within 10 seconds."""
    wait_for(lambda: not alive(pid), timeout=10)


def test_each_report_of_a_worker_runs_in_a_fresh_kernel_launched_ahead_of_it(tmp_path: Path) -> None:
    nb = probe_notebook(tmp_path / "probe.ipynb")
    labels = ", ".join(f'"r{i}"' for i in range(4))
    cfg = tmp_path / "r.toml"
    cfg.write_text(f'[[reports]]\nname = "p"\nnotebook = "{nb.as_posix()}"\n[reports.matrix]\nlabel = [{labels}]\n',
                   encoding="utf-8")
    outcome = run_batch(config=cfg, out_dir=tmp_path / "out", jobs=1, force=True, stream=io.StringIO())
    assert [e["status"] for e in outcome.entries] == ["ok"] * 4
    seen = []
    for executed in sorted((tmp_path / "out" / "executed").glob("*.ipynb")):
        text = "".join(o.get("text", "") for o in nbformat.read(executed, 4).cells[-1].outputs)
        seen.append(json.loads(text))
    assert [s["label"] for s in seen] == ["r0", "r1", "r2", "r3"]
    assert all(s["fresh"] for s in seen)  # no report finds another's variables
    assert len({s["pid"] for s in seen}) == 4  # four kernels, one per report
    assert {s["cwd"] for s in seen} == {os.getcwd()}  # the spare starts where papermill would start it
    logs = [(tmp_path / "out" / "logs" / f"p--label-r{i}.log").read_text("utf-8") for i in range(4)]
    assert "kernel launched ahead" not in logs[0]
    assert all(f"kernel launched ahead (pid {s['pid']})" in log for s, log in zip(seen[1:], logs[1:]))
    for s in seen:  # each was shut down after its report
        wait_until_gone(s["pid"])


def test_a_spare_that_does_not_fit_the_report_is_shut_down_and_not_used(tmp_path: Path) -> None:
    spares = SpareKernels(tmp_path / "spare.pid")
    spares.launch(default_kernel_name(), str(tmp_path))
    pid = kernel_pid(spares.spare)
    assert pid and (tmp_path / "spare.pid").read_text() == str(pid)
    assert spares.take(default_kernel_name(), str(tmp_path / "elsewhere")) is None
    wait_until_gone(pid)
    assert not (tmp_path / "spare.pid").exists()


def test_a_spare_left_when_no_report_follows_is_shut_down(tmp_path: Path) -> None:
    spares = SpareKernels(tmp_path / "spare.pid")
    spares.launch(default_kernel_name(), str(tmp_path))
    pid = kernel_pid(spares.spare)
    spares.discard()
    wait_until_gone(pid)
    assert not (tmp_path / "spare.pid").exists() and spares.spare is None
