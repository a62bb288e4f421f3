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
