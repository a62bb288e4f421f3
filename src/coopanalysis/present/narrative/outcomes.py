"""Sentences about what became of the cases: the funnel, untraceable suspects, the outcome mix."""

from __future__ import annotations

import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.names import code_label, plural_label
from coopanalysis.present.narrative.template import capitalise, sentence
from coopanalysis.present.narrative.words import slot
from coopanalysis.publish.disclosure import hidden_column


def funnel_sentence(funnel: pl.DataFrame, identified: pl.DataFrame | None = None) -> str:
    """'Of 52,729 requests, 44,498 (84.4% of all requests) were answered with data; 31,334 (59.4% of all
    requests) were answered and led to an identified suspect, and 10,547 (20.0% of all
    requests) were answered and led to an arrest.' Input: a `funnel` frame without `by`; with `identified` (an `identified_share`
    frame) a second sentence counts the identified suspects over all requests, answered or not."""
    if funnel.height == 0:
        return _("No requests, so no funnel.")
    stage = {r["stage"]: r for r in funnel.iter_rows(named=True)}
    req = stage["requested"]["cases"]
    if req is None:
        return sentence("Too few requests to show the funnel: {n:count/request}.", n=slot(stage["requested"], "cases"))
    if not req:
        return _("No requests, so no funnel.")

    def part(name: str) -> str:
        r = stage[name]
        n = slot(r, "cases")
        if r["cases"] is None or r["share_of_requested"] is None:
            return sentence("{n:count} {v:were}", n=n, v=n)
        return sentence("{n:count} ({p:share} of all requests) {v:were}", n=n, p=r["share_of_requested"], v=n)

    text = sentence("Of {n:count/request}, {answered:text} answered with data; {identified:text} answered and led to an "
                    "identified suspect, and {arrested:text} answered and led to an arrest (the last two stages count "
                    "only answered requests; the outcome mix counts every case, answered or not).", n=req,
                    answered=part("answered"), identified=part("suspect identified"), arrested=part("arrested"))
    return text + (" " + identified_sentence(identified) if identified is not None and identified.height else "")


def identified_sentence(identified: pl.DataFrame) -> str:
    """'Counting every request, answered or not, 32,690 (62.0% of all 52,729 requests, 95% CI …) led to
    an identified suspect.' Input: an `identified_share` frame (one row)."""
    r = identified.row(0, named=True)
    if not r["requests"]:
        return ""
    if r["identified_share"] is None:
        shown = slot(r, "identified")
        if shown is None:
            return ""
        return sentence("Counting every request, answered or not, {n:count} led to an identified suspect"
                        "{why:text}.", n=shown,
                        why=_(" (the share is withheld to protect small counts)") if r.get(hidden_column("identified")) else "")
    return sentence("Counting every request, answered or not, {n:count} ({p:share} of all {total:count/request}, "
                    "95% CI {ci:interval}) led to an identified suspect.", n=r["identified"], p=r["identified_share"],
                    total=r["requests"], ci=(r["ci_low"], r["ci_high"]))


def untraceable_sentence(df: pl.DataFrame, *, min_requests: int = 20) -> str:
    """Compares the platform answering least often with the one answering most often (among those
    with at least `min_requests` requests): how often their cases ended suspended as untraceable."""
    usable = df.filter(pl.col("requests") >= min_requests)
    if usable.height == 0:
        if any(c.endswith("_hidden") for c in df.columns):  # under suppression a platform with a hidden share is left out
            return sentence("No platform whose shares are shown has {k:count/request} or more; the platforms left out "
                            "have their answered or suspended share withheld to protect small counts.", k=min_requests)
        return sentence("No platform has {k:count/request} or more in this selection, too few to compare.",
                        k=min_requests)
    low = usable.sort(["answered_share", "platform"]).row(0, named=True)
    high = usable.sort(["answered_share", "platform"], descending=[True, False]).row(0, named=True)

    def about(r: dict) -> str:
        return sentence("{who:name} answered {a:share} of its requests and {s:share} of its cases (open ones included) "
                        "were suspended because the suspect could not be traced (95% CI {ci:interval})",
                        who=r["platform"], a=r["answered_share"], s=r["suspended_share"],
                        ci=(r["suspended_ci_low"], r["suspended_ci_high"]))

    if low["platform"] == high["platform"]:
        return about(low) + "."
    return about(low) + "; " + about(high) + "."


def outcome_sentence(mix: pl.DataFrame, *, outcome: str = "suspended_untraceable") -> str:
    """The group (first column) where `outcome` is most common in an `outcome_mix` frame, the share's
    base named: the group's cases, those still open included (and how many of them are open)."""
    by = mix.columns[0]
    rows = mix.filter(pl.col("case_outcome") == outcome)
    what = code_label("case_outcome", outcome)
    if rows.height == 0:
        return sentence("No case in this selection ended {what:name}.", what=what)
    rows = rows.filter(pl.col("share").is_not_null())
    if rows.height == 0:
        return sentence("How many cases ended {what:name} is withheld to protect small counts.", what=what)
    r = rows.sort(["share", by], descending=[True, False]).row(0, named=True)
    group = mix.filter(pl.col(by) == r[by])
    opened = group.filter(pl.col("case_outcome") == "open")
    if opened.height == 0:
        base = _("; none of its cases is still open.")
    elif opened["share"][0] is None:
        base = sentence("; that base includes the cases still open (their number is withheld to protect small counts), "
                        "which may yet end {what:name}.", what=what)
    else:
        base = sentence("; that base includes the cases still open ({p:share} of them), which may yet end {what:name}.",
                        p=opened["share"][0], what=what)
    return sentence("{group:name} has the highest share of cases {what:name} among {by:name}: {n:count/case}, "
                    "{p:share} of all its cases{base:text}", what=what, by=plural_label(by).lower(),
                    group=capitalise(code_label(by, r[by])), n=r["cases"], p=r["share"], base=base)


def cohort_sentence(by_year: pl.DataFrame) -> str:
    """How many cases of each year's requests are still open: 'Of the requests made in 2025, 58.5% of
    the cases are still open (2.0% for 2020): the outcome shares of recent years are not final.'
    Input: an `outcome_mix_by_year` frame (year, case_outcome, cases, share)."""
    opened = by_year.filter(pl.col("case_outcome") == "open").sort("year")
    years = sorted(by_year["year"].unique().to_list())
    if not years:
        return _("No requests, so no outcomes by year of request.")
    has_open = set(opened["year"].to_list())
    shown = {r["year"]: r["share"] for r in opened.iter_rows(named=True) if r["share"] is not None}
    shown |= {y: 0.0 for y in years if y not in has_open}  # no open case that year: 0% (not a hidden count)
    last, first = years[-1], years[0]
    if last not in shown:
        return sentence("How many of the cases of {last:year}'s requests are still open is withheld to protect small "
                        "counts.", last=last)
    earlier = sentence(" ({p:share} for {first:year})", p=shown[first], first=first) \
        if first != last and first in shown else ""
    return sentence("Of the requests made in {last:year}, {p:share} of the cases are still open{earlier:text}: each "
                    "year's outcome shares are of all that year's cases, open ones included, so the shares of recent "
                    "years are not final.", last=last, p=shown[last], earlier=earlier)
