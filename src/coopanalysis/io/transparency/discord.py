"""Discord machine-readable transparency disclosures, 2023 Q2–Q4 (one CSV per quarter).

Each file stacks many tables (warnings, accounts disabled, servers removed, …); a
table starts with a title line, then a header line, then rows, then usually a
"Total" line. Four tables are about government requests and are loaded:

- "United States Government Information Requests": by request type (court orders,
  search warrants, subpoenas, pen register) → country US, `legal`, one row per type;
- "International Government Information Requests": by country → `legal`;
- "Preservation Requests": by country (US included) → `preservation`
  (`answered` = requests complied with);
- "Emergency Requests": by country (US included) → `emergency`.

"Information Produced" is `answered`; the share is answered / requests. Total lines
are not kept (they would count every request twice) but checked against the rows.
Every other line of the file is counted as read and rejected with the reason.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from coopanalysis.core.names import PLATFORM_NAMES
from coopanalysis.core.periods import month_end
from coopanalysis.errors import DataFileError
from coopanalysis.io.countries import add_country_from_name
from coopanalysis.io.parse import parse_count
from coopanalysis.io.rejects import rejects_frame
from coopanalysis.io.transparency.base import FileLoad, finish, read_text_table, share_of

FAMILY = "discord_transparency"
PROVIDER = PLATFORM_NAMES["discord"]
FILE_PATTERN = re.compile(r"discord-(\d{4})-q([1-4])\.csv$")

SECTIONS = {
    "United States Government Information Requests": ("legal", ["Request Type", "Requests", "Information Produced"]),
    "International Government Information Requests": ("legal", ["Country", "Requests", "Information Produced"]),
    "Preservation Requests": ("preservation", ["Country", "Requests", "Complied"]),
    "Emergency Requests": ("emergency", ["Country", "Requests", "Information Produced"]),
}
REQUIRED_SECTIONS = ("United States Government Information Requests", "International Government Information Requests")
"""Tables every quarter has; preservation and emergency tables appear from 2023 Q3/Q4."""
DETAILS = {
    "International Government Information Requests": "International government information requests",
    "Preservation Requests": "Preservation requests (complied)",
    "Emergency Requests": "Emergency requests",
}


def period_of(path: Path) -> tuple[date, date]:
    """(start, end) of the quarter named in a Discord file name."""
    m = FILE_PATTERN.search(path.name)
    if m is None:
        raise DataFileError(path, "unknown file name: expected discord-YYYY-qN.csv")
    year, q = int(m.group(1)), int(m.group(2))
    return date(year, 3 * q - 2, 1), month_end(year, 3 * q)


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, stripped cells) of every line of the file that is not blank."""
    df = read_text_table(path, has_header=False)
    cells = df.drop("_line").rows()
    rows = [(line, [(c or "").strip() for c in row]) for line, row in zip(df["_line"], cells, strict=True)]
    return [(line, row) for line, row in rows if any(row)]


