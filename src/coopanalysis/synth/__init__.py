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

Modules: calibration (published targets and periods), model (the parameters of one
request), draws (drawing each field), generate (chunk plan and rows), write (output
formats and safe writing).
"""

from coopanalysis.synth.calibration import (
    DEFAULT_ROWS,
    FIRST_DAY,
    LAST_DAY,
    PERIODS,
    PUBLISHED_2024_JAN_JUL,
    PUBLISHED_REPLY_RATE,
    PUBLISHED_YEARLY_REQUESTS,
    START_YEARS,
    TELEGRAM_OPENS,
    Period,
    default_rows,
)
from coopanalysis.synth.generate import CHUNK_ROWS, synthesize
from coopanalysis.synth.model import CRIME_TYPES, PLATFORMS, agencies
from coopanalysis.synth.write import (
    DEFAULT_SEED,
    PROGRESS_THRESHOLD,
    OutputFormat,
    describe_output,
    output_format,
    write_synthetic,
)

__all__ = [
    "CHUNK_ROWS",
    "CRIME_TYPES",
    "DEFAULT_ROWS",
    "DEFAULT_SEED",
    "FIRST_DAY",
    "LAST_DAY",
    "PERIODS",
    "PLATFORMS",
    "PROGRESS_THRESHOLD",
    "PUBLISHED_2024_JAN_JUL",
    "PUBLISHED_REPLY_RATE",
    "PUBLISHED_YEARLY_REQUESTS",
    "START_YEARS",
    "TELEGRAM_OPENS",
    "OutputFormat",
    "Period",
    "agencies",
    "default_rows",
    "output_format",
    "describe_output",
    "synthesize",
    "write_synthetic",
]
