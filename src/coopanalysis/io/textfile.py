"""One cheap pass over a CSV file's bytes before polars reads it, and the checks it feeds.

`survey(path)` reads the file once in chunks (never whole) and tells whether it is UTF-8, whether it
holds a quote (so a record may span lines), whether its lines end in CR only, and how many lines are
blank — refusing, with a `DataFileError`, a file of more than `MAX_BLANK_LINES` blank lines (each
becomes a rejected row: ten million of them, 10 MB on disk, took 4.3 GB to validate).
`Utf8LineFinder` finds a UTF-8 line inside a CP949 file, which decoding as CP949 would garble.
`record_lines` numbers records by the physical line they start on.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polars as pl

from coopanalysis.errors import DataFileError

MAX_BLANK_LINES = 1_000_000
"""The most blank lines a CSV file may hold (each becomes a `blank_row` reject)."""

CHUNK = 1 << 22
_NEWLINES = re.compile(rb"\n+")


@dataclass(frozen=True)
class Survey:
    """What one pass over a text file found."""

    utf8: bool
    quoted: bool
    cr_only: bool
    blank_lines: int


def _blank_in(data: bytes) -> int:
    """Blank lines in `data` whose line ends are LF or CRLF, counted within the block."""
    if b"\n\n" not in data and b"\n\r\n" not in data:
        return 0
    data = data.replace(b"\r\n", b"\n")
    return len(data) - len(_NEWLINES.sub(b"\n", data))


def count_blank_lines(fh: BinaryIO, *, chunk: int = CHUNK, most: int | None = None) -> int:
    """Blank (empty) lines in a binary stream, read in chunks; stops counting past `most`."""
    count, last = 0, b""
    while block := fh.read(chunk):
        data = last + block
        count += _blank_in(data) - _blank_in(last)
        last = data[-3:]
        if most is not None and count > most:
            break
    return count


def survey(path: Path, *, chunk: int = CHUNK) -> Survey:
    """One pass over the file: UTF-8 or not, any quote, CR-only line ends, blank lines.
    Raises DataFileError when it holds more than `MAX_BLANK_LINES` blank lines."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, quoted, cr_only, blank, last, first = True, False, False, 0, b"", True
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            if first:
                cr_only, first = b"\r" in block and b"\n" not in block, False
            quoted = quoted or b'"' in block
            if utf8 and not (block.isascii() and not decoder.getstate()[0]):  # ASCII after a whole character
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
            data = last + block
            blank += _blank_in(data) - _blank_in(last)
            last = data[-3:]
            if blank > MAX_BLANK_LINES:
                raise DataFileError(path, f"holds more than {MAX_BLANK_LINES:,} blank lines; remove them "
                                          "(or split the file) and try again")
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return Survey(utf8=utf8, quoted=quoted, cr_only=cr_only, blank_lines=blank)


_UTF8_WIDE = re.compile(rb"[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _first_utf8_line(data: bytes) -> int | None:
    """0-based index of the first line of `data` that is valid UTF-8 holding a character of three or
    more bytes (Hangul in UTF-8; CP949 Korean text is almost never valid UTF-8), else None."""
    pos = 0
    while m := _UTF8_WIDE.search(data, pos):
        start = data.rfind(b"\n", 0, m.start()) + 1
        end = data.find(b"\n", m.end())
        end = len(data) if end < 0 else end
        try:
            data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            pos = end + 1
            continue
        return data.count(b"\n", 0, start)
    return None


class Utf8LineFinder:
    """Fed a CP949 file block by block, says the (1-based) line that is UTF-8 text instead."""

    def __init__(self) -> None:
        self._carry = b""
        self._lines_before = 0

    def feed(self, block: bytes, *, final: bool = False) -> int | None:
        """The physical line number of the first UTF-8 line so far, or None."""
        data = self._carry + block
        cut = len(data) if final else data.rfind(b"\n") + 1
        whole, self._carry = data[:cut], data[cut:]
        found = _first_utf8_line(whole) if not whole.isascii() else None
        if found is not None:
            return self._lines_before + found + 1
        self._lines_before += whole.count(b"\n")
        return None


def record_lines(columns: list[str], *, header_breaks: int = 0) -> pl.Expr:
    """`_line` (records numbered from 2) turned into the physical line each record starts on:
    the line breaks inside quoted fields of the header and of earlier records are added."""
    breaks = pl.sum_horizontal(
        pl.col(c).str.count_matches("\n", literal=True).fill_null(0).cast(pl.Int64) for c in columns
    )
    return pl.col("_line").cast(pl.Int64) + header_breaks + breaks.cum_sum().shift(1, fill_value=0)
