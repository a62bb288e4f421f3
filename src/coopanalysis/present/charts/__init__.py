"""Altair chart builders for the reports, and the one theme they share.

Every ``chart_*`` function takes a small, aggregated, collected polars DataFrame (the
output of a transform, never raw request rows) and returns an altair chart whose data
travel inline with the spec, so it draws in JupyterLab and in the offline HTML alike.
Titles, axis titles and tooltip titles come from :func:`coopanalysis.core.names.label`;
every mark carries a tooltip; a platform has the same colour in every report
(:data:`coopanalysis.core.names.PLATFORM_COLOURS`, see :func:`platform_color`).

An empty frame gives an empty chart, never an error, so a report on an empty selection
still runs from top to bottom.

- :mod:`.theme` — fonts, palettes, the altair theme, platform colours;
- :mod:`.base` — input checks, titles, tooltips and formats every builder shares;
- :mod:`.volumes`, :mod:`.growth`, :mod:`.outcomes`, :mod:`.survival` — the chart families;
- :mod:`.placement` — where scatter labels go so that none overprint.
"""

from __future__ import annotations

from coopanalysis.present.charts.base import (
    CODE_FIELDS,
    COUNT,
    GROWTH_DOMAIN,
    LONG_LABEL_LIMIT,
    PERCENT,
    readable_label,
    check_columns,
    platform_color,
    title_of,
)
from coopanalysis.present.charts.growth import chart_growth, chart_projection
from coopanalysis.present.charts.outcomes import (
    SMALL_MULTIPLES_FROM,
    chart_answered_share,
    chart_funnel,
    chart_outcome_mix,
    chart_share_by,
    chart_untraceable,
)
from coopanalysis.present.charts.survival import chart_cumulative_incidence, chart_time_to_response
from coopanalysis.present.charts.placement import SCATTER_HEIGHT, SCATTER_WIDTH, label_sides
from coopanalysis.present.charts.theme import (
    CATEGORY_PALETTE,
    FONT,
    MAX_ROWS,
    OUTCOME_COLOURS,
    THEME_NAME,
    enable_theme,
    platform_colour,
    platform_scale,
    theme_config,
)
from coopanalysis.present.charts.volumes import chart_top_agencies, chart_volumes, chart_volumes_each

_check_columns = check_columns
"""Old private name, still imported by `present.transparency_charts`; goes once it uses `check_columns`."""

__all__ = [
    "CATEGORY_PALETTE", "CODE_FIELDS", "COUNT", "FONT", "GROWTH_DOMAIN", "LONG_LABEL_LIMIT", "MAX_ROWS",
    "OUTCOME_COLOURS", "PERCENT", "SCATTER_HEIGHT", "SCATTER_WIDTH", "SMALL_MULTIPLES_FROM",
    "THEME_NAME", "chart_answered_share", "chart_cumulative_incidence", "chart_funnel", "chart_growth", "chart_outcome_mix", "chart_projection",
    "chart_share_by", "chart_time_to_response", "chart_top_agencies", "chart_untraceable", "chart_volumes", "chart_volumes_each",
    "check_columns", "enable_theme", "label_sides", "platform_color", "platform_colour", "platform_scale", "readable_label",
    "theme_config", "title_of",
]
