"""Progress of a batch run on stderr: done / running / failed counts, elapsed time, one line per report."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from coopanalysis.batch.jobs import ReportResult


class Progress:
    """Done / running / failed counts and elapsed time on `stream`; one line per finished report.

    On a terminal the status line is redrawn every `interval` seconds; elsewhere
    only the per-report lines and a final status line are written.
    """

    def __init__(self, total: int, stream: TextIO | None = None, *, interval: float = 1.0) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.done = self.failed = self.running = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.interval = interval

    def __enter__(self) -> Progress:
        if self.live:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker:
            self._ticker.join()
        with self._lock:
            self._clear()
            self.stream.write(self.status_line() + "\n")
            self.stream.flush()

    def _tick(self) -> None:
        """Redraw the status line every `interval` seconds until the run ends."""
        while not self._stop.wait(self.interval):
            with self._lock:
                self._draw()

    def status_line(self) -> str:
        """`[  12.3 s] 4/6 finished: 3 done, 2 running, 1 failed`."""
        elapsed = time.monotonic() - self.started
        return (
            f"[{elapsed:6.1f} s] {self.done + self.failed}/{self.total} finished: "
            f"{self.done} done, {self.running} running, {self.failed} failed"
        )

    def _clear(self) -> None:
        """Erase the status line (on a terminal)."""
        if self.live:
            self.stream.write("\r\033[K")

    def _draw(self) -> None:
        """Draw the status line in place (on a terminal)."""
        if self.live:
            self.stream.write("\r\033[K" + self.status_line())
            self.stream.flush()

    def started_one(self, name: str) -> None:
        """Count report `name` as running."""
        with self._lock:
            self.running += 1
            self._draw()

    def finished_one(self, result: ReportResult, out_dir: Path) -> None:
        """Count the finished report and write its line (with its log's path if it failed)."""
        with self._lock:
            self.running = max(0, self.running - 1)
            self._clear()
            if result.status == "ok":
                self.done += 1
                self.stream.write(f"  done    {result.name} ({result.duration_s:.1f} s)\n")
            else:
                self.failed += 1
                log = result.log or out_dir / result.outputs.get("log", "")
                self.stream.write(f"  FAILED  {result.name} ({result.duration_s:.1f} s): {result.error}\n")
                self.stream.write(f"          log: {log}\n")
            self._draw()
            self.stream.flush()
