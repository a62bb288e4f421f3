"""The one place that touches dataframely's private API.

`LoadResult.kept_on_disk` sinks dataframely's failure frame beside the kept rows, so that the
engine validates each row once, and reads it back from Parquet. dataframely has no public way to
reach that lazy frame or to rebuild a `FailureInfo` around another one, so this module relies on:

- `FailureInfo._lf`: the LazyFrame of invalid rows with one boolean column per rule;
- `FailureInfo._rule_columns`: the names of those rule columns;
- `FailureInfo(lf, rule_columns)`: the constructor that takes them.

Checked against dataframely 3.1.2. Nothing else in the package touches dataframely internals;
if an upgrade breaks these, only this module changes.
"""

from __future__ import annotations

import dataframely as dy
import polars as pl


def failure_rows(failure: dy.FailureInfo) -> pl.LazyFrame:
    """The lazy frame behind `failure`: the rows that broke a rule, with one column per rule."""
    return failure._lf


def failure_like(rows: pl.LazyFrame, like: dy.FailureInfo) -> dy.FailureInfo:
    """A `FailureInfo` over `rows` (e.g. `failure_rows(like)` read back from a file), with the
    rule columns of `like`."""
    return dy.FailureInfo(rows, like._rule_columns)
