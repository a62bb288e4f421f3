"""Sentences about request volumes: the busiest period, platform and requester."""

from __future__ import annotations

import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.names import code_label, plural_label
from coopanalysis.present.narrative.template import sentence
from coopanalysis.present.narrative.words import slot, span


def volumes_sentence(volumes: pl.DataFrame, by_platform: pl.DataFrame, by_period: pl.DataFrame | None = None) -> str:
    """The busiest period and the platform with most requests. Input: a `count_requests` frame
    (period_start, period_end, platform, requests), requests/share per platform and, when counts
    are hidden, the total per period (period_start, period_end, requests: the margin, which the
    hidden cells of `volumes` must not make smaller)."""
    if by_period is None:
        if volumes.height == 0 or volumes["requests"].sum() == 0:
            return _("There are no requests to count in this selection.")
        by_period = volumes.group_by("period_start", "period_end").agg(pl.col("requests").sum())
    if by_period.height == 0 or not by_period["requests"].sum():
        return _("There are no requests to count in this selection, or too few to show.")
    top = by_period.sort(["requests", "period_start"], descending=[True, False], nulls_last=True).row(0, named=True)
    lead = by_platform.sort(["requests", "platform"], descending=[True, False], nulls_last=True).row(0, named=True)
    text = sentence("The busiest period was {when:name}, with {n:count/request}.",
                    when=span(top["period_start"], top["period_end"]), n=top["requests"])
    if by_platform.height > 1 and lead["requests"] is not None and lead["share"] is not None:
        text += sentence(" {who:name} received the most: {n:count} ({p:share} of all).", who=lead["platform"],
                         n=lead["requests"], p=lead["share"])
    return text


def top_sentence(top: pl.DataFrame, *, column: str = "agency") -> str:
    """'Gyeonggi Nambu … sent the most requests: 6,723 (12.8%).'"""
    if top.height == 0:
        return _("No agency figures for this selection." if column == "agency" else "No figures for this selection.")
    first = top.row(0, named=True)
    if first["requests"] is None:
        return sentence("Every one of the {who:name} sent {n:count/request} in this selection.",
                        who=plural_label(column).lower(), n=slot(first, "requests"))
    return sentence("{who:name} sent the most requests: {n:count} ({p:share} of the selection).",
                    who=code_label(column, first[column], capital=True), n=first["requests"], p=first["share"])
