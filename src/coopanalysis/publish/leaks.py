"""No case-level data in a shared report: the check run on every executed notebook before it
becomes a page.

A report shows aggregates. An output that names a case-level field of the request log
(`request_id`, or any field in `schema.REQUESTS_FREE_TEXT`) or holds a value that is a
request id of the log points at single cases; such a page must not be written. The check
reads every output of every code cell — plain text, HTML, Markdown, chart specs with their
inline data, headline figures and streams — and raises `CaseLevelDataError` naming the
notebook, the cell and what was found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from coopanalysis.core.schema import REQUESTS_FREE_TEXT
from coopanalysis.errors import CoopAnalysisError

IdLookup = Callable[[set[str]], set[str]]
"""Given candidate strings, returns those that are request ids of the log."""

_TOKEN = re.compile(r"[0-9A-Za-z가-힣][0-9A-Za-z가-힣_\-./:#]{2,80}")


class CaseLevelDataError(CoopAnalysisError):
    """An executed notebook's outputs hold request-level data; the report is not rendered."""


def _texts(value: Any) -> Iterator[str]:
    """Every string in an output value: keys and values of JSON specs, lines of text."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        if all(isinstance(v, str) for v in value):  # a multi-line text output stored as a list
            yield "".join(value)
        else:
            for v in value:
                yield from _texts(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _texts(v)
    elif value is not None and not isinstance(value, (int, float, bool)):
        yield json.dumps(value, default=str)


def _cell_texts(cell: Any) -> list[str]:
    texts: list[str] = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.extend(_texts(output.get("text", "")))
        elif output.get("output_type") == "error":
            texts.extend(_texts([output.get("ename", ""), output.get("evalue", "")]))
        else:
            for mime, data in (output.get("data") or {}).items():
                if isinstance(data, str) and mime.endswith("json"):
                    try:
                        data = json.loads(data)
                    except ValueError:
                        pass
                texts.extend(_texts(data))
    return texts


def _field_pattern(fields: Iterable[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(f) for f in fields)
    return re.compile(rf"(?<![0-9A-Za-z_])({names})(?![0-9A-Za-z_])")


def check_shareable(nb: Any, *, name: str, request_ids: IdLookup | None = None,
                    fields: Iterable[str] = REQUESTS_FREE_TEXT) -> None:
    """Raise `CaseLevelDataError` when an output of the executed notebook `nb` (named `name` in
    the message) names a case-level field (`fields`, by default `schema.REQUESTS_FREE_TEXT`) or,
    given `request_ids`, holds a request id of the log. The message names the cell (its number
    among the code cells, counted from 1, and its execution count): the first cell, in order,
    that shows either.

    `request_ids` is called once per notebook, with the candidates of every cell together (each
    call may read the whole log)."""
    pattern = _field_pattern(fields)
    code_cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    checked: list[tuple[str, set[str]]] = []  # (where, candidates) of the cells before a field is found
    field_error: CaseLevelDataError | None = None
    for number, cell in enumerate(code_cells, start=1):
        texts = _cell_texts(cell)
        where = f"{name}, code cell {number}" + (
            f" (execution count {cell['execution_count']})" if cell.get("execution_count") else "")
        found = next((m for m in map(pattern.search, texts) if m), None)
        if found:
            field_error = CaseLevelDataError(
                f"{where}: its output shows the case-level field {found.group(1)!r}; a shared report holds "
                "aggregates only, so the page was not written"
            )
            break
        if request_ids is not None:
            checked.append((where, {t for text in texts for t in _TOKEN.findall(text) if any(ch.isdigit() for ch in t)}))
    candidates = set().union(*(c for _, c in checked))
    hits = request_ids(candidates) if request_ids is not None and candidates else set()
    for where, cell_candidates in checked:
        in_cell = cell_candidates & hits
        if in_cell:
            raise CaseLevelDataError(
                f"{where}: its output holds {len(in_cell)} request id(s) of the log (e.g. {sorted(in_cell)[0]!r}); "
                "a shared report holds aggregates only, so the page was not written"
            )
    if field_error is not None:
        raise field_error


def request_id_lookup(data: str) -> IdLookup | None:
    """An `IdLookup` over the request log a report reads (`data` as in the report's parameters; ""
    is the bundled sample): a CSV, Parquet or XLSX file or a folder of Parquet files (hive), or None
    when `data` is not a request log. Each call reads the `request_id` column of the validated-rows
    cache (`LoadResult.kept_on_disk`, the one the report itself wrote; validated and written here
    if it is missing), for the candidates only (streaming, never the whole id column in memory)."""
    from coopanalysis import paths
    from coopanalysis.io.sources import is_request_log

    if not isinstance(data, str) or not is_request_log(data):
        return None
    path = Path(paths.resolve_data_path(data) if data else paths.SAMPLE_REQUESTS)
    if not path.is_file() and not (path.is_dir() and next(path.rglob("*.parquet"), None)):
        return None  # e.g. a folder of transparency reports (CSV): no request ids
    return lambda candidates: _ids_in_log(path, candidates)


def _ids_in_log(path: Path, candidates: set[str]) -> set[str]:
    """The `candidates` that are request ids of the kept rows of the log at `path`; none when `path`
    is not a request log (e.g. a folder of transparency reports)."""
    import polars as pl

    from coopanalysis.io.requests import load_requests

    try:
        kept = load_requests(path).kept_on_disk().data
    except CoopAnalysisError:  # not a request log (another report's input): it holds no request ids
        return set()
    ids = kept.select("request_id").filter(pl.col("request_id").is_in(sorted(candidates)))
    return set(ids.collect(engine="streaming").to_series().to_list())
