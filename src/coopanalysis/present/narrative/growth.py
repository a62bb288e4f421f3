"""Sentences about growth: year over year, average annual growth (CAGR) and the year-end projection."""

from __future__ import annotations

from typing import Any

import polars as pl

from coopanalysis.core.i18n import _, current_language
from coopanalysis.core.periods import is_full_year_span
from coopanalysis.present.narrative.template import sentence
from coopanalysis.present.narrative.words import count, slot
from coopanalysis.reports.figures import SMALL_BASE
from coopanalysis.transforms.growth import TREND_OPPOSITE, TREND_OUTSIDE


def _why(note: str | None, fallback: str) -> str:
    """The reason after a 'No … figure for X': ': reason', or ' — withheld: …' when the reason has a colon."""
    note = _(note or fallback)
    return f" — {note}" if ":" in note else f": {note}"


def small_base_note(base: int | None) -> str:
    """' (on a base of only 8 requests, a rate that says little)' when `base` < SMALL_BASE; else ''."""
    if base is None or base >= SMALL_BASE:
        return ""
    return sentence(" (on a base of only {base:count/request}, a rate that says little)", base=base)


def _small_inside(base: int | None) -> str:
    """`small_base_note` inside a parenthesis: '; on a base of only 8 requests, a rate that says little'."""
    if current_language() != "ko":
        return small_base_note(base).replace(" (on a base", "; on a base").removesuffix(")")
    return small_base_note(base).replace("(", "; ", 1).removesuffix(")")


def growth_sentence(row: dict[str, Any]) -> str:
    """One year-over-year comparison. Input: a row of a growth frame (period_start, period_end,
    period_label, requests, base, growth, growth_note); a base below `SMALL_BASE` is flagged."""
    label = row.get("period_label") or str(row["period_start"].year)
    start, end = row["period_start"], row["period_end"]
    if row["growth"] is None:
        return sentence("No growth figure for {label:name}{why:text}.", label=label,
                        why=_why(row["growth_note"], "no comparable span a year earlier"))
    small = small_base_note(row["base"])
    if is_full_year_span(start, end):
        return sentence("Requests {g:change} in {year:year} over {before:year} ({n:count} against {base:count}){small:text}.",
                        g=row["growth"], year=start.year, before=start.year - 1, n=row["requests"], base=row["base"],
                        small=small)
    return sentence("From {start:date} to {end:date} there were {n:count/request} against {base:count} in the same days "
                    "of {before:year}: requests {g:change}, like for like{small:text}.", start=start, end=end,
                    n=row["requests"], base=row["base"], before=start.year - 1, g=row["growth"], small=small)


def latest_growth_sentence(growth: pl.DataFrame) -> str:
    """The latest period with a growth figure (see `growth_sentence`); also says when the very last
    period has none."""
    if growth.height == 0:
        return _("There is no year to compare in this selection.")
    with_figure = growth.filter(pl.col("growth").is_not_null())
    last = growth.row(growth.height - 1, named=True)
    if with_figure.height == 0:
        return growth_sentence(last)
    latest = with_figure.row(with_figure.height - 1, named=True)
    text = growth_sentence(latest)
    if last["growth"] is None and last["period_start"] != latest["period_start"]:
        text += " " + growth_sentence(last)
    return text


def growth_range_sentence(growth: pl.DataFrame) -> str:
    """The highest and the lowest year-over-year growth of a growth frame, each with the counts it
    compares ('Year over year, growth was highest in 2021 (+68.9%: 12,771 against 7,560) and lowest in
    2022 (−20.4%: 10,166 against 12,771).'); the one comparison when there is one. Small bases flagged."""
    rows = growth.filter(pl.col("growth").is_not_null()) if growth.height else growth
    if rows.height == 0:
        return _("No period in this selection has the same span a year earlier to compare with.")
    if rows.height == 1:
        return growth_sentence(rows.row(0, named=True))
    ordered = rows.sort(["growth", "period_start"], descending=[True, False])
    high, low = ordered.row(0, named=True), ordered.row(ordered.height - 1, named=True)

    def part(r: dict[str, Any]) -> str:
        return sentence("{label:name}, at {g:signed} ({n:count} against {base:count}{small:text})", label=r["period_label"],
                        g=r["growth"], n=r["requests"], base=r["base"], small=_small_inside(r["base"]))

    return sentence("Year over year, growth was highest in {high:name}, and lowest in {low:name}.", high=part(high),
                    low=part(low))


def growth_for_year(growth: pl.DataFrame, year: int) -> str:
    """The growth sentence of one year ('Requests grew 68.9% in 2021 over 2020 (12,771 against 7,560).')."""
    rows = growth.filter(pl.col("period_start").dt.year() == year)
    if rows.height == 0:
        return _("The selection holds no figure for {year}.").format(year=year)
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
    if current_language() == "ko":
        which = "이듬해에" if since == 1 else (f"그 후 {since}년 동안 매년" if falls == since else f"그 후 {since}년 중 {falls}년 동안")
    elif since == 1:
        which = "the year"
    else:
        which = f"each of the {_word(since)} years" if falls == since else f"{_word(falls)} of the {_word(since)} years"
    return sentence(" Requests peaked in {peak:year} and fell in {which:name} since; the average hides that.",
                    peak=peak, which=which)


