"""The plan of a batch run, settled before anything runs: which reports, with what, and which to skip.

`make_plan` reads the configuration, selects the reports (`--only`), applies
the profile and the `-p` overrides, checks every parameter against its
notebook's `parameters` cell (`resolve_parameters`: every problem of every
report in one `ParameterError`, exit 2, nothing run), checks the options and
the kernel, and fingerprints each report: one whose fingerprint matches its
last successful run (and whose page is still there) is skipped. A report whose
resolved `suppress_below` is >= 2 (its parameters after the profile and `-p`
values, else its notebook's default) is shared (`batch.shared`): its job keeps
its log and notebooks in the private folder `shared.private_dir(out_dir)`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from coopanalysis.batch.config import (
    BatchConfig,
    ConfigError,
    ReportSpec,
    load_config,
    profile_values,
    select_reports,
)
from coopanalysis.batch.fingerprints import InputHasher, fingerprint, input_hashes, notebook_hash, page_hash
from coopanalysis.batch.jobs import ReportJob
from coopanalysis.batch.lock import FolderLock
from coopanalysis.batch.outputs import load_manifest
from coopanalysis.batch.parameters import (LOG_PARAMETERS, DeclaredParameter, notebook_parameters, parse_overrides,
                                           value_problems)
from coopanalysis.batch.shared import is_shared, private_dir, refuse_symlinked_folders
from coopanalysis.batch.typecheck import expects_string, value_matches
from coopanalysis.core.files import ensure_dir, ensure_private_dir
from coopanalysis.errors import ParameterError


@dataclass
class PlannedReport:
    """One selected report: its checked spec, input hashes, fingerprint, and its job or the run it repeats.

    `job` is None when the report is skipped; `previous` is then its manifest entry.
    `shared`: see `batch.shared`.
    """

    spec: ReportSpec
    inputs: dict[str, str]
    fingerprint: str
    job: ReportJob | None = None
    previous: dict[str, Any] | None = None
    shared: bool = False


@dataclass
class Plan:
    """Everything settled before a batch runs."""

    config: BatchConfig
    out_dir: Path
    kernel: str
    reports: list[PlannedReport]
    manifest: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: FolderLock | None = None

    @property
    def to_run(self) -> list[ReportJob]:
        """The jobs of the reports that run this time, in configuration order."""
        return [r.job for r in self.reports if r.job is not None]

    @property
    def skipped(self) -> list[PlannedReport]:
        """The reports left as they are (unchanged since their last successful run)."""
        return [r for r in self.reports if r.job is None]


def make_plan(
    *,
    config: str | Path,
    out_dir: str | Path,
    only: list[str] | None = None,
    parameters: list[str] | None = None,
    profile: str | None = None,
    jobs: int | None = None,
    timeout: float | None = None,
    force: bool = False,
) -> Plan:
    """Settle the run (see the module docstring) and create the output folder.

    Raises `ConfigError` / `ParameterError` (exit 2) before anything is written.
    """
    cfg = load_config(config)
    selected = select_reports(cfg.reports, only)
    profile_params = profile_values(cfg, profile)
    resolved = resolve_parameters(selected, overrides=parse_overrides(parameters), profile=profile_params)
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, not {jobs}")
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"--timeout must be a positive number of seconds, not {timeout}")
    kernel = _kernel_for(cfg)
    out = ensure_dir(Path(out_dir).resolve())
    refuse_symlinked_folders(out)
    lock = FolderLock(out)  # held until run_batch releases it
    try:
        planner = _Planner(out, kernel, load_manifest(out), timeout=timeout, force=force, profile=profile_params)
        return Plan(cfg, out, kernel, [planner.plan(spec) for spec in resolved], planner.manifest, lock)
    except BaseException:
        lock.release()
        raise


def _kernel_for(cfg: BatchConfig) -> str:
    """The configuration's kernel (which must be installed), or the default one."""
    from coopanalysis.batch.kernel import default_kernel_name, kernel_installed

    if not cfg.kernel:
        return default_kernel_name()
    if not kernel_installed(cfg.kernel):
        raise ConfigError(f"{cfg.path}: kernel {cfg.kernel!r} is not installed (see `jupyter kernelspec list`)")
    return cfg.kernel


