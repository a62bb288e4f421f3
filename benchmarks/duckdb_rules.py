"""The validation of a request log written as one DuckDB SQL pipeline, with coopanalysis's exact
rules (`io.rules.requests_rules`, in the same order, the first broken rule naming the reason;
`io.parse` for dates, tokens and platform names): the baseline `benchmarks/validate.py` times
our loader against.

`validate_duckdb(path, out_dir)` reads a CSV (every value as text) or a Parquet file (dates stored
as dates taken as they are, like our loader) and writes, in one pass, the kept rows (the canonical
`requests` columns) under `out_dir/kept=true/` and the rejects (line, column, reason, value) under
`out_dir/kept=false/`; it returns (rows read, rows kept). `rejects(out_dir)` reads them back. Lines count like ours: CSV from 2 (the header is line 1), Parquet from 1.
Only what the synthetic logs need is covered: no column mapping, no XLSX, no embedded newlines.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from coopanalysis.core import schema as S
from coopanalysis.core.names import PLATFORM_NAMES

WS = "' ' || chr(9) || chr(10) || chr(13) || chr(11) || chr(12)"
"""The characters polars' `str.strip_chars()` strips that a log can hold."""


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def _text(col: str) -> str:
    """`io.parse.blank_to_null`: stripped text, empty as null (DuckDB's `trim` with a set of
    characters is slow, so it runs only on the few values that start or end with one)."""
    v = f"CAST({col} AS VARCHAR)"
    edge = r"'^[ \t\n\r\v\f]|[ \t\n\r\v\f]$'"
    return f"nullif(CASE WHEN regexp_matches({v}, {edge}) THEN trim({v}, {WS}) ELSE {v} END, '')"


def _date(t: str) -> str:
    """`io.parse.parse_date` on the stripped text `t`: an ISO fast path, else the regex forms."""
    parts = r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"
    g = f"regexp_extract({t}, '{parts}', ['y', 'm', 'd'])"
    return f"""CASE WHEN regexp_full_match({t}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') THEN try_strptime({t}, '%Y-%m-%d')::DATE
        ELSE coalesce(
            try_strptime(nullif({g}.y, '') || '-' || {g}.m || '-' || {g}.d, '%Y-%m-%d')::DATE,
            try_strptime(nullif(regexp_extract({t}, '^(\\d{{8}})(\\D.*)?$', 1), ''), '%Y%m%d')::DATE) END"""


def _token(t: str) -> str:
    """`io.parse.normalise_token`."""
    return f"regexp_replace(lower({t}), '[\\s\\-]+', '_', 'g')"


def _platform(t: str) -> str:
    """`core.names.canonical_platform`: a known name (lower-cased) spelled the reports' way."""
    cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in PLATFORM_NAMES.items())
    return f"coalesce(CASE lower({t}) {cases} END, {t})"


