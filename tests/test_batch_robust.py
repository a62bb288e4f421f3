"""The output folder survives kills, concurrent runs, planted symlinks and stale fingerprints."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coopanalysis.batch import run_batch
from coopanalysis.batch.kernel import recorded_pid
from coopanalysis.batch.outputs import MANIFEST_NAME, load_manifest
from coopanalysis.cli import main as cli_main
from coopanalysis.core.files import sha256_file
from processes import alive, wait_for

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
GOOD = FIXTURES / "good.ipynb"
SLEEPS = FIXTURES / "sleeps.ipynb"


def config(path: Path, reports: str, extra: str = "") -> Path:
    """A configuration file of `reports` (TOML tables) and `extra`."""
    path.write_text(reports + extra, encoding="utf-8")
    return path


def report(name: str, notebook: Path, params: str = "") -> str:
    return f'[[reports]]\nname = "{name}"\nnotebook = "{notebook.as_posix()}"\nparameters = {{ {params} }}\n\n'


def start_run(cfg: Path, out: Path, *args: str) -> subprocess.Popen:
    """`coopanalysis run` in a process of its own (its own process group, so the test can signal it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "coopanalysis.cli", "run", "--config", str(cfg), "--out", str(out), "--jobs", "1", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, text=True)


def assert_consistent(out: Path) -> None:
    """Every page in the folder is the one its manifest record and summary entry vouch for."""
    manifest = load_manifest(out)
    summary = {e["name"]: e for e in json.loads((out / "summary.json").read_text("utf-8"))["reports"]}
    for page in out.glob("*.html"):
        if page.name == "index.html":
            continue
        name = page.stem
        assert name in manifest and manifest[name]["page_sha256"] == sha256_file(page), name
        assert summary[name]["status"] in ("ok", "skipped"), name
        assert summary[name]["parameters"] == manifest[name]["parameters"], name


# --------------------------------------------------------------------------- 1. fingerprints


def test_a_page_left_by_a_killed_unprofiled_run_is_not_kept_under_a_shared_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    nb = tmp_path / "counts.ipynb"
    cells = json.loads(GOOD.read_text("utf-8"))
    cells["cells"][1]["source"] = cells["cells"][1]["source"] + ["\nsuppress_below: int = 0  # hide small counts"]
    cells["cells"].append({"cell_type": "code", "id": "record-counts", "metadata": {}, "outputs": [], "execution_count": None, "source": [
        "from coopanalysis.present.display import record_counts\nfrom coopanalysis.publish.ledger import Ledger\n"
        "record_counts(Ledger('counts', 10))"]})  # a page of its own declares what it publishes
    nb.write_text(json.dumps(cells), encoding="utf-8")
    cfg = config(tmp_path / "r.toml", report("counts", nb), "[profiles.shared]\nsuppress_below = 10\n")
    out = tmp_path / "out"
    assert run_batch(config=cfg, out_dir=out, profile="shared", jobs=1).exit_code == 0
    # an unprofiled run writes its page, then is killed before it records anything
    manifest = (out / MANIFEST_NAME).read_bytes()
    assert run_batch(config=cfg, out_dir=out, jobs=1).exit_code == 0
    unprofiled = (out / "counts.html").read_bytes()
    (out / MANIFEST_NAME).write_bytes(manifest)
    again = run_batch(config=cfg, out_dir=out, profile="shared", jobs=1)
    assert [e["status"] for e in again.entries] == ["ok"]  # not skipped: the page is not the one recorded
    assert (out / "counts.html").read_bytes() != unprofiled
    assert again.entries[0]["parameters"]["suppress_below"] == 10
    assert_consistent(out)


def test_the_sharing_profile_and_every_resolved_parameter_are_in_the_fingerprint(tmp_path: Path) -> None:
    from coopanalysis.batch.plan import make_plan

    nb = tmp_path / "counts.ipynb"
    cells = json.loads(GOOD.read_text("utf-8"))
    cells["cells"][1]["source"] = cells["cells"][1]["source"] + ["\nsuppress_below: int = 0  # hide small counts"]
    nb.write_text(json.dumps(cells), encoding="utf-8")
    cfg = config(tmp_path / "r.toml", report("counts", nb), "[profiles.shared]\nsuppress_below = 10\n")
    plain = make_plan(config=cfg, out_dir=tmp_path / "a")
    shared = make_plan(config=cfg, out_dir=tmp_path / "b", profile="shared")
    for p in (plain, shared):
        p.lock.release()
    assert plain.reports[0].fingerprint != shared.reports[0].fingerprint


