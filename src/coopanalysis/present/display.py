"""What a report notebook calls to show things: prose, tables, headline figures.

Every value that comes from data is escaped before it reaches Markdown or HTML, so a
platform name like ``<script>`` or ``[click](http://…)`` is shown as text, never run or
linked.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
import math
import re
import string
from collections.abc import Callable, Sequence
from typing import Any

from coopanalysis.core.i18n import _, english_of
from coopanalysis.present.mime import HEADLINE_MIME, LEDGER_MIME, enable_offline_renderer

# Markdown punctuation that can start or end formatting, links, headings, lists, tables.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def setup_report(lang: str = "en") -> None:
    """Prepare a report notebook: set the language every text of the page is written in
    (``en`` or ``ko``, `coopanalysis.core.i18n`), enable the offline chart renderer and, when the
    project's chart theme exists (``coopanalysis.present.charts.enable_theme``), the theme."""
    from coopanalysis.core.i18n import use_language

    use_language(lang)
    enable_offline_renderer()
    try:
        charts = importlib.import_module("coopanalysis.present.charts")
    except ModuleNotFoundError as exc:
        if exc.name != "coopanalysis.present.charts":
            raise
        return
    enable_theme = getattr(charts, "enable_theme", None)
    if callable(enable_theme):
        enable_theme()


def escape_markdown_text(value: str) -> str:
    """``value`` as inert Markdown text: markdown punctuation backslash-escaped, line
    breaks collapsed to a space, then ``<``, ``>``, ``&`` HTML-escaped."""
    flat = _LINE_BREAKS.sub(" ", value)
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", flat), quote=False)


