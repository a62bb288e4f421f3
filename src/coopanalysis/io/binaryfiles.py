"""Reading Parquet files (or hive folders) and Excel workbooks as text tables plus `_line`.

Both refuse, with one `DataFileError` naming the file, what they cannot read as text cells:
Parquet columns holding lists, arrays, structs, maps or durations, and workbooks whose sheet XML
unpacks to more than `XLSX_MAX_XML_BYTES` (the Excel reader holds the whole sheet in memory).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import polars.selectors as cs

from coopanalysis.errors import DataFileError
from coopanalysis.io.parquetbatches import has_large_row_groups, scan_in_batches
from coopanalysis.io.readerrors import reading

XLSX_MAX_XML_BYTES = 200 * 1024 * 1024
"""The most sheet (or shared-strings) XML a workbook may unpack to: the Excel reader holds it in
memory several times over (a 910 MB sheet took 3.3 GB). Larger logs belong in CSV or Parquet."""

_NOT_TEXT = (pl.Duration, pl.Object)
"""Flat types that cannot become one text cell; every nested type (list, array, struct, map) cannot either."""


def _check_parquet_types(path: Path, schema: pl.Schema) -> None:
    """Raise DataFileError for the first column whose type is not one text cell per row
    (lists, arrays, structs, maps, durations)."""
    for name, dtype in schema.items():
        if dtype.is_nested() or isinstance(dtype, _NOT_TEXT):
            kind = type(dtype).__name__.lower()
            raise DataFileError(path, f"column {name!r} holds {kind} values ({dtype}), not one value per "
                                      "cell; write it as text (or one column per part) and try again")


def scan_parquet(path: Path, *, keep_dates: bool = False) -> pl.LazyFrame:
    """A Parquet file or hive folder (its path read literally, never as a glob) as text columns plus
    `_line` (row number from 1); `keep_dates` leaves Date columns typed."""
    with reading(path):
        if path.is_file() and has_large_row_groups(path):  # decoded whole, they cost memory: read in batches
            lf = scan_in_batches(path)
        else:
            lf = pl.scan_parquet(path, hive_partitioning=path.is_dir(), row_index_name="_line", row_index_offset=1,
                                 glob=False, low_memory=True)
        _check_parquet_types(path, lf.collect_schema())
    if keep_dates:  # Date columns stay typed: re-parsing them from text is the slowest step on large logs
        return lf.with_columns((cs.all() - cs.by_name("_line") - cs.date()).cast(pl.String))
    return lf.with_columns(pl.exclude("_line").cast(pl.String))


def _check_xml_size(path: Path) -> None:
    """Raise DataFileError when a sheet or the shared strings of the workbook unpack to more than
    `XLSX_MAX_XML_BYTES`, read from the zip's directory (nothing is unpacked). A file that is not a
    zip is left to the Excel reader to report."""
    try:
        with zipfile.ZipFile(path) as book:
            members = [i for i in book.infolist()
                       if i.filename.startswith("xl/worksheets/") or i.filename == "xl/sharedStrings.xml"]
    except Exception:  # noqa: BLE001 -- a damaged zip directory (bad header, unknown zip version, ...):
        return  # the Excel reader then names the file in its one-line error
    big = max(members, key=lambda i: i.file_size, default=None)
    if big is not None and big.file_size > XLSX_MAX_XML_BYTES:
        raise DataFileError(path, f"{big.filename} unpacks to {big.file_size / 2**20:,.0f} MB of XML, more than "
                                  f"the {XLSX_MAX_XML_BYTES / 2**20:,.0f} MB read from a workbook; "
                                  "save the sheet as CSV UTF-8 and load that")


def read_excel(path: Path, sheet: str | None) -> pl.LazyFrame:
    """An Excel sheet as text columns plus `_line` (the sheet row, header = row 1)."""
    if path.suffix.lower() != ".xls":
        _check_xml_size(path)
    try:
        df = pl.read_excel(
            path,
            sheet_name=sheet,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=True,
        )
    except Exception as exc:  # noqa: BLE001 -- fastexcel raises its own types; all mean "cannot use this workbook"
        raise DataFileError(path, f"cannot be read as an Excel workbook: {str(exc).splitlines()[0]}") from None
    return df.with_row_index("_line", offset=2).lazy().with_columns(pl.exclude("_line").cast(pl.String))
