"""The request_volumes report: how many requests, in which periods, to which platforms, from whom.

`volume_report(...)` checks the notebook's parameters, loads the data (a request log or the
published KNPA series, see `coopanalysis.reports.source`), runs the transforms and returns a
`VolumeReport` of small collected frames and headline figures. Nothing here draws or prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from coopanalysis.publish import disclosure
from coopanalysis.publish.gate import Gate
from coopanalysis.publish.growth import hide_cagr, hide_growth
from coopanalysis.reports import figures
from coopanalysis.reports.params import check_suppress_below, check_top
from coopanalysis.reports.pattern import (
    growth_force,
    page_gate,
    selected_shown,
    shown_span,
    two_way_force,
)
from coopanalysis.reports.source import InputSummary, Source, load_source
from coopanalysis.reports.yearly import (
    YOY_COLUMNS,
    hide_projection,
    hide_trend,
    monthly_counts,
    page_labels,
    projection_inputs,
    year_end_projection,
    yearly_growth_log,
    yearly_growth_series,
    yearly_totals,
)
from coopanalysis.transforms.analyses import collect_each
from coopanalysis.transforms.growth import compute_cagr
from coopanalysis.transforms.volumes import count_requests, top_values


@dataclass(frozen=True)
class VolumeReport:
    """Frames of the request_volumes report (all collected, small) and its headline figures."""

    input: InputSummary
    volumes: pl.DataFrame  # period_start, period_end, platform, requests (zero-filled)
    top_agencies: pl.DataFrame  # agency, requests, share
    growth: pl.DataFrame  # yearly, like for like: period_start, period_end, period_label, requests, base, growth, growth_note
    cagr: pl.DataFrame  # first_year, last_year, first_value, last_value, cagr, cagr_note
    projection: pl.DataFrame  # see yearly.projection_frame
    by_platform: pl.DataFrame  # platform, requests, share
    by_period: pl.DataFrame  # period_start, period_end, requests (all platforms)
    total_figure: dict[str, Any]  # headline: requests in the selection
    latest_growth_figure: dict[str, Any]  # headline: the latest like-for-like growth
    projection_figure: dict[str, Any]  # headline: the run-rate year-end projection


def volume_report(
    data: str = "",
    *,
    start: str = "",
    end: str = "",
    platforms: Sequence[str] = (),
    agencies: Sequence[str] = (),
    period: str = "month",
    top: int = 10,
    suppress_below: int = 0,
    mapping: str = "",
) -> VolumeReport:
    """Check the parameters, load `data` (request log, or the published KNPA series) and collect
    the frames of the request_volumes report. Raises ParameterError with the valid values.
    With `suppress_below` = k > 1, counts below k (and the cells protecting them) are hidden in
    every frame (see `coopanalysis.publish.disclosure`); on a request log without an `agencies`
    filter, every count by period and platform also takes its status from the batch-wide pattern
    of the whole log (`coopanalysis.reports.pattern`), so pages of one folder do not combine."""
    check_top(top)
    k = check_suppress_below(suppress_below)
    src = load_source(data, start=start, end=end, platforms=platforms, agencies=agencies, period=period,
                      suppress_below=k, mapping=mapping)
    lazy = _log_frames(src, period=period, top=top if k <= 1 else 2**31) if src.requests is not None \
        else _series_frames(src)
    frames, inputs = _collect(*lazy)
    g = page_gate(src, k)
    if k > 1:
        frames = _hide(frames, inputs, top=top, threshold=k, info=src.summary, g=g)
    volumes, top_df, growth, cagr, projection, by_platform, by_period = frames
    return VolumeReport(
        src.summary, volumes, top_df, growth, cagr, projection, by_platform, by_period,
        total_figure=figures.total_figure(src.summary, shown=selected_shown(g, src.summary)),
        latest_growth_figure=figures.latest_growth_figure(growth),
        projection_figure=figures.projection_figure(projection),
    )


def _log_frames(src: Source, *, period: str, top: int) -> tuple[pl.LazyFrame, ...]:
    """(volumes, top agencies, yearly growth, monthly counts for the projection) of a request log."""
    info = src.summary
    volumes = count_requests(src.requests, period=period, by=["platform"], start=info.start, end=info.end)  # type: ignore[arg-type]
    top_agencies = top_values(src.requests, column="agency", n=top)
    finer = monthly_counts(src)
    return volumes, top_agencies, yearly_growth_log(src), finer


def _series_frames(src: Source) -> tuple[pl.LazyFrame, ...]:
    """The same frames from the published series (no agencies: an empty ranking)."""
    top_agencies = pl.LazyFrame(schema={"agency": pl.String, "requests": pl.Int64, "share": pl.Float64})
    return src.counts, top_agencies, yearly_growth_series(src.counts), yearly_totals(src.counts)


def _collect(volumes: pl.LazyFrame, top_agencies: pl.LazyFrame, growth: pl.LazyFrame,
             finer: pl.LazyFrame) -> tuple[list[pl.DataFrame], pl.DataFrame]:
    """Collect the report's frames, in `VolumeReport` order (volumes … by_period), and the counts
    the projection rests on (`yearly.projection_inputs`)."""
    by_platform = volumes.group_by("platform").agg(pl.col("requests").sum()).with_columns(
        share=pl.col("requests") / pl.col("requests").sum()
    ).sort("requests", "platform", descending=[True, False])
    volumes_df, top_df, growth_df, by_platform_df = collect_each([volumes, top_agencies, growth, by_platform])
    growth_df = growth_df.select(list(YOY_COLUMNS)).cast(YOY_COLUMNS)  # type: ignore[arg-type]
    yearly = growth_df.lazy().select("period_start", "period_end", "requests")
    projection = year_end_projection(yearly, finer, growth_df.tail(1)).collect()
    cagr = compute_cagr(yearly).collect()
    by_period_df = volumes_df.group_by("period_start", "period_end").agg(pl.col("requests").sum()).sort("period_start")
    inputs = projection_inputs(finer, growth_df.tail(1))
    return [volumes_df, top_df, growth_df, cagr, projection, by_platform_df, by_period_df], inputs


def _hide(frames: list[pl.DataFrame], inputs: pl.DataFrame, *, top: int, threshold: int,
          info: InputSummary, g: Gate | None = None) -> list[pl.DataFrame]:
    """The frames of `_collect`, in its order, with counts below `threshold` hidden, and the counts
    the gate `g` hides (the batch-wide pattern; None: this page's suppression only) forced hidden."""
    volumes, top_df, growth, cagr, projection, by_platform, by_period = frames
    k = threshold
    # One table (period × platform) with its margins feeds the lines, the totals bars and the
    # sentences, so no hidden cell comes back as a total minus the cells shown.
    ends = volumes.select("period_start", "period_end").unique()
    volumes, by_period, totals = disclosure.hide_two_way(
        volumes, value="requests", rows="period_start", cols="platform", threshold=k,
        force=two_way_force(g, info, volumes))
    by_period = by_period.join(ends, on="period_start", how="left").select(
        "period_start", "period_end", "requests", "requests_hidden").sort("period_start")
    grand = by_platform["requests"].sum()
    by_platform = totals.with_columns(share=pl.col("requests") / grand).sort(
        ["requests", "platform"], descending=[True, False], nulls_last=True)
    top_df = _hide_top(top_df, column="agency", n=top, threshold=k)
    growth = hide_growth(growth, threshold=k, selected=(info.start, info.end, info.selected),
                         force=growth_force(g, info, [((), growth, "year")]))
    cagr = hide_trend(hide_cagr(cagr, growth, threshold=k), growth, threshold=k)
    projection = hide_projection(projection, page_labels(growth, by_period), inputs, k, shown_span(g, info))
    return [volumes, top_df, growth, cagr, projection, by_platform, by_period]


def _hide_top(full: pl.DataFrame, *, column: str, n: int, threshold: int) -> pl.DataFrame:
    """The n largest rows of a complete one-way table (column, requests, share), small counts hidden
    with a second one so the total of the selection does not give them away."""
    out = disclosure.hide_counts(full, value="requests", threshold=threshold, dims=[column])
    if threshold > 1:
        out = out.with_columns(share=pl.when(pl.col("requests").is_not_null()).then(pl.col("share")))
    return out.sort(["requests", column], descending=[True, False], nulls_last=True).head(n)
