"""Every analysis on the contract log, on every engine: the values computed by hand in
contract_log.py. Tables are compared whole, so a drift in any column on any engine fails."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import journeymap as jm
from journeymap import EventLog
from journeymap.analysis.capability import capability_e2e, weekly_volume
from journeymap.analysis.cases import case_table
from journeymap.analysis.demand import demand, demand_summary
from journeymap.analysis.demand_tables import customer_journeys, demand_by_week, failure_pareto
from journeymap.analysis.flow import flow, flow_summary
from journeymap.analysis.handoffs import handoff_summary, handoffs, handoffs_per_case, pingpong
from journeymap.analysis.network import handler_stats, handoff_network
from journeymap.analysis.period import complete_period
from journeymap.analysis.profile import profile
from journeymap.analysis.reintegration import fragmentation_summary, reintegration
from journeymap.analysis.reintegration_plan import reintegration_plan
from journeymap.analysis.rework import rework, rework_per_case, rework_summary
from journeymap.discovery.activities import activity_stats
from journeymap.discovery.dfg import dfg
from journeymap.discovery.times import case_times, end_to_end_summary
from journeymap.discovery.variants import variants

from .contract_log import CONTRACT_FRAME, H

NAN = float("nan")
E2E = {"A": 25 * H, "B": 2 * H, "C": 4.5 * H, "D": 0.0}


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The frame's rows as tuples, NaN as None, numbers as Python numbers."""
    out = []
    for row in frame[columns].itertuples(index=False):
        out.append(tuple(None if _missing(v) else _plain(v) for v in row))
    return out


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def test_counts(log):
    assert (log.rows_read, log.events, log.rejected_rows, log.cases) == (11, 11, 0, 4)


def test_dfg(log):
    table = dfg(log)
    columns = ["source", "target", "events", "cases", "mean_wait_s", "median_wait_s",
               "p90_wait_s", "handoffs"]  # fmt: skip
    assert rows(table, columns) == [
        ("__start__", "Log", 4, 4, None, None, None, 0),
        ("Assess", "Assess", 1, 1, 2 * H, 2 * H, 2 * H, 0),
        ("Assess", "Chase", 1, 1, 21 * H, 21 * H, 21 * H, 1),
        ("Assess", "Resolve", 1, 1, 4 * H, 4 * H, 4 * H, 0),
        ("Chase", "Resolve", 1, 1, 1 * H, 1 * H, 1 * H, 1),
        ("Log", "Assess", 2, 2, 0.75 * H, 0.75 * H, 0.95 * H, 1),
        ("Log", "Resolve", 1, 1, 2 * H, 2 * H, 2 * H, 0),
        ("Log", "__end__", 1, 1, None, None, None, 0),
        ("Resolve", "__end__", 3, 3, None, None, None, 0),
    ]


def test_variants(log):
    table = variants(log)
    assert rows(table, ["rank", "variant", "cases", "pct", "cum_pct", "median_e2e_s"]) == [
        (1, "Log", 1, 25.0, 25.0, 0.0),
        (2, "Log > Assess > Assess > Chase > Resolve", 1, 25.0, 50.0, 25 * H),
        (3, "Log > Assess > Resolve", 1, 25.0, 75.0, 4.5 * H),
        (4, "Log > Resolve", 1, 25.0, 100.0, 2 * H),
    ]


def test_activities_and_lanes(log):
    table = activity_stats(log, lanes="team")
    assert rows(
        table, ["activity", "events", "cases", "first_in_cases", "last_in_cases", "lane"]
    ) == [
        ("Log", 4, 4, 4, 1, "Front"),
        ("Assess", 3, 2, 0, 0, "Back"),
        ("Resolve", 3, 3, 0, 3, "Back"),
        ("Chase", 1, 1, 0, 0, "Front"),
    ]
    assert table["lane_share"].round(3).tolist() == [100.0, 100.0, 66.667, 100.0]
    assert table["pct_events"].round(3).tolist() == [36.364, 27.273, 27.273, 9.091]


