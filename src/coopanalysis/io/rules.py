"""The validation rules of request logs and published counts, and the typing they run on.

`type_requests` / `type_counts` turn a raw text table (from `io.sources.read_raw`) into typed
columns, each beside its text form `_raw_<column>` (so a rejected row can show what it held).
`requests_rules` / `counts_rules` are the row rules, each named `<reason>__<column>` so that a
rejected row can say which column broke which rule (reasons: `io.rejects.REASONS`);
`rules_schema` makes them a dataframely schema whose `filter` splits kept from rejected rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import dataframely as dy
import polars as pl

from coopanalysis.core import schema as S
from coopanalysis.core.names import canonical_platform
from coopanalysis.io.parse import (
    blank_to_null,
    normalise_token,
    parse_count,
    parse_date,
    parse_share,
)
from coopanalysis.io.sources import ColumnMap


def raw_name(column: str) -> str:
    """The name of a column's text form as read: "requested_on" → "_raw_requested_on"."""
    return f"_raw_{column}"


def as_rule(expr: pl.Expr) -> dy.Rule:
    """A dataframely rule from an expression that is true for a valid row (null counts as valid)."""
    return dy.rule()(lambda cls: expr.fill_null(True))


def build_schema(name: str, columns: Mapping[str, dy.Column], rules: Mapping[str, pl.Expr]) -> type[dy.Schema]:
    """A dataframely Schema class with the given (all nullable) columns and named rules, in order."""
    body: dict[str, object] = {"_line": dy.Int64(nullable=False), "_source": dy.String(nullable=False)}
    body.update(columns)
    body.update({rule_name: as_rule(expr) for rule_name, expr in rules.items()})
    return type(name, (dy.Schema,), body)


def requests_rules(present: set[str], today: dt.date, native: frozenset[str] = frozenset()) -> dict[str, pl.Expr]:
    """The row rules; `native` are date columns read as dates (never unparseable, missing when null)."""
    c = pl.col
    rules: dict[str, pl.Expr] = {"blank_row__request_id": c("_blank").not_()}
    for col in S.REQUESTS_REQUIRED:
        rules[f"missing_value__{col}"] = c(col if col in native else raw_name(col)).is_not_null()
    for col in S.REQUESTS_DATE_COLUMNS:
        if col in present and col not in native:
            rules[f"unparseable_date__{col}"] = c(raw_name(col)).is_null() | c(col).is_not_null()
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


def counts_rules(present: set[str]) -> dict[str, pl.Expr]:
    """The row rules of a `counts` table whose file has the canonical columns `present`."""
    c = pl.col
    rules: dict[str, pl.Expr] = {}
    for col in S.COUNTS_REQUIRED:
        rules[f"missing_value__{col}"] = c(raw_name(col)).is_not_null()
    for col in ("period_start", "period_end"):
        rules[f"unparseable_date__{col}"] = c(raw_name(col)).is_null() | c(col).is_not_null()
    for col in ("requests", "accounts", "answered"):
        if col in present:
            rules[f"unparseable_number__{col}"] = c(raw_name(col)).is_null() | c(col).is_not_null()
    if "answered_share" in present:
        rules["unparseable_number__answered_share"] = c(raw_name("answered_share")).is_null() | c("answered_share").is_not_null()
        rules["share_out_of_range__answered_share"] = c("answered_share").is_between(0, 1)
    rules["period_end_before_start__period_end"] = c("period_end") >= c("period_start")
    if "answered" in present:
        rules["answered_exceeds_requests__answered"] = c("answered") <= c("requests")
    return rules


def _apply_value_map(expr: pl.Expr, column: str, mapping: ColumnMap) -> pl.Expr:
    """`expr` with the mapping's source values of `column` replaced by canonical ones."""
    values = mapping.values.get(column)
    return expr.replace(dict(values)) if values else expr


def native_dates(raw: pl.LazyFrame, mapping: ColumnMap) -> frozenset[str]:
    """Date columns of `raw` already typed as dates (typed Parquet) with no value mapping: taken as they are."""
    schema = raw.collect_schema()
    return frozenset(
        col for col in S.REQUESTS_DATE_COLUMNS
        if schema.get(col) == pl.Date and not mapping.values.get(col)
    )


