"""Time to response and replies by kind against the reference libraries, on literal data.

Kaplan–Meier (curve and log(−log) band) and Aalen–Johansen against lifelines, Wilson intervals
against statsmodels, the day-0 and curve-to-zero cases, the censoring date, the coarsening of the
cumulative incidence curves beside the Kaplan–Meier curve, and the bases the sentences name.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import polars as pl
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from statsmodels.stats.proportion import proportion_confint

from coopanalysis.core.stats import wilson_bounds
from coopanalysis.errors import ParameterError
from coopanalysis.present.narrative.answers import censoring_sentence, response_time_sentence
from coopanalysis.present.narrative.outcomes import cohort_sentence, funnel_sentence, outcome_sentence
from coopanalysis.present import charts
from coopanalysis.publish.curves import curve_grid, hide_curves, hide_incidence
from coopanalysis.reports import outcomes
from coopanalysis.transforms.incidence import cumulative_incidence
from coopanalysis.transforms.outcomes import (
    funnel,
    identified_share,
    outcome_mix,
    outcome_mix_by_year,
    response_time_summary,
    time_to_response,
)

DAY0 = dt.date(2024, 3, 1)
SAMPLE = "sample/requests_synthetic.csv"


def log(delays: list[int | None], responses: list[str | None] | None = None, *, start: list[int] | None = None
        ) -> pl.LazyFrame:
    """Requests made on DAY0 (+ start[i] days) and replied to after delays[i] days (None: no reply)."""
    start = start or [0] * len(delays)
    responses = responses or [None if x is None else "disclosed" for x in delays]
    requested = [DAY0 + dt.timedelta(days=s) for s in start]
    return pl.LazyFrame({
        "requested_on": requested,
        "responded_on": [None if x is None else r + dt.timedelta(days=x) for r, x in zip(requested, delays)],
        "response": responses,
        "closed_on": [None] * len(delays),
    }, schema={"requested_on": pl.Date, "responded_on": pl.Date, "response": pl.String, "closed_on": pl.Date})


def lifelines_km(durations, observed) -> pl.DataFrame:
    fit = KaplanMeierFitter().fit(durations, observed)
    ci = fit.confidence_interval_
    return pl.DataFrame({"days": np.asarray(fit.timeline, dtype=np.int64),
                         "waiting": fit.survival_function_.iloc[:, 0].to_numpy(),
                         "ci_low": ci.iloc[:, 0].to_numpy(), "ci_high": ci.iloc[:, 1].to_numpy()})


def assert_matches(ours: pl.DataFrame, reference: pl.DataFrame, columns: list[str], tol: float = 1e-12) -> None:
    both = reference.join(ours, on="days", how="left", suffix="_ours")
    assert both.height == reference.height and both.height == ours.height
    for c in columns:
        assert both[f"{c}_ours"].null_count() == 0, c
        np.testing.assert_allclose(both[f"{c}_ours"].to_numpy(), both[c].to_numpy(), rtol=0, atol=tol, err_msg=c)


# ----------------------------------------------------------------------------- Kaplan–Meier


def test_replies_on_the_day_of_the_request_count_at_day_0() -> None:
    # the example: 6 replies on day 0, 3 on day 5, 1 request censored on day 7
    lf = log([0] * 6 + [5] * 3 + [None])
    km = time_to_response(lf, as_of=DAY0 + dt.timedelta(days=7)).collect()
    assert km.select("days", "at_risk", "responded", "censored").rows() == [(0, 10, 6, 0), (5, 4, 3, 0), (7, 1, 0, 1)]
    assert km["waiting"][0] == pytest.approx(0.4)
    summary = response_time_summary(km.lazy()).collect().row(0, named=True)
    assert (summary["median_days"], summary["responded"], summary["requests"]) == (0, 9, 10)
    reference = lifelines_km([0] * 6 + [5] * 3 + [7], [1] * 9 + [0])
    assert KaplanMeierFitter().fit([0] * 6 + [5] * 3 + [7], [1] * 9 + [0]).median_survival_time_ == 0
    assert_matches(km, reference, ["waiting", "ci_low", "ci_high"])
    assert "on the day of the request" in response_time_sentence(pl.DataFrame([summary]))


def test_curve_that_reaches_zero_has_lifelines_band_not_nan() -> None:
    km = time_to_response(log([1, 2, 2, 3])).collect()
    assert km["waiting"].to_list() == pytest.approx([1.0, 0.75, 0.25, 0.0])
    assert km["ci_low"].is_nan().sum() == 0 and km["ci_high"].is_nan().sum() == 0
    assert km.row(-1, named=True)["ci_low"] == 0.0 and km.row(-1, named=True)["ci_high"] == 0.0
    assert_matches(km, lifelines_km([1, 2, 2, 3], [1, 1, 1, 1]), ["waiting", "ci_low", "ci_high"])


def test_kaplan_meier_and_log_log_band_match_lifelines_with_censoring() -> None:
    rng = np.random.default_rng(7)
    n = 400
    start = rng.integers(0, 200, n).tolist()
    delays = [int(x) if rng.random() < 0.8 else None for x in rng.geometric(0.08, n) - 1]  # day 0 included
    as_of = DAY0 + dt.timedelta(days=230)
    km = time_to_response(log(delays, start=start), as_of=as_of).collect()
    durations = [x if x is not None else (as_of - DAY0).days - s for x, s in zip(delays, start)]
    reference = lifelines_km(durations, [x is not None for x in delays])
    assert km.filter(pl.col("days") == 0)["responded"][0] > 0
    assert_matches(km, reference, ["waiting", "ci_low", "ci_high"], tol=1e-15)


# ----------------------------------------------------------------------------- Aalen–Johansen


def lifelines_aj(durations, events, kind: int) -> pl.DataFrame:
    """lifelines on the raw rows; it jitters tied times of different replies (seeded) and sets the
    estimate at its first time to 0, so every duration is given one more day, read back at the end of
    each day."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = AalenJohansenFitter(seed=3).fit(np.asarray(durations, dtype=float) + 1, events, event_of_interest=kind)
    table = pl.DataFrame({"_t": np.asarray(fit.cumulative_density_.index, dtype=float),
                          "incidence": fit.cumulative_density_.iloc[:, 0].to_numpy(),
                          "_a": fit.confidence_interval_.iloc[:, 0].to_numpy(),
                          "_b": fit.confidence_interval_.iloc[:, 1].to_numpy()}).sort("_t")
    days = sorted(set(int(d) for d in durations))
    ends = pl.DataFrame({"days": days, "_t": [d + 1.5 for d in days]})
    zero = pl.col("incidence") == 0  # no reply of the kind yet: lifelines' band is NaN, ours [0, 0]
    return ends.join_asof(table, on="_t").select(
        "days", "incidence",
        ci_low=pl.when(zero).then(0.0).otherwise(pl.min_horizontal("_a", "_b")),
        ci_high=pl.when(zero).then(0.0).otherwise(pl.max_horizontal("_a", "_b")))


