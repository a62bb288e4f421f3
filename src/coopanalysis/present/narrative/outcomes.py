"""Sentences about what became of the cases: the funnel, untraceable suspects, the outcome mix."""

from __future__ import annotations

import polars as pl

from coopanalysis.present.narrative.words import count, figure, interval, share


def funnel_sentence(funnel: pl.DataFrame, identified: pl.DataFrame | None = None) -> str:
    """'Of 52,729 requests, 44,498 (84.4% of all requests) were answered with data; 31,334 (59.4% of all
    requests) were answered and led to an identified suspect, and 10,547 (20.0% of all
    requests) were answered and led to an arrest.' Input: a `funnel` frame without `by`; with `identified` (an `identified_share`
    frame) a second sentence counts the identified suspects over all requests, answered or not."""
    if funnel.height == 0:
        return "No requests, so no funnel."
    stage = {r["stage"]: r for r in funnel.iter_rows(named=True)}
    req = stage["requested"]["cases"]
    if req is None:
        return f"Too few requests to show the funnel: {figure(stage['requested'], 'cases')}."
    if not req:
        return "No requests, so no funnel."

    def part(name: str) -> str:
        r = stage[name]
        if r["cases"] is None:
            return figure(r, "cases")
        return f"{count(r['cases'])} ({share(r['share_of_requested'])} of all requests)"

    text = (f"Of {count(req)} requests, {part('answered')} were answered with data; {part('suspect identified')} "
            f"were answered and led to an identified suspect, and {part('arrested')} were answered and led to "
            f"an arrest.")
    return text + (" " + identified_sentence(identified) if identified is not None and identified.height else "")


def identified_sentence(identified: pl.DataFrame) -> str:
    """'Counting every request, answered or not, 32,690 (62.0% of all 52,729 requests, 95% CI …) led to
    an identified suspect.' Input: an `identified_share` frame (one row)."""
    r = identified.row(0, named=True)
    if not r["requests"]:
        return ""
    if r["identified_share"] is None:
        return (f"Counting every request, answered or not, {figure(r, 'identified')} led to an identified suspect "
                f"(withheld to protect small counts).")
    return (f"Counting every request, answered or not, {count(r['identified'])} "
            f"({share(r['identified_share'])} of all {count(r['requests'])} requests, 95% CI "
            f"{interval(r['ci_low'], r['ci_high'])}) led to an identified suspect.")


def untraceable_sentence(df: pl.DataFrame, *, min_requests: int = 20) -> str:
    """Compares the platform answering least often with the one answering most often (among those
    with at least `min_requests` requests): how often their cases ended suspended as untraceable."""
    usable = df.filter(pl.col("requests") >= min_requests)
    if usable.height == 0:
        return f"No platform has {min_requests} or more requests in this selection, too few to compare."
    low = usable.sort(["answered_share", "platform"]).row(0, named=True)
    high = usable.sort(["answered_share", "platform"], descending=[True, False]).row(0, named=True)

    def about(r: dict) -> str:
        return (f"{r['platform']} answered {share(r['answered_share'])} of its requests and "
                f"{share(r['suspended_share'])} of its cases (open ones included) were suspended because the suspect "
                f"could not be traced "
                f"(95% CI {interval(r['suspended_ci_low'], r['suspended_ci_high'])})")

    if low["platform"] == high["platform"]:
        return about(low) + "."
    return about(low) + "; " + about(high) + "."


def outcome_sentence(mix: pl.DataFrame, *, outcome: str = "suspended_untraceable") -> str:
    """The group (first column) where `outcome` is most common in an `outcome_mix` frame, the share's
    base named: the group's cases, those still open included (and how many of them are open)."""
    by = mix.columns[0]
    rows = mix.filter(pl.col("case_outcome") == outcome)
    what = outcome.replace("_", " ")
    if rows.height == 0:
        return f"No case in this selection ended {what}."
    rows = rows.filter(pl.col("share").is_not_null())
    if rows.height == 0:
        return f"How many cases ended {what} is withheld to protect small counts."
    r = rows.sort(["share", by], descending=[True, False]).row(0, named=True)
    group = mix.filter(pl.col(by) == r[by])
    open_share = group.filter(pl.col("case_outcome") == "open")["share"]
    still_open = (f" ({share(open_share[0])} of them)" if open_share.len() and open_share[0] is not None else "")
    return (f"{what.capitalize()} was most common for {by.replace('_', ' ')} {str(r[by]).replace('_', ' ')}: "
            f"{count(r['cases'])} cases, {share(r['share'])} of all its cases; that base includes the cases still "
            f"open{still_open}, which may yet end {what}.")


def cohort_sentence(by_year: pl.DataFrame) -> str:
    """How many cases of each year's requests are still open: 'Of the requests made in 2025, 58.5% of
    the cases are still open (2.0% for 2020): the outcome shares of recent years are not final.'
    Input: an `outcome_mix_by_year` frame (year, case_outcome, cases, share)."""
    opened = by_year.filter(pl.col("case_outcome") == "open").sort("year")
    years = sorted(by_year["year"].unique().to_list())
    if not years:
        return "No requests, so no outcomes by year of request."
    has_open = set(opened["year"].to_list())
    shown = {r["year"]: r["share"] for r in opened.iter_rows(named=True) if r["share"] is not None}
    shown |= {y: 0.0 for y in years if y not in has_open}  # no open case that year: 0% (not a hidden count)
    last, first = years[-1], years[0]
    if last not in shown:
        return f"How many of the cases of {last}'s requests are still open is withheld to protect small counts."
    earlier = f" ({share(shown[first])} for {first})" if first != last and first in shown else ""
    return (f"Of the requests made in {last}, {share(shown[last])} of the cases are still open{earlier}: each year's "
            f"outcome shares are of all that year's cases, open ones included, so the shares of recent years are not "
            f"final.")
