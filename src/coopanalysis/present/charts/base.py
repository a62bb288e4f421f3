"""The parts every chart builder shares: input checks, titles, colours, tooltips and formats.

Titles, axis titles and tooltip titles come from :func:`coopanalysis.core.names.label`
(through :func:`title_of`); snake_case codes are shown with spaces (:data:`CODE_FIELDS`).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from coopanalysis.core.i18n import _
from coopanalysis.core.names import (CODE_LABELS, NAME_LIST_FIELDS, WORD_FIELDS, code_label, code_labels, display_names, label,
                                     name_list)
from coopanalysis.present.charts.theme import DASHES, MAX_ROWS, SHAPES, platform_scale, series_places

PERCENT = ".1%"
COUNT = ",d"
GROWTH_DOMAIN = (-1.0, 2.0)
"""Growth charts show −100% to +200%; a larger growth is drawn at the top edge (tooltip: the true value)."""

LONG_LABEL_LIMIT = 300
"""Pixels a long category label (an agency's full name) may take in a legend or on an axis."""

CODE_FIELDS = ("crime_type", "case_outcome", "channel", "response", "reply", "phase")
"""Fields whose values are snake_case codes ("suspended_untraceable"): axes and legends show them
in the words of `core.names.CODE_LABELS` ("threats and stalking"); the data keep the codes."""

def readable_label(field: str) -> str:
    """Vega expression an axis or legend of `field` uses to show its codes as the words the
    tables use ("drug trafficking", "threats and stalking"), from that field's own table in
    `core.names.CODE_LABELS` (crime type "other" reads "other crimes", channel "other" "other
    channel"); an unregistered code reads with spaces for underscores."""
    import json

    words = {code: code_label(field, code) for code in CODE_LABELS.get(field, {})}
    return f"{json.dumps(words, ensure_ascii=False)}[datum.label] || replace(datum.label, /_/g, ' ')"


def title_of(column: str) -> str:
    """The human title of a column: its label in the one registry, `coopanalysis.core.names.LABELS`."""
    return label(column)


def check_columns(df: pl.DataFrame, builder: str, *columns: str) -> None:
    """Refuse what `builder` must not draw: anything but a collected DataFrame, a frame lacking one of
    `columns`, raw request rows (a `request_id` column), or more than MAX_ROWS rows. Returns None."""
    if not isinstance(df, pl.DataFrame):
        raise TypeError(f"{builder} takes a collected polars DataFrame of aggregated rows, not {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{builder}: columns {', '.join(missing)} missing (got {', '.join(df.columns)})")
    if "request_id" in df.columns:
        raise ValueError(f"{builder} draws aggregated rows only; this frame holds request ids (raw rows)")
    if df.height > MAX_ROWS:
        raise ValueError(f"{builder}: {df.height:,} rows are too many to draw (at most {MAX_ROWS:,}); "
                         "aggregate further, e.g. choose a longer period")


def platform_color(df: pl.DataFrame, field: str = "platform", *, legend: bool = True, lines: bool = False) -> alt.Color:
    """Colour encoding of `field` with each platform's own colour (the platforms present in `df`)."""
    names = df.get_column(field).unique().to_list() if field in df.columns else []
    return alt.Color(f"{field}:N", title=title_of(field), scale=platform_scale(names),
                     legend=_legend(field, lines) if legend else None)


def _legend(field: str, lines: bool = False) -> alt.Legend:
    """The legend of `field`, the same for its colour, dash and shape (Vega-Lite merges legends of one
    field with the same properties into one: each entry shows the colour with its dash or shape).
    Agencies have long names ("KNPA National Office of Investigation Cyber Bureau"): shown whole.
    With `lines`, each entry is a short stroke, so that a chart of lines alone shows its dashes there."""
    stroke = {"symbolType": "stroke", "symbolStrokeWidth": 2.5, "symbolSize": 320} if lines else {}
    if field in ("platform", "provider"):
        return alt.Legend(title=title_of(field), **stroke)
    words = {"labelExpr": readable_label(field)} if field in CODE_FIELDS else {}
    return alt.Legend(title=title_of(field), labelLimit=LONG_LABEL_LIMIT, **words, **stroke)


def series_cues(df: pl.DataFrame, field: str, *, legend: bool = True,
                lines: bool = False) -> tuple[alt.StrokeDash, alt.Shape]:
    """The second cue of each `field` value after its colour (colour is never the only one): a line
    dash and a point shape, fixed per platform (`theme.series_places`), in the colour's legend."""
    names = sorted(n for n in (df.get_column(field).unique().to_list() if field in df.columns else []) if n is not None)
    shown = shown_values(field, names)
    place = series_places(names)
    places = [place[n] for n in names]
    shown_legend = _legend(field, lines) if legend else None
    return (alt.StrokeDash(f"{field}:N", title=title_of(field), legend=shown_legend,
                           scale=alt.Scale(domain=shown, range=[DASHES[i] for i in places])),
            alt.Shape(f"{field}:N", title=title_of(field), legend=shown_legend,
                      scale=alt.Scale(domain=shown, range=[SHAPES[i] for i in places])))


def colour_for(df: pl.DataFrame, field: str, *, legend: bool = True, lines: bool = False) -> alt.Color:
    """Colour encoding of `field`: platform colours for a platform or provider, otherwise the
    category palette with a legend wide enough for long names (no legend when `legend` is False)."""
    if field in ("platform", "provider"):
        return platform_color(df, field, legend=legend, lines=lines)
    return alt.Color(f"{field}:N", title=title_of(field), legend=_legend(field, lines) if legend else None)


def code_axis(field: str) -> alt.Axis | alt.UndefinedType:
    """An axis showing the codes of `field` with spaces when it is a code field; else altair's default."""
    return alt.Axis(labelExpr=readable_label(field)) if field in CODE_FIELDS else alt.Undefined


def readable(df: pl.DataFrame) -> pl.DataFrame:
    """`df` as a chart shows it: a `<field>_text` column beside each code field ("suspended
    untraceable" beside "suspended_untraceable"), which tooltips show (a tooltip cannot reformat
    text itself); and, on a page in another language than English, the names and words of
    `core.names.WORD_FIELDS` in that language ("Google" → "구글"), so that legends, axes, tooltips
    and the chart's downloaded data all read alike. Scales that list such values take
    :func:`shown_values`."""
    codes = [f for f in CODE_FIELDS if f in df.columns]
    words = lambda f: code_labels(f, pl.col(f)) if f in CODE_LABELS else pl.col(f).str.replace_all("_", " ")
    df = df.with_columns(words(f).alias(f"{f}_text") for f in codes) if codes else df
    if not display_names():
        return df
    names = [f for f in WORD_FIELDS if f in df.columns and df.schema[f] == pl.String]
    lists = [f for f in NAME_LIST_FIELDS if f in df.columns and df.schema[f] == pl.String]
    return df.with_columns(*(code_labels(f, pl.col(f)) for f in names),
                           *(pl.col(f).map_elements(name_list, return_dtype=pl.String) for f in lists))


def shown_values(field: str, values: list[str]) -> list[str]:
    """`values` of word field `field` as :func:`readable` shows them (for a scale's domain or a sort order)."""
    return [code_label(field, v) for v in values] if display_names() else list(values)


def tip(field: str, kind: str, fmt: str | None = None) -> alt.Tooltip:
    """A tooltip of `field` (Vega-Lite type `kind`, optional `fmt`), titled with its label; a date
    shows as 2024-01-31 and a code field shows its `_text` column (see `readable`)."""
    kwargs = {"format": fmt} if fmt else {}
    if kind == "T":
        kwargs = {"format": fmt or "%Y-%m-%d"}
    shown = f"{field}_text" if field in CODE_FIELDS and kind == "N" else field
    return alt.Tooltip(f"{shown}:{kind}", title=title_of(field), **kwargs)


def present_columns(df: pl.DataFrame, *columns: str) -> list[str]:
    """Those of `columns` that `df` has, in the order given."""
    return [c for c in columns if c in df.columns]


def legend_focus(field: str, name: str = "focus") -> alt.Parameter:
    """Click a legend entry (shift-click for more) to focus on those values; double-click clears."""
    return alt.selection_point(fields=[field], bind="legend", name=name)


def title_params(text: str, subtitle: str | list[str] | None = None) -> alt.TitleParams:
    """A chart title `text`, with its `subtitle` line(s) when given, in the page's language (a
    title a builder composes is translated as a template before its slots are filled; a whole
    title or subtitle is looked up here)."""
    if isinstance(subtitle, list):
        subtitle = [_(line) for line in subtitle]
    elif subtitle:
        subtitle = _(subtitle)
    return alt.TitleParams(text=_(text), subtitle=subtitle) if subtitle else alt.TitleParams(text=_(text))
