"""`coopanalysis run`: the command line of the batch runner (its argparse part only)."""

from __future__ import annotations

import argparse
from typing import Any


def _run_command(args: argparse.Namespace) -> int:
    """Run the batch with the command's options; its exit code."""
    from coopanalysis.batch import run_batch

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