def _trend_text(r: dict[str, Any]) -> str:
    """The log-linear trend beside a CAGR, its 95% interval and whether the two disagree."""
    if "trend_years" not in r:
        return ""
    if r.get("trend") is None:
        return sentence(" No log-linear trend{why:text}.", why=_why(r["trend_note"], "")) if r.get("trend_note") else ""
    text = sentence(" The log-linear trend through all {years:count/full year} is {t:signed} a year "
                    "(95% CI {low:signed} to {high:signed}).", years=r["trend_years"], t=r["trend"],
                    low=r["trend_low"], high=r["trend_high"])
    if r.get("trend_vs_cagr") == TREND_OUTSIDE:
        text += _(" The endpoints and the trend disagree: the compound rate lies outside the trend's interval.")
    elif r.get("trend_vs_cagr") == TREND_OPPOSITE:
        text += _(" The endpoints and the trend disagree on the direction, though the trend's interval is wide "
                  "enough to hold the compound rate.")
    return text


def cagr_sentence(cagr: pl.DataFrame, *, name: str | None = None, column: str | None = None) -> str:
    """'From 2020 to 2024 requests grew 4.0% a year on average (compound; 7,560 to 8,847).' for one CAGR
    row (the first, or the row where `column` == `name`), then what the two endpoints hide (a peak and
    the falls after it) and the log-linear trend with its interval, saying when the two disagree."""
    rows = cagr.filter(pl.col(column) == name) if column and name is not None else cagr
    if rows.height == 0:
        return _("There are no full calendar years to compute an average annual growth.")
    r = rows.row(0, named=True)
    who = (_("requests to {name}").format(name=_(name)) if name and column == "platform"
           else (_("requests by {name}").format(name=_(name)) if name else _("requests")))
    if r["cagr"] is None:
        fallback = "no full calendar year in this selection" if r["first_year"] is None else "fewer than two full years"
        return sentence("No average annual growth for {who:name}{why:text}.", who=who,
                        why=_why(r["cagr_note"], fallback)) + _trend_text(r)
    return sentence("From {first:year} to {last:year} {who:name} {verb:name} {g:rate} a year on average "
                    "(compound; {a:count} to {b:count}){small:text}.", first=r["first_year"], last=r["last_year"],
                    who=who, verb=_("grew") if r["cagr"] >= 0 else _("fell"), g=r["cagr"], a=r["first_value"],
                    b=r["last_value"], small=small_base_note(r["first_value"])) + _falls_text(r) + _trend_text(r)


def projection_sentence(projection: pl.DataFrame) -> str:
    """Each year-end projection with its 95% prediction interval and method, or why there is none."""
    proj = projection.filter(pl.col("kind") == "projected")
    if proj.height == 0:
        return _("The selection ends with a full calendar year (or holds none), so there is nothing to project.")
    parts, methods = [], []
    names = {"seasonal share": "by the seasonal model", "run rate": "at the run rate"}
    for r in proj.sort("method", descending=True).iter_rows(named=True):  # the seasonal model first
        how = _(names.get(r["method"], f"by {r['method']}"))
        method = _(names.get(r["method"], f"by {r['method']}").split(" ", 1)[1])
        basis = r["basis"]  # written in the page's language by transforms.projection
        if r["requests"] is None:
            parts.append(_("{how}, withheld (it would give back a count below the disclosure threshold)").format(how=how))
            continue
        if r["low"] is None or r["high"] is None:  # the basis says why there is no interval
            parts.append(_("about {n} {how}").format(n=count(r["requests"]), how=how) + (f" ({basis})" if basis else ""))
            continue
        parts.append(_("about {n} {how} (95% prediction interval {low}–{high})").format(
            n=count(r["requests"]), how=how, low=count(r["low"]), high=count(r["high"])))
        if basis:
            methods.append(_("Method of {method}: {basis}.").format(method=method, basis=basis))
    first = proj.row(0, named=True)
    observed = projection.filter((pl.col("kind") == "observed") & (pl.col("year") == first["year"]))
    so_far = sentence(" from {n:count} by {end:date}", n=slot(observed.row(0, named=True), "requests"),
                      end=first["period_end"]) if observed.height else ""
    text = sentence("Projected requests for the whole of {year:year}{so_far:text}: {parts:name}.", year=first["year"],
                    so_far=so_far, parts="; ".join(parts))
    # the method in a sentence of its own: the reader gets the figure first, the statistician the detail
    return " ".join([text, *methods])


def partial_year_sentence(yearly: pl.DataFrame) -> str:
    """The last span against the same days a year earlier when it is a partial year; otherwise says
    that the selection ends with a full calendar year."""
    if yearly.height == 0:
        return _("There is no year to compare in this selection.")
    last = yearly.row(yearly.height - 1, named=True)
    start, end = last["period_start"], last["period_end"]
    if is_full_year_span(start, end):
        return sentence("The selection ends with the full calendar year {year:year}; no partial year to compare.",
                        year=start.year)
    return growth_sentence(last)
