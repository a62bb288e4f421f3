"""The `coopanalysis` command line: every command's arguments, in one place.

Each command is a parser here and a short handler that calls the library: `validate` (io.validate),
`synth` (synth), `run` (batch), `render` (html), `audit` and `export` (batch). Errors a user can
fix (`CoopAnalysisError`) print one line and exit 2; no traceback.
"""

from __future__ import annotations

import argparse
import sys

from coopanalysis import __version__
from coopanalysis.core.i18n import LANGUAGES
from coopanalysis.errors import CoopAnalysisError

# ----------------------------------------------------------------------------- validate


def _validate(args: argparse.Namespace) -> int:
    from coopanalysis.io import validate

    if args.kind == "transparency":
        print(validate.transparency_report(args.path, as_json=args.json))
        return 0
    print(validate.file_report(args.path, kind=args.kind, mapping=args.map, rejects=args.rejects, as_json=args.json))
    return 0


def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a data file and count rows read / kept / rejected by reason",
        description="Read a request log, a table of published counts or a folder of provider transparency "
        "reports; print rows read, kept and rejected by reason. Exit 0 when the file was read (even with "
        "rejected rows), 2 when it could not be used.",
    )
    p.add_argument("path", help="CSV (UTF-8 or CP949), Parquet file or hive folder, XLSX; a folder for transparency")
    p.add_argument("--kind", choices=("requests", "counts", "transparency"), default="requests")
    p.add_argument("--map", metavar="MAP.toml", help="TOML mapping of the file's headers (and values) onto canonical names")
    p.add_argument("--rejects", metavar="OUT.csv", help="write rejected rows with file, line, column and reason")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.set_defaults(func=_validate)


# ----------------------------------------------------------------------------- synth


def _synth(args: argparse.Namespace) -> int:
    from coopanalysis import synth

    rows = synth.default_rows(args.start_year) if args.rows is None else args.rows
    path = synth.write_synthetic(args.out, rows=rows, seed=args.seed, start_year=args.start_year)
    print(f"wrote {rows:,} synthetic requests (seed {args.seed}) as {synth.describe_output(path)} to {path}")
    return 0


def _add_synth(sub: argparse._SubParsersAction) -> None:
    from coopanalysis import synth

    p = sub.add_parser(
        "synth",
        help="write a synthetic request log calibrated to published KNPA figures",
        description="Write a synthetic request log (canonical requests table; request ids "
        "start with SYN-) calibrated to KNPA's published yearly totals and reply rates. "
        f"Covers 1 January START_YEAR to {synth.LAST_DAY.isoformat()}; periods after July 2024 "
        "are extrapolated. The format follows --out: .csv, .parquet, or a directory "
        "(Parquet partitioned by year).",
    )
    p.add_argument(
        "--rows", type=int, default=None,
        help=f"number of requests (default: the calibrated size, {synth.DEFAULT_ROWS:,} from 2020); "
        "periods are scaled in proportion",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=synth.DEFAULT_SEED, help=f"random seed (default {synth.DEFAULT_SEED})")
    p.add_argument("--out", required=True, help="output: FILE.csv, FILE.parquet or DIRECTORY")
    years = synth.START_YEARS
    p.add_argument(
        "--start-year", type=int, default=2020, choices=years, metavar="YEAR",
        help=f"first year covered, {years[0]}–{years[-1]} (default 2020)",
    )  # fmt: skip
    p.set_defaults(func=_synth)


# ----------------------------------------------------------------------------- run


def _run(args: argparse.Namespace) -> int:
    from coopanalysis.batch import run_batch

    parameters = list(args.parameters or []) + ([f"mapping={args.map}"] if args.map else [])
    parameters += [f"lang={args.lang}"] if args.lang else []
    return run_batch(
        config=args.config, out_dir=args.out, only=args.only, parameters=parameters, profile=args.profile,
        jobs=args.jobs, scheduler=args.scheduler, timeout=args.timeout, force=args.force,
    ).exit_code


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
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
    p.add_argument(
        "--map", metavar="MAP.toml",
        help="TOML mapping of the request log's headers (and values) onto canonical names, as for validate; "
        "given to every selected report that reads a request log (the same as -p mapping=MAP.toml)",
    )
    p.add_argument("--lang", default=None, choices=LANGUAGES,
                   help="the language of every page and of the index (the same as -p lang=LANG)")
    p.add_argument("--profile", default=None, metavar="NAME", help="apply the parameters of [profiles.NAME]")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="reports run at once (default: number of cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on this Dask scheduler (tcp://host:8786)")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="time limit per report")
    p.add_argument("--force", action="store_true", help="rerun reports even if nothing changed")
    p.set_defaults(func=_run)


