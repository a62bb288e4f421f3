"""Process start-up tweaks that must run before heavy imports."""

from __future__ import annotations

import sys


def skip_slow_iri_format_checker() -> None:
    """Keep jsonschema from importing `rfc3987_syntax` in this process.

    nbformat and altair import jsonschema, whose optional `iri` format checker
    (`rfc3987_syntax`) builds about 35 Earley parsers at import time: 1 to 6
    seconds per process, paid by every report kernel, for a format no notebook
    or chart schema uses (python-jsonschema/jsonschema#1428). Marking the module
    absent makes jsonschema skip that one checker. Does nothing if jsonschema
    was imported already.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


PARQUET_PREFETCH = "2"
"""Row groups a Parquet scan reads ahead (polars' POLARS_ROW_GROUP_PREFETCH_SIZE, read once when
polars starts). polars' default keeps several decoded row groups in flight: on a 10M-row file of
million-row groups the validated load peaked at 1.55 GB of private memory, 0.88 GB with 2 ahead,
in the same time."""


def limit_parquet_prefetch() -> None:
    """Read Parquet two row groups ahead in this process, unless the user set it or polars has
    started already (then the setting would not be read)."""
    import os

    if "polars" not in sys.modules:
        os.environ.setdefault("POLARS_ROW_GROUP_PREFETCH_SIZE", PARQUET_PREFETCH)
