"""Numbers, shares, intervals and dates written for readers, and hidden counts as words."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from coopanalysis.core.i18n import _, current_language
from coopanalysis.present.narrative.template import Hidden
from coopanalysis.publish.disclosure import hidden_column


def _korean() -> bool:
    return current_language() == "ko"


def count(n: int | float | None) -> str:
    """1234 → '1,234'; None → 'no figure'."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "no figure"
    return f"{round(n):,}"


def share(p: float | None) -> str:
    """A share as a percentage with one decimal ('1.4%'); none below 10% of a point shown as '<0.1%'."""
    if p is None or math.isnan(p):
        return "no figure"
    if 0 < p < 0.0005:
        return "<0.1%"
    return f"{p * 100:.1f}%"


def slot(row: dict[str, Any], column: str) -> Any:
    """A count of a report row for a sentence slot: the count, or `Hidden("<10")` where it is hidden
    (a template writes it "fewer than 10"), or None when the row has none."""
    label = row.get(hidden_column(column))
    return Hidden(label) if label else row.get(column)


def interval(low: float | None, high: float | None) -> str:
    """'0.5–4.1%' (one % sign, an en dash)."""
    if low is None or high is None:
        return "no interval"
    return f"{low * 100:.1f}–{high * 100:.1f}%"


def change(g: float) -> str:
    """Growth as words: 'grew 68.9%', 'fell 11.9%', 'did not change'."""
    if abs(g) < 0.0005:
        return "did not change"
    return f"grew {g * 100:.1f}%" if g > 0 else f"fell {-g * 100:.1f}%"


def signed(g: float | None) -> str:
    """Growth with its sign for tables: '+68.9%', '−11.9%'."""
    if g is None or math.isnan(g):
        return "–"
    return f"+{g * 100:.1f}%" if g >= 0 else f"−{-g * 100:.1f}%"


def date(d: dt.date | None) -> str:
    """'1 January 2020'."""
    if d is not None and _korean():
        return f"{d.year}년 {d.month}월 {d.day}일"
    return "–" if d is None else f"{d.day} {d:%B %Y}"


def span(start: dt.date, end: dt.date) -> str:
    """A period for readers: '2021', 'December 2021', '1 January 2025 to 30 June 2025'."""
    if start == end:
        return date(start)
    if _korean():
        if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
            if start.month == 1 and end.month == 12 and start.year == end.year:
                return f"{start.year}년"
            if (start.year, start.month) == (end.year, end.month):
                return f"{start.year}년 {start.month}월"
        return f"{date(start)}부터 {date(end)}까지"
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        if start.month == 1 and end.month == 12 and start.year == end.year:
            return str(start.year)
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%B %Y}"
    return f"{date(start)} to {date(end)}"


def join_names(names: list[str]) -> str:
    """Names as a phrase: ['A'] → 'A', ['A', 'B', 'C'] → 'A, B and C'; [] → ''."""
    if not names:
        return ""
    names = [_(n) for n in names]  # a platform's or agency's name in the page's language
    if _korean():
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " 및 " + names[-1]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
