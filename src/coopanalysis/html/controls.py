"""The controls under each chart and table of the offline page, and the ids they hang on.

One :class:`PageControls` per rendered page hands out stable ids (report name + title, ``-2``,
``-3`` for repeats, in document order) and writes, for a chart: the chart (named in words for
screen readers, `present.mime.chart_description`), its data description (columns, where its rows
are in the spec, its selections) and the buttons; for a table: the table, its data payload
(`present.table_data`) and the buttons. The page's script (``templates/offline/controls.js``)
makes CSV and XLSX files, PNG and SVG images and the "show as table" view from these, offline.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from coopanalysis.present.mime import VEGALITE_MIMES, chart_description, chart_embed_html, escape_json_for_html
from coopanalysis.present.table_data import TABLE_MIME, Ids, chart_table, spec_title

JS_STRINGS = ("Show as table", "Hide table", "This chart could not be drawn:", "The file could not be made:")
"""The texts the page's script shows (sent translated in ``#coop-strings``)."""

_CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _params(spec: Mapping[str, Any], table: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chart's selections the address records: point selections over fields, interval
    selections over x or y (with whether that axis is time)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for p in node.get("params") or []:
                select = p.get("select") if isinstance(p, Mapping) else None
                kind = select if isinstance(select, str) else (select or {}).get("type") if isinstance(select, Mapping) else None
                if kind == "point" and isinstance(select, Mapping) and select.get("fields"):
                    found.append({"name": p["name"], "type": "point", "fields": list(select["fields"])})
                elif kind == "interval" and isinstance(select, Mapping) and select.get("encodings"):
                    channel = select["encodings"][0]
                    found.append({"name": p["name"], "type": "interval", "channel": channel,
                                  "temporal": _channel_type(spec, channel) == "temporal"})
            for key in ("layer", "vconcat", "hconcat", "concat"):
                for part in node.get(key) or []:
                    walk(part)
    walk(spec)
    numeric = {c["name"] for c in table["columns"] if c["type"] in ("integer", "number")}
    for p in found:
        if p["type"] == "point":
            p["numeric"] = [f in numeric for f in p["fields"]]
    return found


def _channel_type(node: Any, channel: str) -> str | None:
    if isinstance(node, Mapping):
        d = (node.get("encoding") or {}).get(channel)
        if isinstance(d, Mapping) and d.get("type"):
            return str(d["type"])
        for key in ("layer", "vconcat", "hconcat", "concat"):
            for part in node.get(key) or []:
                if found := _channel_type(part, channel):
                    return found
    return None


class PageControls:
    """The ids and controls of one page (`report`: the report's name, the ids' first part)."""

    def __init__(self, report: str, tr: Callable[[str], str]) -> None:
        self.ids = Ids(report)
        self.tr = tr

    def strings(self, banner: str = "") -> str:
        """The ``#coop-strings`` JSON: the script's texts, translated, and the export banner."""
        texts = {text: self.tr(text) for text in JS_STRINGS}
        texts["banner"] = self.tr(banner) if banner else ""
        return escape_json_for_html(texts)

    def _buttons(self, ident: str, kind: str) -> str:
        tr, e = self.tr, html.escape
        acts = [("csv", tr("Download data (CSV)")), ("xlsx", tr("Download data (Excel)"))]
        if kind == "chart":
            acts += [("png", tr("Save image (PNG)")), ("svg", tr("Save image (SVG)"))]
        buttons = "".join(f'<button type="button" class="coop-btn" data-act="{a}">{e(t)}</button>' for a, t in acts)
        if kind == "chart":
            buttons += (f'<button type="button" class="coop-btn" data-act="table" aria-expanded="false" '
                        f'aria-controls="{e(ident)}-table">{e(tr("Show as table"))}</button>')
        group = tr("Data and images of this chart") if kind == "chart" else tr("Data of this table")
        out = f'<div class="coop-controls" role="group" aria-label="{e(group)}" data-for="{e(ident)}">{buttons}</div>'
        if kind == "chart":
            out += f'\n<div class="coop-data-view" id="{e(ident)}-table" hidden></div>'
        return out

    def chart(self, data: Mapping[str, Any]) -> str:
        """A chart output (its Vega-Lite spec, escaped afresh) with its description and controls."""
        spec = next((data[m] for m in VEGALITE_MIMES if m in data), None)
        if spec is None:
            return ""
        if isinstance(spec, str):
            spec = json.loads(spec)
        ident = self.ids.new(spec_title(spec), "chart")
        table = chart_table(spec)
        meta = {"id": ident, "title": table["title"], "source": table["source"], "params": _params(spec, table),
                "columns": table["columns"]}
        label = chart_description(spec, self.tr) or spec_title(spec) or self.tr("Chart")
        embed = chart_embed_html(spec, element_id=ident, label=label, hooks=True, tr=self.tr)
        return (f'<script type="application/json" class="coop-chart-data" data-for="{html.escape(ident)}">'
                f"{escape_json_for_html(meta)}</script>\n{embed}\n{self._buttons(ident, 'chart')}")

    def table(self, data: Mapping[str, Any], fragment: str) -> str:
        """A table output (its sanitised `fragment`) in a block with a stable id, its data and controls."""
        payload = data.get(TABLE_MIME)
        if isinstance(payload, str):
            payload = json.loads(payload)
        caption = payload.get("caption") if isinstance(payload, Mapping) else None
        if caption is None:
            found = _CAPTION.search(fragment)
            caption = html.unescape(_TAG.sub("", found.group(1))) if found else ""
        ident = self.ids.new(caption, "table")
        # the block scrolls a wide table sideways: focusable and named, so a keyboard reaches it
        out = (f'<div class="coop-html coop-table-block" id="{html.escape(ident)}" tabindex="0" role="region"'
               f' aria-label="{html.escape(caption or self.tr("Table"))}">\n{fragment}\n</div>')
        if isinstance(payload, Mapping):
            payload = {**payload, "id": ident}
            out += (f'\n<script type="application/json" class="coop-table-data" data-for="{html.escape(ident)}">'
                    f"{escape_json_for_html(payload)}</script>\n{self._buttons(ident, 'table')}")
        return out
