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
- :func:`open_nofollow` opens a file a stream writes (a log, a lock) without following a symlink
  at its name (`O_NOFOLLOW`), refusing anything but a plain file with one name.
- :func:`ensure_private_dir` creates (or tightens) an owner-only folder and refuses another user's.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
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


def open_nofollow(path: str | Path, *, append: bool = True, mode: int = PRIVATE_FILE) -> int:
    """A descriptor of `path` open for writing (appending, or a fresh file when `append` is False),
    created with `mode` if missing; never through a symlink: `UnsafePathError` if `path` is one, or
    is not a plain file, or has another name (a hard link). A fresh file replaces an old one by
    removing its name first (a planted link is removed, not written through)."""
    path = Path(path)
    ensure_dir(path.parent)
    if not append and (path.is_symlink() or path.is_file()):
        path.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_APPEND if append else os.O_EXCL)
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EEXIST):
            raise UnsafePathError(f"{path}: refusing to write through a symlink") from None
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        raise UnsafePathError(f"{path}: expected a plain file with one name")
    return fd


def ensure_private_dir(path: str | Path) -> Path:
    """Create the folder `path` (and missing parents) 0700, or make an existing one 0700;
    `UnsafePathError` if it is a symlink or belongs to another user. Returns `path`."""
    path = ensure_dir(Path(path), mode=PRIVATE_DIR)
    info = path.stat()
    if info.st_uid != os.getuid():
        raise UnsafePathError(f"{path}: the private folder belongs to another user")
    if stat.S_IMODE(info.st_mode) != PRIVATE_DIR:
        os.chmod(path, PRIVATE_DIR)
    return path


def sha256_file(path: Path, _chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_chunk):
            h.update(block)
    return h.hexdigest()


def sha256_tree(folder: Path, *, file_hash: Callable[[Path], str] = sha256_file, skip_hidden: bool = False) -> str:
    """Hex sha256 of a folder: every file's relative path and `file_hash`, in path order; with
    `skip_hidden`, files under a name starting with "." are left out."""
    h = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = file.relative_to(folder)
        if skip_hidden and any(part.startswith(".") for part in rel.parts):
            continue
        h.update(rel.as_posix().encode("utf-8") + b"\0" + file_hash(file).encode("ascii") + b"\n")
    return h.hexdigest()