def pipeline_sql(source: str, native: frozenset[str], first_line: int, today: dt.date) -> str:
    """The typed rows of `source` (a relation with the canonical columns in file order) with
    `_line`, every `_raw_*` text form and `_rule`: the first rule broken, or null when kept."""
    text = {c: _text(c) for c in S.REQUESTS_SCHEMA if c not in native}
    typed = []
    for col in S.REQUESTS_SCHEMA:
        if col in native:
            typed += [f"NULL::VARCHAR AS _raw_{col}", f"{col}::DATE AS {col}"]
            continue
        t = text[col]
        typed.append(f"{t} AS _raw_{col}")
        if col in S.REQUESTS_DATE_COLUMNS:
            typed.append(f"{_date(f'_raw_{col}')} AS {col}")
        elif col in ("response", "case_outcome", "channel"):
            typed.append(f"{_token(f'_raw_{col}')} AS {col}")
        elif col == "platform":
            typed.append(f"{_platform(f'_raw_{col}')} AS {col}")
        elif col == "country":
            typed.append(f"upper(_raw_{col}) AS {col}")
        else:
            typed.append(f"_raw_{col} AS {col}")
    # a SELECT list is evaluated on the input columns, so the typed columns come in two steps
    raw_cols = ", ".join(f"{text[c]} AS _raw_{c}" for c in text)
    native_cols = "".join(f", {c}" for c in native)
    retyped = ", ".join(typed[1::2])
    rules: list[tuple[str, str]] = [
        ("blank_row__request_id", " AND ".join(f"{c if c in native else '_raw_' + c} IS NULL" for c in S.REQUESTS_SCHEMA))]
    rules += [(f"missing_value__{c}", f"{c if c in native else '_raw_' + c} IS NULL") for c in S.REQUESTS_REQUIRED]
    rules += [(f"unparseable_date__{c}", f"_raw_{c} IS NOT NULL AND {c} IS NULL")
              for c in S.REQUESTS_DATE_COLUMNS if c not in native]
    rules += [("value_not_allowed__response", f"response NOT IN {_in(S.RESPONSES)}"),
              ("value_not_allowed__case_outcome", f"case_outcome NOT IN {_in(S.CASE_OUTCOMES)}"),
              ("value_not_allowed__country", "NOT regexp_matches(country, '^[A-Z]{2}$')")]
    rules += [(f"date_in_future__{c}", f"{c} > DATE '{today}'") for c in S.REQUESTS_DATE_COLUMNS]
    rules += [("responded_before_requested__responded_on", "responded_on < requested_on"),
              ("closed_before_requested__closed_on", "closed_on < requested_on"),
              ("response_date_mismatch__response", "(response IS NULL) <> (responded_on IS NULL)"),
              ("duplicate_request_id__request_id", "_later")]
    # a null comparison breaks no rule (our rules are `fill_null(True)`)
    first = "CASE " + " ".join(f"WHEN coalesce({cond}, false) THEN {_lit(name)}" for name, cond in rules) + " END"
    raws = ", ".join(f"_raw_{c}" for c in text)
    return f"""
        WITH src AS (SELECT row_number() OVER () + {first_line - 1} AS _line, * FROM {source}),
        r AS (SELECT _line, {raw_cols}{native_cols} FROM src),
        t AS MATERIALIZED (SELECT _line, {raws}, {retyped} FROM r),
        rep AS (SELECT request_id FROM t WHERE request_id IS NOT NULL GROUP BY ALL HAVING count(*) > 1),
        later AS (SELECT _line FROM (SELECT _line, row_number() OVER (PARTITION BY request_id ORDER BY _line) AS n
                                     FROM t SEMI JOIN rep USING (request_id)) WHERE n > 1),
        d AS (SELECT t.*, later._line IS NOT NULL AS _later FROM t LEFT JOIN later USING (_line))
        SELECT *, {first} AS _rule FROM d"""


def validate_duckdb(path: Path, out_dir: Path, today: dt.date | None = None, threads: int = 0) -> tuple[int, int]:
    """Validate the request log `path` with DuckDB, writing kept rows and rejects under `out_dir`
    (`kept=true/`, `kept=false/`); (rows read, rows kept)."""
    import duckdb

    today = today or dt.date.today()
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    con.execute("SET preserve_insertion_order = true")
    p = _lit(str(path))
    if path.suffix.lower() in (".parquet", ".pq"):
        source, first_line = f"read_parquet({p})", 1
        described = {row[0]: row[1] for row in con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()}
        native = frozenset(c for c in S.REQUESTS_DATE_COLUMNS if described.get(c) == "DATE")
    else:
        source, first_line, native = f"read_csv({p}, all_varchar = true, header = true)", 2, frozenset()
    # one pass: every row written once, into the kept or the rejected half of a hive-partitioned
    # folder (a rejected row with its rule, column and text; a kept row with its canonical columns)
    column = "split_part(_rule, '__', 2)"
    value = "CASE " + " ".join(
        f"WHEN {column} = {_lit(c)} THEN {c + '::VARCHAR' if c in native else '_raw_' + c}" for c in S.REQUESTS_SCHEMA
    ) + " END"
    out = ", ".join(f"CASE WHEN _rule IS NULL THEN {c} END AS {c}" for c in S.REQUESTS_SCHEMA)
    con.execute(f"""COPY (SELECT _rule IS NULL AS kept, {out}, _line AS line, {column} AS "column",
                                 split_part(_rule, '__', 1) AS reason, {value} AS value
                          FROM ({pipeline_sql(source, native, first_line, today)}))
                    TO {_lit(str(out_dir))} (FORMAT parquet, PARTITION_BY (kept), OVERWRITE_OR_IGNORE)""")
    counts = con.execute(f"SELECT kept::VARCHAR, count(*) FROM read_parquet({_lit(str(out_dir) + '/*/*.parquet')}, "
                         "hive_partitioning = true) GROUP BY kept").fetchall()
    con.close()
    by = {k.lower() == "true": n for k, n in counts}
    return by.get(True, 0) + by.get(False, 0), by.get(True, 0)


def rejects(out_dir: Path):
    """The rejects `validate_duckdb` wrote, as a polars frame (line, column, reason, value) by line."""
    import polars as pl

    files = sorted(Path(out_dir).glob("kept=false/*.parquet"))
    if not files:
        return pl.DataFrame(schema={"line": pl.Int64, "column": pl.String, "reason": pl.String, "value": pl.String})
    return pl.read_parquet(files).select("line", "column", "reason", "value").sort("line")
