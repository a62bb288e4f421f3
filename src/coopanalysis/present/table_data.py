"""The data behind a table or a chart of the page, as the reader may download it.

A table (`present.display.show_table`) carries its payload under :data:`TABLE_MIME`:
``{"id", "caption", "columns": [{"name", "title", "type", "description"}], "rows", "missing"}``,
the rows being the values the table shows after suppression: a hidden cell is the code the table
prints ("<10", "withheld"), never the number, and `missing` lists the codes used. The offline page
embeds it beside its table; the page's "Download data" builds CSV and XLSX from it in the browser.

A chart's data is the chart's own (:func:`chart_table`): the rows of its spec's dataset, the fields
its encodings use, titled as its axes and legends are, a hidden count (null, with the code in
``<field>_hidden``) as its code.

Ids (:func:`slug`, :class:`Ids`) are derived from the report's name and the title: the same
notebook gives the same ids, never random ones.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

TABLE_MIME = "application/vnd.coopanalysis.table+json"

HIDDEN_CODE = re.compile(r"<\d+|withheld")
"""A cell the suppression hid: "<k" (a count below k) or "withheld" (hidden to protect another)."""
_NUMBER = re.compile(r"[−-]?\d{1,3}(,\d{3})*(\.\d+)?|[−-]?\d+(\.\d+)?")
_DASHES = ("–", "—", "")
_SLUG_DROP = re.compile(r"[^\w]+")
SLUG_LIMIT = 60


def slug(text: object, default: str = "item") -> str:
    """`text` as an id part: lower case, letters and digits (any script) joined by '-', at most 60 characters."""
    out = _SLUG_DROP.sub("-", str(text or "").lower()).replace("_", "-").strip("-")
    out = re.sub("-{2,}", "-", out)[:SLUG_LIMIT].strip("-")
    return out or default


def unique(base: str, used: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, … : the first not in `used`, which it joins."""
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base}-{n}"
    used.add(ident)
    return ident


class Ids:
    """The ids of one page, in document order: `report-title`, then `-2`, `-3` for a repeat."""

    def __init__(self, report: str) -> None:
        self.report = slug(report, "report")
        self.used: set[str] = set()

    def new(self, title: object, kind: str) -> str:
        """A fresh id for the chart or table (`kind`) titled `title`."""
        return unique(f"{self.report}-{slug(title, kind)}", self.used)


def _description(name: str) -> str:
    """The labels registry's words for column `name` (by its code or its label), else ''."""
    from coopanalysis.core import names

    extra = getattr(names, "DESCRIPTIONS", {})
    key = name if name in names.LABELS else next((k for k, v in names.LABELS.items() if v == name), None)
    if key is None:
        return ""
    return str(extra.get(key) or names.LABELS[key])


def _cell(value: Any) -> Any:
    """One value as JSON: dates as ISO text (a midnight time dropped), non-finite numbers as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def _shown_number(text: str) -> int | float | None:
    """The number a table cell prints ("1,234" → 1234, "−5" → -5), None when it is not one."""
    if not _NUMBER.fullmatch(text):
        return None
    plain = text.replace(",", "").replace("−", "-")
    return float(plain) if "." in plain else int(plain)


def _text_column(values: list[Any]) -> tuple[str, list[Any]]:
    """A text column's type and cells: "integer"/"number" when every cell is a printed number, a
    hidden code or a dash (as `publish.disclosure.label_hidden` writes counts), else "string"."""
    out: list[Any] = []
    for v in values:
        if v is None or v in _DASHES:
            out.append(None)
        elif HIDDEN_CODE.fullmatch(v):
            out.append(v)
        elif (n := _shown_number(v)) is not None:
            out.append(n)
        else:
            return "string", values
    numbers = [v for v in out if isinstance(v, (int, float))]
    if not numbers:
        return "string", values
    return ("integer" if all(isinstance(v, int) for v in numbers) else "number"), out


def _dtype_type(dtype: Any) -> str:
    import polars as pl

    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_integer():
        return "integer"
    if dtype.is_numeric():
        return "number"
    if dtype.is_temporal():
        return "date"
    return "string"


def table_payload(df: Any, *, caption: str | None = None, ident: str | None = None) -> dict[str, Any]:
    """The :data:`TABLE_MIME` payload of the table `show_table` prints for `df` (every row)."""
    from coopanalysis.publish.disclosure import hidden_column

    pairs = {c for c in df.columns if hidden_column(c) in df.columns}
    drop = {hidden_column(c) for c in pairs}
    columns, cells = [], []
    for name in df.columns:
        if name in drop:
            continue
        values = [_cell(v) for v in df.get_column(name).to_list()]
        kind = _dtype_type(df.schema[name])
        if name in pairs:
            codes = df.get_column(hidden_column(name)).to_list()
            values = [c if c is not None else v for v, c in zip(values, codes, strict=True)]
        elif kind == "string":
            kind, values = _text_column(values)
        columns.append({"name": name, "title": name, "type": kind, "description": _description(name)})
        cells.append(values)
    rows = [list(r) for r in zip(*cells, strict=True)] if cells else []
    return {"id": ident or slug(caption, "table"), "caption": "" if caption is None else str(caption),
            "columns": columns, "rows": rows, "missing": missing_codes(rows, columns)}


def missing_codes(rows: list[list[Any]], columns: list[Mapping[str, Any]]) -> list[str]:
    """The hidden codes the cells of non-text columns hold, each once, in order of appearance."""
    found: dict[str, None] = {}
    for row in rows:
        for value, col in zip(row, columns, strict=False):
            if isinstance(value, str) and col.get("type") != "string" and HIDDEN_CODE.fullmatch(value):
                found[value] = None
    return list(found)


# ------------------------------------------------------------------------------- charts

CHANNELS = ("x", "y", "color", "column", "row", "facet", "shape", "size", "x2", "y2", "theta", "text", "tooltip")
_VL_TYPES = {"quantitative": "number", "temporal": "date", "ordinal": "string", "nominal": "string"}


def _title_text(title: Any) -> str:
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return "" if title is None else str(title)


def spec_title(spec: Mapping[str, Any]) -> str:
    """The chart's title: its own, else the first titled view of a concat or layer ('' when none)."""
    if spec.get("title"):
        return _title_text(spec["title"])
    for key in ("vconcat", "hconcat", "concat", "layer"):
        for part in spec.get(key) or []:
            if isinstance(part, Mapping) and (found := spec_title(part)):
                return found
    if isinstance(spec.get("spec"), Mapping):
        return spec_title(spec["spec"])
    return ""


