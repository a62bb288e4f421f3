"""Provider transparency reports (Google, Meta, Apple, Telegram, Discord, X and the
2009–2013 multi-provider compilation) as one table.

`load_transparency()` returns one LazyFrame with the columns of
`TRANSPARENCY_SCHEMA`: provider, country (ISO alpha-2), period_start, period_end
(inclusive), legal_process (legal | emergency | preservation | all),
legal_process_detail (the provider's own label), requests, accounts, answered,
answered_share, source (file name), the published bounds of banded values
(requests_low/high, accounts_low/high) and two flags, user_data and
counted_elsewhere.

Contract: for one provider, country and period, the sum of `requests` over rows
with legal_process != "preservation", user_data true and counted_elsewhere false
equals the provider's published total; no request is counted twice. Blank or "not
reported" is null, never 0. Telegram publishes fulfilled requests only: `requests` is
null and `answered` holds them.

Providers are named as in request logs ("Google", "X", "AT&T": `coopanalysis.core.names`).

`validate_transparency(data_dir)` gives, for each file, rows read / kept / rejected
and the rejects by reason (rows read = kept + rejected); `transparency_rejects(data_dir)`
the rejected rows themselves, in the one rejects contract of `coopanalysis.io.rejects`
(source file, line, column, reason, message, value).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.errors import DataFileError
from coopanalysis.io.rejects import empty_rejects
from coopanalysis.io.transparency.apple import load_apple
from coopanalysis.io.transparency.base import (
    LEGAL_PROCESSES,
    TRANSPARENCY_SCHEMA,
    FileLoad,
    empty_frame,
)
from coopanalysis.io.transparency.compilation import load_compilation
from coopanalysis.io.transparency.discord import load_discord
from coopanalysis.io.transparency.google import load_google
from coopanalysis.io.transparency.meta import load_meta
from coopanalysis.io.transparency.telegram import load_telegram
from coopanalysis.io.transparency.twitter import load_twitter
from coopanalysis.paths import TRANSPARENCY_DIR

__all__ = [
    "FAMILIES",
    "LEGAL_PROCESSES",
    "TRANSPARENCY_SCHEMA",
    "load_transparency",
    "transparency_rejects",
    "validate_transparency",
    "validation_table",
]

FAMILIES: dict[str, Callable[[Path], list[FileLoad]]] = {
    "google_user_data_requests": load_google,
    "meta_government_requests": load_meta,
    "apple_transparency": load_apple,
    "telegram_transparency": load_telegram,
    "discord_transparency": load_discord,
    "twitter_information_requests": load_twitter,
}
"""Family directory name → loader. The multi-provider compilation
(`multi_provider_2009_2013`) is loaded last, leaving out what these already cover."""

COMPILATION = "multi_provider_2009_2013"
KNOWN_DIRECTORIES = (*FAMILIES, COMPILATION)


def _directory(data_dir: str | Path | None) -> Path:
    directory = Path(data_dir) if data_dir else TRANSPARENCY_DIR
    if not directory.is_dir():
        raise DataFileError(directory, "no such directory of transparency reports")
    return directory


_CACHE: dict[tuple, list[tuple[str, FileLoad]]] = {}


def _fingerprint(directory: Path) -> tuple:
    """Every file under the directory with its size and modification time."""
    return tuple(
        sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in directory.rglob("*") if p.is_file())
    )


def _load_all(data_dir: str | Path | None) -> list[tuple[str, FileLoad]]:
    """Loads of every file, reused while no file under the directory changes."""
    directory = _directory(data_dir).resolve()
    key = (str(directory), _fingerprint(directory))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _read_all(directory)
    return _CACHE[key]


def _read_all(directory: Path) -> list[tuple[str, FileLoad]]:
    subdirs = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
    unknown = [p for p in subdirs if p.name not in KNOWN_DIRECTORIES]
    if unknown:
        raise DataFileError(
            unknown[0],
            "unknown layout: expected a directory of one of the report families "
            + ", ".join(KNOWN_DIRECTORIES),
        )
    present = {p.name for p in subdirs}
    if not present:
        raise DataFileError(
            directory,
            "no transparency reports: expected sub-directories named "
            + ", ".join(KNOWN_DIRECTORIES),
        )
    loads: list[tuple[str, FileLoad]] = []
    for family, loader in FAMILIES.items():
        if family in present:
            loads += [(family, load) for load in loader(directory / family)]
    if COMPILATION in present:
        own = pl.concat([load.frame for _, load in loads] or [empty_frame()])
        covered = {
            tuple(r)
            for r in own.select("provider", "period_start", "period_end").unique().collect().iter_rows()
        }
        loads += [(COMPILATION, load) for load in load_compilation(directory / COMPILATION, covered=covered)]
    return loads


def load_transparency(data_dir: str | Path | None = None) -> pl.LazyFrame:
    """Every transparency report under `data_dir` (default: the bundled data/transparency)
    as one LazyFrame with the columns of `TRANSPARENCY_SCHEMA`.

    Raises `DataFileError` for a directory or file of unknown layout, naming it and the
    columns (or directories) expected."""
    frames = [load.frame for _, load in _load_all(data_dir)]
    return pl.concat(frames, how="vertical") if frames else empty_frame()


def validate_transparency(data_dir: str | Path | None = None) -> list[dict]:
    """Per file: {"file": "<family>/<file name>", "rows_read", "rows_kept", "rows_rejected",
    "rejected_by_reason": {reason: rows}}. A file of unknown layout raises `DataFileError`."""
    out = []
    for family, load in _load_all(data_dir):
        summary = load.summary()
        summary["file"] = f"{family}/{summary['file']}"
        out.append(summary)
    return out


def transparency_rejects(data_dir: str | Path | None = None) -> pl.DataFrame:
    """Every row set aside, of every file, in `coopanalysis.io.rejects.REJECTS_SCHEMA`; `source_file`
    reads "<family>/<file name>". A file of unknown layout raises `DataFileError`."""
    frames = [load.rejects.with_columns(source_file=pl.lit(f"{family}/{load.file}")) for family, load in
              _load_all(data_dir)]
    return pl.concat(frames) if frames else empty_rejects()


def validation_table(data_dir: str | Path | None = None) -> pl.DataFrame:
    """`validate_transparency` as a table: file, rows_read, rows_kept, rows_rejected, reasons
    ("reason: rows; …", the reasons in the page's language)."""
    rows = validate_transparency(data_dir)
    return pl.DataFrame(
        {
            "file": [r["file"] for r in rows],
            "rows_read": [r["rows_read"] for r in rows],
            "rows_kept": [r["rows_kept"] for r in rows],
            "rows_rejected": [r["rows_rejected"] for r in rows],
            "reasons": ["; ".join(f"{_(k)}: {v:,}" for k, v in r["rejected_by_reason"].items()) for r in rows],
        },
        schema={"file": pl.String, "rows_read": pl.Int64, "rows_kept": pl.Int64, "rows_rejected": pl.Int64,
                "reasons": pl.String},
    )
