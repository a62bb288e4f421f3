"""The one safe writer: atomic, never through a symlink, never half-written."""

from __future__ import annotations

import os
import stat

import pytest

from coopanalysis.core.files import PRIVATE_FILE, UnsafePathError, atomic_path, ensure_dir, write_atomic


def test_write_atomic_writes_text_with_the_mode_asked(tmp_path):
    path = write_atomic(tmp_path / "a" / "page.html", "<p>한국어</p>\n", mode=PRIVATE_FILE)
    assert path.read_text(encoding="utf-8") == "<p>한국어</p>\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_write_keeps_the_earlier_file_and_leaves_no_temporary(tmp_path):
    path = write_atomic(tmp_path / "summary.json", "good")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert path.read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_a_symlink_at_the_target_is_replaced_not_written_through(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    link = tmp_path / "report.log"
    link.symlink_to(victim)
    write_atomic(link, "log line")
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "log line"


def test_ensure_dir_refuses_a_symlinked_folder(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    os.symlink(elsewhere, tmp_path / "out" / "executed")
    with pytest.raises(UnsafePathError, match="symlink"):
        ensure_dir(tmp_path / "out" / "executed")
    assert ensure_dir(tmp_path / "out" / "logs" / "deep").is_dir()
