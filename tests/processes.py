"""Helpers for tests that watch processes (kernels, workers): whether one still runs, and waiting."""

from __future__ import annotations

import time
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def wait_for(predicate, timeout: float = 120.0) -> None:
    """Poll `predicate` every 0.2 s; fail the test if it is not true within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)
