"""Report notebooks: kept without outputs, one documented parameters cell, and executed by papermill
with several parameter sets, each checked against a figure computed here independently."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import nbformat
import papermill
import polars as pl
import pytest

from coopanalysis import paths
from coopanalysis.core.stats import wilson_bounds
from coopanalysis.reports.volumes import volume_report

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
REPORTS = ("request_volumes", "growth", "case_outcomes")
SHARED = ("data", "start", "end", "platforms", "agencies", "period")
HEADLINE_MIME = "application/vnd.coopanalysis.headline+json"
PUBLISHED = "published/npa_overseas_it_requests_press.csv"


# ----------------------------------------------------------------------- static checks


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_kept_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exactly_one_parameters_cell_of_documented_literals(path: Path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged parameters"
    tree = ast.parse(tagged[0].source)
    names = []
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), f"{path.name}: parameters must be written as name: type = value"
        ast.literal_eval(node.value)  # literals only
        names.append(node.target.id)
    documented = papermill.inspect_notebook(str(path))
    assert list(documented) == names, f"{path.name}: papermill does not see every parameter"
    for name, info in documented.items():
        assert info["help"].strip(), f"{path.name}: parameter {name} has no help text"


@pytest.mark.parametrize("name", REPORTS)
def test_reports_share_parameter_names(name: str):
    documented = papermill.inspect_notebook(str(paths.NOTEBOOKS_DIR / f"{name}.ipynb"))
    assert set(SHARED) <= set(documented)


def test_transparency_parameters_come_first():
    documented = list(papermill.inspect_notebook(str(paths.NOTEBOOKS_DIR / "transparency.ipynb")))
    assert documented[:4] == ["country", "providers", "start", "end"] and "data" in documented


LIBRARY = ("coopanalysis.reports", "coopanalysis.present")
"""The only packages a notebook imports from: the report facades and the presentation layer."""

NOT_IN_A_NOTEBOOK = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.AsyncFor, ast.While, ast.If,
    ast.IfExp, ast.Try, ast.With, ast.AsyncWith, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
    ast.NamedExpr, ast.Global, ast.Nonlocal, ast.Delete, ast.AugAssign, ast.AnnAssign,
) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _in_package(module: str, packages: tuple[str, ...] = LIBRARY) -> bool:
    return any(module == m or module.startswith(m + ".") for m in packages)


def _report_prefixes(trees: list[ast.Module]) -> set[str]:
    """The dotted names through which a notebook reaches coopanalysis.reports ("volumes" after
    `from coopanalysis.reports import volumes`, "coopanalysis.reports" after a plain import)."""
    reports = ("coopanalysis.reports",)
    found = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _in_package(node.module or "", reports):
                found |= {a.asname or a.name for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.asname or "coopanalysis.reports" for a in node.names if _in_package(a.name, reports)}
    return found


def _dotted(node: ast.expr) -> str:
    """"a.b.c" for a chain of attributes on a name; "" for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else ""


