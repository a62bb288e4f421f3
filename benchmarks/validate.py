"""What validating a request log costs, side by side with DuckDB: seconds and peak memory on a
synthetic log, CSV and Parquet, clean and with 1% bad rows.

    .venv/bin/python benchmarks/validate.py --rows 1000000 [--repeat 3] [--json]
    git archive HEAD src | tar -x -C /tmp/before          # an earlier version, to compare with
    .venv/bin/python benchmarks/validate.py --rows 1000000 --before /tmp/before/src

Without `--before`, each input is validated the way a report loads it (`load_requests(path)
.kept_on_disk(cache)` and its summary: kept rows and rejects written once, in one pass) and by the
DuckDB SQL pipeline of `benchmarks/duckdb_rules.py`, which applies our exact rules and writes kept
rows and rejects as well. Each run is a fresh process (imports done before the clock starts) that
reports its own peak resident memory (VmHWM, which counts the pages of a file the process maps:
polars maps a CSV to count its rows) and its peak private memory (RssAnon, sampled every 10 ms);
the two run in turn, and the ratio is the median of
the pair-by-pair ratios. Before anything is timed, both must agree: the same rows read and kept,
and the same rejects line by line (line, column, reason, value), or the run stops, naming the
reasons that differ. `--json` prints {"rows": N, "inputs": [{"kind", "seconds": {"coopanalysis",
"duckdb"}, "peak_rss_mb": {...}, "peak_private_mb": {...}, "ratio": ...}]}.

With `--before SRC`, it times `coopanalysis validate FILE --json` against another copy of the
package instead, with their outputs checked equal:

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


SIDE = """
import json, shutil, sys, tempfile, threading, time
from pathlib import Path
private = [0]
def sample():  # RssAnon every 10 ms: memory of the process's own, without the files it maps
    while True:
        for l in open("/proc/self/status"):
            if l.startswith("RssAnon:"):
                private[0] = max(private[0], int(l.split()[1]))
        time.sleep(0.01)
threading.Thread(target=sample, daemon=True).start()
engine, path, result = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, {bench!r})
if engine == "duckdb":
    import duckdb_rules
else:
    from coopanalysis.io.requests import load_requests
work = Path(tempfile.mkdtemp(prefix="bench-validate-"))
start = time.perf_counter()
if engine == "duckdb":
    read, kept = duckdb_rules.validate_duckdb(path, work / "out")
else:
    loaded = load_requests(path).kept_on_disk(work)
    summary = loaded.summary()
    read, kept = summary["rows_read"], summary["rows_kept"]
seconds = time.perf_counter() - start
peak = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")][0] / 1024
if result.name:
    rej = duckdb_rules.rejects(work / "out") if engine == "duckdb" else loaded.rejects.select("line", "column", "reason", "value")
    rej.write_parquet(result)
shutil.rmtree(work)
print(json.dumps({{"seconds": seconds, "peak_mb": peak, "private_mb": private[0] / 1024, "read": read, "kept": kept}}))
""".format(bench=str(ROOT / "benchmarks"))
ENGINES = ("coopanalysis", "duckdb")


def side_run(engine: str, path: Path, result: Path | None = None) -> dict:
    """One validation of `path` by `engine` in a fresh process: its seconds, own peak MB, counts
    (and its rejects written to `result` when given)."""
    done = subprocess.run([sys.executable, "-c", SIDE, engine, str(path), str(result or "")],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{engine} on {path} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_agree(name: str, path: Path, out: Path) -> None:
    """Stop unless coopanalysis and DuckDB read and keep the same rows and reject the same lines
    for the same reasons (column and value too)."""
    files = {e: out / f"rejects-{name.replace(' ', '-')}-{e}.parquet" for e in ENGINES}
    runs = {e: side_run(e, path, files[e]) for e in ENGINES}
    counts = {e: (r["read"], r["kept"]) for e, r in runs.items()}
    if len(set(counts.values())) != 1:
        raise SystemExit(f"{name}: rows (read, kept) differ: {counts}")
    ours, theirs = (pl.read_parquet(files[e]) for e in ENGINES)
    if not ours.equals(theirs):
        diff = ours.join(theirs, on="line", how="full", coalesce=True, suffix="_duckdb").filter(
            pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_duckdb")) for c in ("column", "reason", "value")))
        reasons = sorted(set(diff["reason"].drop_nulls()) | set(diff["reason_duckdb"].drop_nulls()))
        raise SystemExit(f"{name}: the rejects differ on {diff.height} line(s), reasons {reasons}:\n{diff.head(5)}")
    by_reason = dict(ours.group_by("reason").len().sort("reason").iter_rows())
    print(f"  {name}: both read {counts['duckdb'][0]:,}, keep {counts['duckdb'][1]:,}, same rejects {by_reason}",
          file=sys.stderr)


def side_by_side(args, files: dict[str, Path], out: Path) -> int:
    for name, path in files.items():
        check_agree(name, path, out)
    runs: dict[str, dict[str, list[dict]]] = {name: {e: [] for e in ENGINES} for name in files}
    for _ in range(args.repeat):
        for name, path in files.items():
            for engine in ENGINES:
                runs[name][engine].append(side_run(engine, path))
    inputs = []
    for name, by in runs.items():
        inputs.append({
            "kind": name,
            "seconds": {e: round(statistics.median(r["seconds"] for r in by[e]), 3) for e in ENGINES},
            "peak_rss_mb": {e: round(statistics.median(r["peak_mb"] for r in by[e]), 1) for e in ENGINES},
            "peak_private_mb": {e: round(statistics.median(r["private_mb"] for r in by[e]), 1) for e in ENGINES},
            "ratio": round(statistics.median(a["seconds"] / b["seconds"]
                                             for a, b in zip(by["coopanalysis"], by["duckdb"], strict=True)), 3),
        })
    result = {"rows": args.rows, "repeat": args.repeat, "inputs": inputs}
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"Validated load (kept rows and rejects written), {args.rows:,} rows, median of {args.repeat}; "
          "rejects checked equal line by line")
    print("peak memory: resident (VmHWM, with the pages of files the process maps) / private (RssAnon)")
    print("| input | coopanalysis | DuckDB | ratio |\n|---|---:|---:|---:|")
    for i in inputs:
        s, m, p = i["seconds"], i["peak_rss_mb"], i["peak_private_mb"]
        print(f"| {i['kind']} | {s['coopanalysis']:.2f} s / {m['coopanalysis']:.0f} / {p['coopanalysis']:.0f} MB "
              f"| {s['duckdb']:.2f} s / {m['duckdb']:.0f} / {p['duckdb']:.0f} MB | {i['ratio']:.2f}x |")
    return 0


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
    if not args.before:
        return side_by_side(args, files, out)
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
