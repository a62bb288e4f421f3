"""Fingerprints of what decides a report's content, so an unchanged report is skipped.

A report's fingerprint hashes its notebook's cells, its parameters, the
package version and the sha256 of every input data file or folder it reads.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def sha256_file(path: Path, _chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_chunk):
            h.update(block)
    return h.hexdigest()


def sha256_path(path: Path) -> str:
    """Hex sha256 of a file, or of a folder: its files' relative paths and contents, in order.

    Hidden files and folders (name starting with `.`) are ignored. A missing
    path hashes to `"missing"` (the notebook will report it when it runs).
    """
    if path.is_file():
        return sha256_file(path)
    if not path.is_dir():
        return "missing"
    h = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path)
        if any(part.startswith(".") for part in rel.parts):
            continue
        h.update(rel.as_posix().encode("utf-8") + b"\0" + sha256_file(file).encode("ascii") + b"\n")
    return h.hexdigest()


class InputHasher:
    """Hashes input data paths once per run, however many reports read them."""

    def __init__(self) -> None:
        self._cache: dict[Path, str] = {}

    def __call__(self, value: str) -> tuple[str, str]:
        """`value` as written → (resolved path, sha256)."""
        from coopanalysis.paths import resolve_data_path

        path = Path(resolve_data_path(value)).resolve()
        if path not in self._cache:
            self._cache[path] = sha256_path(path)
        return str(path), self._cache[path]


def notebook_hash(notebook: Path) -> str:
    """sha256 of a notebook's cells (type and source), ignoring outputs and metadata."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    content = [
        [c.get("cell_type"), "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", "")]
        for c in cells
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


def fingerprint(*, notebook_sha: str, parameters: dict[str, Any], version: str, inputs: dict[str, str]) -> str:
    """One hash of everything that decides a report's content."""
    blob = json.dumps(
        {"notebook": notebook_sha, "parameters": parameters, "version": version, "inputs": inputs},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
