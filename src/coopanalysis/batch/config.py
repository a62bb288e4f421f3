"""Batch configuration: the TOML file of reports, matrix expansion, safe names, parameter checks.

A configuration (default `notebooks/reports.toml`) looks like::

    timeout = 900                      # seconds per report (optional)
    kernel = "coopanalysis"            # optional; default: the project's kernel if installed

    [[reports]]
    name = "request_volumes"
    notebook = "request_volumes.ipynb" # relative to this file
    [reports.parameters]
    data = "sample/requests_synthetic.csv"
    [reports.matrix]                   # one report per combination
    platform = ["Telegram", "Google", "Meta"]

    [profiles.shared]                  # `coopanalysis run --profile shared`
    suppress_below = 10

The matrix above gives the reports `request_volumes--platform-telegram`,
`request_volumes--platform-google` and `request_volumes--platform-meta`.
Report names become file names through `slugify`, which never lets a value
such as `../../etc` leave the output folder.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import itertools
import json
import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from coopanalysis.errors import CoopAnalysisError, ParameterError

MAX_SLUG = 80
"""Longest report name used as a file name (a short hash marks anything cut)."""

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}
RESERVED_NAMES = {"index", "summary", "logs", "failed", "executed"} | _WINDOWS_RESERVED
"""Names a report cannot take: output files and folders of the batch, and Windows device names."""

DATA_PARAMETER = re.compile(r"^(data|data_\w+|\w+_data)$")
"""Parameters naming input data files or folders; their content is hashed."""


class ConfigError(CoopAnalysisError):
    """The batch configuration file cannot be used as written."""


@dataclass(frozen=True)
class ReportSpec:
    """One report to produce: a notebook run with one set of parameters.

    `name` is the expanded, file-safe name (e.g. `request_volumes--platform-telegram`);
    `base` is the name written in the configuration; `matrix` holds this report's
    matrix values.
    """

    name: str
    base: str
    notebook: Path
    parameters: dict[str, Any]
    matrix: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None


@dataclass(frozen=True)
class BatchConfig:
    """A loaded configuration: its reports (matrix expanded), profiles, kernel and time limit."""

    path: Path
    reports: list[ReportSpec]
    profiles: dict[str, dict[str, Any]]
    kernel: str | None = None
    timeout: float | None = None


# --------------------------------------------------------------------------- slugs


def _short_hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def slugify(value: Any, *, max_length: int = MAX_SLUG) -> str:
    """A file-safe, lower-case ASCII name for `value` (made of `a-z`, `0-9`, `_` and `-`).

    Lists are joined with `-`; `.` and spaces become `-`. Whatever cannot be kept (slashes, `..`, non-ASCII
    letters such as Korean, Windows device names, length beyond `max_length`)
    is dropped and an 8-character hash of the original value is appended, so
    two different values never end up with the same name by being cut or
    emptied. The result never starts with `.` or `-` and is never empty.
    """
    if isinstance(value, (list, tuple)):
        text = "-".join(str(v) for v in value)
    elif isinstance(value, bool):
        text = str(value).lower()
    else:
        text = str(value)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text.lower()).strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)
    # Letters, digits and single separators (`_`, `-`, `.`, space) map readably; anything else
    # (slashes, `..`, other characters) is marked with a hash.
    lossless_chars = re.fullmatch(r"[A-Za-z0-9]+([_. -][A-Za-z0-9]+)*", text) is not None
    needs_hash = not slug or not lossless_chars or slug in RESERVED_NAMES or len(slug) > max_length - 9
    if needs_hash:
        slug = slug[: max_length - 9].strip("-_")
        slug = f"{slug}-{_short_hash(value)}" if slug else f"v-{_short_hash(value)}"
    return slug


def report_name(base: str, matrix: dict[str, Any]) -> str:
    """`base--key-value--key-value` for a matrix combination, each part slugged."""
    parts = [base] + [f"{slugify(k)}-{slugify(v)}" for k, v in matrix.items()]
    name = "--".join(parts)
    if len(name) > MAX_SLUG:
        name = f"{name[: MAX_SLUG - 9].rstrip('-_')}-{_short_hash([base, matrix])}"
    return name


def _check_base_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_]*(-[a-z0-9_]+)*", name):
        raise ConfigError(
            f"{where}: report name {name!r} must be lower-case letters, digits, '_' and single '-' "
            "(it becomes a file name)"
        )
    if name in RESERVED_NAMES:
        raise ConfigError(f"{where}: report name {name!r} is reserved; choose another")
    if len(name) > MAX_SLUG // 2:
        raise ConfigError(f"{where}: report name {name!r} is longer than {MAX_SLUG // 2} characters")
    return name


# --------------------------------------------------------------------------- loading


def load_config(path: str | Path) -> BatchConfig:
    """Read a batch configuration; expand every matrix into one `ReportSpec` per combination.

    Raises `ConfigError` naming the file and the entry for anything unusable
    (missing file, bad TOML, missing notebook, duplicate names).
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None

    default_timeout = _positive_number(raw.get("timeout"), f"{path}: timeout")
    kernel = raw.get("kernel")
    if kernel is not None and not isinstance(kernel, str):
        raise ConfigError(f"{path}: kernel must be a kernel name (a string)")
    entries = raw.get("reports")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: no [[reports]] entries")
    profiles = raw.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(v, dict) for v in profiles.values()):
        raise ConfigError(f"{path}: [profiles.NAME] tables must hold parameter = value lines")

    reports: list[ReportSpec] = []
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: report {i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a [[reports]] table")
        unknown = set(entry) - {"name", "notebook", "parameters", "matrix", "timeout"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        base = _check_base_name(entry.get("name"), where)
        where = f"{path}: report {base!r}"
        nb_rel = entry.get("notebook")
        if not isinstance(nb_rel, str):
            raise ConfigError(f"{where}: 'notebook' (path relative to the configuration) is required")
        notebook = (path.parent / nb_rel).resolve()
        if not notebook.is_file():
            raise ConfigError(f"{where}: notebook {nb_rel!r} not found (looked for {notebook})")
        params = entry.get("parameters", {})
        matrix = entry.get("matrix", {})
        if not isinstance(params, dict) or not isinstance(matrix, dict):
            raise ConfigError(f"{where}: parameters and matrix must be tables")
        for key, values in matrix.items():
            if not isinstance(values, list) or not values:
                raise ConfigError(f"{where}: matrix {key!r} must be a non-empty list of values")
        timeout = _positive_number(entry.get("timeout"), f"{where}: timeout") or default_timeout
        reports.extend(expand_matrix(base, notebook, params, matrix, timeout=timeout))

    _check_unique(reports, path)
    return BatchConfig(path=path, reports=reports, profiles=profiles, kernel=kernel, timeout=default_timeout)


def _positive_number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where} must be a positive number of seconds, not {value!r}")
    return float(value)


def expand_matrix(
    base: str,
    notebook: Path,
    parameters: dict[str, Any],
    matrix: dict[str, list[Any]],
    *,
    timeout: float | None = None,
) -> list[ReportSpec]:
    """One `ReportSpec` per combination of the matrix values (in the order written).

    A matrix value overrides the parameter of the same name. Without a matrix
    the result is the single report named `base`.
    """
    if not matrix:
        return [ReportSpec(base, base, notebook, dict(parameters), {}, timeout)]
    keys = list(matrix)
    specs = []
    for combo in itertools.product(*(matrix[k] for k in keys)):
        values = dict(zip(keys, combo, strict=True))
        specs.append(
            ReportSpec(report_name(base, values), base, notebook, {**parameters, **values}, values, timeout)
        )
    return specs


def _check_unique(reports: list[ReportSpec], path: Path) -> None:
    """Distinct reports whose names collide get a short hash of their matrix values appended."""
    seen: dict[str, list[int]] = {}
    for i, spec in enumerate(reports):
        seen.setdefault(spec.name, []).append(i)
    for name, idx in seen.items():
        if len(idx) < 2:
            continue
        if sum(1 for i in idx if not reports[i].matrix) > 1:
            raise ConfigError(f"{path}: report name {name!r} is used more than once")
        for i in idx:
            spec = reports[i]
            suffix = _short_hash([spec.base, spec.matrix])
            reports[i] = replace(spec, name=f"{name[: MAX_SLUG - 9].rstrip('-_')}-{suffix}")
    names = [r.name for r in reports]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ConfigError(f"{path}: report names {dup} are used more than once")


# --------------------------------------------------------------------------- selection


def select_reports(reports: list[ReportSpec], only: list[str] | None) -> list[ReportSpec]:
    """Reports named in `only` (by expanded name or by configured name); all if `only` is empty."""
    if not only:
        return list(reports)
    known = {r.name for r in reports} | {r.base for r in reports}
    missing = [o for o in only if o not in known]
    if missing:
        raise ConfigError(
            f"--only: no report named {', '.join(map(repr, missing))}; "
            f"known: {', '.join(sorted({r.base for r in reports}))}"
        )
    wanted = set(only)
    return [r for r in reports if r.name in wanted or r.base in wanted]


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


# --------------------------------------------------------------------------- parameter checks


@dataclass(frozen=True)
class DeclaredParameter:
    """A parameter as the notebook's `parameters` cell declares it."""

    name: str
    annotation: str | None  # source text of the annotation, e.g. "list[str]"
    default: Any
    help: str = ""


def notebook_parameters(notebook: Path) -> dict[str, DeclaredParameter]:
    """The parameters declared in the notebook's cell tagged `parameters`.

    Read with papermill's inspector (names, help) and Python's parser, which
    also understands annotations papermill's pattern does not (`str | None`,
    `Literal["a", "b"]`).
    """
    import nbformat
    import papermill

    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for unreadable files
        raise ConfigError(f"{notebook}: cannot read notebook ({exc})") from None
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ConfigError(f"{notebook}: needs exactly one cell tagged 'parameters' (found {len(cells)})")
    declared: dict[str, DeclaredParameter] = {}
    # papermill's own pattern warns about lines it cannot read (e.g. quotes in help text);
    # Python's parser below reads them, so the warnings are noise here.
    pm_log = logging.getLogger("papermill")
    level = pm_log.level
    pm_log.setLevel(logging.ERROR)
    try:
        inspected = papermill.inspect_notebook(str(notebook))
    finally:
        pm_log.setLevel(level)
    try:
        tree = ast.parse(cells[0].source)
    except SyntaxError:
        tree = ast.Module(body=[], type_ignores=[])
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
    for name, info in inspected.items():
        if name not in declared:
            annotation = info.get("inferred_type_name")
            declared[name] = DeclaredParameter(
                name, None if annotation in (None, "None") else annotation, None, info.get("help") or ""
            )
    return declared


_SIMPLE = {
    "str": str,
    "int": int,
    "float": (int, float),
    "bool": bool,
    "list": list,
    "dict": dict,
    "tuple": (list, tuple),
}


def value_matches(value: Any, annotation: str | None, default: Any = None) -> bool:
    """Whether `value` fits the declared annotation (source text), or the default's type if none.

    Understands str, int, float (ints accepted), bool, list[...], dict[...],
    tuple, `X | None`, `Optional[X]`, `Literal[...]`, date/datetime (ISO strings
    accepted). An annotation it does not understand accepts anything.
    """
    if annotation is None:
        if default is None:
            return True
        return value_matches(value, type(default).__name__)
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return True
    return _matches(value, node)


def _matches(value: Any, node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and node.value is None:
        return value is None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _matches(value, node.left) or _matches(value, node.right)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "quoted" annotation
        try:
            return _matches(value, ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return True
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = node.id if isinstance(node, ast.Name) else node.attr
        if name in ("NoneType",):
            return value is None
        if name in ("date", "datetime"):
            return _is_iso_date(value, name) or (
                isinstance(value, dt.date) and (name == "date" or isinstance(value, dt.datetime))
            )
        if name in ("Any", "object"):
            return True
        expected = _SIMPLE.get(name)
        if expected is None:
            return True
        if isinstance(value, bool) and name in ("int", "float"):
            return False
        return isinstance(value, expected)
    if isinstance(node, ast.Subscript):
        outer = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", "")
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if outer == "Optional":
            return value is None or _matches(value, args[0])
        if outer == "Union":
            return any(_matches(value, a) for a in args)
        if outer == "Literal":
            allowed = [ast.literal_eval(a) for a in args]
            return any(value == a and type(value) is type(a) for a in allowed)
        if outer in ("list", "List", "Sequence", "set", "Set"):
            return isinstance(value, (list, tuple)) and all(_matches(v, args[0]) for v in value)
        if outer in ("tuple", "Tuple"):
            return isinstance(value, (list, tuple))
        if outer in ("dict", "Dict", "Mapping"):
            return isinstance(value, dict) and all(
                _matches(k, args[0]) and _matches(v, args[-1]) for k, v in value.items()
            )
    return True


def _is_iso_date(value: Any, kind: str) -> bool:
    if not isinstance(value, str):
        return False
    try:
        (dt.date if kind == "date" else dt.datetime).fromisoformat(value)
    except ValueError:
        return False
    return True


def _expects_string(annotation: str | None, default: Any) -> bool:
    if annotation is None:
        return isinstance(default, str)
    return value_matches("2000-01-01", annotation) and not value_matches(2000, annotation)


def resolve_parameters(
    reports: list[ReportSpec],
    *,
    overrides: dict[str, tuple[Any, str]] | None = None,
    profile: dict[str, Any] | None = None,
) -> list[ReportSpec]:
    """Apply profile values and `-p` overrides, then check every report against its notebook.

    A profile value applies to the reports whose notebook declares that
    parameter; a `-p` override applies to every report (and must be declared by
    each). A `-p` value parsed as a number where the notebook declares a string
    (`-p end=2021`) is passed as the text written. Every unknown name and wrong
    type of every report is collected; if there is any, one `ParameterError`
    lists them all and nothing runs.
    """
    overrides = overrides or {}
    profile = profile or {}
    cache: dict[Path, dict[str, DeclaredParameter]] = {}
    problems: list[str] = []
    resolved: list[ReportSpec] = []
    if profile and reports:
        declared_any = set().union(*(_declared(r.notebook, cache) for r in reports))
        for name in sorted(set(profile) - declared_any):
            problems.append(f"profile parameter {name!r}: no selected notebook declares it")
    for spec in reports:
        declared = _declared(spec.notebook, cache)
        params = dict(spec.parameters)
        params.update({k: v for k, v in profile.items() if k in declared})
        for name, (value, raw) in overrides.items():
            decl = declared.get(name)
            if decl is not None and not isinstance(value, str) and _expects_string(decl.annotation, decl.default):
                value = raw
            params[name] = value
        for name, value in params.items():
            decl = declared.get(name)
            if decl is None:
                known = ", ".join(sorted(declared)) or "none"
                problems.append(
                    f"{spec.name}: unknown parameter {name!r} for {spec.notebook.name} (declared: {known})"
                )
            elif not value_matches(value, decl.annotation, decl.default):
                expected = decl.annotation or type(decl.default).__name__
                problems.append(
                    f"{spec.name}: parameter {name!r} = {value!r} is not of the declared type {expected}"
                )
        resolved.append(replace(spec, parameters=params))
    if problems:
        raise ParameterError(
            f"{len(problems)} parameter problem(s), nothing was run:\n  " + "\n  ".join(problems)
        )
    return resolved


def _declared(notebook: Path, cache: dict[Path, dict[str, DeclaredParameter]]) -> dict[str, DeclaredParameter]:
    if notebook not in cache:
        cache[notebook] = notebook_parameters(notebook)
    return cache[notebook]


def data_parameters(parameters: dict[str, Any]) -> dict[str, list[str]]:
    """The parameters that name input data (`data`, `data_*`, `*_data`) → their path values."""
    out: dict[str, list[str]] = {}
    for name, value in parameters.items():
        if not DATA_PARAMETER.match(name):
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        paths = [str(v) for v in values if isinstance(v, (str, Path)) and str(v)]
        if paths:
            out[name] = paths
    return out
