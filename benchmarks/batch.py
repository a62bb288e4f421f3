"""Benchmark of batch runs: 24 tiny reports, against bare papermill, at --jobs 1 and --jobs 2.

    .venv/bin/python benchmarks/batch.py                 # overhead, speed-up, HTML size
    .venv/bin/python benchmarks/batch.py --port-check    # 10 runs of 24 reports at --jobs 4
    .venv/bin/python benchmarks/batch.py --bundled       # the bundled reports against bare papermill

Prints figures measured in the same run:
- bare papermill: one in-process `papermill.execute_notebook` of an empty notebook
  (kernel start, execution, shutdown), mean over a few runs;
- per-report time of `coopanalysis run --jobs 1` (total / 24) and its overhead over
  bare papermill (what the batch adds: worker process, parameters, rendering the
  offline HTML with its inlined vega bundle, summary and index);
- speed-up of `--jobs 2` over `--jobs 1` on the same 24 reports, and over 24 bare papermill runs
  one after another (target >= 1.6 on 2 cores); `--jobs 1` is no longer one core's worth: each
  worker launches the next report's kernel while the current report runs (`batch.spare`);
- HTML size per report;
- with --bundled: each bundled report (`make report`'s configuration) run by
  `coopanalysis run --jobs 1` against the same notebook with the same parameters run by
  bare papermill, report by report and for the whole run (caches warmed by one run first);
- with --port-check: reports failed and "Address already in use"/port errors over
  10 consecutive runs of 24 reports at --jobs 4 (target: none).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPORTS = 24

TINY_PARAMETERS = 'label: str = "x"  # shown in the report\nn: int = 3  # a count'
TINY_BODY = (
    "from coopanalysis.present.display import headline\n"
    "total = n * 2\n"
    'headline("total", total, label="Total for " + label)\n'
    'print("label", label, "total", total)'
)


def write_notebooks(folder: Path) -> tuple[Path, Path]:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    tiny = new_notebook(
        cells=[
            new_markdown_cell("# Tiny report"),
            new_code_cell(TINY_PARAMETERS, metadata={"tags": ["parameters"]}),
            new_code_cell(TINY_BODY),
        ]
    )
    empty = new_notebook(cells=[new_code_cell("", metadata={"tags": ["parameters"]})])
    for nb in (tiny, empty):
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(tiny, folder / "tiny.ipynb")
    nbformat.write(empty, folder / "empty.ipynb")
    config = folder / "reports.toml"
    labels = ", ".join(f'"r{i:02d}"' for i in range(REPORTS))
    config.write_text(
        f'[[reports]]\nname = "tiny"\nnotebook = "tiny.ipynb"\n[reports.matrix]\nlabel = [{labels}]\n',
        encoding="utf-8",
    )
    return config, folder / "empty.ipynb"


def bare_papermill(empty: Path, runs: int) -> float:
    import papermill

    from coopanalysis.batch.kernel import IPCKernelManager, default_kernel_name

    kernel = default_kernel_name()
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        papermill.execute_notebook(
            str(empty),
            str(empty.with_name(f"empty-out-{i}.ipynb")),
            kernel_name=kernel,
            kernel_manager_class=IPCKernelManager,
            progress_bar=False,
        )
        times.append(time.perf_counter() - t0)
    return statistics.mean(times[1:] if len(times) > 1 else times)


def batch(config: Path, out: Path, jobs: int) -> tuple[float, list[dict]]:
    import io

    from coopanalysis.batch import run_batch

    t0 = time.perf_counter()
    outcome = run_batch(config=config, out_dir=out, jobs=jobs, force=True, stream=io.StringIO())
    return time.perf_counter() - t0, outcome.entries


def bundled(folder: Path) -> None:
    """The bundled batch at --jobs 1 against bare papermill on each of its notebooks, caches warm."""
    import io

    import papermill

    from coopanalysis import paths
    from coopanalysis.batch import run_batch
    from coopanalysis.batch.kernel import IPCKernelManager, default_kernel_name

    run_batch(out_dir=folder / "warm-up", jobs=1, force=True, stream=io.StringIO())
    t0 = time.perf_counter()
    outcome = run_batch(out_dir=folder / "bundled", jobs=1, force=True, stream=io.StringIO())
    ours = time.perf_counter() - t0
    assert all(e["status"] == "ok" for e in outcome.entries), "a bundled report failed"
    kernel, bare = default_kernel_name(), {}
    for e in outcome.entries:
        t0 = time.perf_counter()
        papermill.execute_notebook(str(paths.NOTEBOOKS_DIR / e["notebook"]), str(folder / f"{e['name']}.ipynb"),
                                   parameters=e["parameters"], kernel_name=kernel,
                                   kernel_manager_class=IPCKernelManager, progress_bar=False)
        bare[e["name"]] = time.perf_counter() - t0
    print(f"{'report':40} {'bare papermill':>15} {'in the batch':>13} {'ratio':>6}")
    for e in outcome.entries:
        print(f"{e['name']:40} {bare[e['name']]:13.2f} s {e['duration_s']:11.2f} s {e['duration_s'] / bare[e['name']]:5.2f}x")
    total = sum(bare.values())
    print(f"whole run, {len(bare)} reports: bare papermill {total:.1f} s one after another, "
          f"coopanalysis run --jobs 1 {ours:.1f} s (plan, pages, summary, index, audit): {ours / total:.2f}x")


def port_errors(out: Path, entries: list[dict]) -> int:
    count = 0
    for e in entries:
        text = (e.get("error") or "") + (out / "logs" / f"{e['name']}.log").read_text("utf-8", errors="replace")
        if "Address already in use" in text or "EADDRINUSE" in text or "port" in (e.get("error") or "").lower():
            count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-check", action="store_true", help="10 runs of 24 reports at --jobs 4")
    parser.add_argument("--bundled", action="store_true", help="the bundled reports against bare papermill")
    parser.add_argument("--runs", type=int, default=10, help="runs for --port-check (default 10)")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="coop-bench-") as tmp:
        folder = Path(tmp)
        if args.bundled:
            bundled(folder)
            return 0
        config, empty = write_notebooks(folder)
        if args.port_check:
            failed = port = 0
            t0 = time.perf_counter()
            for run in range(args.runs):
                _, entries = batch(config, folder / f"port-{run}", jobs=4)
                bad = [e for e in entries if e["status"] != "ok"]
                failed += len(bad)
                port += port_errors(folder / f"port-{run}", entries)
                print(f"run {run + 1}/{args.runs}: {len(entries) - len(bad)} ok, {len(bad)} failed")
            total = args.runs * REPORTS
            print(f"port check: {total} reports in {args.runs} runs at --jobs 4 ({time.perf_counter() - t0:.0f} s): "
                  f"{failed} failed, {port} port / 'Address already in use' failures")
            return 1 if failed else 0

        bare = bare_papermill(empty, runs=4)
        t1, entries1 = batch(config, folder / "jobs1", jobs=1)
        t2, entries2 = batch(config, folder / "jobs2", jobs=2)
        assert all(e["status"] == "ok" for e in entries1 + entries2), "a benchmark report failed"
        sizes = [(folder / "jobs2" / e["outputs"]["html"]).stat().st_size for e in entries2]
        per_report = t1 / REPORTS
        print(f"bare papermill, empty notebook:     {bare:6.2f} s per notebook (mean of 3 after a warm-up)")
        print(f"coopanalysis run --jobs 1, 24 reports: {t1:6.1f} s  = {per_report:5.2f} s per report")
        print(f"  overhead over bare papermill:      {per_report - bare:+6.2f} s per report "
              f"({per_report / bare:.2f}x bare papermill)")
        print(f"coopanalysis run --jobs 2, 24 reports: {t2:6.1f} s  = {t2 / REPORTS:5.2f} s per report")
        print(f"  speed-up --jobs 2 over --jobs 1:   {t1 / t2:6.2f}x (--jobs 1 already uses a second core: "
              "each report's kernel boots while the one before it runs)")
        print(f"  speed-up --jobs 2 over {REPORTS} bare papermill runs in a row: {REPORTS * bare / t2:6.2f}x "
              "(target >= 1.6 on 2 cores)")
        print(f"HTML per report: {statistics.mean(sizes) / 1024:.0f} KiB mean "
              f"({min(sizes) / 1024:.0f}-{max(sizes) / 1024:.0f} KiB; the inlined vega bundle is most of it)")
        return 0


if __name__ == "__main__":
    sys.exit(main())
