"""The main analyses run on polars' streaming engine, with no in-memory step over the raw rows.

The check reads the streaming engine's physical plan (`LazyFrame.show_graph(engine="streaming",
plan_stage="physical", raw_output=True)`, a Graphviz graph whose legend marks in-memory fallback
nodes and potentially memory-intensive nodes by colour). Every node is classed as working on
raw rows (downstream of a scan with no group-by or reduction in between), on aggregates, or on
constants. Over raw rows we accept only streaming nodes, and no node that has to wait for an
aggregate of those same rows (that makes the engine hold every row until the aggregate is known).
Sorts, windows, joins and the `date_range` calendar run on aggregates only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from coopanalysis.core import schema as S
from coopanalysis.transforms.analyses import (
    MAIN_ANALYSES,
    answered_by_platform,
    monthly_volumes,
    outcome_shares,
    response_curves,
    run_main_analyses,
    yearly_growth,
)
from coopanalysis.io.requests import load_requests
from coopanalysis.synth import write_synthetic

ROWS = 4_000
START, END = dt.date(2020, 1, 1), dt.date(2025, 6, 30)

FALLBACK_COLOUR = "0.0 0.3 1.0"
MEMORY_COLOUR = "0.16 0.3 1.0"
SCAN = re.compile(r"scan|source")
AGGREGATING = ("group-by", "reduce")
CONSTANT = ("input-independent-select",)


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # first line of the label: "group-by", "multi-scan[parquet]", ...
    label: str
    fallback: bool
    memory_intensive: bool


@dataclass(frozen=True)
class PhysicalPlan:
    nodes: dict[str, Node]
    inputs: dict[str, list[str]]

    def of_kind(self, kind: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind.startswith(kind)]

    def levels(self) -> dict[str, str]:
        """Node id → "rows" (raw rows flow through it), "aggregate" or "constant"."""
        memo: dict[str, str] = {}

        def level(node_id: str) -> str:
            if node_id not in memo:
                node = self.nodes[node_id]
                if SCAN.search(node.kind):
                    memo[node_id] = "rows"
                elif node.kind.startswith(AGGREGATING):
                    memo[node_id] = "aggregate"
                elif node.kind.startswith(CONSTANT) or not self.inputs.get(node_id):
                    memo[node_id] = "constant"
                else:
                    below = {level(i) for i in self.inputs[node_id]}
                    memo[node_id] = "rows" if "rows" in below else ("aggregate" if "aggregate" in below else "constant")
            return memo[node_id]

        for node_id in self.nodes:
            level(node_id)
        return memo

    def problems(self) -> list[str]:
        """What would keep the raw rows in memory: a fallback, a sort or window over raw rows,
        or a raw-row node that also waits for an aggregate."""
        levels = self.levels()
        found = []
        for node_id, node in self.nodes.items():
            if levels[node_id] != "rows":
                continue
            if node.fallback:
                found.append(f"in-memory fallback over raw rows: {node.label!r}")
            if node.kind.startswith(("sort", "window", "scalar-window")):
                found.append(f"{node.kind} over raw rows")
            if any(levels[i] == "aggregate" for i in self.inputs.get(node_id, [])):
                found.append(f"{node.kind} joins raw rows with an aggregate of them")
        return found


def physical_plan(lf: pl.LazyFrame) -> PhysicalPlan:
    """The streaming engine's physical plan of `lf` (nodes with their colour, and their inputs)."""
    dot = lf.show_graph(engine="streaming", plan_stage="physical", raw_output=True)
    assert dot is not None
    nodes: dict[str, Node] = {}
    for m in re.finditer(r'^(\d+) \[label="(.*?)"(?:,style=filled,fillcolor="([^"]+)")?\];$', dot, re.M | re.S):
        label = m.group(2).replace("\\n", "\n")
        nodes[m.group(1)] = Node(m.group(1), label.split("\n")[0], label, m.group(3) == FALLBACK_COLOUR,
                                 m.group(3) == MEMORY_COLOUR)
    inputs: dict[str, list[str]] = {}
    for child, parent in re.findall(r"^(\d+) -> (\d+);", dot, re.M):
        inputs.setdefault(parent, []).append(child)
    assert nodes, "the streaming engine returned no physical plan"
    return PhysicalPlan(nodes, inputs)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def hive_log(tmp_path_factory) -> Path:
    """A small synthetic log written like the big ones: Parquet partitioned by year."""
    return write_synthetic(tmp_path_factory.mktemp("log") / "requests", rows=ROWS, seed=7, progress=False)


