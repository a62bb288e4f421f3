"""Shared pieces of the transparency loaders: the output table, text reading and the per-file
bookkeeping (numbers are read by `coopanalysis.io.parse`, countries by `coopanalysis.io.countries`).

Every loader returns, for each file it reads, a `FileLoad`: the rows it keeps (already in the
transparency table's columns) and the rows it sets aside as a rejects frame of the one rejects
contract (`coopanalysis.io.rejects`: source file, line, column, reason, message, value), so that
rows read = rows kept + rows rejected for every file, as for request logs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from coopanalysis.errors import DataFileError
from coopanalysis.io.rejects import count_by_reason, empty_rejects, load_summary, rejects_frame

LEGAL_PROCESSES: tuple[str, ...] = ("legal", "emergency", "preservation", "all")
"""Allowed values of `legal_process`; `all` only where the provider publishes no split."""

TRANSPARENCY_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "provider": pl.String(),
    "country": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "legal_process": pl.String(),
    "legal_process_detail": pl.String(),
    "requests": pl.Int64(),
    "requests_low": pl.Int64(),
    "requests_high": pl.Int64(),
    "accounts": pl.Int64(),
    "accounts_low": pl.Int64(),
    "accounts_high": pl.Int64(),
    "answered": pl.Int64(),
    "answered_share": pl.Float64(),
    "user_data": pl.Boolean(),
    "counted_elsewhere": pl.Boolean(),
}
"""Column → dtype of the table `load_transparency` returns, in order.

`provider` holds the reports' platform names (`coopanalysis.core.names.PLATFORM_NAMES`: "Google",
"X", "AT&T"), the same as the `platform` of request logs.
`requests_low`/`requests_high` (and the same for accounts) hold the bounds the
provider published: equal to `requests` for an exact count, the range's ends
for a banded value such as "0 - 249" or "<10" (then `requests` is null).
`user_data` is false for requests that ask for no user data (Apple's app
takedown and account restriction/deletion requests).
`counted_elsewhere` is true for rows whose requests the provider already
counts in another row of the table (Google's diplomatic requests, counted under
the assisting country, and its Enterprise Cloud requests, a subset of the
global ones); leave those out before adding requests up.
"""


@dataclass
class FileLoad:
    """One source file as loaded: kept rows (transparency columns) and its rejects
    (`coopanalysis.io.rejects.REJECTS_SCHEMA`, one row per source row set aside)."""

    file: str
    rows_read: int
    frame: pl.LazyFrame
    rows_kept: int
    rejects: pl.DataFrame = field(default_factory=empty_rejects)

    @property
    def rows_rejected(self) -> int:
        return self.rejects.height

    @property
    def rejected_by_reason(self) -> dict[str, int]:
        return count_by_reason(self.rejects)

    def summary(self) -> dict:
        """The per-file line of `validate_transparency` (`io.rejects.load_summary`)."""
        return load_summary(self.file, rows_read=self.rows_read, rows_kept=self.rows_kept, rejects=self.rejects)


def _record_lines(text: str) -> list[int]:
    """The line (from 1) on which each CSV record of `text` starts (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text))
    starts, line = [], 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return starts


