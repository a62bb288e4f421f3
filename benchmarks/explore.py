"""Benchmark: latency from a selection to updated views in `coopanalysis.explore`, Python side.

    .venv/bin/python benchmarks/explore.py --rows 1000000 [--data LOG.parquet] [--repeat 20] [--suppress-below 10]

Loads the log once as `explore()` does (validated, through the Parquet cache: `explore.tables.prepare`),
then drives the dashboard's own update — `explore.update.update` followed by the sentences under each
view (`explore.sentences.view_sentences`) — for `--repeat` different selections of the kind a
researcher makes: a brushed time range (one month to three years), with or without a platform
clicked, an agency or a crime type chosen. Prints the time to prepare the tables and the median,
90th percentile and slowest update in ms, and the figure the issue sets (300 ms at 1M rows, 1 s at
10M) beside the median as a ratio. Without `--data`, the log is written once with `coopanalysis synth`
into benchmarks/out/ (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _log(rows: int) -> Path:
    path = OUT / f"explore-{rows}.parquet"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(Path(sys.executable).with_name("coopanalysis")), "synth", "--rows", str(rows),
                        "--out", str(path)], check=True)
    return path


def selections(tables, n: int, seed: int = 7):
    """`n` selections: brushed ranges of 30 to 1,100 days inside the log, half with a platform, some
    with an agency or a crime type."""
    from coopanalysis.explore.selection import Selection

    rng = random.Random(seed)
    first, last = tables.info.extent
    span = (last - first).days
    out = []
    for i in range(n):
        length = rng.randint(30, min(1100, span))
        start = first + dt.timedelta(days=rng.randint(0, span - length))
        out.append(Selection(
            start=start, end=start + dt.timedelta(days=length),
            platforms=(rng.choice(tables.platforms),) if i % 2 else (),
            agencies=(rng.choice(tables.agencies),) if i % 5 == 3 else (),
            crime_types=(rng.choice(tables.crime_types),) if i % 7 == 5 else (),
        ))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", help="a request log to explore instead of a synthetic one")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--suppress-below", type=int, default=0)
    args = parser.parse_args()

    from coopanalysis.explore.sentences import view_sentences
    from coopanalysis.explore.tables import prepare
    from coopanalysis.explore.update import update

    data = args.data or str(_log(args.rows))
    t0 = time.perf_counter()
    tables = prepare(data)
    prepared = time.perf_counter() - t0
    update(tables, selections(tables, 1)[0])  # warm-up: first use of each query plan
    times = []
    for sel in selections(tables, args.repeat):
        t = time.perf_counter()
        views = update(tables, sel, suppress_below=args.suppress_below)
        view_sentences(tables, views)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    median = statistics.median(times)
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    target = 300 if tables.rows.height <= 1_000_000 else 1000
    print(f"rows {tables.rows.height:,}  prepare {prepared:.1f} s (validated load, cached after the first run)")
    print(f"update ms per selection: median {median:.0f}, p90 {p90:.0f}, max {times[-1]:.0f} "
          f"({len(times)} selections, suppress_below={args.suppress_below})")
    print(f"median / target ({target} ms): {median / target:.2f}")


if __name__ == "__main__":
    main()
