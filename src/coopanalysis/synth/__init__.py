"""Synthetic request logs, calibrated to what the Korean National Police Agency published.

`synthesize(rows, seed=...)` yields chunks (polars DataFrames in the canonical
`requests` schema); `write_synthetic(out, rows=..., seed=...)` writes them as one CSV,
one Parquet file or a Parquet directory partitioned by year. Memory stays bounded by the
chunk size whatever the number of rows; the same rows and seed give the same output.

Calibration (figures in data/published/npa_overseas_it_requests_press.csv):

- requests per period: 2020–2023 and Jan–Jul 2024 exactly the published KNPA totals to all
  overseas IT companies; Aug 2024–Jun 2025 *extrapolated* at the Jan–Jul 2024 monthly
  run-rate (no published figure). Another number of rows scales every period
  proportionally (largest remainder, so the periods add up to exactly that number);
- share answered (response `disclosed` or `partial`) per year near the published reply
  rates: 53.9% (2020), 89.2% (2021), about 90% after (2020–2023 mean 83.4%);
- Telegram about 20 requests a year and almost none answered until September 2024; from
  October 2024 more than 95% answered and volume rising to 30, then 40 a month;
- Discord 2020: 39 requests, 31 answered; X (Twitter) 2020: 69 requests, 56 answered;
- cyber sexual violence: 767 (2020), 1,468 (2022), 1,512 (2023), 1,043 (Jan–Jul 2024).

Everything else (agencies, channels, crime mix, delays, case outcomes) is a plausible
model, not a measurement. Every `request_id` starts with "SYN-".
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from coopanalysis.errors import CoopAnalysisError, DataFileError
from coopanalysis.core.schema import CASE_OUTCOMES, CHANNELS, REQUESTS_SCHEMA, RESPONSES

# --------------------------------------------------------------------------------------
# Published figures (data/published/npa_overseas_it_requests_press.csv)
# --------------------------------------------------------------------------------------

PUBLISHED_YEARLY_REQUESTS: dict[int, int] = {2020: 7560, 2021: 12771, 2022: 10166, 2023: 8961}
"""KNPA requests to all overseas IT companies, full years."""
PUBLISHED_2024_JAN_JUL = 5161
"""KNPA requests to all overseas IT companies, January–July 2024."""
PUBLISHED_REPLY_RATE: dict[int, float] = {2020: 0.539, 2021: 0.892}
"""KNPA reply rate (share of requests answered) by year."""

FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2025, 6, 30)
"""The covered period; no date in the output is after LAST_DAY."""

RUN_RATE_2024 = PUBLISHED_2024_JAN_JUL / 7
"""Requests a month in Jan–Jul 2024, used to extrapolate Aug 2024–Jun 2025."""

TELEGRAM_OPENS = date(2024, 10, 1)
"""From this day Telegram answers more than 95% of requests (KNPA via KBS, 2025)."""

DEFAULT_SEED = 2020
CHUNK_ROWS = 1_000_000
PROGRESS_THRESHOLD = 1_000_000

# --------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A stretch of the calibration: its days (inclusive), requests at default size,
    target answered share, Telegram requests at default size and cyber sexual violence share."""

    start: date
    end: date
    requests: int
    answered_share: float
    telegram: int
    sexual_violence_share: float

    @property
    def year(self) -> int:
        return self.start.year


def _largest_remainder(targets: Sequence[float], total: int) -> np.ndarray:
    """Integers that add up to `total`, each the floor of its (rescaled) target plus one for
    the largest fractional parts (ties broken by position)."""
    t = np.asarray(targets, dtype=np.float64)
    if total == 0 or t.sum() <= 0:
        return np.zeros(len(t), dtype=np.int64)
    t = t * (total / t.sum())
    base = np.floor(t).astype(np.int64)
    short = total - int(base.sum())
    if short > 0:
        order = np.argsort(-(t - base), kind="stable")
        base[order[:short]] += 1
    return base


def _extrapolated_counts() -> tuple[int, int, int]:
    """Aug–Sep 2024, Oct–Dec 2024 and Jan–Jun 2025 at the Jan–Jul 2024 monthly run-rate."""
    months = np.array([2, 3, 6], dtype=np.float64)
    total = round(RUN_RATE_2024 * months.sum())
    a, b, c = _largest_remainder(RUN_RATE_2024 * months, total)
    return int(a), int(b), int(c)


