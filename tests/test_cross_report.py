"""The pages of one shared folder, attacked together: no hidden count by period and platform comes back.

The bundled batch (notebooks/reports.toml, `--profile shared`, k = 10) publishes six pages on the
request log: request_volumes (month × platform), platform_volumes for Telegram, Google and Meta
(quarter, one platform), growth (years, quarters, years by platform) and case_outcomes (requests
per quarter × platform). Each page was safe alone; together a quarter on one page minus the months
on another gave back a hidden month. Every count by period and platform the pages publish is turned
into a figure over (month, platform) atoms, and the reader's linear program runs over all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import polars as pl
import pytest
from lp_attack import Figure, ReaderProgram, attack

from coopanalysis import paths
from coopanalysis.core.periods import year_before
from coopanalysis.io.requests import load_requests
from coopanalysis.publish.cube import (
    ALL,
    cube_counts,
    month_counts,
    node_start,
    suppress_cube,
)
from coopanalysis.publish.disclosure import hidden_column
from coopanalysis.publish.gate import Gate
from coopanalysis.reports import growth, outcomes, volumes
from coopanalysis.reports.pattern import page_gate
from coopanalysis.reports.source import load_source

SAMPLE = "sample/requests_synthetic.csv"
K = 10


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The months of a span made of whole months (a span that is not fails the test's premise)."""
    assert start.day == 1 and (end + dt.timedelta(days=1)).day == 1, (start, end)
    out, m = [], start
    while m <= end:
        out.append(m)
        m = dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def _figure(page: str, start: dt.date, end: dt.date, platforms: Sequence[str], value, label) -> Figure:
    cells = frozenset(f"{m}|{p}" for m in _months(start, end) for p in platforms)
    status = "shown" if value is not None else ("small" if label and label.startswith("<") else "withheld")
    return Figure(f"{page}:{start}..{end}:{','.join(platforms)}", cells, status,
                  int(value) if value is not None else None)


def _rows(df: pl.DataFrame, column: str = "requests") -> Iterator[dict]:
    label = hidden_column(column)
    for r in df.iter_rows(named=True):
        yield {**r, "_value": r[column], "_label": r.get(label)}


def cells_figures(page: str, df: pl.DataFrame, platforms: Sequence[str]) -> list[Figure]:
    """Rows with period_start, period_end and (optionally) platform; no platform: all `platforms`."""
    return [_figure(page, r["period_start"], r["period_end"], [r["platform"]] if "platform" in r else platforms,
                    r["_value"], r["_label"]) for r in _rows(df)]


def platform_figures(page: str, df: pl.DataFrame, start: dt.date, end: dt.date) -> list[Figure]:
    """Rows of (platform, requests) over the selection start..end."""
    return [_figure(page, start, end, [r["platform"]], r["_value"], r["_label"]) for r in _rows(df)]


def growth_figures(page: str, df: pl.DataFrame, platforms: Sequence[str], base: str) -> list[Figure]:
    """A growth table's requests and its base (`base`: "year", the span a year before, or "previous":
    the row before of the same platform)."""
    out = cells_figures(page, df, platforms)
    previous: dict[str | None, dict] = {}
    for r in sorted(_rows(df, "base"), key=lambda r: r["period_start"]):
        group = r.get("platform")
        before = previous.get(group)
        previous[group] = r
        if r["_value"] is None and r["_label"] is None:
            continue  # no base at all
        if base == "year":
            span = (year_before(r["period_start"]), year_before(r["period_end"]))
        else:
            span = (before["period_start"], before["period_end"])
        out.append(_figure(page, *span, [group] if group else platforms, r["_value"], r["_label"]))
    return out


@pytest.fixture(scope="module")
def batch_figures() -> list[Figure]:
    """Every count by period and platform on the six request-log pages of the bundled batch."""
    figures: list[Figure] = []
    month = volumes.volume_report(SAMPLE, period="month", top=10, suppress_below=K)
    every = month.input.available_platforms
    start, end = month.input.start, month.input.end
    figures += cells_figures("request_volumes", month.volumes, every)
    figures += cells_figures("request_volumes", month.by_period, every)
    figures += platform_figures("request_volumes", month.by_platform, start, end)
    figures += growth_figures("request_volumes", month.growth, every, "year")
    for name in ("Telegram", "Google", "Meta"):
        page = volumes.volume_report(SAMPLE, period="quarter", platforms=[name], suppress_below=K)
        figures += cells_figures(f"platform_volumes-{name}", page.volumes, [name])
        figures += cells_figures(f"platform_volumes-{name}", page.by_period, [name])
        figures += platform_figures(f"platform_volumes-{name}", page.by_platform, start, end)
        figures += growth_figures(f"platform_volumes-{name}", page.growth, [name], "year")
    g = growth.growth_report(SAMPLE, period="quarter", suppress_below=K)
    figures += growth_figures("growth", g.yearly, every, "year")
    figures += growth_figures("growth", g.period_growth, every, "previous")
    figures += growth_figures("growth", g.yearly_by["platform"], every, "year")
    o = outcomes.outcome_report(SAMPLE, period="quarter", suppress_below=K)
    figures += cells_figures("case_outcomes", o.answered_over_time, every)
    figures += platform_figures("case_outcomes", o.answered_by_platform, start, end)
    return figures


