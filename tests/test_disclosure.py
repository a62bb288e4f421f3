"""Small-count suppression: primary cells hidden, no hidden cell recoverable from a margin."""

from __future__ import annotations

import itertools

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from coopanalysis.publish.suppression import suppress_small_counts


def test_two_way_table_gets_complementary_cells() -> None:
    df = pl.DataFrame(
        {
            "platform": ["A", "A", "A", "B", "B", "B", "C", "C", "C"],
            "year": [2021, 2022, 2023] * 3,
            "requests": [3, 50, 40, 60, 70, 80, 20, 4, 90],
        }
    )
    out = suppress_small_counts(df, value="requests", threshold=5, dims=["platform", "year"])
    hidden = set(out.filter("suppressed").select("platform", "year").iter_rows())
    assert {("A", 2021), ("C", 2022)} <= hidden  # primary
    assert hidden == {("A", 2021), ("C", 2021), ("A", 2022), ("C", 2022)}  # smallest complements
    assert out.filter("suppressed")["requests"].null_count() == 4  # removed, not styled


def test_one_way_table_and_zero_is_not_sensitive() -> None:
    df = pl.DataFrame({"platform": ["a", "b", "c", "d"], "requests": [2, 0, 40, 30]})
    out = suppress_small_counts(df, value="requests", threshold=5, dims=["platform"])
    assert out["requests"].to_list() == [None, 0, 40, None]  # 0 shown; 30 (smallest) protects the 2 against the total
    unchanged = suppress_small_counts(df, value="requests", threshold=0, dims=["platform"])
    assert unchanged["requests"].to_list() == [2, 0, 40, 30] and not unchanged["suppressed"].any()


@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(min_value=1, max_value=5),
    cols=st.integers(min_value=1, max_value=5),
    data=st.data(),
)
def test_no_line_has_exactly_one_hidden_cell(rows: int, cols: int, data: st.DataObject) -> None:
    values = data.draw(st.lists(st.integers(min_value=0, max_value=30), min_size=rows * cols, max_size=rows * cols))
    df = pl.DataFrame(
        {"r": [r for r, _ in itertools.product(range(rows), range(cols))],
         "c": [c for _, c in itertools.product(range(rows), range(cols))],
         "n": values}
    )
    out = suppress_small_counts(df, value="n", threshold=5, dims=["r", "c"])
    # every primary cell is hidden
    primary = df.filter((pl.col("n") > 0) & (pl.col("n") < 5)).select("r", "c").rows()
    assert set(primary) <= set(out.filter("suppressed").select("r", "c").rows())
    # no row or column total minus the shown cells reveals a single hidden cell (a line of one
    # cell is its own total, which is then small itself)
    for line in ("r", "c"):
        per_line = out.group_by(line).agg(pl.col("suppressed").sum().alias("k"), pl.len().alias("cells"))
        assert per_line.filter((pl.col("k") == 1) & (pl.col("cells") > 1)).height == 0


def test_figures_count_the_same_requests_once_and_lines_tie_tables() -> None:
    import datetime as dt

    from coopanalysis.publish.figures import Figures, tiling_lines

    d = dt.date
    figures = Figures()
    # a year's count, the next year's base (the same requests: one figure) and the year's quarters
    figures.add(("t", d(2020, 1, 1), d(2020, 12, 31)), 40)
    figures.add(("t", d(2020, 1, 1), d(2020, 12, 31)), 40)
    for q, n in enumerate([3, 12, 13, 12]):
        figures.add(("t", d(2020, 3 * q + 1, 1), (d(2020, 3 * q + 4, 1) if q < 3 else d(2021, 1, 1)) - dt.timedelta(days=1)), n)
    tiling_lines(figures, list(figures.values))
    assert len(figures.values) == 5 and len(figures.lines) == 1 and len(figures.lines[0]) == 5
    labels = figures.hide(10)
    # the 3 is small; the smallest other quarter goes with it (alone, it would be the year minus the
    # shown quarters); the two add up to 15, not below 10, so no third is needed
    assert labels[("t", d(2020, 1, 1), d(2020, 3, 31))] == "<10"
    assert sorted(labels.values()) == ["<10", "withheld"]
    assert figures.hide(1) == {}


def test_shared_curve_grid_stands_for_k_requests() -> None:
    from coopanalysis.publish.curves import curve_grid

    assert curve_grid(10, 425) == 0.025  # 10 / 425 = 0.0235
    assert curve_grid(10, 21948) == 0.0005
    assert curve_grid(10, 20) == 0.5
    assert all(curve_grid(10, n) * n >= 10 for n in (11, 99, 100, 101, 5000, 123457))
