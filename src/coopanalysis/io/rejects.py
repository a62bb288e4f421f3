"""The one rejects contract: how every loader reports the source rows it sets aside.

Every loader (request logs, published counts, the KNPA press series, each provider's transparency
file) returns its set-aside rows as ONE polars DataFrame with `REJECTS_SCHEMA`:

    source_file  the file the row was read from (as the loader names it)
    line         where a user finds the row in that file (CSV/XLSX: the line or sheet row a
                 spreadsheet shows, the header being line 1; Parquet: the row number from 1)
    column       the column whose value broke the rule (null when the whole row is at fault)
    reason       a short code, a key of `REASONS` ("duplicate_request_id")
    message      the sentence a user reads for that code (`REASONS[reason]`; a reason that is not
                 a registered code is its own message)
    value        the offending text as read (null when absent)

one row per rejected source row (the first rule it broke), sorted by file and line. Because every
loader reports the same frame, rows read = rows kept + rows rejected is checked the same way for all
(`check_rows_add_up`), and rejects are counted by reason the same way (`count_by_reason`).

Build the frame with `rejects_frame(rows, source_file=..., line=..., column=..., reason=..., value=...)`
(each argument a polars expression over `rows` or a constant), or `empty_rejects()` when none.
"""

from __future__ import annotations

import polars as pl

from coopanalysis.core.schema import CASE_OUTCOMES, CHANNELS, RESPONSES
from coopanalysis.errors import CoopAnalysisError

REASONS: dict[str, str] = {
    # request logs and published counts (io.requests)
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
    # published press series (io.published)
    "not_one_calendar_span": "not a count over one calendar span",
    "metric_not_a_count": "the metric is not a request count, reply count or reply rate",
}
"""Reason code → the sentence a user reads in the rejects table."""

REJECTS_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "line": pl.Int64(),
    "column": pl.String(),
    "reason": pl.String(),
    "message": pl.String(),
    "value": pl.String(),
}
"""Column → dtype of every loader's rejects frame, in order."""

Value = pl.Expr | str | int | None
"""A rejects column given to `rejects_frame`: an expression over the rows, or a constant."""


def empty_rejects() -> pl.DataFrame:
    """A rejects frame with no rows."""
    return pl.DataFrame(schema=REJECTS_SCHEMA)


def _as_expr(value: Value) -> pl.Expr:
    """An expression as given; a constant (text, number or None) as a literal."""
    return value if isinstance(value, pl.Expr) else pl.lit(value)


def value_hint(column: str) -> str | None:
    """What to do about a value a column does not allow: its allowed values and the mapping table
    that maps a file's own spellings onto them (None for a column without a fixed list)."""
    allowed = {"response": RESPONSES, "case_outcome": CASE_OUTCOMES, "channel": CHANNELS}.get(column)
    if allowed is None:
        return None
    return (f"{column} must be one of {', '.join(allowed)}; map the file's own values onto them in a "
            f"[values.{column}] table of the mapping file (--map MAP.toml, or the mapping parameter)")


def message_of(reason: pl.Expr, column: pl.Expr | None = None) -> pl.Expr:
    """The `message` column for a `reason` column: the registered sentence, or the reason itself;
    for a value not allowed in a column with a fixed list (`column`), the sentence and `value_hint`."""
    message = reason.replace_strict(REASONS, default=reason, return_dtype=pl.String)
    if column is None:
        return message
    for name in ("response", "case_outcome", "channel"):
        hinted = pl.concat_str([message, pl.lit(f": {value_hint(name)}")])
        message = pl.when((reason == "value_not_allowed") & (column == name)).then(hinted).otherwise(message)
    return message


def rejects_frame(
    rows: pl.DataFrame | pl.LazyFrame,
    *,
    source_file: Value,
    line: Value,
    column: Value,
    reason: Value,
    value: Value,
) -> pl.DataFrame:
    """One rejects row per row of `rows` (the rows set aside), in `REJECTS_SCHEMA`, sorted by
    file and line. Each argument is an expression over `rows` or a constant; `message` comes from
    `reason` through `REASONS`."""
    reason_expr = _as_expr(reason).cast(pl.String)
    columns = {
        "source_file": _as_expr(source_file),
        "line": _as_expr(line),
        "column": _as_expr(column),
        "reason": reason_expr,
        "message": message_of(reason_expr, _as_expr(column).cast(pl.String)),
        "value": _as_expr(value),
    }
    out = rows.lazy().select(
        [expr.cast(REJECTS_SCHEMA[name]).alias(name) for name, expr in columns.items()]
    )
    return out.collect().sort("source_file", "line", maintain_order=True, nulls_last=True)


def count_by_reason(rejects: pl.DataFrame) -> dict[str, int]:
    """Rejected rows per reason code, most frequent first (ties by code)."""
    if rejects.height == 0:
        return {}
    by_reason = rejects.group_by("reason").len().sort("len", "reason", descending=[True, False])
    return {str(r): int(n) for r, n in by_reason.iter_rows()}


def check_rows_add_up(source: str, rows_read: int, rows_kept: int, rows_rejected: int) -> None:
    """Raise `CoopAnalysisError` unless rows read = rows kept + rows rejected for `source`."""
    if rows_read != rows_kept + rows_rejected:
        raise CoopAnalysisError(
            f"{source}: {rows_read} rows read but {rows_kept} kept + "
            f"{rows_rejected} rejected; please report this as a bug"
        )


def load_summary(source: str, *, rows_read: int, rows_kept: int, rejects: pl.DataFrame) -> dict[str, object]:
    """What every loader reports for one source: file, rows_read, rows_kept, rows_rejected and
    rejected_by_reason, after checking that rows read = rows kept + rows rejected."""
    check_rows_add_up(source, rows_read, rows_kept, rejects.height)
    return {
        "file": source,
        "rows_read": rows_read,
        "rows_kept": rows_kept,
        "rows_rejected": rejects.height,
        "rejected_by_reason": count_by_reason(rejects),
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula in a CSV cell (OWASP, "CSV injection")."""


def csv_safe(text: pl.Expr) -> pl.Expr:
    """Text made inert for a spreadsheet: a value starting with =, +, -, @, tab or carriage return gets
    a leading single quote (OWASP's advice against CSV injection); other values and nulls stay.
    For CSV files people open; the in-memory frames keep the values as read."""
    text = text.cast(pl.String)
    starts = pl.any_horizontal([text.str.starts_with(c) for c in FORMULA_STARTS])
    return pl.when(starts.not_()).then(text).otherwise(pl.lit("'") + text)


def people_csv(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every text column passed through `csv_safe`, ready to write as a CSV for people."""
    return frame.with_columns(csv_safe(pl.col(c)).alias(c) for c, t in frame.schema.items() if t == pl.String)