def _periods() -> tuple[Period, ...]:
    aug_sep, oct_dec, h1_2025 = _extrapolated_counts()
    y = PUBLISHED_YEARLY_REQUESTS
    # Cyber sexual violence: 767/7560, 1468/10166, 1512/8961, 1043/5161 published; 2021
    # interpolated between 2020 and 2022; after Jul 2024 the Jan–Jul 2024 share.
    csv_2024 = 1043 / PUBLISHED_2024_JAN_JUL
    return (
        Period(date(2020, 1, 1), date(2020, 12, 31), y[2020], 0.539, 20, 767 / y[2020]),
        Period(date(2021, 1, 1), date(2021, 12, 31), y[2021], 0.892, 20, 0.123),
        Period(date(2022, 1, 1), date(2022, 12, 31), y[2022], 0.910, 20, 1468 / y[2022]),
        Period(date(2023, 1, 1), date(2023, 12, 31), y[2023], 0.915, 20, 1512 / y[2023]),
        Period(date(2024, 1, 1), date(2024, 7, 31), PUBLISHED_2024_JAN_JUL, 0.91, 12, csv_2024),
        Period(date(2024, 8, 1), date(2024, 9, 30), aug_sep, 0.91, 3, csv_2024),
        Period(date(2024, 10, 1), date(2024, 12, 31), oct_dec, 0.91, 90, csv_2024),
        Period(date(2025, 1, 1), date(2025, 6, 30), h1_2025, 0.91, 240, csv_2024),
    )


PERIODS: tuple[Period, ...] = _periods()
START_YEARS: tuple[int, ...] = tuple(sorted({p.year for p in PERIODS}))


def _covered(start_year: int) -> tuple[Period, ...]:
    if start_year not in START_YEARS:
        raise CoopAnalysisError(
            f"--start-year must be one of {START_YEARS[0]}–{START_YEARS[-1]} "
            f"(the calibrated years), not {start_year}"
        )
    return tuple(p for p in PERIODS if p.year >= start_year)


def default_rows(start_year: int = 2020) -> int:
    """The calibrated number of requests from 1 January of `start_year` to LAST_DAY."""
    return sum(p.requests for p in _covered(start_year))


DEFAULT_ROWS = default_rows()

# --------------------------------------------------------------------------------------
# Model of a request (plausible, not measured)
# --------------------------------------------------------------------------------------

PLATFORMS: tuple[str, ...] = (
    "Google", "Meta", "Apple", "Microsoft", "X", "Discord", "Telegram", "Binance", "OKX",
)  # fmt: skip
_P = {name: i for i, name in enumerate(PLATFORMS)}
_TELEGRAM, _DISCORD, _X = _P["Telegram"], _P["Discord"], _P["X"]

_PLATFORM_SHARE = np.array([0.40, 0.33, 0.08, 0.06, 0.012, 0.007, 0.0, 0.045, 0.02])
"""Share of the requests not fixed elsewhere (Telegram always; Discord and X in 2020)."""

_ANSWER_LOGIT = np.array([0.3, 0.0, 0.5, 0.2, -0.3, 0.3, 0.0, -0.6, -1.0])
"""Relative propensity to answer; a per-period offset brings the total to the target."""

_FIXED_2020 = {_DISCORD: (39, 31 / 39), _X: (69, 56 / 69)}
"""2020 requests and answered share published for Discord and X (Twitter)."""
_TELEGRAM_ANSWERED = (0.015, 0.98)
"""Telegram answered share before / from TELEGRAM_OPENS."""

_PARTIAL_SHARE = np.array([0.15, 0.20, 0.15, 0.15, 0.25, 0.20, 0.30, 0.25, 0.25])
"""Among answered requests, the share answered only in part."""

