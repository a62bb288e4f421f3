"""Every count a report page publishes, as `publish.ledger.Count`s: what the folder audit reads.

`page_ledger(report, page=...)` takes the frozen result of a report facade (`volume_report`,
`growth_report`, `outcome_report`, `transparency_report`) and lists each count its tables, charts
and headlines print — requests by period and platform, totals, the bases of growth rates, the first
and last years of a CAGR, the observed years of a projection, counts by agency and by crime type,
answered counts — with how the page shows it. Ratios (shares, growth, projections) are not counts:
the facades publish them only where every count they rest on is shown.

A universe is one input file by content (its SHA-256), with the agency filter if any: pages on
the same file are audited together whatever path they read it from.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from collections.abc import Iterator
from typing import Any

import polars as pl

from coopanalysis.core.files import sha256_file, sha256_tree
from coopanalysis.core.periods import year_before, year_span
from coopanalysis.publish.disclosure import hidden_column
from coopanalysis.publish.ledger import Count, Ledger, Universe, count, ledger
from coopanalysis.reports.growth import GrowthReport
from coopanalysis.reports.outcomes import OutcomeReport
from coopanalysis.reports.source import InputSummary
from coopanalysis.reports.transparency import TransparencyReport
from coopanalysis.reports.volumes import VolumeReport

DIMENSIONS = ("agency", "crime_type")
"""Columns a count may be split by besides period and platform."""


def universe(info: InputSummary) -> Universe:
    """The universe of a request log or published series report (see the module docstring)."""
    path = info.source
    digest = (sha256_tree(Path(path)) if Path(path).is_dir() else sha256_file(Path(path)))[:16]
    key = f"{info.kind}:{digest}" + (f"|agencies={','.join(sorted(info.agencies))}" if info.agencies else "")
    extent = info.extent or (info.start, info.end)
    return Universe(key, tuple(info.available_platforms), extent)


def _group(df: pl.DataFrame) -> tuple[str | None, str | None]:
    """The column a growth or CAGR frame is grouped by (platform, agency or crime type, or none), and
    the split dimension it is (None for platform: platforms are a count's own field)."""
    group = next((c for c in ("platform", *DIMENSIONS) if c in df.columns), None)
    return group, group if group in DIMENSIONS else None


class _Page:
    """Counts of one page of a request log or series report, clipped to its selection."""

    def __init__(self, info: InputSummary) -> None:
        self.info = info
        self.universe = universe(info)
        self.selected = list(info.platforms) or None

    def one(self, start: dt.date, end: dt.date, value: Any, label: str | None, where: str, *,
            platform: str | None = None, measure: str = "requests", dimension: str | None = None,
            value_of: str | None = None) -> Count | None:
        start, end = max(start, self.info.start), min(end, self.info.end)
        platforms = [platform] if platform is not None else self.selected
        if measure == "answered" and label is not None:
            return None  # an answered count hidden with its requests: a constraint only when shown
        extra = {"dimension": dimension, "values": (value_of,)} if dimension else {}
        return count(self.universe.key, start, end, value, label, platforms=platforms, where=where,
                     measure=measure, **extra)

    def rows(self, df: pl.DataFrame, where: str, *, column: str = "requests", span: Any = None,
             measure: str = "requests") -> Iterator[Count | None]:
        """A count per row: its span from period_start/period_end (or `span(row)`, or the selection),
        its platform from a platform column, its split from an agency or crime-type column."""
        label = hidden_column(column)
        dims = [d for d in DIMENSIONS if d in df.columns]
        for r in df.iter_rows(named=True):
            if span is not None:
                start, end = span(r)
            elif "period_start" in r:
                start, end = r["period_start"], r["period_end"]
            else:
                start, end = self.info.start, self.info.end
            dim = dims[0] if dims else None
            yield self.one(start, end, r[column], r.get(label), where, platform=r.get("platform"),
                           measure=measure, dimension=dim, value_of=r[dim] if dim else None)

    def growth(self, df: pl.DataFrame, where: str, *, base: str = "year") -> Iterator[Count | None]:
        """A growth table's counts and their bases: a year before (`base` "year") or the row before
        of the same group ("previous")."""
        yield from self.rows(df, where)
        before: dict[Any, dict] = {}
        group, dim = _group(df)
        for r in sorted(df.iter_rows(named=True), key=lambda r: r["period_start"]):
            key = r.get(group) if group else None
            previous, before[key] = before.get(key), r
            if base == "year":
                span = (year_before(r["period_start"]), year_before(r["period_end"]))
            elif previous is not None:
                span = (previous["period_start"], previous["period_end"])
            else:
                continue
            yield self.one(*span, r["base"], r.get("base_hidden"), f"{where} (base)",
                           platform=r.get("platform"), dimension=dim, value_of=key if dim else None)

    def cagr(self, df: pl.DataFrame, where: str) -> Iterator[Count | None]:
        """The first and last full years a CAGR compares."""
        group, dim = _group(df)
        for r in df.iter_rows(named=True):
            for side in ("first", "last"):
                year = r.get(f"{side}_year")
                if year is None:
                    continue
                yield self.one(*year_span(int(year)), r[f"{side}_value"], r.get(f"{side}_value_hidden"), where,
                               platform=r.get("platform"), dimension=dim, value_of=r[group] if dim else None)

    def total(self, figure: dict[str, Any], where: str) -> Count | None:
        value = figure.get("value")
        return self.one(self.info.start, self.info.end, value, None if value is not None else "withheld", where)

    def observed(self, projection: pl.DataFrame, where: str) -> Iterator[Count | None]:
        yield from self.rows(projection.filter(pl.col("kind") != "projected"), where) if projection.height else ()


def _volumes(r: VolumeReport, p: _Page) -> Iterator[Count | None]:
    yield from p.rows(r.volumes, "requests over time")
    yield from p.rows(r.by_period, "requests over time, all platforms")
    yield from p.rows(r.by_platform, "requests by platform")
    yield from p.rows(r.top_agencies, "who asks")
    yield from p.growth(r.growth, "requests per year")
    yield from p.cagr(r.cagr, "average annual growth")
    yield from p.observed(r.projection, "year-end projection")
    yield p.total(r.total_figure, "requests in the selection")


def _growth(r: GrowthReport, p: _Page) -> Iterator[Count | None]:
    yield from p.growth(r.yearly, "requests per year")
    for dim, df in r.yearly_by.items():
        yield from p.growth(df, f"requests per year by {dim}")
    yield from p.growth(r.period_growth, "requests per period", base="previous")
    yield from p.cagr(r.cagr, "average annual growth")
    for dim, df in r.cagr_by.items():
        yield from p.cagr(df, f"average annual growth by {dim}")
    yield from p.observed(r.projection, "year-end projection")


def _outcomes(r: OutcomeReport, p: _Page) -> Iterator[Count | None]:
    for df, where in ((r.answered, "answered share"), (r.answered_by_platform, "answered share by platform"),
                      (r.answered_over_time, "answered share over time"), (r.untraceable, "untraceable"),
                      (r.answered_by_crime_type, "answered share by crime type")):
        yield from p.rows(df, where)
        yield from p.rows(df, where, column="answered", measure="answered")
    yield from p.rows(r.response_times.filter(pl.col("requests").is_not_null()), "time to response",
                      column="requests") if "requests" in r.response_times.columns else ()


def _transparency(r: TransparencyReport) -> Ledger:
    key = f"transparency:{r.country}"
    label = hidden_column("requests")
    over_time, yearly = (df if label in df.columns else df.with_columns(pl.lit(None, pl.String).alias(label))
                         for df in (r.over_time, r.yearly))  # no labels when nothing is hidden
    periods = over_time.filter(pl.col("requests").is_not_null() | pl.col(label).is_not_null())
    spans = {(p, y): (s, e) for p, y, s, e in periods.group_by(
        "provider", pl.col("period_start").dt.year().alias("year")).agg(
        pl.col("period_start").min(), pl.col("period_end").max()).iter_rows()}
    counts: list[Count | None] = []
    for row in periods.iter_rows(named=True):
        counts.append(count(key, row["period_start"], row["period_end"], row["requests"], row[label],
                            platforms=[row["provider"]], where="requests over time"))
    for row in yearly.iter_rows(named=True):
        span = spans.get((row["provider"], row["year"]))
        if span is not None:  # a year is the periods of it the provider published
            counts.append(count(key, *span, row["requests"], row[label], platforms=[row["provider"]],
                                where="requests per year"))
    extent = (min((s for s, _ in spans.values()), default=r.start), max((e for _, e in spans.values()), default=r.end))
    universes = [Universe(key, tuple(r.providers), extent)]
    # the ranking: each country's requests to one provider over that provider's periods
    ranked = [(s, e) for (p, _), (s, e) in spans.items() if p == r.ranking_provider]
    span = (min(s for s, _ in ranked), max(e for _, e in ranked)) if ranked else (r.start, r.end)
    ranking = r.ranking if label in r.ranking.columns else r.ranking.with_columns(pl.lit(None, pl.String).alias(label))
    for row in ranking.iter_rows(named=True):
        country = f"transparency:{row['country']}"
        if country != key:
            universes.append(Universe(country, (r.ranking_provider,), span))
        counts.append(count(country, *span, row["requests"], row[label], platforms=[r.ranking_provider],
                            where="countries ranked"))
    return ledger("transparency", r.suppress_below, universes, counts)


def page_ledger(report: Any, *, page: str = "") -> Ledger:
    """The `Ledger` of one report page (see the module docstring); a `Ledger` is returned as it is (a
    notebook of one's own declares its counts, or that it publishes none, with `ledger(...)`)."""
    if isinstance(report, Ledger):
        return report
    if isinstance(report, TransparencyReport):
        return _transparency(report)
    builders = {VolumeReport: _volumes, GrowthReport: _growth, OutcomeReport: _outcomes}
    build = builders.get(type(report))
    if build is None:
        raise TypeError(f"no ledger for a {type(report).__name__}")
    p = _Page(report.input)
    return ledger(page or type(report).__name__, report.input.suppress_below, [p.universe], build(report, p))

