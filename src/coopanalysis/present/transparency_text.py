"""Sentences of the transparency report, written from its small collected frames.

Like `coopanalysis.present.narrative`, every function returns plain text (no Markdown, no HTML);
the notebook shows it with ``say("{text}", text=...)``, which escapes it. The frames come from
`coopanalysis.reports.transparency` with small counts already hidden: a hidden count is said as
"fewer than k" and a comparison resting on one is withheld.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.names import agency_scope, display_name, name_list
from coopanalysis.core.periods import day_month
from coopanalysis.io.countries import country_name
from coopanalysis.present.narrative.template import Hidden, sentence
from coopanalysis.present.narrative.words import date, span
from coopanalysis.publish.disclosure import hidden_column
from coopanalysis.transforms.reconcile import SCOPE_NOTE, reconciliation_summary


def covered_span(periods: pl.DataFrame | None, *, provider: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The days `provider`'s published periods cover within start–end: from its first period's start to
    its last period's end (`periods`: a frame with provider, period_start, period_end, such as the
    report's `over_time`); start–end itself when `periods` holds none of the provider's."""
    if periods is None or periods.is_empty():
        return start, end
    mine = periods.filter((pl.col("provider") == provider) & (pl.col("period_start") >= start)
                          & (pl.col("period_end") <= end))
    if mine.is_empty():
        return start, end
    return mine["period_start"].min(), mine["period_end"].max()


def ranking_sentence(position: dict, *, start: dt.date, end: dt.date, periods: pl.DataFrame | None = None) -> str:
    """Where the country stands among the provider's requesters (`country_position`, hidden by
    `publish.transparency.hide_position`): its requests and rank, "fewer than k" requests, or none.
    The dates are those the provider's own periods cover within start–end (see `covered_span`), not
    those of another provider's file."""
    provider, country = position["provider"], position["country"]
    first, last = covered_span(periods, provider=provider, start=start, end=end)
    hidden = position.get(hidden_column("requests"))
    if hidden:
        return sentence("Between {first:date} and {last:date}, {country:name} sent {provider:name} {n:count/request}.",
                        first=first, last=last, country=country_name(country), provider=provider, n=Hidden(hidden))
    if position["rank"] is None:
        return sentence("{provider:name} reports no requests from {country:name} between {first:date} and {last:date}.",
                        provider=provider, country=country_name(country), first=first, last=last)
    whose = "" if (first, last) == (start, end) and periods is None else _(" (the periods of {provider}'s reports)").format(
        provider=display_name(provider))
    return sentence("Between {first:date} and {last:date}{whose:text}, {country:name} sent {provider:name} "
                    "{n:count/request}, rank {rank:count} of {countries:count/requesting country}.",
                    first=first, last=last, whose=whose, provider=provider, country=country_name(country),
                    n=position["requests"], rank=position["rank"], countries=position["countries"])


def telegram_sentence(phases: pl.DataFrame, *, country: str) -> str:
    """Telegram's fulfilled requests per 30 days before and after its late-2024 change, from
    `telegram_phase_summary` (withheld when a phase's count is hidden)."""
    country = country_name(country)
    by_phase = {r["phase"]: r for r in phases.iter_rows(named=True)}
    if "after" not in by_phase or "before" not in by_phase:
        return sentence("Telegram's reports do not cover {country:name} both before and after late 2024.", country=country)
    before, after = by_phase["before"], by_phase["after"]
    labels = [r.get(hidden_column("fulfilled")) for r in (before, after) if r.get(hidden_column("fulfilled"))]
    if labels:
        small = next((label for label in labels if label.startswith("<")), labels[0])
        return sentence("Telegram's fulfilled requests from {country:name} before or after its change of late 2024 "
                        "number {n:count}; the comparison is withheld to protect small counts.", country=country,
                        n=Hidden(small))
    return sentence(
        "Before its change of late 2024, Telegram fulfilled {b:count/request} from {country:name} in {bd:count/day}; "
        "since then {a:count} in {ad:count/day} ({ar:number} per 30 days against {br:number}).",
        b=before["fulfilled"] or 0, country=country, bd=before["period_days"], a=after["fulfilled"] or 0,
        ad=after["period_days"], ar=after["fulfilled_per_30_days"] or 0.0, br=before["fulfilled_per_30_days"] or 0.0)


