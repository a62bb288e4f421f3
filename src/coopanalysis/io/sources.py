"""Reading source files as raw text tables, with a header mapping onto canonical names.

`read_raw(path, mapping=...)` returns a LazyFrame whose columns are all text,
named canonically where the mapping (or the header itself) says so, plus
`_source` (the file) and `_line` (the line or sheet row a user finds the row at).
Nothing is parsed or dropped here: that is validation's job.
"""

from __future__ import annotations

import codecs
import csv
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from coopanalysis import paths
from coopanalysis.core.files import PRIVATE_FILE, atomic_path
from coopanalysis.errors import DataFileError
from coopanalysis.io import textfile
from coopanalysis.io.binaryfiles import read_excel, scan_parquet
from coopanalysis.io.parse import snake_case
from coopanalysis.io.readerrors import NOT_UTF8_HINT, reading

ENCODINGS = ("auto", "utf-8", "cp949")


@dataclass(frozen=True)
class ColumnMap:
    """How one agency's headers and values map onto the canonical table.

    `columns`: source header → canonical column. `values`: canonical column →
    {source value → canonical value} (e.g. "회신" → "disclosed").
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    encoding: str = "auto"
    sheet: str | None = None
    origin: str = "built-in"


def load_column_map(source: str | Path | Mapping | ColumnMap | None) -> ColumnMap:
    """A ColumnMap from a TOML file, a dict of the same shape, or None (headers used as they are).

    TOML layout::

        [columns]
        "요청번호" = "request_id"
        [values.response]
        "회신" = "disclosed"
        [options]
        encoding = "cp949"
    """
    if source is None:
        return ColumnMap()
    if isinstance(source, ColumnMap):
        return source
    origin = "dict"
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise DataFileError(path, "mapping file not found")
        try:
            source = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise DataFileError(path, f"mapping file is not valid TOML: {exc}") from None
        origin = str(path)
    if "columns" not in source and "values" not in source and "options" not in source:
        source = {"columns": dict(source)}  # a plain {header: canonical} dict
    options = source.get("options", {})
    encoding = options.get("encoding", "auto").lower().replace("euc-kr", "cp949").replace("utf8", "utf-8")
    if encoding not in ENCODINGS:
        raise DataFileError(origin, f"unknown encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    return ColumnMap(
        columns=dict(source.get("columns", {})),
        values={k: dict(v) for k, v in source.get("values", {}).items()},
        encoding=encoding,
        sheet=options.get("sheet"),
        origin=origin,
    )


def canonical_names(headers: Iterable[str], mapping: ColumnMap, known: Iterable[str]) -> dict[str, str]:
    """Source header → canonical name, for the headers that map onto a known column.

    The mapping wins; otherwise a header whose snake_case form is a known column maps onto it.
    Two headers mapping onto one column is an error (the caller names the file).
    """
    known = set(known)
    by_snake = {snake_case(k): v for k, v in mapping.columns.items()}
    result: dict[str, str] = {}
    for header in headers:
        target = mapping.columns.get(header) or by_snake.get(snake_case(header))
        if target is None and snake_case(header) in known:
            target = snake_case(header)
        if target is None:
            continue
        if target not in known:
            raise ValueError(f"the mapping sends {header!r} to {target!r}, which is not a column of this table")
        if target in result.values():
            other = next(h for h, t in result.items() if t == target)
            raise ValueError(f"both {other!r} and {header!r} map onto {target!r}")
        result[header] = target
    return result


def _check_header(path: Path, separator: str) -> None:
    """Raise DataFileError when the CSV header names a column twice."""
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        header = next(csv.reader(fh, delimiter=separator), [])
    names = [h.strip().lstrip("\ufeff") for h in header]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise DataFileError(path, f"duplicate column name{'s' if len(dups) > 1 else ''} in the header: {show_names(dups)}")


def transcode_to_utf8(path: Path, encoding: str, *, chunk: int = 1 << 22) -> Path:
    """A UTF-8 copy of a CP949/EUC-KR file, written in chunks (never the whole file in memory).

    The copy lives in the user's private cache folder (`io.cache.transcoded_path`: 0700, named by
    the sha256 of the file's bytes), so repeated loads of an unchanged file reuse it, but only once
    its `.sha256` record matches it (`io.cache.is_sealed`); it is written through `core.files` and
    readable by its owner only (it holds the log's rows).
    """
    from coopanalysis.io import cache

    out = cache.transcoded_path(path, encoding)
    if cache.is_sealed(out):
        return out
    try:
        with atomic_path(out, mode=PRIVATE_FILE) as tmp:
            with path.open("rb") as src, tmp.open("w", encoding="utf-8", newline="") as dst:
                _decode_checked(path, src, dst, encoding, chunk)
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"is neither UTF-8 nor {encoding.upper()} text (byte {exc.start} cannot be read)") from None
    cache.seal(out)
    return out


def _decode_checked(path: Path, src, dst, encoding: str, chunk: int) -> None:
    """Copy `src` (bytes in `encoding`) to `dst` (text) block by block; raise DataFileError at the
    first line that is UTF-8 instead (decoded as CP949 it would be imported garbled)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    finder = textfile.Utf8LineFinder()
    while True:
        block = src.read(chunk)
        line = finder.feed(block, final=not block)
        if line is not None:
            raise DataFileError(path, f"line {line} is UTF-8 text but the file is {encoding.upper()}: decoded as "
                                      f"{encoding.upper()} it would be garbled; save the whole file in one encoding")
        if not block:
            break
        dst.write(decoder.decode(block))
    dst.write(decoder.decode(b"", final=True))


def _scan_csv(path: Path, encoding: str) -> pl.LazyFrame:
    """A CSV file (UTF-8 or CP949, separator guessed, path read literally) as text columns plus
    `_line`, the physical line each record starts on (header = line 1)."""
    if path.stat().st_size == 0:
        raise DataFileError(path, "the file is empty")
    found = textfile.survey(path)
    if found.cr_only:
        raise DataFileError(path, "its line ends are CR only (old Excel for Mac), which this reader does not "
                                  'split; save it again as "CSV UTF-8" (or convert the line ends to LF)')
    if encoding == "utf-8" and not found.utf8:
        raise DataFileError(path, f"the file is not UTF-8 text; {NOT_UTF8_HINT}")
    if encoding == "cp949" or (encoding == "auto" and not found.utf8):
        path = transcode_to_utf8(path, "cp949")
    sample = path.open("r", encoding="utf-8", errors="replace").readline()
    separator = max((",", ";", "\t", "|"), key=sample.count)
    _check_header(path, separator)
    lf = pl.scan_csv(
        path,
        separator=separator,
        infer_schema=False,
        row_index_name="_line",
        row_index_offset=2,
        missing_columns="insert",
        truncate_ragged_lines=False,
        glob=False,
    )
    if not found.quoted:  # no quote, so no record spans lines: the record number is the line
        return lf
    with reading(path):
        names = [n for n in lf.collect_schema().names() if n != "_line"]
    return lf.with_columns(_line=textfile.record_lines(names, header_breaks=sum(n.count("\n") for n in names)))


def scan_table(
    path: str | Path, *, encoding: str = "auto", sheet: str | None = None, keep_dates: bool = False
) -> pl.LazyFrame:
    """The file as a LazyFrame of text columns plus `_line` (CSV/XLSX: the line or row a spreadsheet shows;
    Parquet: the row number). CSV may be UTF-8 (with or without BOM) or CP949/EUC-KR.
    `keep_dates`: Parquet columns already stored as dates stay `pl.Date` instead of text."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "no such file or directory")
    if not path.is_file() and not path.is_dir():
        raise DataFileError(path, "is not a regular file (a pipe, device or socket); save the data to a file first")
    suffix = path.suffix.lower()
    if path.is_dir() or suffix in (".parquet", ".pq"):
        lf = scan_parquet(path, keep_dates=keep_dates)
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        lf = read_excel(path, sheet)
    elif suffix in (".csv", ".tsv", ".txt", ""):
        lf = _scan_csv(path, encoding)
    else:
        raise DataFileError(path, f"unknown file type {suffix!r}; use CSV, Parquet (file or folder) or XLSX")
    with reading(path):
        lf.collect_schema()
    return lf.with_columns(_line=pl.col("_line").cast(pl.Int64))


def show_names(names: Iterable[str], *, most: int = 12, width: int = 40) -> str:
    """Column names for a message: quoted, each cut to `width` characters, at most `most` of them."""
    names = list(names)
    shown = [repr(n if len(n) <= width else n[: width - 1] + "…") for n in names[:most]]
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(shown) + more


def read_raw(
    path: str | Path,
    *,
    mapping: ColumnMap,
    known: Iterable[str],
    required: Iterable[str],
    keep_dates: bool = False,
) -> pl.LazyFrame:
    """Text columns renamed onto `known` canonical names, plus `_source` and `_line`
    (with `keep_dates`, Parquet date columns stay `pl.Date`).

    Raises DataFileError naming the file when a required column is absent
    (with the columns the file does have) or when headers map ambiguously.
    """
    lf = scan_table(path, encoding=mapping.encoding, sheet=mapping.sheet, keep_dates=keep_dates)
    headers = [c for c in lf.collect_schema().names() if c != "_line"]
    try:
        renames = canonical_names(headers, mapping, known)
    except ValueError as exc:
        raise DataFileError(path, str(exc)) from None
    missing = [c for c in required if c not in renames.values()]
    if missing:
        raise DataFileError(
            path,
            f"required column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
            f"absent; the file has {show_names(headers)}. Map its headers with --map MAP.toml "
            "(in a notebook: the mapping parameter)",
        )
    lf = lf.select("_line", *[pl.col(h).alias(c) for h, c in renames.items()])
    return lf.with_columns(_source=pl.lit(str(path)))


def is_request_log(data: str) -> bool:
    """True unless `data` names the published KNPA series (by file name) — lets one `data` parameter
    take either a request log or the published series."""
    return Path(data).name != paths.KNPA_SERIES.name