def _statement_problem(node: ast.stmt) -> str | None:
    """Why a top-level statement of a code cell does not belong in a thin notebook (None: it does)."""
    if isinstance(node, ast.ImportFrom):
        return None if node.level == 0 and _in_package(node.module or "") else f"import from {node.module}"
    if isinstance(node, ast.Import):
        bad = [a.name for a in node.names if not _in_package(a.name)]
        return f"import {', '.join(bad)}" if bad else None
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return None
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
            [type(t) for t in node.targets] == [ast.Name] and node.targets[0].id == "report":
        return None
    return f"{type(node).__name__} (only calls, and `report = ...`)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin(path: Path):
    """Parameters cell of literals -> one report facade call -> present calls and prose, nothing else."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{path.name}: {len(params)} parameters cells"
    lines = [ln for ln in params[0].source.splitlines() if ln.strip()]
    assert lines and all("  # " in ln and " = " in ln for ln in lines), f"{path.name}: name: type = value  # help"
    for node in ast.parse(params[0].source).body:
        assert isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name), f"{path.name}: parameters"
        ast.literal_eval(node.value)  # literals only
    trees = [ast.parse(c.source) for c in code if c is not params[0]]
    reports = _report_prefixes(trees)
    facade_calls = []
    for tree, cell in zip(trees, [c for c in code if c is not params[0]], strict=True):
        for node in tree.body:
            problem = _statement_problem(node)
            assert problem is None, f"{path.name}: logic belongs in the library, not the notebook: {problem}"
        for node in ast.walk(tree):
            assert not isinstance(node, NOT_IN_A_NOTEBOOK), (
                f"{path.name}: logic belongs in the library, not the notebook ({type(node).__name__})"
            )
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                assert not any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in targets), (
                    f"{path.name}: no item or attribute assignment in a notebook")
            assert not (isinstance(node, ast.Name) and node.id in ("pl", "polars")), f"{path.name}: no polars"
            if isinstance(node, ast.Call) and _in_package(_dotted(node.func), tuple(reports)):
                facade_calls.append(node)
        assert "Path(" not in cell.source and "os.path" not in cell.source
    assert len(facade_calls) == 1, f"{path.name}: {len(facade_calls)} calls into coopanalysis.reports, not one"
    assigned = [n for t in trees for n in t.body if isinstance(n, ast.Assign) and n.value is facade_calls[0]]
    assert assigned and assigned[0].targets[0].id == "report", f"{path.name}: the report call is `report = ...`"


# ------------------------------------------------------------------------- execution


def _kernel() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    return "coopanalysis" if "coopanalysis" in KernelSpecManager().find_kernel_specs() else "python3"


def _run(name: str, tmp_path: Path, **parameters) -> dict:
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(
        str(paths.NOTEBOOKS_DIR / f"{name}.ipynb"), str(out), parameters=parameters,
        kernel_name=_kernel(), progress_bar=False, cwd=str(tmp_path),
    )
    return json.loads(out.read_text(encoding="utf-8"))


def _texts(nb: dict) -> list[str]:
    """Every markdown / plain text the executed notebook printed, markdown escapes removed."""
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", f"{o.get('ename')}: {o.get('evalue')}"
            data = o.get("data", {})
            if "text/markdown" in data:
                text = "".join(data["text/markdown"])
                out.append(text.replace("\\", ""))
    return out


def _headlines(nb: dict) -> dict[str, dict]:
    found = {}
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            payload = o.get("data", {}).get(HEADLINE_MIME)
            if payload:
                found[payload["name"]] = payload
    return found


def _charts(nb: dict) -> list[dict]:
    return [
        o["data"]["application/vnd.vegalite.v5+json"]
        for cell in nb["cells"] for o in cell.get("outputs", [])
        if "application/vnd.vegalite.v5+json" in o.get("data", {})
    ]


def _sample() -> pl.DataFrame:
    return pl.read_csv(paths.SAMPLE_REQUESTS, try_parse_dates=True)


def test_request_volumes_defaults_counts_every_request(tmp_path):
    nb = _run("request_volumes", tmp_path)
    sample = _sample()
    heads = _headlines(nb)
    assert heads["total_requests"]["value"] == sample.height
    texts = _texts(nb)
    assert f"Read {sample.height:,} rows from requests_synthetic.csv (request log): {sample.height:,} kept, 0 rejected." in texts[0]
    # the latest like-for-like growth: Jan–last day of the last year against the same days a year earlier
    last = sample["requested_on"].max()
    first_day = dt.date(last.year, 1, 1)
    now = sample.filter(pl.col("requested_on").is_between(first_day, last)).height
    before = sample.filter(pl.col("requested_on").is_between(first_day.replace(year=last.year - 1),
                                                               last.replace(year=last.year - 1))).height
    assert heads["latest_yoy_growth"]["value"] == pytest.approx(now / before - 1)
    # the projection's headline is the seasonal model; the run rate beside it is requests so far
    # scaled to the whole year
    projection = volume_report(str(paths.SAMPLE_REQUESTS)).projection
    seasonal = projection.filter(pl.col("method") == "seasonal share")
    assert heads["projection"]["value"] == round(seasonal["requests"][0])
    assert heads["projection"]["label"] == f"Projected requests in {last.year} (seasonal share)"
    low, high = heads["projection"]["interval"]
    assert low < heads["projection"]["value"] < high
    days = (last - first_day).days + 1
    year_days = (dt.date(last.year, 12, 31) - first_day).days + 1
    run_rate = projection.filter(pl.col("method") == "run rate")
    assert run_rate["requests"][0] == pytest.approx(now * year_days / days)
    # charts carry aggregated rows only: the volume chart holds one row per month and platform
    volumes = _charts(nb)[0]
    rows = next(iter(volumes["datasets"].values()))
    months = (last.year - sample["requested_on"].min().year) * 12 + last.month
    assert len(rows) == months * sample["platform"].n_unique()


def test_growth_on_published_series_shows_2021(tmp_path):
    nb = _run("growth", tmp_path, data=PUBLISHED, year=2021)
    heads = _headlines(nb)
    assert heads["yoy_growth_year"]["value"] == pytest.approx(12771 / 7560 - 1)
    assert heads["yoy_growth_year"]["label"].startswith("Year-over-year growth, 2021")
    texts = _texts(nb)
    assert "Requests grew 68.9% in 2021 over 2020 (12,771 against 7,560)." in texts
    assert ("From 2020 to 2023 requests grew 5.8% a year on average (compound; 7,560 to 8,961). Requests peaked in "
            "2021 and fell in each of the two years since; the average hides that. The log-linear trend through all 4 "
            "full years is +2.9% a year (95% CI −38.4% to +71.8%).") in texts


def test_case_outcomes_one_platform_partial_year(tmp_path):
    nb = _run("case_outcomes", tmp_path, platforms=["Telegram"], start="2024-01-01", end="2024-09-30")
    sel = _sample().filter(
        (pl.col("platform") == "Telegram") & pl.col("requested_on").is_between(dt.date(2024, 1, 1), dt.date(2024, 9, 30))
    )
    answered = sel.filter(pl.col("response").is_in(["disclosed", "partial"])).height
    low, high = wilson_bounds(answered, sel.height)
    expected = (f"Telegram answered {answered:,} of {sel.height:,} requests ({answered / sel.height * 100:.1f}%, "
                f"95% CI {low * 100:.1f}–{high * 100:.1f}%).")
    assert expected in _texts(nb)
    heads = _headlines(nb)
    assert heads["answered_share"]["value"] == pytest.approx(answered / sel.height)
    assert heads["answered_share"]["interval"] == pytest.approx([low, high])


def _empty_window() -> tuple[str, str]:
    """The longest stretch with no request to Telegram in the sample."""
    dates = _sample().filter(pl.col("platform") == "Telegram")["requested_on"].sort().to_list()
    a, b = max(zip(dates, dates[1:]), key=lambda p: (p[1] - p[0]).days)
    return str(a + dt.timedelta(days=1)), str(b - dt.timedelta(days=1))


@pytest.mark.slow
@pytest.mark.parametrize("name", REPORTS)
def test_empty_selection_reads_as_a_report(tmp_path, name):
    start, end = _empty_window()
    nb = _run(name, tmp_path, platforms=["Telegram"], start=start, end=end)
    texts = _texts(nb)  # no error output anywhere
    assert any(t.startswith("No requests match this selection: none to Telegram") for t in texts)
    assert len(_charts(nb)) >= 2


@pytest.mark.slow
def test_request_volumes_on_published_series(tmp_path):
    nb = _run("request_volumes", tmp_path, data=PUBLISHED)
    heads = _headlines(nb)
    assert heads["total_requests"]["value"] == 7560 + 12771 + 10166 + 8961 + 5161
    assert heads["projection"]["value"] == round(5161 * 366 / 213)
    assert "Requests fell 11.9% in 2023 over 2022 (8,961 against 10,166). No growth figure for 2024 (1 Jan–31 Jul): " \
           "no figure for the base period." in _texts(nb)


@pytest.mark.slow
def test_growth_partial_year_against_same_months(tmp_path):
    nb = _run("growth", tmp_path, start="2024-01-01", end="2024-06-30", period="month")
    sample = _sample()
    now = sample.filter(pl.col("requested_on").is_between(dt.date(2024, 1, 1), dt.date(2024, 6, 30))).height
    before = sample.filter(pl.col("requested_on").is_between(dt.date(2023, 1, 1), dt.date(2023, 6, 30))).height
    g = now / before - 1
    verb = f"grew {g * 100:.1f}%" if g > 0 else f"fell {-g * 100:.1f}%"
    assert (f"From 1 January 2024 to 30 June 2024 there were {now:,} requests against {before:,} in the same days "
            f"of 2023: requests {verb}, like for like.") in _texts(nb)


@pytest.mark.slow
def test_unknown_platform_stops_with_the_valid_values(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as info:
        _run("request_volumes", tmp_path, platforms=["Telegramm"])
    assert info.value.ename == "ParameterError"
    assert "platforms: unknown 'Telegramm' (did you mean Telegram?). Valid values:" in info.value.evalue and "'Telegram'" in info.value.evalue
