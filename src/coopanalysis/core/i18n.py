"""The page's language: one message catalogue per language, and the current language.

Every text a reader sees (headings, sentences, table headers, axis titles, legends, tooltips,
the index, the controls of the offline page) is written in English in the code and passed through
:func:`_` (or :func:`translator` where the language is explicit, as in the HTML renderer). The
English text is the message id; ``core/locales/<lang>.toml`` maps it to the translation. A text
that a catalogue lacks shows in English, and the catalogue test lists it.

A report notebook sets its language once (``setup_report(lang=...)`` calls
:func:`use_language`); the kernel runs one report, so the language is a setting of the process,
not an argument threaded through every function. It is a plain module value, not a context
variable: polars runs ``map_elements`` callbacks on its own threads, which a context variable set
in the main thread does not reach (a Korean page once had English table cells that way).
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("en", "ko")
"""The languages a report can be written in; ``en`` is the language of the code."""

DEFAULT_LANGUAGE = "en"

_LOCALES = Path(__file__).with_name("locales")
_LATIN = re.compile("[A-Za-z]")
_current = [DEFAULT_LANGUAGE]
"""The process's language (a one-item list, so that every thread sees the same value)."""


def check_language(lang: str) -> str:
    """`lang` when it is one of :data:`LANGUAGES`; otherwise a ValueError naming the allowed ones."""
    if lang not in LANGUAGES:
        allowed = ", ".join(repr(code) for code in LANGUAGES)
        raise ValueError(f"lang must be one of {allowed}, not {lang!r}")
    return lang


def use_language(lang: str) -> None:
    """Make `lang` the language of every text produced from now on in this process."""
    _current[0] = check_language(lang)


def current_language() -> str:
    """The language set by :func:`use_language` (``en`` until then)."""
    return _current[0]


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    """The messages of `lang`: English text -> translation (empty for English)."""
    check_language(lang)
    path = _LOCALES / f"{lang}.toml"
    if lang == DEFAULT_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        return dict(tomllib.load(handle).get("messages", {}))


MISSING_LOG = "COOPANALYSIS_MISSING_MESSAGES"
"""Environment variable naming a file to which every text a catalogue lacks is appended, one per
line (a translator's aid: run the batch in a language, then translate what the file lists)."""


def translator(lang: str) -> Callable[[str], str]:
    """A function that translates an English text into `lang` (the text itself when the
    catalogue lacks it)."""
    messages = catalogue(lang)
    log = os.environ.get(MISSING_LOG) if lang != DEFAULT_LANGUAGE else None
    if not log:
        return lambda text: messages.get(text, text)

    def translate(text: str) -> str:
        # a message id is English: a text without a Latin letter (numbers, a text already written in
        # the page's language, or composed from translations) is not one the catalogue lacks
        if text not in messages and text not in _originals(lang) and _LATIN.search(text):
            with open(log, "a", encoding="utf-8") as handle:  # a developer's log, not a report output
                handle.write(text.replace("\n", "\\n") + "\n")
        return messages.get(text, text)

    return translate


@functools.cache
def _originals(lang: str) -> Mapping[str, tuple[str, ...]]:
    originals: dict[str, tuple[str, ...]] = {}
    for english, shown in catalogue(lang).items():
        originals[shown] = (*originals.get(shown, ()), english)
    return originals


def english_of(text: str) -> tuple[str, ...]:
    """The English message ids of `text` written in the current language (several when two
    English texts share a translation: "Year" and "Years" are both "연도"), or `text` itself when it
    is English or not a translation: code that reads a label's meaning ("Year …", "… share") reads
    the same meaning on a Korean page."""
    return _originals(current_language()).get(text, (text,))


def _(text: str) -> str:
    """`text` in the current language."""
    lang = current_language()
    return text if lang == DEFAULT_LANGUAGE else translator(lang)(text)