def test_end_to_end(log):
    times = case_times(log)
    assert rows(times, ["case", "events", "e2e_s"]) == [
        ("A", 5, 25 * H), ("C", 3, 4.5 * H), ("B", 2, 2 * H), ("D", 1, 0.0),
    ]  # fmt: skip
    assert times["start"].iloc[0] == pd.Timestamp("2024-01-01 09:00", tz="UTC")
    summary = end_to_end_summary(log)
    assert summary == {"median_s": 11700.0, "mean_s": 28350.0, "p90_s": pytest.approx(67860.0)}


def test_handoffs_at_both_levels(log):
    columns = ["level", "from", "to", "count", "cases", "median_wait_s", "total_wait_s"]
    assert rows(handoffs(log, level="team"), columns) == [
        ("team", "Front", "Back", 3, 2, 1 * H, 6.5 * H),
        ("team", "Back", "Front", 1, 1, 21 * H, 21 * H),
    ]
    assert rows(handoffs(log, level="resource"), columns) == [
        ("resource", "ann", "bob", 2, 1, 1 * H, 2 * H),
        ("resource", "bob", "cy", 1, 1, 2 * H, 2 * H),
        ("resource", "cy", "ann", 1, 1, 21 * H, 21 * H),
        ("resource", "dan", "bob", 1, 1, 4.5 * H, 4.5 * H),
    ]


def test_pingpong(log):
    columns = ["level", "a", "b", "count", "cases"]
    assert rows(pingpong(log, level="team"), columns) == [
        ("team", "Back", "Front", 1, 1),
        ("team", "Front", "Back", 1, 1),
    ]
    assert pingpong(log, level="resource").empty


def test_handoffs_per_case(log):
    columns = ["case", "handoffs", "pingpongs", "handlers", "handoff_wait_s"]
    assert rows(handoffs_per_case(log, level="team"), columns) == [
        ("A", 3, 2, 2, 23 * H), ("B", 0, 0, 1, 0.0), ("C", 1, 0, 2, 4.5 * H), ("D", 0, 0, 1, 0.0),
    ]  # fmt: skip


def test_handoff_summary(log):
    s = handoff_summary(log, level="team")
    assert (s["total"], s["cases_with_handoff"], s["pingpong_total"], s["pingpong_cases"]) == (
        4, 2, 2, 1,
    )  # fmt: skip
    assert s["wait_share"] == pytest.approx(27.5 * H / (31.5 * H))
    assert s["e2e_by_handoffs"] == [
        {"handoffs": "0", "cases": 2, "median_e2e_s": 1 * H},
        {"handoffs": "1", "cases": 1, "median_e2e_s": 4.5 * H},
        {"handoffs": "2", "cases": 0, "median_e2e_s": None},
        {"handoffs": "3", "cases": 1, "median_e2e_s": 25 * H},
        {"handoffs": "4+", "cases": 0, "median_e2e_s": None},
    ]
    assert s["spearman"] == pytest.approx(4.5 / math.sqrt(4.5 * 5))
    frag = fragmentation_summary(log, level="team")
    assert frag["handoff_wait_share"] == s["wait_share"]
    assert (frag["cases"], frag["mean_handlers"]) == (4, 1.5)


def test_no_spread_leaves_the_correlation_undefined(log):
    """Two cases alike, each with one hand-off: the ranks of hand-offs and of end-to-end
    times hold one value throughout, so Spearman's rho is undefined (None), on every
    engine (Spark's CORR had failed there, dividing by zero)."""
    frame = pd.DataFrame(
        [(case, f"2024-01-0{day} 09:00", activity, team)
         for case in ("P", "Q")
         for day, activity, team in ((1, "Call", "Front"), (2, "Fix", None), (3, "Close", "Back"))],
        columns=["case", "timestamp", "activity", "team"],
    )  # fmt: skip
    alike = EventLog.from_frame(frame, engine=log.engine, source="alike.csv", team="team")
    try:
        s = handoff_summary(alike, level="team")
        assert (s["cases"], s["total"], s["spearman"]) == (2, 2, None)
    finally:
        alike.close()


