"""A batch worker process: runs reports one after the other for `coopanalysis run`.

Started by the runner as `python -m coopanalysis.batch._worker --serve FD SPARE_PID` in the
runner's process group. It reads one job per line on stdin (JSON: `{"job": {...}, "another_follows":
bool}`), runs it with `coopanalysis.batch.execute.run_report`, and writes the result (JSON) as one
line to file descriptor FD. It ends when stdin closes. When another job follows, the next report's
kernel is launched while this one runs (`batch.spare`); its pid is in the file SPARE_PID. Imports and the
renderer's vega bundle are loaded once, before the first job, and the page renderer (nbconvert and
its templates) is warmed once, in a thread beside the first job's notebook. It ignores SIGINT (the runner,
which a Ctrl-C reaches too, stops its workers and records what finished), and when its runner
is gone (even killed with SIGKILL) it kills its kernel and ends within a second.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from dataclasses import asdict


def watch_parent(parent: int, spare_pid_file: str, interval: float = 0.5) -> None:
    """In a daemon thread: once the runner `parent` is gone, kill this worker's kernels and exit."""
    from coopanalysis.batch.kernel import kill_pid_in, kill_recorded_kernel

    def watch() -> None:
        """Poll the parent pid; act once it changes (the worker was re-parented)."""
        while os.getppid() == parent:
            time.sleep(interval)
        kill_recorded_kernel()
        kill_pid_in(spare_pid_file)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(result_fd: int, spare_pid_file: str) -> int:
    """Run the jobs read from stdin, one at a time, writing each result to `result_fd`; 0 when stdin ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent(os.getppid(), spare_pid_file)
    import papermill  # noqa: F401  (loaded once for every report of this worker)

    from coopanalysis.batch.execute import run_report
    from coopanalysis.batch.warm import warm_renderer
    from coopanalysis.batch.jobs import ReportJob
    from coopanalysis.batch.spare import SpareKernels
    from coopanalysis.html import vega_bundle

    vega_bundle()
    warm_renderer()  # beside the first report's notebook, not in front of it
    spares = SpareKernels(spare_pid_file)
    try:
        with os.fdopen(result_fd, "wb", buffering=0) as results:
            for line in sys.stdin:
                if not line.strip():
                    continue
                message = json.loads(line)
                result = run_report(ReportJob(**message["job"]), spares, another_follows=message["another_follows"])
                results.write(json.dumps(asdict(result), default=str).encode("utf-8") + b"\n")
    finally:
        spares.discard()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "--serve":
        sys.exit("usage: python -m coopanalysis.batch._worker --serve FD SPARE_PID")
    sys.exit(serve(int(sys.argv[2]), sys.argv[3]))
