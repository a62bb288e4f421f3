"""What `coopanalysis validate` costs: seconds and peak memory on a synthetic log, CSV and Parquet,
clean and with 1% bad rows, and (given `--before SRC`) the same against another copy of the
package, with their outputs checked equal.

    .venv/bin/python benchmarks/validate.py --rows 1000000 [--repeat 3] [--json]
    git archive HEAD src | tar -x -C /tmp/before          # an earlier version, to compare with
    .venv/bin/python benchmarks/validate.py --rows 1000000 --before /tmp/before/src

The log is written once with `coopanalysis synth` and kept in `benchmarks/out/validate-<rows>/`
(delete it to regenerate); the bad variant changes every 100th row in one of five ways (a response
outside the list, a repeated request id, a country that is not a code, a reply dated before its
request, a request dated in the future). Each measurement is `coopanalysis validate FILE --json` in
a fresh Python process that reports its own peak resident memory (`ru_maxrss` of RUSAGE_SELF, so
nothing of this script is counted); the seconds are its wall time as seen from here, interpreter
start included. Figures are medians of `--repeat` runs, before and after run in turn. Before
anything is timed, each version writes the rejects of each input (`--rejects`) once, and the run
stops if the summaries or the rejects files differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, resource, sys
from coopanalysis.cli import main
import coopanalysis
code = main(sys.argv[1:])
sys.stdout.flush()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"package": coopanalysis.__file__, "peak_kb": peak, "code": code}), file=sys.stderr)
"""


def make_inputs(rows: int, out: Path) -> dict[str, Path]:
    """The four logs (csv, parquet) x (clean, bad), written once."""
    out.mkdir(parents=True, exist_ok=True)
    files = {f"{form} {kind}": out / f"{kind}.{form}" for form in ("csv", "parquet") for kind in ("clean", "bad")}
    if all(p.exists() for p in files.values()):
        return files
    clean = out / "clean.parquet"
    subprocess.run([str(Path(sys.executable).with_name("coopanalysis")), "synth", "--rows", str(rows),
                    "--out", str(clean)], check=True, capture_output=True)
    log = pl.read_parquet(clean)
    i = pl.int_range(pl.len())
    which = pl.when(i % 100 == 7).then(i // 100 % 5)
    future = dt.date.today() + dt.timedelta(days=30)
    bad = log.with_columns(
        response=pl.when(which == 0).then(pl.lit("maybe")).otherwise(pl.col("response")),
        request_id=pl.when(which == 1).then(pl.col("request_id").shift(1)).otherwise(pl.col("request_id")),
        country=pl.when(which == 2).then(pl.lit("Korea")).otherwise(pl.col("country")),
        responded_on=pl.when((which == 3) & pl.col("responded_on").is_not_null())
        .then(pl.col("requested_on") - pl.duration(days=3)).otherwise(pl.col("responded_on")),
        requested_on=pl.when(which == 4).then(pl.lit(future)).otherwise(pl.col("requested_on")),
    )
    bad.write_parquet(files["parquet bad"])
    log.write_csv(files["csv clean"])
    bad.write_csv(files["csv bad"])
    return files


def run(path: Path, src: str | None, extra: tuple[str, ...] = ()) -> tuple[float, float, str, str]:
    """(seconds, peak RSS in MB, stdout, package file) of `coopanalysis validate PATH --json` in a
    fresh process, with `src` first on its path when given."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, "validate", str(path), "--json", *extra],
                          capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    report = json.loads(done.stderr.strip().splitlines()[-1])
    if report["code"] != 0:
        raise SystemExit(f"validate {path} failed ({report['code']}):\n{done.stderr[-2000:]}")
    return seconds, report["peak_kb"] / 1024, done.stdout.strip(), report["package"]


def check_same(files: dict[str, Path], before: str, out: Path) -> None:
    """Stop unless both versions print the same summary and write the same rejects for every input."""
    for name, path in files.items():
        outputs = []
        for label, src in (("before", before), ("after", None)):
            rejects = out / f"rejects-{name.replace(' ', '-')}-{label}.csv"
            _, _, summary, package = run(path, src, ("--rejects", str(rejects)))
            if not package.startswith(src or str(ROOT)):
                raise SystemExit(f"the {label} run imported {package}")
            outputs.append((summary, rejects.read_bytes()))
        if outputs[0][0] != outputs[1][0]:
            raise SystemExit(f"{name}: the summaries differ:\n{outputs[0][0]}\n{outputs[1][0]}")
        if outputs[0][1] != outputs[1][1]:
            raise SystemExit(f"{name}: the rejects files differ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the synthetic log (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    parser.add_argument("--before", help="a src folder of another version of the package, to compare with")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out", help="where the logs are kept")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    out = args.out / f"validate-{args.rows}"
    files = make_inputs(args.rows, out)
    versions = {"after": None} if not args.before else {"before": args.before, "after": None}
    if args.before:
        check_same(files, args.before, out)
    seconds: dict[str, dict[str, list[float]]] = {name: {v: [] for v in versions} for name in files}
    peak: dict[str, dict[str, list[float]]] = {name: {v: [] for v in versions} for name in files}
    for _ in range(args.repeat):
        for name, path in files.items():
            for version, src in versions.items():
                s, mb, _, _ = run(path, src)
                seconds[name][version].append(s)
                peak[name][version].append(mb)
    result = {
        "rows": args.rows,
        "repeat": args.repeat,
        "seconds": {n: {v: statistics.median(x) for v, x in by.items()} for n, by in seconds.items()},
        "peak_rss_mb": {n: {v: statistics.median(x) for v, x in by.items()} for n, by in peak.items()},
    }
    if args.before:
        result["ratio_before_to_after"] = {
            n: {"seconds": statistics.median(b / a for b, a in zip(by["before"], by["after"], strict=True)),
                "peak_rss": statistics.median(b / a for b, a in zip(peak[n]["before"], peak[n]["after"], strict=True))}
            for n, by in seconds.items()
        }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"coopanalysis validate FILE --json, {args.rows:,} rows, median of {args.repeat}")
    for name in files:
        line = f"  {name:<14}" + "".join(
            f"  {v} {result['seconds'][name][v]:6.1f} s {result['peak_rss_mb'][name][v]:6.0f} MB" for v in versions)
        if args.before:
            r = result["ratio_before_to_after"][name]
            line += f"   before/after {r['seconds']:.2f}x time, {r['peak_rss']:.2f}x memory"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