def test_a_case_counts_under_the_channel_it_arrived_by(log):
    """The channel of a case's first event that has one ('email' comes first by name);
    events at one instant in the order of the file, on every engine."""
    frame = pd.DataFrame(
        [("P", "2024-01-01 09:00", "Call", "phone"), ("P", "2024-01-01 10:00", "Reply", "email"),
         ("Q", "2024-01-02 09:00", "Form", None), ("Q", "2024-01-02 10:00", "Reply", "web"),
         ("R", "2024-01-03 09:00", "Call", "web"), ("R", "2024-01-03 09:00", "Reply", "email")],
        columns=["case", "timestamp", "activity", "channel"],
    )  # fmt: skip
    arrived = EventLog.from_frame(frame, engine=log.engine, source="arrived.csv")
    try:
        assert rows(flow(arrived), ["case", "channel"]) == [
            ("P", "phone"), ("Q", "web"), ("R", "web"),
        ]  # fmt: skip
    finally:
        arrived.close()


def test_reintegration(log):
    columns = ["from_activity", "to_activity", "from_handler", "to_handler", "handoffs",
               "total_wait_s"]  # fmt: skip
    # Direct transitions only: C's hand-off Front -> Back spans its unrecorded Assess.
    assert rows(reintegration(log), columns) == [
        ("Assess", "Chase", "Back", "Front", 1, 21 * H),
        ("Chase", "Resolve", "Front", "Back", 1, 1 * H),
        ("Log", "Assess", "Front", "Back", 1, 1 * H),
    ]


def test_handoff_network(log):
    # Front: A's Log and Chase, B's two events, C's and D's Log: 6 events in 4 cases;
    # Back: A's two Assess and Resolve, C's Resolve: 4 in 2 (C's Assess has no team).
    assert rows(handler_stats(log, level="team"), ["handler", "events", "cases"]) == [
        ("Back", 4, 2), ("Front", 6, 4),
    ]  # fmt: skip
    g = handoff_network(log, level="team")
    assert list(g.nodes(data=True)) == [
        ("Back", {"events": 4, "cases": 2}), ("Front", {"events": 6, "cases": 4}),
    ]  # fmt: skip
    assert list(g.edges(data=True)) == [
        ("Back", "Front", {"count": 1, "cases": 1, "median_wait_s": 21 * H,
                           "total_wait_s": 21 * H, "pingpong": 1, "pingpong_cases": 1,
                           "weight": 1}),
        ("Front", "Back", {"count": 3, "cases": 2, "median_wait_s": 1 * H,
                           "total_wait_s": 6.5 * H, "pingpong": 1, "pingpong_cases": 1,
                           "weight": 3}),
    ]  # fmt: skip
    people = handoff_network(log, level="resource")
    assert dict(people.nodes(data="events")) == {"ann": 5, "bob": 3, "cy": 1, "dan": 1}
    assert sorted(people.edges(data="count")) == [
        ("ann", "bob", 2), ("bob", "cy", 1), ("cy", "ann", 1), ("dan", "bob", 1),
    ]  # fmt: skip


def test_reintegration_plan(log):
    columns = ["group", "handlers", "handoffs", "pingpongs", "cases", "total_wait_s",
               "wait_pct"]  # fmt: skip
    # Team: Back and Front, 4 hand-offs in A and C, 6.5 h + 21 h, all the hand-off wait.
    assert rows(reintegration_plan(log, level="team"), columns) == [
        (1, "Back + Front", 4, 2, 2, 27.5 * H, 100.0),
    ]
    # Resource, wait between pairs: ann-cy 21 h, dan-bob 4.5 h, ann-bob 2 h, bob-cy 2 h
    # (29.5 h in all). ann + cy first; then bob + dan (4.5 h) before {ann, cy} + bob
    # (4 h); the two pairs would make 4 people.
    assert rows(reintegration_plan(log, level="resource"), columns) == [
        (1, "ann + cy", 1, 0, 1, 21 * H, pytest.approx(100 * 21 / 29.5)),
        (2, "bob + dan", 1, 0, 1, 4.5 * H, pytest.approx(100 * 4.5 / 29.5)),
    ]


