"""Flow measures: single handler, one-stop and clean cases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap.analysis.flow import FLOW_COLUMNS, flow, flow_summary
from journeymap.errors import ConfigError
from journeymap.eventlog import EventLog
from journeymap.options_file import load_options
from journeymap.render.doubts import doubts, open_flow_doubt

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"
DIRTY = ["Request information"]


def tiny_log(end_activities: list[str] | None = None, **extra: list[str]) -> EventLog:
    rows = {
        # 1: one team, no rework, value -> single, one-stop, clean
        # 2: hand-off A->B, value, no rework -> clean only
        # 3: one team, rework (Call twice) -> single only
        # 4: one team, a chaser (failure demand) -> single only
        # 5: A B A ping-pong -> nothing
        # 6: one team, dirty activity -> single and one-stop, not clean
        "case": ["1", "1", "2", "2", "3", "3", "4", "4", "5", "5", "5", "6", "6"],
        "activity": ["Call", "Close", "Call", "Fix", "Call", "Call", "Call", "Chaser",
                     "Call", "Fix", "Close", "Call", "Request information"],
        "timestamp": [f"2024-01-0{d} 0{h}:00" for d, h in
                      [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2), (4, 1), (4, 2),
                       (5, 1), (5, 2), (5, 3), (6, 1), (6, 2)]],
        "team": ["A", "A", "A", "B", "A", "A", "A", "A", "A", "B", "A", "A", "A"],
        **extra,
    }  # fmt: skip
    return EventLog.from_frame(pd.DataFrame(rows), end_activities=end_activities)


def test_flow_per_case():
    frame = flow(tiny_log(), dirty_activities=DIRTY)
    assert list(frame.columns) == FLOW_COLUMNS
    assert frame["single_handler"].tolist() == [True, False, True, True, False, True]
    assert frame["one_stop"].tolist() == [True, False, False, False, False, True]
    assert frame["clean"].tolist() == [True, True, False, False, False, False]
    assert frame["rework_events"].tolist() == [0, 0, 1, 0, 0, 0]
    assert frame["pingpongs"].tolist() == [0, 0, 0, 0, 1, 0]
    assert frame["dirty"].tolist() == [False, False, False, False, False, True]


def test_without_dirty_activities_case_6_is_clean():
    assert flow(tiny_log())["clean"].tolist() == [True, True, False, False, False, True]


def test_flow_is_kept_per_rules_and_dirty_activities():
    # One log, asked in turn with and without dirty activities: each answer is its own
    # table, kept and reused, never the other's.
    log = tiny_log()
    with_dirty = flow(log, dirty_activities=DIRTY)["clean"].tolist()
    without = flow(log)["clean"].tolist()
    assert with_dirty == [True, True, False, False, False, False]
    assert without == [True, True, False, False, False, True]
    assert flow(log, dirty_activities=DIRTY)["clean"].tolist() == with_dirty
    assert flow_summary(log, dirty_activities=DIRTY)["clean_pct"] == pytest.approx(200 / 6)
    assert flow_summary(log)["clean_pct"] == pytest.approx(300 / 6)


def test_flow_summary_overall_by_type_and_channel():
    channel = ["web"] * 4 + ["phone"] * 9
    summary = flow_summary(tiny_log(channel=channel), dirty_activities=DIRTY)
    assert summary["level"] == "team"
    assert summary["cases"] == 6
    assert summary["single_handler_pct"] == pytest.approx(400 / 6)
    assert summary["one_stop_pct"] == pytest.approx(200 / 6)
    assert summary["clean_pct"] == pytest.approx(200 / 6)
    assert summary["by_demand_type"]["failure_activity"] == {
        "cases": 1, "single_handler_pct": 100.0, "one_stop_pct": 0.0, "clean_pct": 0.0,
        "cases_with_handler": 1,
    }  # fmt: skip
    assert summary["by_channel"]["web"] == {
        "cases": 2, "single_handler_pct": 50.0, "one_stop_pct": 50.0, "clean_pct": 100.0,
        "cases_with_handler": 2,
    }  # fmt: skip
    assert flow_summary(tiny_log())["by_channel"] is None


def test_a_case_counts_under_the_channel_it_arrived_by():
    """Case 1 came by phone and was answered by email: it counts under phone, its first
    event's channel ('email' is the first by name); case 2's first event has no channel,
    so its second's counts; case 3's events at one instant: the first in the file."""
    log = EventLog.from_frame(pd.DataFrame({
        "case": ["1", "1", "2", "2", "3", "3"],
        "activity": ["Call", "Reply", "Form", "Reply", "Call", "Reply"],
        "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
                      "2024-01-02 10:00", "2024-01-03 09:00", "2024-01-03 09:00"],
        "team": ["A"] * 6,
        "channel": ["phone", "email", None, "web", "web", "email"]}))  # fmt: skip
    frame = flow(log)
    assert dict(zip(frame["case"], frame["channel"], strict=True)) == {
        "1": "phone", "2": "web", "3": "web",
    }  # fmt: skip
    assert sorted(flow_summary(log)["by_channel"]) == ["phone", "web"]


def test_a_case_without_a_known_handler_is_unknown_not_single_handler():
    # Case 1: one team throughout; case 2: no team recorded on any event; case 3: two teams.
    log = EventLog.from_frame(pd.DataFrame({
        "case": ["1", "1", "2", "2", "3", "3"],
        "activity": ["Call", "Close", "Call", "Close", "Call", "Close"],
        "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00"] * 3,
        "team": ["A", "A", "?", None, "A", "B"]}))  # fmt: skip
    frame = flow(log)
    assert frame["single_handler"].tolist() == [True, pd.NA, False]
    summary = flow_summary(log)
    # Over the 2 cases with a known handler: 1 single-handler, 1 one-stop, 2 clean (a
    # hand-off does not make a case unclean; ping-pong would).
    assert (summary["single_handler_pct"], summary["one_stop_pct"], summary["clean_pct"]) == (
        50.0, 50.0, 100.0,
    )  # fmt: skip
    # Cases 1 and 3 have two events with a team: a hand-off could be seen in them.
    assert summary["coverage"] == {
        "cases": 2, "cases_pct": pytest.approx(200 / 3), "events": 4,
        "events_pct": pytest.approx(400 / 6), "partial": True,
        "cases_seen": 2, "cases_seen_pct": pytest.approx(200 / 3),
    }  # fmt: skip
    assert any("rest on partial data: the team is recorded on 66.7% of events and 66.7% of "
               "cases, on two events or more in 66.7% (where a hand-off can be seen)" in n
               for n in summary["notes"])  # fmt: skip


def test_no_rates_when_no_case_has_two_events_with_a_handler():
    """The team only on each case's first event (road fines' resource): no hand-off can be
    seen, so 100% single-handler and 50% one-stop would say what the log cannot."""
    log = EventLog.from_frame(pd.DataFrame({
        "case": ["1", "1", "2", "2", "3"],
        "activity": ["Call", "Close", "Call", "Chaser", "Call"],
        "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00"] * 2 + ["2024-01-03 09:00"],
        "team": ["A", None, "B", None, None],
        "channel": ["web", "web", "phone", "phone", "web"]}))  # fmt: skip
    summary = flow_summary(log)
    rates = ("single_handler_pct", "one_stop_pct", "clean_pct")
    assert [summary[r] for r in rates] == [None, None, None]
    assert [summary["by_channel"]["web"][r] for r in rates] == [None, None, None]
    assert all(v[r] is None for v in summary["by_demand_type"].values() for r in rates)
    assert summary["coverage"]["cases_seen"] == 0
    assert summary["cases_with_handler"] == 2
    assert (
        "no hand-off can be seen: no case has two events with a recorded team (it is "
        "recorded on 40.0% of events), so single-handler, one-stop and clean cases are not "
        "given" in summary["notes"]
    )


def ended_at_close() -> EventLog:
    """tiny_log, knowing that 'Close' ends a case: cases 1 and 5 ended; 2, 3, 4 and 6
    were still open when the log was exported."""
    return tiny_log(end_activities=["Close"])


def test_flow_of_the_cases_that_ended_and_of_those_still_open():
    summary = flow_summary(ended_at_close(), dirty_activities=DIRTY)
    assert summary["one_stop_pct"] == pytest.approx(200 / 6)  # every case, as defined
    assert summary["by_state"] == {
        # 1: one-stop and clean; 5: ping-pong, neither
        "ended": {"cases": 2, "single_handler_pct": 50.0, "one_stop_pct": 50.0,
                  "clean_pct": 50.0, "cases_with_handler": 2},
        # 2: hand-off, clean; 3: rework; 4: chaser; 6: dirty, one-stop
        "open": {"cases": 4, "single_handler_pct": 75.0, "one_stop_pct": 25.0,
                 "clean_pct": 25.0, "cases_with_handler": 4},
    }  # fmt: skip
    assert flow_summary(tiny_log())["by_state"] is None  # no end activities known


def test_open_cases_that_move_one_stop_are_doubted():
    """One-stop: 2 of 6 cases (33.3%), 1 of the 2 that ended (50.0%): doubted. Clean
    (no dirty activities): 3 of 6 and 1 of 2, 50.0% both: not named."""
    findings = jm.mine(ended_at_close())
    assert open_flow_doubt(findings) == (
        "one-stop (33.3%) counts 4 cases that were still open when the log was exported "
        "(their last event is no end activity) and may yet be handed on or done again: of "
        "the 2 cases that ended, 50.0% were one-stop; quote this, or mine an export made "
        "after the open cases have closed"
    )
    assert open_flow_doubt(findings) in doubts(findings)
    assert open_flow_doubt(jm.mine(tiny_log())) is None  # no end activities known


def test_the_one_stop_tile_says_that_it_counts_the_cases_still_open():
    """Beside end-to-end's "(N still open: left out)", one-stop and clean say that they
    count the open cases (MEASURES.md counts every case): case 1 ended ('Close'), case 2
    ('Fix' last) is still open; both one-stop and clean, so the open one moves nothing
    and is no doubt, only said."""
    from journeymap.render.report import key_numbers

    frame = pd.DataFrame({
        "case": ["1", "1", "2", "2"], "activity": ["Call", "Close", "Call", "Fix"],
        "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
                      "2024-01-02 11:00"],
        "team": ["A", "A", "A", "A"]})  # fmt: skip
    with EventLog.from_frame(frame, end_activities=["Close"]) as log:
        findings = jm.mine(log)
        tiles = dict(key_numbers(findings))
    assert open_flow_doubt(findings) is None
    assert tiles["One-stop (1 still open: counted)"] == "100.0%"
    assert tiles["Clean (1 still open: counted)"] == "100.0%"
    assert tiles["End-to-end, median (1 still open: left out)"] == "1.0 h"
    # When the open cases move the share, the tile points to the doubt instead.
    doubted = dict(key_numbers(jm.mine(ended_at_close())))
    assert doubted["One-stop (cases still open count: see Demand)"] == "33.3%"


def test_no_handler_role_makes_the_measures_unavailable():
    log = EventLog.from_frame(
        pd.DataFrame({"case": ["1"], "activity": ["Call"], "timestamp": ["2024-01-01"]})
    )
    frame = flow(log)
    assert frame["single_handler"].isna().all() and frame["clean"].isna().all()
    summary = flow_summary(log)
    assert summary["single_handler_pct"] is None
    assert summary["one_stop_pct"] is None and summary["clean_pct"] is None
    assert any("no team or resource role" in note for note in summary["notes"])


def test_dirty_activities_from_config(write_file):
    path = write_file("c.toml", '[flow]\ndirty_activities = ["Request information"]\n')
    assert load_options(path).flow.dirty_activities == ("Request information",)
    assert load_options(None).flow.dirty_activities == ()
    with pytest.raises(
        ConfigError, match="c.toml: flow.dirty_activities must be a list of strings"
    ):
        load_options(write_file("c.toml", "[flow]\ndirty_activities = [1]\n"))
    with pytest.raises(ConfigError, match="c.toml: unknown key flow.dirty"):
        load_options(write_file("c.toml", "[flow]\ndirty = []\n"))


def test_sample_log_agrees_with_planted_truth_case_by_case(write_file):
    options = load_options(
        write_file("c.toml", '[flow]\ndirty_activities = ["Request information"]\n')
    )
    log = jm.read_log(
        str(SAMPLES / "service_desk.csv"),
        case="case_id",
        activity="activity",
        timestamp="timestamp",
        resource="resource",
        team="team",
        channel="channel",
        customer="customer_id",
    )
    rules = options.demand
    dirty = options.flow.dirty_activities
    truth = pd.read_csv(SAMPLES / "service_desk_truth.csv", dtype=str)
    found = flow(log, rules, dirty).merge(truth, left_on="case", right_on="case_id")
    assert len(found) == 1350
    for measure in ("single_handler", "one_stop", "clean"):
        differ = found[found[f"{measure}_x"].astype(str) != found[f"{measure}_y"]]
        assert differ.empty, f"{measure} differs on {differ['case'].tolist()}"
    summary = flow_summary(log, rules, dirty)
    assert summary["single_handler_pct"] == pytest.approx(31.33, abs=0.01)
    assert summary["one_stop_pct"] == pytest.approx(26.89, abs=0.01)
    assert summary["clean_pct"] == pytest.approx(57.11, abs=0.01)


def test_a_dirty_activity_no_event_has_is_doubted_with_the_closest_name():
    """'Request info' where the log's step is 'Request information': no case would be
    unclean for it, and the clean share would count them clean without a word."""
    from journeymap.pipeline.check import check

    frame = pd.DataFrame(
        {
            "case": ["1", "1", "2"],
            "activity": ["Call", "Request information", "Call"],
            "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00"],
            "resource": ["ann", "ann", "ann"],
        }
    )
    said = (
        "dirty activity 'Request info' is no activity of this log (did you mean 'Request "
        "information'?): it makes no case unclean, so the clean share is as if it were not "
        "listed; check the name in [flow] dirty_activities"
    )
    with EventLog.from_frame(frame) as log:
        found = check(log, dirty_activities=("Request info", "Call"))
        assert found.doubts[-1] == said and said in found.notes
        assert [d for d in found.doubts if d.startswith("dirty")] == [said]
        named = check(log, dirty_activities=("Request information",))
        assert not [d for d in named.doubts if d.startswith("dirty")]
