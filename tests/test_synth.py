"""The synthetic request log: calibration to published KNPA figures, invariants, formats."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from coopanalysis import cli, synth
from coopanalysis.errors import CoopAnalysisError, DataFileError
from coopanalysis.paths import KNPA_SERIES, SAMPLE_REQUESTS, SEOUL_STATIONS
from coopanalysis.core.schema import CASE_OUTCOMES, CHANNELS, REQUESTS_SCHEMA, RESPONSES

ANSWERED = pl.col("response").is_in(["disclosed", "partial"]).fill_null(False)
YEAR = pl.col("requested_on").dt.year().alias("year")


@pytest.fixture(scope="module")
def default() -> pl.DataFrame:
    """The default-size log with the shipped seed."""
    return pl.concat(synth.synthesize(synth.DEFAULT_ROWS, seed=2020))


def _published(metric: str, platform: str, year: str) -> float:
    rows = pl.read_csv(KNPA_SERIES).filter(
        (pl.col("metric") == metric) & (pl.col("platform") == platform) & (pl.col("year") == year)
    )
    assert rows.height == 1, (metric, platform, year)
    return float(rows["value"][0])


def test_constants_are_the_published_figures():
    for year, total in synth.PUBLISHED_YEARLY_REQUESTS.items():
        assert _published("cooperation_requests", "all overseas IT companies", str(year)) == total
    assert _published("cooperation_requests", "all overseas IT companies", "2024") == 5161
    assert synth.PUBLISHED_2024_JAN_JUL == 5161
    for year, rate in synth.PUBLISHED_REPLY_RATE.items():
        assert _published("reply_rate", "all overseas IT companies", str(year)) == pytest.approx(rate * 100)


def test_default_size_is_published_totals_plus_run_rate_extrapolation():
    # 11 months (Aug 2024 – Jun 2025) at 5161/7 a month = 8110.1 → 8110
    assert synth.DEFAULT_ROWS == 7560 + 12771 + 10166 + 8961 + 5161 + 8110 == 52729
    assert synth.default_rows(2023) == 8961 + 5161 + 8110


def test_yearly_totals_at_default_size_equal_published(default):
    years = dict(default.group_by(YEAR).len().iter_rows())
    assert years[2020] == 7560
    assert years[2021] == 12771
    assert years[2022] == 10166
    assert years[2023] == 8961
    jan_jul_2024 = default.filter(pl.col("requested_on").is_between(date(2024, 1, 1), date(2024, 7, 31)))
    assert jan_jul_2024.height == 5161
    assert default.height == 52729
    assert default["requested_on"].min() == date(2020, 1, 1)
    assert default["requested_on"].max() <= date(2025, 6, 30)


def test_answered_share_near_published_reply_rates(default):
    share = dict(default.group_by(YEAR).agg(ANSWERED.mean()).iter_rows())
    assert share[2020] == pytest.approx(0.539, abs=0.02)
    assert share[2021] == pytest.approx(0.892, abs=0.02)
    for year in (2022, 2023, 2024):
        assert 0.87 <= share[year] <= 0.93, (year, share[year])
    mean_2020_2023 = default.filter(YEAR <= 2023).select(ANSWERED.mean()).item()
    assert mean_2020_2023 == pytest.approx(0.834, abs=0.01)


def test_telegram_silent_until_october_2024_then_answers(default):
    tg = default.filter(pl.col("platform") == "Telegram")
    before = tg.filter(pl.col("requested_on") < date(2024, 10, 1))
    per_year = before.group_by(YEAR).agg(pl.len(), ANSWERED.sum().alias("answered")).sort("year")
    assert per_year["year"].to_list() == [2020, 2021, 2022, 2023, 2024]
    assert per_year.filter(pl.col("year") <= 2023)["len"].to_list() == [20, 20, 20, 20]
    assert per_year["len"].max() <= 25
    assert per_year["answered"].max() <= 2
    after = tg.filter(pl.col("requested_on") >= date(2024, 10, 1))
    assert after.height == 90 + 240  # 30 a month in Oct–Dec 2024, 40 a month in 2025
    # requests old enough to have had an answer (three months before the period ends)
    settled = after.filter(pl.col("requested_on") <= date(2025, 3, 31))
    assert settled.select(ANSWERED.mean()).item() > 0.95
    replied = after.filter(pl.col("response").is_not_null())
    assert replied.select(ANSWERED.mean()).item() > 0.95


def test_discord_and_x_2020_match_published(default):
    d2020 = default.filter(YEAR == 2020)
    counts = {
        p: (n, a)
        for p, n, a in d2020.group_by("platform").agg(pl.len(), ANSWERED.sum()).iter_rows()
    }
    assert counts["Discord"] == (39, 31)
    assert counts["X"] == (69, 56)


def test_platform_mix_google_and_meta_largest(default):
    by_platform = default.group_by("platform").len().sort("len", descending=True)
    assert by_platform["platform"].to_list()[:2] == ["Google", "Meta"]
    assert set(by_platform["platform"]) == set(synth.PLATFORMS)


def test_cyber_sexual_violence_matches_published(default):
    csv = default.filter(pl.col("crime_type") == "cyber_sexual_violence")
    per_year = dict(csv.group_by(YEAR).len().iter_rows())
    assert per_year[2020] == 767
    assert per_year[2022] == 1468
    assert per_year[2023] == 1512
    jan_jul = csv.filter(pl.col("requested_on").is_between(date(2024, 1, 1), date(2024, 7, 31)))
    assert jan_jul.height == 1043


def test_schema_values_and_ids(default):
    assert default.schema == pl.Schema(REQUESTS_SCHEMA)
    assert default["request_id"].n_unique() == default.height
    assert default["request_id"].str.contains(r"^SYN-\d{4}-\d{6}$").all()
    assert (default["request_id"].str.slice(4, 4).cast(pl.Int32) == default["requested_on"].dt.year()).all()
    assert set(default["response"].drop_nulls()) <= set(RESPONSES)
    assert set(default["case_outcome"]) <= set(CASE_OUTCOMES)
    assert set(default["channel"]) <= set(CHANNELS)
    assert default["country"].unique().to_list() == ["KR"]
    seoul = set(pl.read_csv(SEOUL_STATIONS)["name_en"])
    agencies = set(default["agency"])
    assert seoul <= agencies
    assert "Busan Metropolitan Police Agency" in agencies
    assert default.null_count().select("request_id", "requested_on", "agency", "platform",
                                       "crime_type", "channel", "case_outcome").sum_horizontal().item() == 0


def test_date_ordering_invariants(default):
    d = default
    last = date(2025, 6, 30)
    # responded_on null exactly when response null
    assert d.filter(pl.col("responded_on").is_null() != pl.col("response").is_null()).height == 0
    # closed_on null exactly when the case is open
    assert d.filter(pl.col("closed_on").is_null() != (pl.col("case_outcome") == "open")).height == 0
    assert d.filter(pl.col("responded_on") <= pl.col("requested_on")).height == 0
    assert d.filter(pl.col("closed_on") <= pl.col("requested_on")).height == 0
    assert d.filter(pl.col("closed_on") <= pl.col("responded_on")).height == 0
    assert d.select(pl.max_horizontal(pl.col("requested_on", "responded_on", "closed_on").max())).item() <= last
    assert d["requested_on"].is_sorted()


def test_unanswered_cases_end_untraceable_far_more_often(default):
    closed = default.filter(pl.col("case_outcome") != "open")
    rate = dict(
        closed.group_by(ANSWERED.alias("answered"))
        .agg((pl.col("case_outcome") == "suspended_untraceable").mean())
        .iter_rows()
    )
    assert rate[False] > 0.4
    assert rate[True] < 0.12


def test_recent_cases_more_often_open(default):
    open_share = dict(default.group_by(YEAR).agg((pl.col("case_outcome") == "open").mean()).iter_rows())
    assert open_share[2025] > 0.4
    assert open_share[2021] < 0.05
    assert open_share[2025] > open_share[2024] > open_share[2022]


def test_delays_depend_on_platform_and_channel(default):
    delay = (pl.col("responded_on") - pl.col("requested_on")).dt.total_days()
    med = dict(
        default.filter(pl.col("channel") != "mlat")
        .group_by("platform").agg(delay.median()).iter_rows()
    )  # fmt: skip
    telegram_before = default.filter(
        (pl.col("platform") == "Telegram") & (pl.col("requested_on") < date(2024, 10, 1))
    ).select(delay.median()).item()
    assert med["Meta"] < med["Google"] < 30
    assert telegram_before > 30
    by_channel = dict(default.group_by("channel").agg(delay.median()).iter_rows())
    assert by_channel["emergency"] <= 2
    assert by_channel["mlat"] > 90


def test_scaling_to_1000_rows_adds_up_and_keeps_the_mix():
    d = pl.concat(synth.synthesize(1000, seed=7))
    assert d.height == 1000
    years = dict(d.group_by(YEAR).len().iter_rows())
    # 1000 × 7560/52729 = 143.4, × 12771/52729 = 242.2
    assert years[2020] == 143
    assert years[2021] == 242
    assert sum(years.values()) == 1000


def test_largest_remainder_adds_up_exactly():
    got = synth.calibration.largest_remainder([1, 1, 1], 10)
    assert got.tolist() == [4, 3, 3]
    assert synth.calibration.largest_remainder([7560, 12771], 1).sum() == 1


def test_chunks_bounded_and_same_rows_whatever_the_chunking():
    whole = pl.concat(synth.synthesize(3000, seed=5))
    parts = list(synth.synthesize(3000, seed=5, chunk_rows=400))
    assert max(p.height for p in parts) <= 400
    assert all(p["requested_on"].dt.year().n_unique() == 1 for p in parts)
    small = pl.concat(parts)
    assert small.height == 3000
    assert_frame_equal(small.select("request_id", "requested_on"), whole.select("request_id", "requested_on"))


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = synth.write_synthetic(tmp_path / "a.csv", rows=2000, seed=11)
    b = synth.write_synthetic(tmp_path / "b.csv", rows=2000, seed=11)
    c = synth.write_synthetic(tmp_path / "c.csv", rows=2000, seed=12)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    pa = synth.write_synthetic(tmp_path / "a.parquet", rows=2000, seed=11)
    pb = synth.write_synthetic(tmp_path / "b.parquet", rows=2000, seed=11)
    assert pa.read_bytes() == pb.read_bytes()


def test_shipped_sample_is_the_default_run(default):
    shipped = pl.read_csv(SAMPLE_REQUESTS, schema=REQUESTS_SCHEMA)
    assert_frame_equal(shipped, default)


def test_hive_directory_reads_back_as_the_csv(tmp_path):
    csv = synth.write_synthetic(tmp_path / "log.csv", rows=3000, seed=3)
    hive = synth.write_synthetic(tmp_path / "log", rows=3000, seed=3)
    assert sorted(p.name for p in hive.iterdir()) == [f"year={y}" for y in range(2020, 2026)]
    assert (hive / "year=2021" / "part-0.parquet").is_file()
    back = pl.scan_parquet(hive, hive_partitioning=True).collect()
    assert (back["year"] == back["requested_on"].dt.year()).all()
    assert_frame_equal(
        back.drop("year").sort("request_id"),
        pl.read_csv(csv, schema=REQUESTS_SCHEMA).sort("request_id"),
    )
    single = synth.write_synthetic(tmp_path / "log.parquet", rows=3000, seed=3)
    assert_frame_equal(pl.read_parquet(single), pl.read_csv(csv, schema=REQUESTS_SCHEMA))


def test_hive_rewrite_replaces_previous_output_and_leaves_no_temp(tmp_path):
    out = tmp_path / "log"
    synth.write_synthetic(out, rows=3000, seed=3)
    synth.write_synthetic(out, rows=500, seed=4, start_year=2024)
    assert sorted(p.name for p in out.iterdir()) == ["year=2024", "year=2025"]
    assert pl.scan_parquet(out, hive_partitioning=True).select(pl.len()).collect().item() == 500
    assert [p.name for p in tmp_path.iterdir()] == ["log"]


def test_refuses_to_overwrite_a_directory_of_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(DataFileError, match="other files"):
        synth.write_synthetic(tmp_path, rows=100, seed=1)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_failed_run_keeps_the_earlier_output(tmp_path, monkeypatch):
    out = tmp_path / "log.csv"
    out.write_text("earlier,good\n")

    def broken(*args, **kwargs):
        yield pl.DataFrame(schema=REQUESTS_SCHEMA)
        raise RuntimeError("disk full")

    monkeypatch.setattr(synth.write, "synthesize", broken)  # where write_synthetic looks it up
    with pytest.raises(RuntimeError, match="disk full"):
        synth.write_synthetic(out, rows=10, seed=1)
    assert out.read_text() == "earlier,good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]


def test_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(DataFileError, match=r"unknown output suffix '\.json'"):
        synth.write_synthetic(tmp_path / "x.json", rows=10, seed=1)
    with pytest.raises(CoopAnalysisError, match="--rows must be at least 1"):
        synth.write_synthetic(tmp_path / "x.csv", rows=0, seed=1)
    with pytest.raises(CoopAnalysisError, match="--start-year must be one of 2020–2025"):
        list(synth.synthesize(10, seed=1, start_year=2019))
    assert not (tmp_path / "x.csv").exists()


def _cli(argv: list[str]) -> int:
    return cli.main(argv)


def test_cli_writes_the_file_and_prints_where(tmp_path, capsys):
    out = tmp_path / "requests.csv"
    assert _cli(["synth", "--rows", "1000", "--seed", "9", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.out.strip() == f"wrote 1,000 synthetic requests (seed 9) as CSV to {out}"
    assert printed.err == ""  # no progress bar for a small run off a terminal
    d = pl.read_csv(out, schema=REQUESTS_SCHEMA)
    assert d.height == 1000
    assert d["request_id"][0] == "SYN-2020-000001"


def test_cli_start_year_and_default_rows(tmp_path, capsys):
    out = tmp_path / "recent"
    assert _cli(["synth", "--start-year", "2024", "--out", str(out)]) == 0
    assert f"wrote {5161 + 8110:,} synthetic requests (seed 2020)" in capsys.readouterr().out
    d = pl.scan_parquet(out, hive_partitioning=True).collect()
    assert d.height == 13271
    assert d["requested_on"].min() == date(2024, 1, 1)
