"""Telegram's @transparency bot answers, crowdsourced in Te-k/telegram-transparency.

`dataset.json` maps ISO alpha-3 country codes to a list of periods
{from, to (YYYYMMDD), requests, users}. `requests` are *fulfilled* requests for an IP
address and/or phone number, not requests received, so in the table `requests` is
null and `answered` holds them; `users` (affected users) go to `accounts`.

The bot gives overlapping periods: quarters, January–September and whole years.
Per country, the finest periods are kept (shortest first; a period overlapping one
already kept is set aside), so no request is counted twice. A set-aside total that
is not fully covered by kept periods leaves a remainder (e.g. a 2024 total and a
January–September figure but no Q4): that remainder is kept as a derived row
(total minus the kept parts), named as such in `legal_process_detail`.
`telegram_transparency_long.csv` is a flattened copy of the JSON and is not loaded
a second time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from coopanalysis.core.names import PLATFORM_NAMES
from coopanalysis.errors import DataFileError
from coopanalysis.io.countries import iso3_to_iso2
from coopanalysis.io.rejects import rejects_frame
from coopanalysis.io.transparency.base import FileLoad, finish, set_aside_file

FAMILY = "telegram_transparency"
PROVIDER = PLATFORM_NAMES["telegram"]
DETAIL = "Fulfilled requests for IP address and/or phone number"
ENTRY_KEYS = ("from", "to", "requests", "users")
LONG_COLUMNS = [
    "country_iso3",
    "period_from",
    "period_to",
    "period_days",
    "is_quarter",
    "fulfilled_requests",
    "affected_users",
]


@dataclass(frozen=True)
class Entry:
    """One period the bot reported for a country (`line`: where it starts in dataset.json)."""

    start: date
    end: date
    fulfilled: int | None
    users: int | None
    line: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlaps(self, other: "Entry") -> bool:
        return not (self.end < other.start or self.start > other.end)

    def contains(self, other: "Entry") -> bool:
        return self.start <= other.start and other.end <= self.end


def _date(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except (ValueError, TypeError):
        return None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def select_periods(entries: list[Entry]) -> tuple[list[tuple[Entry, str]], list[tuple[Entry, str]]]:
    """The non-overlapping periods to keep (with their detail label) and the set-aside
    entries with their reason. Finest first; remainders of uncovered totals derived."""
    kept: list[Entry] = []
    set_aside: list[Entry] = []
    for e in sorted(entries, key=lambda e: (e.days, e.start)):
        (set_aside if any(e.overlaps(k) for k in kept) else kept).append(e)
    rows = [(k, DETAIL) for k in kept]
    reasons: list[tuple[Entry, str]] = []

    def note(reason: str) -> None:
        reasons.append((total, reason))

    for total in set_aside:
        parts = [k for k in kept if total.contains(k)]
        covered = sum(p.days for p in parts)
        partial_overlap = any(total.overlaps(k) and not total.contains(k) for k in kept)
        sums = (
            sum(p.fulfilled or 0 for p in parts),
            sum(p.users or 0 for p in parts),
        )
        if partial_overlap:
            note("overlaps kept periods without containing them")
        elif covered == total.days:
            if (total.fulfilled, total.users) == sums:
                note("overlapping total: equals the sum of the finer periods kept")
            else:
                note("overlapping total: differs from the sum of the finer periods kept (those are kept)")
        else:
            gaps = _gaps(total, parts)
            if len(gaps) == 1 and total.fulfilled is not None and total.fulfilled >= sums[0]:
                users = total.users - sums[1] if total.users is not None and total.users >= sums[1] else None
                derived = Entry(gaps[0][0], gaps[0][1], total.fulfilled - sums[0], users)
                label = (
                    f"{DETAIL} (derived: {total.start:%Y-%m-%d}..{total.end:%Y-%m-%d} "
                    "total minus the finer periods published)"
                )
                rows.append((derived, label))
                note("overlapping total: its uncovered remainder is kept as a derived row")
            else:
                note("overlapping total that cannot be split into non-overlapping periods")
    return rows, reasons


def _gaps(total: Entry, parts: list[Entry]) -> list[tuple[date, date]]:
    gaps, cursor = [], total.start
    for p in sorted(parts, key=lambda p: p.start):
        if p.start > cursor:
            gaps.append((cursor, p.start - timedelta(days=1)))
        cursor = max(cursor, p.end + timedelta(days=1))
    if cursor <= total.end:
        gaps.append((cursor, total.end))
    return gaps


def _entry_lines(text: str) -> dict[str, list[int]]:
    """ISO alpha-3 code → the line (from 1) each of its entries starts on in the JSON `text`
    ({} for text that is not an object of lists: `load_dataset` reports that itself)."""
    decoder, skip = json.JSONDecoder(), re.compile(r"[\s,:]*")
    lines: dict[str, list[int]] = {}
    try:
        pos = skip.match(text, 0).end()
        if text[pos] != "{":
            return {}
        pos = skip.match(text, pos + 1).end()
        while text[pos] != "}":
            key, pos = decoder.raw_decode(text, pos)
            pos = skip.match(text, pos).end()
            if text[pos] != "[":
                return {}
            pos, starts = skip.match(text, pos + 1).end(), []
            while text[pos] != "]":
                starts.append(text.count("\n", 0, pos) + 1)
                pos = skip.match(text, decoder.raw_decode(text, pos)[1]).end()
            lines[key] = starts
            pos = skip.match(text, pos + 1).end()
    except (ValueError, IndexError):
        return {}
    return lines


def _read_json(path: Path) -> tuple[dict, dict[str, list[int]]]:
    """dataset.json as an object, and the line of every entry (`_entry_lines`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise DataFileError(path, f"not readable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DataFileError(path, "unknown layout: expected an object of ISO alpha-3 codes → lists of "
                            "entries with the keys " + ", ".join(ENTRY_KEYS))
    return data, _entry_lines(text)


def _rejected(line: int | None, reason: str, value: str) -> dict:
    return {"line": line, "reason": reason, "value": value}


def load_dataset(path: Path) -> FileLoad:
    """dataset.json → one row per country and kept period; every other entry in the rejects."""
    data, entry_lines = _read_json(path)
    codes = iso3_to_iso2()
    rejected: list[dict] = []
    out: list[dict] = []
    rows_read = 0
    for iso3, items in data.items():
        if not isinstance(items, list):
            raise DataFileError(path, f"unknown layout at {iso3!r}: expected a list of entries with the keys "
                                + ", ".join(ENTRY_KEYS))
        rows_read += len(items)
        lines = entry_lines.get(iso3, [])
        entries: list[Entry] = []
        seen: set[tuple] = set()
        for i, item in enumerate(items):
            if not isinstance(item, dict) or any(k not in item for k in ENTRY_KEYS):
                raise DataFileError(path, f"unknown layout at {iso3!r}: expected entries with the keys "
                                    + ", ".join(ENTRY_KEYS))
            line = lines[i] if len(lines) == len(items) else None
            start, end = _date(item["from"]), _date(item["to"])
            value = f"{iso3} {item['from']}..{item['to']}"
            if iso3 not in codes:
                rejected.append(_rejected(line, "country code not in the ISO 3166 reference", value))
            elif start is None or end is None or end < start:
                rejected.append(_rejected(line, "unreadable period", value))
            elif (start, end) in seen:
                rejected.append(_rejected(line, "duplicate of an earlier row", value))
            else:
                seen.add((start, end))
                entries.append(Entry(start, end, _count(item["requests"]), _count(item["users"]), line))
        rows, set_aside = select_periods(entries)
        rejected += [_rejected(e.line, reason, f"{iso3} {e.start:%Y%m%d}..{e.end:%Y%m%d}") for e, reason in set_aside]
        out += [
            {"country": codes[iso3], "period_start": entry.start, "period_end": entry.end,
             "legal_process_detail": detail, "answered": entry.fulfilled, "accounts": entry.users}
            for entry, detail in rows
        ]
    derived = sum(1 for r in out if r["legal_process_detail"] != DETAIL)
    frame = (
        pl.LazyFrame(out, schema={"country": pl.String, "period_start": pl.Date, "period_end": pl.Date,
                                  "legal_process_detail": pl.String, "answered": pl.Int64, "accounts": pl.Int64})
        .with_columns(legal_process=pl.lit("all"), requests=pl.lit(None, dtype=pl.Int64))
        .pipe(finish, source=path.name, provider=PROVIDER)
    )
    rejects = pl.DataFrame(rejected, schema={"line": pl.Int64, "reason": pl.String, "value": pl.String})
    return FileLoad(
        file=path.name,
        rows_read=rows_read,
        frame=frame.collect().lazy(),
        rows_kept=len(out) - derived,
        rejects=rejects_frame(rejects, source_file=path.name, line=pl.col("line"), column=None,
                              reason=pl.col("reason"), value=pl.col("value")),
    )


def load_long_copy(path: Path) -> FileLoad:
    """The flattened CSV copy of dataset.json: checked for its layout, not loaded twice."""
    df = pl.read_csv(path, infer_schema=False, glob=False).with_row_index("_line", offset=2)
    missing = [c for c in LONG_COLUMNS if c not in df.columns]
    if missing:
        raise DataFileError(path, "unknown layout: expected the columns " + ", ".join(LONG_COLUMNS))
    return set_aside_file(path, df, "flattened copy of dataset.json, which is loaded instead")


def load_telegram(directory: Path) -> list[FileLoad]:
    """dataset.json and its flattened copy; any other data file there is an error."""
    loads = []
    for path in sorted(p for p in Path(directory).iterdir() if p.suffix in {".json", ".csv"}):
        if path.name == "dataset.json":
            loads.append(load_dataset(path))
        elif path.name == "telegram_transparency_long.csv":
            loads.append(load_long_copy(path))
        else:
            raise DataFileError(
                path,
                "unknown layout: expected dataset.json (ISO alpha-3 → entries with the keys "
                + ", ".join(ENTRY_KEYS)
                + ") or telegram_transparency_long.csv (columns "
                + ", ".join(LONG_COLUMNS)
                + ")",
            )
    return loads