def _encodings(node: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """(channel, field definition) of every encoding in the spec tree, in document order."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(node, Mapping):
        enc = node.get("encoding")
        if isinstance(enc, Mapping):
            for channel in CHANNELS:
                defs = enc.get(channel)
                for d in defs if isinstance(defs, list) else [defs]:
                    if isinstance(d, Mapping):
                        found.append((channel, d))
                        if isinstance(d.get("condition"), Mapping):
                            found.append((channel, d["condition"]))
        for key in ("layer", "vconcat", "hconcat", "concat"):
            for part in node.get(key) or []:
                found += _encodings(part)
        if isinstance(node.get("spec"), Mapping):
            found += _encodings(node["spec"])
    return found


def _rows_source(spec: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    """Where the chart's rows are (``{"dataset": name}`` or ``{"path": [...]}`` to a ``values``
    list) and the rows: the largest dataset."""
    best: tuple[dict[str, Any], list[dict]] = ({}, [])
    for name, rows in (spec.get("datasets") or {}).items():
        if isinstance(rows, list) and len(rows) > len(best[1]):
            best = ({"dataset": name}, rows)

    def walk(node: Any, path: list[Any]) -> None:
        nonlocal best
        if isinstance(node, Mapping):
            values = (node.get("data") or {}).get("values") if isinstance(node.get("data"), Mapping) else None
            if isinstance(values, list) and len(values) > len(best[1]):
                best = ({"path": [*path, "data", "values"]}, values)
            for key in ("layer", "vconcat", "hconcat", "concat"):
                for i, part in enumerate(node.get(key) or []):
                    walk(part, [*path, key, i])
    walk(spec, [])
    return best


def chart_table(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The data behind a chart: ``{"title", "columns", "source", "rows", "missing"}``; a column is
    ``{"name", "title", "type", "description", "field", "hidden"}`` (`hidden`: the field holding
    its suppression code, or null), one per data field its encodings use, titled as drawn."""
    source, data = _rows_source(spec)
    keys: set[str] = set().union(*(r.keys() for r in data if isinstance(r, Mapping))) if data else set()
    columns: dict[str, dict[str, Any]] = {}
    for _channel, d in _encodings(spec):
        field = d.get("field")
        if not isinstance(field, str) or field not in keys:
            continue
        shown = field[:-5] if field.endswith("_text") and field[:-5] in keys else field
        title = d.get("title")
        for guide in ("axis", "legend"):
            if not title and isinstance(d.get(guide), Mapping):
                title = d[guide].get("title")
        col = columns.get(shown)
        if col is None:
            from coopanalysis.core.names import label

            col = columns[shown] = {"name": shown, "title": "", "type": _VL_TYPES.get(d.get("type"), "string"),
                                    "description": _description(shown), "field": field,
                                    "hidden": f"{shown}_hidden" if f"{shown}_hidden" in keys else None,
                                    "_default": label(shown), "_tip": False}
        if field != shown:
            col["field"] = field  # the readable words of a code field, as the tooltip shows them
        if title and not d.get("aggregate") and (not col["title"] or (_channel == "tooltip" and not col["_tip"])):
            col["title"], col["_tip"] = _title_text(title), col["_tip"] or _channel == "tooltip"
    cols = list(columns.values())
    for col in cols:
        col["title"] = col["title"] or col["_default"]
        del col["_default"], col["_tip"]
    rows = [[chart_cell(r, c) for c in cols] for r in data if isinstance(r, Mapping)]
    for col, values in zip(cols, zip(*rows, strict=True) if rows else [()] * len(cols), strict=True):
        nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if col["type"] == "number" and nums and all(float(v).is_integer() for v in nums):
            col["type"] = "integer"
        elif col["type"] == "string" and nums and len(nums) == len([v for v in values if v is not None]):
            col["type"] = "integer" if all(float(v).is_integer() for v in nums) else "number"
    return {"title": spec_title(spec), "columns": cols, "source": source, "rows": rows,
            "missing": missing_codes(rows, cols)}


def chart_cell(row: Mapping[str, Any], col: Mapping[str, Any]) -> Any:
    """One cell of a chart's data: the suppression code where hidden, a date without a midnight time."""
    hidden = col.get("hidden")
    if hidden and row.get(hidden) is not None:
        return row[hidden]
    value = row.get(col["field"])
    if col.get("type") == "date" and isinstance(value, str):
        return re.sub(r"T00:00:00(\.0+)?Z?$", "", value)
    if isinstance(value, float) and value.is_integer() and col.get("type") == "integer":
        return int(value)
    return value