# Among requests not answered: refused, no_data, never replied.
_UNANSWERED_MIX = np.array(
    [
        [0.55, 0.30, 0.15],  # Google
        [0.50, 0.30, 0.20],  # Meta
        [0.55, 0.35, 0.10],  # Apple
        [0.50, 0.30, 0.20],  # Microsoft
        [0.35, 0.20, 0.45],  # X
        [0.45, 0.30, 0.25],  # Discord
        [0.05, 0.02, 0.93],  # Telegram (before October 2024)
        [0.40, 0.25, 0.35],  # Binance
        [0.30, 0.20, 0.50],  # OKX
    ]
)
_TELEGRAM_UNANSWERED_OPEN = np.array([0.45, 0.45, 0.10])

# Delay from request to reply (days): log-normal median and sigma by platform.
_DELAY_MEDIAN = np.array([12.0, 9.0, 18.0, 15.0, 14.0, 7.0, 120.0, 20.0, 25.0])
_DELAY_SIGMA = np.array([0.7, 0.8, 0.7, 0.7, 0.9, 0.8, 0.8, 0.8, 0.9])
_TELEGRAM_OPEN_DELAY = (9.0, 0.7)
_CHANNEL_DELAY = {"email": 1.1, "portal": 0.9, "mlat": 20.0, "emergency": 0.08, "liaison": 0.8,
                  "other": 1.0}  # fmt: skip
_REFUSAL_DELAY = 0.7
"""Refusals and "no data" come back faster than data."""

# Channel mix (columns in CHANNELS order: email, portal, mlat, emergency, liaison, other).
_CHANNELS_2020 = {
    "big": [0.38, 0.47, 0.04, 0.05, 0.04, 0.02],
    "small": [0.70, 0.15, 0.04, 0.04, 0.05, 0.02],
    "telegram": [0.90, 0.00, 0.03, 0.02, 0.03, 0.02],
}
_CHANNELS_LATER = {
    "big": [0.14, 0.72, 0.03, 0.06, 0.03, 0.02],
    "small": [0.45, 0.40, 0.03, 0.05, 0.05, 0.02],
    "telegram": [0.88, 0.00, 0.03, 0.03, 0.04, 0.02],
}
_CHANNELS_TELEGRAM_OPEN = [0.30, 0.60, 0.01, 0.04, 0.03, 0.02]
_PLATFORM_CLASS = ("big", "big", "big", "big", "small", "small", "telegram", "small", "small")

CRIME_TYPES: tuple[str, ...] = (
    "cyber_sexual_violence",
    "child_sexual_exploitation",
    "fraud",
    "drug_trafficking",
    "defamation",
    "illegal_gambling",
    "hacking",
    "threats_stalking",
    "copyright",
    "other",
)
_SEXUAL_VIOLENCE_PROPENSITY = np.array([1.0, 1.2, 0.4, 0.4, 3.0, 4.0, 6.0, 0.05, 0.05])
# Crime mix of the rest (columns: CRIME_TYPES without cyber_sexual_violence).
_CRIME_MIX = np.array(
    [
        [0.04, 0.36, 0.05, 0.20, 0.08, 0.10, 0.08, 0.05, 0.04],  # Google
        [0.05, 0.42, 0.07, 0.18, 0.07, 0.05, 0.10, 0.02, 0.04],  # Meta
        [0.04, 0.46, 0.10, 0.05, 0.04, 0.15, 0.10, 0.01, 0.05],  # Apple
        [0.10, 0.30, 0.03, 0.06, 0.05, 0.30, 0.08, 0.03, 0.05],  # Microsoft
        [0.15, 0.10, 0.25, 0.25, 0.10, 0.04, 0.07, 0.01, 0.03],  # X
        [0.30, 0.10, 0.05, 0.15, 0.05, 0.10, 0.18, 0.01, 0.06],  # Discord
        [0.20, 0.20, 0.35, 0.04, 0.10, 0.03, 0.05, 0.00, 0.03],  # Telegram
        [0.00, 0.58, 0.15, 0.00, 0.14, 0.10, 0.01, 0.00, 0.02],  # Binance
        [0.00, 0.55, 0.18, 0.00, 0.15, 0.09, 0.01, 0.00, 0.02],  # OKX
    ]
)

