"""Sentence templates with typed slots: the one way a sentence of the reports is written.

A template names each slot and its type: ``"{who:name} answered {answered:count} of
{requests:count/request} ({p:share})."``. `sentence` formats every value by its type, refuses a
missing slot, a value of the wrong type, None and NaN (a sentence never reads "None" or "nan"),
and checks the text it returns (no doubled word, no empty slot). The types:

- ``count`` — a count, "1,234", or a hidden count (`Hidden`): "fewer than 10", "a withheld number";
  ``count/NOUN`` adds the noun in agreement: "1 request", "2 requests", "fewer than 10 requests",
  "a withheld number of requests" (plurals from :func:`noun`); ``were`` — the verb
  agreeing with a count, "was" for 1 and "were" otherwise;
- ``share`` — a fraction as a percentage, "84.4%"; ``signed`` — "+68.9%", "−11.9%";
  ``change`` — "grew 68.9%", "fell 11.9%", "did not change"; ``rate`` — the size of a growth, "4.0%";
- ``interval`` — (low, high) fractions, "0.5–4.1%";
- ``date`` — "1 January 2020"; ``year`` — 2021 (no separator);
- ``name`` — a non-empty name; ``text`` — a phrase, possibly empty; ``number`` — "155.6".
"""

from __future__ import annotations

import datetime as dt
import math
import re
import string
from dataclasses import dataclass
from typing import Any

from coopanalysis.core.i18n import _, current_language
from coopanalysis.publish.disclosure import WITHHELD

NOUNS: dict[str, str] = {"request": "requests", "case": "cases", "day": "days", "agency": "agencies",
                         "country": "countries", "platform": "platforms", "response": "responses",
                         "year": "years", "month": "months", "row": "rows", "crime type": "crime types",
                         "requesting country": "requesting countries", "fulfilled request": "fulfilled requests"}
"""Singular → plural of the nouns the sentences count."""


def noun(singular: str, n: float | None) -> str:
    """The noun for `n` of it: 1 → "request", anything else (0, 2, a hidden count) → "requests"."""
    return singular if n == 1 else NOUNS.get(singular, singular + "s")


@dataclass(frozen=True)
class Hidden:
    """A count withheld to protect small counts, by its label ("<10" or "withheld")."""

    label: str

    def words(self) -> str:
        """"<10" → "fewer than 10"; "withheld" → "a withheld number"."""
        if self.label.startswith("<"):
            return f"fewer than {self.label[1:]}"
        return "a withheld number" if self.label == WITHHELD else self.label


KO_COUNTERS: dict[str, str] = {"request": "건", "case": "건", "day": "일", "agency": "개 기관", "country": "개국",
                               "platform": "개 플랫폼", "response": "건", "year": "년", "month": "개월", "row": "행",
                               "crime type": "개 범죄 유형", "requesting country": "개 요청 국가",
                               "fulfilled request": "건", "full year": "개 연도",
                               "published figure": "건"}
"""The Korean counter of each noun a sentence counts ("1,234건", "3개 기관"); Korean has no plural."""


def _korean() -> bool:
    return current_language() == "ko"


class SentenceError(ValueError):
    """A template given a slot it cannot write (missing, None, NaN or of the wrong type)."""


