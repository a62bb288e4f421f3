"""Tables for readers of the transparency report.

Each function takes a small collected frame of `coopanalysis.reports.transparency` and returns
a frame ready for `coopanalysis.present.display.show_table`: every column under its label from
the one registry (`coopanalysis.core.names.label`), hidden counts as "<k" or "withheld".
"""

from __future__ import annotations

import polars as pl

from coopanalysis.core.names import CODE_LABELS, WORD_FIELDS, code_labels, label, name_list
from coopanalysis.present.transparency_text import period_short
from coopanalysis.publish.disclosure import label_hidden

BOUNDS = ("requests_low", "requests_high")
BOOKKEEPING = ("rows", "days_covered")
"""Columns a reader does not need: the number of source rows summed, the days a year's
periods cover (`full_year` says whether that is the whole year)."""


def for_readers(df: pl.DataFrame) -> pl.DataFrame:
    """A collected transparency frame as a table for readers: hidden counts as "<k" /
    "withheld" (`coopanalysis.publish.disclosure.label_hidden`) and every column under its
    label ("rows_read" → "Rows read", "requests_low" → "Requests (lower bound)"), codes as words
    ("before" → "Before the change", `coopanalysis.core.names.code_label`), names in the page's
    language ("Google" → "구글"). The published
    bounds are kept only when some row's bounds differ from its requests (a banded figure such
    as "<10"), and then shown only on those rows (a dash elsewhere); `BOOKKEEPING` columns go. Share columns keep their fractions (tables show them as %)."""
    drop = [c for c in BOOKKEEPING if c in df.columns]
    if all(c in df.columns for c in (*BOUNDS, "requests")):
        same = df.select([(pl.col(b).eq_missing(pl.col("requests"))).all() for b in BOUNDS]).row(0)
        if all(same):
            drop += [*BOUNDS, *[f"{b}_hidden" for b in BOUNDS if f"{b}_hidden" in df.columns]]
        else:  # bounds only on the rows where they say something the count does not
            exact = pl.all_horizontal(pl.col(b).eq_missing(pl.col("requests")) for b in BOUNDS) & pl.col("requests").is_not_null()
            df = df.with_columns(pl.when(~exact).then(pl.col(b)).alias(b) for b in BOUNDS)
    out = label_hidden(df.drop(drop))
    out = out.with_columns(code_labels(c, pl.col(c), capital=True) for c in out.columns
                           if (c in CODE_LABELS or c in WORD_FIELDS) and out.schema[c] == pl.String)
    return out.rename({c: label(c) for c in out.columns})


def reconciliation_table(table: pl.DataFrame) -> pl.DataFrame:
    """A `reconcile_yearly` table for readers: Year (the agency's period, "2024 (1 Jan–31 Jul)"
    when not a whole year), Agency reports sending, Providers report receiving, Providers ÷ agency
    (a fraction; tables show it as 101.7%), Providers counted. The reasons they differ are in
    `transparency_text.reconciliation_reasons`. Hidden counts read "<k"."""
    columns = ("agency_period", "agency_requests", "providers_requests", "providers_to_agency", "providers_included")
    shown = label_hidden(table).with_columns(
        pl.col("agency_period").map_elements(period_short, return_dtype=pl.String),
        pl.col("providers_included").fill_null("").map_elements(name_list, return_dtype=pl.String),
    )
    return shown.select([pl.col(c).alias(label(c)) for c in columns])