def reconciliation_sentence(table: pl.DataFrame, *, country: str) -> str:
    """The latest year with both an agency figure and a provider total (`reconcile_yearly`), or
    that no year has both."""
    country = country_name(country)
    s = reconciliation_summary(table)
    if s is None:
        return sentence("No year has both an agency figure and a full year of provider reports for {country:name}.",
                        country=country)
    return sentence(
        "In {year:year}, {agency:name} reported sending {a:count/request}; the providers whose reports cover that "
        "whole year ({included:name}) report receiving {p:count} from {country:name}, {ratio:share} of the agency's "
        "figure. The two are not the same count; the reasons follow.", year=s["year"], agency=agency_scope(s["agency"]),
        a=s["agency_requests"], included=name_list(s["providers_included"]), p=s["providers_requests"], country=country,
        ratio=s["providers_to_agency"])


def period_words(period: str) -> str:
    """"2024-01-01..2024-07-31" → "1 Jan to 31 Jul 2024"; a year ("2021") stays."""
    if ".." not in period:
        return period
    first, last = (dt.date.fromisoformat(p) for p in period.split(".."))
    if first.year == last.year:
        return _("{first} to {last} {year}").format(first=day_month(first), last=day_month(last), year=first.year)
    return span(first, last)


def period_short(period: str) -> str:
    """"2021" stays; "2024-01-01..2024-07-31" → "2024 (1 Jan–31 Jul)"."""
    if ".." not in period:
        return period
    first, last = (dt.date.fromisoformat(p) for p in period.split(".."))
    if first.year != last.year:
        return f"{date(first)}–{date(last)}"
    return f"{first.year} ({day_month(first)}–{day_month(last)})"


def _year_reasons(row: dict) -> list[str]:
    """The year-specific reasons of one reconciliation row, as plain clauses."""
    reasons = []
    if ".." in row["agency_period"]:
        reasons.append(_("the agency figure covers only {period}, so it is not compared with whole years").format(
            period=period_words(row["agency_period"])))
    if not row["providers_included"]:
        reasons.append(_("no provider's report covers the whole year, so there is no provider total"))
    if row["providers_not_full_year"]:
        reasons.append(_("left out because their reports cover only part of the year: {names}").format(
            names=name_list(row["providers_not_full_year"])))
    if row["difference"] is not None and row["difference"] < 0:
        reasons.append(_("the providers report more requests than the agency sent (requests from other "
                         "authorities, or periods counted differently)"))
    elif row["difference"] is not None and row["difference"] > 0:
        reasons.append(_("the agency sent more requests than these providers report (the rest went to companies "
                         "without a report here, or was counted differently)"))
    if row["telegram_fulfilled"] is not None:
        reasons.append(_("Telegram published only fulfilled requests ({n}), not in the provider total").format(
            n=f"{row['telegram_fulfilled']:,}"))
    return reasons


def reconciliation_reasons(table: pl.DataFrame) -> str:
    """Why the two counts differ: once for every year (`SCOPE_NOTE`), then what is particular to
    each year of a `reconcile_yearly` table ("2023: No provider's report covers …"). Empty table: ""."""
    if table.is_empty():
        return ""
    parts = [_(SCOPE_NOTE) + _(" Providers' years are assembled from their half-years or quarters.")]
    for row in table.iter_rows(named=True):
        reasons = _year_reasons(row)
        if reasons:
            text = "; ".join(reasons)
            parts.append(_("{period}: {reasons}.").format(period=period_short(row["agency_period"]),
                                                          reasons=text[:1].upper() + text[1:]))
    return " ".join(parts)
