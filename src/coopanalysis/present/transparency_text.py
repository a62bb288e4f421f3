"""Sentences of the transparency report, written from its small collected frames.

Like `coopanalysis.present.narrative`, every function returns plain text (no Markdown, no HTML);
the notebook shows it with ``say("{text}", text=...)``, which escapes it. The frames come from
`coopanalysis.reports.transparency` with small counts already hidden: a hidden count is said as
"fewer than k" and a comparison resting on one is withheld.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from coopanalysis.present.narrative.words import count, date, hidden_words
from coopanalysis.publish.disclosure import hidden_column
from coopanalysis.transforms.reconcile import SCOPE_NOTE, reconciliation_summary


def ranking_sentence(position: dict, *, start: dt.date, end: dt.date) -> str:
    """Where the country stands among the provider's requesters (`country_position`, hidden by
    `publish.transparency.hide_position`): its requests and rank, "fewer than k" requests, or none."""
    provider, country = position["provider"], position["country"]
    when = f"Between {date(start)} and {date(end)}"
    hidden = position.get(hidden_column("requests"))
    if hidden:
        return f"{when}, {country} sent {provider} {hidden_words(hidden)} requests."
    if position["rank"] is None:
        return f"{provider} reports no requests from {country} between {date(start)} and {date(end)}."
    return (f"{when}, {country} sent {provider} {count(position['requests'])} requests, rank {position['rank']} "
            f"of {position['countries']} requesting countries.")


def telegram_sentence(phases: pl.DataFrame, *, country: str) -> str:
    """Telegram's fulfilled requests per 30 days before and after its late-2024 change, from
    `telegram_phase_summary` (withheld when a phase's count is hidden)."""
    by_phase = {r["phase"]: r for r in phases.iter_rows(named=True)}
    if "after" not in by_phase or "before" not in by_phase:
        return f"Telegram's reports do not cover {country} both before and after late 2024."
    before, after = by_phase["before"], by_phase["after"]
    labels = [r.get(hidden_column("fulfilled")) for r in (before, after) if r.get(hidden_column("fulfilled"))]
    if labels:
        small = next((label for label in labels if label.startswith("<")), labels[0])
        return (f"Telegram's fulfilled requests from {country} before or after its change of late 2024 number "
                f"{hidden_words(small)}; the comparison is withheld to protect small counts.")
    return (
        f"Before its change of late 2024, Telegram fulfilled {count(before['fulfilled'] or 0)} requests from "
        f"{country} in {before['period_days']:,} days; since then {count(after['fulfilled'] or 0)} in "
        f"{after['period_days']:,} days ({after['fulfilled_per_30_days'] or 0.0:,.1f} per 30 days against "
        f"{before['fulfilled_per_30_days'] or 0.0:,.1f})."
    )


def reconciliation_sentence(table: pl.DataFrame, *, country: str) -> str:
    """The latest year with both an agency figure and a provider total (`reconcile_yearly`), or
    that no year has both."""
    s = reconciliation_summary(table)
    if s is None:
        return f"No year has both an agency figure and a full year of provider reports for {country}."
    return (
        f"In {s['year']}, {s['agency']} reported sending {count(s['agency_requests'])} requests; the providers "
        f"whose reports cover that whole year ({s['providers_included']}) report receiving "
        f"{count(s['providers_requests'])} from {country}, {s['providers_to_agency']:.0%} of the agency's figure. "
        "The two are not the same count; the reasons follow."
    )


def period_words(period: str) -> str:
    """"2024-01-01..2024-07-31" → "1 Jan to 31 Jul 2024"; a year ("2021") stays."""
    if ".." not in period:
        return period
    first, last = (dt.date.fromisoformat(p) for p in period.split(".."))
    return f"{first:%-d %b} to {last:%-d %b %Y}" if first.year == last.year else f"{first} to {last}"


def period_short(period: str) -> str:
    """"2021" stays; "2024-01-01..2024-07-31" → "2024 (1 Jan–31 Jul)"."""
    if ".." not in period:
        return period
    first, last = (dt.date.fromisoformat(p) for p in period.split(".."))
    if first.year != last.year:
        return f"{first:%-d %b %Y}–{last:%-d %b %Y}"
    return f"{first.year} ({first:%-d %b}–{last:%-d %b})"


def _year_reasons(row: dict) -> list[str]:
    """The year-specific reasons of one reconciliation row, as plain clauses."""
    reasons = []
    if ".." in row["agency_period"]:
        reasons.append(f"the agency figure covers only {period_words(row['agency_period'])}, so it is not "
                       "compared with whole years")
    if not row["providers_included"]:
        reasons.append("no provider's report covers the whole year, so there is no provider total")
    if row["providers_not_full_year"]:
        reasons.append("left out because their reports cover only part of the year: "
                       + row["providers_not_full_year"])
    if row["difference"] is not None and row["difference"] < 0:
        reasons.append("the providers report more requests than the agency sent (requests from other "
                       "authorities, or periods counted differently)")
    elif row["difference"] is not None and row["difference"] > 0:
        reasons.append("the agency sent more requests than these providers report (the rest went to companies "
                       "without a report here, or was counted differently)")
    if row["telegram_fulfilled"] is not None:
        reasons.append(f"Telegram published only fulfilled requests ({row['telegram_fulfilled']:,}), not in the "
                       "provider total")
    return reasons


def reconciliation_reasons(table: pl.DataFrame) -> str:
    """Why the two counts differ: once for every year (`SCOPE_NOTE`), then what is particular to
    each year of a `reconcile_yearly` table ("2023: No provider's report covers …"). Empty table: ""."""
    if table.is_empty():
        return ""
    parts = [SCOPE_NOTE + " Providers' years are assembled from their half-years or quarters."]
    for row in table.iter_rows(named=True):
        reasons = _year_reasons(row)
        if reasons:
            text = "; ".join(reasons)
            parts.append(f"{period_short(row['agency_period'])}: {text[:1].upper() + text[1:]}.")
    return " ".join(parts)
