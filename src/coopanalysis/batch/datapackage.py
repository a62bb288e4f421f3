"""`coopanalysis export OUT_DIR --format datapackage`: every table the pages of a run publish, as a
Frictionless data package.

Made from the published pages only (those `summary.json` lists as done; never executed notebooks,
logs or a shared run's private folder), so it holds exactly what the pages publish: the data each
page embeds beside each table (``<script class="coop-table-data">``, `present.table_data`), a hidden
cell as its code ("<10", "withheld"). One resource per table: a CSV (UTF-8 with a BOM for spreadsheet
programs, RFC 4180, formula-looking text made inert as `io.rejects.csv_safe` does) and a schema whose
`missingValues` declare the codes; its sources are the page's "Source:" line under the table. The
folder is built beside the target and renamed into place: a failed export leaves an earlier one intact.
Pure: `build_resource`, `build_package`; `write_package` writes; pages are read by `batch.published_pages`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopanalysis.batch.published_pages import Page, published_pages
from coopanalysis.core.files import PUBLIC_FILE, UnsafePathError, ensure_dir, write_atomic
from coopanalysis.core.i18n import translator
from coopanalysis.errors import CoopAnalysisError, DataFileError
from coopanalysis.io.rejects import FORMULA_STARTS
from coopanalysis.present.page_facts import EXPORT_BANNER
from coopanalysis.present.table_data import missing_codes, slug, unique

FORMATS = ("datapackage",)
PACKAGE_FOLDER = "datapackage"

LICENCE = {"name": "MIT", "path": "https://opensource.org/licenses/MIT",
           "title": "MIT License, the licence of coopanalysis: the project states no licence for these figures, "
                    "so it applies its own to the tables it derives. Figures taken from providers' "
                    "transparency reports keep their publishers' terms (see sources)."}
CODES = ("Hidden cells are the codes the tables print, declared as missing values: \"<k\" is a count "
         "below k, \"withheld\" a count hidden so that another hidden count cannot be worked out.")

_TEMPORAL = (("date", re.compile(r"\d{4}-\d{2}-\d{2}")),
             ("datetime", re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")),
             ("time", re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?")))


@dataclass
class ExportResult:
    """What an export wrote: the package file, resources, rows, the pages read (and their tables)."""

    path: Path
    resources: int
    rows: int
    pages: list[Page]


# ------------------------------------------------------------------------------ building


def _kind(v: Any, missing: set[str]) -> str | None:
    """The narrowest Table Schema type of one cell (None for an empty or missing cell)."""
    if v is None or (isinstance(v, str) and v in missing) or (isinstance(v, float) and not math.isfinite(v)):
        return None
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "integer" if float(v).is_integer() else "number"
    if isinstance(v, str):
        return next((kind for kind, rx in _TEMPORAL if rx.fullmatch(v)), "string")
    return "string"


def field_type(declared: str, values: list[Any], missing: set[str]) -> str:
    """The Table Schema type of a column: the payload's where every value fits it, else the nearest
    that does ("integer" with fractions → "number", a date with a time → "datetime", else "string")."""
    kinds = {_kind(v, missing) for v in values} - {None}
    if declared in ("integer", "number") and kinds <= {"integer", "number"}:
        return "integer" if declared == "integer" and kinds <= {"integer"} else "number"
    if declared == "boolean" and kinds <= {"boolean"}:
        return "boolean"
    if declared == "date" and len(kinds) == 1 and kinds <= {"date", "datetime", "time"}:
        return kinds.pop()
    return "string"


def safe_text(text: str) -> str:
    """Text a spreadsheet cannot run: a leading ' before =, +, -, @, tab or CR (as `io.rejects.csv_safe`)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_value(v: Any, ftype: str) -> str:
    """One cell as CSV text: numbers as numbers, a code as the code, text made inert."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and ftype == "integer":
        return str(int(v))
    if isinstance(v, (int, float)):
        return repr(v)
    return safe_text(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))


def _descriptions(lang: str) -> dict[str, str]:
    """Column name or label (English, or in `lang`) → the labels registry's words for it, in `lang`."""
    from coopanalysis.core import names

    tr, extra, out = translator(lang), getattr(names, "DESCRIPTIONS", {}), {}
    for key, words in names.LABELS.items():
        for spelling in (key, words, tr(words)):
            out.setdefault(spelling, tr(str(extra.get(key) or words)))
    return out


def build_resource(page: Page, table: dict[str, Any], name: str) -> tuple[dict[str, Any], str]:
    """The resource descriptor of one table of `page`, named `name`, and its CSV text."""
    tr, known = translator(page.lang), _descriptions(page.lang)
    cols, rows = table["columns"], table["rows"]
    codes = list(dict.fromkeys([c for c in table.get("missing") or [] if isinstance(c, str)] + missing_codes(rows, cols)))
    fields, seen = [], set()
    for i, col in enumerate(cols):
        fname = safe_text(col["name"]) or f"column-{i + 1}"
        while fname in seen:
            fname += "_"
        seen.add(fname)
        f = {"name": fname, "title": str(col.get("title") or col["name"]),
             "type": field_type(str(col.get("type")), [r[i] for r in rows], set(codes))}
        words = str(col.get("description") or known.get(col["name"]) or known.get(f["title"]) or "")
        fields.append({**f, "description": words} if words else f)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([f["name"] for f in fields])
    writer.writerows([csv_value(v, f["type"]) for v, f in zip(r, fields, strict=True)] for r in rows)
    about = tr("From the page “{title}” ({file}).").format(title=page.title, file=page.file)
    resource = {
        "name": name, "path": f"{name}.csv", "title": str(table.get("caption") or name),
        "description": (f"{tr(EXPORT_BANNER)}. " if page.synthetic else "") + about,
        "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "schema": {"fields": fields, "missingValues": ["", *codes]},
    }
    if table.get("sources"):
        resource["sources"] = _frictionless_sources(table["sources"])
    return resource, "\ufeff" + buf.getvalue()


