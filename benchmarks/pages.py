"""Page size: each bundled report's offline page rendered by the current tree and by a baseline commit.

Renders the executed notebooks of the bundled reports (`reports/executed/*.ipynb`, written by
`make report`) twice: with this tree's renderer and with the renderer of a baseline commit (a
`git worktree` of it, made in a temporary folder and removed afterwards). Each render runs in a
subprocess whose `PYTHONPATH` puts that tree's `src` first (checked: the subprocess says which
package it imported). Prints each page's bytes, the ratio current / baseline and the largest
ratio; the target is at most 1.10 (`--check` exits 1 above it). Nothing is timed.

    .venv/bin/python benchmarks/pages.py [--baseline 887fb2c] [--executed reports/executed] [--json] [--check]

The pages are rendered without a run footer (the batch adds parameters and hashes to both alike).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = 1.10

RENDER = r"""
import json, sys
from pathlib import Path
import coopanalysis
try:
    from coopanalysis.html.renderer import render_notebook
except ImportError:
    from coopanalysis.html import render_notebook
out = Path(sys.argv[1])
sizes = {}
for nb in sys.argv[2:]:
    page = out / (Path(nb).stem + ".html")
    render_notebook(nb, page)
    sizes[Path(nb).stem] = page.stat().st_size
print(json.dumps({"package": coopanalysis.__file__, "sizes": sizes}))
"""


def render_with(tree: Path, notebooks: list[Path], out: Path) -> dict[str, int]:
    """Bytes of each notebook's page as rendered by the package in `tree`/src."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", RENDER, str(out), *map(str, notebooks)],
                          capture_output=True, text=True, env=env, cwd=tree)
    if done.returncode != 0:
        raise SystemExit(f"rendering with {tree} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(result["package"]).resolve().is_relative_to((tree / "src").resolve()):
        raise SystemExit(f"the render for {tree} imported {result['package']}, not that tree's package")
    return result["sizes"]


def git(*args: str) -> None:
    subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="887fb2c", help="commit to compare with (default 887fb2c)")
    parser.add_argument("--executed", type=Path, default=REPO / "reports" / "executed",
                        help="folder of executed notebooks (default reports/executed, from `make report`)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help=f"exit 1 when a ratio is above {TARGET}")
    args = parser.parse_args(argv)
    notebooks = sorted(args.executed.glob("*.ipynb"))
    if not notebooks:
        raise SystemExit(f"no executed notebooks in {args.executed}: run `make report` first")
    with tempfile.TemporaryDirectory(prefix="coop-pages-") as tmp:
        base_tree = Path(tmp) / "baseline"
        git("worktree", "add", "--detach", str(base_tree), args.baseline)
        try:
            baseline = render_with(base_tree, notebooks, Path(tmp) / "pages-baseline")
        finally:
            git("worktree", "remove", "--force", str(base_tree))
        current = render_with(REPO, notebooks, Path(tmp) / "pages-current")
    rows = [{"page": name, "baseline_bytes": baseline[name], "current_bytes": current[name],
             "ratio": round(current[name] / baseline[name], 4)} for name in sorted(current)]
    worst = max(r["ratio"] for r in rows)
    if args.json:
        print(json.dumps({"baseline": args.baseline, "pages": rows, "max_ratio": worst, "target": TARGET}, indent=2))
    else:
        print(f"{'page':40} {'baseline':>12} {'current':>12} {'ratio':>7}")
        for r in rows:
            print(f"{r['page']:40} {r['baseline_bytes']:>12,} {r['current_bytes']:>12,} {r['ratio']:>7.3f}")
        print(f"max ratio {worst:.3f} (target <= {TARGET:.2f}): {'ok' if worst <= TARGET else 'OVER TARGET'}")
    return 1 if args.check and worst > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
