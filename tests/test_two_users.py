"""Another user on the same machine cannot read, plant or swap the caches of the user who runs the reports.

The validated-rows cache holds request-level rows (request ids, agency names). It lives in the
runner's own cache folder (0700, files 0600) and is refused when another user owns the folder.
Run as root, the test acts as a second user (`nobody`, uid 65534) through a child process that drops
to that uid; as any other user it is skipped (one cannot become another user without root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopanalysis import paths
from coopanalysis.core.files import UnsafePathError
from coopanalysis.io.requests import load_requests

NOBODY = 65534
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="acting as a second user needs root")


SYSTEM_PYTHON = Path("/usr/bin/python3")


def as_nobody(code: str) -> subprocess.CompletedProcess:
    """Run Python `code` as uid/gid 65534 with the system's interpreter (it needs no project file,
    and the project's may sit in a folder the second user cannot enter)."""
    if not SYSTEM_PYTHON.exists():
        pytest.skip("no /usr/bin/python3 to run as the second user")
    return subprocess.run([str(SYSTEM_PYTHON), "-I", "-c", code], user=NOBODY, group=NOBODY, extra_groups=[],
                          capture_output=True, text=True, cwd="/")


@pytest.fixture
def home() -> Iterator[Path]:
    """A folder every user may walk through (pytest's own temp folders are root's only, which
    would refuse the second user for the wrong reason)."""
    folder = Path(tempfile.mkdtemp(prefix="coop-two-users-", dir="/tmp"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_second_user_can_neither_read_nor_plant_the_validated_rows(home, monkeypatch):
    cache = home / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    assert as_nobody(f"import os; print(os.listdir({str(home)!r}))").returncode == 0  # it can walk to the cache
    load_requests(paths.SAMPLE_REQUESTS).kept_on_disk()
    folder = cache / "coopanalysis" / "validated"
    files = sorted(folder.glob("*.parquet"))
    assert files and all(f.stat().st_mode & 0o077 == 0 for f in files)
    probe = f"""
import os
results = []
for action in ("list", "read", "plant"):
    try:
        if action == "list":
            os.listdir({str(folder)!r})
        elif action == "read":
            open({str(files[0])!r}, "rb").read(1)
        else:
            open({str(folder / "requests-0000.parquet")!r}, "wb").write(b"FORGED")
        results.append(action + ": allowed")
    except PermissionError:
        results.append(action + ": refused")
print(";".join(results))
"""
    done = as_nobody(probe)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "list: refused;read: refused;plant: refused"


def test_a_cache_folder_created_by_another_user_is_refused_not_trusted(home, monkeypatch):
    shared = home / "shared-cache"
    shared.mkdir()
    os.chmod(shared, 0o777)
    done = as_nobody(f"import os; os.makedirs({str(shared / 'coopanalysis' / 'validated')!r}, mode=0o777)")
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    with pytest.raises(UnsafePathError, match="belongs to another user"):
        load_requests(paths.SAMPLE_REQUESTS).kept_on_disk()
    assert not list((shared / "coopanalysis" / "validated").iterdir())  # nothing written into it