def test_a_report_on_the_bundled_sample_reruns_when_the_sample_changes(tmp_path: Path, monkeypatch) -> None:
    from coopanalysis import paths

    sample = tmp_path / "sample.csv"
    sample.write_text("a\nb\n", encoding="utf-8")
    monkeypatch.setattr(paths, "SAMPLE_REQUESTS", sample)
    cfg = config(tmp_path / "r.toml", report("sampled", GOOD))
    out = tmp_path / "out"
    first = run_batch(config=cfg, out_dir=out, jobs=1)
    assert first.entries[0]["input_hashes"] == {sample.as_posix(): sha256_file(sample)}
    assert [e["status"] for e in run_batch(config=cfg, out_dir=out, jobs=1).entries] == ["skipped"]
    sample.write_text("a\nb\nc\n", encoding="utf-8")
    assert [e["status"] for e in run_batch(config=cfg, out_dir=out, jobs=1).entries] == ["ok"]


# --------------------------------------------------------------------------- 2. manifest after each report


@pytest.mark.slow
def test_a_run_killed_mid_batch_leaves_pages_consistent_with_manifest_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    reports = report("first", GOOD) + report("second", SLEEPS, "fail = true, seconds = 300.0")
    proc = start_run(config(tmp_path / "r.toml", reports), out)
    wait_for(lambda: "first" in load_manifest(out))
    assert load_manifest(out)["first"]["page_sha256"] == sha256_file(out / "first.html")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    rerun = config(tmp_path / "r2.toml", report("first", GOOD) + report("second", SLEEPS, "fail = false"))
    outcome = run_batch(config=rerun, out_dir=out, jobs=1)
    assert {e["name"]: e["status"] for e in outcome.entries} == {"first": "skipped", "second": "ok"}
    assert_consistent(out)


# --------------------------------------------------------------------------- 3. the folder lock


