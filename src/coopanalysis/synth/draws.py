"""Drawing the fields of a chunk's requests from the model, one function per field.

Every function takes the chunk's random generator and consumes it; generate.make_chunk calls
them in a fixed order, so the same seed gives the same rows. Categories are returned as codes
(positions in PLATFORMS, RESPONSES, CHANNELS, CRIME_TYPES, CASE_OUTCOMES; -1 for null) and
dates as int days since 1970-01-01.
"""

from __future__ import annotations

import math

import numpy as np

from coopanalysis.core.schema import CHANNELS, RESPONSES
from coopanalysis.synth import model as m
from coopanalysis.synth.calibration import Period

_R = {name: i for i, name in enumerate(RESPONSES)}
_GROUPS = ("disclosed", "partial", "refused", "never")
_CLOSE_KINDS = ("answered", "refused", "never")


def pick(rng: np.random.Generator, table: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """One category per row, row i drawn from the probabilities table[groups[i]]."""
    cum = np.cumsum(table, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(groups))
    return (u[:, None] > cum[groups]).sum(axis=1).astype(np.int16)


def _stochastic_round(rng: np.random.Generator, x: float) -> int:
    """`x` rounded down or up at random, up with probability its fractional part."""
    base = math.floor(x)
    return base + int(rng.random() < x - base)


def _lognormal_days(rng: np.random.Generator, median: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Whole days (at least 1) from a log-normal per row with the given median and sigma."""
    z = rng.standard_normal(len(median))
    return np.maximum(1, np.rint(median * np.exp(sigma * z))).astype(np.int32)


def platforms(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """Platform codes, exactly counts[k] of platform k, in random order."""
    platform = np.repeat(np.arange(len(m.PLATFORMS), dtype=np.int16), counts)
    rng.shuffle(platform)
    return platform


def answered(rng: np.random.Generator, p: Period, platform: np.ndarray) -> np.ndarray:
    """Whether each request is answered: per platform an exact (stochastically rounded)
    count at the platform's answer probability in period p."""
    q = m.answer_probabilities(p, m.platform_counts(p, max(p.requests, 1)))
    out = np.zeros(len(platform), dtype=bool)
    for k in range(len(m.PLATFORMS)):
        idx = np.flatnonzero(platform == k)
        if len(idx):
            hits = _stochastic_round(rng, len(idx) * q[k])
            out[rng.choice(idx, size=hits, replace=False)] = True
    return out


def responses(rng: np.random.Generator, platform: np.ndarray, answered: np.ndarray, telegram_open: bool) -> np.ndarray:
    """Response codes (int16): disclosed or partial if answered, else refused, no_data or -1
    (never replied), by each platform's mix."""
    partial = rng.random(len(platform)) < m.PARTIAL_SHARE[platform]
    unanswered_mix = m.UNANSWERED_MIX.copy()
    if telegram_open:
        unanswered_mix[m.TELEGRAM] = m.TELEGRAM_UNANSWERED_OPEN
    kind = pick(rng, unanswered_mix, platform)  # 0 refused, 1 no_data, 2 never
    return np.where(
        answered,
        np.where(partial, _R["partial"], _R["disclosed"]),
        np.choose(np.minimum(kind, 2), [_R["refused"], _R["no_data"], -1]),
    ).astype(np.int16)


def channels(rng: np.random.Generator, year: int, platform: np.ndarray, telegram_open: bool) -> np.ndarray:
    """Channel codes by platform class and year (and Telegram's opening)."""
    channel_table = m.CHANNELS_2020 if year == 2020 else m.CHANNELS_LATER
    table = np.array([channel_table[cls] for cls in m.PLATFORM_CLASS], dtype=np.float64)
    if telegram_open:
        table[m.TELEGRAM] = m.CHANNELS_TELEGRAM_OPEN
    return pick(rng, table, platform)


def crimes(rng: np.random.Generator, platform: np.ndarray, sexual_violence: int) -> np.ndarray:
    """Crime codes: exactly `sexual_violence` rows of cyber sexual violence, drawn with
    platform-dependent weights (Efraimidis–Spirakis), the rest from each platform's mix."""
    crime = pick(rng, m.CRIME_MIX, platform) + 1
    if sexual_violence:
        keys = np.log(rng.random(len(platform))) / m.SEXUAL_VIOLENCE_PROPENSITY[platform]
        top = np.argpartition(-keys, sexual_violence - 1)[:sexual_violence]
        crime[top] = 0
    return crime


def agencies(rng: np.random.Generator, n: int, weights: np.ndarray) -> np.ndarray:
    """n agency codes (int32) drawn with the given probabilities."""
    return rng.choice(len(weights), size=n, p=weights).astype(np.int32)


def replies(
    rng: np.random.Generator, days: np.ndarray, platform: np.ndarray, channel: np.ndarray,
    answered: np.ndarray, response: np.ndarray, telegram_open: bool, last: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reply days after a log-normal delay by platform, scaled by channel, refusals faster.
    Returns (responded, response, replied, pending): a reply that would come after `last`
    is pending, its response set to -1 (in a copy) and not counted as replied."""
    median = m.DELAY_MEDIAN[platform].copy()
    sigma = m.DELAY_SIGMA[platform].copy()
    if telegram_open:
        median[platform == m.TELEGRAM], sigma[platform == m.TELEGRAM] = m.TELEGRAM_OPEN_DELAY
    median *= np.array([m.CHANNEL_DELAY[ch] for ch in CHANNELS])[channel]
    median *= np.where(answered, 1.0, m.REFUSAL_DELAY)
    responded = days + _lognormal_days(rng, median, sigma)
    replied = response >= 0
    pending = replied & (responded > last)  # would reply after the covered period
    response = response.copy()
    response[pending] = -1
    return responded, response, replied & ~pending, pending


def outcomes(
    rng: np.random.Generator, days: np.ndarray, responded: np.ndarray, response: np.ndarray,
    replied: np.ndarray, pending: np.ndarray, last: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Case outcome given what came back, closing after the reply (or the request).
    Returns (outcome codes, closing days, still open); open cases have code 0 ("open")."""
    group = np.where(
        response == _R["disclosed"], 0,
        np.where(response == _R["partial"], 1, np.where(replied, 2, 3)),
    )  # fmt: skip
    mixes = np.array([m.OUTCOME_MIX[g] for g in _GROUPS])
    outcome = pick(rng, mixes, group)
    kind3 = np.where(group == 3, 2, np.where(group == 2, 1, 0))  # answered, refused, never
    close_median = np.array([m.CLOSE_MEDIAN[k] for k in _CLOSE_KINDS])[kind3]
    close_sigma = np.array([m.CLOSE_SIGMA[k] for k in _CLOSE_KINDS])[kind3]
    anchor = np.where(replied, responded, days)
    closed = anchor + _lognormal_days(rng, close_median, close_sigma)
    still_open = pending | (closed > last) | (rng.random(len(days)) < m.LONG_RUNNING)
    return np.where(still_open, 0, outcome + 1), closed, still_open  # CASE_OUTCOMES[0] is "open"
