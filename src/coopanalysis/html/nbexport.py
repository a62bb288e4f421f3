"""The offline page as an nbconvert exporter, for Jupyter's own export.

`jupyter nbconvert --to coopanalysis_offline EXECUTED.ipynb`, and in JupyterLab File → Save and Export
Notebook As → "Coopanalysis_offline" (JupyterLab names the entry after the exporter), write the page `coopanalysis render` writes
(`coopanalysis.html.renderer.render_html`): code hidden, charts drawn by the inlined vega bundle,
nothing loaded over the network. nbconvert's own `--to html` knows nothing of the chart outputs
and shows their text placeholders instead. The exporter is registered under the entry point group
`nbconvert.exporters` (pyproject.toml).
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import Exporter
from traitlets import default

from coopanalysis.html.page import first_heading
from coopanalysis.html.renderer import render_html


class OfflineHTMLExporter(Exporter):
    """nbconvert's face of `render_html`: an executed notebook → the self-contained offline page."""

    export_from_notebook = "Offline HTML (coopanalysis)"
    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[str, dict]:
        """The page of `nb`, titled like `coopanalysis render` (the notebook's title or first heading,
        else its file name)."""
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        name = (resources.get("metadata") or {}).get("name")
        title = nb_copy.get("metadata", {}).get("title") or first_heading(nb_copy) or name
        resources["output_extension"] = ".html"
        return render_html(nb_copy, title=title), resources