def type_requests(raw: pl.LazyFrame, mapping: ColumnMap, *,
                  repeated: pl.Series | None = None) -> tuple[pl.LazyFrame, set[str]]:
    """(typed request rows with `_raw_*` text forms, `_first_of_id` and `_blank`; the canonical
    columns the file has) from a raw text table. `repeated`: the lines of the later occurrences of
    an id, found beforehand (`repeated_id_lines`); without it they are found in the same plan."""
    present = set(raw.collect_schema().names()) & set(S.REQUESTS_SCHEMA)
    native = native_dates(raw, mapping)
    c = pl.col
    text = {col: _apply_value_map(blank_to_null(c(col)), col, mapping) for col in present - native}
    exprs: list[pl.Expr] = [c("_line"), c("_source")]
    for col in S.REQUESTS_SCHEMA:
        if col not in present:
            exprs.append(pl.lit(None, dtype=S.REQUESTS_SCHEMA[col]).alias(col))
            exprs.append(pl.lit(None, dtype=pl.String).alias(raw_name(col)))
            continue
        if col in native:  # its text form serves the rejects table only: made there, for the rejected rows
            exprs += [pl.lit(None, dtype=pl.String).alias(raw_name(col)), c(col)]
            continue
        value = text[col]
        exprs.append(value.alias(raw_name(col)))
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
        _first_of_id=c("request_id").is_null() | (
            id_key(c("request_id")).is_first_distinct() if repeated is None else ~c("_line").is_in(repeated.implode())),
        _blank=pl.all_horizontal([c(col if col in native else raw_name(col)).is_null() for col in S.REQUESTS_SCHEMA]),
    )
    return typed, present


def id_key(ids: pl.Expr) -> pl.Expr:
    """A 128-bit key per id (two 64-bit hashes with different seeds) for the duplicate-id rule.

    Remembering every id seen is the one part of validation that grows with the log; 16 bytes per
    id instead of the string itself kept a 50M-row log's validation at 3.5-3.7 GB (6.4 GB with the
    strings). Two different ids share a key with a chance of about n²/2¹²⁹ (below 10⁻²² for
    100M ids): never, in practice.

    Finding the repeated ids first and joining their later lines back (a count per hash, then a
    semi-join) is not cheaper inside one lazy plan: the rows then wait for an aggregate of
    themselves, and the streaming engine holds them all (6.6 GB on a 10M-row CSV). The validating
    pass of `LoadResult` uses `repeated_id_lines` instead, which does it in plans of their own; this
    key serves the lazy `LoadResult.data`."""
    return pl.struct(a=ids.hash(1), b=ids.hash(2))


def repeated_id_lines(typed: pl.LazyFrame) -> pl.Series:
    """The `_line` of every row whose request id appeared on an earlier line (typed rows from
    `type_requests`), found before the pass that validates every row, over the ids alone.

    In that pass, marking first ids in the plan splits the rows in two streams (the id keys and the
    rest) that the engine joins back, holding the rest while the keys lag (about 0.55 GB of a
    10M-row CSV's peak), and polars' first-distinct set costs about 50 bytes per row. Here, one
    64-bit hash per id is collected and sorted (8 bytes per row); only hashes seen twice are looked
    at again, in a second read of the ids that keeps just those rows (usually none or a few), and
    the repeats among them are found on the ids themselves, so two ids that share a hash are never
    taken for one. `type_requests(repeated=...)` then marks the repeats row by row."""
    ids = typed.select("_line", "request_id").filter(pl.col("request_id").is_not_null())
    keys = ids.select(pl.col("request_id").hash(1)).collect(engine="streaming").to_series().sort()
    twice = keys.filter(keys == keys.shift(1)).unique()
    del keys
    if twice.is_empty():
        return pl.Series("_line", [], dtype=pl.Int64)
    rows = ids.filter(pl.col("request_id").hash(1).is_in(twice.implode())).collect(engine="streaming")
    return rows.sort("_line").filter(~pl.col("request_id").is_first_distinct())["_line"]


def type_counts(raw: pl.LazyFrame, mapping: ColumnMap) -> tuple[pl.LazyFrame, set[str]]:
    """(typed counts rows with `_raw_*` text forms; the canonical columns the file has) from a raw text table."""
    present = set(raw.collect_schema().names()) & set(S.COUNTS_SCHEMA)
    c = pl.col
    exprs: list[pl.Expr] = [c("_line"), c("_source")]
    for col, dtype in S.COUNTS_SCHEMA.items():
        if col not in present:
            exprs += [pl.lit(None, dtype=dtype).alias(col), pl.lit(None, dtype=pl.String).alias(raw_name(col))]
            continue
        value = _apply_value_map(blank_to_null(c(col)), col, mapping)
        exprs.append(value.alias(raw_name(col)))
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


def columns_for(table: Mapping[str, pl.DataType]) -> dict[str, dy.Column]:
    """dataframely columns (all nullable) for a canonical table and the text form of each column."""
    columns: dict[str, dy.Column] = {}
    for col, dtype in table.items():
        columns[col] = dy.Date(nullable=True) if dtype == pl.Date else (
            dy.Int64(nullable=True) if dtype == pl.Int64 else (
                dy.Float64(nullable=True) if dtype == pl.Float64 else dy.String(nullable=True)))
        columns[raw_name(col)] = dy.String(nullable=True)
    return columns


def rules_schema(kind: str, table: Mapping[str, pl.DataType], rules: Mapping[str, pl.Expr]) -> type[dy.Schema]:
    """The dataframely schema that checks typed `kind` rows ("requests" or "counts") of `table`
    against the named `rules`."""
    extra = {"_first_of_id": dy.Bool(nullable=False), "_blank": dy.Bool(nullable=False)} if kind == "requests" else {}
    return build_schema(f"{kind.capitalize()}Rules", {**columns_for(table), **extra}, rules)
