"""A shared batch run (`--profile shared`: suppress_below >= 2) leaves nothing sensitive in its output
folder: no page, notebook or log of a failed report, no exception text, no request id; the logs and
executed notebooks go to a private folder (0700) outside it."""

from __future__ import annotations

import csv
import datetime as dt
import json
import stat
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from coopanalysis.cli import main as cli_main

HEADER = "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on"
IDS = [f"CASE-{7700 + i}-KX" for i in range(12)]
SECRET = "agency Seoul-Secret-Unit-42 sent a malformed row"
PARAMETERS = 'data: str = ""  # request log\nsuppress_below: int = 0  # hide counts below this number'


def write_log(path: Path) -> Path:
    """A request log of 12 requests whose ids (`IDS`) must never reach a shared folder."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=HEADER.split(","))
        w.writeheader()
        for i, rid in enumerate(IDS):
            day = dt.date(2023, 1, 1) + dt.timedelta(days=7 * i)
            w.writerow({"request_id": rid, "requested_on": day, "agency": "Seoul A", "country": "KR",
                        "platform": "Google", "crime_type": "fraud", "channel": "email", "responded_on": "",
                        "response": "", "case_outcome": "open", "closed_on": ""})
    return path


def write_notebook(path: Path, code: str) -> Path:
    """A report notebook declaring `data` and `suppress_below`, then running `code`."""
    nb = new_notebook(cells=[new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}), new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def shared_config(tmp_path: Path, log: Path) -> Path:
    """Three reports on `log`: one good, one printing request ids, one raising with data in its message."""
    read = "import csv\nrows = list(csv.DictReader(open(data, encoding='utf-8')))\n"
    declare = ("from coopanalysis.present.display import record_counts\n"
               "from coopanalysis.publish.ledger import Ledger\nrecord_counts(Ledger('good', 10))\n")
    good = write_notebook(tmp_path / "good.ipynb", read + declare + "print('requests counted:', len(rows) * 100)")
    leaky = write_notebook(tmp_path / "leaky.ipynb", read + "print([r['request_id'] for r in rows])")
    raises = write_notebook(tmp_path / "raises.ipynb", read + f"raise ValueError({SECRET!r} + ' ' + rows[0]['request_id'])")
    config = tmp_path / "r.toml"
    body = "".join(
        f'[[reports]]\nname = "{name}"\nnotebook = "{nb.as_posix()}"\nparameters = {{ data = "{log.as_posix()}" }}\n\n'
        for name, nb in (("good", good), ("leaky", leaky), ("raises", raises))
    )
    config.write_text(body + "[profiles.shared]\nsuppress_below = 10\n", encoding="utf-8")
    return config


def test_shared_run_leaves_no_request_id_error_text_or_private_file_in_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = shared_config(tmp_path, write_log(tmp_path / "log.csv"))
    out = tmp_path / "out"
    code = cli_main(["run", "--config", str(config), "--out", str(out), "--profile", "shared", "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 1

    # nothing of the failures, and no log or notebook, in the output folder
    files = [p for p in out.rglob("*") if p.is_file()]
    assert sorted(p.relative_to(out).as_posix() for p in files) == [
        ".coopanalysis-manifest.json", ".coopanalysis.lock", "good.html", "index.html", "summary.json"]
    for folder in ("failed", "executed", "logs", ".work"):
        assert not (out / folder).exists(), folder
    for path in files:
        content = path.read_bytes()
        for rid in IDS:
            assert rid.encode() not in content, (path, rid)
        assert SECRET.encode() not in content and b"ValueError" not in content and b"Traceback" not in content, path
    assert b"requests counted: 1200" in (out / "good.html").read_bytes()

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_name = {e["name"]: e for e in summary["reports"]}
    assert by_name["good"]["status"] == "ok" and by_name["good"]["outputs"] == {"html": "good.html"}
    assert by_name["leaky"]["status"] == "failed" and by_name["raises"]["status"] == "failed"
    assert by_name["leaky"]["error"] == "refused: its output holds request-level data"
    assert by_name["raises"]["error"] == "failed: see the run's log"
    assert by_name["leaky"]["outputs"] == {} and by_name["raises"]["outputs"] == {}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="st st-failed"') == 2 and index.count('class="st st-ok"') == 1
    for name in ("leaky", "raises"):
        assert f"<td>{name}" in index  # listed, with no link
    assert "refused: its output holds request-level data" in index
    assert "failed: see the run&#39;s log" in index
    assert "kept on the machine that ran the batch" in index

    # the logs and executed notebooks are in a private folder outside it, named on the terminal
    from coopanalysis.batch.shared import private_dir

    private = private_dir(out)
    assert private.is_relative_to(tmp_path / "state") and not private.is_relative_to(out)
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert str(private) in err
    assert "Traceback" in (private / "logs" / "raises.log").read_text(encoding="utf-8")
    assert SECRET in (private / "logs" / "raises.log").read_text(encoding="utf-8")
    assert (private / "logs" / "leaky.log").exists() and (private / "logs" / "good.log").exists()
    assert stat.S_IMODE((private / "logs" / "leaky.log").stat().st_mode) == 0o600
    assert (private / "executed" / "good.ipynb").exists()
    assert (private / "failed" / "leaky.ipynb").exists() and (private / "failed" / "raises.ipynb").exists()
    assert not list(private.glob(".work/*.ipynb"))

    # a second shared run of the unchanged reports keeps the folder as clean
    assert cli_main(["run", "--config", str(config), "--out", str(out), "--profile", "shared", "--jobs", "2"]) == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        ".coopanalysis-manifest.json", ".coopanalysis.lock", "good.html", "index.html", "summary.json"]


def test_unshared_run_keeps_failure_pages_logs_and_executed_notebooks_in_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = shared_config(tmp_path, write_log(tmp_path / "log.csv"))
    out = tmp_path / "out"
    assert cli_main(["run", "--config", str(config), "--out", str(out), "--only", "good", "--only", "raises"]) == 1
    assert (out / "executed" / "good.ipynb").exists() and (out / "logs" / "good.log").exists()
    assert (out / "failed" / "raises.html").exists() and (out / "logs" / "raises.log").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    raises = {e["name"]: e for e in summary["reports"]}["raises"]
    assert raises["error"].startswith(f"ValueError: {SECRET}")
    assert raises["outputs"] == {"error_notebook": "failed/raises.ipynb", "error_html": "failed/raises.html",
                                 "log": "logs/raises.log"}
    assert not (tmp_path / "state").exists()


def test_shared_reports_that_time_out_or_lose_their_kernel_show_fixed_reasons_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    log = write_log(tmp_path / "log.csv")
    read = "import csv, os, time\nrows = list(csv.DictReader(open(data, encoding='utf-8')))\nprint(rows[0])\n"
    sleeps = write_notebook(tmp_path / "sleeps.ipynb", read + "time.sleep(300)")
    dies = write_notebook(tmp_path / "dies.ipynb", read + "os._exit(3)")
    config = tmp_path / "r.toml"
    config.write_text(
        f'[[reports]]\nname = "sleeps"\nnotebook = "{sleeps.as_posix()}"\ntimeout = 4\n'
        f'parameters = {{ data = "{log.as_posix()}", suppress_below = 5 }}\n\n'
        f'[[reports]]\nname = "dies"\nnotebook = "{dies.as_posix()}"\n'
        f'parameters = {{ data = "{log.as_posix()}", suppress_below = 5 }}\n', encoding="utf-8")
    out = tmp_path / "out"
    assert cli_main(["run", "--config", str(config), "--out", str(out), "--jobs", "2"]) == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        ".coopanalysis-manifest.json", ".coopanalysis.lock", "index.html", "summary.json"]
    for path in out.iterdir():
        content = path.read_bytes()
        assert not any(rid.encode() in content for rid in IDS) and b"kernel died" not in content, path
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    errors = {e["name"]: e["error"] for e in summary["reports"]}
    assert errors == {"sleeps": "timed out", "dies": "failed: see the run's log"}

    from coopanalysis.batch.shared import private_dir

    logs = private_dir(out) / "logs"
    assert "time limit of 4 s reached" in (logs / "sleeps.log").read_text(encoding="utf-8")
    assert "kernel died" in (logs / "dies.log").read_text(encoding="utf-8")


def test_a_sharing_profile_refuses_a_notebook_that_cannot_hide_small_counts(tmp_path, capsys):
    # A notebook without suppress_below would go out unprotected under --profile shared: nothing runs.
    log = write_log(tmp_path / "log.csv")
    nb = tmp_path / "plain.ipynb"
    cells = [new_code_cell('data: str = ""  # request log', metadata={"tags": ["parameters"]}), new_code_cell("print(1)")]
    plain = new_notebook(cells=cells)
    plain.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(plain, nb)
    config = tmp_path / "r.toml"
    good = write_notebook(tmp_path / "good.ipynb", "print('counted')")
    config.write_text(f'[[reports]]\nname = "plain"\nnotebook = "{nb.as_posix()}"\n'
                      f'parameters = {{ data = "{log.as_posix()}" }}\n\n'
                      f'[[reports]]\nname = "good"\nnotebook = "{good.as_posix()}"\n'
                      f'parameters = {{ data = "{log.as_posix()}" }}\n\n[profiles.shared]\nsuppress_below = 10\n',
                      encoding="utf-8")
    out = tmp_path / "out"
    assert cli_main(["run", "--config", str(config), "--out", str(out), "--profile", "shared"]) == 2
    err = capsys.readouterr().err
    assert "plain: plain.ipynb has no suppress_below parameter" in err and "nothing was run" in err
    assert not (out / "plain.html").exists() and not (out / "good.html").exists()
