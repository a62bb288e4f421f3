"""Sentences about what became of the cases: the funnel, untraceable suspects, the outcome mix."""

from __future__ import annotations

import polars as pl

from coopanalysis.present.narrative.words import count, figure, interval, share


def funnel_sentence(funnel: pl.DataFrame) -> str:
    """'Of 52,729 requests, 40,000 (75.9%) were answered, 12,000 (22.8%) led to an identified
    suspect and 5,000 (9.5%) to an arrest.' Input: a `funnel` frame without `by`."""
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
        return f"{count(r['cases'])} ({share(r['share_of_requested'])})"

    return (f"Of {count(req)} requests, {part('answered')} were answered, {part('suspect identified')} led to an "
            f"identified suspect and {part('arrested')} to an arrest.")


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
                f"{share(r['suspended_share'])} of its cases were suspended because the suspect could not be traced "
                f"(95% CI {interval(r['suspended_ci_low'], r['suspended_ci_high'])})")

    if low["platform"] == high["platform"]:
        return about(low) + "."
    return about(low) + "; " + about(high) + "."


def outcome_sentence(mix: pl.DataFrame, *, outcome: str = "suspended_untraceable") -> str:
    """The group (first column) where `outcome` is most common in an `outcome_mix` frame."""
    by = mix.columns[0]
    rows = mix.filter(pl.col("case_outcome") == outcome)
    if rows.height == 0:
        return f"No case in this selection ended {outcome.replace('_', ' ')}."
    rows = rows.filter(pl.col("share").is_not_null())
    if rows.height == 0:
        return f"How many cases ended {outcome.replace('_', ' ')} is withheld to protect small counts."
    r = rows.sort(["share", by], descending=[True, False]).row(0, named=True)
    return (f"{outcome.replace('_', ' ').capitalize()} was most common for {by.replace('_', ' ')} "
            f"{str(r[by]).replace('_', ' ')}: {count(r['cases'])} cases ({share(r['share'])}).")
