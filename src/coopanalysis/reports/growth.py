"""The growth report: how fast requests grow, in total and by platform, agency and crime type.

`growth_report(...)` checks the notebook's parameters, loads the data (a request log or the
published KNPA series), runs the growth transforms and returns a `GrowthReport` of small
collected frames and headline figures. Nothing here draws or prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from coopanalysis.core.periods import period_label
from coopanalysis.publish.gate import Gate
from coopanalysis.publish.growth import hide_cagr, hide_growth_tables
from coopanalysis.reports import figures
from coopanalysis.reports.params import check_suppress_below, check_top, chosen_year
from coopanalysis.reports.pattern import growth_force, page_gate, shown_span
from coopanalysis.reports.source import InputSummary, Source, load_source
from coopanalysis.reports.yearly import (
    YOY_COLUMNS,
    hide_projection,
    hide_trend,
    monthly_counts,
    page_labels,
    period_text,
    projection_inputs,
    year_end_projection,
    yearly_growth_log,
    yearly_growth_series,
    yearly_totals,
)
from coopanalysis.transforms.analyses import collect_each
from coopanalysis.transforms.growth import add_period_growth, compute_cagr
from coopanalysis.transforms.volumes import count_requests, top_values


@dataclass(frozen=True)
class GrowthReport:
    """Frames of the growth report and its headline figures."""

    input: InputSummary
    yearly: pl.DataFrame  # total, like for like (YOY_COLUMNS)
    yearly_by: dict[str, pl.DataFrame]  # dimension -> YOY_COLUMNS + dimension
    period_growth: pl.DataFrame  # period over period, total: period_start, period_end, period_label, requests, base, growth, growth_note
    cagr_by: dict[str, pl.DataFrame]  # dimension -> dimension, first_year, last_year, first_value, last_value, cagr, cagr_note
    projection: pl.DataFrame
    cagr: pl.DataFrame  # total: first_year, last_year, first_value, last_value, cagr, cagr_note
    latest_growth_figure: dict[str, Any]  # headline: the latest like-for-like growth
    projection_figure: dict[str, Any]  # headline: the run-rate year-end projection

    def chosen_year(self, year: int = 0) -> int:
        """`year`, or for 0 the latest full calendar year of the selection (`params.chosen_year`)."""
        return chosen_year(year, self.yearly)

    def growth_figure(self, year: int = 0) -> dict[str, Any]:
        """Headline: the year-over-year growth of one calendar year (0: the latest full year; null when absent)."""
        return figures.growth_figure(self.yearly, year=self.chosen_year(year))


def growth_report(
    data: str = "",
    *,
    start: str = "",
    end: str = "",
    platforms: Sequence[str] = (),
    agencies: Sequence[str] = (),
    period: str = "quarter",
    top: int = 10,
    suppress_below: int = 0,
    mapping: str = "",
) -> GrowthReport:
    """Growth report frames: yearly like-for-like growth in total and by platform, agency and crime
    type (the `top` agencies by requests), period-over-period growth of the total, CAGR by each
    dimension and the year-end projection of a partial last year. With `suppress_below` = k > 1,
    counts below k and the growth rates and CAGRs resting on them are hidden; on a request log
    without an `agencies` filter, every count by period and platform also takes its status from the
    batch-wide pattern of the whole log (`coopanalysis.reports.pattern`)."""
    check_top(top)
    k = check_suppress_below(suppress_below)
    src = load_source(data, start=start, end=end, platforms=platforms, agencies=agencies, period=period,
                      suppress_below=k, mapping=mapping)
    lazy = _log_frames(src, period=period, top=top) if src.requests is not None else _series_frames(src)
    yearly, yearly_by, period_df, cagr_by, projection, cagr, inputs = _collect(*lazy)
    if k > 1:
        yearly, yearly_by, period_df, cagr_by, projection, cagr = _hide(
            yearly, yearly_by, period_df, cagr_by, projection, cagr, inputs, k, src.summary, page_gate(src, k))
    return GrowthReport(
        src.summary, yearly, yearly_by, period_df, cagr_by, projection, cagr,
        latest_growth_figure=figures.latest_growth_figure(yearly),
        projection_figure=figures.projection_figure(projection),
    )


def _hide(yearly: pl.DataFrame, yearly_by: dict[str, pl.DataFrame], period_df: pl.DataFrame,
          cagr_by: dict[str, pl.DataFrame], projection: pl.DataFrame, cagr: pl.DataFrame, inputs: pl.DataFrame,
          k: int, info: InputSummary, g: Gate | None = None) -> tuple[Any, ...]:
    """The frames of `_collect` with counts below k hidden: every growth table of the page as one set
    of figures (`publish.growth`), the counts the gate `g` hides forced hidden first, CAGRs and
    projections hidden where a count they rest on is."""
    names = list(yearly_by)
    tables = [((), yearly, "year"), ((), period_df, "previous"), *[((n,), yearly_by[n], "year") for n in names]]
    yearly, period_df, *by_frames = hide_growth_tables(tables, threshold=k,
                                                       selected=(info.start, info.end, info.selected),
                                                       force=growth_force(g, info, tables))
    yearly_by = dict(zip(names, by_frames, strict=True))
    cagr_by = {name: hide_trend(hide_cagr(df, yearly_by[name], by=[name], threshold=k), yearly_by[name], by=[name],
                                threshold=k) for name, df in cagr_by.items()}
    cagr = hide_trend(hide_cagr(cagr, yearly, threshold=k), yearly, threshold=k)
    projection = hide_projection(projection, page_labels(yearly, period_df), inputs, k, shown_span(g, info))
    return yearly, yearly_by, period_df, cagr_by, projection, cagr


def _log_frames(src: Source, *, period: str, top: int) -> tuple[Any, ...]:
    """(yearly growth, growth by dimension, period-over-period growth, monthly counts) of a request log;
    the agency breakdown keeps the `top` agencies by requests."""
    info = src.summary
    busiest = top_values(src.requests, column="agency", n=top).select("agency").collect().to_series().to_list()
    agency_src = Source(info, src.log.filter(pl.col("agency").is_in(busiest)), None, None)
    dims = {
        "platform": yearly_growth_log(src, by=["platform"]),
        "agency": yearly_growth_log(agency_src, by=["agency"]),
        "crime_type": yearly_growth_log(src, by=["crime_type"]),
    }
    per_period = count_requests(src.requests, period=period, start=info.start, end=info.end)  # type: ignore[arg-type]
    period_growth = add_period_growth(per_period).with_columns(
        period_label=period_label(pl.col("period_start"), period)  # type: ignore[arg-type]
    )
    finer = monthly_counts(src)
    return yearly_growth_log(src), dims, period_growth, finer


def _series_frames(src: Source) -> tuple[Any, ...]:
    """The same frames from the published series (no agency or crime type breakdown: empty frames)."""
    dims = {"platform": yearly_growth_series(src.counts, by=["platform"])}
    for name in ("agency", "crime_type"):
        dims[name] = pl.LazyFrame(schema={name: pl.String, **YOY_COLUMNS})
    per_period = yearly_totals(src.counts)
    period_growth = add_period_growth(per_period).with_columns(
        period_label=period_text(pl.col("period_start"), pl.col("period_end"))
    )
    return yearly_growth_series(src.counts), dims, period_growth, per_period


def _collect(yearly: pl.LazyFrame, dims: dict[str, pl.LazyFrame], period_growth: pl.LazyFrame,
             finer: pl.LazyFrame) -> tuple[Any, ...]:
    """Collect the frames: (yearly, yearly_by, period_growth, cagr_by, projection, cagr, the counts
    the projection rests on)."""
    collected = collect_each([yearly, period_growth, *dims.values()])
    yearly_df = collected[0].select(list(YOY_COLUMNS)).cast(YOY_COLUMNS)  # type: ignore[arg-type]
    period_df = collected[1].select(list(YOY_COLUMNS)).cast(YOY_COLUMNS)  # type: ignore[arg-type]
    yearly_by = {
        name: df.select(name, *YOY_COLUMNS).cast(YOY_COLUMNS)  # type: ignore[arg-type]
        for name, df in zip(dims, collected[2:], strict=True)
    }
    cagr_by = {
        name: compute_cagr(df.lazy(), by=[name]).sort("last_value", descending=True).collect()
        for name, df in yearly_by.items()
    }
    yearly_lf = yearly_df.lazy().select("period_start", "period_end", "requests")
    projection = year_end_projection(yearly_lf, finer, yearly_df.tail(1)).collect()
    cagr = compute_cagr(yearly_lf).collect()
    inputs = projection_inputs(finer, yearly_df.tail(1))
    return yearly_df, yearly_by, period_df, cagr_by, projection, cagr, inputs