@pytest.mark.slow
def test_a_second_run_on_a_locked_folder_exits_2_with_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cfg = config(tmp_path / "r.toml", report("sleeper", SLEEPS, "fail = true, seconds = 300.0"))
    first = start_run(cfg, out)
    try:
        wait_for(lambda: list(out.glob(".work/*.pid")))
        second = subprocess.run(
            [sys.executable, "-m", "coopanalysis.cli", "run", "--config", str(cfg), "--out", str(out)],
            check=False, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and "another run is writing to" in lines[0] and "Traceback" not in second.stderr
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()


# --------------------------------------------------------------------------- 4. workers die with their runner


def children(pid: int) -> list[int]:
    """Pids of the live processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def report_kernels(out: Path) -> list[int]:
    """Pids of the kernels of the reports running now (each report's pid file in `.work/`)."""
    return pids_in(p for p in out.glob(".work/*.pid") if not p.name.endswith(".spare.pid"))


def spare_kernels(out: Path) -> list[int]:
    """Pids of the kernels the workers launched ahead for their next report (`batch.spare`)."""
    return pids_in(out.glob(".work/*.spare.pid"))


def pids_in(files) -> list[int]:
    """The pid in each file that still exists (a report's pid file goes when it ends, a spare's when taken)."""
    return [pid for f in files if (pid := recorded_pid(f))]


@pytest.mark.slow
def test_sigterm_stops_the_workers_and_records_what_finished(tmp_path: Path) -> None:
    out = tmp_path / "out"
    reports = report("first", GOOD) + "".join(report(n, SLEEPS, "fail = true, seconds = 300.0") for n in ("second", "third"))
    proc = start_run(config(tmp_path / "r.toml", reports), out, "--jobs", "2")
    # "first" ends; its worker takes "third" on the kernel it launched ahead, the other worker
    # launched one for a report that never comes: two report kernels and one spare are running
    wait_for(lambda: "first" in load_manifest(out) and len(report_kernels(out)) == 2 and spare_kernels(out))
    workers = children(proc.pid)
    kernels = report_kernels(out) + spare_kernels(out)
    assert len(workers) == 2 and len(kernels) == 3
    os.kill(proc.pid, signal.SIGTERM)  # the runner only, not its group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "interrupted by SIGTERM: 1 report(s) finished and recorded" in err
    wait_for(lambda: not any(alive(p) for p in workers + kernels), timeout=10)
    summary = {e["name"]: e for e in json.loads((out / "summary.json").read_text("utf-8"))["reports"]}
    assert summary["first"]["status"] == "ok"
    assert summary["second"]["status"] == summary["third"]["status"] == "failed"
    assert summary["second"]["error"].startswith("interrupted")
    assert set(load_manifest(out)) == {"first"}
    assert_consistent(out)


@pytest.mark.slow
def test_workers_and_kernels_end_when_their_runner_is_killed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sleepers = report("sleeper", SLEEPS, "fail = true, seconds = 300.0") + report("next", GOOD)
    proc = start_run(config(tmp_path / "r.toml", sleepers), out)
    wait_for(lambda: report_kernels(out) and spare_kernels(out))  # "next"'s kernel is launched ahead
    workers = children(proc.pid)
    kernels = report_kernels(out) + spare_kernels(out)
    assert len(kernels) == 2 and all(alive(p) for p in kernels)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    wait_for(lambda: not any(alive(p) for p in workers + kernels), timeout=10)


# --------------------------------------------------------------------------- 5. planted symlinks


def test_a_planted_log_symlink_does_not_truncate_its_victim(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / "logs").mkdir(parents=True)
    (out / "logs" / "good.log").symlink_to(victim)
    assert run_batch(config=config(tmp_path / "r.toml", report("good", GOOD)), out_dir=out, jobs=1).exit_code == 0
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not (out / "logs" / "good.log").is_symlink()


@pytest.mark.parametrize("folder", ["executed", "failed", ".work", "logs"])
def test_symlinked_work_folders_are_refused(tmp_path: Path, folder: str, capsys) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / folder).symlink_to(elsewhere, target_is_directory=True)
    cfg = config(tmp_path / "r.toml", report("good", GOOD))
    assert cli_main(["run", "--config", str(cfg), "--out", str(out)]) == 2
    assert "refusing to write through it" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == [] and not (out / "good.html").exists()


# --------------------------------------------------------------------------- 6. private, checked caches

LOG = ("request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on\n"
       "R1,2021-01-05,서울경찰청,KR,Telegram,fraud,email,2021-01-20,disclosed,open,\n"
       "R2,2021-02-05,부산경찰청,KR,Meta,fraud,portal,2021-02-20,disclosed,open,\n")


def test_caches_are_private_keyed_by_content_and_a_forged_one_is_not_used(tmp_path: Path, monkeypatch) -> None:
    import datetime as dt
    import stat

    import polars as pl

    from coopanalysis.io import cache
    from coopanalysis.io.requests import load_requests

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    log = tmp_path / "log.csv"
    log.write_bytes(LOG.encode("cp949"))
    today = dt.date(2026, 1, 1)
    loaded = load_requests(log, today=today)
    # the validated-rows cache: a forged pair planted at the expected name is rebuilt, not read
    kept, rejected = cache.cache_files(cache.default_directory(), "requests", loaded.fingerprint, source=log)
    assert kept.parent.is_relative_to(tmp_path / "xdg" / "coopanalysis")
    forged = loaded.data.collect().head(1).with_columns(agency=pl.lit("FORGED"))
    forged.write_parquet(kept)
    loaded.data.collect().clear().write_parquet(rejected)
    on_disk = load_requests(log, today=today).kept_on_disk()
    assert "FORGED" not in on_disk.data.collect()["agency"].to_list() and on_disk.rows_kept == 2
    assert cache.is_cached(kept, rejected, source=log)
    for folder in (tmp_path / "xdg" / "coopanalysis", kept.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in kept.parent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # the UTF-8 copy of the CP949 log: keyed by the log's content; a forged copy is not used
    copy = cache.transcoded_path(log, "cp949")
    assert copy.is_relative_to(tmp_path / "xdg" / "coopanalysis") and cache.is_sealed(copy)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    copy.write_text(LOG.replace("서울경찰청", "FORGED"), encoding="utf-8")
    assert "FORGED" not in load_requests(log, today=today).data.collect()["agency"].to_list()
    log.write_bytes(LOG.replace("R2,", "R3,").encode("cp949"))
    assert cache.transcoded_path(log, "cp949") != copy  # another content, another copy


def test_a_cache_folder_of_another_user_or_a_symlink_is_refused(tmp_path: Path, monkeypatch) -> None:
    from coopanalysis.core.files import UnsafePathError
    from coopanalysis.io import cache

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "xdg").mkdir()
    (tmp_path / "xdg" / "coopanalysis").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    with pytest.raises(UnsafePathError):
        cache.default_directory()
    if os.getuid() == 0:  # root can give a folder away: one owned by someone else is refused
        (tmp_path / "xdg" / "coopanalysis").unlink()
        (tmp_path / "xdg" / "coopanalysis").mkdir(mode=0o700)
        os.chown(tmp_path / "xdg" / "coopanalysis", 12345, 12345)
        with pytest.raises(UnsafePathError, match="another user"):
            cache.default_directory()


# --------------------------------------------------------------------------- 7. one mode for reader-facing files


def test_reader_facing_files_share_one_mode(tmp_path: Path) -> None:
    import stat

    out = tmp_path / "out"
    assert run_batch(config=config(tmp_path / "r.toml", report("good", GOOD)), out_dir=out, jobs=1).exit_code == 0
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if p.is_file()}
    assert modes == {"good.html": 0o644, "index.html": 0o644, "summary.json": 0o644, MANIFEST_NAME: 0o644,
                     ".coopanalysis.lock": 0o644}
