"""Validated loading of request logs and published aggregates, with row-level quarantine.

`load_requests(path)` / `load_counts(path)` return a `LoadResult`: the canonical
LazyFrame of good rows, and a rejects table (`io.rejects`) where every bad row keeps its
source file, line, column and the rule it broke. Always
rows read = rows kept + rows rejected.

The rules (`io.rules`) are a dataframely schema (`Schema.filter`): each rule is named
`<reason>__<column>` so that a rejected row can say which column broke which rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import dataframely as dy
import polars as pl

from coopanalysis import __version__
from coopanalysis.core import schema as S
from coopanalysis.core.types import Kind
from coopanalysis.errors import DataFileError
from coopanalysis.io import cache
from coopanalysis.io._dataframely import failure_like, failure_rows
from coopanalysis.io.readerrors import reading
from coopanalysis.io.rejects import empty_rejects, load_summary, rejects_frame
from coopanalysis.io.rules import (
    counts_rules,
    native_dates,
    raw_name,
    requests_rules,
    repeated_id_lines,
    rules_schema,
    type_counts,
    type_requests,
)
from coopanalysis.io.sources import ColumnMap, load_column_map, read_raw


@dataclass
class LoadResult:
    """Good rows (canonical, lazy) and rejected rows (with reasons) of one source file."""

    path: str
    kind: Kind
    data: pl.LazyFrame
    _raw: pl.LazyFrame = field(repr=False)
    _failure: dy.FailureInfo = field(repr=False)
    _rule_names: list[str] = field(repr=False)
    fingerprint: str = ""
    """Identifies the source file(s), mapping, rules' reference date and package version."""
    _native: frozenset[str] = field(default=frozenset(), repr=False)
    """Date columns read as dates (typed Parquet): their text form in the rejects is the date's."""
    _one_pass: Callable[[], tuple[pl.LazyFrame, dy.FailureInfo]] | None = field(default=None, repr=False)
    """(kept rows, failure) planned for the one pass that validates every row (`kept_on_disk`,
    `_validated`): the same split as `data` and `_failure`, with the repeated request ids found
    first by a narrow pass of their own (`rules.repeated_id_lines`), which holds less memory."""

    def _split(self) -> tuple[pl.LazyFrame, dy.FailureInfo]:
        """(kept rows, failure) for the pass that validates every row (see `_one_pass`)."""
        if self._one_pass is None:
            return self.data, self._failure
        with reading(self.path):
            return self._one_pass()

    def kept_on_disk(self, directory: str | Path | None = None) -> LoadResult:
        """This result with its kept and rejected rows validated once, in one pass, and written to a
        Parquet cache (`io.cache`) that is read from there afterwards (a report reads its input many
        times, and counts and lists the rejects; each read of the lazy result would validate again).

        The files are named by `fingerprint`, so an unchanged source is validated once per day and
        version; they are never left half-written.
        """
        directory = Path(directory) if directory else cache.default_directory()
        kept, rejected = cache.cache_files(directory, self.kind, self.fingerprint, source=self.path)
        if not cache.is_cached(kept, rejected, source=self.path):
            data, failure = self._split()
            cache.write_cache(data, failure_rows(failure), kept, rejected, source=self.path,
                              source_errors=lambda: reading(self.path))
        failure = failure_like(pl.scan_parquet(rejected, glob=False), self._failure)
        return replace(self, data=pl.scan_parquet(kept, glob=False), _failure=failure, _one_pass=None)

    @cached_property
    def _validated(self) -> tuple[int, int, dy.FailureInfo]:
        """(rows read, rows kept, the rejected rows collected): every row validated once, in one
        pass of the streaming engine (only the rejected rows are held, never the kept ones), and
        the source's rows counted on their own (a CSV's rows are counted without parsing them; in
        the same pass, the count made the engine hold every row: 6.6 GB on a 10M-row CSV).
        Serves the counts and the rejects alike, of a source and of its cache (`kept_on_disk`)."""
        data, failure = self._split()
        with reading(self.path):
            read = self._raw.select(pl.len()).collect()
            kept, failed = pl.collect_all([data.select(pl.len()), failure_rows(failure)], engine="streaming")
        return int(read.item()), int(kept.item()), failure_like(failed.lazy(), self._failure)

    @cached_property
    def rejects(self) -> pl.DataFrame:
        """One row per rejected source row (`io.rejects.REJECTS_SCHEMA`): source_file, line, column,
        reason, message, value. The reason is the first rule the row broke, in declared order."""
        details = self._validated[2].details()
        if details.height == 0:
            return empty_rejects()
        first = pl.coalesce(
            [pl.when(pl.col(r) == "invalid").then(pl.lit(r)) for r in self._rule_names if r in details.columns]
        )
        broken = details.with_columns(_rule=first).with_columns(
            _reason=pl.col("_rule").str.split("__").list.first(),
            _column=pl.col("_rule").str.split("__").list.last(),
        )
        value = pl.coalesce(
            [pl.when(pl.col("_column") == col).then(pl.col(col).cast(pl.String) if col in self._native else pl.col(raw_name(col)))
             for col in self._table()]
        )
        return rejects_frame(broken, source_file=pl.col("_source"), line=pl.col("_line"),
                             column=pl.col("_column"), reason=pl.col("_reason"), value=value)

    def _table(self) -> dict[str, pl.DataType]:
        """The canonical table of this result's kind."""
        return S.REQUESTS_SCHEMA if self.kind == "requests" else S.COUNTS_SCHEMA

    @property
    def _counts(self) -> tuple[int, int]:
        """(rows read, rows kept); a file with a header and no rows is an error."""
        read, kept, _ = self._validated
        if read == 0:
            raise DataFileError(self.path, "has a header but no data rows")
        return read, kept

    @property
    def rows_read(self) -> int:
        """Rows of the source file (every line below the header, or every Parquet row)."""
        return self._counts[0]

    @property
    def rows_kept(self) -> int:
        """Rows that broke no rule."""
        return self._counts[1]

    @property
    def rows_rejected(self) -> int:
        """Rows that broke a rule (one rejects row each)."""
        return self.rejects.height

    def summary(self) -> dict[str, object]:
        """kind plus `io.rejects.load_summary`: rows read, kept, rejected (checked to add up), by reason."""
        counts = load_summary(self.path, rows_read=self.rows_read, rows_kept=self.rows_kept, rejects=self.rejects)
        return {"file": self.path, "kind": self.kind, **counts}


