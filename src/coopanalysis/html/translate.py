"""The notebook's markdown cells in the page's language, at render time.

A report notebook is written in English; its headings and explanations (markdown cells) are
message ids of the catalogue (`coopanalysis.core.i18n`): the exact cell source is the id.
"""

from __future__ import annotations

import copy
from typing import Any

from coopanalysis.core.i18n import DEFAULT_LANGUAGE, check_language, translator


def translate_notebook(nb: Any, lang: str) -> Any:
    """A copy of `nb` whose markdown cells read in `lang` (a cell the catalogue lacks stays in
    English); `nb` itself when `lang` is English."""
    check_language(lang)
    if lang == DEFAULT_LANGUAGE:
        return nb
    tr = translator(lang)
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = tr(cell.source)
    return out