def cube_shown_figures() -> list[Figure]:
    """Every count the batch-wide cube (publish/cube.py) shows, over the same atoms."""
    months = month_counts(load_requests(paths.SAMPLE_REQUESTS).kept_on_disk().data)
    pattern = suppress_cube(cube_counts(months), threshold=K)
    first, platforms = months["month"].min(), sorted(months["platform"].unique().to_list())
    starts = sorted({n[1] for n in pattern.counts if n[0] == "month"})
    out = []
    for (level, start, key), value in pattern.counts.items():
        if pattern.status(level, start, None if key == ALL else key) == "shown":
            inside = [m for m in starts if node_start(level, m, first) == start]
            cells = frozenset(f"{m}|{p}" for m in inside for p in (platforms if key == ALL else [key]))
            out.append(Figure(f"cube:{level}:{start}:{key}", cells, "shown", value))
    return out


def test_the_pages_of_the_shared_batch_give_back_no_hidden_count_together(batch_figures):
    hidden = [f for f in batch_figures if f.status != "shown"]
    assert len(hidden) > 100  # the pages do hide counts
    by_key = {f.key: f for f in hidden}
    narrowed = [i for i in attack(batch_figures, k=K) if not i.protected]
    # A page may hide more than the cube (its own suppression): such a count may come back from the
    # other pages, but only as what the cube itself publishes (it is fixed by the cube's shown counts).
    cube = ReaderProgram([*cube_shown_figures(), *(by_key[i.key] for i in narrowed)], k=K)
    beyond = [(i.key, i.low, i.high) for i in narrowed if cube.interval(by_key[i.key]).high
              - cube.interval(by_key[i.key]).low > 1e-6]
    assert beyond == []

def test_a_count_nested_in_a_hidden_count_is_hidden_with_it():
    # answered <= requests: an answered count shown beside a hidden request count would bound it
    o = outcomes.outcome_report(SAMPLE, period="quarter", suppress_below=K)
    for frame in (o.answered_over_time, o.answered_by_platform, o.answered):
        nested = frame.filter(pl.col("requests").is_null() & pl.col("answered").is_not_null())
        assert nested.height == 0


def _gate() -> Gate:
    # A: 4 in January (small), 30 and 40 after; B: 50 a month; C: 60 a month (test_cube's example, plus C)
    months = pl.DataFrame({
        "month": [dt.date(2021, m, 1) for m in (1, 2, 3)] * 3,
        "platform": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
        "requests": [4, 30, 40, 50, 50, 50, 60, 60, 60],
    })
    pattern = suppress_cube(cube_counts(months), threshold=K)
    return Gate(pattern, dt.date(2021, 1, 1), dt.date(2021, 3, 1), ("A", "B", "C"), dt.date(2021, 1, 2),
                dt.date(2021, 3, 20))


def test_a_node_takes_the_patterns_status_and_a_sum_of_nodes_is_shown_only_when_they_all_are():
    g = _gate()
    jan = (dt.date(2021, 1, 1), dt.date(2021, 1, 31))
    assert g.status(*jan, ["A"]) == "small"
    assert g.status(*jan, None) == g.pattern.status("month", jan[0], None)
    assert g.status(dt.date(2021, 1, 1), dt.date(2021, 3, 31), ["C"]) == "shown"  # a quarter
    # two of three platforms: not a node; shown only when every month × platform inside is
    assert g.status(*jan, ["A", "C"]) == "withheld"
    assert g.status(dt.date(2021, 3, 1), dt.date(2021, 3, 31), ["B", "C"]) == (
        "shown" if all(g.shown(dt.date(2021, 3, 1), dt.date(2021, 3, 31), [p]) for p in "BC") else "withheld")
    # a partial month is not made of whole months; the log's own first and last days are its edges
    assert g.status(dt.date(2021, 2, 10), dt.date(2021, 2, 28), ["C"]) == "withheld"
    assert g.status(dt.date(2020, 12, 1), dt.date(2021, 3, 20), ["C"]) == "shown"  # the whole log of C
    assert g.status(dt.date(2021, 3, 1), dt.date(2021, 3, 20), ["C"]) == "shown"  # March, to the last day


def test_reports_with_an_agency_filter_keep_their_own_suppression_only():
    src = load_source(SAMPLE, start="", end="", platforms=[], agencies=[], period="month")
    agency = src.log.select(pl.col("agency").drop_nulls().first()).collect().item()
    assert page_gate(src, K) is not None and page_gate(src, 1) is None
    with_agency = load_source(SAMPLE, start="", end="", platforms=[], agencies=[agency], period="month")
    assert page_gate(with_agency, K) is None
    assert page_gate(src, K) is page_gate(src, K)  # once per process per (log, k)
