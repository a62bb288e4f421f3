"""Would the validated cache be faster with enumerated columns? The main analyses on the same kept
rows stored two ways, measured in the same run:

    .venv/bin/python benchmarks/enum_cache.py --rows 1000000 [--repeat 5]

- text: as `io.cache` writes them now (every column a String);
- enum: response and case_outcome as `pl.Enum` (their allowed values, `core.schema`), platform,
  crime_type and channel as `pl.Categorical` (open lists: a log may hold any value there), read
  back as they are (`enum-raw`) and cast back to String at the scan (`enum-as-text`), which is what
  the cache would have to do to keep every caller seeing String columns.
Prints the median seconds of `collect_main_analyses` on each, the ratios against text, the
file sizes, and checks that every variant gives the same results as text.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transforms import END, START, ensure_log  # noqa: E402

from coopanalysis.core import schema as S  # noqa: E402
from coopanalysis.transforms.analyses import collect_main_analyses  # noqa: E402

ENUMS = {"response": pl.Enum(S.RESPONSES), "case_outcome": pl.Enum(S.CASE_OUTCOMES)}
CATEGORICAL = ("platform", "crime_type", "channel")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    from coopanalysis.io.requests import load_requests

    with tempfile.TemporaryDirectory(prefix="bench-enum-") as tmp:
        kept = load_requests(ensure_log(args.rows, 2020, quiet=True)).kept_on_disk(tmp).data.collect()
        text, enum = Path(tmp) / "text.parquet", Path(tmp) / "enum.parquet"
        kept.write_parquet(text)
        kept.with_columns([pl.col(c).cast(t) for c, t in ENUMS.items()]
                          + [pl.col(c).cast(pl.Categorical) for c in CATEGORICAL]).write_parquet(enum)
        variants = {
            "text": lambda: pl.scan_parquet(text),
            "enum-raw": lambda: pl.scan_parquet(enum),
            "enum-as-text": lambda: pl.scan_parquet(enum).with_columns(pl.col([*ENUMS, *CATEGORICAL]).cast(pl.String)),
        }
        results, failed = {}, {}
        for n, f in list(variants.items()):
            try:
                results[n] = collect_main_analyses(f(), start=START, end=END)
            except BaseException as exc:  # polars may panic on categorical keys: a result, not a crash
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failed[n] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                del variants[n]
        for name, res in results.items():
            for key, frame in res.items():
                theirs = frame.with_columns(pl.col(pl.Categorical, pl.Enum).cast(pl.String))
                assert_frame_equal(results["text"][key], theirs, check_dtypes=False)
        times: dict[str, list[float]] = {n: [] for n in variants}
        for _ in range(args.repeat):
            for name, scan in variants.items():
                t0 = time.perf_counter()
                collect_main_analyses(scan(), start=START, end=END)
                times[name].append(time.perf_counter() - t0)
        sizes = {"text": text.stat().st_size, "enum-raw": enum.stat().st_size, "enum-as-text": enum.stat().st_size}
    print(f"main analyses on a {args.rows:,}-row validated cache, median of {args.repeat}; results checked equal")
    for name, why in failed.items():
        print(f"  {name:<13} FAILS: {why}")
    base = times["text"]
    for name, ts in times.items():
        ratio = statistics.median(a / b for a, b in zip(ts, base, strict=True))
        print(f"  {name:<13} {statistics.median(ts):6.3f} s  {ratio:5.2f}x text   file {sizes[name] / 2**20:6.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
