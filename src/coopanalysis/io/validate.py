"""The `validate` command: read a data file, print rows read / kept / rejected by reason.

Request logs and published counts go through `io.requests`, a folder of provider transparency
reports through `io.transparency`; `--rejects OUT.csv` writes the rejected rows (`io.rejects`).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from coopanalysis.core.files import atomic_path
from coopanalysis.io.rejects import REASONS
from coopanalysis.io.requests import load_counts, load_requests


def _print_summary(summary: dict[str, object]) -> None:
    """Print one file's summary (as `LoadResult.summary` or `validate_transparency` give it)."""
    print(f"{summary['file']} ({summary['kind']})")
    print(f"  rows read     {summary['rows_read']:>10,}")
    print(f"  rows kept     {summary['rows_kept']:>10,}")
    print(f"  rows rejected {summary['rows_rejected']:>10,}")
    for reason, n in summary["rejected_by_reason"].items():  # type: ignore[union-attr]
        print(f"    {reason:<30} {n:>8,}  {REASONS.get(reason, '')}")


def _write_rejects(rejects: pl.DataFrame, out: Path) -> None:
    """Write the rejects table to `out` as CSV, atomically."""
    with atomic_path(out) as tmp:
        rejects.write_csv(tmp)


def _validate_transparency(args) -> int:
    """`validate --kind transparency`: one summary per file of the folder (or one JSON object)."""
    from coopanalysis.io.transparency import validate_transparency

    files = validate_transparency(args.path)
    if args.json:
        totals = {k: sum(int(f[k]) for f in files) for k in ("rows_read", "rows_kept", "rows_rejected")}
        by_reason: dict[str, int] = {}
        for f in files:
            for reason, n in f["rejected_by_reason"].items():
                by_reason[reason] = by_reason.get(reason, 0) + n
        print(json.dumps({**totals, "rejected_by_reason": by_reason, "files": files}, ensure_ascii=False))
    else:
        for f in files:
            _print_summary({"kind": "transparency", **f})
    return 0


def validate_command(args) -> int:
    """Run `validate` with parsed `args`; 0 when the file was read (even with rejected rows)."""
    if args.kind == "transparency":
        return _validate_transparency(args)
    loader = load_requests if args.kind == "requests" else load_counts
    result = loader(args.path, mapping=args.map)
    summary = result.summary()
    if args.rejects:
        _write_rejects(result.rejects, Path(args.rejects))
    if args.json:
        keys = ("rows_read", "rows_kept", "rows_rejected", "rejected_by_reason")
        print(json.dumps({k: summary[k] for k in keys}, ensure_ascii=False))
    else:
        _print_summary(summary)
        if args.rejects:
            print(f"  rejected rows written to {args.rejects}")
    return 0


def register(subparsers) -> None:
    """Add the `validate` command to the command line's subparsers."""
    p = subparsers.add_parser(
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
    p.set_defaults(func=validate_command)
