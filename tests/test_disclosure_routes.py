"""Four routes by which a hidden count came back inside one shared page, each as an attack.

Each test runs the attack a reader of the page could run — on the frames and chart data the
report publishes with `suppress_below` = 10, measured on the bundled synthetic log — and checks
that it gives back no hidden value. Before the fixes every attack recovered hidden counts:

1. growth table: a "withheld" base of a full year is the year before's count, printed above it;
2. Kaplan–Meier: the curve to 5 decimals with the platform's total gives every per-day count;
3. projection: the seasonal share's upper bound gives back a base shown as "<10";
4. transparency: a "withheld" count is printed in its own lower and upper bound columns.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from lp_attack import Figure, attack

from coopanalysis.core.stats import Z95, poisson_interval
from coopanalysis.present import charts, narrative
from coopanalysis.present.transparency_tables import for_readers
from coopanalysis.publish.disclosure import hidden_column
from coopanalysis.reports import growth, outcomes, transparency, volumes

SAMPLE = "sample/requests_synthetic.csv"
K = 10


def _year_before(d: dt.date) -> dt.date:
    return d.replace(year=d.year - 1)


# ----------------------------------------------------------------------------- 1. growth table


def _figures(df: pl.DataFrame, dim: str | None) -> Iterator[tuple[tuple, int | None, bool]]:
    """Every count a like-for-like growth table prints: (identity, value, hidden). The identity says
    which requests a figure counts — (dimension, group, first day, last day) — so that a year's
    base and the year before's count are the same figure."""
    for r in df.iter_rows(named=True):
        group = r[dim] if dim else None
        start, end = r["period_start"], r["period_end"]
        yield (dim, group, start, end), r["requests"], r.get(hidden_column("requests")) is not None
        if r["base"] is not None or r.get(hidden_column("base")) is not None:
            key = (dim, group, _year_before(start), _year_before(end))
            yield key, r["base"], r.get(hidden_column("base")) is not None


def growth_attack(report: growth.GrowthReport) -> dict[tuple, int]:
    """What a reader recovers of the hidden counts of the growth page: a hidden figure printed
    elsewhere on the page (the same requests), then every hidden figure that the published totals
    pin down (per span: the platforms', the crime types' counts add up to the total's)."""
    tables = [(None, report.yearly), *[(dim, df) for dim, df in report.yearly_by.items()]]
    shown: dict[tuple, int] = {}
    hidden: set[tuple] = set()
    for dim, df in tables:
        for key, value, is_hidden in _figures(df, dim):
            if is_hidden:
                hidden.add(key)
            elif value is not None:
                shown[key] = value
    recovered = {key: shown[key] for key in hidden if key in shown}
    unknown = sorted(hidden - shown.keys(), key=str)
    index = {key: i for i, key in enumerate(unknown)}
    rows, rhs = [], []
    for dim in ("platform", "crime_type"):  # complete breakdowns: they add up to the total
        spans = {(key[2], key[3]) for key in [*shown, *hidden] if key[0] == dim}
        for start, end in spans:
            cells = [key for key in [*shown, *index] if key[0] == dim and (key[2], key[3]) == (start, end)]
            total = (None, None, start, end)
            if total not in shown:
                continue
            row = np.zeros(len(unknown))
            known = shown[total]
            for key in set(cells):
                if key in index:
                    row[index[key]] = 1
                else:
                    known -= shown[key]
            rows.append(row)
            rhs.append(known)
    if rows:
        a, b = np.array(rows), np.array(rhs, dtype=float)
        rank = np.linalg.matrix_rank(a)
        solution = np.linalg.lstsq(a, b, rcond=None)[0]
        for key, i in index.items():
            unit = np.zeros(len(unknown))
            unit[i] = 1
            if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:  # pinned down by the totals
                recovered[key] = round(solution[i])
    return recovered


@pytest.fixture(scope="module")
def growth_pages() -> tuple[growth.GrowthReport, growth.GrowthReport]:
    return growth.growth_report(SAMPLE, suppress_below=K), growth.growth_report(SAMPLE)