def read_text_table(path: Path, *, has_header: bool = True) -> pl.DataFrame:
    """Every cell of a CSV file as text, plus `_line`: the line of the file each row starts on
    (the header is line 1). Handles a UTF-8 BOM and CR-only line ends (some Meta files), which
    `pl.scan_csv` does not read. Files here are small tables."""
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise DataFileError(path, "the file is empty")
    try:
        text = raw.decode("utf-8-sig", errors="strict").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFileError(path, f"line {line} is not UTF-8 text; providers publish these files in UTF-8: "
                                  "download the file again or save it as CSV UTF-8") from None
    df = pl.read_csv(
        io.BytesIO(text.encode()),
        infer_schema=False,
        has_header=has_header,
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    lines = _record_lines(text)[1 if has_header else 0:]
    if len(lines) < df.height:  # the two readers disagree: fall back to one line per row
        lines = list(range(2 if has_header else 1, df.height + (2 if has_header else 1)))
    return df.with_columns(_line=pl.Series(lines[: df.height], dtype=pl.Int64))


def require_columns(path: Path, columns: list[str], expected: list[str]) -> None:
    """Raise `DataFileError` naming the file and the columns a known layout has,
    when any expected column is absent."""
    present = {c.strip() for c in columns}
    missing = [c for c in expected if c not in present]
    if missing:
        raise DataFileError(
            path,
            "unknown layout: expected the columns "
            + ", ".join(repr(c) for c in expected)
            + "; missing "
            + ", ".join(repr(c) for c in missing),
        )


def share_of(answered: pl.Expr, requests: pl.Expr) -> pl.Expr:
    """answered / requests, null where either is null or requests is 0."""
    return pl.when(requests > 0).then(answered.cast(pl.Float64) / requests).otherwise(None)


def finish(lf: pl.LazyFrame, **constants: object) -> pl.LazyFrame:
    """Add constant columns, fill absent ones with null (flags, absent or null, with their defaults),
    fill the bounds from exact counts, and select the table's columns in order."""
    lf = lf.with_columns(**{k: pl.lit(v) for k, v in constants.items()})
    names = lf.collect_schema().names()
    defaults = {"user_data": True, "counted_elsewhere": False}
    cols = []
    for c, dtype in TRANSPARENCY_SCHEMA.items():
        if c in names and c in defaults:
            expr = pl.col(c).fill_null(defaults[c])
        elif c in names:
            expr = pl.col(c)
        elif c in defaults:
            expr = pl.lit(defaults[c])
        else:
            expr = pl.lit(None)
        cols.append(expr.cast(dtype).alias(c))
    out = lf.select(cols)
    return out.with_columns(
        requests_low=pl.coalesce("requests_low", "requests"),
        requests_high=pl.coalesce("requests_high", "requests"),
        accounts_low=pl.coalesce("accounts_low", "accounts"),
        accounts_high=pl.coalesce("accounts_high", "accounts"),
    )


def empty_frame() -> pl.LazyFrame:
    """A transparency table with no rows."""
    return pl.LazyFrame(schema=TRANSPARENCY_SCHEMA)


Rule = tuple[pl.Expr, str] | tuple[pl.Expr, str, str]
"""(condition, reason) or (condition, reason, column): a row where the condition holds is set aside
for the reason; the column, when given, is the one whose value broke the rule."""


def first_reason(*rules: Rule) -> dict[str, pl.Expr]:
    """The columns `_reject` (the reason of the first rule that holds, or null: keep) and
    `_reject_column` (that rule's column, or null), for `df.with_columns(**first_reason(...))`."""
    reason = pl.lit(None, dtype=pl.String)
    column = pl.lit(None, dtype=pl.String)
    for rule in reversed(rules):
        cond = rule[0].fill_null(False)
        reason = pl.when(cond).then(pl.lit(rule[1])).otherwise(reason)
        column = pl.when(cond).then(pl.lit(rule[2] if len(rule) > 2 else None, dtype=pl.String)).otherwise(column)
    return {"_reject": reason, "_reject_column": column}


def _offending_value(marked: pl.DataFrame) -> pl.Expr:
    """The text of the column each rejected row names in `_reject_column` (null when none)."""
    named = [c for c in marked["_reject_column"].drop_nulls().unique().to_list() if c in marked.columns]
    return pl.coalesce(
        [pl.when(pl.col("_reject_column") == c).then(pl.col(c).cast(pl.String)) for c in named]
        or [pl.lit(None, dtype=pl.String)]
    )


def file_load(path: Path, marked: pl.DataFrame, build: Callable[[pl.LazyFrame], pl.LazyFrame]) -> FileLoad:
    """A `FileLoad` from the file's rows (with `_line`) marked by `first_reason` (null `_reject` =
    keep), and a function turning the kept rows (LazyFrame) into transparency rows."""
    if "_reject_column" not in marked.columns:
        marked = marked.with_columns(_reject_column=pl.lit(None, dtype=pl.String))
    kept = marked.filter(pl.col("_reject").is_null()).drop("_reject", "_reject_column", "_line")
    rejected = marked.filter(pl.col("_reject").is_not_null())
    return FileLoad(
        file=Path(path).name,
        rows_read=marked.height,
        frame=build(kept.lazy()).collect().lazy(),
        rows_kept=kept.height,
        rejects=rejects_frame(rejected, source_file=Path(path).name, line=pl.col("_line"),
                              column=pl.col("_reject_column"), reason=pl.col("_reject"),
                              value=_offending_value(rejected)),
    )


def set_aside_file(path: Path, rows: pl.DataFrame, reason: str) -> FileLoad:
    """A `FileLoad` of a file read but not loaded: every row of `rows` (with `_line`) rejected for `reason`."""
    return FileLoad(
        file=Path(path).name,
        rows_read=rows.height,
        frame=empty_frame(),
        rows_kept=0,
        rejects=rejects_frame(rows, source_file=Path(path).name, line=pl.col("_line"), column=None,
                              reason=reason, value=None),
    )


def duplicate_of_earlier(*keys: str) -> pl.Expr:
    """True for every row that repeats the key of an earlier row of the same file."""
    return pl.int_range(pl.len()).over(list(keys)) > 0