# ----------------------------------------------------------------------------- render


def _render(args: argparse.Namespace) -> int:
    from coopanalysis.html import render_notebook

    print(render_notebook(args.notebook, args.out, title=args.title))
    return 0


def _add_render(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "render",
        help="render one executed notebook as an offline HTML page",
        description="Render an executed notebook as a self-contained HTML page that works with "
        "no network: code hidden, charts drawn by an inlined vega bundle, data escaped.",
    )
    p.add_argument("notebook", metavar="EXECUTED.ipynb", help="an executed notebook")
    p.add_argument("--out", required=True, metavar="FILE.html", help="the HTML file to write")
    p.add_argument("--title", default=None, help="page title (default: the notebook's name)")
    p.set_defaults(func=_render)


# ----------------------------------------------------------------------------- audit


def _audit(args: argparse.Namespace) -> int:
    from coopanalysis.batch.audit import audit_folder, format_audit

    result = audit_folder(args.folder, exact=args.exact)
    print(format_audit(result, all_counts=not args.leaks_only))
    return 0 if result.ok else 1


def _add_audit(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit",
        help="check that the pages of a folder together give back no hidden count",
        description="Read the published counts every page of DIR records and solve, for each hidden "
        "count, the least and greatest value it can take given everything the folder shows (linear "
        "programs, HiGHS). Prints each hidden count with that interval. Exit status: 0 when every "
        "hidden count spans at least k, 1 when one can be narrowed below k or a page cannot be "
        "audited, 2 when DIR cannot be read.",
    )
    p.add_argument("folder", metavar="DIR", help="a folder of rendered reports (the --out of coopanalysis run)")
    p.add_argument("--leaks-only", action="store_true", help="print only the counts narrowed below k")
    p.add_argument("--exact", action="store_true",
                   help="compute every interval in full (slower; by default a protected count's interval "
                   "may be shown narrower than a reader can reach, never wider)")
    p.set_defaults(func=_audit)


# ----------------------------------------------------------------------------- export


def _export(args: argparse.Namespace) -> int:
    from coopanalysis.batch.datapackage import export_datapackage, format_result

    print(format_result(export_datapackage(args.folder, to=args.to, fmt=args.format)))
    return 0


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write every table the pages of a run publish as a Frictionless data package",
        description="Read the published pages of DIR (those summary.json lists; never executed notebooks "
        "or a shared run's private folder) and write every table they show as a Frictionless data package: "
        "datapackage.json (a schema per table, field descriptions, licence, sources, the suppression codes "
        "as missing values) and one CSV per table, hidden cells as the codes the page prints. The package "
        "folder is replaced as a whole, only once the new one is complete. Exit status: 0 written, "
        "2 DIR cannot be read or the package cannot be written.",
    )
    p.add_argument("folder", metavar="DIR", help="a folder of rendered reports (the --out of coopanalysis run)")
    p.add_argument("--format", default="datapackage", metavar="FORMAT",
                   help="what to write: datapackage (a Frictionless data package; the default)")
    p.add_argument("--to", default=None, metavar="PKG_DIR", help="the package folder (default: DIR/datapackage)")
    p.set_defaults(func=_export)


# ----------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: `coopanalysis validate | synth | run | render | audit | export`."""
    parser = argparse.ArgumentParser(
        prog="coopanalysis",
        description="Requests for investigation cooperation to online platforms: validate data, "
        "make synthetic logs, run the reports and render them as offline HTML.",
    )
    parser.add_argument("--version", action="version", version=f"coopanalysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_validate, _add_synth, _add_run, _add_render, _add_audit, _add_export):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status (2 for an error the user can fix, printed in one line)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CoopAnalysisError as exc:
        print(f"coopanalysis {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
