"""Exploring a request log in JupyterLab: a small dashboard whose selections reach Python.

`explore(data)` loads the log once (validated, through the Parquet cache) and shows the volume
chart — drag across it to select a time range; click a platform's bar beside it — with controls for
agencies, crime types and the period. The linked views (top agencies, the answered share with its
interval, the Kaplan–Meier curve, the outcome mix) are recomputed in polars by the library's own
transforms for every selection, each with the reports' sentence under it; `view.to_report(name)`
writes the selection as a batch report and runs it.

- :mod:`.selection` — the frozen `Selection`, and how the chart's selections become one;
- :mod:`.tables` — the tables made once per log;
- :mod:`.update` — the pure update function: selection + tables → the views' frames;
- :mod:`.sentences` — the sentence under each view; :mod:`.charts` — the two charts;
- :mod:`.widget` — the dashboard (JupyterChart, offline, and ipywidgets); :mod:`.report` — to_report.

This is the top layer but one: it may use every layer, `batch` included; only `cli.py` is above it.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from typing import TYPE_CHECKING

from coopanalysis.explore.selection import Selection

if TYPE_CHECKING:
    from coopanalysis.explore.widget import ExploreView

__all__ = ["Selection", "explore"]


def explore(data: str = "", *, mapping: str | None = None, as_of: str | dt.date | None = None,
            suppress_below: int = 0) -> ExploreView:
    """The dashboard of the request log `data` ("" for the bundled sample; a path as the reports take
    it). `mapping` maps its headers and values; `as_of` is the censoring date (default the latest date
    in the file). With `suppress_below` = k ≥ 2 (a sharing profile's value) the views hide small counts
    as a shared report does, and say so. Show the returned view as a cell's last expression."""
    from coopanalysis.explore.tables import prepare
    from coopanalysis.explore.widget import ExploreView
    from coopanalysis.reports.params import check_suppress_below

    k = check_suppress_below(suppress_below)
    return ExploreView(prepare(data, mapping=mapping, as_of=as_of, suppress_below=k), suppress_below=k)


class _Callable(types.ModuleType):
    """`coopanalysis.explore(...)` calls `explore`: once this package is imported, Python makes it the
    attribute `explore` of `coopanalysis`, and the call must still work."""

    def __call__(self, *args, **kwargs):
        return explore(*args, **kwargs)


sys.modules[__name__].__class__ = _Callable
