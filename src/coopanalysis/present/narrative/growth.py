"""Sentences about growth: year over year, average annual growth (CAGR) and the year-end projection."""

from __future__ import annotations

from typing import Any

import polars as pl

from coopanalysis.core.periods import is_full_year_span
from coopanalysis.present.narrative.words import change, count, date, figure, signed
from coopanalysis.transforms.growth import TREND_OPPOSITE, TREND_OUTSIDE


def growth_sentence(row: dict[str, Any]) -> str:
    """One year-over-year comparison. Input: a row of a growth frame (period_start, period_end,
    period_label, requests, base, growth, growth_note)."""
    label = row.get("period_label") or str(row["period_start"].year)
    start, end = row["period_start"], row["period_end"]
    full = is_full_year_span(start, end)
    if row["growth"] is None:
        return f"No growth figure for {label}: {row['growth_note']}."
    if full:
        return (f"Requests {change(row['growth'])} in {start.year} over {start.year - 1} "
                f"({count(row['requests'])} against {count(row['base'])}).")
    return (f"From {date(start)} to {date(end)} there were {count(row['requests'])} requests against "
            f"{count(row['base'])} in the same days of {start.year - 1}: requests {change(row['growth'])}, "
            f"like for like.")


def latest_growth_sentence(growth: pl.DataFrame) -> str:
    """The latest period with a growth figure (see `growth_sentence`); also says when the very last
    period has none."""
    if growth.height == 0:
        return "There is no year to compare in this selection."
    with_figure = growth.filter(pl.col("growth").is_not_null())
    last = growth.row(growth.height - 1, named=True)
    if with_figure.height == 0:
        return growth_sentence(last)
    latest = with_figure.row(with_figure.height - 1, named=True)
    text = growth_sentence(latest)
    if last["growth"] is None and last["period_start"] != latest["period_start"]:
        text += " " + growth_sentence(last)
    return text


def growth_for_year(growth: pl.DataFrame, year: int) -> str:
    """The growth sentence of one year ('Requests grew 68.9% in 2021 over 2020 (12,771 against 7,560).')."""
    rows = growth.filter(pl.col("period_start").dt.year() == year)
    if rows.height == 0:
        return f"The selection holds no figure for {year}."
    return growth_sentence(rows.row(0, named=True))


_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def _word(n: int) -> str:
    return _WORDS.get(n, str(n))


def _falls_text(r: dict[str, Any]) -> str:
    """' Requests peaked in 2021 and fell in each of the three years since; the average hides that.'
    when the busiest full year lies between the endpoints and requests fell after it; '' otherwise."""
    peak, falls = r.get("peak_year"), r.get("falls_after_peak")
    if peak is None or not falls or peak >= r["last_year"]:
        return ""
    since = r["last_year"] - peak
    which = f"each of the {_word(since)} years" if falls == since else f"{_word(falls)} of the {_word(since)} years"
    return f" Requests peaked in {peak} and fell in {which} since; the average hides that."


def _trend_text(r: dict[str, Any]) -> str:
    """The log-linear trend beside a CAGR, its 95% interval and whether the two disagree."""
    if "trend_years" not in r:
        return ""
    if r.get("trend") is None:
        return f" No log-linear trend: {r['trend_note']}." if r.get("trend_note") else ""
    text = (f" The log-linear trend through all {r['trend_years']} full years is {signed(r['trend'])} a year "
            f"(95% CI {signed(r['trend_low'])} to {signed(r['trend_high'])}).")
    if r.get("trend_vs_cagr") == TREND_OUTSIDE:
        text += " The endpoints and the trend disagree: the compound rate lies outside the trend's interval."
    elif r.get("trend_vs_cagr") == TREND_OPPOSITE:
        text += (" The endpoints and the trend disagree on the direction, though the trend's interval is wide "
                 "enough to hold the compound rate.")
    return text


def cagr_sentence(cagr: pl.DataFrame, *, name: str | None = None, column: str | None = None) -> str:
    """'From 2020 to 2024 requests grew 4.0% a year on average (compound; 7,560 to 8,847).' for one CAGR
    row (the first, or the row where `column` == `name`), then what the two endpoints hide (a peak and
    the falls after it) and the log-linear trend with its interval, saying when the two disagree."""
    rows = cagr.filter(pl.col(column) == name) if column and name is not None else cagr
    if rows.height == 0:
        return "There are no full calendar years to compute an average annual growth."
    r = rows.row(0, named=True)
    who = f"requests to {name}" if name and column == "platform" else (f"requests by {name}" if name else "requests")
    if r["cagr"] is None:
        return f"No average annual growth for {who}: {r['cagr_note']}." + _trend_text(r)
    verb = "grew" if r["cagr"] >= 0 else "fell"
    return (f"From {r['first_year']} to {r['last_year']} {who} {verb} {abs(r['cagr']) * 100:.1f}% a year on average "
            f"(compound; {count(r['first_value'])} to {count(r['last_value'])})." + _falls_text(r) + _trend_text(r))


def projection_sentence(projection: pl.DataFrame) -> str:
    """Each year-end projection with its 95% prediction interval and method, or why there is none."""
    proj = projection.filter(pl.col("kind") == "projected")
    if proj.height == 0:
        return "The selection ends with a full calendar year (or holds none), so there is nothing to project."
    parts = []
    for r in proj.sort("method", descending=True).iter_rows(named=True):  # the seasonal model first
        if r["requests"] is None:
            parts.append(f"by {r['method']}, withheld (it would give back a count below the disclosure threshold)")
            continue
        iv = "" if r["low"] is None or r["high"] is None else \
            f"95% prediction interval {count(r['low'])}–{count(r['high'])}; "
        parts.append(f"by {r['method']}, about {count(r['requests'])} ({iv}{r['basis']})")
    first = proj.row(0, named=True)
    observed = projection.filter((pl.col("kind") == "observed") & (pl.col("year") == first["year"]))
    so_far = f" from {figure(observed.row(0, named=True), 'requests')} by {date(first['period_end'])}" if observed.height else ""
    return f"Projected requests for the whole of {first['year']}{so_far}: " + "; ".join(parts) + "."


def partial_year_sentence(yearly: pl.DataFrame) -> str:
    """The last span against the same days a year earlier when it is a partial year; otherwise says
    that the selection ends with a full calendar year."""
    if yearly.height == 0:
        return "There is no year to compare in this selection."
    last = yearly.row(yearly.height - 1, named=True)
    start, end = last["period_start"], last["period_end"]
    if is_full_year_span(start, end):
        return f"The selection ends with the full calendar year {start.year}; no partial year to compare."
    return growth_sentence(last)