# replies on day 0 of both kinds, ties of both kinds on days 2 and 4, censoring on days of their own
AJ_DELAYS = [0, 0, 0, 0, 0, 2, 2, 2, 4, 4, 4, 5, 8, None, None, 9, 11, 11, 12, None]
AJ_RESPONSES = ["disclosed", "disclosed", "partial", "refused", "no_data", "partial", "refused", "refused",
                "disclosed", "no_data", "disclosed", "refused", "disclosed", None, None, "no_data", "disclosed",
                "refused", "partial", None]
AJ_START = [0] * 13 + [7, 4] + [0] * 5  # those without a reply censored at 14 - 7 = 7, 14 - 4 = 10 and 14 days


@pytest.mark.parametrize("with_censoring", [True, False], ids=["censored", "curve-to-zero"])
def test_aalen_johansen_matches_lifelines(with_censoring: bool) -> None:
    keep = [i for i in range(len(AJ_DELAYS)) if with_censoring or AJ_DELAYS[i] is not None]
    delays = [AJ_DELAYS[i] for i in keep]
    responses = [AJ_RESPONSES[i] for i in keep]
    start = [AJ_START[i] for i in keep]
    as_of = DAY0 + dt.timedelta(days=14)
    ours = cumulative_incidence(log(delays, responses, start=start), as_of=as_of).collect()
    durations = [x if x is not None else 14 - s for x, s in zip(delays, start)]
    events = [0 if r is None else (1 if r in ("disclosed", "partial") else 2) for r in responses]
    for kind, code in (("data", 1), ("no data", 2)):
        curve = ours.filter(pl.col("reply") == kind).drop("reply")
        reference = lifelines_aj(durations, events, code)
        undefined = reference["ci_low"].is_nan()
        # the day the last request still waiting replies: lifelines' variance divides by 0 (NaN); ours
        # keeps the band of the day before
        assert undefined.sum() == (0 if with_censoring else 1)
        assert_matches(curve.filter(~undefined), reference.filter(~undefined), ["incidence", "ci_low", "ci_high"],
                       tol=1e-9)
        assert curve["ci_low"].null_count() == 0 and curve["ci_low"].is_nan().sum() == 0
        if not with_censoring:
            assert curve.row(-1)[2:4] == curve.row(-2)[2:4]
    # day 0: 3 of 19 (or 17) had data on the day of the request
    first = ours.filter((pl.col("reply") == "data") & (pl.col("days") == 0)).row(0, named=True)
    assert first["incidence"] == pytest.approx(3 / len(keep)) and first["replied"] == 3
    # the two kinds and the share still waiting add up to 1 on every day
    km = time_to_response(log(delays, responses, start=start), as_of=as_of).collect()
    wide = ours.pivot(on="reply", index="days", values="incidence").join(km, on="days")
    assert (wide["data"] + wide["no data"] + wide["waiting"]).to_list() == pytest.approx([1.0] * wide.height)
    assert (wide["waiting"][-1] == 0.0) is (not with_censoring)
    if not with_censoring:
        assert wide["data"][-1] == pytest.approx(9 / 17)