class _EscapingFormatter(string.Formatter):
    """str.format whose every replacement field is formatted first, then escaped."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return escape_markdown_text(format(value, format_spec))


def format_markdown(template: str, **values: Any) -> str:
    """Fill ``template`` (``str.format`` syntax, format specs allowed: ``{n:,}``,
    ``{share:.1%}``) with ``values``, each escaped for Markdown and HTML."""
    return _EscapingFormatter().vformat(template, (), values)


def say(template: str, **values: Any) -> None:
    """Display a sentence of Markdown built from a template the report author wrote and
    values that may come from data, e.g. ``say("**{platform}** answered {share:.0%}",
    platform=name, share=0.42)``. Values can never add HTML, links or formatting."""
    from IPython.display import display

    text = format_markdown(template, **values)
    display({"text/markdown": text, "text/plain": template.format(**values)}, raw=True)


YEAR_COLUMNS = ("year", "first_year", "last_year")
"""Columns of calendar years: shown as 2013, never 2,013 (so is any column labelled "Year …")."""

SHARE_SUFFIXES = ("share",)
RATE_COLUMNS = ("growth", "cagr")
"""Float columns whose name ends in "share" or is growth / cagr hold fractions: shown as 54.2%."""

Kind = str  # "year" | "percent" | "signed percent" | ""


def column_kind(name: str) -> Kind:
    """How a column's numbers read, from its name: "year" for year / first_year / last_year or
    a label starting with "Year"; "percent" for a name ending in share ("answered_share",
    "Answered share") or a ratio written with ÷ ("Providers ÷ agency"); "signed percent" for growth / cagr; "" otherwise."""
    kinds = [_kind(re.sub(r"[\s\-]+", "_", english.lower())) for english in english_of(name.strip())]
    return next((k for k in kinds if k), "")


def _kind(key: str) -> Kind:
    if key in YEAR_COLUMNS or key == "year" or key.startswith("year_") or key.startswith("year("):
        return "year"
    if key.endswith(SHARE_SUFFIXES) or "÷" in key:  # "Providers ÷ agency": a ratio
        return "percent"
    if key in RATE_COLUMNS:
        return "signed percent"
    return ""


def _format_cell(value: Any, kind: Kind = "") -> tuple[str, str]:
    """(escaped text, css class) for one table cell of a column of `kind` (see `column_kind`)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–", "null"
    if isinstance(value, bool):
        return _("yes" if value else "no"), ""
    if kind == "year" and isinstance(value, (int, float)) and float(value).is_integer():
        return f"{int(value)}", "num"
    if kind in ("percent", "signed percent") and isinstance(value, float) and math.isfinite(value):
        text = f"{value:+,.1%}" if kind == "signed percent" else f"{value:,.1%}"
        return text.replace("-", "−"), "num"
    if isinstance(value, int):
        return f"{value:,}", "num"
    if isinstance(value, float):
        if math.isinf(value):
            return ("∞" if value > 0 else "−∞"), "num"
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}", "num"
        return (f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"), "num"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return html.escape(value.isoformat()), ""
    if isinstance(value, dt.timedelta):
        return html.escape(str(value)), "num"
    return html.escape(str(value)), ""


def table_html(df: Any, *, caption: str | None = None, max_rows: int = 200) -> str:
    """An escaped HTML table of a polars DataFrame: numbers with thousands separators and
    right-aligned, years without a separator (2013), fractions in share / growth columns as
    percentages (54.2%, see `column_kind`), nulls shown as a dash, at most ``max_rows`` rows
    with a note saying so."""
    import polars as pl

    if isinstance(df, pl.LazyFrame):
        raise TypeError("show_table takes a polars DataFrame; aggregate and .collect() the LazyFrame first")
    if not isinstance(df, pl.DataFrame):
        raise TypeError(f"show_table takes a polars DataFrame, not {type(df).__name__}")
    from coopanalysis.publish.disclosure import label_hidden

    df = label_hidden(df)  # hidden counts read "<k" or "withheld", never a number
    numeric = [dtype.is_numeric() for dtype in df.dtypes]
    parts = ['<table class="coop-table">']
    if caption is not None:
        parts.append(f"<caption>{html.escape(str(caption))}</caption>")
    num_class = ' class="num"'  # attributes in the order the page's sanitiser writes them
    head = "".join(
        f'<th{num_class if is_num else ""} scope="col">{html.escape(name)}</th>'
        for name, is_num in zip(df.columns, numeric, strict=True)
    )
    parts.append(f"<thead><tr>{head}</tr></thead>")
    parts.append("<tbody>")
    shown = df.head(max_rows)
    kinds = [column_kind(name) for name in df.columns]
    for row in shown.iter_rows():
        cells = []
        for value, kind in zip(row, kinds, strict=True):
            text, css = _format_cell(value, kind)
            cells.append(f'<td class="{css}">{text}</td>' if css else f"<td>{text}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    if df.height > shown.height:
        parts.append(
            '<p class="coop-table-note">'
            + html.escape(_("Showing the first {shown} of {total} rows.").format(shown=f"{shown.height:,}",
                                                                              total=f"{df.height:,}"))
            + "</p>"
        )
    return "\n".join(parts)


def show_table(df: Any, *, caption: str | None = None, max_rows: int = 200) -> None:
    """Display a polars DataFrame as an escaped HTML table (see :func:`table_html`), with its data
    (every row, hidden cells as their codes) under `present.table_data.TABLE_MIME` for the page's
    "Download data" and the data package export."""
    import polars as pl
    from IPython.display import display

    from coopanalysis.present.table_data import TABLE_MIME, table_payload

    caption = _(caption) if caption else caption  # in the page's language
    if isinstance(df, pl.DataFrame):  # headers in the page's language (a header already translated stays)
        df = df.rename({c: shown for c in df.columns if (shown := _(c)) != c and shown not in df.columns})
    shown = table_html(df, caption=caption, max_rows=max_rows)  # checks df first
    plain = (f"{caption}\n" if caption else "") + str(df.head(max_rows))
    display({"text/html": shown, TABLE_MIME: table_payload(df, caption=caption), "text/plain": plain}, raw=True)


def _json_number(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):  # numpy / polars scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"a headline value must be a number, text or None, not {type(value).__name__}")


HEADLINE_UNITS = ("count", "share", "growth", "days")
"""How a headline value reads: a count (8,921), a share (84.4%), a growth (+0.2%), days (11 days)."""


def format_headline_value(value: Any, unit: str | None, t: Callable[[str], str] = _) -> str:
    """A headline value as a reader reads it, by its unit, its words in the language of `t` (the
    page's by default); '–' when there is none."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit == "share":
        return f"{value:.1%}"
    if unit == "growth":
        return f"{value:+.1%}".replace("-", "−")
    if unit == "days":
        return t("{n} days").format(n=f"{value:,.0f}")
    if isinstance(value, int) or unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def headline_payload(
    name: str,
    value: Any,
    *,
    label: str | None = None,
    interval: Sequence[Any] | None = None,
    unit: str | None = None,
    base: int | None = None,
) -> dict[str, Any]:
    """The JSON payload of a headline figure: ``{"name", "value", "label", "interval", "unit"}``, and
    ``"base"`` (the count a growth is measured against) when given."""
    if unit is not None and unit not in HEADLINE_UNITS:
        raise ValueError(f"headline {name!r}: unit must be one of {', '.join(HEADLINE_UNITS)}, not {unit!r}")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a headline needs a non-empty name")
    if interval is not None:
        interval = list(interval)
        if len(interval) != 2:
            raise ValueError(f"headline {name!r}: interval must be (low, high), got {len(interval)} values")
        interval = [_json_number(v) for v in interval]
    payload = {"name": name, "value": _json_number(value), "label": label, "interval": interval, "unit": unit}
    if base is not None:
        if isinstance(base, bool) or not isinstance(_json_number(base), int):
            raise ValueError(f"headline {name!r}: base must be a count, not {base!r}")
        payload["base"] = _json_number(base)
    return payload


def headline(
    name: str, value: Any, *, label: str | None = None, interval: tuple | None = None, unit: str | None = None,
    base: int | None = None,
) -> None:
    """Record a headline figure for the batch runner (read back by
    ``coopanalysis.html.read_headlines``); the offline page does not show it. `base`: the count a
    growth is measured against (its label names it too)."""
    from IPython.display import display

    payload = headline_payload(name, value, label=label, interval=interval, unit=unit, base=base)
    shown = format_headline_value(payload["value"], unit)
    if payload["interval"] is not None:
        low, high = (format_headline_value(v, unit) for v in payload["interval"])
        shown += f" ({low} to {high})"
    display({HEADLINE_MIME: payload, "text/plain": f"Headline {label or name}: {shown}"}, raw=True)


def record_counts(report: Any) -> None:
    """Record every count the page of `report` (a report facade's result) publishes, for the folder
    audit (`coopanalysis audit`): the offline page keeps them as data and does not show them."""
    from IPython.display import display

    from coopanalysis.reports.ledger import page_ledger

    ledger = page_ledger(report)
    display({LEDGER_MIME: ledger.to_json(), "text/plain": f"{len(ledger.counts)} published counts recorded"}, raw=True)


def page_facts(report: Any) -> None:
    """Record what the page of `report` (a report facade's result) says about itself: its title,
    one-line description, whether it is synthetic (a banner then) and its sources
    (`coopanalysis.present.page_facts`). The offline page and the batch index read it; in a
    notebook it shows as the title and, for synthetic data, the warning."""
    from IPython.display import display

    from coopanalysis.present.mime import PAGE_MIME
    from coopanalysis.present.page_facts import page_facts as facts_of

    facts = facts_of(report)
    plain = facts["title"] + (f"\nSynthetic data, not real figures. {facts['banner']}" if facts["banner"] else "")
    display({PAGE_MIME: facts, "text/plain": plain}, raw=True)
