"""Fingerprints of what decides a report's content, so an unchanged report is skipped.

A report's fingerprint hashes its notebook's cells, EVERY resolved parameter (the notebook's
defaults under the configured, profile and `-p` values), whether it is shared and the profile's
values, the package version and the sha256 of every input data file or folder it reads: an empty
`data` reads the bundled sample (`paths.SAMPLE_REQUESTS`), which is hashed then. A report is only
skipped when its page is still the one its last success wrote (`page_hash`), so a page written by
a run killed before it recorded the report is never kept under another run's fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from coopanalysis.core.files import sha256_file, sha256_tree

DATA_PARAMETER = re.compile(r"^(data|data_\w+|\w+_data)$")
"""Parameters naming input data files or folders; their content is hashed."""


def sha256_path(path: Path) -> str:
    """Hex sha256 of a file, or of a folder: its files' relative paths and contents, in order.

    Hidden files and folders (name starting with `.`) are ignored. A missing
    path hashes to `"missing"` (the notebook will report it when it runs).
    """
    if path.is_file():
        return sha256_file(path)
    return sha256_tree(path, skip_hidden=True) if path.is_dir() else "missing"


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


def fingerprint(*, notebook_sha: str, parameters: dict[str, Any], version: str, inputs: dict[str, str],
                shared: bool = False, profile: dict[str, Any] | None = None) -> str:
    """One hash of everything that decides a report's content (`parameters`: every resolved one)."""
    blob = json.dumps(
        {"notebook": notebook_sha, "parameters": parameters, "version": version, "inputs": inputs,
         "shared": shared, "profile": profile or {}},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def data_parameters(parameters: dict[str, Any]) -> dict[str, list[str]]:
    """The parameters that name input data (`data`, `data_*`, `*_data`) → their path values."""
    out: dict[str, list[str]] = {}
    for name, value in parameters.items():
        if not DATA_PARAMETER.match(name):
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        paths = [str(v) for v in values if isinstance(v, (str, Path)) and str(v)]
        if paths:
            out[name] = paths
    return out


def input_hashes(parameters: dict[str, Any], hasher: InputHasher) -> dict[str, str]:
    """Path as written → sha256 of every data input of the resolved `parameters`; a `data` that is
    empty (or None) stands for the bundled sample, keyed by its path."""
    from coopanalysis import paths

    inputs = {v: hasher(v)[1] for values in data_parameters(parameters).values() for v in values}
    if "data" in parameters and not parameters["data"]:
        inputs[paths.SAMPLE_REQUESTS.as_posix()] = hasher(str(paths.SAMPLE_REQUESTS))[1]
    return inputs


def page_hash(page: Path) -> str | None:
    """sha256 of a report's page, or None if there is none."""
    return sha256_file(page) if page.is_file() else None