_OTHER_AGENCIES: tuple[tuple[str, float], ...] = (
    ("KNPA National Office of Investigation Cyber Bureau", 8.0),
    ("Gyeonggi Nambu Provincial Police Agency", 14.0),
    ("Gyeonggi Bukbu Provincial Police Agency", 5.5),
    ("Busan Metropolitan Police Agency", 7.0),
    ("Incheon Metropolitan Police Agency", 6.0),
    ("Daegu Metropolitan Police Agency", 4.5),
    ("Gwangju Metropolitan Police Agency", 2.8),
    ("Daejeon Metropolitan Police Agency", 2.8),
    ("Ulsan Metropolitan Police Agency", 2.0),
    ("Gangwon Provincial Police Agency", 2.5),
    ("Chungbuk Provincial Police Agency", 2.6),
    ("Chungnam Provincial Police Agency", 3.6),
    ("Jeonbuk Provincial Police Agency", 2.9),
    ("Jeonnam Provincial Police Agency", 2.9),
    ("Gyeongbuk Provincial Police Agency", 4.2),
    ("Gyeongnam Provincial Police Agency", 5.2),
    ("Jeju Provincial Police Agency", 1.3),
)
_SEOUL_AGENCY_WEIGHT = 7.0
"""Weight of the Seoul Metropolitan Police Agency itself; each Seoul station gets 0.7
(x1.5 for the busiest: Gangnam, Songpa, Gwanak, Seocho, Yeongdeungpo, Mapo)."""
_BUSY_STATIONS = ("Gangnam", "Songpa", "Gwanak", "Seocho", "Yeongdeungpo", "Mapo")

# Case outcomes (closed ones, CASE_OUTCOMES without "open") by what came back.
_CLOSED_OUTCOMES = tuple(o for o in CASE_OUTCOMES if o != "open")
_OUTCOME_MIX = {
    # suspect_identified, arrested, referred_to_prosecution, closed_no_suspect,
    # suspended_untraceable, closed_other
    "disclosed": [0.28, 0.27, 0.25, 0.06, 0.06, 0.08],
    "partial": [0.22, 0.18, 0.17, 0.12, 0.20, 0.11],
    "refused": [0.06, 0.07, 0.08, 0.15, 0.52, 0.12],
    "never": [0.04, 0.05, 0.06, 0.15, 0.60, 0.10],
}
# Days from the reply (or, with none, from the request) to closing the case.
_CLOSE_MEDIAN = {"answered": 75.0, "refused": 110.0, "never": 200.0}
_CLOSE_SIGMA = {"answered": 0.9, "refused": 0.8, "never": 0.6}
_LONG_RUNNING = 0.02
"""Share of cases still open however old (long investigations)."""


def agencies() -> tuple[tuple[str, ...], np.ndarray]:
    """The requesting agencies (Seoul stations from data/reference, then other Korean
    agencies) and their relative weights."""
    from coopanalysis.paths import SEOUL_STATIONS

    stations = pl.read_csv(SEOUL_STATIONS, columns=["name_en", "kind"])
    names: list[str] = []
    weights: list[float] = []
    for name, kind in stations.iter_rows():
        names.append(name)
        if kind == "metropolitan_agency":
            weights.append(_SEOUL_AGENCY_WEIGHT)
        else:
            busy = any(f" {b} " in f" {name} " for b in _BUSY_STATIONS)
            weights.append(0.7 * (1.5 if busy else 1.0))
    for name, weight in _OTHER_AGENCIES:
        names.append(name)
        weights.append(weight)
    w = np.array(weights)
    return tuple(names), w / w.sum()


# --------------------------------------------------------------------------------------
# Planning: rows per period, per day and per chunk
# --------------------------------------------------------------------------------------


def _days(p: Period) -> np.ndarray:
    """Days of a period as int days since 1970-01-01."""
    first = (p.start - date(1970, 1, 1)).days
    return np.arange(first, (p.end - date(1970, 1, 1)).days + 1, dtype=np.int32)


def _day_weights(days: np.ndarray) -> np.ndarray:
    """Requests are sent mostly on working days: weekends weigh 0.3."""
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (3)
    w = np.where(weekday >= 5, 0.3, 1.0)
    return w / w.sum()


