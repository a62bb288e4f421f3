"""Sentences the reports print, written from small collected frames, numbers formatted for readers.

Every function returns plain text (no Markdown, no HTML); the notebook shows it with
``coopanalysis.display.say("{text}", text=...)``, which escapes it. Every function
accepts an empty frame and then says that there is nothing to report, so a report on
an empty selection still reads well.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl

from coopanalysis.publish.disclosure import WITHHELD, hidden_column, label_hidden
from coopanalysis.reports.tables import InputSummary


# ---------------------------------------------------------------------------- numbers


def count(n: int | float | None) -> str:
    """1234 → '1,234'; None → 'no figure'."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "no figure"
    return f"{round(n):,}"


def share(p: float | None) -> str:
    """A share as a percentage with one decimal ('1.4%'); none below 10% of a point shown as '<0.1%'."""
    if p is None or math.isnan(p):
        return "no figure"
    if 0 < p < 0.0005:
        return "<0.1%"
    return f"{p * 100:.1f}%"


def hidden_words(label: str) -> str:
    """The words for a hidden count in a sentence: "<10" → "fewer than 10", "withheld" → "a withheld number"."""
    if label.startswith("<"):
        return f"fewer than {label[1:]}"
    return "a withheld number" if label == WITHHELD else label


def figure(row: dict[str, Any], column: str) -> str:
    """A count from a row of a report frame, as words: '1,234', or 'fewer than 10' / 'a withheld
    number' where the count is hidden (see `coopanalysis.disclosure`)."""
    label = row.get(hidden_column(column))
    return hidden_words(label) if label else count(row.get(column))


def interval(low: float | None, high: float | None) -> str:
    """'0.5–4.1%' (one % sign, an en dash)."""
    if low is None or high is None:
        return "no interval"
    return f"{low * 100:.1f}–{high * 100:.1f}%"


def change(g: float) -> str:
    """Growth as words: 'grew 68.9%', 'fell 11.9%', 'did not change'."""
    if abs(g) < 0.0005:
        return "did not change"
    return f"grew {g * 100:.1f}%" if g > 0 else f"fell {-g * 100:.1f}%"


def signed(g: float | None) -> str:
    """Growth with its sign for tables: '+68.9%', '−11.9%'."""
    if g is None or math.isnan(g):
        return "–"
    return f"+{g * 100:.1f}%" if g >= 0 else f"−{-g * 100:.1f}%"


def date(d: dt.date | None) -> str:
    """'1 January 2020'."""
    return "–" if d is None else f"{d.day} {d:%B %Y}"


def span(start: dt.date, end: dt.date) -> str:
    """A period for readers: '2021', 'December 2021', '1 January 2025 to 30 June 2025'."""
    if start == end:
        return date(start)
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        if start.month == 1 and end.month == 12 and start.year == end.year:
            return str(start.year)
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%B %Y}"
    return f"{date(start)} to {date(end)}"


def _names(names: list[str]) -> str:
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --------------------------------------------------------------------------- the input


def input_summary(info: InputSummary) -> str:
    """Rows read / kept / rejected of the input file, with the reasons for rejected rows."""
    rows = "rows" if info.kind == "request log" else "published figures"
    text = (
        f"Read {count(info.rows_read)} {rows} from {info.file_name} ({info.kind}): "
        f"{count(info.rows_kept)} kept, {count(info.rows_rejected)} "
        f"{'rejected' if info.kind == 'request log' else 'set aside'}."
    )
    if info.rejected_by_reason:
        reasons = "; ".join(f"{reason.replace('_', ' ')}: {count(n)}" for reason, n in info.rejected_by_reason.items())
        text += f" By reason — {reasons}."
    if info.rows_read == info.rows_kept + info.rows_rejected:
        text += " Every row is accounted for."
    return text


