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

import hashlib
import itertools
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from coopanalysis.errors import CoopAnalysisError

MAX_SLUG = 80
"""Longest report name used as a file name (a short hash marks anything cut)."""

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}
RESERVED_NAMES = {"index", "summary", "logs", "failed", "executed"} | _WINDOWS_RESERVED
"""Names a report cannot take: output files and folders of the batch, and Windows device names."""


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
    """8 hex digits of the sha256 of `value` as JSON (keys sorted)."""
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
    """The configured report name if it is a safe, unreserved, short file name; `ConfigError` otherwise."""
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
    raw = _read_toml(path)
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
        reports.extend(_report_entry(entry, i, path, default_timeout))
    _check_unique(reports, path)
    return BatchConfig(path=path, reports=reports, profiles=profiles, kernel=kernel, timeout=default_timeout)


def _read_toml(path: Path) -> dict[str, Any]:
    """The parsed TOML of `path`; `ConfigError` if it is missing or not TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _report_entry(entry: Any, i: int, path: Path, default_timeout: float | None) -> list[ReportSpec]:
    """The `ReportSpec`s of the `i`-th `[[reports]]` table (its matrix expanded); `ConfigError` if unusable."""
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
    return expand_matrix(base, notebook, params, matrix, timeout=timeout)


def _positive_number(value: Any, where: str) -> float | None:
    """`value` as seconds (None stays None); `ConfigError` unless it is a positive number."""
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


def profile_values(config: BatchConfig, profile: str | None) -> dict[str, Any]:
    """The parameters of `[profiles.NAME]` for `--profile NAME` (empty without one); `ConfigError` if unknown."""
    if profile is None:
        return {}
    if profile not in config.profiles:
        known = ", ".join(sorted(config.profiles)) or "none"
        raise ConfigError(f"--profile {profile!r}: not in {config.path} (profiles: {known})")
    return config.profiles[profile]