def test_rework(log):
    columns = ["activity", "repeat_events", "cases", "redo_events", "self_loops",
               "rework_wait_s"]  # fmt: skip
    assert rows(rework(log), columns) == [
        ("Assess", 1, 1, 1, 1, 2 * H),
        ("Chase", 0, 0, 0, 0, 0.0),
        ("Log", 0, 0, 0, 0, 0.0),
        ("Resolve", 0, 0, 0, 0, 0.0),
    ]
    assert rows(rework_per_case(log), ["case", "rework_events", "redo_events", "self_loops"]) == [
        ("A", 1, 1, 1), ("B", 0, 0, 0), ("C", 0, 0, 0), ("D", 0, 0, 0),
    ]  # fmt: skip
    assert rework_summary(log) == {
        "events": 1, "cases": 1, "redo_events": 1, "same_hands_events": 0, "self_loops": 1,
        "rework_wait_s": 2 * H, "rework_pct": pytest.approx(100 / 11),
    }  # fmt: skip


def test_demand(log):
    assert rows(demand(log), ["case", "demand_type", "failure"]) == [
        ("A", "failure_activity", True),
        ("B", "repeat_contact", True),
        ("C", "value", False),
        ("D", "value", False),
    ]
    summary = demand_summary(log)
    assert (summary["cases"], summary["failure_cases"], summary["failure_demand_pct"]) == (
        4, 2, 50.0,
    )  # fmt: skip
    assert summary["by_type"] == {"failure_activity": 1, "repeat_contact": 1, "value": 2}
    assert summary["rule_cases"] == {"failure_activity": 1, "repeat_contact": 1}
    weeks = demand_by_week(log)
    assert [str(w) for w in weeks["week"]] == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert rows(weeks, ["value", "failure", "failure_pct"]) == [
        (1, 1, 50.0), (0, 1, 100.0), (1, 0, 0.0),
    ]  # fmt: skip
    assert rows(failure_pareto(log), ["demand_type", "cases", "pct", "cum_pct"]) == [
        ("failure_activity", 1, 50.0, 50.0), ("repeat_contact", 1, 50.0, 100.0),
    ]  # fmt: skip


def test_customer_journeys(log):
    table = customer_journeys(log)
    assert rows(table, ["journey_id", "customer", "cases", "e2e_s"]) == [
        (1, "K1", 2, 9 * 24 * H + 2 * H), (2, "K2", 1, 4.5 * H), (3, "K3", 1, 0.0),
    ]  # fmt: skip


def test_flow(log):
    columns = ["case", "demand_type", "handoffs", "pingpongs", "rework_events",
               "single_handler", "one_stop", "clean", "channel"]  # fmt: skip
    assert rows(flow(log), columns) == [
        ("A", "failure_activity", 3, 2, 1, False, False, False, "phone"),
        ("B", "repeat_contact", 0, 0, 0, True, False, False, "web"),
        ("C", "value", 1, 0, 0, False, False, True, "web"),
        ("D", "value", 0, 0, 0, True, True, True, "phone"),
    ]
    s = flow_summary(log)
    assert (s["single_handler_pct"], s["one_stop_pct"], s["clean_pct"]) == (50.0, 25.0, 50.0)
    assert s["by_demand_type"]["value"] == {
        "cases": 2, "single_handler_pct": 50.0, "one_stop_pct": 50.0, "clean_pct": 100.0,
        "cases_with_handler": 2,
    }  # fmt: skip
    assert s["by_channel"]["web"] == {
        "cases": 2, "single_handler_pct": 50.0, "one_stop_pct": 0.0, "clean_pct": 50.0,
        "cases_with_handler": 2,
    }  # fmt: skip
    # Team known on 10 of 11 events, in every case.
    assert s["coverage"] == {
        "cases": 4, "cases_pct": 100.0, "events": 10, "events_pct": pytest.approx(100 * 10 / 11),
        "partial": False,
    }  # fmt: skip


