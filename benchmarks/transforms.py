"""Benchmark: the main analyses of a request log in polars (ours), pandas and DuckDB SQL.

    .venv/bin/python benchmarks/transforms.py --rows 10000000 [--repeat 3] [--json]

Generates (or reuses) an N-row synthetic log under benchmarks/out/ with `coopanalysis synth`
(Parquet partitioned by year), then runs the same five analyses — monthly volumes by platform
and agency, year-over-year growth by platform, answered share by platform with its Wilson
interval, Kaplan–Meier time to response by platform, outcome mix by platform — with:

- polars: `coopanalysis.transforms.analyses` on `scan_parquet`, each collected on the streaming engine;
- pandas: `read_parquet` and group-bys, written as a pandas user would;
- duckdb: SQL over `read_parquet(..., hive_partitioning = true)`.

Each engine runs in its own subprocess (so its peak resident memory is its own: the worker's
VmHWM from /proc/self/status, not wait4's ru_maxrss, which a child inherits from its parent), `--repeat` times; the time is the median of the repetitions, each from the Parquet
files to the collected results. The results of pandas and DuckDB are checked equal to ours
(after sorting; floats to 1e-9 relative) before any figure is printed.

`--json` prints exactly one object: {"rows", "seconds": {engine: s}, "peak_rss_mb": {engine: MB}}.
`--engines` picks engines; `polars-validated` (not run by default) also times `load_requests`,
the validated loader, as a report uses it (kept rows and rejects cached in one pass), in front of
the same analyses. `--threads N` runs every engine on N threads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
START, END = dt.date(2020, 1, 1), dt.date(2025, 6, 30)
"""The span of the synthetic logs (synth.FIRST_DAY, synth.LAST_DAY)."""
ENGINES = ("polars", "pandas", "duckdb")
ALL_ENGINES = (*ENGINES, "polars-validated")
THREADS = int(os.environ.get("BENCH_THREADS", "0"))
"""Threads per engine (0: the engine's default, all cores); set by `--threads` for the workers."""
Z = 1.959963984540054
ANSWERED = ("disclosed", "partial")
NOTE_BEFORE_DATA = "base period lies before the data begins"
NOTE_NO_BASE = "no figure for the base period"
NOTE_ZERO_BASE = "base is zero"

KEYS: dict[str, list[str]] = {
    "monthly_volumes": ["period_start", "platform", "agency"],
    "yearly_growth": ["period_start", "platform"],
    "answered_by_platform": ["platform"],
    "response_curves": ["platform", "days"],
    "outcome_shares": ["platform", "case_outcome"],
}
COLUMNS: dict[str, list[str]] = {
    "monthly_volumes": ["period_start", "period_end", "platform", "agency", "requests"],
    "yearly_growth": ["period_start", "period_end", "platform", "requests", "base", "growth", "growth_note"],
    "answered_by_platform": ["platform", "requests", "answered", "answered_share", "ci_low", "ci_high"],
    "response_curves": ["platform", "days", "at_risk", "responded", "censored", "waiting", "ci_low", "ci_high"],
    "outcome_shares": ["platform", "case_outcome", "cases", "share"],
}


# ----------------------------------------------------------------------------- polars (ours)


def run_polars(path: Path) -> dict[str, pl.DataFrame]:
    from coopanalysis.core import schema as S
    from coopanalysis.transforms.analyses import collect_main_analyses

    lf = S.conform(pl.scan_parquet(path, hive_partitioning=True), S.REQUESTS_SCHEMA)
    return collect_main_analyses(lf, start=START, end=END)


def run_polars_validated(path: Path) -> dict[str, pl.DataFrame]:
    """What a report does: validate once into a Parquet cache of kept rows and rejects (a fresh
    temporary one on every repetition), count them, then analyse the kept rows."""
    from coopanalysis.transforms.analyses import collect_main_analyses
    from coopanalysis.io.requests import load_requests

    with tempfile.TemporaryDirectory(prefix="bench-validated-") as cache:
        loaded = load_requests(path).kept_on_disk(cache)
        loaded.summary()
        return collect_main_analyses(loaded.data, start=START, end=END)


# ----------------------------------------------------------------------------- pandas


def run_pandas(path: Path):
    import numpy as np
    import pandas as pd

    import pyarrow.parquet as pq

    # dates as datetime64, not Python objects (pandas 2 and 3 alike; lifelines keeps pandas below 3)
    df = pq.read_table(
        path, columns=["requested_on", "agency", "platform", "responded_on", "response", "case_outcome", "closed_on"],
    ).to_pandas(date_as_object=False)
    out = {}

    # monthly volumes by platform and agency, zero-filled, first/last month clipped
    first, last = df["requested_on"].min(), df["requested_on"].max()
    month = df["requested_on"].dt.to_period("M").dt.start_time.rename("period_start")
    counts = df.groupby([month, "platform", "agency"]).size().rename("requests").reset_index()
    calendar = pd.DataFrame({"period_start": pd.date_range(first.to_period("M").start_time, last, freq="MS")})
    grid = calendar.merge(counts[["platform", "agency"]].drop_duplicates(), how="cross")
    vol = grid.merge(counts, on=["period_start", "platform", "agency"], how="left")
    vol["requests"] = vol["requests"].fillna(0).astype("int64")
    vol["period_end"] = (vol["period_start"] + pd.offsets.MonthEnd(0)).clip(upper=last)
    vol["period_start"] = vol["period_start"].clip(lower=first)
    out["monthly_volumes"] = vol

    # yearly requests by platform, like-for-like year-over-year growth
    def yearly(lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
        sel = df.loc[df["requested_on"].between(lo, hi), ["requested_on", "platform"]]
        n = sel.groupby([sel["requested_on"].dt.to_period("Y").dt.start_time.rename("ps"), "platform"]).size()
        n = n.rename("requests").reset_index()
        cal = pd.DataFrame({"ps": pd.date_range(lo.to_period("Y").start_time, hi, freq="YS")})
        g = cal.merge(n[["platform"]].drop_duplicates(), how="cross").merge(n, on=["ps", "platform"], how="left")
        g["requests"] = g["requests"].fillna(0).astype("int64")
        g["period_end"] = (g["ps"] + pd.offsets.YearEnd(0)).clip(upper=hi)
        g["period_start"] = g["ps"].clip(lower=lo)
        return g

    lo, hi = pd.Timestamp(START), pd.Timestamp(END)
    cur = yearly(lo, hi)
    base = yearly(lo - pd.DateOffset(years=1), hi - pd.DateOffset(years=1))
    cur["_base_start"] = cur["period_start"] - pd.DateOffset(years=1)
    base = base.rename(columns={"period_start": "_base_start", "requests": "base"})[["_base_start", "platform", "base"]]
    g = cur.merge(base, on=["_base_start", "platform"], how="left")
    first_request = first.to_period("M").start_time
    before = g["_base_start"] < first_request
    g["base"] = g["base"].where(~before)  # a base before the data begins is unknown, not 0
    g["growth"] = (g["requests"] / g["base"].where(g["base"] > 0) - 1).where(~before)
    g["growth_note"] = np.select(
        [before, g["base"].isna(), g["base"] == 0], [NOTE_BEFORE_DATA, NOTE_NO_BASE, NOTE_ZERO_BASE], None
    )
    out["yearly_growth"] = g

    # answered share by platform with the 95% Wilson interval
    a = df.assign(answered=df["response"].isin(ANSWERED)).groupby("platform").agg(
        requests=("answered", "size"), answered=("answered", "sum")
    ).reset_index()
    n, p = a["requests"], a["answered"] / a["requests"]
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    out["answered_by_platform"] = a.assign(
        answered_share=p, ci_low=(centre - half).clip(0, 1), ci_high=(centre + half).clip(0, 1)
    )

    # Kaplan–Meier time to response by platform, unanswered censored at the last date in the log; a
    # reply on the day of the request counts at day 0; 95% band on the log(−log) scale
    cutoff = max(df["requested_on"].max(), df["responded_on"].max(), df["closed_on"].max())
    days = (df["responded_on"].fillna(cutoff) - df["requested_on"]).dt.days.clip(lower=0)
    km = (
        pd.DataFrame({"platform": df["platform"], "days": days, "event": df["responded_on"].notna()})
        .groupby(["platform", "days"])
        .agg(responded=("event", "sum"), leaving=("event", "size"))
        .reset_index()
        .sort_values(["platform", "days"])
    )
    by = km.groupby("platform")
    km["at_risk"] = by["leaving"].transform("sum") - by["leaving"].cumsum() + km["leaving"]
    km["censored"] = km["leaving"] - km["responded"]
    km["waiting"] = (1 - km["responded"] / km["at_risk"]).groupby(km["platform"]).cumprod()
    alive = km["at_risk"] > km["responded"]
    term = (km["responded"] / (km["at_risk"] * (km["at_risk"] - km["responded"]))).where(alive, 0.0)
    gw = term.groupby(km["platform"]).cumsum()
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log(km["waiting"])
        spread = Z * np.sqrt(gw) / v
        for name, sign in (("ci_low", -1), ("ci_high", 1)):
            bound = np.exp(-np.exp(np.log(-v) + sign * spread))
            km[name] = np.where(km["waiting"] >= 1, 1.0, np.where(km["waiting"] <= 0, 0.0, bound))
    first = km.groupby("platform")["days"].min()
    start = km.groupby("platform")["at_risk"].max().reset_index().assign(
        days=0, responded=0, censored=0, waiting=1.0, ci_low=1.0, ci_high=1.0
    )
    start = start[start["platform"].map(first) > 0]
    out["response_curves"] = pd.concat([start, km], ignore_index=True)

    # case outcome mix by platform
    o = df.assign(case_outcome=df["case_outcome"].fillna("unknown")).groupby(["platform", "case_outcome"]).size()
    o = o.rename("cases").reset_index()
    o["share"] = o["cases"] / o.groupby("platform")["cases"].transform("sum")
    out["outcome_shares"] = o
    return out


# ----------------------------------------------------------------------------- DuckDB SQL


def _yearly_sql(which: str, lo: dt.date, hi: dt.date) -> str:
    """Yearly requests by platform in [lo, hi], zero-filled, from the one-scan counts `y`
    (column `which`: that window's count per calendar year and platform)."""
    return f"""(
        WITH cal AS (SELECT unnest(generate_series(DATE '{lo.year}-01-01', DATE '{hi}', INTERVAL 1 YEAR))::DATE AS ps),
        n AS (SELECT ps, platform, {which} AS requests FROM y WHERE {which} > 0),
        p AS (SELECT DISTINCT platform FROM n)
        SELECT greatest(cal.ps, DATE '{lo}') AS period_start,
               least((cal.ps + INTERVAL 1 YEAR - INTERVAL 1 DAY)::DATE, DATE '{hi}') AS period_end,
               p.platform, coalesce(n.requests, 0) AS requests
        FROM cal CROSS JOIN p LEFT JOIN n ON n.ps = cal.ps AND n.platform = p.platform
    )"""


def run_duckdb(path: Path):
    import duckdb

    con = duckdb.connect()
    if THREADS:
        con.execute(f"SET threads = {THREADS}")
    con.execute(f"CREATE VIEW log AS SELECT * FROM read_parquet('{path}/**/*.parquet', hive_partitioning = true)")
    base_lo, base_hi = START.replace(year=START.year - 1), END.replace(year=END.year - 1)
    queries = {
        "monthly_volumes": """
            WITH b AS (SELECT min(requested_on) AS first, max(requested_on) AS last FROM log),
            cal AS (SELECT unnest(generate_series(date_trunc('month', first), last, INTERVAL 1 MONTH))::DATE AS ps FROM b),
            n AS (SELECT date_trunc('month', requested_on)::DATE AS ps, platform, agency, count(*) AS requests
                  FROM log GROUP BY ALL),
            p AS (SELECT DISTINCT platform, agency FROM n)
            SELECT greatest(cal.ps, b.first) AS period_start,
                   least((cal.ps + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE, b.last) AS period_end,
                   p.platform, p.agency, coalesce(n.requests, 0) AS requests
            FROM cal CROSS JOIN p CROSS JOIN b
            LEFT JOIN n ON n.ps = cal.ps AND n.platform = p.platform AND n.agency = p.agency
        """,
        # one scan of the log: both windows' counts and the first request, by year and platform
        "yearly_growth": f"""
            WITH y AS (SELECT date_trunc('year', requested_on)::DATE AS ps, platform,
                              count(*) FILTER (WHERE requested_on BETWEEN DATE '{START}' AND DATE '{END}') AS cur_n,
                              count(*) FILTER (WHERE requested_on BETWEEN DATE '{base_lo}' AND DATE '{base_hi}') AS base_n,
                              min(requested_on) AS first FROM log GROUP BY ALL),
            cur AS {_yearly_sql("cur_n", START, END)}, base AS {_yearly_sql("base_n", base_lo, base_hi)},
            fr AS (SELECT date_trunc('month', min(first))::DATE AS first_request FROM y),
            g AS (SELECT cur.*, base.requests AS base, (cur.period_start - INTERVAL 1 YEAR)::DATE < fr.first_request AS before
                  FROM cur CROSS JOIN fr
                  LEFT JOIN base ON base.period_start = (cur.period_start - INTERVAL 1 YEAR)::DATE
                                AND base.platform = cur.platform)
            SELECT period_start, period_end, platform, requests, CASE WHEN NOT before THEN base END AS base,
                   CASE WHEN NOT before AND base > 0 THEN requests / base - 1 END AS growth,
                   CASE WHEN before THEN '{NOTE_BEFORE_DATA}' WHEN base IS NULL THEN '{NOTE_NO_BASE}'
                        WHEN base = 0 THEN '{NOTE_ZERO_BASE}' END AS growth_note
            FROM g
        """,
        "answered_by_platform": f"""
            WITH a AS (SELECT platform, count(*) AS requests,
                              count(*) FILTER (WHERE response IN {ANSWERED}) AS answered FROM log GROUP BY platform),
            w AS (SELECT *, answered / requests AS p,
                         (answered / requests + {Z}^2 / (2 * requests)) / (1 + {Z}^2 / requests) AS centre,
                         {Z} * sqrt((answered / requests) * (1 - answered / requests) / requests
                                    + {Z}^2 / (4 * requests * requests)) / (1 + {Z}^2 / requests) AS half FROM a)
            SELECT platform, requests, answered, p AS answered_share,
                   least(greatest(centre - half, 0), 1) AS ci_low, least(greatest(centre + half, 0), 1) AS ci_high FROM w
        """,
        "response_curves": f"""
            WITH cut AS (SELECT greatest(max(requested_on), max(responded_on), max(closed_on)) AS c FROM log),
            t AS (SELECT platform, greatest(date_diff('day', requested_on, coalesce(responded_on, c)), 0) AS days,
                         (responded_on IS NOT NULL)::INTEGER AS event FROM log CROSS JOIN cut),
            d AS (SELECT platform, days, sum(event) AS responded, count(*) AS leaving FROM t GROUP BY ALL),
            r AS (SELECT *, sum(leaving) OVER (PARTITION BY platform)
                            - sum(leaving) OVER (PARTITION BY platform ORDER BY days ROWS UNBOUNDED PRECEDING)
                            + leaving AS at_risk FROM d),
            s AS (SELECT *, leaving - responded AS censored,
                         product(1 - responded / at_risk) OVER w AS waiting,
                         sum(CASE WHEN at_risk = responded THEN 0.0
                                  ELSE responded / (at_risk * (at_risk - responded)) END) OVER w AS gw
                  FROM r WINDOW w AS (PARTITION BY platform ORDER BY days ROWS UNBOUNDED PRECEDING)),
            k AS (SELECT *,
                         CASE WHEN waiting >= 1 THEN 1.0 WHEN waiting <= 0 THEN 0.0
                              ELSE exp(-exp(ln(-ln(waiting)) - {Z} * sqrt(gw) / ln(waiting))) END AS lo,
                         CASE WHEN waiting >= 1 THEN 1.0 WHEN waiting <= 0 THEN 0.0
                              ELSE exp(-exp(ln(-ln(waiting)) + {Z} * sqrt(gw) / ln(waiting))) END AS hi FROM s)
            SELECT platform, 0 AS days, max(at_risk) AS at_risk, 0 AS responded, 0 AS censored,
                   1.0 AS waiting, 1.0 AS ci_low, 1.0 AS ci_high FROM k GROUP BY platform HAVING min(days) > 0
            UNION ALL
            SELECT platform, days, at_risk, responded, censored, waiting, lo, hi FROM k
        """,
        # group on the plain columns, then fold null into 'unknown' on the few groups
        "outcome_shares": """
            WITH c AS (SELECT platform, case_outcome, count(*) AS n FROM log GROUP BY ALL)
            SELECT platform, coalesce(case_outcome, 'unknown') AS case_outcome, sum(n) AS cases,
                   sum(n) / sum(sum(n)) OVER (PARTITION BY platform) AS share
            FROM c GROUP BY platform, coalesce(case_outcome, 'unknown')
        """,
    }
    result = {name: con.sql(sql).pl() for name, sql in queries.items()}
    con.close()
    return result


RUNNERS: dict[str, Callable[[Path], dict]] = {
    "polars": run_polars,
    "polars-validated": run_polars_validated,
    "pandas": run_pandas,
    "duckdb": run_duckdb,
}


# ----------------------------------------------------------------------------- comparing results


def normalise(name: str, frame) -> pl.DataFrame:
    """One analysis as a polars frame with our columns, dates as Date, integers Int64, floats
    Float64 (NaN as null), sorted by its keys."""
    df = frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)
    df = df.select(COLUMNS[name])
    casts = []
    for col, dtype in df.schema.items():
        if dtype.is_temporal():
            casts.append(pl.col(col).cast(pl.Date))
        elif dtype.is_integer() or dtype == pl.Decimal or (dtype.is_float() and col in {"requests", "base", "days", "at_risk", "responded", "censored", "cases", "answered"}):
            casts.append(pl.col(col).cast(pl.Int64))
        elif dtype.is_float():
            casts.append(pl.col(col).cast(pl.Float64).fill_nan(None))
        else:
            casts.append(pl.col(col).cast(pl.String))
    return df.with_columns(casts).sort(KEYS[name])


def compare(ours: dict[str, pl.DataFrame], theirs: dict[str, pl.DataFrame], engine: str) -> None:
    from polars.testing import assert_frame_equal

    for name in KEYS:
        try:
            assert_frame_equal(ours[name], theirs[name], check_dtypes=False, rel_tol=1e-9, abs_tol=1e-12)
        except AssertionError as exc:
            raise SystemExit(f"{engine} disagrees with polars on {name}:\n{exc}") from None


# ----------------------------------------------------------------------------- worker and driver


def worker(engine: str, path: Path, repeat: int, result_dir: Path) -> None:
    """Run one engine `repeat` times; write its timings and (normalised) last results."""
    runner = RUNNERS[engine]
    if THREADS:
        import pyarrow

        pyarrow.set_cpu_count(THREADS)  # pandas reads Parquet through pyarrow's thread pool
    seconds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = runner(path)
        seconds.append(time.perf_counter() - t0)
    for name in KEYS:
        normalise(name, result[name]).write_parquet(result_dir / f"{name}.parquet")
    (result_dir / "seconds.json").write_text(json.dumps(seconds))
    (result_dir / "peak_mb.json").write_text(json.dumps(own_peak_mb()))


def own_peak_mb() -> float:
    """This process's own peak resident memory in MB: VmHWM from /proc/self/status. Unlike
    wait4's ru_maxrss (which a child inherits from its parent at fork), it starts fresh at exec,
    so it is the engine's own, not floored at the driver's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best there is


def ensure_log(rows: int, seed: int, out: Path = OUT, quiet: bool = False) -> Path:
    """The cached N-row synthetic log under `out` (written with `coopanalysis synth` when absent)."""
    from coopanalysis.synth import write_synthetic

    path = out / f"requests-{rows}-seed{seed}"
    if path.is_dir():
        try:
            if pl.scan_parquet(path, hive_partitioning=True).select(pl.len()).collect().item() == rows:
                return path
        except (pl.exceptions.PolarsError, OSError):
            pass
    out.mkdir(parents=True, exist_ok=True)
    return write_synthetic(path, rows=rows, seed=seed, progress=False if quiet else None)


def measure(
    engine: str, path: Path, repeat: int, threads: int = 0
) -> tuple[float, float, dict[str, pl.DataFrame]]:
    """(median seconds, peak RSS in MB, results) of one engine, run in a subprocess of its own
    (on `threads` threads when not 0)."""
    env = dict(os.environ)
    if threads:
        env.update(BENCH_THREADS=str(threads), POLARS_MAX_THREADS=str(threads))
    with tempfile.TemporaryDirectory(prefix=f"bench-{engine}-") as tmp:
        cmd = [sys.executable, __file__, "--worker", engine, "--data", str(path), "--repeat", str(repeat),
               "--result-dir", tmp]
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env)
        if proc.returncode != 0:
            raise SystemExit(f"{engine} failed (exit {proc.returncode})")
        seconds = json.loads((Path(tmp) / "seconds.json").read_text())
        peak_mb = json.loads((Path(tmp) / "peak_mb.json").read_text())  # the worker's own VmHWM
        results = {name: pl.read_parquet(Path(tmp) / f"{name}.parquet") for name in KEYS}
    return statistics.median(seconds), peak_mb, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, help="rows of the synthetic log")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per engine (median reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the synthetic logs are kept (default {OUT})")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated, from {', '.join(ALL_ENGINES)} (polars always runs first)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per engine (default: all cores); pandas' own steps use one anyway")
    parser.add_argument("--worker", choices=ALL_ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.data, args.repeat, args.result_dir)
        return 0
    if not args.rows or args.rows <= 0:
        parser.error("--rows N is required (a positive number)")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ALL_ENGINES))
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ALL_ENGINES)}")
    engines = ["polars", *[e for e in engines if e != "polars"]]

    path = ensure_log(args.rows, args.seed, args.out, quiet=args.json)
    seconds: dict[str, float] = {}
    peak: dict[str, float] = {}
    reference: dict[str, pl.DataFrame] = {}
    for engine in engines:
        s, m, results = measure(engine, path, args.repeat, args.threads)
        if engine == "polars":
            reference = results
        else:
            compare(reference, results, engine)
        seconds[engine], peak[engine] = round(s, 3), round(m, 1)
        if not args.json:
            print(f"  {engine:<17} {s:8.2f} s   {m:8.0f} MB", file=sys.stderr)

    if args.json:
        out = {"rows": args.rows, "seconds": seconds, "peak_rss_mb": peak}
        print(json.dumps({**out, "threads": args.threads} if args.threads else out))
        return 0
    on = f", {args.threads} thread(s) per engine" if args.threads else ""
    print(f"\nMain analyses of a {args.rows:,}-row log ({path.name}), median of {args.repeat}{on}; "
          "results of every engine checked equal to polars.\n")
    print(f"| engine | seconds (median) | peak RSS (MB) |")
    print(f"|---|---:|---:|")
    for engine in engines:
        print(f"| {engine} | {seconds[engine]:.2f} | {peak[engine]:,.0f} |")
    print()
    if "pandas" in seconds:
        print(f"pandas / polars time: {seconds['pandas'] / seconds['polars']:.1f}x  (target >= 10x)")
    if "duckdb" in seconds:
        print(f"polars / duckdb time: {seconds['polars'] / seconds['duckdb']:.2f}x  (target <= 0.8x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