def _number(value: Any, slot: str, kind: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SentenceError(f"slot {slot!r} ({kind}) takes a number, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise SentenceError(f"slot {slot!r} ({kind}) is not a finite number: {value!r}")
    return value


def _percent(p: float) -> str:
    return "<0.1%" if 0 < p < 0.0005 else f"{p * 100:.1f}%"


def _count(value: Any, slot: str, what: str | None) -> str:
    if _korean():
        return _count_ko(value, slot, what)
    if isinstance(value, Hidden):
        words = value.words()
        if what is None:
            return words
        many = noun(what, 2)
        return f"a withheld number of {many}" if words == "a withheld number" else f"{words} {many}"
    n = round(_number(value, slot, "count"))
    return f"{n:,}" if what is None else f"{n:,} {noun(what, n)}"


def _count_ko(value: Any, slot: str, what: str | None) -> str:
    """A count in Korean: "1,234건", "10건 미만", "비공개 수량"."""
    counter = KO_COUNTERS.get(what, "") if what else ""
    if isinstance(value, Hidden):
        if value.label.startswith("<"):
            return f"{value.label[1:]}{counter} 미만"
        return "비공개 수량" if value.label == WITHHELD else value.label  # ends in a consonant, as "건" does
    n = round(_number(value, slot, "count"))
    return f"{n:,}{counter}"


def _write(value: Any, kind: str, slot: str) -> str:
    """One slot's value as words, by its type (see the module docstring)."""
    kind, _sep, what = kind.partition("/")
    if value is None:
        raise SentenceError(f"slot {slot!r} ({kind}) is None")
    if kind == "count":
        return _count(value, slot, what or None)
    if kind == "were":  # the verb agreeing with a count: 1 → "was", 0, 2 or a hidden count → "were"
        if _korean():  # Korean verbs do not agree with a count: the slot writes nothing
            return ""
        return "were" if isinstance(value, Hidden) or round(_number(value, slot, kind)) != 1 else "was"
    if kind in ("share", "rate"):
        return _percent(abs(_number(value, slot, kind)) if kind == "rate" else _number(value, slot, kind))
    if kind == "signed":
        g = _number(value, slot, kind)
        return f"+{g * 100:.1f}%" if g >= 0 else f"−{-g * 100:.1f}%"
    if kind == "change":
        g = _number(value, slot, kind)
        if _korean():
            return "변동이 없었다" if abs(g) < 0.0005 else (f"{g * 100:.1f}% 증가했다" if g > 0 else f"{-g * 100:.1f}% 감소했다")
        return "did not change" if abs(g) < 0.0005 else (f"grew {g * 100:.1f}%" if g > 0 else f"fell {-g * 100:.1f}%")
    if kind == "number":
        return f"{_number(value, slot, kind):,.1f}"
    if kind == "interval":
        low, high = (_number(v, slot, kind) for v in value)
        return f"{low * 100:.1f}–{high * 100:.1f}%"
    if kind == "date":
        if not isinstance(value, dt.date):
            raise SentenceError(f"slot {slot!r} (date) takes a date, not {value!r}")
        if _korean():
            return f"{value.year}년 {value.month}월 {value.day}일"
        return f"{value.day} {value:%B %Y}"
    if kind == "year":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SentenceError(f"slot {slot!r} (year) takes an int, not {value!r}")
        return str(value)
    if kind in ("name", "text"):
        if not isinstance(value, str) or (kind == "name" and not value.strip()):
            raise SentenceError(f"slot {slot!r} ({kind}) takes {'a non-empty' if kind == 'name' else 'a'} string, "
                                f"not {value!r}")
        return _(value) if kind == "name" else value  # a platform's or agency's name in the page's language
    raise SentenceError(f"slot {slot!r}: unknown type {kind!r}")


_DOUBLED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)
_ALLOWED_DOUBLES = {"that"}  # "… that that …" never occurs; listed words may repeat on purpose


def check_text(text: str) -> str:
    """`text` unchanged when it reads as written text: no "None" or "nan", no doubled word
    ("requests requests"), no doubled space or space before a stop; else SentenceError."""
    if re.search(r"\b(None|nan|NaN|null)\b", text):
        raise SentenceError(f"a sentence reads a missing value: {text!r}")
    doubled = [m.group(1) for m in _DOUBLED.finditer(text) if m.group(1).lower() not in _ALLOWED_DOUBLES
               and not m.group(1).isdigit()]
    if doubled:
        raise SentenceError(f"a sentence repeats the word {doubled[0]!r}: {text!r}")
    if "  " in text or re.search(r"\s[.,;:]", text):
        raise SentenceError(f"a sentence has an empty slot: {text!r}")
    return text


def sentence(template: str, **slots: Any) -> str:
    """The template with every slot written by its type, checked by `check_text`; a slot the
    template names but `slots` lacks, or one given but not named, is a SentenceError."""
    parts, named = [], set()
    for literal, field, spec, _conversion in string.Formatter().parse(_(template)):
        parts.append(literal)
        if field is None:
            continue
        if field not in slots:
            raise SentenceError(f"template slot {field!r} has no value")
        named.add(field)
        parts.append(_write(slots[field], spec or "text", field))
    unused = set(slots) - named
    if unused:
        raise SentenceError(f"slots given but not in the template: {', '.join(sorted(unused))}")
    return check_text("".join(parts))


def capitalise(text: str) -> str:
    """The text with its first letter upper case ("suspended, suspect untraceable" → "Suspended, …")."""
    return text[:1].upper() + text[1:]
