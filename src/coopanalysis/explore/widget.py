"""The dashboard in a notebook: the volume chart (altair `JupyterChart`, offline), the controls
(ipywidgets), and the linked views, recomputed in Python by `explore.update` for every selection.

The chart's selections reach Python through the JupyterChart's `selections` traitlets (the brush on
the time axis; the platforms clicked in the platform chart, a vega view of its own so that the two
selections never undo each other); the controls' values through ipywidgets. Each
change makes a new `Selection` and redraws the views from `update(...)`; `view.selection` and
`view.views` hold the current ones. JupyterChart runs in offline mode, with the vega bundle that
vl-convert ships: nothing is fetched from a CDN.
"""

from __future__ import annotations

import html
from typing import Any

import altair as alt
import ipywidgets as w

from coopanalysis.core.types import PERIODS
from coopanalysis.explore import charts
from coopanalysis.explore.report import ReportMade, to_report
from coopanalysis.explore.selection import Selection, brushed_days, clicked
from coopanalysis.explore.sentences import gate_text, view_sentences
from coopanalysis.explore.tables import Tables
from coopanalysis.explore.update import Views, update
from coopanalysis.present.display import table_html

EMBED = {"renderer": "svg", "actions": False}
"""SVG marks (a bar is an element one can click and find by its label), no export menu."""


def offline_charts() -> None:
    """JupyterChart with vl-convert's vega bundle in place of the CDN imports (altair's offline mode)."""
    alt.JupyterChart.enable_offline()


class ExploreView:
    """The dashboard of one log. Shown by a notebook as its widget; `select(...)` changes the selection
    from Python, `to_report(name)` makes the current selection a scheduled report."""

    def __init__(self, tables: Tables, *, suppress_below: int = 0) -> None:
        offline_charts()
        self.tables, self.suppress_below = tables, suppress_below
        self.selection = Selection()
        self.views: Views | None = None
        self.chart = alt.JupyterChart(charts.volume_chart(tables), embed_options=EMBED)
        self.platform_chart = alt.JupyterChart(charts.platform_chart(tables), embed_options=EMBED)
        self.curve = alt.JupyterChart(charts.curve_chart(_empty_curve()), embed_options=EMBED)
        self.agencies = w.SelectMultiple(options=tables.agencies, description="Agencies", rows=6)
        self.crime_types = w.SelectMultiple(options=tables.crime_types, description="Crime types", rows=6)
        self.period = w.Dropdown(options=list(PERIODS), value=self.selection.period, description="Period")
        self.report_name = w.Text(placeholder="report name, e.g. telegram_2021", description="Report")
        self.report_button = w.Button(description="Make this a report", icon="file")
        self.status = w.HTML()
        self.parts = {name: w.HTML() for name in ("gate", "selection", "top_agencies", "answered", "curve",
                                                  "outcome_mix")}
        self.chart.selections.observe(self._on_chart, names=[charts.BRUSH])
        self.platform_chart.selections.observe(self._on_chart, names=[charts.PICK])
        for control in (self.agencies, self.crime_types, self.period):
            control.observe(self._on_controls, names="value")
        self.report_button.on_click(self._on_report)
        self.widget = w.VBox([
            self.parts["gate"], self.parts["selection"], w.HBox([self.chart, self.platform_chart]),
            w.HBox([self.agencies, self.crime_types, w.VBox([self.period, self.report_name, self.report_button])]),
            self.status,
            w.HBox([self.parts["top_agencies"], w.VBox([self.parts["answered"], self.curve, self.parts["curve"]])]),
            self.parts["outcome_mix"],
        ])
        self.widget.add_class("coop-explore")
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ selections in

    def _on_chart(self, change: Any) -> None:
        """A chart's selection changed: the brush sets the time range, the platform chart the platforms."""
        if change["name"] == charts.BRUSH:
            start, end = brushed_days(change["new"].value, "period_start")
            self.select(start=start, end=end)
        else:
            self.select(platforms=clicked(change["new"].value, "platform"))

    def _on_controls(self, _change: Any = None) -> None:
        self.select(agencies=tuple(self.agencies.value), crime_types=tuple(self.crime_types.value),
                    period=self.period.value)

    def select(self, **changes: Any) -> Views:
        """Change the selection (start, end, platforms, agencies, crime_types, period) and redraw."""
        self.selection = self.selection.with_(**changes)
        return self.refresh()

    # ------------------------------------------------------------------ views out

    def refresh(self) -> Views:
        """Recompute every linked view of the current selection and show it."""
        views = update(self.tables, self.selection, suppress_below=self.suppress_below)
        said = view_sentences(self.tables, views)
        gate = gate_text(self.suppress_below)
        self.parts["gate"].value = f'<p class="coop-explore-gate">{html.escape(gate)}</p>' if gate else ""
        self.parts["selection"].value = _box("selection", "", said["selection"])
        self.parts["top_agencies"].value = _box("top_agencies", table_html(views.top_agencies,
                                                caption="Top agencies"), said["top_agencies"])
        self.parts["answered"].value = _box("answered", table_html(views.answered, caption="Answered share"),
                                            said["answered"])
        self.parts["curve"].value = _box("curve", "", said["curve"])
        self.parts["outcome_mix"].value = _box("outcome_mix", table_html(views.outcome_mix,
                                               caption="Outcome mix by platform"), said["outcome_mix"])
        self.curve.chart = charts.curve_chart(views.curve)
        self.views = views
        return views

    # ------------------------------------------------------------------ a report

    def to_report(self, name: str, **kwargs: Any) -> ReportMade:
        """Write the current selection as the report `name` in a batch configuration and run it: keyword
        arguments as `explore.report.to_report` takes them (config, out_dir, run)."""
        return to_report(self.tables, self.selection, name, suppress_below=self.suppress_below, **kwargs)

    def _on_report(self, _button: Any) -> None:
        from coopanalysis.errors import CoopAnalysisError

        try:
            made = self.to_report(self.report_name.value.strip())
        except CoopAnalysisError as exc:
            self.status.value = f'<p class="coop-explore-error">{html.escape(str(exc))}</p>'
            return
        self.status.value = f'<p class="coop-explore-made">{html.escape(made.describe())}</p>'


def _empty_curve():
    import polars as pl

    return pl.DataFrame(schema={"days": pl.Int64, "waiting": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64})


def _box(name: str, table: str, said: str) -> str:
    """A view's table and its sentence, in a div the page (and a test) can find by class."""
    return (f'<div class="coop-explore-{name}">{table}<p class="coop-explore-sentence">{html.escape(said)}</p>'
            f"</div>")