def _platform_counts(p: Period, n: int) -> np.ndarray:
    """Exact requests per platform in a period of n requests (scaled from the default size)."""
    scale = n / p.requests
    targets = np.zeros(len(PLATFORMS))
    fixed = {_TELEGRAM: p.telegram}
    if p.year == 2020:
        fixed.update({k: v[0] for k, v in _FIXED_2020.items()})
    for k, v in fixed.items():
        targets[k] = v * scale
    rest = max(n - targets.sum(), 0.0)
    free = np.array([k not in fixed for k in range(len(PLATFORMS))])
    share = np.where(free, _PLATFORM_SHARE, 0.0)
    targets += rest * share / share.sum()
    return _largest_remainder(targets, n)


def _answer_probabilities(p: Period, counts: np.ndarray) -> np.ndarray:
    """Probability each platform answers in period p, so that the expected answered share
    over the period's platform mix is the period's target."""
    q = np.zeros(len(PLATFORMS))
    fixed = np.zeros(len(PLATFORMS), dtype=bool)
    q[_TELEGRAM] = _TELEGRAM_ANSWERED[p.start >= TELEGRAM_OPENS]
    fixed[_TELEGRAM] = True
    if p.year == 2020:
        for k, (_, share) in _FIXED_2020.items():
            q[k], fixed[k] = share, True
    n = counts.sum()
    if n == 0:
        return q
    want = p.answered_share * n - (counts * q)[fixed].sum()
    lo, hi = -12.0, 12.0
    for _ in range(60):
        mid = (lo + hi) / 2
        got = (counts * (1 / (1 + np.exp(-(_ANSWER_LOGIT + mid)))))[~fixed].sum()
        lo, hi = (mid, hi) if got < want else (lo, mid)
    q[~fixed] = 1 / (1 + np.exp(-(_ANSWER_LOGIT[~fixed] + (lo + hi) / 2)))
    return q


@dataclass(frozen=True)
class _Chunk:
    period: Period
    days: np.ndarray  # int days since epoch, sorted, one per row
    platforms: np.ndarray  # requests per platform in this chunk
    sexual_violence: int  # rows of cyber sexual violence in this chunk
    first_seq: int  # sequence number (within the year) of the first row
    id_width: int  # digits of the sequence number in request_id
    seed: tuple[int, ...]


def _plan(rows: int, seed: int, start_year: int, chunk_rows: int) -> Iterator[_Chunk]:
    """Chunks (at most chunk_rows each, never across a period) in date order."""
    periods = _covered(start_year)
    per_period = _largest_remainder([p.requests for p in periods], rows)
    per_year: dict[int, int] = {}
    for p, n in zip(periods, per_period, strict=True):
        per_year[p.year] = per_year.get(p.year, 0) + int(n)
    width = max(6, len(str(max(per_year.values()))))
    seq_in_year: dict[int, int] = {}
    for pi, (p, n) in enumerate(zip(periods, per_period, strict=True)):
        n = int(n)
        if n == 0:
            continue
        days = _days(p)
        # separate streams: the dates do not depend on how the period is cut into chunks
        cum = np.cumsum(np.random.default_rng([seed, 0, pi]).multinomial(n, _day_weights(days)))
        plan_rng = np.random.default_rng([seed, 2, pi])
        platforms_left = _platform_counts(p, n)
        sv_left = min(n, round(n * p.sexual_violence_share))
        for ci, a in enumerate(range(0, n, chunk_rows)):
            b = min(a + chunk_rows, n)
            m = b - a
            if b == n:
                take, sv = platforms_left.copy(), sv_left
            else:
                take = plan_rng.multivariate_hypergeometric(platforms_left, m)
                sv = int(plan_rng.hypergeometric(sv_left, (n - a) - sv_left, m)) if sv_left else 0
            platforms_left = platforms_left - take
            sv_left -= sv
            row_days = days[np.searchsorted(cum, np.arange(a, b), side="right")]
            first = seq_in_year.get(p.year, 0)
            seq_in_year[p.year] = first + m
            yield _Chunk(p, row_days, take, sv, first + 1, width, (seed, 1, pi, ci))


# --------------------------------------------------------------------------------------
# Generating one chunk
# --------------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, table: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """One category per row, row i drawn from the probabilities table[groups[i]]."""
    cum = np.cumsum(table, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(groups))
    return (u[:, None] > cum[groups]).sum(axis=1).astype(np.int16)