def selection_sentence(info: InputSummary) -> str:
    """What the report covers, or — for an empty selection — that nothing matched and what to change."""
    who = _names(info.platforms) if info.platforms else "all platforms"
    by = f" by {_names(info.agencies)}" if info.agencies else ""
    span = f"from {date(info.start)} to {date(info.end)}"
    if info.is_empty:
        return empty_selection(info)
    what = "requests" if info.kind == "request log" else "requests in the published figures"
    n = f"fewer than {info.suppress_below}" if info.selected_hidden else count(info.selected)
    return f"This report covers {n} {what} to {who}{by} {span}."


def empty_selection(info: InputSummary) -> str:
    """'' when the selection holds requests; otherwise a sentence saying that it is empty and why."""
    if not info.is_empty:
        return ""
    who = _names(info.platforms) if info.platforms else "any platform"
    by = f" by {_names(info.agencies)}" if info.agencies else ""
    return (
        f"No requests match this selection: none to {who}{by} from {date(info.start)} to {date(info.end)}. "
        f"The tables and charts below are empty. Widen the date range or choose other platforms "
        f"(available: {', '.join(info.available_platforms)})."
    )


# ---------------------------------------------------------------------------- volumes


def volumes_sentence(volumes: pl.DataFrame, by_platform: pl.DataFrame, by_period: pl.DataFrame | None = None) -> str:
    """The busiest period and the platform with most requests. Input: a `count_requests` frame
    (period_start, period_end, platform, requests), requests/share per platform and, when counts
    are hidden, the total per period (period_start, period_end, requests: the margin, which the
    hidden cells of `volumes` must not make smaller)."""
    if by_period is None:
        if volumes.height == 0 or volumes["requests"].sum() == 0:
            return "There are no requests to count in this selection."
        by_period = volumes.group_by("period_start", "period_end").agg(pl.col("requests").sum())
    if by_period.height == 0 or not by_period["requests"].sum():
        return "There are no requests to count in this selection, or too few to show."
    top = by_period.sort(["requests", "period_start"], descending=[True, False], nulls_last=True).row(0, named=True)
    lead = by_platform.sort(["requests", "platform"], descending=[True, False], nulls_last=True).row(0, named=True)
    text = f"The busiest period was {span(top['period_start'], top['period_end'])}, with {count(top['requests'])} requests."
    if by_platform.height > 1 and lead["requests"] is not None:
        text += f" {lead['platform']} received the most: {count(lead['requests'])} ({share(lead['share'])} of all)."
    return text


def top_sentence(top: pl.DataFrame, *, column: str = "agency") -> str:
    """'Gyeonggi Nambu … sent the most requests: 6,723 (12.8%).'"""
    if top.height == 0:
        return "No agency figures for this selection." if column == "agency" else "No figures for this selection."
    first = top.row(0, named=True)
    if first["requests"] is None:
        return f"Every {column.replace('_', ' ')} sent {figure(first, 'requests')} requests in this selection."
    return f"{first[column]} sent the most requests: {count(first['requests'])} ({share(first['share'])} of the selection)."


# ----------------------------------------------------------------------------- growth


def growth_sentence(row: dict[str, Any]) -> str:
    """One year-over-year comparison. Input: a row of a growth frame (period_start, period_end,
    period_label, requests, base, growth, growth_note)."""
    label = row.get("period_label") or str(row["period_start"].year)
    start, end = row["period_start"], row["period_end"]
    full = start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31)
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


def cagr_sentence(cagr: pl.DataFrame, *, name: str | None = None, column: str | None = None) -> str:
    """'From 2020 to 2024 requests grew 4.0% a year on average (compound).' for one CAGR row (the first,
    or the row where `column` == `name`)."""
    rows = cagr.filter(pl.col(column) == name) if column and name is not None else cagr
    if rows.height == 0:
        return "There are no full calendar years to compute an average annual growth."
    r = rows.row(0, named=True)
    who = f"requests to {name}" if name and column == "platform" else (f"requests by {name}" if name else "requests")
    if r["cagr"] is None:
        return f"No average annual growth for {who}: {r['cagr_note']}."
    verb = "grew" if r["cagr"] >= 0 else "fell"
    return (f"From {r['first_year']} to {r['last_year']} {who} {verb} {abs(r['cagr']) * 100:.1f}% a year on average "
            f"(compound; {count(r['first_value'])} to {count(r['last_value'])}).")


