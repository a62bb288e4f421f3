"""Open rendered pages in headless Chromium with the network cut off (shared by tests).

    with open_offline(path) as (page, blocked):
        assert chart_count(page) == 2
        assert "Telegram" in hover_first_mark(page)
    assert blocked == []

Every request that is not a ``file:`` or ``data:`` URL is aborted and recorded in
``blocked``; script errors land in ``page.coop_errors`` and dialogs (``alert`` and
friends, which a script injection would use) in ``page.coop_dialogs``.
Chromium is the system one (/usr/bin/chromium); a missing browser is an error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHART_SELECTOR = ".coop-chart"
TOOLTIP_SELECTOR = "#vg-tooltip-element"


@contextlib.contextmanager
def open_offline(
    path: str | Path, *, width: int = 1200, height: int = 900, wait_for_charts: bool = True
) -> Iterator[tuple[object, list[str]]]:
    """Open ``path`` (a local HTML file) with all network blocked; yield ``(page, blocked)``.

    ``blocked`` lists every non-file URL the page tried to load. When
    ``wait_for_charts`` is set, returns only once every chart container holds an svg or
    canvas (or after 15 s, leaving the assertion to the caller).
    """
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium package (CI does)")
    blocked: list[str] = []
    url = Path(path).resolve().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})

            def route(r):  # every request goes through here
                if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.coop_errors = []
            page.coop_dialogs = []
            page.on("pageerror", lambda exc: page.coop_errors.append(str(exc)))
            page.on("console", lambda msg: msg.type == "error" and page.coop_errors.append(msg.text))

            def on_dialog(dialog):
                page.coop_dialogs.append(f"{dialog.type}: {dialog.message}")
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(url, wait_until="load")
            if wait_for_charts:
                wait_for_all_charts(page)
            yield page, blocked
        finally:
            browser.close()


@contextlib.contextmanager
def lab_context(lab: dict, *, width: int = 1400, height: int = 1000) -> Iterator[tuple[object, list[str]]]:
    """A headless Chromium context that may reach the JupyterLab server `lab` (its "base" URL and
    "port") and nothing else; yields (context, blocked): every other URL it tried is in `blocked`."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    allowed = (f"{lab['base']}/", f"ws://127.0.0.1:{lab['port']}/", "data:", "blob:", "about:")

    def route(r):
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.route("**/*", route)
            yield context, blocked
        finally:
            browser.close()


def wait_for_all_charts(page, *, timeout_ms: int = 15_000) -> bool:
    """Wait until every chart container holds an svg or canvas; True when they all do."""
    try:
        page.wait_for_function(
            """sel => Array.from(document.querySelectorAll(sel))
                   .every(el => el.querySelector('svg, canvas'))""",
            arg=CHART_SELECTOR,
            timeout=timeout_ms,
        )
        return True
    except Exception:
        return False


def chart_count(page) -> int:
    """Number of chart containers on the page that were drawn (hold an svg or canvas)."""
    return page.evaluate(
        """sel => Array.from(document.querySelectorAll(sel))
               .filter(el => el.querySelector('svg, canvas')).length""",
        CHART_SELECTOR,
    )


def chart_containers(page) -> int:
    """Number of chart containers on the page, drawn or not."""
    return page.evaluate("sel => document.querySelectorAll(sel).length", CHART_SELECTOR)


def hover_first_mark(page, *, chart_index: int = 0, mark_index: int = 0, timeout_ms: int = 5_000) -> str:
    """Move the mouse over a mark of a chart and return the vega tooltip's visible text.

    Marks are vega's ``path.mark-*``/``rect``/``circle`` items with pointer events; the
    tooltip is vega-tooltip's ``#vg-tooltip-element``. Raises when no tooltip appears.
    """
    chart = page.locator(CHART_SELECTOR).nth(chart_index)
    marks = chart.locator(
        "g.mark-rect path, g.mark-symbol path, g.mark-arc path, g.mark-area path, "
        "g.mark-line path, g.mark-point path, g.mark-circle path, g.mark-square path, g.mark-tick path"
    )
    mark = marks.nth(mark_index)
    mark.scroll_into_view_if_needed()
    box = mark.bounding_box()
    if box is None:
        raise AssertionError(f"chart {chart_index} has no visible mark {mark_index}")
    page.mouse.move(0, 0)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    tooltip = page.locator(TOOLTIP_SELECTOR)
    tooltip.wait_for(state="visible", timeout=timeout_ms)
    page.wait_for_function(
        "sel => { const el = document.querySelector(sel); return el && el.innerText.trim().length > 0; }",
        arg=TOOLTIP_SELECTOR,
        timeout=timeout_ms,
    )
    return tooltip.inner_text()


def screenshot(path: str | Path, out: str | Path, *, width: int = 1200, full_page: bool = True) -> Path:
    """Save a PNG of a rendered page (for a person to look at; never committed)."""
    with open_offline(path, width=width) as (page, _blocked):
        page.screenshot(path=str(out), full_page=full_page)
    return Path(out)


def run_batch(folder: Path, *args: str, config: str | None = None) -> Path:
    """Run `coopanalysis run` once into ``folder/out`` with the real command line (``config``: the
    text of a reports.toml, else the bundled one; ``args``: more options, e.g. ``--lang ko``); a
    folder that already holds a finished run is reused. Returns the output folder."""
    import json
    import subprocess
    import sys
    import time

    out, done = folder / "out", folder / "batch.json"
    if done.exists():
        return out
    options = []
    if config is not None:
        (folder / "reports.toml").write_text(config, encoding="utf-8")
        options = ["--config", str(folder / "reports.toml")]
    cli = Path(sys.executable).with_name("coopanalysis")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "coopanalysis.cli"]
    started = time.monotonic()
    proc = subprocess.run([*command, "run", *options, "--out", str(out), "--jobs", "2", "--force", *args],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"coopanalysis run failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
    done.write_text(json.dumps({"seconds": round(time.monotonic() - started, 1)}), encoding="utf-8")
    return out


def shared_batch(tmp_path_factory, request, name: str, *args: str, config: str | None = None) -> Path:
    """:func:`run_batch` once per test session, whichever modules ask for the batch `name`: under
    pytest-xdist the first worker to arrive runs it under a file lock, the others wait and reuse
    its output folder."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if getattr(request.config, "workerinput", None) is not None else base) / name
    shared.mkdir(exist_ok=True)
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return run_batch(shared, *args, config=config)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
