"""`coopanalysis audit OUT_DIR`: the reader's linear program over every page of a rendered folder.

Each report page carries the ledger of the counts it publishes (`publish.ledger`, recorded by
`present.display.record_counts`). The audit reads the ledgers of every page in the folder
(`*.html` beside `index.html`), runs `publish.audit.audit` over all of them together and says,
per hidden count, what a reader of the whole folder can tell of it. It fails (exit 1) when a
hidden count can be narrowed below k, or when a page carries no ledger (it cannot be audited).
`coopanalysis run` audits the folder last whenever it holds shared reports (`batch.shared`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from coopanalysis.errors import DataFileError
from coopanalysis.html.page import read_ledgers
from coopanalysis.publish.audit import Interval, audit
from coopanalysis.publish.ledger import Count, Ledger

NOT_PAGES = ("index.html",)


@dataclass(frozen=True)
class FolderAudit:
    """The audit of one folder: each hidden count's interval, and the pages without a ledger."""

    folder: Path
    pages: tuple[str, ...]
    intervals: tuple[Interval, ...]
    unaudited: tuple[str, ...]

    @property
    def leaks(self) -> list[Interval]:
        return [i for i in self.intervals if i.leak]

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.unaudited

    def leaking_pages(self) -> set[str]:
        return {w.split(":", 1)[0] for i in self.leaks for w in i.where}


def report_pages(folder: Path) -> list[Path]:
    """The report pages of a rendered folder: its `*.html` files but the index, in name order."""
    return sorted(p for p in folder.glob("*.html") if p.name not in NOT_PAGES and p.is_file())


def audit_folder(folder: str | Path, *, exact: bool = False) -> FolderAudit:
    """Audit every report page of `folder` together (see the module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFileError(folder, "no such folder (give the output folder of `coopanalysis run`)")
    ledgers: list[Ledger] = []
    pages, unaudited = [], []
    for page in report_pages(folder):
        found = read_ledgers(page)
        pages.append(page.name)
        if not found:
            unaudited.append(page.name)
        ledgers += [Ledger(page.stem, ledger.k, ledger.universes, ledger.counts) for ledger in found]
    return FolderAudit(folder, tuple(pages), tuple(audit(ledgers, exact=exact)), tuple(unaudited))


def _what(c: Count) -> str:
    platforms = ", ".join(c.platforms) if c.platforms else "all platforms"
    split = f", {c.dimension.replace('_', ' ')} {', '.join(c.values or ())}" if c.dimension else ""
    return f"{_span(c.start, c.end)}, {platforms}{split}"


def _span(start: dt.date, end: dt.date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"


def _bound(x: float) -> str:
    return "∞" if x == float("inf") else f"{x:,.1f}".removesuffix(".0")


def format_audit(result: FolderAudit, *, all_counts: bool = True) -> str:
    """The audit as text: one line per hidden count (or only the leaks), then a verdict."""
    lines = []
    for i in result.intervals:
        if not all_counts and not i.leak:
            continue
        verdict = "LEAK" if i.leak else ("published elsewhere" if i.published else "protected")
        shown = "<k" if i.count.status == "small" else "withheld"
        lines.append(f"{verdict:>19}  {shown:8}  {_bound(i.low)} to {_bound(i.high)} (k = {i.k})  "
                     f"{_what(i.count)}  [{'; '.join(i.where[:3])}{' …' if len(i.where) > 3 else ''}]")
    for name in result.unaudited:
        lines.append(f"{'NOT AUDITED':>19}  {name}: the page carries no ledger of its published counts")
    hidden = len(result.intervals)
    lines.append(
        f"{result.folder}: {len(result.pages)} page(s), {hidden} hidden count(s); "
        + ("no hidden count can be narrowed below k." if not result.leaks else
           f"{len(result.leaks)} hidden count(s) can be narrowed below k by a reader of the whole folder.")
        + (f" {len(result.unaudited)} page(s) could not be audited." if result.unaudited else "")
    )
    return "\n".join(lines)


AUDIT_FAILED = "withdrawn: the folder audit found a hidden count the pages give back together"
UNAUDITED = "withdrawn: the page does not record the counts it publishes, so it cannot be audited"


def audit_shared_run(out_dir: Path, entries: list[dict], manifest: dict, private: Path, stream) -> list[dict]:
    """After a run that holds shared reports: audit the folder. When a hidden count can be narrowed
    below k, every shared page is withdrawn; otherwise a shared page without a ledger is (it cannot
    be audited). A withdrawn page moves to `private`/withdrawn (owner-only), its entry fails with a
    fixed reason and its manifest record goes (it runs again next time): the folder is never left
    leaking. Returns the entries."""
    if not any(e.get("shared") for e in entries):
        return entries
    result = audit_folder(out_dir)
    stream.write(format_audit(result, all_counts=False) + "\n")
    if result.ok:
        return entries
    reason, names = (AUDIT_FAILED, None) if result.leaks else (UNAUDITED, {Path(n).stem for n in result.unaudited})
    withdrawn = [e for e in entries if e.get("shared") and (names is None or e["name"] in names)
                 and (out_dir / f"{e['name']}.html").is_file()]
    if withdrawn:
        folder = _withdraw(out_dir, [e["name"] for e in withdrawn], private)
        for entry in withdrawn:
            entry.update(status="failed", error=reason, outputs={}, headlines={})
            manifest.pop(entry["name"], None)
        stream.write(f"{len(withdrawn)} shared page(s) withdrawn to {folder} (`coopanalysis audit {folder}` says why)\n")
    return entries


def _withdraw(out_dir: Path, names: list[str], private: Path) -> Path:
    from coopanalysis.core.files import PRIVATE_FILE, ensure_private_dir, write_atomic

    folder = ensure_private_dir(private / "withdrawn")
    for name in names:
        page = out_dir / f"{name}.html"
        write_atomic(folder / page.name, page.read_bytes(), mode=PRIVATE_FILE)
        page.unlink()
    return folder
