"""The statistical model of one synthetic request: plausible, not measured.

Its parameters (platform mix, propensity to answer, delays, channels, crime mix, agencies, case
outcomes) and what follows from them in a period: requests per platform and the probability each
platform answers. Published constraints it honours: Telegram about 20 requests a year and almost
none answered until September 2024, more than 95% answered from October 2024; Discord 2020: 39
requests, 31 answered; X (Twitter) 2020: 69 requests, 56 answered.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from coopanalysis.synth.calibration import TELEGRAM_OPENS, Period, largest_remainder

PLATFORMS: tuple[str, ...] = (
    "Google", "Meta", "Apple", "Microsoft", "X", "Discord", "Telegram", "Binance", "OKX",
)  # fmt: skip
_P = {name: i for i, name in enumerate(PLATFORMS)}
TELEGRAM, _DISCORD, _X = _P["Telegram"], _P["Discord"], _P["X"]

_PLATFORM_SHARE = np.array([0.40, 0.33, 0.08, 0.06, 0.012, 0.007, 0.0, 0.045, 0.02])
"""Share of the requests not fixed elsewhere (Telegram always; Discord and X in 2020)."""

_ANSWER_LOGIT = np.array([0.3, 0.0, 0.5, 0.2, -0.3, 0.3, 0.0, -0.6, -1.0])
"""Relative propensity to answer; a per-period offset brings the total to the target."""

_FIXED_2020 = {_DISCORD: (39, 31 / 39), _X: (69, 56 / 69)}
"""2020 requests and answered share published for Discord and X (Twitter)."""
_TELEGRAM_ANSWERED = (0.015, 0.98)
"""Telegram answered share before / from TELEGRAM_OPENS."""

PARTIAL_SHARE = np.array([0.15, 0.20, 0.15, 0.15, 0.25, 0.20, 0.30, 0.25, 0.25])
"""Among answered requests, the share answered only in part."""

# Among requests not answered: refused, no_data, never replied.
UNANSWERED_MIX = np.array(
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
TELEGRAM_UNANSWERED_OPEN = np.array([0.45, 0.45, 0.10])

# Delay from request to reply (days): log-normal median and sigma by platform.
DELAY_MEDIAN = np.array([12.0, 9.0, 18.0, 15.0, 14.0, 7.0, 120.0, 20.0, 25.0])
DELAY_SIGMA = np.array([0.7, 0.8, 0.7, 0.7, 0.9, 0.8, 0.8, 0.8, 0.9])
TELEGRAM_OPEN_DELAY = (9.0, 0.7)
CHANNEL_DELAY = {"email": 1.1, "portal": 0.9, "mlat": 20.0, "emergency": 0.08, "liaison": 0.8,
                 "other": 1.0}  # fmt: skip
REFUSAL_DELAY = 0.7
"""Refusals and "no data" come back faster than data."""

# Channel mix (columns in CHANNELS order: email, portal, mlat, emergency, liaison, other).
CHANNELS_2020 = {
    "big": [0.38, 0.47, 0.04, 0.05, 0.04, 0.02],
    "small": [0.70, 0.15, 0.04, 0.04, 0.05, 0.02],
    "telegram": [0.90, 0.00, 0.03, 0.02, 0.03, 0.02],
}
CHANNELS_LATER = {
    "big": [0.14, 0.72, 0.03, 0.06, 0.03, 0.02],
    "small": [0.45, 0.40, 0.03, 0.05, 0.05, 0.02],
    "telegram": [0.88, 0.00, 0.03, 0.03, 0.04, 0.02],
}
CHANNELS_TELEGRAM_OPEN = [0.30, 0.60, 0.01, 0.04, 0.03, 0.02]
PLATFORM_CLASS = ("big", "big", "big", "big", "small", "small", "telegram", "small", "small")

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
SEXUAL_VIOLENCE_PROPENSITY = np.array([1.0, 1.2, 0.4, 0.4, 3.0, 4.0, 6.0, 0.05, 0.05])
# Crime mix of the rest (columns: CRIME_TYPES without cyber_sexual_violence).
CRIME_MIX = np.array(
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

# Case outcomes by what came back (columns: CASE_OUTCOMES without "open", in order).
OUTCOME_MIX = {
    # suspect_identified, arrested, referred_to_prosecution, closed_no_suspect,
    # suspended_untraceable, closed_other
    "disclosed": [0.28, 0.27, 0.25, 0.06, 0.06, 0.08],
    "partial": [0.22, 0.18, 0.17, 0.12, 0.20, 0.11],
    "refused": [0.06, 0.07, 0.08, 0.15, 0.52, 0.12],
    "never": [0.04, 0.05, 0.06, 0.15, 0.60, 0.10],
}
# Days from the reply (or, with none, from the request) to closing the case.
CLOSE_MEDIAN = {"answered": 75.0, "refused": 110.0, "never": 200.0}
CLOSE_SIGMA = {"answered": 0.9, "refused": 0.8, "never": 0.6}
LONG_RUNNING = 0.02
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


def day_weights(days: np.ndarray) -> np.ndarray:
    """Probability of each day (int days since 1970-01-01) among `days`: requests are sent
    mostly on working days, weekends weigh 0.3."""
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (3)
    w = np.where(weekday >= 5, 0.3, 1.0)
    return w / w.sum()


def platform_counts(p: Period, n: int) -> np.ndarray:
    """Exact requests per platform (in PLATFORMS order) in period p of n requests, scaled
    from the default size."""
    scale = n / p.requests
    targets = np.zeros(len(PLATFORMS))
    fixed = {TELEGRAM: p.telegram}
    if p.year == 2020:
        fixed.update({k: v[0] for k, v in _FIXED_2020.items()})
    for k, v in fixed.items():
        targets[k] = v * scale
    rest = max(n - targets.sum(), 0.0)
    free = np.array([k not in fixed for k in range(len(PLATFORMS))])
    share = np.where(free, _PLATFORM_SHARE, 0.0)
    targets += rest * share / share.sum()
    return largest_remainder(targets, n)


def answer_probabilities(p: Period, counts: np.ndarray) -> np.ndarray:
    """Probability each platform answers in period p, so that the expected answered share
    over the period's platform mix (`counts` per platform) is the period's target."""
    q = np.zeros(len(PLATFORMS))
    fixed = np.zeros(len(PLATFORMS), dtype=bool)
    q[TELEGRAM] = _TELEGRAM_ANSWERED[p.start >= TELEGRAM_OPENS]
    fixed[TELEGRAM] = True
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
