"""Writing a synthetic log: one CSV, one Parquet file or a Parquet folder partitioned by year.

The output appears only once complete, so a failed run leaves an earlier output untouched:
files go through coopanalysis.core.files.atomic_path; a folder ("hive") is written into a fresh
temporary folder beside the target and swapped in at the end (`_folder_beside`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from coopanalysis.core.files import PUBLIC_FILE, atomic_path, ensure_dir
from coopanalysis.core.types import OutputFormat
from coopanalysis.errors import DataFileError
from coopanalysis.synth.calibration import default_rows
from coopanalysis.synth.generate import synthesize

DEFAULT_SEED = 2020
PROGRESS_THRESHOLD = 1_000_000
"""Above this many rows a progress bar shows even off a terminal."""



def output_format(out: str | Path) -> OutputFormat:
    """How `out` is written: "csv" for *.csv, "parquet" for *.parquet, "hive" (a Parquet
    directory partitioned by year) for an existing directory or a path without suffix."""
    path = Path(out)
    if path.is_dir():
        return "hive"
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == "":
        if path.exists():
            raise DataFileError(path, "exists and is not a directory; give a .csv or .parquet path")
        return "hive"
    raise DataFileError(path, f"unknown output suffix {path.suffix!r}; use .csv, .parquet or a directory")


def _is_hive_output(path: Path) -> bool:
    """True if `path` holds only what write_synthetic writes: year=YYYY/part-K.parquet."""
    for child in path.iterdir():
        if not (child.is_dir() and child.name.startswith("year=") and child.name[5:].isdigit()):
            return False
        if any(not (f.is_file() and f.name.startswith("part-") and f.suffix == ".parquet")
               for f in child.iterdir()):  # fmt: skip
            return False
    return True


class _Progress:
    """A progress bar on stderr (tqdm if installed, else a plain counter)."""

    def __init__(self, total: int, enabled: bool) -> None:
        """A bar for `total` rows; nothing is shown unless `enabled`."""
        self.total, self.done, self.bar, self.enabled = total, 0, None, enabled
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover - tqdm ships with the notebook stack
            return
        self.bar = tqdm(total=total, unit="rows", unit_scale=True, file=sys.stderr, desc="synth")

    def update(self, n: int) -> None:
        """Count `n` more rows written."""
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.enabled:
            print(f"\rsynth: {self.done:,}/{self.total:,} rows", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        """End the bar (and its line)."""
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr)


@contextlib.contextmanager
def _folder_beside(path: Path) -> Iterator[Path]:
    """Yield a fresh empty folder beside `path` (tempfile.mkdtemp, so never a planted one); on a
    clean exit it becomes `path`, an earlier folder there moved aside and removed; on an error it
    is removed and `path` left as it was. The one rename outside core.files: a folder swap."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / path.name)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_csv(chunks: Iterator[pl.DataFrame], path: Path, progress: _Progress) -> None:
    """All chunks as one CSV at `path` (header once)."""
    with atomic_path(path, mode=PUBLIC_FILE, create_parents=False) as tmp, open(tmp, "wb") as f:
        for i, df in enumerate(chunks):
            df.write_csv(f, include_header=i == 0)
            progress.update(df.height)


def _write_parquet(chunks: Iterator[pl.DataFrame], path: Path, progress: _Progress) -> None:
    """All chunks as one zstd Parquet file at `path`, one row group per chunk."""
    import pyarrow.parquet as pq

    with atomic_path(path, mode=PUBLIC_FILE, create_parents=False) as tmp:
        writer = None
        try:
            for df in chunks:
                table = df.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table)
                progress.update(df.height)
        finally:
            if writer is not None:
                writer.close()


def _write_hive(chunks: Iterator[pl.DataFrame], path: Path, progress: _Progress) -> None:
    """All chunks as a folder `path` of year=YYYY/part-K.parquet (one file per chunk)."""
    with _folder_beside(path) as tmp:
        parts: dict[int, int] = {}
        for df in chunks:
            year = df["requested_on"][0].year
            k = parts.get(year, 0)
            parts[year] = k + 1
            folder = ensure_dir(tmp / f"year={year}")
            with atomic_path(folder / f"part-{k}.parquet", mode=PUBLIC_FILE, create_parents=False) as part:
                df.write_parquet(part, compression="zstd")
            progress.update(df.height)


_WRITERS: dict[str, Callable[[Iterator[pl.DataFrame], Path, _Progress], None]] = {
    "csv": _write_csv,
    "parquet": _write_parquet,
    "hive": _write_hive,
}


def _check_target(path: Path, fmt: OutputFormat) -> None:
    """Raise DataFileError if `path` may not be written: a folder of other files, or no parent folder."""
    if fmt == "hive" and path.is_dir() and not _is_hive_output(path):
        raise DataFileError(
            path, "is a directory holding other files; give a new or empty path, or a previous synth output"
        )
    if not path.parent.is_dir():
        raise DataFileError(path, f"folder {path.parent} does not exist")


def write_synthetic(
    out: str | Path,
    *,
    rows: int | None = None,
    seed: int = DEFAULT_SEED,
    start_year: int = 2020,
    progress: bool | None = None,
) -> Path:
    """Write a synthetic request log to `out` and return its path. The format follows `out`
    (see `output_format`); rows=None means the calibrated size (`default_rows`). The output
    appears only once complete: written next to `out` under a temporary name, then renamed
    over it, so a failed run leaves an earlier output untouched. `progress` None shows a bar
    on stderr when it is a terminal or for more than a million rows."""
    path = Path(out)
    fmt = output_format(path)
    n = default_rows(start_year) if rows is None else rows
    chunks = synthesize(n, seed=seed, start_year=start_year)
    if progress is None:
        progress = sys.stderr.isatty() or n > PROGRESS_THRESHOLD
    _check_target(path, fmt)
    bar = _Progress(n, progress)
    try:
        _WRITERS[fmt](chunks, path, bar)
    finally:
        bar.close()
    return path


_KIND = {"csv": "CSV", "parquet": "Parquet file", "hive": "Parquet directory (by year)"}


def describe_output(path: Path) -> str:
    """How a written log is described to a reader: "CSV", "Parquet file" or "Parquet directory (by year)"."""
    return _KIND["hive" if path.is_dir() else output_format(path)]
