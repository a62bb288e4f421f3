"""Tables for readers: growth, average annual growth and answered share with readable figures.

Each function takes a small report frame and returns a frame of labelled, formatted columns ready
for `coopanalysis.present.display.show_table`; hidden counts read "<k" or "withheld"."""

from __future__ import annotations

import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.names import code_labels, label
from coopanalysis.present.narrative.words import interval, share, signed
from coopanalysis.publish.disclosure import WITHHELD, hidden_column, label_hidden
from coopanalysis.reports.figures import SMALL_BASE


def _key(column: str) -> pl.Expr:
    """A category column for readers: under its label, its codes as words ("cyber_sexual_violence" →
    "Cyber sexual violence", through `coopanalysis.core.names.code_label`)."""
    return code_labels(column, pl.col(column), capital=True).alias(label(column))


def _small_base_note(base: str, value: str) -> pl.Expr:
    """"small base: fewer than 20 requests" where a shown rate rests on fewer than SMALL_BASE requests."""
    return (pl.when(pl.col(value).is_not_null() & (pl.col(base) < SMALL_BASE))
            .then(pl.lit(_("small base: fewer than {n} requests, the rate says little").format(n=SMALL_BASE))))


def growth_rows(growth: pl.DataFrame, *, by: str | None = None) -> pl.DataFrame:
    """A growth frame as a table for readers: period, requests, the same span a year earlier,
    growth ('+68.9%') and the reason when there is none."""
    keys = [by] if by and by in growth.columns else []
    note = pl.coalesce(code_labels("growth_note", pl.col("growth_note")), _small_base_note("base", "growth")).fill_null("").alias("Note")
    growth = growth.with_columns(note)
    growth = label_hidden(growth)
    return growth.select(
        *[_key(k) for k in keys],
        pl.col("period_label").alias("Period"),
        pl.col("requests").alias("Requests"),
        pl.col("base").alias("A year earlier"),
        pl.col("growth").map_elements(signed, return_dtype=pl.String).fill_null("–").alias("Growth"),
        pl.col("Note"),
    )


def cagr_rows(cagr: pl.DataFrame, *, by: str | None = None) -> pl.DataFrame:
    """A `compute_cagr` frame as a table for readers."""
    keys = [by] if by and by in cagr.columns else []
    cagr = cagr.with_columns(pl.coalesce(code_labels("cagr_note", pl.col("cagr_note")),
                                         _small_base_note("first_value", "cagr")).fill_null("")
                             .alias("Note"))
    cagr = label_hidden(cagr)
    return cagr.select(
        *[_key(k) for k in keys],
        pl.format("{}–{}", "first_year", "last_year").fill_null("–").alias("Years"),
        pl.col("first_value").alias("Requests in the first year"),
        pl.col("last_value").alias("Requests in the last year"),
        pl.col("cagr").map_elements(signed, return_dtype=pl.String).fill_null("–").alias("Average annual growth"),
        *_trend_columns(cagr),
        pl.col("Note"),
    )


def _trend_columns(cagr: pl.DataFrame) -> list[pl.Expr]:
    """The log-linear trend through every full year, with its 95% CI, beside the endpoints' CAGR."""
    if "trend" not in cagr.columns:
        return []
    text = lambda r: (None if r["trend"] is None or r["trend_low"] is None
                      else _("{trend} ({low} to {high})").format(trend=signed(r["trend"]), low=signed(r["trend_low"]),
                                                               high=signed(r["trend_high"])))
    return [
        pl.struct("trend", "trend_low", "trend_high").map_elements(text, return_dtype=pl.String)
        .fill_null("–").alias("Log-linear trend (95% CI)"),
        code_labels("trend_vs_cagr", pl.col("trend_vs_cagr")).fill_null("").alias("Trend against the endpoints"),
    ]


def share_rows(df: pl.DataFrame, *, by: str) -> pl.DataFrame:
    """An `answered_share` frame as a table for readers: answered of requests, share and 95% CI
    (hidden counts as "<k" or "withheld", and their share as "withheld")."""
    hidden = pl.col(hidden_column("answered")).is_not_null() if hidden_column("answered") in df.columns else pl.lit(False)
    df = df.with_columns(_hidden=hidden)
    df = label_hidden(df)
    return df.select(
        _key(by),
        pl.col("requests").alias("Requests"),
        pl.col("answered").alias("Answered"),
        pl.when(pl.col("_hidden")).then(pl.lit(WITHHELD))
        .otherwise(pl.col("answered_share").map_elements(share, return_dtype=pl.String)).fill_null("–").alias("Share"),
        pl.when(pl.col("_hidden")).then(pl.lit(WITHHELD)).otherwise(
            pl.struct("ci_low", "ci_high").map_elements(lambda r: interval(r["ci_low"], r["ci_high"]),
                                                        return_dtype=pl.String)).fill_null("–").alias("95% CI"),
    )
