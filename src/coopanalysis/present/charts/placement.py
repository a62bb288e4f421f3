"""Where a scatter chart's point labels go so that no two overprint, and none covers a point."""

from __future__ import annotations

import math
from typing import NamedTuple

import polars as pl

SCATTER_WIDTH = 480
SCATTER_HEIGHT = 300
POINT_SIZE = (40, 600)
"""The area range (square pixels) of the scatter's points, from none to the most requests."""
SIDES = ("right", "left", "above", "below")
"""Where a label may go around its point, in the order tried."""


class Place(NamedTuple):
    """A label's side of its point and the data coordinates of its anchor (text drawn there with
    the side's alignment: "right" starts there, "left" ends there, "above"/"below" centre on it)."""

    side: str
    x: float
    y: float


def label_places(
    df: pl.DataFrame, *, by: str, x: str, y: str, width: int = SCATTER_WIDTH, height: int = SCATTER_HEIGHT,
    x_min: float = 0.0, x_max: float = 1.0, y_max: float | None = None, char_px: float = 6.5,
    line_px: float = 14.0,
) -> list[Place | None]:
    """Where to put each point's label so that no two labels overprint and none covers a point:
    a :class:`Place` or None (no label; the tooltip names the point). Points with most
    `requests` (or in row order) are placed first, each at the first of :data:`SIDES` whose room
    is free and inside the plot. Points are circles of the area the size scale gives them
    (:data:`POINT_SIZE`); label boxes are estimated at `char_px` a character and `line_px` a line,
    on a `width` × `height` plot of `x_min`…`x_max`, 0…`y_max`."""
    if df.is_empty():
        return []
    y_top = y_max if y_max else max(float(v) for v in df.get_column(y).drop_nulls().to_list() or [1.0]) or 1.0
    x_span = (x_max - x_min) or 1.0
    order = (df.with_row_index("_i").sort("requests", descending=True, nulls_last=True)
             if "requests" in df.columns else df.with_row_index("_i"))
    rows = [row for row in order.iter_rows(named=True) if None not in (row[x], row[y], row[by])]
    most = max([float(row.get("requests") or 0) for row in rows] or [0.0]) or 1.0
    low, high = POINT_SIZE

    def circle(row: dict) -> tuple[float, float, float]:
        area = low + (high - low) * float(row.get("requests") or 0) / most
        return ((float(row[x]) - x_min) / x_span * width, height - float(row[y]) / y_top * height,
                math.sqrt(area / math.pi))

    placed = [(px - r, py - r, px + r, py + r) for px, py, r in map(circle, rows)]
    places: list[Place | None] = [None] * df.height
    for row in rows:
        px, py, r = circle(row)
        text_w = len(str(row[by])) * char_px
        anchors = {"right": (px + r + 4, py), "left": (px - r - 4, py),
                   "above": (px, py - r - 3 - line_px / 2), "below": (px, py + r + 3 + line_px / 2)}
        for side in SIDES:
            ax, ay = anchors[side]
            left = {"right": ax, "left": ax - text_w}.get(side, ax - text_w / 2)
            box = (left, ay - line_px / 2, left + text_w, ay + line_px / 2)
            inside = box[0] >= -40 and box[2] <= width + 40 and box[1] >= -10 and box[3] <= height + 10
            free = all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed)
            if inside and free:
                placed.append(box)
                places[row["_i"]] = Place(side, x_min + ax / width * x_span, (height - ay) / height * y_top)
                break
    return places


def label_sides(df: pl.DataFrame, **kwargs) -> list[str | None]:
    """The side of each point's label (:func:`label_places`), or None where it has none."""
    return [place.side if place else None for place in label_places(df, **kwargs)]