def test_growth_table_withheld_cells_are_not_printed_elsewhere(growth_pages) -> None:
    shared, plain = growth_pages
    truth = {key: value for dim, df in [(None, plain.yearly), *plain.yearly_by.items()]
                 for key, value, _ in _figures(df, dim)}
    recovered = growth_attack(shared)
    assert {key: value for key, value in recovered.items() if truth[key] == value} == {}
    # the small base that started it (Telegram, 1 Jan–30 Jun 2024) is still hidden, as "<10"
    telegram = shared.yearly_by["platform"].filter(pl.col("platform") == "Telegram").row(-1, named=True)
    assert telegram["base"] is None and telegram["base_hidden"] == "<10"
    # one figure, one state: wherever two cells count the same requests, both are hidden or both shown
    states: dict[tuple, set[bool]] = {}
    for dim, df in [(None, shared.yearly), *shared.yearly_by.items()]:
        for key, _, is_hidden in _figures(df, dim):
            states.setdefault(key, set()).add(is_hidden)
    assert [key for key, s in states.items() if len(s) > 1] == []


def _lp_figures(report: growth.GrowthReport, dim: str) -> list[Figure]:
    """The growth page's figures for the linear-programming reader: every count of the total and of
    the `dim` breakdown (and the selection's total) as a sum of atoms (group, elementary span)."""
    frames = [(None, report.yearly), (dim, report.yearly_by[dim])]
    figures = [(key, value, hidden) for d, df in frames for key, value, hidden in _figures(df, d)]
    groups = sorted({key[1] for key, _, _ in figures if key[0] == dim}, key=str)
    info = report.input
    spans = {(key[2], key[3]) for key, _, _ in figures} | {(info.start, info.end)}
    cuts = sorted({s for s, _ in spans} | {e + dt.timedelta(days=1) for _, e in spans})
    pieces = list(itertools.pairwise(cuts))

    def cells(group, start, end) -> frozenset[str]:
        members = groups if group is None else [group]
        return frozenset(f"{g}|{a}" for g in members for a, b in pieces if start <= a and b <= end + dt.timedelta(days=1))

    out = [Figure("selection", cells(None, info.start, info.end), "shown", info.selected)]
    for key, value, hidden in figures:
        label = "withheld" if hidden else "shown"
        out.append(Figure(str(key), cells(key[1], key[2], key[3]), label, None if hidden else value))
    return out


@pytest.mark.parametrize("dim", ["platform", "crime_type"])
def test_growth_page_withstands_the_linear_programming_reader(growth_pages, dim: str) -> None:
    """Every hidden count of the growth page (total and one breakdown) stays at least k wide for a
    reader who solves for it over every table of the page (tests/lp_attack.py)."""
    shared, _ = growth_pages
    results = attack(_lp_figures(shared, dim), k=K)
    assert [(i.key, i.low, i.high) for i in results if not i.protected] == []


def test_telegram_growth_table_on_its_own(growth_pages) -> None:
    """The same rule when the selection is one platform (the table is the platform's total)."""
    shared = volumes.volume_report(SAMPLE, platforms=["Telegram"], period="quarter", suppress_below=K)
    states: dict[tuple, set[bool]] = {}
    for key, _, is_hidden in _figures(shared.growth, None):
        states.setdefault(key, set()).add(is_hidden)
    assert [key for key, s in states.items() if len(s) > 1] == []
    last = shared.growth.row(-1, named=True)
    assert last["base_hidden"] == "<10" and last["growth"] is None


# ----------------------------------------------------------------------------- 2. Kaplan–Meier


def km_attack(spec: dict, totals: dict[str, int]) -> dict[str, dict[int, int]]:
    """Per-day responses from a time-to-response chart's data and each platform's request count:
    each drop of the curve is responded / at risk, and the growth of Greenwood's sum, which the band
    gives back (log(−log) scale: log(−log low) − log(−log S) = z √sum / |log S|), is
    responded / (at risk × (at risk − responded)), so the two give both counts."""
    rows = [r for d in spec["datasets"].values() for r in d if "waiting" in r]
    out: dict[str, dict[int, int]] = {}
    for platform, n in totals.items():
        points = sorted({(r["days"], r["waiting"], r["ci_low"]) for r in rows if r["platform"] == platform})
        s0, g0, got = 1.0, 0.0, {}
        for day, s, low in points:
            if day == 0 or s >= s0 or s <= 0 or not 0 < low < s:
                continue
            ratio, g = s / s0, ((np.log(-np.log(low)) - np.log(-np.log(s))) * -np.log(s) / Z95) ** 2
            n_est = (1 - ratio) / (ratio * (g - g0)) if g > g0 else n
            lo, hi = max(1, int(n_est) - 3), min(n, int(n_est) + 4)
            candidates = range(lo, hi + 1) if lo <= hi else [n]
            at_risk = min(candidates, key=lambda c: abs(c * (1 - ratio) - round(c * (1 - ratio))))
            got[day] = round(at_risk * (1 - ratio))
            n, s0, g0 = at_risk - got[day], s, g
        out[platform] = got
    return out