def projection_sentence(projection: pl.DataFrame) -> str:
    """Each year-end projection with its interval and method, or why there is none."""
    proj = projection.filter(pl.col("kind") == "projected")
    if proj.height == 0:
        return "The selection ends with a full calendar year (or holds none), so there is nothing to project."
    parts = []
    for r in proj.sort("method").iter_rows(named=True):
        if r["requests"] is None:
            parts.append(f"by {r['method']}, withheld (it would give back a count below the disclosure threshold)")
            continue
        parts.append(f"by {r['method']}, about {count(r['requests'])} (interval {count(r['low'])}–{count(r['high'])}; "
                     f"{r['basis']})")
    first = proj.row(0, named=True)
    observed = projection.filter((pl.col("kind") == "observed") & (pl.col("year") == first["year"]))
    so_far = f" from {figure(observed.row(0, named=True), 'requests')} by {date(first['period_end'])}" if observed.height else ""
    return f"Projected requests for the whole of {first['year']}{so_far}: " + "; ".join(parts) + "."


# ---------------------------------------------------------------------------- answers


def answered_sentence(row: dict[str, Any], *, name: str | None = None) -> str:
    """'Telegram answered 3 of 212 requests (1.4%, 95% CI 0.5–4.1%).' Input: a row of an
    `answered_share` frame (requests, answered, answered_share, ci_low, ci_high)."""
    who = name or row.get("platform") or "The platforms"
    if row["requests"] == 0:
        return f"{who} received no requests in this selection."
    if row["answered_share"] is None and row.get(hidden_column("answered")):
        return (f"{who} received {figure(row, 'requests')} requests; how many were answered is withheld "
                f"to protect small counts.")
    return (f"{who} answered {count(row['answered'])} of {count(row['requests'])} requests "
            f"({share(row['answered_share'])}, 95% CI {interval(row['ci_low'], row['ci_high'])}).")


def answered_sentences(by_platform: pl.DataFrame, *, limit: int = 3) -> str:
    """Answered share of the `limit` platforms answering least often (lowest share first)."""
    if by_platform.height == 0:
        return "No requests, so no answered share."
    rows = by_platform.sort(["answered_share", "platform"], nulls_last=True).head(limit)
    return " ".join(answered_sentence(r) for r in rows.iter_rows(named=True))


def answered_total_sentence(total: pl.DataFrame) -> str:
    """The answered share of all selected requests."""
    if total.height == 0 or total["requests"][0] == 0:
        return "No requests, so no answered share."
    return answered_sentence(total.row(0, named=True), name="The platforms together")


def response_time_sentence(summary: pl.DataFrame, *, name: str | None = None) -> str:
    """'Half of the requests had a response within 12 days, 90% within 45 days.' Input: a
    `response_time_summary` row (requests, responded, median_days, p90_days)."""
    if summary.height == 0 or summary["requests"][0] == 0:
        return "No requests, so no time to response."
    r = summary.row(0, named=True)
    who = f"requests to {name}" if name else "requests"
    if r["requests"] is None:
        return "Too few requests to show how long a response took (withheld to protect small counts)."
    if r["median_days"] is None:
        how_many = (f" ({count(r['responded'])} of {count(r['requests'])} answered or refused)"
                    if r["responded"] is not None else "")
        return f"Fewer than half of the {who} had a response by the end of the data{how_many}."
    text = f"Half of the {who} had a response within {count(r['median_days'])} days"
    if r["p90_days"] is None:
        return text + "; 90% were never reached by the end of the data."
    return text + f", 90% within {count(r['p90_days'])} days (Kaplan–Meier, unanswered requests censored)."