# ----------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize(("answered", "requests"), [(0, 7), (1, 3), (3, 212), (7, 7), (44_498, 52_729), (1, 1)])
def test_wilson_interval_matches_statsmodels(answered: int, requests: int) -> None:
    low, high = proportion_confint(answered, requests, alpha=0.05, method="wilson")
    assert wilson_bounds(answered, requests) == pytest.approx((low, high), abs=1e-12)


# ----------------------------------------------------------------------------- the censoring date


def test_censoring_date_is_the_whole_files_latest_date_whatever_the_selection() -> None:
    everything = outcomes.outcome_report(SAMPLE)
    # this agency's requests to Telegram end on 27 June 2025; the file on 30 June
    one = outcomes.outcome_report(SAMPLE, agencies=["Busan Metropolitan Police Agency"], platforms=["Telegram"],
                                  end="2022-12-31")
    assert everything.as_of == one.as_of == dt.date(2025, 6, 30) and not one.as_of_given
    later = outcomes.outcome_report(SAMPLE, platforms=["Telegram"], as_of="2025-12-31")
    assert later.as_of == dt.date(2025, 12, 31) and later.as_of_given
    # a request without a reply waits 184 days longer to the later date
    assert later.time_to_response["days"].max() == outcomes.outcome_report(
        SAMPLE, platforms=["Telegram"]).time_to_response["days"].max() + 184
    with pytest.raises(ParameterError, match="as_of: 2025-01-01 is before 2025-06-30, the latest date in the log"):
        outcomes.outcome_report(SAMPLE, as_of="2025-01-01")
    assert "30 June 2025" in censoring_sentence(one.as_of) and "whole file" in censoring_sentence(one.as_of)


# ----------------------------------------------------------------------------- shared curves


def _delays(n: int, seed: int) -> tuple[list[int | None], list[str | None], list[int]]:
    rng = np.random.default_rng(seed)
    delays = [int(x) if rng.random() < 0.85 else None for x in rng.geometric(0.1, n) - 1]
    kinds = rng.choice(["disclosed", "partial", "refused", "no_data"], n, p=[0.5, 0.2, 0.2, 0.1]).tolist()
    return delays, [None if x is None else k for x, k in zip(delays, kinds)], rng.integers(0, 150, n).tolist()


