"""The `coopanalysis` command line.

Each sub-command lives in the module that owns the work; that module exposes
`register(subparsers)` which adds its parser and sets `func(args) -> int`.
Errors a user can fix (`CoopAnalysisError`) print one line and exit 2; no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from coopanalysis import __version__
from coopanalysis.errors import CoopAnalysisError

COMMAND_MODULES = (
    "coopanalysis.io.validate",  # validate
    "coopanalysis.synth",  # synth
    "coopanalysis.batch",  # run
    "coopanalysis.html.renderer",  # render
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coopanalysis",
        description="Requests for investigation cooperation to online platforms: validate data, "
        "make synthetic logs, run the reports and render them as offline HTML.",
    )
    parser.add_argument("--version", action="version", version=f"coopanalysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
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
