"""Validated loading of request logs and published aggregates, with row-level quarantine.

`load_requests(path)` / `load_counts(path)` return a `LoadResult`: the canonical
LazyFrame of good rows, and a rejects table where every bad row keeps its
source file, line, column and the rule it broke. Always
rows read = rows kept + rows rejected.

The rules are a dataframely schema (`Schema.filter`): each rule is named
`<reason>__<column>` so that a rejected row can say which column broke which rule.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Literal

import dataframely as dy
import polars as pl

from coopanalysis import __version__
from coopanalysis.core import schema as S
from coopanalysis.errors import CoopAnalysisError, DataFileError
from coopanalysis.io.parse import blank_to_null, normalise_token, parse_count, parse_date, parse_share
from coopanalysis.core.names import canonical_platform
from coopanalysis.io.sources import ColumnMap, load_column_map, read_raw, reading

Kind = Literal["requests", "counts"]

REASONS: dict[str, str] = {
    "blank_row": "the row is empty",
    "missing_value": "a required value is missing",
    "unparseable_date": "the date cannot be read (write it as YYYY-MM-DD)",
    "unparseable_number": "the number cannot be read",
    "value_not_allowed": "the value is not one of the allowed values",
    "date_in_future": "the date lies in the future",
    "responded_before_requested": "responded_on is earlier than requested_on",
    "closed_before_requested": "closed_on is earlier than requested_on",
    "response_date_mismatch": "a response needs a responded_on date and a responded_on date needs a response",
    "duplicate_request_id": "request_id already appeared on an earlier line (the first is kept)",
    "period_end_before_start": "period_end is earlier than period_start",
    "answered_exceeds_requests": "answered is larger than requests",
    "share_out_of_range": "the share is outside 0–100%",
}
"""Reason code → the sentence a user reads in the rejects table."""

REJECTS_SCHEMA = {
    "source_file": pl.String,
    "line": pl.Int64,
    "column": pl.String,
    "reason": pl.String,
    "message": pl.String,
    "value": pl.String,
}


def _raw(column: str) -> str:
    return f"_raw_{column}"


# ----------------------------------------------------------------------------- rules


def _rule(expr: pl.Expr) -> dy.Rule:
    """A dataframely rule from an expression that is true for a valid row (null counts as valid)."""
    return dy.rule()(lambda cls: expr.fill_null(True))


def _build_schema(name: str, columns: Mapping[str, dy.Column], rules: Mapping[str, pl.Expr]) -> type[dy.Schema]:
    """A dataframely Schema class with the given (all nullable) columns and named rules, in order."""
    body: dict[str, object] = {"_line": dy.Int64(nullable=False), "_source": dy.String(nullable=False)}
    body.update(columns)
    body.update({rule_name: _rule(expr) for rule_name, expr in rules.items()})
    return type(name, (dy.Schema,), body)


def _requests_rules(present: set[str], today: dt.date, native: frozenset[str] = frozenset()) -> dict[str, pl.Expr]:
    """The row rules; `native` are date columns read as dates (never unparseable, missing when null)."""
    c = pl.col
    rules: dict[str, pl.Expr] = {"blank_row__request_id": c("_blank").not_()}
    for col in S.REQUESTS_REQUIRED:
        rules[f"missing_value__{col}"] = c(col if col in native else _raw(col)).is_not_null()
    for col in S.REQUESTS_DATE_COLUMNS:
        if col in present and col not in native:
            rules[f"unparseable_date__{col}"] = c(_raw(col)).is_null() | c(col).is_not_null()
    if "response" in present:
        rules["value_not_allowed__response"] = c("response").is_in(S.RESPONSES)
    if "case_outcome" in present:
        rules["value_not_allowed__case_outcome"] = c("case_outcome").is_in(S.CASE_OUTCOMES)
    if "country" in present:
        rules["value_not_allowed__country"] = c("country").str.contains(r"^[A-Z]{2}$")
    for col in S.REQUESTS_DATE_COLUMNS:
        if col in present:
            rules[f"date_in_future__{col}"] = c(col) <= today
    if "responded_on" in present:
        rules["responded_before_requested__responded_on"] = c("responded_on") >= c("requested_on")
    if "closed_on" in present:
        rules["closed_before_requested__closed_on"] = c("closed_on") >= c("requested_on")
    if "response" in present or "responded_on" in present:
        rules["response_date_mismatch__response"] = c("response").is_null() == c("responded_on").is_null()
    rules["duplicate_request_id__request_id"] = c("_first_of_id")
    return rules


def _counts_rules(present: set[str]) -> dict[str, pl.Expr]:
    c = pl.col
    rules: dict[str, pl.Expr] = {}
    for col in S.COUNTS_REQUIRED:
        rules[f"missing_value__{col}"] = c(_raw(col)).is_not_null()
    for col in ("period_start", "period_end"):
        rules[f"unparseable_date__{col}"] = c(_raw(col)).is_null() | c(col).is_not_null()
    for col in ("requests", "accounts", "answered"):
        if col in present:
            rules[f"unparseable_number__{col}"] = c(_raw(col)).is_null() | c(col).is_not_null()
    if "answered_share" in present:
        rules["unparseable_number__answered_share"] = c(_raw("answered_share")).is_null() | c("answered_share").is_not_null()
        rules["share_out_of_range__answered_share"] = c("answered_share").is_between(0, 1)
    rules["period_end_before_start__period_end"] = c("period_end") >= c("period_start")
    if "answered" in present:
        rules["answered_exceeds_requests__answered"] = c("answered") <= c("requests")
    return rules


# ----------------------------------------------------------------------------- typing


def _apply_value_map(expr: pl.Expr, column: str, mapping: ColumnMap) -> pl.Expr:
    values = mapping.values.get(column)
    return expr.replace(dict(values)) if values else expr


def native_dates(raw: pl.LazyFrame, mapping: ColumnMap) -> frozenset[str]:
    """Date columns of `raw` already typed as dates (typed Parquet) with no value mapping: taken as they are."""
    schema = raw.collect_schema()
    return frozenset(
        col for col in S.REQUESTS_DATE_COLUMNS
        if schema.get(col) == pl.Date and not mapping.values.get(col)
    )


def _type_requests(raw: pl.LazyFrame, mapping: ColumnMap) -> tuple[pl.LazyFrame, set[str]]:
    present = set(raw.collect_schema().names()) & set(S.REQUESTS_SCHEMA)
    native = native_dates(raw, mapping)
    c = pl.col
    text = {col: _apply_value_map(blank_to_null(c(col)), col, mapping) for col in present - native}
    exprs: list[pl.Expr] = [c("_line"), c("_source")]
    for col in S.REQUESTS_SCHEMA:
        if col not in present:
            exprs.append(pl.lit(None, dtype=S.REQUESTS_SCHEMA[col]).alias(col))
            exprs.append(pl.lit(None, dtype=pl.String).alias(_raw(col)))
            continue
        if col in native:  # the text form only serves the rejects table, for rows another rule rejects
            exprs += [c(col).cast(pl.String).alias(_raw(col)), c(col)]
            continue
        value = text[col]
        exprs.append(value.alias(_raw(col)))
        if col in S.REQUESTS_DATE_COLUMNS:
            exprs.append(parse_date(value).alias(col))
        elif col in ("response", "case_outcome", "channel"):
            exprs.append(normalise_token(value).alias(col))
        elif col == "platform":
            exprs.append(canonical_platform(value).alias(col))
        elif col == "country":
            exprs.append(value.str.to_uppercase().alias(col))
        else:
            exprs.append(value.alias(col))
    typed = raw.select(exprs).with_columns(
        _first_of_id=c("request_id").is_null() | _id_key(c("request_id")).is_first_distinct(),
        _blank=pl.all_horizontal([c(col if col in native else _raw(col)).is_null() for col in S.REQUESTS_SCHEMA]),
    )
    return typed, present


def _id_key(ids: pl.Expr) -> pl.Expr:
    """A 128-bit key per id (two 64-bit hashes with different seeds) for the duplicate-id rule.

    Remembering every id seen is the one part of validation that grows with the log; 16 bytes per
    id instead of the string itself kept a 50M-row log's validation at 3.5-3.7 GB (6.4 GB with the
    strings). Two different ids share a key with a chance of about n²/2¹²⁹ (below 10⁻²² for
    100M ids): never, in practice."""
    return pl.struct(a=ids.hash(1), b=ids.hash(2))


def _type_counts(raw: pl.LazyFrame, mapping: ColumnMap) -> tuple[pl.LazyFrame, set[str]]:
    present = set(raw.collect_schema().names()) & set(S.COUNTS_SCHEMA)
    c = pl.col
    exprs: list[pl.Expr] = [c("_line"), c("_source")]
    for col, dtype in S.COUNTS_SCHEMA.items():
        if col not in present:
            exprs += [pl.lit(None, dtype=dtype).alias(col), pl.lit(None, dtype=pl.String).alias(_raw(col))]
            continue
        value = _apply_value_map(blank_to_null(c(col)), col, mapping)
        exprs.append(value.alias(_raw(col)))
        if dtype == pl.Date:
            exprs.append(parse_date(value).alias(col))
        elif dtype == pl.Int64:
            exprs.append(parse_count(value).alias(col))
        elif col == "answered_share":
            exprs.append(parse_share(value).alias(col))
        elif col == "provider":
            exprs.append(canonical_platform(value).alias(col))
        else:
            exprs.append(value.alias(col))
    return raw.select(exprs), present


def _columns_for(table: Mapping[str, pl.DataType]) -> dict[str, dy.Column]:
    columns: dict[str, dy.Column] = {}
    for col, dtype in table.items():
        columns[col] = dy.Date(nullable=True) if dtype == pl.Date else (
            dy.Int64(nullable=True) if dtype == pl.Int64 else (
                dy.Float64(nullable=True) if dtype == pl.Float64 else dy.String(nullable=True)))
        columns[_raw(col)] = dy.String(nullable=True)
    return columns


# ----------------------------------------------------------------------------- result


STALE_CACHE_SECONDS = 2 * 24 * 3600
"""Cache files untouched this long are removed when a new one is written: a fingerprint holds the
day the rules were applied, so yesterday's files are not read again (a daily run over a 50M-row
log would otherwise leave about 250 MB behind every day)."""


_CACHE_NAME = re.compile(r"\.?(requests|counts)-[0-9a-f]{20}(\.rejects)?\.parquet(\.\d+\.tmp)?")
"""Names `kept_on_disk` writes (and its temporaries): nothing else in the folder is touched."""


def _prune_stale_caches(directory: Path) -> None:
    cutoff = time.time() - STALE_CACHE_SECONDS
    for path in directory.iterdir():
        if not _CACHE_NAME.fullmatch(path.name):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:  # removed by another run meanwhile, or not ours to remove
            pass


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

    def kept_on_disk(self, directory: str | Path | None = None) -> LoadResult:
        """This result with its kept and rejected rows validated once, in one pass, and written to a
        Parquet cache that is read from there afterwards (a report reads its input many times, and
        counts and lists the rejects; each read of the lazy result would validate again).

        The files are named by `fingerprint`, so an unchanged source is validated once per day and
        version; each is written to a temporary name and renamed, never left half-written (the
        rejects first: a kept-rows file is only ever there with its rejects beside it).
        """
        directory = Path(directory) if directory else Path(tempfile.gettempdir()) / "coopanalysis-validated"
        target = directory / f"{self.kind}-{self.fingerprint}.parquet"
        rejected = directory / f"{self.kind}-{self.fingerprint}.rejects.parquet"
        if not (target.exists() and rejected.exists()):
            directory.mkdir(parents=True, exist_ok=True)
            tmp = {path: directory / f".{path.name}.{os.getpid()}.tmp" for path in (rejected, target)}
            try:
                with reading(self.path):
                    # dataframely's failure frame (`_lf`: the invalid rows with one boolean column
                    # per rule) is sunk beside the kept rows, so the engine validates each row once.
                    pl.collect_all([
                        self._failure._lf.sink_parquet(tmp[rejected], lazy=True),
                        self.data.sink_parquet(tmp[target], lazy=True),
                    ])
                for path, written in tmp.items():
                    os.replace(written, path)
            finally:
                for written in tmp.values():
                    written.unlink(missing_ok=True)
            _prune_stale_caches(directory)
        failure = dy.FailureInfo(pl.scan_parquet(rejected), self._failure._rule_columns)
        return replace(self, data=pl.scan_parquet(target), _failure=failure)

    @cached_property
    def rejects(self) -> pl.DataFrame:
        """One row per rejected source row: source_file, line, column, reason, message, value.

        The reason is the first rule the row broke, in the order the rules are declared."""
        with reading(self.path):
            details = self._failure.details()
        if details.height == 0:
            return pl.DataFrame(schema=REJECTS_SCHEMA)
        first = pl.coalesce(
            [pl.when(pl.col(r) == "invalid").then(pl.lit(r)) for r in self._rule_names if r in details.columns]
        )
        broken = details.with_columns(_rule=first).with_columns(
            reason=pl.col("_rule").str.split("__").list.first(),
            column=pl.col("_rule").str.split("__").list.last(),
        )
        value = pl.coalesce(
            [pl.when(pl.col("column") == col).then(pl.col(_raw(col))) for col in self._table()]
        )
        return broken.select(
            source_file=pl.col("_source"),
            line=pl.col("_line"),
            column=pl.col("column"),
            reason=pl.col("reason"),
            message=pl.col("reason").replace_strict(REASONS, default="rule broken"),
            value=value,
        ).sort("line")

    def _table(self) -> dict[str, pl.DataType]:
        return S.REQUESTS_SCHEMA if self.kind == "requests" else S.COUNTS_SCHEMA

    @cached_property
    def _counts(self) -> tuple[int, int]:
        with reading(self.path):
            read, kept = pl.collect_all([self._raw.select(pl.len()), self.data.select(pl.len())])
        if read.item() == 0:
            raise DataFileError(self.path, "has a header but no data rows")
        return int(read.item()), int(kept.item())

    @property
    def rows_read(self) -> int:
        return self._counts[0]

    @property
    def rows_kept(self) -> int:
        return self._counts[1]

    @property
    def rows_rejected(self) -> int:
        return self.rejects.height

    def summary(self) -> dict[str, object]:
        """rows_read, rows_kept, rows_rejected, rejected_by_reason; checks that they add up."""
        if self.rows_read != self.rows_kept + self.rows_rejected:
            raise CoopAnalysisError(
                f"{self.path}: {self.rows_read} rows read but {self.rows_kept} kept + "
                f"{self.rows_rejected} rejected; please report this as a bug"
            )
        by_reason = self.rejects.group_by("reason").len().sort("len", "reason", descending=[True, False])
        return {
            "file": self.path,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": dict(zip(by_reason["reason"], by_reason["len"], strict=True)),
        }


def _load(
    path: str | Path,
    *,
    kind: Kind,
    mapping: str | Path | Mapping | ColumnMap | None,
    typer: Callable[[pl.LazyFrame, ColumnMap], tuple[pl.LazyFrame, set[str]]],
    rules: Callable[[set[str], frozenset[str]], dict[str, pl.Expr]],
    fingerprint_extra: str = "",
) -> LoadResult:
    table = S.REQUESTS_SCHEMA if kind == "requests" else S.COUNTS_SCHEMA
    required = S.REQUESTS_REQUIRED if kind == "requests" else S.COUNTS_REQUIRED
    cmap = load_column_map(mapping)
    raw = read_raw(path, mapping=cmap, known=table, required=required, keep_dates=kind == "requests")
    typed, present = typer(raw, cmap)
    rule_exprs = rules(present, native_dates(raw, cmap) if kind == "requests" else frozenset())
    extra = {"_first_of_id": dy.Bool(nullable=False), "_blank": dy.Bool(nullable=False)} if kind == "requests" else {}
    schema_cls = _build_schema(f"{kind.capitalize()}Rules", {**_columns_for(table), **extra}, rule_exprs)
    try:
        good, failure = schema_cls.filter(typed)
    except pl.exceptions.PolarsError as exc:
        raise DataFileError(path, f"cannot be read as a table: {str(exc).splitlines()[0]}") from None
    data = S.conform(good, table)
    key = f"{kind}|{_source_stamp(Path(path))}|{cmap!r}|{fingerprint_extra}|{__version__}"
    fingerprint = hashlib.sha256(key.encode()).hexdigest()[:20]
    return LoadResult(str(path), kind, data, raw, failure, list(rule_exprs), fingerprint)


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
    return _load(path, kind="requests", mapping=mapping, typer=_type_requests,
                 rules=lambda present, native: _requests_rules(present, today, native),
                 fingerprint_extra=f"today={today}")


def load_counts(path: str | Path, *, mapping: str | Path | Mapping | ColumnMap | None = None) -> LoadResult:
    """Published aggregates in the canonical `counts` layout (one row per source, provider and period)."""
    return _load(path, kind="counts", mapping=mapping, typer=_type_counts, rules=lambda present, _native: _counts_rules(present))


# ----------------------------------------------------------------------------- CLI


def _print_summary(summary: dict[str, object]) -> None:
    print(f"{summary['file']} ({summary['kind']})")
    print(f"  rows read     {summary['rows_read']:>10,}")
    print(f"  rows kept     {summary['rows_kept']:>10,}")
    print(f"  rows rejected {summary['rows_rejected']:>10,}")
    for reason, n in summary["rejected_by_reason"].items():  # type: ignore[union-attr]
        print(f"    {reason:<30} {n:>8,}  {REASONS.get(reason, '')}")


def _write_rejects(rejects: pl.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    rejects.write_csv(tmp)
    tmp.replace(out)


def validate_command(args) -> int:
    if args.kind == "transparency":
        from coopanalysis.io.transparency import validate_transparency

        files = validate_transparency(args.path)
        if args.json:
            totals = {k: sum(int(f[k]) for f in files) for k in ("rows_read", "rows_kept", "rows_rejected")}
            by_reason: dict[str, int] = {}
            for f in files:
                for reason, n in f["rejected_by_reason"].items():
                    by_reason[reason] = by_reason.get(reason, 0) + n
            print(json.dumps({**totals, "rejected_by_reason": by_reason, "files": files}, ensure_ascii=False))
        else:
            for f in files:
                _print_summary({"kind": "transparency", **f})
        return 0
    loader = load_requests if args.kind == "requests" else load_counts
    result = loader(args.path, mapping=args.map)
    summary = result.summary()
    if args.rejects:
        _write_rejects(result.rejects, Path(args.rejects))
    if args.json:
        keys = ("rows_read", "rows_kept", "rows_rejected", "rejected_by_reason")
        print(json.dumps({k: summary[k] for k in keys}, ensure_ascii=False))
    else:
        _print_summary(summary)
        if args.rejects:
            print(f"  rejected rows written to {args.rejects}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "validate",
        help="check a data file and count rows read / kept / rejected by reason",
        description="Read a request log, a table of published counts or a folder of provider transparency "
        "reports; print rows read, kept and rejected by reason. Exit 0 when the file was read (even with "
        "rejected rows), 2 when it could not be used.",
    )
    p.add_argument("path", help="CSV (UTF-8 or CP949), Parquet file or hive folder, XLSX; a folder for transparency")
    p.add_argument("--kind", choices=("requests", "counts", "transparency"), default="requests")
    p.add_argument("--map", metavar="MAP.toml", help="TOML mapping of the file's headers (and values) onto canonical names")
    p.add_argument("--rejects", metavar="OUT.csv", help="write rejected rows with file, line, column and reason")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.set_defaults(func=validate_command)
