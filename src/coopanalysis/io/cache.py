"""The on-disk cache of validated rows behind `LoadResult.kept_on_disk`.

A report reads its input many times and counts and lists its rejects; each read of a lazy load
would validate again. The cache holds, per load, the kept rows and dataframely's failure rows,
validated once in one pass and written side by side as Parquet, named by the load's fingerprint
(source file(s), mapping, rules' reference date and package version):

    <kind>-<fingerprint>.parquet            the kept rows
    <kind>-<fingerprint>.rejects.parquet    the rejected rows, one boolean column per rule

The files hold request-level rows, so they are private to their owner (`PRIVATE_FILE`). They are
written through `core.files.atomic_path`, the rejects first: a kept-rows file is only ever there
with its rejects beside it. Writing a cache removes the cache files untouched for two days.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import polars as pl

from coopanalysis.core.files import PRIVATE_DIR, PRIVATE_FILE, atomic_path, ensure_dir

STALE_CACHE_SECONDS = 2 * 24 * 3600
"""Cache files untouched this long are removed when a new one is written: a fingerprint holds the
day the rules were applied, so yesterday's files are not read again (a daily run over a 50M-row
log would otherwise leave about 250 MB behind every day)."""

CACHE_NAME = re.compile(r"\.?(requests|counts)-[0-9a-f]{20}(\.rejects)?\.parquet(\.[0-9A-Za-z_]+\.tmp)?")
"""Names the cache writes (and their temporaries): nothing else in the folder is touched."""


def default_directory() -> Path:
    """The cache folder used when none is given: `coopanalysis-validated` in the system temp folder."""
    return Path(tempfile.gettempdir()) / "coopanalysis-validated"


def cache_files(directory: Path, kind: str, fingerprint: str) -> tuple[Path, Path]:
    """(kept-rows file, rejected-rows file) of one load in `directory`."""
    return directory / f"{kind}-{fingerprint}.parquet", directory / f"{kind}-{fingerprint}.rejects.parquet"


def is_cached(kept: Path, rejected: Path) -> bool:
    """True when both files of a load are there."""
    return kept.exists() and rejected.exists()


def write_cache(
    kept_rows: pl.LazyFrame,
    rejected_rows: pl.LazyFrame,
    kept: Path,
    rejected: Path,
    *,
    source_errors: Callable[[], AbstractContextManager] = contextlib.nullcontext,
) -> None:
    """Sink both frames in one pass of the engine to their files (rejects renamed into place first),
    then prune stale cache files of the folder. `source_errors()` wraps the pass only (e.g.
    `io.sources.reading(path)`, which names the source file in a read error)."""
    ensure_dir(kept.parent, mode=PRIVATE_DIR)
    with atomic_path(kept, mode=PRIVATE_FILE) as kept_tmp, atomic_path(rejected, mode=PRIVATE_FILE) as rejected_tmp:
        with source_errors():
            pl.collect_all([
                rejected_rows.sink_parquet(rejected_tmp, lazy=True),
                kept_rows.sink_parquet(kept_tmp, lazy=True),
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
