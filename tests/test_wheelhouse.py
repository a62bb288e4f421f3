"""The offline bundle (`make wheelhouse`) installs and runs a report on a machine with no network.

The bundle is built (or `dist/wheelhouse` reused when newer than pyproject.toml), then, inside a
network namespace with no network (`unshare -n`), its install.sh creates a fresh environment
with `pip install --no-index --find-links`, and one report runs from the bundled configuration.
pip's own configuration and PIP_* variables are cleared, so nothing but the bundle can serve it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "wheelhouse"


def _offline_prefix() -> list[str]:
    """`unshare -n` if it gives this process a namespace without network; skip (with the reason) otherwise."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed: cannot run without network")
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -n is not permitted here: {probe.stderr.strip()}")
    reach = subprocess.run(
        [unshare, "-n", sys.executable, "-c", "import socket; socket.create_connection(('pypi.org', 443), 3)"],
        capture_output=True, text=True,
    )
    assert reach.returncode != 0, "unshare -n still reaches the network: the test would prove nothing"
    return [unshare, "-n"]


def _bundle() -> Path:
    """dist/wheelhouse, built now unless it is newer than pyproject.toml (one build at a time)."""
    BUNDLE.parent.mkdir(exist_ok=True)
    with open(BUNDLE.parent / ".wheelhouse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = BUNDLE / "install.sh"  # written last
        if not stamp.exists() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
            build = [sys.executable, str(ROOT / "packaging" / "wheelhouse.py"), "--out", str(BUNDLE)]
            subprocess.run(build, check=True)
    return BUNDLE


def _python(version: str) -> str:
    """An interpreter of `version` ("3.12") to build the fresh environment with; skip if none is installed."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return getattr(sys, "_base_executable", sys.executable)
    found = shutil.which(f"python{version}")
    if found:
        check = subprocess.run([found, "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)"],
                               capture_output=True, text=True)
        found_version, _, executable = check.stdout.strip().partition(" ")
        if found_version == version:
            return executable  # the interpreter itself, not a launcher that depends on HOME
    pytest.skip(f"no Python {version} on this machine to install the bundle with")


def _closed_env(home: Path, python: str) -> dict[str, str]:
    """The environment of a fresh login: no pip configuration, no virtualenv, no Jupyter paths."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR")}
    path = [p for p in keep.get("PATH", "/usr/bin:/bin").split(os.pathsep) if not p.startswith(str(ROOT))]
    return {
        **keep,
        "PATH": os.pathsep.join(path),
        "HOME": str(home),
        "PIP_CONFIG_FILE": os.devnull,
        "PYTHON": python,
    }


@pytest.mark.parametrize("version", ["3.11", "3.12"])
def test_bundle_installs_and_runs_a_report_without_network(tmp_path: Path, version: str) -> None:
    offline = _offline_prefix()
    python = _python(version)
    bundle = _bundle()
    home = tmp_path / "home"
    home.mkdir()
    env = _closed_env(home, python)
    venv = tmp_path / "env"

    install = subprocess.run(
        [*offline, "sh", str(bundle / "install.sh"), str(venv)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert "installed coopanalysis " in install.stdout
    assert f"with Python {version}." in install.stdout

    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import coopanalysis; print(coopanalysis.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout  # the wheel, not this checkout

    out = tmp_path / "reports"
    run = subprocess.run(
        [*offline, str(venv / "bin" / "coopanalysis"), "run", "--only", "request_volumes", "--jobs", "1",
         "--config", str(bundle / "notebooks" / "reports.toml"), "--out", str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert run.returncode == 0, run.stdout + run.stderr

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"ok": 1}
    (entry,) = summary["reports"]
    assert entry["name"] == "request_volumes"
    assert entry["headlines"]["total_requests"]["value"] == 52729  # every request of the bundled sample
    assert "52,729" in (out / "request_volumes.html").read_text(encoding="utf-8")