def parse_sections(path: Path) -> tuple[pl.DataFrame, list[dict], int]:
    """(government-request rows with their section and line, the lines set aside as
    {line, reason, value}, rows read)."""
    numbered = _lines(path)
    lines = [row for _, row in numbered]
    set_aside: list[dict] = []
    rows: list[dict] = []
    totals: list[tuple[str, int | None, int | None]] = []
    found: set[str] = set()
    line_no = 0

    def note(reason: str) -> None:
        set_aside.append({"line": line_no, "reason": reason, "value": lines[i][0]})

    section: str | None = None
    expect_header = False
    for i, row in enumerate(lines):
        line_no = numbered[i][0]
        first, rest = row[0], [c for c in row[1:] if c]
        nxt = lines[i + 1] if i + 1 < len(lines) else []
        is_title = not rest and bool(nxt) and len([c for c in nxt if c]) >= 2 and not re.search(r"\d", "".join(nxt))
        if is_title:
            section = first if first in SECTIONS else None
            expect_header = True
            note("table title")
            continue
        if expect_header:
            expect_header = False
            if section is not None:
                expected = SECTIONS[section][1]
                if [c.rstrip('*').strip() for c in row[: len(expected)]] != expected:
                    raise DataFileError(
                        path,
                        f"unknown layout of the table {section!r}: expected the columns "
                        + ", ".join(expected)
                        + f", found {', '.join(c for c in row if c)}",
                    )
                found.add(section)
            note("column header")
            continue
        if section is None:
            note("not a government request table")
            continue
        if first.rstrip(":").lower() in {"total", "sum"}:
            totals.append((section, _int(row[1]), _int(row[2])))
            note("total line (checked against its rows, not kept)")
            continue
        rows.append({"line": line_no, "section": section, "label": first, "requests": row[1], "answered": row[2]})
    missing = [s for s in REQUIRED_SECTIONS if s not in found]
    if missing:
        raise DataFileError(
            path,
            "unknown layout: expected the tables " + ", ".join(repr(s) for s in REQUIRED_SECTIONS)
            + "; missing " + ", ".join(repr(s) for s in missing),
        )
    frame = pl.DataFrame(rows, schema={"line": pl.Int64, "section": pl.String, "label": pl.String,
                                       "requests": pl.String, "answered": pl.String})
    for section, req_total, ans_total in totals:
        part = frame.filter(pl.col("section") == section)
        sums = part.select(
            parse_count(pl.col("requests")).sum().alias("r"), parse_count(pl.col("answered")).sum().alias("a")
        ).row(0)
        if (req_total, ans_total) != sums:
            raise DataFileError(
                path,
                f"table {section!r}: its Total line ({req_total}, {ans_total}) differs from the sum "
                f"of its rows ({sums[0]}, {sums[1]})",
            )
    return frame, set_aside, len(lines)


def _int(text: str) -> int | None:
    t = text.replace(",", "").strip()
    return int(t) if t.isdigit() else None


def load_file(path: Path) -> FileLoad:
    """One quarter's file → the four government-request tables."""
    start, end = period_of(path)
    frame, set_aside, rows_read = parse_sections(path)
    lf = frame.lazy().with_columns(
        _name=pl.when(pl.col("section") == "United States Government Information Requests")
        .then(pl.lit("United States"))
        .otherwise(pl.col("label"))
    )
    named = add_country_from_name(lf, name_column="_name").collect()
    unknown = named.filter(pl.col("country").is_null()).select(
        "line", reason=pl.lit("country name not in the ISO 3166 reference"), value="label"
    )
    lines = pl.concat([pl.DataFrame(set_aside, schema=unknown.schema), unknown])
    kept = named.filter(pl.col("country").is_not_null())
    process = pl.col("section").replace_strict({k: v[0] for k, v in SECTIONS.items()})
    detail = (
        pl.when(pl.col("section") == "United States Government Information Requests")
        .then(pl.col("label"))
        .otherwise(pl.col("section").replace_strict(DETAILS, default=None))
    )
    requests, answered = parse_count(pl.col("requests")), parse_count(pl.col("answered"))
    out = (
        kept.lazy()
        .with_columns(
            legal_process=process,
            legal_process_detail=detail,
            requests=requests,
            answered=answered,
            answered_share=share_of(answered, requests),
        )
        .pipe(finish, source=path.name, provider=PROVIDER, period_start=start, period_end=end)
    )
    return FileLoad(
        file=path.name,
        rows_read=rows_read,
        frame=out.collect().lazy(),
        rows_kept=kept.height,
        rejects=rejects_frame(lines, source_file=path.name, line=pl.col("line"), column=None,
                              reason=pl.col("reason"), value=pl.col("value")),
    )


def load_discord(directory: Path) -> list[FileLoad]:
    """Every quarterly Discord file of the family directory."""
    paths = sorted(Path(directory).glob("*.csv"))
    for path in paths:
        if not FILE_PATTERN.search(path.name):
            raise DataFileError(path, "unknown layout: expected Discord files named discord-YYYY-qN.csv with the "
                                "tables " + ", ".join(repr(s) for s in SECTIONS))
    return [load_file(p) for p in paths]
