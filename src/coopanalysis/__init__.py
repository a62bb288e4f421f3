"""coopanalysis: law-enforcement requests for investigation cooperation to online platforms.

The library is organised in one direction: loading and validation
(`coopanalysis.loading`) produce canonical LazyFrames (`coopanalysis.schema`),
pure polars transforms (`volumes`, `growth`, `projection`, `outcomes`, `stats`)
aggregate them, `charts` draws the small aggregated frames, and `render` /
`batch` turn executed notebooks into offline HTML reports.
"""

__version__ = "0.1.0"

from coopanalysis._startup import skip_slow_iri_format_checker as _skip

_skip()
