"""Headline figures: the one number a report section leads with, with its label and unit.

Each function returns keyword arguments for `coopanalysis.present.display.headline(name, **figure)`;
a figure that cannot be shown (no data, or withheld to protect small counts) has value None and a
label saying why, in the page's language (the index shows it as it is). The report facades put them
on their reports.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.reports.source import InputSummary

SMALL_BASE = 20
"""A growth rate on a base of fewer requests than this is flagged: 8 → 240 reads "+2900.0%", and a
handful of requests either way moves such a rate by tens of points."""


def _growth_label(label: str, base: int | None) -> str:
    """A growth headline's label with the base it is measured against, flagged when small:
    "Year-over-year growth, 2021, against 7,560 requests a year earlier"; "…, against 8 requests a
    year earlier (small base: the rate says little)"."""
    if base is None:
        return label
    against = _("{label}, against {count} request a year earlier") if base == 1 else _(
        "{label}, against {count} requests a year earlier")
    label = against.format(label=label, count=f"{base:,}")
    return _("{label} (small base: the rate says little)").format(label=label) if base < SMALL_BASE else label


def _growth(value: Any, label: str, base: Any) -> dict[str, Any]:
    """A growth headline: value, label naming its base, unit, and the base itself (null when hidden)."""
    base = None if base is None else int(base)
    figure = {"value": None if value is None else float(value), "label": _growth_label(label, base), "unit": "growth"}
    return figure | ({"base": base} if base is not None else {})


def total_figure(info: InputSummary, *, shown: bool = True) -> dict[str, Any]:
    """Requests in the selection (null, "fewer than k", when the selection itself is small; null,
    withheld, when not `shown`: the batch-wide pattern hides it)."""
    if info.selected_hidden:
        return {"value": None, "label": _("Requests in the selection: fewer than {k}").format(k=info.suppress_below)}
    if not shown:
        return {"value": None, "label": _("Requests in the selection: withheld to protect small counts")}
    return {"value": int(info.selected), "label": _("Requests in the selection"), "unit": "count"}


def latest_growth_figure(growth: pl.DataFrame) -> dict[str, Any]:
    """The latest like-for-like year-over-year growth (a share, e.g. 0.689), null when none exists."""
    with_figure = growth.filter(pl.col("growth").is_not_null())
    if with_figure.height == 0:
        return {"value": None, "label": _("Latest year-over-year growth (none: no comparable year)")}
    r = with_figure.row(with_figure.height - 1, named=True)
    return _growth(r["growth"], _("Year-over-year growth, {period}").format(period=r["period_label"]), r["base"])


def growth_figure(growth: pl.DataFrame, *, year: int) -> dict[str, Any]:
    """The year-over-year growth of one calendar year (null when absent)."""
    rows = growth.filter(pl.col("period_start").dt.year() == year)
    value = rows["growth"][0] if rows.height else None
    return _growth(value, _("Year-over-year growth, {period}").format(period=year), rows["base"][0] if rows.height and value is not None else None)


def projection_figure(projection: pl.DataFrame, *, method: str | None = None) -> dict[str, Any]:
    """The year-end projection by `method` with its 95% prediction interval (none when nothing says
    how much the counts vary); by default the seasonal model where the page shows it, else the run
    rate. Null when there is no partial year, or withheld to protect small counts."""
    rows = projection.filter(pl.col("kind") == "projected")
    if method is None:
        shown = rows.filter(pl.col("requests").is_not_null())
        pick = shown if shown.height else rows
        method = "seasonal share" if "seasonal share" in pick["method"].to_list() else "run rate"
    rows = rows.filter(pl.col("method") == method)
    if rows.height == 0:
        return {"value": None, "label": _("Year-end projection ({method}): no partial year").format(method=_(method))}
    r = rows.row(0, named=True)
    if r["requests"] is None:
        return {"value": None, "label": _("Year-end projection ({method}): withheld to protect small counts").format(
            method=_(method))}
    interval = None if r["low"] is None or r["high"] is None else (round(r["low"]), round(r["high"]))
    return {"value": round(r["requests"]), "label": _("Projected requests in {year} ({method})").format(year=r["year"], method=_(method)),
            "interval": interval, "unit": "count"}


def answered_figure(total: pl.DataFrame) -> dict[str, Any]:
    """The answered share of all selected requests with its 95% Wilson interval."""
    if total.height == 0 or total["requests"][0] == 0:
        return {"value": None, "label": _("Answered share (no requests)")}
    r = total.row(0, named=True)
    if r["answered_share"] is None:
        return {"value": None, "label": _("Answered share: withheld to protect small counts")}
    return {"value": float(r["answered_share"]), "label": _("Answered share"), "interval": (r["ci_low"], r["ci_high"]),
            "unit": "share"}


def median_days_figure(summary: pl.DataFrame) -> dict[str, Any]:
    """Median days to a response (Kaplan–Meier), null when half never had one."""
    value = summary["median_days"][0] if summary.height else None
    return {"value": None if value is None else int(value), "label": _("Median days to a response"),
            "unit": "days"}