class _Planner:
    """Fingerprints reports against the manifest of the output folder and makes their jobs."""

    def __init__(self, out: Path, kernel: str, manifest: dict[str, dict[str, Any]], *, timeout: float | None,
                 force: bool, profile: dict[str, Any]) -> None:
        self.out, self.kernel, self.manifest = out, kernel, manifest
        self.timeout, self.force, self.profile = timeout, force, profile
        self.hasher = InputHasher()
        self.notebooks: dict[Path, str] = {}
        self.declared: dict[Path, dict[str, DeclaredParameter]] = {}
        self.versions = package_versions()

    def plan(self, spec: ReportSpec) -> PlannedReport:
        """The report's inputs and fingerprint; its job, or its previous run if nothing changed."""
        from coopanalysis import __version__

        declared = _declared(spec.notebook, self.declared)
        resolved = {**{name: d.default for name, d in declared.items()}, **spec.parameters}
        inputs = input_hashes(resolved, self.hasher)
        if resolved.get("mapping"):  # a changed mapping changes the rows read
            inputs[str(resolved["mapping"])] = self.hasher(str(resolved["mapping"]))[1]
        if spec.notebook not in self.notebooks:
            self.notebooks[spec.notebook] = notebook_hash(spec.notebook)
        shared = self.shared(spec)
        fp = fingerprint(notebook_sha=self.notebooks[spec.notebook], parameters=resolved, version=__version__,
                         inputs=inputs, shared=shared, profile=self.profile)
        planned = PlannedReport(spec, inputs, fp, shared=shared)
        previous = self.manifest.get(spec.name)
        page = page_hash(self.out / f"{spec.name}.html")
        unchanged = previous and previous.get("fingerprint") == fp and page and previous.get("page_sha256") == page
        if unchanged and not self.force:
            planned.previous = previous
        else:
            planned.job = self._job(spec, inputs, planned.shared)
        return planned

    def shared(self, spec: ReportSpec) -> bool:
        """Whether `spec` is shared: its resolved `suppress_below` (else its notebook's default) is >= 2."""
        if "suppress_below" in spec.parameters:
            return is_shared(spec.parameters["suppress_below"])
        declared = _declared(spec.notebook, self.declared).get("suppress_below")
        return is_shared(declared.default if declared else None)

    def _job(self, spec: ReportSpec, inputs: dict[str, str], shared: bool) -> ReportJob:
        """The job that runs `spec`, with its title and footer (parameters, input hashes, versions);
        a shared one's private folder is created here (0700)."""
        return ReportJob(
            shared=shared,
            private_dir=str(ensure_private_dir(private_dir(self.out))) if shared else "",
            name=spec.name,
            notebook=str(spec.notebook),
            parameters=spec.parameters,
            out_dir=str(self.out),
            kernel=self.kernel,
            cwd=os.getcwd(),
            timeout=self.timeout or spec.timeout,
            title=report_title(spec),
            footer={
                "Report": spec.name,
                "Parameters": spec.parameters,
                "Input data (sha256)": inputs or None,
                "Package versions": self.versions,
            },
        )


def report_title(spec: ReportSpec) -> str:
    """`Request volumes — platform: Telegram`: the configured name made readable, with its matrix values."""
    title = spec.base.replace("_", " ").capitalize()
    if spec.matrix:
        title += " — " + ", ".join(f"{k}: {v}" for k, v in spec.matrix.items())
    return title


def package_versions(names: tuple[str, ...] = ("coopanalysis", "polars", "altair", "papermill")) -> dict[str, str]:
    """Installed versions of the packages that make a report (for its footer)."""
    from importlib import import_module, metadata

    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = str(getattr(import_module(name), "__version__", "unknown"))
    return out