@pytest.fixture(scope="module")
def scanned(hive_log) -> pl.LazyFrame:
    return S.conform(pl.scan_parquet(hive_log, hive_partitioning=True), S.REQUESTS_SCHEMA)


@pytest.fixture(scope="module")
def validated(hive_log) -> pl.LazyFrame:
    return load_requests(hive_log, today=dt.date(2026, 1, 1)).data


def _analyses(lf: pl.LazyFrame) -> dict[str, pl.LazyFrame]:
    return run_main_analyses(lf, start=START, end=END)


# ----------------------------------------------------------------------------- the plan check itself


def test_plan_check_flags_what_holds_rows_in_memory(scanned):
    # replace_strict has no streaming kernel in polars 2.1: an in-memory fallback over every row
    mapped = scanned.with_columns(pl.col("platform").replace_strict({"Google": "G"}, default=pl.col("platform")))
    assert any("in-memory fallback over raw rows" in p for p in physical_plan(mapped.group_by("platform").len()).problems())
    # a sort of the raw rows
    assert "sort over raw rows" in physical_plan(scanned.sort("requested_on")).problems()
    # broadcasting the log's last date onto every row (what time_to_response did before)
    broadcast = scanned.with_columns(_cutoff=pl.col("requested_on").max()).group_by("_cutoff").len()
    assert any("joins raw rows with an aggregate" in p for p in physical_plan(broadcast).problems())
    # and a plain streaming group-by passes
    assert physical_plan(scanned.group_by("platform").len()).problems() == []


# ----------------------------------------------------------------------------- the main analyses


@pytest.mark.parametrize("name", list(MAIN_ANALYSES))
@pytest.mark.parametrize("source", ["scanned", "validated"])
def test_main_analyses_stream_over_raw_rows(name, source, request):
    lf = request.getfixturevalue(source)
    plan = physical_plan(_analyses(lf)[name])
    assert plan.problems() == []
    scans = [n for n in plan.nodes.values() if SCAN.search(n.kind)]
    assert scans and all("parquet" in n.kind for n in scans)
    levels = plan.levels()
    # the raw rows end in streaming group-bys / reductions
    assert any(n.kind.startswith(AGGREGATING) and any(levels[i] == "rows" for i in plan.inputs[n.id])
               for n in plan.nodes.values())


def test_in_memory_steps_are_on_aggregates_only(scanned):
    """The only in-memory fallbacks left: the calendar of months (`date_range` on a one-row aggregate)."""
    fallbacks = {
        name: sorted({n.label.split("\n")[1].split(" = ")[-1] for n in physical_plan(lf).nodes.values() if n.fallback})
        for name, lf in _analyses(scanned).items()
    }
    assert fallbacks == {
        "monthly_volumes": ["date_range(...)"],
        "yearly_growth": [],
        "answered_by_platform": [],
        "response_curves": [],
        "outcome_shares": [],
    }


@pytest.mark.parametrize("name", list(MAIN_ANALYSES))
def test_streaming_and_in_memory_engines_agree(name, validated):
    lf = _analyses(validated)[name]
    assert_frame_equal(lf.collect(engine="streaming"), lf.collect(engine="in-memory"))


