"""Small-count suppression against a linear-programming attacker (tests/lp_attack.py).

The attacker holds every figure a page shows and solves, for each hidden count, the smallest and
largest value it can take; a hidden count is protected when that interval is at least k wide.
"""

from __future__ import annotations

import polars as pl

from coopanalysis.publish.disclosure import hide_two_way
from coopanalysis.reports import volumes
from lp_attack import Figure, attack

K = 10


def _status(value, label):
    if label is None:
        return "shown", value
    return ("small" if str(label).startswith("<") else "withheld"), None


def two_way_figures(cells: pl.DataFrame, by_row: pl.DataFrame, by_col: pl.DataFrame, *,
                    row: str, col: str, value: str) -> list[Figure]:
    """The figures of a two-way table as a page shows it: cells, row totals, column totals."""
    label = f"{value}_hidden"
    rows, cols = cells[row].unique().to_list(), cells[col].unique().to_list()
    figures = [
        Figure(f"{r[row]}|{r[col]}", frozenset({f"{r[row]}|{r[col]}"}), *_status(r[value], r.get(label)))
        for r in cells.iter_rows(named=True)
    ]
    figures += [
        Figure(f"{r[row]}|all", frozenset(f"{r[row]}|{c}" for c in cols), *_status(r[value], r.get(label)))
        for r in by_row.iter_rows(named=True)
    ]
    figures += [
        Figure(f"all|{r[col]}", frozenset(f"{x}|{r[col]}" for x in rows), *_status(r[value], r.get(label)))
        for r in by_col.iter_rows(named=True)
    ]
    return figures


def test_the_attack_recovers_a_lone_hidden_cell_and_bounds_a_protected_one():
    cells = frozenset({"a"}), frozenset({"b"}), frozenset({"c"})
    lone = [Figure("a", cells[0], "small"), Figure("b", cells[1], "shown", 50), Figure("c", cells[2], "shown", 40),
            Figure("total", cells[0] | cells[1] | cells[2], "shown", 97)]
    (interval,) = attack(lone, k=K)
    assert (interval.low, interval.high, interval.protected) == (7.0, 7.0, False)
    paired = [Figure("a", cells[0], "small"), Figure("b", cells[1], "withheld"), Figure("c", cells[2], "shown", 40),
              Figure("total", cells[0] | cells[1] | cells[2], "shown", 97)]
    intervals = {i.key: i for i in attack(paired, k=K)}
    assert (intervals["a"].low, intervals["a"].high) == (0.0, 57.0) and intervals["a"].protected


def test_two_small_cells_in_one_line_get_a_third_so_their_sum_is_not_below_k():
    # 3 and 4 in row x: with only those two hidden, row total 57 minus the shown 50 gives their sum 7,
    # so each lies in 0..7, narrower than k. A third (the 50) must go too.
    df = pl.DataFrame({"r": ["x", "x", "x", "y", "y", "y"], "c": ["A", "B", "C"] * 2, "n": [3, 4, 50, 40, 60, 70]})
    cells, by_row, by_col = hide_two_way(df, value="n", rows="r", cols="c", threshold=K)
    figures = two_way_figures(cells, by_row, by_col, row="r", col="c", value="n")
    narrowed = [i for i in attack(figures, k=K) if not i.protected]
    assert narrowed == []
    assert cells.filter(pl.col("r") == "x")["n"].null_count() == 3


def test_the_volume_page_withstands_the_attack_on_the_bundled_log():
    # Before the hidden cells of a line had to add up to k, 48 of the 154 hidden cells of this page
    # (month x platform with its totals) could be narrowed below 10, e.g. Discord in January 2020 to 0..7.
    report = volumes.volume_report("", suppress_below=K)
    figures = two_way_figures(report.volumes, report.by_period, report.by_platform,
                              row="period_start", col="platform", value="requests")
    results = attack(figures, k=K)
    assert len(results) > 100
    assert [(i.key, i.low, i.high) for i in results if not i.protected] == []
