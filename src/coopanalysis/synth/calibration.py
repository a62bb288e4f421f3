"""What the synthetic log is calibrated to: the published KNPA figures and the periods they cover.

Figures from data/published/npa_overseas_it_requests_press.csv. 2020–2023 and Jan–Jul 2024 are
the published totals to all overseas IT companies; Aug 2024–Jun 2025 are *extrapolated* at the
Jan–Jul 2024 monthly run-rate. Another number of rows scales every period proportionally
(largest remainder, so the periods add up to exactly that number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from coopanalysis.errors import CoopAnalysisError

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
        """The calendar year the period lies in."""
        return self.start.year


def largest_remainder(targets: Sequence[float], total: int) -> np.ndarray:
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
    """Requests in Aug–Sep 2024, Oct–Dec 2024 and Jan–Jun 2025 at the Jan–Jul 2024 monthly run-rate."""
    months = np.array([2, 3, 6], dtype=np.float64)
    total = round(RUN_RATE_2024 * months.sum())
    a, b, c = largest_remainder(RUN_RATE_2024 * months, total)
    return int(a), int(b), int(c)


def _periods() -> tuple[Period, ...]:
    """The calibration periods, 2020 to LAST_DAY, in date order."""
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


def covered(start_year: int) -> tuple[Period, ...]:
    """The periods from 1 January `start_year` on; CoopAnalysisError if the year is not calibrated."""
    if start_year not in START_YEARS:
        raise CoopAnalysisError(
            f"--start-year must be one of {START_YEARS[0]}–{START_YEARS[-1]} "
            f"(the calibrated years), not {start_year}"
        )
    return tuple(p for p in PERIODS if p.year >= start_year)


def default_rows(start_year: int = 2020) -> int:
    """The calibrated number of requests from 1 January of `start_year` to LAST_DAY."""
    return sum(p.requests for p in covered(start_year))


DEFAULT_ROWS = default_rows()
