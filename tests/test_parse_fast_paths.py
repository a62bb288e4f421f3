"""The native expressions of `io.parse` on the values a log holds: dates (the ISO fast path and the
regex that reads every other form give the same date, or null) and `core.names.canonical_platform`,
the one native platform normaliser the loaders and the registry share."""

from __future__ import annotations

import polars as pl
import pytest

from coopanalysis.core import names
from coopanalysis.core.names import canonical_platform
from coopanalysis.io.parse import _parse_date_text, parse_date

CASES: list[tuple[str | None, str | None]] = [
    ('2021-03-04', '2021-03-04'),
    ('2021/3/4', '2021-03-04'),
    ('2021.03.04', '2021-03-04'),
    ('2021. 3. 4.', '2021-03-04'),
    ('20210304', '2021-03-04'),
    ('2021-03-04 10:00:00', '2021-03-04'),
    ('2021-03-04T10:00', '2021-03-04'),
    ('20210304 1000', '2021-03-04'),
    ('20210304T1000', '2021-03-04'),
    ('2023-02-30', None),
    ('2023-13-01', None),
    ('2024-02-29', '2024-02-29'),
    ('2023-02-29', None),
    ('', None),
    ('   ', None),
    (' 2021-03-04 ', '2021-03-04'),
    ('\t2021-03-04\n', '2021-03-04'),
    ('2021-3-4', '2021-03-04'),
    ('2021-03-4', '2021-03-04'),
    ('2021-3-04', '2021-03-04'),
    ('2021-03-045', '2021-03-04'),
    ('2021-3-45', None),
    ('0000-01-01', '0000-01-01'),
    ('9999-12-31', '9999-12-31'),
    ('10000-01-01', None),
    ('2021-00-10', None),
    ('2021-01-00', None),
    ('2021 - 03 - 04', '2021-03-04'),
    ('21-03-04', None),
    ('2021-03', None),
    ('03/04/2021', None),
    ('٢٠٢١-٠٣-٠٤', None),
    ('２０２１-０３-０４', None),
    ('2021-03-04x', '2021-03-04'),
    ('x2021-03-04', None),
    ('+2021-03-04', None),
    ('2021–03–04', None),
    (None, None),
    ('2021\xa0-03-04', '2021-03-04'),
    ('N/A', None),
    ('2021-03-04\n2022-01-01', '2021-03-04'),
    ('20211304', None),
    ('202103041', None),
    ('2021030', None),
    ('2021/03/04/05', '2021-03-04'),
    ('2021-03-04-05', '2021-03-04'),
    ('2021.3.4 오후 3:00', '2021-03-04'),
    ('1999-12-31', '1999-12-31'),
    ('1900-02-29', None),
    ('2000-02-29', '2000-02-29'),
    ('2021-1-1', '2021-01-01'),
    ('2021-01-01Z', '2021-01-01'),
    ('2021-3-4T', '2021-03-04'),
    ('2021-03-04.5', '2021-03-04'),
]
"""(text as read, the date it stands for as YYYY-MM-DD, or None): ISO dates, the other forms the
parser accepts, dates followed by a time, impossible dates, blanks and whitespace, other digits."""


def _read(expr) -> list[str | None]:
    frame = pl.DataFrame({"v": [v for v, _ in CASES]}, schema={"v": pl.String})
    return frame.select(expr.cast(pl.String).alias("d"))["d"].to_list()  # as text: year 0 is not a Python date


def test_the_iso_fast_path_and_the_regex_read_the_same_dates() -> None:
    expected = [d for _, d in CASES]
    assert _read(parse_date(pl.col("v"))) == expected
    assert _read(_parse_date_text(pl.col("v").str.strip_chars())) == expected


@pytest.mark.parametrize("engine", ["in-memory", "streaming"])
def test_a_column_mixing_iso_and_other_forms_reads_each_row(engine: str) -> None:
    values = [v for v, _ in CASES] * 300  # several batches for the streaming engine
    frame = pl.LazyFrame({"v": values}, schema={"v": pl.String})
    read = frame.select(parse_date(pl.col("v")).cast(pl.String).alias("d")).collect(engine=engine)["d"].to_list()
    assert read == [d for _, d in CASES] * 300


PLATFORMS: list[tuple[str | None, str | None]] = [
    ("Google", "Google"), ("google", "Google"), ("  GOOGLE ", "Google"), ("YouTube", "Google"),
    ("facebook", "Meta"), ("Instagram\t", "Meta"), ("x", "X"), ("X", "X"), ("x (twitter)", "X"),
    ("X (Twitter)", "X"), ("twitter", "X"), ("텔레그램", "Telegram"), (" 구글 ", "Google"),
    ("at&t", "AT&T"), ("Sonic.net", "Sonic.net"), ("sonic net", "sonic net"), ("credo", "CREDO Mobile"),
    ("CREDO MOBILE", "CREDO Mobile"), ("Naver", "Naver"), ("  Kakao Corp ", "Kakao Corp"), ("", ""),
    ("   ", ""), (None, None), ("google inc", "google inc"), ("xgoogle", "xgoogle"), ("x google", "x google"),
    ("google\x00", "google\x00"), ("\x00google\x00", "\x00google\x00"), ("TikTok", "TikTok"),
    ("tik tok", "tik tok"), ("OKX", "OKX"), ("okx ", "OKX"), ("Binance", "Binance"),
]
"""(name as written, the reports' spelling): every spelling kind, unknown names, blanks, near misses."""


@pytest.mark.parametrize("engine", ["in-memory", "streaming"])
def test_platform_names_are_spelled_as_the_registry_says(engine: str) -> None:
    frame = pl.LazyFrame({"p": [p for p, _ in PLATFORMS] * 300}, schema={"p": pl.String})
    native = frame.select(canonical_platform(pl.col("p"))).collect(engine=engine).to_series().to_list()
    registry = frame.select(names.canonical_platform(pl.col("p"))).collect(engine=engine).to_series().to_list()
    assert native == registry == [n for _, n in PLATFORMS] * 300
    every = pl.LazyFrame({"p": list(names.PLATFORM_NAMES)})
    assert every.select(canonical_platform(pl.col("p"))).collect().to_series().to_list() == list(names.PLATFORM_NAMES.values())