def _load(
    path: str | Path,
    *,
    kind: Kind,
    mapping: str | Path | Mapping | ColumnMap | None,
    typer: Callable[[pl.LazyFrame, ColumnMap], tuple[pl.LazyFrame, set[str]]],
    rules: Callable[[set[str], frozenset[str]], dict[str, pl.Expr]],
    fingerprint_extra: str = "",
) -> LoadResult:
    """Read, type and split one file of `kind` into kept rows and dataframely's failure rows."""
    table = S.REQUESTS_SCHEMA if kind == "requests" else S.COUNTS_SCHEMA
    required = S.REQUESTS_REQUIRED if kind == "requests" else S.COUNTS_REQUIRED
    cmap = load_column_map(mapping)
    raw = read_raw(path, mapping=cmap, known=table, required=required, keep_dates=kind == "requests")
    typed, present = typer(raw, cmap)
    native = native_dates(raw, cmap) if kind == "requests" else frozenset()
    rule_exprs = rules(present, native)
    schema_cls = rules_schema(kind, table, rule_exprs)

    def split(rows: pl.LazyFrame) -> tuple[pl.LazyFrame, dy.FailureInfo]:
        """(kept rows in the canonical table, dataframely's failure) of typed `rows`."""
        try:
            good, failure = schema_cls.filter(rows)
        except pl.exceptions.PolarsError as exc:
            raise DataFileError(path, f"cannot be read as a table: {str(exc).splitlines()[0]}") from None
        return S.conform(good, table), failure

    data, failure = split(typed)
    one_pass = None
    if kind == "requests":
        def one_pass() -> tuple[pl.LazyFrame, dy.FailureInfo]:
            return split(type_requests(raw, cmap, repeated=repeated_id_lines(typed))[0])
    key = f"{kind}|{_source_stamp(Path(path))}|{cmap!r}|{fingerprint_extra}|{__version__}"
    fingerprint = hashlib.sha256(key.encode()).hexdigest()[:20]
    return LoadResult(str(path), kind, data, raw, failure, list(rule_exprs), fingerprint, native, one_pass)


def _source_stamp(path: Path) -> str:
    """Path, size and modification time of a file, or of every file under a folder."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return ";".join(f"{p.resolve()}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)


def load_requests(
    path: str | Path,
    *,
    mapping: str | Path | Mapping | ColumnMap | None = None,
    today: dt.date | None = None,
) -> LoadResult:
    """A request log (CSV in UTF-8 or CP949, Parquet file or hive folder, XLSX) as canonical `requests`
    rows plus rejects. `mapping` maps the agency's headers (and values) onto canonical names."""
    today = today or dt.date.today()
    return _load(path, kind="requests", mapping=mapping, typer=type_requests,
                 rules=lambda present, native: requests_rules(present, today, native),
                 fingerprint_extra=f"today={today}")


def load_counts(path: str | Path, *, mapping: str | Path | Mapping | ColumnMap | None = None) -> LoadResult:
    """Published aggregates in the canonical `counts` layout (one row per source, provider and period)."""
    return _load(path, kind="counts", mapping=mapping, typer=type_counts,
                 rules=lambda present, _native: counts_rules(present))
