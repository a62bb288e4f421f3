"""Shared fixtures: build notebooks from cell sources and execute them with papermill."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

# The venv's own kernelspec: jupyter_client starts "python" as the running interpreter,
# so the kernel sees exactly the packages the tests see.
KERNEL_NAME = "python3"


def make_notebook(cells: Sequence[str | tuple[str, str]]):
    """A notebook from cell sources: a plain string is a code cell; ``("markdown", text)``
    or ``("code", text)`` chooses the type; ``("parameters", text)`` is a code cell
    tagged ``parameters``."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    built = []
    for cell in cells:
        kind, source = ("code", cell) if isinstance(cell, str) else cell
        if kind == "markdown":
            built.append(new_markdown_cell(source))
        elif kind == "parameters":
            built.append(new_code_cell(source, metadata={"tags": ["parameters"]}))
        elif kind == "code":
            built.append(new_code_cell(source))
        else:
            raise ValueError(f"unknown cell kind {kind!r}")
    nb = new_notebook(cells=built)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


@pytest.fixture
def execute_notebook(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``execute_notebook(cells, parameters=None, name="report", allow_errors=False)``
    writes the notebook under ``tmp_path``, executes it with papermill and returns the
    executed notebook's path."""
    import nbformat
    import papermill as pm

    def run(
        cells: Sequence[str | tuple[str, str]],
        *,
        parameters: dict | None = None,
        name: str = "report",
        allow_errors: bool = False,
    ) -> Path:
        source = tmp_path / f"{name}.ipynb"
        executed = tmp_path / f"{name}.executed.ipynb"
        nbformat.write(make_notebook(cells), source)
        try:
            pm.execute_notebook(
                str(source),
                str(executed),
                parameters=parameters or {},
                kernel_name=KERNEL_NAME,
                cwd=str(tmp_path),
                progress_bar=False,
            )
        except pm.PapermillExecutionError:
            if not allow_errors:
                raise
        return executed

    return run
