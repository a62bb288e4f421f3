"""Batch runs: every report of the configuration, in parallel, with an index page and a summary.

`coopanalysis run` reads the batch configuration (`notebooks/reports.toml`),
checks every report's parameters against its notebook, skips reports whose
inputs have not changed since their last successful run, executes the others
with papermill (in parallel processes, or on a Dask cluster) and renders each
to `DIR/NAME.html`. `DIR/index.html` and `DIR/summary.json` list every report
with its status, parameters, duration and headline figures.

Modules: `config` (configuration, matrix, slugs, parameter checks), `runner`
(execution), `outputs` (summary, index, manifest), `kernel` (IPC kernels).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from coopanalysis.batch.config import (
    ConfigError,
    ReportSpec,
    data_parameters,
    load_config,
    parse_overrides,
    resolve_parameters,
    select_reports,
)

__all__ = ["BatchOutcome", "register", "run_batch"]


@dataclass
class BatchOutcome:
    """What a batch run did: its exit code and the summary entries it wrote."""

    exit_code: int
    entries: list[dict[str, Any]]
    out_dir: Path


def _title(spec: ReportSpec) -> str:
    title = spec.base.replace("_", " ").capitalize()
    if spec.matrix:
        title += " — " + ", ".join(f"{k}: {v}" for k, v in spec.matrix.items())
    return title


def run_batch(
    *,
    config: str | Path | None = None,
    out_dir: str | Path = "reports",
    only: list[str] | None = None,
    parameters: list[str] | None = None,
    profile: str | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    timeout: float | None = None,
    force: bool = False,
    stream: TextIO | None = None,
) -> BatchOutcome:
    """Run the configured reports; see the module docstring. Raises `CoopAnalysisError` (exit 2)
    for configuration or parameter problems before anything runs."""
    from coopanalysis import __version__, paths
    from coopanalysis.batch import outputs
    from coopanalysis.batch.kernel import default_kernel_name
    from coopanalysis.batch.runner import Progress, ReportJob, package_versions, run_jobs

    stream = stream if stream is not None else sys.stderr
    started = time.monotonic()
    cfg = load_config(config or paths.REPORTS_CONFIG)
    selected = select_reports(cfg.reports, only)
    profile_values: dict[str, Any] = {}
    if profile is not None:
        if profile not in cfg.profiles:
            known = ", ".join(sorted(cfg.profiles)) or "none"
            raise ConfigError(f"--profile {profile!r}: not in {cfg.path} (profiles: {known})")
        profile_values = cfg.profiles[profile]
    resolved = resolve_parameters(selected, overrides=parse_overrides(parameters), profile=profile_values)
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, not {jobs}")
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"--timeout must be a positive number of seconds, not {timeout}")

    from jupyter_client.kernelspec import KernelSpecManager

    kernel = cfg.kernel or default_kernel_name()
    if cfg.kernel and kernel not in KernelSpecManager().find_kernel_specs():
        raise ConfigError(f"{cfg.path}: kernel {kernel!r} is not installed (see `jupyter kernelspec list`)")

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    versions = package_versions()
    hasher = outputs.InputHasher()
    manifest = outputs.load_manifest(out)
    nb_hashes: dict[Path, str] = {}
    to_run: list[ReportJob] = []
    planned: dict[str, dict[str, Any]] = {}
    skipped: dict[str, dict[str, Any]] = {}
    for spec in resolved:
        inputs = {
            value: hasher(value)[1] for values in data_parameters(spec.parameters).values() for value in values
        }
        if spec.notebook not in nb_hashes:
            nb_hashes[spec.notebook] = outputs.notebook_hash(spec.notebook)
        fp = outputs.fingerprint(
            notebook_sha=nb_hashes[spec.notebook], parameters=spec.parameters, version=__version__, inputs=inputs
        )
        planned[spec.name] = {"spec": spec, "inputs": inputs, "fingerprint": fp}
        previous = manifest.get(spec.name)
        if not force and previous and previous.get("fingerprint") == fp and (out / f"{spec.name}.html").exists():
            skipped[spec.name] = previous
            continue
        to_run.append(
            ReportJob(
                name=spec.name,
                notebook=str(spec.notebook),
                parameters=spec.parameters,
                out_dir=str(out),
                kernel=kernel,
                cwd=os.getcwd(),
                timeout=timeout or spec.timeout,
                title=_title(spec),
                footer={
                    "Report": spec.name,
                    "Parameters": spec.parameters,
                    "Input data (sha256)": inputs or None,
                    "Package versions": versions,
                },
            )
        )

    where = f"on {scheduler}" if scheduler else f"{min(jobs or os.cpu_count() or 1, max(1, len(to_run)))} at a time"
    stream.write(
        f"coopanalysis run: {len(to_run)} report(s) to run {where}"
        + (f", {len(skipped)} unchanged (skipped; --force to rerun)" if skipped else "")
        + "\n"
    )
    results = {}
    if to_run:
        with Progress(len(to_run), stream) as progress:
            for r in run_jobs(
                to_run,
                workers=jobs or os.cpu_count() or 1,
                scheduler=scheduler,
                on_start=progress.started_one,
                on_done=lambda r: progress.finished_one(r, out),
            ):
                results[r.name] = r

    entries: list[dict[str, Any]] = []
    for spec in resolved:
        plan = planned[spec.name]
        base = {
            "name": spec.name,
            "report": spec.base,
            "notebook": spec.notebook.name,
            "parameters": spec.parameters,
            "input_hashes": plan["inputs"],
            "this_run": True,
        }
        if spec.name in skipped:
            prev = skipped[spec.name]
            entries.append(
                {
                    **base,
                    "status": "skipped",
                    "duration_s": prev.get("duration_s"),
                    "outputs": prev.get("outputs", {}),
                    "headlines": prev.get("headlines", {}),
                    "error": None,
                    "last_success": prev.get("finished_at"),
                }
            )
            continue
        r = results[spec.name]
        entry = {
            **base,
            "status": r.status,
            "duration_s": r.duration_s,
            "outputs": r.outputs,
            "headlines": r.headlines,
            "error": r.error,
        }
        entries.append(entry)
        if r.status == "ok":
            manifest[spec.name] = {
                "fingerprint": plan["fingerprint"],
                "finished_at": outputs.now_iso(),
                "duration_s": r.duration_s,
                "outputs": r.outputs,
                "headlines": r.headlines,
                "parameters": spec.parameters,
                "input_hashes": plan["inputs"],
                "coopanalysis_version": __version__,
            }

    # Reports of the configuration not selected this time keep their previous entry.
    previous_summary = outputs.load_summary(out)
    ran = {e["name"] for e in entries}
    for spec in cfg.reports:
        if spec.name not in ran and spec.name in previous_summary:
            entries.append({**previous_summary[spec.name], "this_run": False})

    meta = {
        "title": "Reports",
        "finished_at": outputs.now_iso(),
        "elapsed_s": round(time.monotonic() - started, 3),
        "coopanalysis_version": __version__,
        "config": str(cfg.path),
        "kernel": kernel,
        "scheduler": scheduler,
    }
    outputs.save_manifest(out, manifest)
    outputs.write_summary(out, entries, meta=meta)
    meta["counts"] = {}
    for e in entries:
        meta["counts"][e["status"]] = meta["counts"].get(e["status"], 0) + 1
    index = outputs.write_index(out, entries, meta=meta)
    failed = [e for e in entries if e["this_run"] and e["status"] == "failed"]
    stream.write(f"index: {index}\n")
    if failed:
        stream.write(f"{len(failed)} report(s) failed: {', '.join(e['name'] for e in failed)}\n")
    return BatchOutcome(exit_code=1 if failed else 0, entries=entries, out_dir=out)


def _run_command(args: argparse.Namespace) -> int:
    return run_batch(
        config=args.config,
        out_dir=args.out,
        only=args.only,
        parameters=args.parameters,
        profile=args.profile,
        jobs=args.jobs,
        scheduler=args.scheduler,
        timeout=args.timeout,
        force=args.force,
    ).exit_code


def register(subparsers: Any) -> None:
    """Add `coopanalysis run` to the command line."""
    p = subparsers.add_parser(
        "run",
        help="run the configured reports and render them as offline HTML",
        description="Execute every report of the batch configuration with papermill (in parallel, "
        "or on a Dask cluster) and render each as self-contained HTML in DIR, with DIR/index.html and "
        "DIR/summary.json. Reports whose notebook, parameters, package version and input data are "
        "unchanged since their last successful run are skipped. Exit status: 0 all reports done, "
        "1 some report failed, 2 configuration or parameter error (nothing run).",
    )
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports/)")
    p.add_argument("--config", default=None, metavar="PATH", help="batch configuration (default: notebooks/reports.toml)")
    p.add_argument("--only", action="append", metavar="NAME", help="run only this report (repeatable)")
    p.add_argument(
        "-p", "--parameter", dest="parameters", action="append", metavar="NAME=VALUE",
        help="override a parameter in every selected report; values are read like papermill's -p "
        "(numbers, True/False/None), [a, b] lists, otherwise text",
    )
    p.add_argument("--profile", default=None, metavar="NAME", help="apply the parameters of [profiles.NAME]")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="reports run at once (default: number of cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on this Dask scheduler (tcp://host:8786)")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="time limit per report")
    p.add_argument("--force", action="store_true", help="rerun reports even if nothing changed")
    p.set_defaults(func=_run_command)