def test_shared_incidence_sits_on_the_shared_curve_steps_and_grid() -> None:
    k = 10
    delays, responses, start = _delays(600, 11)
    lf = log(delays, responses, start=start)
    as_of = DAY0 + dt.timedelta(days=200)
    km = time_to_response(lf, as_of=as_of).collect()
    full = cumulative_incidence(lf, as_of=as_of).collect()
    curve = hide_curves(km, by=None, threshold=k)
    shared = hide_incidence(full, km, by=None, threshold=k)
    step = curve_grid(k, 600)
    assert shared["replied"].null_count() == shared.height
    for kind in ("data", "no data"):
        one = shared.filter(pl.col("reply") == kind).sort("days")
        assert one["days"].to_list() == curve["days"].to_list()  # no day the shared curve does not show
        true = full.filter(pl.col("reply") == kind).sort("days")
        truth = one.select("days").join_asof(true, on="days")
        assert (one["incidence"] <= truth["incidence"].fill_null(0) + 1e-12).all()  # rounded down
        assert ((one["incidence"] / step - (one["incidence"] / step).round()).abs() < 1e-6).all()  # on the grid
        assert (one["ci_low"] <= one["incidence"]).all() and (one["incidence"] <= one["ci_high"]).all()
    wide = shared.pivot(on="reply", index="days", values="incidence").join(curve, on="days")
    assert ((wide["data"] + wide["no data"] + wide["waiting"]) <= 1 + 1e-9).all()
    # 10 or more replies on day 0 in this log: the curves' first step is day 0 itself
    assert km.row(0, named=True)["responded"] >= k and wide.row(0, named=True)["days"] == 0
    assert wide.row(0, named=True)["waiting"] < 1 and wide.row(0, named=True)["data"] > 0


def test_shared_curve_starts_at_day_0_and_keeps_a_day_0_step_of_k_replies() -> None:
    k = 10
    # 12 replies on the day of the request make a block of their own: the shared curve starts below 1
    many = time_to_response(log([0] * 12 + [3] * 15 + [None] * 20), as_of=DAY0 + dt.timedelta(days=30)).collect()
    shared = hide_curves(many, by=None, threshold=k)
    assert shared["days"].to_list() == [0, 3] and shared["waiting"][0] == pytest.approx(
        np.ceil((35 / 47) / curve_grid(k, 47)) * curve_grid(k, 47))
    # 4 replies on day 0 are fewer than k: the curve starts at 1 and day 0's replies join the next block
    few = time_to_response(log([0] * 4 + [3] * 15 + [None] * 20), as_of=DAY0 + dt.timedelta(days=30)).collect()
    shared = hide_curves(few, by=None, threshold=k)
    assert shared.select("days", "waiting").rows()[0] == (0, 1.0) and shared["days"].to_list() == [0, 3]


def test_a_group_without_a_shared_curve_has_no_incidence_curve() -> None:
    delays, responses, start = _delays(300, 5)
    lf = log(delays, responses, start=start).with_columns(platform=pl.lit("Big"))
    rare = log([1, 2, 3], ["disclosed", "refused", "disclosed"]).with_columns(platform=pl.lit("Rare"))
    both = pl.concat([lf, rare])
    km = time_to_response(both, by=["platform"]).collect()
    shared = hide_incidence(cumulative_incidence(both, by=["platform"]).collect(), km, by="platform", threshold=10)
    assert set(shared["platform"]) == {"Big"}


# ----------------------------------------------------------------------------- bases of the shares


OUTCOME_LOG = pl.LazyFrame({
    "requested_on": [dt.date(2024, 5, 1)] * 4 + [dt.date(2025, 2, 1)] * 4,
    "responded_on": [dt.date(2024, 5, 9)] * 3 + [None] + [dt.date(2025, 2, 3)] * 2 + [None] * 2,
    "response": ["disclosed", "partial", "refused", None, "disclosed", "disclosed", None, None],
    "case_outcome": ["arrested", "suspect_identified", "suspect_identified", "suspended_untraceable",
                     "open", "arrested", "open", "open"],
    "platform": ["A"] * 8,
})


