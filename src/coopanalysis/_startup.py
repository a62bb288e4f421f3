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