def _stochastic_round(rng: np.random.Generator, x: float) -> int:
    base = math.floor(x)
    return base + int(rng.random() < x - base)


def _lognormal_days(rng: np.random.Generator, median: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    z = rng.standard_normal(len(median))
    return np.maximum(1, np.rint(median * np.exp(sigma * z))).astype(np.int32)


def _labels(names: Sequence[str], codes: np.ndarray) -> pl.Series:
    """Strings from codes; a code of -1 is null."""
    table = pl.Series(list(names) + [None], dtype=pl.String)
    idx = np.where(codes < 0, len(names), codes).astype(np.int64)
    return table.gather(idx)


def _dates(days: np.ndarray, present: np.ndarray) -> pl.Series:
    """Dates from days since 1970-01-01; null where not present."""
    values = pl.Series(days.astype(np.int32)).cast(pl.Date)
    return pl.select(pl.when(pl.lit(pl.Series(present))).then(pl.lit(values))).to_series()


def _make_chunk(c: _Chunk, agency_names: tuple[str, ...], agency_p: np.ndarray) -> pl.DataFrame:
    rng = np.random.default_rng(list(c.seed))
    p = c.period
    n = len(c.days)
    last = (LAST_DAY - date(1970, 1, 1)).days
    telegram_open = p.start >= TELEGRAM_OPENS

    platform = np.repeat(np.arange(len(PLATFORMS), dtype=np.int16), c.platforms)
    rng.shuffle(platform)

    # Answered or not: exact (stochastically rounded) count per platform.
    q = _answer_probabilities(p, _platform_counts(p, max(p.requests, 1)))
    answered = np.zeros(n, dtype=bool)
    for k in range(len(PLATFORMS)):
        idx = np.flatnonzero(platform == k)
        if len(idx):
            hits = _stochastic_round(rng, len(idx) * q[k])
            answered[rng.choice(idx, size=hits, replace=False)] = True

    # Response: disclosed/partial if answered, else refused/no_data/never.
    partial = rng.random(n) < _PARTIAL_SHARE[platform]
    unanswered_mix = _UNANSWERED_MIX.copy()
    if telegram_open:
        unanswered_mix[_TELEGRAM] = _TELEGRAM_UNANSWERED_OPEN
    kind = _pick(rng, unanswered_mix, platform)  # 0 refused, 1 no_data, 2 never
    r = {name: i for i, name in enumerate(RESPONSES)}
    response = np.where(
        answered,
        np.where(partial, r["partial"], r["disclosed"]),
        np.choose(np.minimum(kind, 2), [r["refused"], r["no_data"], -1]),
    ).astype(np.int16)

    # Channel.
    channel_table = _CHANNELS_2020 if p.year == 2020 else _CHANNELS_LATER
    table = np.array([channel_table[cls] for cls in _PLATFORM_CLASS], dtype=np.float64)
    if telegram_open:
        table[_TELEGRAM] = _CHANNELS_TELEGRAM_OPEN
    channel = _pick(rng, table, platform)

    # Crime type: exactly c.sexual_violence rows of cyber sexual violence, drawn with
    # platform-dependent weights (Efraimidis–Spirakis), the rest from each platform's mix.
    crime = _pick(rng, _CRIME_MIX, platform) + 1
    if c.sexual_violence:
        keys = np.log(rng.random(n)) / _SEXUAL_VIOLENCE_PROPENSITY[platform]
        top = np.argpartition(-keys, c.sexual_violence - 1)[: c.sexual_violence]
        crime[top] = 0

    agency = rng.choice(len(agency_names), size=n, p=agency_p).astype(np.int32)

    # Reply date: log-normal delay by platform, scaled by channel; refusals faster.
    median = _DELAY_MEDIAN[platform].copy()
    sigma = _DELAY_SIGMA[platform].copy()
    if telegram_open:
        median[platform == _TELEGRAM], sigma[platform == _TELEGRAM] = _TELEGRAM_OPEN_DELAY
    median *= np.array([_CHANNEL_DELAY[ch] for ch in CHANNELS])[channel]
    median *= np.where(answered, 1.0, _REFUSAL_DELAY)
    responded = c.days + _lognormal_days(rng, median, sigma)
    replied = response >= 0
    pending = replied & (responded > last)  # would reply after the covered period
    response[pending] = -1
    replied &= ~pending

    # Case outcome given what came back; closing date after the reply (or the request).
    group = np.where(
        response == r["disclosed"], 0,
        np.where(response == r["partial"], 1, np.where(replied, 2, 3)),
    )  # fmt: skip
    mixes = np.array([_OUTCOME_MIX[g] for g in ("disclosed", "partial", "refused", "never")])
    outcome = _pick(rng, mixes, group)
    kind3 = np.where(group == 3, 2, np.where(group == 2, 1, 0))  # answered, refused, never
    close_median = np.array([_CLOSE_MEDIAN[k] for k in ("answered", "refused", "never")])[kind3]
    close_sigma = np.array([_CLOSE_SIGMA[k] for k in ("answered", "refused", "never")])[kind3]
    anchor = np.where(replied, responded, c.days)
    closed = anchor + _lognormal_days(rng, close_median, close_sigma)
    still_open = pending | (closed > last) | (rng.random(n) < _LONG_RUNNING)
    outcome_code = np.where(still_open, 0, outcome + 1)  # CASE_OUTCOMES[0] is "open"

    year = p.year
    seq = np.arange(c.first_seq, c.first_seq + n, dtype=np.int64)
    return pl.DataFrame(
        {
            "request_id": f"SYN-{year}-" + pl.Series(seq).cast(pl.String).str.zfill(c.id_width),
            "requested_on": pl.Series(c.days).cast(pl.Date),
            "agency": _labels(agency_names, agency),
            "country": pl.repeat("KR", n, dtype=pl.String, eager=True),
            "platform": _labels(PLATFORMS, platform),
            "crime_type": _labels(CRIME_TYPES, crime),
            "channel": _labels(CHANNELS, channel),
            "responded_on": _dates(responded, replied),
            "response": _labels(RESPONSES, response),
            "case_outcome": _labels(CASE_OUTCOMES, outcome_code),
            "closed_on": _dates(closed, ~still_open),
        },
        schema=REQUESTS_SCHEMA,
    )


def synthesize(
    rows: int,
    *,
    seed: int,
    start_year: int = 2020,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[pl.DataFrame]:
    """Synthetic requests from 1 January `start_year` to LAST_DAY as DataFrames of at most
    `chunk_rows` rows each (canonical `requests` schema, in date order; a chunk never spans
    two years). `rows` requests in all, split over the periods in proportion to the
    calibrated totals. Same arguments, same frames."""
    if rows < 1:
        raise CoopAnalysisError(f"--rows must be at least 1, not {rows}")
    if seed < 0:
        raise CoopAnalysisError(f"--seed must be 0 or more, not {seed}")
    if chunk_rows < 1:
        raise CoopAnalysisError(f"chunk_rows must be at least 1, not {chunk_rows}")
    names, weights = agencies()
    for chunk in _plan(rows, seed, start_year, chunk_rows):
        yield _make_chunk(chunk, names, weights)


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

OutputFormat = Literal["csv", "parquet", "hive"]


def output_format(out: str | Path) -> OutputFormat:
    """How `out` is written: "csv" for *.csv, "parquet" for *.parquet, "hive" (a Parquet
    directory partitioned by year) for an existing directory or a path without suffix."""
    path = Path(out)
    if path.is_dir():
        return "hive"
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == "":
        if path.exists():
            raise DataFileError(path, "exists and is not a directory; give a .csv or .parquet path")
        return "hive"
    raise DataFileError(path, f"unknown output suffix {path.suffix!r}; use .csv, .parquet or a directory")


def _is_hive_output(path: Path) -> bool:
    """True if `path` holds only what write_synthetic writes: year=YYYY/part-K.parquet."""
    for child in path.iterdir():
        if not (child.is_dir() and child.name.startswith("year=") and child.name[5:].isdigit()):
            return False
        if any(not (f.is_file() and f.name.startswith("part-") and f.suffix == ".parquet")
               for f in child.iterdir()):  # fmt: skip
            return False
    return True


class _Progress:
    """A progress bar on stderr (tqdm if installed, else a plain counter)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.bar, self.enabled = total, 0, None, enabled
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover - tqdm ships with the notebook stack
            return
        self.bar = tqdm(total=total, unit="rows", unit_scale=True, file=sys.stderr, desc="synth")

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.enabled:
            print(f"\rsynth: {self.done:,}/{self.total:,} rows", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr)


def _write_chunks(
    chunks: Iterator[pl.DataFrame], fmt: OutputFormat, target: Path, progress: _Progress
) -> None:
    """Write all chunks to `target` (a new file, or a new empty directory for "hive")."""
    if fmt == "csv":
        with open(target, "wb") as f:
            for i, df in enumerate(chunks):
                df.write_csv(f, include_header=i == 0)
                progress.update(df.height)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        writer = None
        try:
            for df in chunks:
                table = df.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(target, table.schema, compression="zstd")
                writer.write_table(table)
                progress.update(df.height)
        finally:
            if writer is not None:
                writer.close()
    else:
        parts: dict[int, int] = {}
        for df in chunks:
            year = df["requested_on"][0].year
            k = parts.get(year, 0)
            parts[year] = k + 1
            folder = target / f"year={year}"
            folder.mkdir(exist_ok=True)
            df.write_parquet(folder / f"part-{k}.parquet", compression="zstd")
            progress.update(df.height)


def write_synthetic(
    out: str | Path,
    *,
    rows: int | None = None,
    seed: int = DEFAULT_SEED,
    start_year: int = 2020,
    progress: bool | None = None,
) -> Path:
    """Write a synthetic request log to `out` and return its path. The format follows `out`
    (see `output_format`); rows=None means the calibrated size (`default_rows`). The output
    appears only once complete: written next to `out` under a temporary name, then renamed
    over it, so a failed run leaves an earlier output untouched. `progress` None shows a bar
    on stderr when it is a terminal or for more than a million rows."""
    path = Path(out)
    fmt = output_format(path)
    n = default_rows(start_year) if rows is None else rows
    chunks = synthesize(n, seed=seed, start_year=start_year)
    if progress is None:
        progress = sys.stderr.isatty() or n > PROGRESS_THRESHOLD
    if fmt == "hive" and path.is_dir() and not _is_hive_output(path):
        raise DataFileError(
            path, "is a directory holding other files; give a new or empty path, or a previous synth output"
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise DataFileError(path, f"folder {parent} does not exist")
    bar = _Progress(n, progress)
    try:
        if fmt == "hive":
            tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
            try:
                _write_chunks(chunks, fmt, tmp, bar)
                os.chmod(tmp, 0o755)
                if path.exists():
                    old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
                    os.replace(path, old / path.name)
                    os.replace(tmp, path)
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(tmp, path)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        else:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
            os.close(fd)
            tmp = Path(name)
            try:
                _write_chunks(chunks, fmt, tmp, bar)
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
    finally:
        bar.close()
    return path


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `coopanalysis synth`."""
    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic request log calibrated to published KNPA figures",
        description="Write a synthetic request log (canonical requests table; request ids "
        "start with SYN-) calibrated to KNPA's published yearly totals and reply rates. "
        f"Covers 1 January START_YEAR to {LAST_DAY.isoformat()}; periods after July 2024 "
        "are extrapolated. The format follows --out: .csv, .parquet, or a directory "
        "(Parquet partitioned by year).",
    )
    parser.add_argument(
        "--rows", type=int, default=None,
        help=f"number of requests (default: the calibrated size, {DEFAULT_ROWS:,} from 2020); "
        "periods are scaled in proportion",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", required=True, help="output: FILE.csv, FILE.parquet or DIRECTORY")
    parser.add_argument(
        "--start-year", type=int, default=2020, choices=START_YEARS, metavar="YEAR",
        help=f"first year covered, {START_YEARS[0]}–{START_YEARS[-1]} (default 2020)",
    )  # fmt: skip
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    n = default_rows(args.start_year) if args.rows is None else args.rows
    path = write_synthetic(args.out, rows=n, seed=args.seed, start_year=args.start_year)
    kind = {"csv": "CSV", "parquet": "Parquet file", "hive": "Parquet directory (by year)"}
    fmt = "hive" if path.is_dir() else output_format(path)
    print(f"wrote {n:,} synthetic requests (seed {args.seed}) as {kind[fmt]} to {path}")
    return 0
