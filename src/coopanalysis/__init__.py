"""coopanalysis: law-enforcement requests for investigation cooperation to online platforms.

The package is organised in one direction, one layer a folder: `core` (canonical tables, names,
periods, the safe writer), `io` (loading and validation, with rejects), `transforms` (pure polars
aggregates), `publish` (small-count protection), `reports` (one facade per report), `present`
(charts, sentences, tables), `html` (offline pages) and `batch` (papermill runs); `cli` on top.
"""

__version__ = "0.1.0"

from coopanalysis._startup import limit_parquet_prefetch as _limit_prefetch
from coopanalysis._startup import skip_slow_iri_format_checker as _skip

_skip()
_limit_prefetch()


def __getattr__(name: str):
    """`coopanalysis.explore(...)`: the dashboard of the top layer, imported on first use only (it brings
    in ipywidgets and the batch runner), so `import coopanalysis` stays light. The one name the package
    root hands out from above it; the `explore` package is itself callable, so the name works the same
    before and after the package is imported."""
    if name == "explore":
        import importlib

        return importlib.import_module("coopanalysis.explore")
    raise AttributeError(f"module 'coopanalysis' has no attribute {name!r}")
