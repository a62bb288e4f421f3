"""Generating the synthetic log in chunks: the plan of rows per period and chunk, then the rows.

Memory stays bounded by the chunk size whatever the number of rows. Each chunk has its own
random stream, and the dates and counts come from streams that do not depend on the chunking,
so the same rows and seed give the same requests whatever `chunk_rows` is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from coopanalysis.core.schema import CASE_OUTCOMES, CHANNELS, REQUESTS_SCHEMA, RESPONSES
from coopanalysis.errors import CoopAnalysisError
from coopanalysis.synth import draws
from coopanalysis.synth.calibration import LAST_DAY, TELEGRAM_OPENS, Period, covered, largest_remainder
from coopanalysis.synth.model import CRIME_TYPES, PLATFORMS, agencies, day_weights, platform_counts

CHUNK_ROWS = 1_000_000
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Chunk:
    """What one chunk holds, fixed before any of its rows is drawn."""

    period: Period
    days: np.ndarray  # int days since epoch, sorted, one per row
    platforms: np.ndarray  # requests per platform in this chunk
    sexual_violence: int  # rows of cyber sexual violence in this chunk
    first_seq: int  # sequence number (within the year) of the first row
    id_width: int  # digits of the sequence number in request_id
    seed: tuple[int, ...]


def _days(p: Period) -> np.ndarray:
    """Days of a period as int days since 1970-01-01."""
    first = (p.start - _EPOCH).days
    return np.arange(first, (p.end - _EPOCH).days + 1, dtype=np.int32)


def _period_chunks(
    p: Period, pi: int, n: int, seed: int, chunk_rows: int, first_seq: int, width: int
) -> Iterator[Chunk]:
    """The chunks of period number `pi` holding `n` rows, the first row numbered `first_seq`."""
    days = _days(p)
    # separate streams: the dates do not depend on how the period is cut into chunks
    cum = np.cumsum(np.random.default_rng([seed, 0, pi]).multinomial(n, day_weights(days)))
    plan_rng = np.random.default_rng([seed, 2, pi])
    platforms_left = platform_counts(p, n)
    sv_left = min(n, round(n * p.sexual_violence_share))
    for ci, a in enumerate(range(0, n, chunk_rows)):
        b = min(a + chunk_rows, n)
        if b == n:
            take, sv = platforms_left.copy(), sv_left
        else:
            take = plan_rng.multivariate_hypergeometric(platforms_left, b - a)
            sv = int(plan_rng.hypergeometric(sv_left, (n - a) - sv_left, b - a)) if sv_left else 0
        platforms_left = platforms_left - take
        sv_left -= sv
        row_days = days[np.searchsorted(cum, np.arange(a, b), side="right")]
        yield Chunk(p, row_days, take, sv, first_seq + a, width, (seed, 1, pi, ci))


def plan(rows: int, seed: int, start_year: int, chunk_rows: int) -> Iterator[Chunk]:
    """Chunks (at most chunk_rows each, never across a period) in date order, `rows` in all
    split over the periods from `start_year` in proportion to their calibrated totals."""
    periods = covered(start_year)
    per_period = [int(n) for n in largest_remainder([p.requests for p in periods], rows)]
    per_year: dict[int, int] = {}
    for p, n in zip(periods, per_period, strict=True):
        per_year[p.year] = per_year.get(p.year, 0) + n
    width = max(6, len(str(max(per_year.values()))))
    seq_in_year: dict[int, int] = {}
    for pi, (p, n) in enumerate(zip(periods, per_period, strict=True)):
        if n == 0:
            continue
        first = seq_in_year.get(p.year, 0)
        seq_in_year[p.year] = first + n
        yield from _period_chunks(p, pi, n, seed, chunk_rows, first + 1, width)


def _labels(names: Sequence[str], codes: np.ndarray) -> pl.Series:
    """Strings from codes; a code of -1 is null."""
    table = pl.Series(list(names) + [None], dtype=pl.String)
    idx = np.where(codes < 0, len(names), codes).astype(np.int64)
    return table.gather(idx)


def _dates(days: np.ndarray, present: np.ndarray) -> pl.Series:
    """Dates from days since 1970-01-01; null where not present."""
    values = pl.Series(days.astype(np.int32)).cast(pl.Date)
    return pl.select(pl.when(pl.lit(pl.Series(present))).then(pl.lit(values))).to_series()


def make_chunk(c: Chunk, agency_names: tuple[str, ...], agency_p: np.ndarray) -> pl.DataFrame:
    """The rows of chunk `c` (canonical `requests` schema), agencies drawn from `agency_names`
    with probabilities `agency_p`. The fields are drawn in a fixed order from the chunk's stream."""
    rng = np.random.default_rng(list(c.seed))
    p, n = c.period, len(c.days)
    last = (LAST_DAY - _EPOCH).days
    is_open = p.start >= TELEGRAM_OPENS
    platform = draws.platforms(rng, c.platforms)
    answered = draws.answered(rng, p, platform)
    response = draws.responses(rng, platform, answered, is_open)
    channel = draws.channels(rng, p.year, platform, is_open)
    crime = draws.crimes(rng, platform, c.sexual_violence)
    agency = draws.agencies(rng, n, agency_p)
    responded, response, replied, pending = draws.replies(
        rng, c.days, platform, channel, answered, response, is_open, last
    )
    outcome, closed, still_open = draws.outcomes(rng, c.days, responded, response, replied, pending, last)
    seq = np.arange(c.first_seq, c.first_seq + n, dtype=np.int64)
    return pl.DataFrame(
        {
            "request_id": f"SYN-{p.year}-" + pl.Series(seq).cast(pl.String).str.zfill(c.id_width),
            "requested_on": pl.Series(c.days).cast(pl.Date),
            "agency": _labels(agency_names, agency),
            "country": pl.repeat("KR", n, dtype=pl.String, eager=True),
            "platform": _labels(PLATFORMS, platform),
            "crime_type": _labels(CRIME_TYPES, crime),
            "channel": _labels(CHANNELS, channel),
            "responded_on": _dates(responded, replied),
            "response": _labels(RESPONSES, response),
            "case_outcome": _labels(CASE_OUTCOMES, outcome),
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
    for chunk in plan(rows, seed, start_year, chunk_rows):
        yield make_chunk(chunk, names, weights)