def _frictionless_sources(citations: list[dict[str, str]]) -> list[dict[str, str]]:
    """Citations as Frictionless sources (title, and path when there is an address), each once."""
    once = dict.fromkeys((c["label"], c.get("url") or "") for c in citations)
    return [{"title": t, **({"path": u} if u else {})} for t, u in once]


def resource_name(page: Page, ident: str, used: set[str]) -> str:
    """A valid, unique Frictionless name (lower-case ASCII letters, digits, '-') from report and table id."""
    ascii_slug = lambda t: re.sub("-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", slug(t).lower())).strip("-")
    report, table = ascii_slug(page.name) or "report", ascii_slug(ident) or "table"
    return unique(table if table.startswith(report) else f"{report}-{table}", used)


def build_package(pages: list[Page], *, folder: str, created: str | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The `datapackage.json` descriptor of every table of `pages` and the CSV text of each resource."""
    langs = {p.lang for p in pages if p.tables}
    tr = translator(langs.pop() if len(langs) == 1 else "en")
    resources, files, used = [], {}, set()
    for page in pages:
        for table in page.tables:
            res, text = build_resource(page, table, resource_name(page, str(table.get("id") or ""), used))
            resources.append(res)
            files[res["path"]] = text
    sources = _frictionless_sources([c for p in pages for t in p.tables for c in t["sources"]])
    synthetic = tr("Some pages show synthetic data: their resources say so; do not quote them as fact.") \
        if any(p.synthetic and p.tables for p in pages) else ""
    descriptor = {
        "name": f"coopanalysis-{re.sub(r'[^a-z0-9]+', '-', folder.lower()).strip('-') or 'reports'}",
        "title": tr("Tables of the coopanalysis reports in {folder}").format(folder=folder),
        "description": " ".join(t for t in (tr("Every table the report pages publish, as the pages show them."),
                                            tr(CODES), synthetic) if t),
        "licenses": [{**LICENCE, "title": tr(LICENCE["title"])}],
        "sources": sources,
        "created": created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "resources": resources,
    }
    return descriptor, files


# ------------------------------------------------------------------------------ writing


def write_package(target: Path, descriptor: dict[str, Any], files: dict[str, str]) -> Path:
    """Write the package folder `target` whole: built in a fresh folder beside it, then renamed over
    it, so an earlier package goes only once the new one is complete. Refuses a symlink, a file, or a
    folder holding anything but a data package. Returns its `datapackage.json`."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UnsafePathError(f"{target}: expected a folder for the package, found a {'symlink' if target.is_symlink() else 'file'}")
    if target.is_dir() and any(target.iterdir()) and not (target / "datapackage.json").is_file():
        raise CoopAnalysisError(f"{target}: the folder holds files but no datapackage.json; "
                                "refusing to replace it (choose another --to folder)")
    parent, old = ensure_dir(target.parent), None
    stage = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        for name, text in {**files, "datapackage.json": json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"}.items():
            write_atomic(stage / name, text, mode=PUBLIC_FILE)
        os.chmod(stage, 0o755)
        if target.is_dir():  # the old package steps aside into a fresh folder, and comes back if the swap fails
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".old"))
            os.rename(target, old / "package")
        try:
            os.rename(stage, target)
        except OSError:
            if old is not None:
                os.rename(old / "package", target)
            raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return target / "datapackage.json"


def export_datapackage(out_dir: str | Path, *, to: str | Path | None = None, fmt: str = "datapackage") -> ExportResult:
    """Export every table of the published pages of the run in `out_dir` (default into
    `out_dir`/datapackage). Errors a user can fix raise `CoopAnalysisError` naming the path."""
    if fmt not in FORMATS:
        raise CoopAnalysisError(f"unknown --format {fmt!r}: the formats are {', '.join(FORMATS)}")
    out = Path(out_dir)
    if not out.is_dir():
        raise DataFileError(out, "no such folder" if not out.exists() else "is not a folder")
    from coopanalysis.batch.lock import FolderLock

    try:
        lock: FolderLock | None = FolderLock(out)  # a run writing the folder would change the pages under us
    except OSError:
        lock = None  # a folder we cannot write (a read-only copy) is read without the lock
    try:
        pages = published_pages(out)
        if not any(p.tables for p in pages):
            raise DataFileError(out, f"none of its {len(pages)} published page(s) embeds table data "
                                "(pages rendered by an older coopanalysis? run `coopanalysis run --force`)")
        descriptor, files = build_package(pages, folder=out.resolve().name)
        target = Path(to) if to is not None else out / PACKAGE_FOLDER
        try:
            path = write_package(target, descriptor, files)
        except OSError as exc:
            raise DataFileError(target, f"cannot write the package ({exc.strerror or exc})") from None
    finally:
        if lock is not None:
            lock.release()
    return ExportResult(path, len(descriptor["resources"]), sum(len(t["rows"]) for p in pages for t in p.tables), pages)


def format_result(r: ExportResult) -> str:
    """What the command prints: the package, resources and rows, pages read and pages with tables."""
    without = [p.file for p in r.pages if not p.tables]
    undata = sum(p.undata for p in r.pages)
    return (f"wrote {r.resources} resource(s), {r.rows:,} row(s) to {r.path}\n"
            f"pages read: {len(r.pages)}, with tables: {len(r.pages) - len(without)}"
            + (f" (without table data, skipped: {', '.join(without)})" if without else "")
            + (f"\n{undata} table(s) shown without embedded data were left out" if undata else ""))
