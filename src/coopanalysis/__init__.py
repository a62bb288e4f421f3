"""coopanalysis: law-enforcement requests for investigation cooperation to online platforms.

The package is organised in one direction, one layer a folder: `core` (canonical tables, names,
periods, the safe writer), `io` (loading and validation, with rejects), `transforms` (pure polars
aggregates), `publish` (small-count protection), `reports` (one facade per report), `present`
(charts, sentences, tables), `html` (offline pages) and `batch` (papermill runs); `cli` on top.
"""

__version__ = "0.1.0"

from coopanalysis._startup import skip_slow_iri_format_checker as _skip

_skip()
