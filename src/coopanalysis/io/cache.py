"""The on-disk caches of loaded inputs: validated rows behind `LoadResult.kept_on_disk`, and the
UTF-8 copies of CP949 logs (`io.sources.transcode_to_utf8`).

A report reads its input many times and counts and lists its rejects; each read of a lazy load
would validate again. The cache holds, per load, the kept rows and dataframely's failure rows,
validated once in one pass and written side by side as Parquet, named by the load's fingerprint
(source file(s), mapping, rules' reference date and package version) and, when the caller names
the source, by the sha256 of its content (`content_hash`):

    <kind>-<key>.parquet            the kept rows
    <kind>-<key>.rejects.parquet    the rejected rows, one boolean column per rule

Each file carries its record in its Parquet metadata: its own name and the sha256 of the source it
was made from (when the caller names the source).

Everything lives in the user's own cache folder (`cache_root`: `platformdirs.user_cache_path`,
0700, refused if it is a symlink or another user's), never in the shared temp folder, and the
files are the owner's only (`PRIVATE_FILE`): they hold request-level rows. A cache is trusted
only when both records are there and match (`is_cached`), so a file planted or left at the
expected name is rebuilt, not read. Files are written through `core.files.atomic_path`. Writing a
cache removes the cache files untouched for two days.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import polars as pl

from coopanalysis.core.files import (
    PRIVATE_FILE,
    atomic_path,
    ensure_private_dir,
    sha256_file,
    sha256_tree,
    write_atomic,
)

STALE_CACHE_SECONDS = 2 * 24 * 3600
"""Cache files untouched this long are removed when a new one is written: a fingerprint holds the
day the rules were applied, so yesterday's files are not read again (a daily run over a 50M-row
log would otherwise leave about 250 MB behind every day)."""

CACHE_NAME = re.compile(r"\.?(requests|counts)-[0-9a-f]{20}(\.rejects)?\.parquet(\.[0-9A-Za-z_]+\.tmp)?")
"""Names the cache writes (and their temporaries): nothing else in the folder is touched."""

_hashes: dict[tuple[str, int, int, int], str] = {}


def cache_root() -> Path:
    """The user's private cache folder (`platformdirs.user_cache_path("coopanalysis")`), made 0700."""
    import platformdirs

    return ensure_private_dir(platformdirs.user_cache_path("coopanalysis"))


def default_directory() -> Path:
    """The validated-rows cache folder used when none is given: `validated` in `cache_root()`."""
    return ensure_private_dir(cache_root() / "validated")


def _source_sha256(path: Path) -> str:
    """`sha256_file` of a source, remembered in this process per path, size, mtime and ctime (a report
    loads its input many times)."""
    info = path.stat()
    key = (str(path.resolve()), info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    if key not in _hashes:
        _hashes[key] = sha256_file(path)
    return _hashes[key]


def content_hash(path: str | Path) -> str:
    """sha256 of a file's bytes, or of a folder (`core.files.sha256_tree`, hidden files included)."""
    path = Path(path)
    return sha256_tree(path, file_hash=_source_sha256) if path.is_dir() else _source_sha256(path)


def cache_files(directory: Path, kind: str, fingerprint: str, source: str | Path | None = None) -> tuple[Path, Path]:
    """(kept-rows file, rejected-rows file) of one load in `directory`; keyed by the content of
    `source` too when it is given."""
    key = fingerprint if source is None else hashlib.sha256(f"{fingerprint}|{content_hash(source)}".encode()).hexdigest()[:20]
    return directory / f"{kind}-{key}.parquet", directory / f"{kind}-{key}.rejects.parquet"


RECORD_KEY = "coopanalysis_cache"
"""The Parquet metadata key of a cache file's record (JSON: its name and its source's sha256)."""


def _record(file: Path, source: str | Path | None) -> str:
    """The record a cache file carries: its name and the content hash of `source` (None if not given)."""
    return json.dumps({"name": file.name, "source": None if source is None else content_hash(source)})


def is_cached(kept: Path, rejected: Path, source: str | Path | None = None) -> bool:
    """True when both files of a load are there and carry their record (made from `source` as it is
    now, when it is given)."""
    try:
        return all(pl.read_parquet_metadata(f).get(RECORD_KEY) == _record(f, source) for f in (kept, rejected))
    except (OSError, ValueError, pl.exceptions.PolarsError):
        return False


REJECTS_ROW_GROUP = 4096
"""Rows per row group of a rejects file. The rejected rows are a few among many: each one filtered
out of a batch of the source keeps that batch's text buffers alive until its row group is written,
so with the default (about a million rows) a log with 1% bad rows held every row's text until the
end (2.1 GB of a 10M-row CSV's 2.6 GB peak; 0.54 GB with 4,096)."""


def write_cache(
    kept_rows: pl.LazyFrame,
    rejected_rows: pl.LazyFrame,
    kept: Path,
    rejected: Path,
    *,
    source: str | Path | None = None,
    source_errors: Callable[[], AbstractContextManager] = contextlib.nullcontext,
) -> None:
    """Sink both frames in one pass of the engine to their files (rejects renamed into place first),
    each with its record (with `source`'s content hash if given), then prune stale cache files of the
    folder. `source_errors()` wraps the pass only (e.g. `io.sources.reading(path)`, which names the
    source file in a read error)."""
    ensure_private_dir(kept.parent)
    with atomic_path(kept, mode=PRIVATE_FILE) as kept_tmp, atomic_path(rejected, mode=PRIVATE_FILE) as rejected_tmp:
        with source_errors():
            pl.collect_all([
                rejected_rows.sink_parquet(rejected_tmp, lazy=True, row_group_size=REJECTS_ROW_GROUP,
                                           metadata={RECORD_KEY: _record(rejected, source)}),
                kept_rows.sink_parquet(kept_tmp, lazy=True, metadata={RECORD_KEY: _record(kept, source)}),
            ])
    prune_stale_caches(kept.parent)


def prune_stale_caches(directory: Path) -> None:
    """Remove the cache files (and temporaries) of `directory` untouched for `STALE_CACHE_SECONDS`."""
    cutoff = time.time() - STALE_CACHE_SECONDS
    for path in directory.iterdir():
        if not CACHE_NAME.fullmatch(path.name):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:  # removed by another run meanwhile, or not ours to remove
            pass


def transcoded_path(source: Path, encoding: str) -> Path:
    """Where the UTF-8 copy of `source` (read as `encoding`) goes: `utf8/` in `cache_root()`, named
    by the sha256 of the source's bytes and the encoding (the folder is made 0700 here)."""
    key = hashlib.sha256(f"{content_hash(source)}|{encoding}".encode()).hexdigest()[:32]
    return ensure_private_dir(cache_root() / "utf8") / f"{key}.csv"


def is_sealed(file: Path) -> bool:
    """True when `file` is there and its `.sha256` record (written by `seal`) matches its bytes."""
    try:
        return file.with_name(file.name + ".sha256").read_text(encoding="ascii") == sha256_file(file)
    except (OSError, ValueError):
        return False


def seal(file: Path) -> None:
    """Write the `.sha256` record of `file` beside it (owner only), for `is_sealed`."""
    write_atomic(file.with_name(file.name + ".sha256"), sha256_file(file), mode=PRIVATE_FILE)