def resolve_parameters(
    reports: list[ReportSpec],
    *,
    overrides: dict[str, tuple[Any, str]] | None = None,
    profile: dict[str, Any] | None = None,
) -> list[ReportSpec]:
    """Apply profile values and `-p` overrides, then check every report against its notebook.

    A profile value applies to the reports whose notebook declares that
    parameter; a `-p` override applies to every report (and must be declared by
    each; `mapping`, one of `LOG_PARAMETERS`, to the reports that declare it). A `-p` value parsed as
    a number where the notebook declares a string (`-p end=2021`) is passed as the text written. Every
    unknown name, wrong type and refused value (`value_problems`: a misspelt platform, a missing mapping
    file) of every report is collected; if there is any, one `ParameterError`
    lists them all and nothing runs. Under a profile that shares (suppress_below >= 2), a report
    whose notebook declares no `suppress_below` is one of those problems: it would go out unprotected.
    """
    overrides = overrides or {}
    profile = profile or {}
    cache: dict[Path, dict[str, DeclaredParameter]] = {}
    problems: list[str] = []
    declared_any = set().union(*(_declared(r.notebook, cache) for r in reports))
    for name in sorted(set(profile) - declared_any if profile and reports else ()):
        problems.append(f"profile parameter {name!r}: no selected notebook declares it")
    for name in sorted(LOG_PARAMETERS & set(overrides) - declared_any):
        problems.append(f"-p {name}: no selected notebook declares it (it is for the reports on a request log)")
    resolved: list[ReportSpec] = []
    sharing = isinstance(profile.get("suppress_below"), int) and profile["suppress_below"] >= 2
    for spec in reports:
        declared = _declared(spec.notebook, cache)
        params = _applied(spec.parameters, declared, profile, overrides)
        problems.extend(_problems(spec, params, declared))
        if sharing and "suppress_below" not in declared:  # the profile could not protect it
            problems.append(f"{spec.name}: {spec.notebook.name} has no suppress_below parameter, so the "
                            "sharing profile cannot hide its small counts; leave it out (--only) or add one")
        resolved.append(replace(spec, parameters=params))
    if problems:
        raise ParameterError(
            f"{len(problems)} parameter problem(s), nothing was run:\n  " + "\n  ".join(problems)
        )
    return resolved


def _applied(
    parameters: dict[str, Any],
    declared: dict[str, DeclaredParameter],
    profile: dict[str, Any],
    overrides: dict[str, tuple[Any, str]],
) -> dict[str, Any]:
    """The report's parameters with the profile's (those its notebook declares) and the `-p` values on top."""
    params = dict(parameters)
    params.update({k: v for k, v in profile.items() if k in declared})
    for name, (value, raw) in overrides.items():
        decl = declared.get(name)
        if decl is None and name in LOG_PARAMETERS:
            continue
        if decl is not None and not isinstance(value, str) and expects_string(decl.annotation, decl.default):
            value = raw
        params[name] = value
    return params


def _problems(spec: ReportSpec, params: dict[str, Any], declared: dict[str, DeclaredParameter]) -> list[str]:
    """One line per parameter the notebook does not declare or whose value is not of the declared type."""
    problems = []
    for name, value in params.items():
        decl = declared.get(name)
        if decl is None:
            known = ", ".join(sorted(declared)) or "none"
            problems.append(f"{spec.name}: unknown parameter {name!r} for {spec.notebook.name} (declared: {known})")
        elif not value_matches(value, decl.annotation, decl.default):
            expected = decl.annotation or type(decl.default).__name__
            problems.append(f"{spec.name}: parameter {name!r} = {value!r} is not of the declared type {expected}")
        else:
            problems.extend(f"{spec.name}: {problem}" for problem in value_problems(name, value))
    return problems


def _declared(notebook: Path, cache: dict[Path, dict[str, DeclaredParameter]]) -> dict[str, DeclaredParameter]:
    """`notebook_parameters(notebook)`, read once per notebook."""
    if notebook not in cache:
        cache[notebook] = notebook_parameters(notebook)
    return cache[notebook]
