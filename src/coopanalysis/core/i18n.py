"""The page's language: one message catalogue per language, and the current language.

Every text a reader sees (headings, sentences, table headers, axis titles, legends, tooltips,
the index, the controls of the offline page) is written in English in the code and passed through
:func:`_` (or :func:`translator` where the language is explicit, as in the HTML renderer). The
English text is the message id; ``core/locales/<lang>.toml`` maps it to the translation. A text
that a catalogue lacks shows in English, and the catalogue test lists it.

A report notebook sets its language once (``setup_report(lang=...)`` calls
:func:`use_language`); the kernel runs one report, so the language is a context variable of the
process, not an argument threaded through every function.
"""

from __future__ import annotations

import contextvars
import functools
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("en", "ko")
"""The languages a report can be written in; ``en`` is the language of the code."""

DEFAULT_LANGUAGE = "en"

_LOCALES = Path(__file__).with_name("locales")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("coopanalysis_language", default=DEFAULT_LANGUAGE)


def check_language(lang: str) -> str:
    """`lang` when it is one of :data:`LANGUAGES`; otherwise a ValueError naming the allowed ones."""
    if lang not in LANGUAGES:
        allowed = ", ".join(repr(code) for code in LANGUAGES)
        raise ValueError(f"lang must be one of {allowed}, not {lang!r}")
    return lang


def use_language(lang: str) -> None:
    """Make `lang` the language of every text produced from now on in this process."""
    _current.set(check_language(lang))


def current_language() -> str:
    """The language set by :func:`use_language` (``en`` until then)."""
    return _current.get()


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    """The messages of `lang`: English text -> translation (empty for English)."""
    check_language(lang)
    path = _LOCALES / f"{lang}.toml"
    if lang == DEFAULT_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        return dict(tomllib.load(handle).get("messages", {}))


def translator(lang: str) -> Callable[[str], str]:
    """A function that translates an English text into `lang` (the text itself when the
    catalogue lacks it)."""
    messages = catalogue(lang)
    return lambda text: messages.get(text, text)


def _(text: str) -> str:
    """`text` in the current language."""
    return translator(current_language())(text)
