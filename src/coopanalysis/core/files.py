"""The one safe writer: every file the package writes goes through here.

A write never leaves a half-written file and never destroys a good earlier one: the bytes go to
a fresh temporary file in the same folder (created with O_EXCL, so a planted file or symlink at
a guessable name is never opened), and are renamed over the target only once complete. A rename
replaces a symlink standing at the target instead of writing through it. Folders are created
without following a symlink planted in their place.

- :func:`write_atomic` writes text or bytes.
- :func:`atomic_path` hands a temporary path to a writer that wants a path (polars' sinks,
  nbconvert), and renames it when the block ends without an error.
- :func:`ensure_dir` creates a folder (and its parents) and refuses one that is a symlink.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

PUBLIC_FILE = 0o644
"""Pages, indexes and summaries a reader opens: readable by everyone who can read the folder."""

PRIVATE_FILE = 0o600
"""Caches and logs that hold request-level rows: the owner only."""

PRIVATE_DIR = 0o700


class UnsafePathError(OSError):
    """A path the package will not write through (a symlink where a folder or file should be)."""


def ensure_dir(path: str | Path, *, mode: int = 0o755) -> Path:
    """Create `path` and its missing parents; refuse if it, or a parent created here, is a symlink."""
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.exists() and not probe.is_symlink():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, mode)
    if path.is_symlink() or not path.is_dir():
        raise UnsafePathError(f"{path}: expected a folder, found {'a symlink' if path.is_symlink() else 'a file'}")
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path, *, mode: int = PUBLIC_FILE, create_parents: bool = True) -> Iterator[Path]:
    """Yield a fresh temporary path beside `path`; on a clean exit it becomes `path` (with `mode`).

    On an error the temporary file is removed and `path`, if it existed, is left as it was."""
    path = Path(path)
    if create_parents:
        ensure_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: str | bytes, *, mode: int = PUBLIC_FILE) -> Path:
    """Write `data` (text as UTF-8 with \\n line ends, or bytes) to `path` atomically; return `path`."""
    path = Path(path)
    with atomic_path(path, mode=mode) as tmp:
        if isinstance(data, str):
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(data)
        else:
            tmp.write_bytes(data)
    return path