@pytest.fixture(scope="module")
def outcome_pages() -> tuple[outcomes.OutcomeReport, outcomes.OutcomeReport]:
    return outcomes.outcome_report(SAMPLE, suppress_below=K), outcomes.outcome_report(SAMPLE)


def test_km_curve_gives_back_no_daily_count(outcome_pages) -> None:
    shared, plain = outcome_pages
    spec = charts.chart_time_to_response(shared.time_to_response).to_dict()
    totals = {r["platform"]: r["requests"] for r in shared.answered_by_platform.iter_rows(named=True)
              if r["requests"] is not None}
    recovered = km_attack(spec, totals)
    truth = {(r["platform"], r["days"]): r["responded"] for r in plain.time_to_response.iter_rows(named=True)}
    claims = [(p, day, n) for p, days in recovered.items() for day, n in days.items() if 0 < n < K]
    right = [c for c in claims if truth.get(c[:2]) == c[2]]
    # On the full curve 475 of the attack's 615 claims of 1–9 responses on a day were right (most).
    # On the shared curve it can still guess, but a guess is right by chance only (0 of 184 here),
    # so a reader cannot tell a right one: nothing is given back.
    assert claims and len(right) <= 0.05 * len(claims), right
    # no count reaches the chart: neither in its data nor in its tooltips
    data = [r for d in spec["datasets"].values() for r in d]
    assert data and not {"at_risk", "responded", "censored"} & {c for r in data for c in r}
    assert "at_risk" not in str(spec) and "responded" not in str(spec)


def test_km_steps_each_hold_k_responses_with_k_still_waiting(outcome_pages) -> None:
    shared, plain = outcome_pages
    for platform, curve in shared.time_to_response.group_by("platform"):
        full = plain.time_to_response.filter(pl.col("platform") == platform[0]).sort("days")
        steps = curve.sort("days")["days"].to_list()
        assert steps[0] == 0
        for before, day in itertools.pairwise(steps):
            between = full.filter((pl.col("days") > before) & (pl.col("days") <= day))
            assert between["responded"].sum() >= K, (platform, day)
            row = full.filter(pl.col("days") == day).row(0, named=True)
            assert row["at_risk"] - row["responded"] - row["censored"] >= K, (platform, day)
    # the median sentence and the headline read the published curve
    total = shared.response_time_total.row(0, named=True)
    assert shared.median_days_figure["value"] == total["median_days"]
    text = narrative.response_time_sentence(shared.response_time_total)
    assert f"within {total['median_days']} days" in text
    # without suppression the curve is the full estimate, unchanged
    assert plain.time_to_response["at_risk"].null_count() == 0