def slowest_sentence(summary: pl.DataFrame) -> str:
    """The platform with the longest median time to response (or whose median is never reached)."""
    if summary.height == 0:
        return ""
    never = summary.filter(pl.col("median_days").is_null() & (pl.col("requests") > 0))
    if never.height:
        return (f"For {_names(never['platform'].to_list())}, fewer than half of the requests ever had a response "
                f"by the end of the data.")
    r = summary.sort(["median_days", "platform"], descending=[True, False]).row(0, named=True)
    return f"{r['platform']} was slowest: half of its requests had a response within {count(r['median_days'])} days."


# --------------------------------------------------------------------------- outcomes


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


def partial_year_sentence(yearly: pl.DataFrame) -> str:
    """The last span against the same days a year earlier when it is a partial year; otherwise says
    that the selection ends with a full calendar year."""
    if yearly.height == 0:
        return "There is no year to compare in this selection."
    last = yearly.row(yearly.height - 1, named=True)
    start, end = last["period_start"], last["period_end"]
    if start.month == 1 and start.day == 1 and end == dt.date(start.year, 12, 31):
        return f"The selection ends with the full calendar year {start.year}; no partial year to compare."
    return growth_sentence(last)


# ----------------------------------------------------------------------------- tables


def growth_rows(growth: pl.DataFrame, *, by: str | None = None) -> pl.DataFrame:
    """A growth frame as a table for readers: period, requests, the same span a year earlier,
    growth ('+68.9%') and the reason when there is none."""
    keys = [by] if by and by in growth.columns else []
    growth = label_hidden(growth)
    return growth.select(
        *[pl.col(k).alias(k.replace("_", " ").capitalize()) for k in keys],
        pl.col("period_label").alias("Period"),
        pl.col("requests").alias("Requests"),
        pl.col("base").alias("A year earlier"),
        pl.col("growth").map_elements(signed, return_dtype=pl.String).fill_null("–").alias("Growth"),
        pl.col("growth_note").fill_null("").alias("Note"),
    )


def cagr_rows(cagr: pl.DataFrame, *, by: str | None = None) -> pl.DataFrame:
    """A `compute_cagr` frame as a table for readers."""
    keys = [by] if by and by in cagr.columns else []
    cagr = label_hidden(cagr)
    return cagr.select(
        *[pl.col(k).alias(k.replace("_", " ").capitalize()) for k in keys],
        pl.format("{}–{}", "first_year", "last_year").alias("Years"),
        pl.col("first_value").alias("First year"),
        pl.col("last_value").alias("Last year"),
        pl.col("cagr").map_elements(signed, return_dtype=pl.String).fill_null("–").alias("Average annual growth"),
        pl.col("cagr_note").fill_null("").alias("Note"),
    )


def share_rows(df: pl.DataFrame, *, by: str) -> pl.DataFrame:
    """An `answered_share` frame as a table for readers: answered of requests, share and 95% CI
    (hidden counts as "<k" or "withheld", and their share as "withheld")."""
    hidden = pl.col(hidden_column("answered")).is_not_null() if hidden_column("answered") in df.columns else pl.lit(False)
    df = df.with_columns(_hidden=hidden)
    df = label_hidden(df)
    return df.select(
        pl.col(by).alias(by.replace("_", " ").capitalize()),
        pl.col("requests").alias("Requests"),
        pl.col("answered").alias("Answered"),
        pl.when(pl.col("_hidden")).then(pl.lit(WITHHELD))
        .otherwise(pl.col("answered_share").map_elements(share, return_dtype=pl.String)).fill_null("–").alias("Share"),
        pl.when(pl.col("_hidden")).then(pl.lit(WITHHELD)).otherwise(
            pl.struct("ci_low", "ci_high").map_elements(lambda r: interval(r["ci_low"], r["ci_high"]),
                                                        return_dtype=pl.String)).fill_null("–").alias("95% CI"),
    )
