"""The batch-wide pattern over requests by period and platform (publish/cube.py), attacked."""

from __future__ import annotations

import datetime as dt

import polars as pl

from coopanalysis import paths
from coopanalysis.io.requests import load_requests
from coopanalysis.publish.cube import ALL, node_start, cube_counts, month_counts, suppress_cube
from lp_attack import Figure, attack

K = 10


def cube_figures(months: pl.DataFrame, pattern) -> list[Figure]:
    """Every node of the cube as a figure over (month, platform) atoms, shown or hidden as the pattern says."""
    first = months["month"].min()
    platforms = sorted(months["platform"].unique().to_list())
    month_starts = sorted({n[1] for n in pattern.counts if n[0] == "month"})
    figures = []
    for node, value in pattern.counts.items():
        level, start, key = node
        inside = [m for m in month_starts if node_start(level, m, first) == start]
        cells = frozenset(f"{m}|{p}" for m in inside for p in (platforms if key == ALL else [key]))
        status = pattern.status(level, start, None if key == ALL else key)
        figures.append(Figure(str(node), cells, status, value if status == "shown" else None))
    return figures


def test_cube_adds_up_and_zero_fills_the_months_between():
    months = pl.DataFrame({"month": [dt.date(2021, 1, 1), dt.date(2021, 3, 1)], "platform": ["A", "B"],
                           "requests": [4, 30]})
    counts = cube_counts(months)
    assert counts[("month", dt.date(2021, 2, 1), "A")] == 0
    assert counts[("quarter", dt.date(2021, 1, 1), ALL)] == 34
    assert counts[("year", dt.date(2021, 1, 1), "A")] == 4
    assert counts[("all", dt.date(2021, 1, 1), "B")] == 30


def test_a_small_month_is_not_given_back_by_its_quarter_or_its_platform_total():
    # A: 4 in January, 30 and 40 after; B: 50 a month. Hiding January's 4 alone, the quarter of A (74)
    # minus February and March would give it back; the pattern hides a second month of A, and one
    # month of B beside it, so that January's total of all platforms does not give it back either.
    months = pl.DataFrame({
        "month": [dt.date(2021, m, 1) for m in (1, 2, 3)] * 2,
        "platform": ["A"] * 3 + ["B"] * 3,
        "requests": [4, 30, 40, 50, 50, 50],
    })
    pattern = suppress_cube(cube_counts(months), threshold=K)
    assert pattern.status("month", dt.date(2021, 1, 1), "A") == "small"
    assert [i for i in attack(cube_figures(months, pattern), k=K) if not i.protected] == []
    assert pattern.status("month", dt.date(2021, 2, 1), "A") == "withheld"


def test_the_bundled_log_cube_withstands_the_attack():
    # Every count a report can show by period (month, quarter, half-year, year, all) and platform
    # (each and all together): no hidden one can be narrowed below k from all the others.
    months = month_counts(load_requests(paths.SAMPLE_REQUESTS).kept_on_disk().data)
    pattern = suppress_cube(cube_counts(months), threshold=K)
    results = attack(cube_figures(months, pattern), k=K)
    assert len(pattern.small) > 100 and len(results) == len(pattern.small) + len(pattern.withheld)
    assert [(i.key, i.low, i.high) for i in results if not i.protected] == []


def test_without_a_threshold_nothing_is_hidden():
    months = pl.DataFrame({"month": [dt.date(2021, 1, 1)], "platform": ["A"], "requests": [3]})
    pattern = suppress_cube(cube_counts(months), threshold=0)
    assert pattern.small == frozenset() and pattern.withheld == frozenset()
    assert pattern.status("month", dt.date(2021, 2, 1), "A") == "outside"