def test_funnel_sentence_names_its_base_and_counts_suspects_identified_without_an_answer() -> None:
    text = funnel_sentence(funnel(OUTCOME_LOG).collect(), identified_share(OUTCOME_LOG).collect())
    # answered with data: 4 of 8; identified after an answer: 3; identified at all: 4 (one after a refusal)
    assert text.startswith("Of 8 requests, 4 (50.0% of all requests) were answered with data; 3 (37.5% of all "
                           "requests) were answered and led to an identified suspect, and 2 (25.0% of all requests)")
    assert "Counting every request, answered or not, 4 (50.0% of all 8 requests, 95% CI" in text


def test_outcome_sentences_say_the_base_counts_open_cases() -> None:
    by_year = outcome_mix_by_year(OUTCOME_LOG).collect()
    assert by_year.filter(pl.col("case_outcome") == "open").select("year", "share").rows() == [(2025, 0.75)]
    assert cohort_sentence(by_year).startswith(
        "Of the requests made in 2025, 75.0% of the cases are still open (0.0% for 2024): each year's outcome shares "
        "are of all that year's cases, open ones included")
    text = outcome_sentence(outcome_mix(OUTCOME_LOG, by=["platform"]).collect())
    assert text == ("A has the highest share of cases suspended (suspect untraceable) among platforms: 1 case, 12.5% of "
                    "all its cases; that base includes the cases still open (37.5% of them), which may yet end "
                    "suspended (suspect untraceable).")


def test_shared_page_incidence_differences_stand_for_k_requests() -> None:
    k = 10
    shared = outcomes.outcome_report(SAMPLE, suppress_below=k)
    plain = outcomes.outcome_report(SAMPLE)
    requests = {r["platform"]: r["requests"] for r in plain.answered_by_platform.iter_rows(named=True)}
    assert set(shared.reply_incidence["platform"]) == set(shared.time_to_response["platform"])
    for (platform, kind), curve in shared.reply_incidence.group_by("platform", "reply"):
        steps = shared.time_to_response.filter(pl.col("platform") == platform)["days"].sort().to_list()
        assert curve["days"].sort().to_list() == steps
        rises = curve.sort("days")["incidence"].diff().drop_nulls() * requests[platform]
        assert ((rises.abs() < 1e-9) | (rises >= k - 1e-6)).all(), (platform, kind)
    spec = str(charts.chart_cumulative_incidence(shared.reply_incidence).to_dict())
    assert "replied" not in spec and "at_risk" not in spec
    # without suppression, the full estimate with its counts
    assert plain.reply_incidence["replied"].null_count() == 0


def _log_with_unanswered_suspects(path, unanswered_identified: int):
    """120 requests to Google and Meta over two years: every third answered with data and ending with an
    identified suspect, and `unanswered_identified` of the others refused but identified all the same."""
    header = "request_id,requested_on,agency,country,platform,crime_type,channel,responded_on,response,case_outcome,closed_on"
    lines = [header]
    for i in range(120):
        day = dt.date(2022, 1, 1) + dt.timedelta(days=(i * 6) % 700)
        answered = i % 3 == 0
        identified = answered or (i % 3 == 1 and i // 3 < unanswered_identified)
        reply = str(day + dt.timedelta(days=5 + i % 9))
        lines.append(f"Q-{i:04d},{day},Seoul A,KR,{'Google' if i % 2 else 'Meta'},fraud,email,{reply},"
                     f"{'disclosed' if answered else 'refused'},{'suspect_identified' if identified else 'closed_no_suspect'},"
                     f"{reply}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("unanswered", "shown"), [(3, False), (25, True)])
def test_identified_over_all_requests_is_hidden_when_it_gives_back_a_small_difference(tmp_path, unanswered, shown):
    report = outcomes.outcome_report(_log_with_unanswered_suspects(tmp_path / "log.csv", unanswered), suppress_below=10)
    stage = report.funnel.filter(pl.col("stage") == "suspect identified").row(0, named=True)
    assert stage["cases"] == 40  # answered and identified: shown
    row = report.identified.row(0, named=True)
    if shown:
        assert row["identified"] == 65 and row["identified_share"] == pytest.approx(65 / 120)
    else:  # 43 would give back the 3 suspects identified without an answer
        assert row["identified"] is None and row["identified_share"] is None and row["identified_hidden"] == "withheld"
        assert "a withheld number led to an identified suspect" in funnel_sentence(report.funnel, report.identified)
