"""The `coopanalysis synth` command: write a synthetic request log from the command line."""

from __future__ import annotations

import argparse

from coopanalysis.synth.calibration import DEFAULT_ROWS, LAST_DAY, START_YEARS, default_rows
from coopanalysis.synth.write import DEFAULT_SEED, output_format, write_synthetic

_KIND = {"csv": "CSV", "parquet": "Parquet file", "hive": "Parquet directory (by year)"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `coopanalysis synth` to `subparsers`; its `func(args)` writes the log and returns 0."""
    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic request log calibrated to published KNPA figures",
        description="Write a synthetic request log (canonical requests table; request ids "
        "start with SYN-) calibrated to KNPA's published yearly totals and reply rates. "
        f"Covers 1 January START_YEAR to {LAST_DAY.isoformat()}; periods after July 2024 "
        "are extrapolated. The format follows --out: .csv, .parquet, or a directory "
        "(Parquet partitioned by year).",
    )
    parser.add_argument(
        "--rows", type=int, default=None,
        help=f"number of requests (default: the calibrated size, {DEFAULT_ROWS:,} from 2020); "
        "periods are scaled in proportion",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", required=True, help="output: FILE.csv, FILE.parquet or DIRECTORY")
    parser.add_argument(
        "--start-year", type=int, default=2020, choices=START_YEARS, metavar="YEAR",
        help=f"first year covered, {START_YEARS[0]}–{START_YEARS[-1]} (default 2020)",
    )  # fmt: skip
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    """Write the log `args` describe, print one line saying what went where; return 0."""
    n = default_rows(args.start_year) if args.rows is None else args.rows
    path = write_synthetic(args.out, rows=n, seed=args.seed, start_year=args.start_year)
    fmt = "hive" if path.is_dir() else output_format(path)
    print(f"wrote {n:,} synthetic requests (seed {args.seed}) as {_KIND[fmt]} to {path}")
    return 0
