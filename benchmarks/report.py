"""Cold against warm: what one report costs with and without the validated-rows cache.

    .venv/bin/python benchmarks/report.py --rows 1000000 [--repeat 3] [--json]

Writes a synthetic log twice with `coopanalysis synth --rows N` (a CSV file and a hive folder of
Parquet files, kept in `benchmarks/out/report-<rows>/`), then for each:
- cold: `coopanalysis run --only request_volumes -p data=LOG --force --jobs 1` with an empty cache
  (a fresh XDG_CACHE_HOME), so the report validates the log and writes the cache;
- warm: the same command again on that cache (the report reads the validated rows from it);
- load: the validated load alone, `load_requests(LOG).kept_on_disk(fresh folder)` and its summary,
  timed inside a fresh process (imports before the clock).
Cold and warm are whole-process wall times. Figures are medians of `--repeat` rounds, run in turn.
The check a cold report must pass: cold <= load + warm + 10%, i.e. the first run does the
validation once and nothing else that the warm run does not (no hidden repeated work).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("coopanalysis"))
LOAD = """
import json, sys, tempfile, time
from coopanalysis.io.requests import load_requests
with tempfile.TemporaryDirectory() as cache:
    start = time.perf_counter()
    load_requests(sys.argv[1]).kept_on_disk(cache).summary()
    print(json.dumps(time.perf_counter() - start))
"""


def make_logs(rows: int, out: Path) -> dict[str, Path]:
    """The CSV log and the hive folder, written once with `coopanalysis synth`."""
    out.mkdir(parents=True, exist_ok=True)
    logs = {"csv": out / "requests.csv", "hive": out / "requests-hive"}
    for path in logs.values():
        if not path.exists():
            subprocess.run([CLI, "synth", "--rows", str(rows), "--out", str(path)], check=True, capture_output=True)
    return logs


def report(log: Path, cache: Path, out: Path) -> float:
    """Wall seconds of one `coopanalysis run` of request_volumes on `log` with the cache in `cache`."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    cmd = [CLI, "run", "--only", "request_volumes", "-p", f"data={log}", "--out", str(out), "--force", "--jobs", "1"]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the report on {log} failed ({done.returncode}):\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    return seconds


def load(log: Path) -> float:
    done = subprocess.run([sys.executable, "-c", LOAD, str(log)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the synthetic log (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out", help="where the logs are kept")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    logs = make_logs(args.rows, args.out / f"report-{args.rows}")
    runs: dict[str, dict[str, list[float]]] = {k: {"cold": [], "warm": [], "load": []} for k in logs}
    for _ in range(args.repeat):
        for kind, log in logs.items():
            with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
                cache, out = Path(tmp) / "cache", Path(tmp) / "reports"
                runs[kind]["cold"].append(report(log, cache, out))
                runs[kind]["warm"].append(report(log, cache, out))
            runs[kind]["load"].append(load(log))
    inputs = []
    for kind, by in runs.items():
        m = {k: round(statistics.median(v), 2) for k, v in by.items()}
        bound = round((m["load"] + m["warm"]) * 1.1, 2)
        inputs.append({"kind": kind, "seconds": m, "bound": bound, "cold_within_bound": m["cold"] <= bound})
    result = {"rows": args.rows, "repeat": args.repeat, "inputs": inputs}
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"request_volumes, {args.rows:,}-row log, median of {args.repeat}")
    print("| input | cold | warm | validated load | load + warm + 10% | cold within |\n|---|---:|---:|---:|---:|---|")
    for i in inputs:
        s = i["seconds"]
        print(f"| {i['kind']} | {s['cold']:.1f} s | {s['warm']:.1f} s | {s['load']:.1f} s | {i['bound']:.1f} s "
              f"| {'yes' if i['cold_within_bound'] else 'NO'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
