"""Where a scatter chart's point labels go so that no two overprint."""

from __future__ import annotations

import polars as pl

SCATTER_WIDTH = 480
SCATTER_HEIGHT = 300


def label_sides(
    df: pl.DataFrame, *, by: str, x: str, y: str, width: int = SCATTER_WIDTH, height: int = SCATTER_HEIGHT,
    x_max: float = 1.0, y_max: float | None = None, char_px: float = 6.5, line_px: float = 14.0,
) -> list[str | None]:
    """Where to put each point's label so that no two labels overprint: "right", "left" or
    None (no label; the tooltip names the point). Points with most `requests` (or in row
    order) are placed first, each on the right when that room is free and inside the
    plot, else on the left, else not at all. Label boxes are estimated at `char_px` a
    character and `line_px` a line on a `width` × `height` plot of 0…`x_max`, 0…`y_max`."""
    if df.is_empty():
        return []
    y_top = y_max if y_max else max(float(v) for v in df.get_column(y).drop_nulls().to_list() or [1.0]) or 1.0
    order = (df.with_row_index("_i").sort("requests", descending=True, nulls_last=True)
             if "requests" in df.columns else df.with_row_index("_i"))
    placed: list[tuple[float, float, float, float]] = []
    sides: list[str | None] = [None] * df.height
    for row in order.iter_rows(named=True):
        if row[x] is None or row[y] is None or row[by] is None:
            continue
        px = float(row[x]) / x_max * width
        py = height - float(row[y]) / y_top * height
        text_w = len(str(row[by])) * char_px
        top, bottom = py - 6 - line_px / 2 - 2, py - 6 + line_px / 2 + 2
        for side, left in (("right", px + 9), ("left", px - 9 - text_w)):
            box = (left, top, left + text_w, bottom)
            inside = box[0] >= -40 and box[2] <= width + 40
            free = all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed)
            if inside and free:
                placed.append(box)
                sides[row["_i"]] = side
                break
    return sides
