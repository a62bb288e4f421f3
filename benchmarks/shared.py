"""What sharing costs: the bundled batch with and without `--profile shared`, side by side.

Runs `coopanalysis run --force` on the bundled reports, alternating a plain run and a shared run
(small-count suppression, the batch-wide period x platform pattern, the private log folder), and
prints the median wall time of each and their ratio. Each run writes into a fresh folder of its own.

    .venv/bin/python benchmarks/shared.py --repeat 3 [--jobs 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = Path(sys.executable).with_name("coopanalysis")


def timed_run(out: Path, *, shared: bool, jobs: int) -> float:
    """Seconds one `coopanalysis run` takes (it must succeed)."""
    command = [str(CLI), "run", "--out", str(out), "--force", "--jobs", str(jobs)]
    if shared:
        command += ["--profile", "shared"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (default 3)")
    parser.add_argument("--jobs", type=int, default=2, help="reports at once (default 2)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    plain, shared = [], []
    with tempfile.TemporaryDirectory() as tmp:
        timed_run(Path(tmp) / "warm", shared=False, jobs=args.jobs)  # warm the caches once
        for i in range(args.repeat):
            plain.append(timed_run(Path(tmp) / f"plain-{i}", shared=False, jobs=args.jobs))
            shared.append(timed_run(Path(tmp) / f"shared-{i}", shared=True, jobs=args.jobs))
    result = {
        "repeat": args.repeat,
        "jobs": args.jobs,
        "seconds": {"plain": statistics.median(plain), "shared": statistics.median(shared)},
        "ratio_shared_to_plain": statistics.median(s / p for s, p in zip(shared, plain, strict=True)),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"plain run   {result['seconds']['plain']:6.1f} s (median of {args.repeat})")
        print(f"shared run  {result['seconds']['shared']:6.1f} s")
        print(f"shared / plain: {result['ratio_shared_to_plain']:.2f}x (pair by pair, median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
