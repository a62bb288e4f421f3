"""Report parameters as notebooks declare them and as `-p NAME=VALUE` gives them.

A notebook declares its parameters in its one cell tagged `parameters`
(`label: str = "x"  # shown in the report`). `notebook_parameters` reads that
cell; `parse_overrides` reads the command line's `-p` values the way papermill
does. Whether a value fits its declaration is `batch.typecheck`'s question;
`value_problems` finds, before any kernel starts, what a notebook would refuse
in a value of the right type.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from coopanalysis.batch.config import ConfigError
from coopanalysis.errors import CoopAnalysisError, ParameterError

LOG_PARAMETERS = frozenset({"mapping"})
"""`-p` names that go only to the reports whose notebook declares them (those that read a request log), like
a profile's values; `coopanalysis run --map MAP.toml` is `-p mapping=MAP.toml`."""


@dataclass(frozen=True)
class DeclaredParameter:
    """A parameter as the notebook's `parameters` cell declares it."""

    name: str
    annotation: str | None  # source text of the annotation, e.g. "list[str]"
    default: Any
    help: str = ""


def notebook_parameters(notebook: Path) -> dict[str, DeclaredParameter]:
    """The parameters declared in the notebook's cell tagged `parameters`, by name.

    Read with papermill's inspector (names, help) and Python's parser, which
    also understands annotations papermill's pattern does not (`str | None`,
    `Literal["a", "b"]`). Raises `ConfigError` for an unreadable notebook or
    one without exactly one `parameters` cell.
    """
    source = _parameters_cell(notebook)
    inspected = _inspect_quietly(notebook)
    declared = _declared_in_source(source, inspected)
    for name, info in inspected.items():
        if name not in declared:
            annotation = info.get("inferred_type_name")
            declared[name] = DeclaredParameter(
                name, None if annotation in (None, "None") else annotation, None, info.get("help") or ""
            )
    return declared


def _parameters_cell(notebook: Path) -> str:
    """The source of the notebook's one cell tagged `parameters`; `ConfigError` otherwise."""
    import nbformat

    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for unreadable files
        raise ConfigError(f"{notebook}: cannot read notebook ({exc})") from None
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ConfigError(f"{notebook}: needs exactly one cell tagged 'parameters' (found {len(cells)})")
    return cells[0].source


def _inspect_quietly(notebook: Path) -> dict[str, dict[str, Any]]:
    """papermill's view of the parameters (name -> its info dict), without its parse warnings.

    papermill's own pattern warns about lines it cannot read (e.g. quotes in help text);
    Python's parser reads them, so the warnings are noise here.
    """
    import papermill

    pm_log = logging.getLogger("papermill")
    level = pm_log.level
    pm_log.setLevel(logging.ERROR)
    try:
        return papermill.inspect_notebook(str(notebook))
    finally:
        pm_log.setLevel(level)


def _declared_in_source(source: str, inspected: dict[str, dict[str, Any]]) -> dict[str, DeclaredParameter]:
    """Every top-level `name: annotation = default` or `name = default` of the cell's source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = ast.Module(body=[], type_ignores=[])
    declared: dict[str, DeclaredParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, annotation, value = node.target.id, ast.unparse(node.annotation), node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation, value = node.targets[0].id, None, node.value
        else:
            continue
        try:
            default = ast.literal_eval(value) if value is not None else None
        except ValueError:
            default = None
        help_text = (inspected.get(name) or {}).get("help", "") or ""
        declared[name] = DeclaredParameter(name, annotation, default, help_text)
    return declared


def parse_parameter_value(text: str) -> Any:
    """Parse a `-p NAME=VALUE` value the way papermill does, plus lists and tables.

    `True`/`False`/`None`, integers and floats become those; `[a, b]` or
    `{"k": 1}` are read as YAML/JSON; anything else stays a string.
    """
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if text.startswith(("[", "{")):
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError:
            pass
    return text


def parse_overrides(pairs: list[str] | None) -> dict[str, tuple[Any, str]]:
    """`["NAME=VALUE", ...]` → `{NAME: (parsed value, raw text)}`; raises `ParameterError`."""
    out: dict[str, tuple[Any, str]] = {}
    for pair in pairs or []:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ParameterError(f"-p {pair!r}: write -p NAME=VALUE")
        out[name] = (parse_parameter_value(raw), raw)
    return out


def value_problems(name: str, value: Any) -> list[str]:
    """What the notebook would refuse in a value of the declared type, found before any kernel starts:
    a misspelt platform (`platforms`, `providers`: "did you mean Telegram?"), a `mapping` file that is
    missing or not a mapping. Empty when nothing is wrong."""
    from coopanalysis import paths
    from coopanalysis.io.sources import load_column_map
    from coopanalysis.reports.params import platform_names

    if name == "lang":
        from coopanalysis.core.i18n import LANGUAGES
        if value not in LANGUAGES:
            return [f"lang must be one of {', '.join(repr(code) for code in LANGUAGES)}, not {value!r}"]
        return []
    try:
        if name in ("platforms", "providers") and isinstance(value, (list, tuple)):
            platform_names(name, value, registered_only=True)
        elif name in LOG_PARAMETERS and isinstance(value, str) and value:
            load_column_map(paths.resolve_data_path(value))
    except ParameterError as exc:  # names the parameter itself
        return [str(exc)]
    except CoopAnalysisError as exc:
        return [f"{name}: {exc}"]
    return []
