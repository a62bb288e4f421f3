"""Reading source files as raw text tables, with a header mapping onto canonical names.

`read_raw(path, mapping=...)` returns a LazyFrame whose columns are all text,
named canonically where the mapping (or the header itself) says so, plus
`_source` (the file) and `_line` (the line or sheet row a user finds the row at).
Nothing is parsed or dropped here: that is validation's job.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import re
import tempfile
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import polars.selectors as cs

from coopanalysis import paths
from coopanalysis.core.files import PRIVATE_FILE, atomic_path
from coopanalysis.errors import DataFileError
from coopanalysis.io.parse import snake_case

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


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Turn the parse errors polars raises while it reads (stray quotes, ragged lines, bad bytes)
    into one DataFileError naming the file and the cause."""
    try:
        yield
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError, pl.exceptions.SchemaError,
            pl.exceptions.NoDataError, OSError) as exc:
        text = str(exc)
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        if "more fields than defined" in text:
            first = "a line has more fields than the header (a stray delimiter or quote?)"
        elif "could not parse" in text and '"' in text:
            first = "a quoted field is not closed (a stray quote?)"
        offset = re.search(r"offset in the file is (\d+) bytes", text)
        where = f" near byte {offset.group(1)}" if offset else ""
        raise DataFileError(path, f"cannot be read as a table{where}: {first}") from None
    except pl.exceptions.PanicException as exc:  # polars' Parquet reader stops this way on some damaged pages
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else "internal error"
        raise DataFileError(path, f"cannot be read as a table: the file is damaged (the reader stopped: {first})") from None


def _check_header(path: Path, separator: str) -> None:
    """Raise DataFileError when the CSV header names a column twice."""
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        header = next(csv.reader(fh, delimiter=separator), [])
    names = [h.strip().lstrip("\ufeff") for h in header]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise DataFileError(path, f"duplicate column name{'s' if len(dups) > 1 else ''} in the header: {show_names(dups)}")


def _looks_utf8(path: Path, probe: int = 1 << 20) -> bool:
    """True when the first `probe` bytes of the file decode as UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            decoder.decode(fh.read(probe), final=False)
        except UnicodeDecodeError:
            return False
    return True


def transcode_to_utf8(path: Path, encoding: str, *, chunk: int = 1 << 22) -> Path:
    """A UTF-8 copy of a CP949/EUC-KR file, written in chunks (never the whole file in memory).

    The copy lives in the system temp folder, named by the file's path, size and mtime,
    so repeated loads of an unchanged file reuse it; it is written through `core.files` and
    readable by its owner only (it holds the log's rows).
    """
    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{encoding}".encode()).hexdigest()[:16]
    out = Path(tempfile.gettempdir()) / f"coopanalysis-utf8-{key}.csv"
    if out.exists():
        return out
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with atomic_path(out, mode=PRIVATE_FILE) as tmp:
            with path.open("rb") as src, tmp.open("w", encoding="utf-8", newline="") as dst:
                while block := src.read(chunk):
                    dst.write(decoder.decode(block))
                dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"is neither UTF-8 nor {encoding.upper()} text (byte {exc.start} cannot be read)") from None
    return out


def _scan_csv(path: Path, encoding: str) -> pl.LazyFrame:
    """A CSV file (UTF-8 or CP949, separator guessed) as text columns plus `_line` (header = line 1)."""
    if path.stat().st_size == 0:
        raise DataFileError(path, "the file is empty")
    if encoding == "cp949" or (encoding == "auto" and not _looks_utf8(path)):
        path = transcode_to_utf8(path, "cp949")
    sample = path.open("r", encoding="utf-8", errors="replace").readline()
    separator = max((",", ";", "\t", "|"), key=sample.count)
    _check_header(path, separator)
    return pl.scan_csv(
        path,
        separator=separator,
        infer_schema=False,
        row_index_name="_line",
        row_index_offset=2,
        missing_columns="insert",
        truncate_ragged_lines=False,
    )


def _scan_parquet(path: Path, *, keep_dates: bool = False) -> pl.LazyFrame:
    """A Parquet file or hive folder as text columns plus `_line` (row number from 1)."""
    lf = pl.scan_parquet(path, hive_partitioning=path.is_dir(), row_index_name="_line", row_index_offset=1)
    if keep_dates:  # Date columns stay typed: re-parsing them from text is the slowest step on large logs
        return lf.with_columns((cs.all() - cs.by_name("_line") - cs.date()).cast(pl.String))
    return lf.with_columns(pl.exclude("_line").cast(pl.String))


def _read_excel(path: Path, sheet: str | None) -> pl.LazyFrame:
    """An Excel sheet as text columns plus `_line` (the sheet row, header = row 1)."""
    try:
        df = pl.read_excel(
            path,
            sheet_name=sheet,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=True,
        )
    except Exception as exc:  # fastexcel raises its own types; all mean "cannot use this workbook"
        raise DataFileError(path, f"cannot be read as an Excel workbook: {str(exc).splitlines()[0]}") from None
    return df.with_row_index("_line", offset=2).lazy().with_columns(pl.exclude("_line").cast(pl.String))


def scan_table(
    path: str | Path, *, encoding: str = "auto", sheet: str | None = None, keep_dates: bool = False
) -> pl.LazyFrame:
    """The file as a LazyFrame of text columns plus `_line` (CSV/XLSX: the line or row a spreadsheet shows;
    Parquet: the row number). CSV may be UTF-8 (with or without BOM) or CP949/EUC-KR.
    `keep_dates`: Parquet columns already stored as dates stay `pl.Date` instead of text."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "no such file or directory")
    suffix = path.suffix.lower()
    if path.is_dir() or suffix in (".parquet", ".pq"):
        lf = _scan_parquet(path, keep_dates=keep_dates)
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        lf = _read_excel(path, sheet)
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
            f"absent; the file has {show_names(headers)}. Map its headers with --map MAP.toml",
        )
    lf = lf.select("_line", *[pl.col(h).alias(c) for h, c in renames.items()])
    return lf.with_columns(_source=pl.lit(str(path)))


def is_request_log(data: str) -> bool:
    """True unless `data` names the published KNPA series (by file name) — lets one `data` parameter
    take either a request log or the published series."""
    return Path(data).name != paths.KNPA_SERIES.name
