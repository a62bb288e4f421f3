"""The one translation of reader failures into a `DataFileError` naming the file and the cause.

`with reading(path): ...` around anything that makes polars read a source file (a schema, a
collect) turns its parse errors — stray quotes, ragged lines, bad bytes, damaged pages — into one
line a user can act on, never a raw traceback.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from coopanalysis.errors import DataFileError

NOT_UTF8_HINT = ('if it is CP949/EUC-KR, say so in a mapping file (--map MAP.toml) with '
                 '[options] encoding = "cp949", or save it as "CSV UTF-8"')
"""How a user gives the encoding of a CSV file that is not UTF-8."""


def _cause(text: str, path: str | Path) -> str:
    """The first line of a polars error, or a plainer sentence for the causes users meet most."""
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    if "more fields than defined" in text:
        return "a line has more fields than the header (a stray delimiter or quote?)"
    if ("could not parse" in text and '"' in text) or "CSV malformed" in text:
        # the second is what a read of some columns only says of the same file
        return "a quoted field is not closed (a stray quote?)"
    if "invalid utf-8" in text.lower() and Path(path).suffix.lower() not in (".parquet", ".pq"):
        return f"the file is not UTF-8 text; {NOT_UTF8_HINT}"
    return first


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Turn the parse errors polars raises while it reads (stray quotes, ragged lines, bad bytes)
    into one DataFileError naming the file and the cause."""
    try:
        yield
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError, pl.exceptions.SchemaError,
            pl.exceptions.NoDataError, OSError) as exc:
        text = str(exc)
        offset = re.search(r"offset in the file is (\d+) bytes", text)
        where = f" near byte {offset.group(1)}" if offset else ""
        first = _cause(text, path) if text.strip() else type(exc).__name__
        raise DataFileError(path, f"cannot be read as a table{where}: {first}") from None
    except pl.exceptions.PanicException as exc:  # polars' Parquet reader stops this way on some damaged pages
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else "internal error"
        raise DataFileError(path, f"cannot be read as a table: the file is damaged (the reader stopped: {first})") from None
