"""The batch worker's page renderer, warmed once per process (`warm_renderer`): a cold first render
costs about 1.2 s (importing nbconvert and its templates), a warm one about 0.14 s. The worker
starts the warm-up in a thread beside its first report's notebook; `batch.execute` waits for it
(`wait_for_warm_up`) before it renders, so two threads never render at once."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

_log = logging.getLogger("coopanalysis.batch")

_warming: threading.Thread | None = None
"""The renderer's warm-up (`warm_renderer`), running beside the first report's notebook."""


def warm_renderer(background: bool = True) -> None:
    """Prepare the page renderer once per process: import nbconvert, its template machinery and the
    leak check, and render a tiny page, so that no report pays for it (a cold first render costs
    about 1.2 s, a warm one about 0.14 s). With `background`, in a thread that runs while the first
    report's kernel starts and its notebook runs; `batch.execute` waits (`wait_for_warm_up`) for it to finish."""
    global _warming

    def warm() -> None:
        import tempfile

        import nbformat

        from coopanalysis.html import render_notebook
        from coopanalysis.publish import leaks  # noqa: F401

        node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# warm-up")])
        try:
            with tempfile.TemporaryDirectory(prefix="coop-warm-") as tmp:
                render_notebook(node, Path(tmp) / "warm.html")
        except Exception:  # only a warm-up: a real render reports its own failure
            _log.debug("renderer warm-up failed", exc_info=True)

    if not background:
        warm()
        return
    _warming = threading.Thread(target=warm, name="warm-renderer", daemon=True)
    _warming.start()


def wait_for_warm_up() -> None:
    """Let a running warm-up finish first (two threads never render at once)."""
    global _warming
    if _warming is not None:
        _warming.join()
        _warming = None