def _log_with_rare(path: Path) -> Path:
    """120 requests to Google and Meta (a third answered after 10 days) and 3 to "Rare"."""
    header = "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on"
    lines = [header]
    for i in range(123):
        platform = "Rare" if i < 3 else ("Google" if i % 2 else "Meta")
        day = dt.date(2022, 1, 1) + dt.timedelta(days=(i * 5) % 700)
        answered = i % 3 == 0
        responded = str(day + dt.timedelta(days=10 + i % 7)) if answered else ""
        lines.append(f"Q-{i:04d},{day},Seoul A,KR,{platform},fraud,email,{responded},"
                     f"{'disclosed' if answered else ''},open,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_platform_with_fewer_than_k_responses_has_no_curve(tmp_path: Path) -> None:
    report = outcomes.outcome_report(str(_log_with_rare(tmp_path / "log.csv")), suppress_below=K)
    assert "Rare" not in report.time_to_response["platform"].to_list()
    text = narrative.slowest_sentence(report.response_times)
    assert "Rare" in text and "fewer than 10 responses" in text


# ----------------------------------------------------------------------------- 3. projection


def projection_attack(projection: pl.DataFrame, yearly: pl.DataFrame) -> dict[tuple, int]:
    """The counts a seasonal-share projection gives back: its upper bound is the Poisson bound of the
    count so far divided by the smallest earlier share (same span ÷ full year), so each earlier year's
    full count times (Poisson bound ÷ upper bound) is that year's same-span count, when a whole number."""
    rows = projection.filter((pl.col("kind") == "projected") & (pl.col("method") == "seasonal share"))
    observed = projection.filter(pl.col("method") == "observed so far")
    if rows.height == 0 or observed.height == 0 or rows["high"][0] is None or observed["requests"][0] is None:
        return {}
    so_far = observed["requests"][0]
    high = pl.select(poisson_interval(pl.lit(so_far))[1]).item()
    share_min = high / rows["high"][0]
    end = observed["period_end"][0]
    got = {}
    for r in yearly.filter(pl.col("requests").is_not_null()).iter_rows(named=True):
        guess = share_min * r["requests"]
        year = r["period_start"].year
        if abs(guess - round(guess)) < 1e-6 and year < end.year:
            got[(dt.date(year, 1, 1), end.replace(year=year))] = round(guess)
    return got


@pytest.mark.parametrize("report", ["request_volumes", "growth"])
def test_projection_gives_back_no_hidden_base(report: str) -> None:
    make = volumes.volume_report if report == "request_volumes" else growth.growth_report
    shared = make(SAMPLE, platforms=["Telegram"], period="quarter", suppress_below=K)
    yearly = shared.growth if report == "request_volumes" else shared.yearly
    hidden = {(_year_before(r["period_start"]), _year_before(r["period_end"])): r["base_hidden"]
              for r in yearly.iter_rows(named=True) if r["base_hidden"]}
    assert hidden  # Telegram's 1 Jan–30 Jun 2024 is below 10
    recovered = projection_attack(shared.projection, yearly)
    assert [span for span in recovered if span in hidden] == []
    seasonal = shared.projection.filter(pl.col("method") == "seasonal share").row(0, named=True)
    assert (seasonal["requests"], seasonal["low"], seasonal["high"]) == (None, None, None)
    assert seasonal["requests_hidden"] == "withheld"
    # the run rate rests only on the count so far (240, shown), so it stays
    assert shared.projection_figure["value"] is not None
    text = narrative.projection_sentence(shared.projection)
    assert "by the seasonal model, withheld" in text and "at the run rate (95% prediction interval" in text


# ----------------------------------------------------------------------------- 4. transparency


def bounds_attack(df: pl.DataFrame) -> list[tuple]:
    """Rows whose hidden count is printed in its own lower and upper bound columns."""
    rows = df.filter(pl.col(hidden_column("requests")).is_not_null() & pl.col("requests_low").is_not_null()
                     & (pl.col("requests_low") == pl.col("requests_high")))
    return rows.select(pl.exclude("^.*_hidden$")).rows()


def test_transparency_bounds_give_back_no_hidden_count() -> None:
    shared = transparency.transparency_report(suppress_below=K)
    for name in ("over_time", "yearly"):
        df = getattr(shared, name)
        assert bounds_attack(df) == [], name
        # the table readers see: a hidden count's bounds read as the count does
        table = for_readers(df)
        if "Requests (lower bound)" in table.columns:
            hidden = table.filter(pl.col("Requests").is_in(["<10", "withheld"]))
            assert hidden["Requests (lower bound)"].is_in(["<10", "withheld", "–"]).all(), name
        # an exact count and its bounds are one figure: a bound is never withheld beside its count shown
        exact = df.filter(pl.col("requests").is_not_null())
        assert exact.filter(pl.col(hidden_column("requests_low")).is_not_null()).height == 0, name
    # the periods of a provider's year add up to the year printed in the next table: never one hidden alone
    assert periods_attack(shared.over_time, shared.yearly) == []
    # nor to the country's total with the ranking provider (the ranking sentence), on the notebook's dates
    page = transparency.transparency_report(start="2013-01-01", suppress_below=K)
    periods = page.over_time.filter(pl.col("provider") == page.ranking_provider)
    if page.position["requests"] is not None:
        assert periods[hidden_column("requests")].is_not_null().sum() != 1


def periods_attack(over_time: pl.DataFrame, yearly: pl.DataFrame) -> list[tuple]:
    """(provider, year, value) of each period whose hidden count is its year's count (printed in
    the yearly table) minus the other periods of that year, when it is the year's only hidden one."""
    got = []
    for y in yearly.filter(pl.col("requests").is_not_null()).iter_rows(named=True):
        pieces = over_time.filter((pl.col("provider") == y["provider"]) & (pl.col("period_start").dt.year() == y["year"])
                                  & (pl.col("period_end").dt.year() == y["year"]))
        if pieces.filter(pl.col(hidden_column("requests")).is_not_null()).height == 1:
            got.append((y["provider"], y["year"], y["requests"] - pieces["requests"].sum()))
    return got