def test_cases_still_open(log):
    """With Resolve as the end activity, D (one Log) was still open when exported: its
    time so far is left out of the end-to-end figures and the complete period's cases."""
    opened = EventLog.from_frame(
        CONTRACT_FRAME, engine=log.engine, source="contract.csv", end_activities=["Resolve"]
    )
    try:
        times = case_times(opened)
        assert rows(times, ["case", "open"]) == [
            ("A", False), ("C", False), ("B", False), ("D", True)]  # fmt: skip
        assert end_to_end_summary(opened) == {
            "median_s": 4.5 * H,
            "mean_s": 37800.0,
            "p90_s": pytest.approx(75240.0),  # 16,200 + 0.8 x (90,000 - 16,200)
            "open_cases": 1,
        }
        period = complete_period(opened)
        assert (period.cases_in, period.cases, period.open_cases) == (3, 4, 1)
        chart = capability_e2e(opened, cases=period.cases_expr(opened))
        assert chart.points["label"].tolist() == ["A", "C", "B"]
        # D's variant ("Log") has no finished case: no median end-to-end time.
        medians = variants(opened).set_index("variant")["median_e2e_s"]
        assert medians["Log > Resolve"] == 2 * H
        assert math.isnan(medians["Log"])
    finally:
        opened.close()


def test_capability(log):
    chart = capability_e2e(log)
    assert chart.points["label"].tolist() == ["A", "C", "B", "D"]
    assert chart.points["x"].tolist() == [25 * H, 4.5 * H, 2 * H, 0.0]
    assert (chart.mrbar, chart.centre, chart.unpl, chart.lnpl) == pytest.approx(
        (30000.0, 28350.0, 108150.0, 0.0)
    )
    volume = weekly_volume(log)
    assert volume.points["x"].tolist() == [2.0, 1.0, 1.0]


def test_case_table(log):
    columns = ["case_id", "events", "e2e_s", "handoffs", "pingpongs", "rework_events",
               "handlers", "variant_rank"]  # fmt: skip
    assert rows(case_table(log, level="team"), columns) == [
        ("A", 5, 25 * H, 3, 2, 1, 2, 2),
        ("B", 2, 2 * H, 0, 0, 0, 1, 4),
        ("C", 3, 4.5 * H, 1, 0, 0, 2, 3),
        ("D", 1, 0.0, 0, 0, 0, 1, 1),
    ]


def test_profile(log):
    p = profile(log)
    assert (p.cases, p.activities, p.resources, p.teams, p.channels, p.customers) == (
        4, 4, 4, 2, 2, 3,
    )  # fmt: skip
    assert (p.start, p.end) == ("2024-01-01T09:00:00Z", "2024-01-15T08:00:00Z")
    assert p.events_per_case == {"min": 1, "median": 2.5, "max": 5}
    assert (p.missing, p.single_event_cases) == (
        {"resource": 1, "team": 1, "channel": 0, "customer": 0}, 1,
    )  # fmt: skip
    # The 1st and 99th percentiles of the 11 instants, interpolated (01-01 09:06 and
    # 01-14 20:18), widened by a year each way: nothing falls outside.
    assert p.implausible == {
        "events": 0, "cases": 0, "examples": [],
        "low": "2023-01-01T09:06:00Z", "high": "2025-01-13T20:18:00Z",
    }  # fmt: skip


def test_the_pipeline_on_the_engine(log):
    findings = jm.mine(log, lanes="team")
    assert (findings.case_count, findings.level, len(findings.dfg)) == (4, "team", 9)
    assert findings.check is not None
    assert findings.check.flow_summary["clean_pct"] == 50.0
    assert findings.scope.activities_shown == 4


def test_a_steps_start_and_completion_are_one_event(engine_name, request):
    """journeymap.lifecycle on every engine: the log of tests/test_lifecycle.py read with
    XES's classifier (name + stage), as a source implies it."""
    from test_lifecycle import FRAME

    from journeymap.engine import connect

    url = request.getfixturevalue("postgres_server").url() if engine_name == "postgres" else None
    with connect(engine_name, url=url) as engine:
        log = jm.EventLog.from_frame(FRAME, engine=engine, source="lifecycle.csv")
        assert (log.merged_starts, log.events) == (2, 6)
        events = log.to_pandas()
    assert events["activity"].tolist() == ["A", "B", "C - schedule", "C", "A - start", "B"]
    started = [None if pd.isna(s) else s.strftime("%H:%M") for s in events["start_timestamp"]]
    assert started == ["09:00", None, None, "12:00", None, None]