def test_analyses_account_for_every_request(validated, hive_log):
    rows = pl.scan_parquet(hive_log).select(pl.len()).collect().item()
    assert rows == ROWS
    volumes = monthly_volumes(validated).collect(engine="streaming")
    assert volumes["requests"].sum() == ROWS
    assert volumes.select("platform", "agency").unique().height * volumes["period_start"].n_unique() == volumes.height
    assert volumes["period_start"].min() == START
    growth = yearly_growth(validated, start=START, end=END).collect(engine="streaming")
    assert growth["requests"].sum() == ROWS
    assert growth.filter(pl.col("period_start").dt.year() == 2020)["growth_note"].unique().to_list() == [
        "base period lies before the data begins"
    ]
    answered = answered_by_platform(validated).collect(engine="streaming")
    assert answered["requests"].sum() == ROWS
    assert (answered["ci_low"] <= answered["answered_share"]).all()
    assert (answered["answered_share"] <= answered["ci_high"]).all()
    curves = response_curves(validated).collect(engine="streaming")
    starts = curves.filter(pl.col("days") == 0)
    assert starts["at_risk"].sum() == ROWS and (starts["waiting"] == 1.0).all()
    assert (curves.group_by("platform").agg(pl.col("waiting").diff().max() <= 0)["waiting"]).all()
    outcomes = outcome_shares(validated).collect(engine="streaming")
    assert outcomes["cases"].sum() == ROWS
    assert outcomes.group_by("platform").agg(pl.col("share").sum())["share"].round(9).unique().to_list() == [1.0]


def test_time_to_response_censors_without_broadcasting_over_rows():
    """Kaplan–Meier on a literal log: one answered the same day, two after 2 and 5 days, one unanswered
    request censored at the last date in the log (10 days after it was made)."""
    log = pl.LazyFrame(
        {
            "platform": ["A", "A", "A", "A"],
            "requested_on": [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 1, 5), dt.date(2024, 1, 6)],
            "responded_on": [dt.date(2024, 1, 3), dt.date(2024, 1, 6), None, dt.date(2024, 1, 6)],
            "closed_on": [None, None, dt.date(2024, 1, 15), None],
        }
    )
    km = response_curves(log).collect(engine="streaming")
    assert km.select("days", "at_risk", "responded", "censored").rows() == [
        (0, 4, 1, 0), (2, 3, 1, 0), (5, 2, 1, 0), (10, 1, 0, 1)
    ]  # the reply on the day of the request counts at day 0
    assert km["waiting"].to_list() == pytest.approx([3 / 4, 3 / 4 * 2 / 3, 3 / 4 * 2 / 3 * 1 / 2, 3 / 4 * 2 / 3 * 1 / 2])
    assert physical_plan(response_curves(log)).problems() == []


# ----------------------------------------------------------------------------- typed Parquet fast path


def test_typed_parquet_rejects_what_the_same_csv_rejects(tmp_path):
    """Dates stored as dates skip re-parsing, with the same rows kept and rejected for the same reasons."""
    log = pl.DataFrame(
        {
            "request_id": ["R1", "R2", "R2", "R3", "R4", "R5"],
            "requested_on": [dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 1, 4), None,
                             dt.date(2024, 2, 1), dt.date(2024, 3, 1)],
            "agency": ["Seoul", "Seoul", "Busan", "Busan", "Busan", "Seoul"],
            "platform": [" telegram ", "Google", "Google", "Meta", "Meta", "Binance"],
            "responded_on": [dt.date(2024, 1, 9), None, None, None, dt.date(2024, 1, 20), dt.date(2024, 3, 2)],
            "response": ["disclosed", None, None, None, "partial", None],
            "closed_on": [None, None, None, None, None, dt.date(2030, 1, 1)],
        },
        schema_overrides={"requested_on": pl.Date, "responded_on": pl.Date, "closed_on": pl.Date},
    )
    log.write_parquet(tmp_path / "log.parquet")
    log.write_csv(tmp_path / "log.csv")
    today = dt.date(2026, 1, 1)
    typed = load_requests(tmp_path / "log.parquet", today=today)
    text = load_requests(tmp_path / "log.csv", today=today)
    assert_frame_equal(typed.data.collect(engine="streaming"), text.data.collect())
    assert typed.data.collect()["platform"].to_list() == ["Telegram", "Google"]
    expected = [
        ("request_id", "duplicate_request_id", "R2"),
        ("requested_on", "missing_value", None),
        ("responded_on", "responded_before_requested", "2024-01-20"),
        ("closed_on", "date_in_future", "2030-01-01"),
    ]
    assert typed.rejects.select("column", "reason", "value").rows() == expected
    assert text.rejects.select("column", "reason", "value").rows() == expected
    assert typed.rejects["line"].to_list() == [3, 4, 5, 6]  # Parquet: row number
    assert typed.summary()["rows_read"] == 6 == typed.rows_kept + typed.rows_rejected
