""""Make this a report": the current selection of a dashboard written as a `[[reports]]` entry of a
batch configuration, checked as the batch checks it, then run by the batch runner (papermill) and
rendered as the offline page. An exploration becomes a report that `coopanalysis run` makes again on
schedule, with the same parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopanalysis import paths
from coopanalysis.batch import BatchOutcome, run_batch
from coopanalysis.batch.config import load_config, select_reports
from coopanalysis.batch.plan import resolve_parameters
from coopanalysis.core.files import write_atomic
from coopanalysis.errors import ParameterError
from coopanalysis.explore.selection import Selection
from coopanalysis.explore.tables import Tables

NOTEBOOK = paths.NOTEBOOKS_DIR / "case_outcomes.ipynb"
"""The report an exploration becomes: answered share, time to response and outcomes of the selection."""


@dataclass(frozen=True)
class ReportMade:
    """The entry written, where, and what the batch run made of it."""

    name: str
    config: Path
    parameters: dict[str, Any]
    outcome: BatchOutcome | None  # None when not run

    @property
    def entry(self) -> dict[str, Any] | None:
        """The run's summary entry for this report (status, outputs, headline figures)."""
        if self.outcome is None:
            return None
        return next((e for e in self.outcome.entries if e.get("name") == self.name), None)

    @property
    def page(self) -> Path | None:
        """The rendered offline page, once run."""
        if self.outcome is None:
            return None
        page = self.outcome.out_dir / f"{self.name}.html"
        return page if page.is_file() else None

    def describe(self) -> str:
        where = f"; page: {self.page}" if self.page else (
            "; not run" if self.outcome is None else f"; the run failed (exit {self.outcome.exit_code})")
        return f"Report {self.name!r} written to {self.config}{where}."


def report_parameters(t: Tables, selection: Selection, *, suppress_below: int = 0) -> dict[str, Any]:
    """The case_outcomes parameters of a view: its data, mapping, censoring date and sharing
    threshold, and the selection's start, end, platforms, agencies and period."""
    params: dict[str, Any] = {"data": str(Path(t.info.source).resolve())}
    if t.mapping:
        params["mapping"] = str(paths.resolve_data_path(t.mapping).resolve())
    if t.as_of_given and t.as_of is not None:
        params["as_of"] = t.as_of.isoformat()
    if suppress_below > 1:
        params["suppress_below"] = suppress_below
    params.update(selection.parameters())
    return params


def entry_text(name: str, notebook: Path, config: Path, parameters: dict[str, Any]) -> str:
    """A `[[reports]]` table in TOML: strings and lists of strings as JSON writes them (valid TOML)."""
    try:
        nb = str(notebook.resolve().relative_to(config.resolve().parent))
    except ValueError:
        nb = str(notebook.resolve())
    lines = ["", "[[reports]]", f"name = {json.dumps(name)}", f"notebook = {json.dumps(nb)}", "[reports.parameters]"]
    for key, value in parameters.items():
        if not isinstance(value, (str, int, list)) or isinstance(value, bool):
            raise ParameterError(f"{key}: {value!r} cannot be written to a report entry")
        lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def to_report(tables: Tables, selection: Selection, name: str, *, suppress_below: int = 0, config: str | Path | None = None, out_dir: str | Path = "reports",
              notebook: str | Path = NOTEBOOK, run: bool = True, stream: Any = None) -> ReportMade:
    """Append `selection` of `tables` as report `name` to the batch configuration `config` (default: the
    project's notebooks/reports.toml; created if missing), after checking the whole file as
    `coopanalysis run` would (name, notebook, unique names, each parameter against the notebook's
    declaration); nothing is written if a check fails. With `run`, run it at once:
    `run_batch(config=config, only=[name], out_dir=out_dir)`."""
    config = Path(config) if config is not None else paths.REPORTS_CONFIG
    notebook = Path(notebook)
    params = report_parameters(tables, selection, suppress_below=suppress_below)
    old = config.read_text(encoding="utf-8") if config.exists() else ""
    new = old + ("" if not old or old.endswith("\n") else "\n") + entry_text(name, notebook, config, params)
    trial = config.with_name(f".{config.name}.explore-check.toml")
    write_atomic(trial, new)
    try:
        cfg = load_config(trial)
        resolve_parameters(select_reports(cfg.reports, [name]))
    finally:
        trial.unlink(missing_ok=True)
    write_atomic(config, new)
    outcome = run_batch(config=config, only=[name], out_dir=out_dir, stream=stream) if run else None
    return ReportMade(name=name, config=config, parameters=params, outcome=outcome)
