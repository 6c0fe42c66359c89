"""Rework (MEASURES.md, Rework): exact numbers on tiny logs, the planted truth of the
sample log, and agreement with pm4py on the public logs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap import EventLog
from journeymap.analysis.rework import (
    REWORK_CASE_COLUMNS,
    REWORK_COLUMNS,
    rework,
    rework_per_case,
    rework_summary,
)
from shared_datasets import dataset

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


COLUMNS = ("case", "activity", "timestamp", "resource")


def _log(rows: list[tuple], columns: tuple[str, ...] = COLUMNS, **mapping: str) -> EventLog:
    frame = pd.DataFrame(rows, columns=list(columns))
    return EventLog.from_frame(frame, **mapping)


def _minutes(*minutes: int) -> list[str]:
    return [f"2024-01-01 09:{m:02d}" for m in minutes]


def _by_activity(log: EventLog) -> dict[str, dict]:
    return {row.pop("activity"): row for row in rework(log).to_dict("records")}


def test_a_b_a_c_a_has_two_rework_events_of_a_in_one_case():
    acts, times = ["A", "B", "A", "C", "A"], _minutes(0, 10, 20, 30, 45)
    log = _log([("1", a, t, "ann") for a, t in zip(acts, times, strict=True)])
    table = rework(log)
    assert list(table.columns) == REWORK_COLUMNS
    assert table.to_dict("records") == [
        {"activity": "A", "repeat_events": 2, "cases": 1, "redo_events": 0, "self_loops": 0,
         "rework_wait_s": 1500.0},  # 10 min into the 2nd A, 15 min into the 3rd
        {"activity": "B", "repeat_events": 0, "cases": 0, "redo_events": 0, "self_loops": 0,
         "rework_wait_s": 0.0},
        {"activity": "C", "repeat_events": 0, "cases": 0, "redo_events": 0, "self_loops": 0,
         "rework_wait_s": 0.0},
    ]  # fmt: skip
    per_case = rework_per_case(log)
    assert list(per_case.columns) == REWORK_CASE_COLUMNS
    assert per_case.to_dict("records") == [
        {"case": "1", "rework_events": 2, "redo_events": 0, "self_loops": 0}
    ]
    assert rework_summary(log) == {
        "events": 2, "cases": 1, "redo_events": 0, "same_hands_events": 2, "self_loops": 0,
        "rework_wait_s": 1500.0, "rework_pct": 40.0,
    }  # fmt: skip


def test_redo_is_another_resource_than_the_previous_occurrence():
    # A by ann, bob, bob, ann: the 2nd (bob after ann) and 4th (ann after bob) are redos,
    # the 3rd (bob after bob) a repeat. B by ann then ann: a repeat.
    rows = [
        ("1", "A", "2024-01-01 09:00", "ann"),
        ("1", "B", "2024-01-01 09:10", "ann"),
        ("1", "A", "2024-01-01 09:20", "bob"),
        ("1", "A", "2024-01-01 09:30", "bob"),
        ("1", "B", "2024-01-01 09:40", "ann"),
        ("1", "A", "2024-01-01 09:50", "ann"),
    ]
    log = _log(rows)
    by_activity = _by_activity(log)
    assert by_activity["A"]["repeat_events"] == 3 and by_activity["A"]["redo_events"] == 2
    assert by_activity["B"]["repeat_events"] == 1 and by_activity["B"]["redo_events"] == 0
    assert by_activity["A"]["self_loops"] == 1  # bob's A -> A
    summary = rework_summary(log)
    assert (summary["events"], summary["redo_events"], summary["same_hands_events"]) == (4, 2, 2)


def test_a_missing_resource_is_never_a_redo():
    rows = [
        ("1", "A", "2024-01-01 09:00", "ann"),
        ("1", "A", "2024-01-01 09:10", None),  # unknown after ann: not a redo
        ("1", "A", "2024-01-01 09:20", "bob"),  # bob after unknown: not a redo
        ("1", "A", "2024-01-01 09:30", "cy"),  # cy after bob: a redo
        ("2", "A", "2024-01-01 09:00", None),
        ("2", "A", "2024-01-01 09:10", None),  # unknown after unknown: not a redo
    ]
    log = _log(rows)
    assert rework_per_case(log).to_dict("records") == [
        {"case": "1", "rework_events": 3, "redo_events": 1, "self_loops": 3},
        {"case": "2", "rework_events": 1, "redo_events": 0, "self_loops": 1},
    ]
    summary = rework_summary(log)
    assert (summary["events"], summary["redo_events"], summary["same_hands_events"]) == (4, 1, 3)


def test_without_a_resource_role_redos_cannot_be_told_from_repeats():
    """A team is no resource: a redo is another person's (MEASURES.md)."""
    rows = [("1", "A", t, "x") for t in _minutes(0, 10, 20)]
    log = _log(rows, columns=("case", "activity", "timestamp", "team"))
    assert not log.has("resource") and log.has("team")
    assert rework_summary(log) == {
        "events": 2, "cases": 1, "redo_events": None, "same_hands_events": None, "self_loops": 2,
        "rework_wait_s": 1200.0, "rework_pct": 200 / 3,
    }  # fmt: skip


def test_self_loops_count_transitions_a_to_a():
    # A A A B A: two self-loops of A (counted on the first event of each pair).
    acts = ["A", "A", "A", "B", "A"]
    rows = [("1", a, t, "ann") for a, t in zip(acts, _minutes(0, 1, 2, 3, 4), strict=True)]
    rows.append(("2", "B", "2024-01-01 09:00", "ann"))
    log = _log(rows)
    assert _by_activity(log)["A"]["self_loops"] == 2
    assert _by_activity(log)["B"]["self_loops"] == 0
    assert rework_per_case(log)["self_loops"].tolist() == [2, 0]
    assert rework_summary(log)["self_loops"] == 2


def test_ties_are_broken_by_source_row():
    # Both orders have the same timestamps; only the row order differs.
    first = [("1", "A", "2024-01-01 09:00", "ann"),
             ("1", "A", "2024-01-01 10:00", "ann"),
             ("1", "B", "2024-01-01 10:00", "bob"),
             ("1", "A", "2024-01-01 10:00", "bob")]  # fmt: skip
    # A(ann) A(ann) B A(bob): one redo (bob after ann), one self-loop.
    assert rework_per_case(_log(first)).to_dict("records") == [
        {"case": "1", "rework_events": 2, "redo_events": 1, "self_loops": 1}
    ]
    second = [first[0], first[3], first[2], first[1]]
    # A(ann) A(bob) B A(ann): two redos, one self-loop.
    assert rework_per_case(_log(second)).to_dict("records") == [
        {"case": "1", "rework_events": 2, "redo_events": 2, "self_loops": 1}
    ]
    third = [first[0], first[2], first[1], first[3]]
    # A(ann) B A(ann) A(bob): one redo, one self-loop; both reworks follow at once.
    summary = rework_summary(_log(third))
    assert (summary["redo_events"], summary["self_loops"], summary["rework_wait_s"]) == (1, 1, 0.0)


def test_rework_wait_with_start_timestamps_follows_ordered_events():
    rows = [
        ("1", "A", "2024-01-01 09:00", "2024-01-01 10:00"),
        ("1", "B", "2024-01-01 10:30", "2024-01-01 11:00"),
        ("1", "A", "2024-01-01 11:10", "2024-01-01 12:00"),  # waited 10 min after B
        ("1", "A", "2024-01-01 11:50", "2024-01-01 12:30"),  # started before A ended: 0
        ("1", "A", None, "2024-01-01 13:00"),  # no start: its end stands in (30 min)
    ]
    columns = ("case", "activity", "start", "end")
    log = _log(rows, columns=columns, start_timestamp="start", timestamp="end")
    assert log.has("start_timestamp")
    assert _by_activity(log)["A"]["rework_wait_s"] == 600.0 + 0.0 + 1800.0


def test_activities_without_rework_are_listed_most_rework_first_then_by_name():
    rows = [("1", a, t, "ann") for a, t in zip("zBBaCC", _minutes(0, 1, 2, 3, 4, 5), strict=True)]
    rows += [("2", a, t, "ann") for a, t in zip("CCb", _minutes(0, 1, 2), strict=True)]
    table = rework(_log(rows))
    assert table["activity"].tolist() == ["C", "B", "a", "b", "z"]  # code point order
    assert table["repeat_events"].tolist() == [2, 1, 0, 0, 0]
    assert table["cases"].tolist() == [2, 1, 0, 0, 0]


def test_results_do_not_depend_on_row_order():
    rows = [("1", "A", "2024-01-01 09:00", "ann"), ("1", "A", "2024-01-01 09:30", "bob"),
            ("2", "B", "2024-01-01 09:00", "ann"), ("2", "A", "2024-01-01 09:10", "ann"),
            ("2", "B", "2024-01-01 09:20", "cy")]  # fmt: skip
    one, other = _log(rows), _log(rows[::-1])
    pd.testing.assert_frame_equal(rework(one), rework(other))
    pd.testing.assert_frame_equal(rework_per_case(one), rework_per_case(other))
    assert rework_summary(one) == rework_summary(other)


# -- the sample log's planted truth -----------------------------------------------------
def test_sample_log_per_case_rework_equals_the_planted_truth():
    log = jm.read_log(str(SAMPLES / "service_desk.csv"))
    truth = pd.read_csv(SAMPLES / "service_desk_truth.csv", dtype={"case_id": str})
    ours = rework_per_case(log).set_index("case")
    expected = truth.set_index("case_id")[["rework_events", "redo_events", "self_loops"]]
    assert sorted(ours.index) == sorted(expected.index)
    pd.testing.assert_frame_equal(
        ours.loc[expected.index], expected, check_names=False, check_dtype=False
    )
    summary = rework_summary(log)
    # The totals of sample_logs/README.md.
    assert (summary["events"], summary["redo_events"], summary["same_hands_events"]) == (
        259,
        122,
        137,
    )
    assert summary["cases"] == 214  # 15.85% of 1,350
    assert rework(log)["repeat_events"].sum() == 259


# -- agreement with pm4py on the public logs ------------------------------------------
LOGS = [
    "helpdesk/helpdesk.xes.gz",
    "receipt/receipt_env_permit.xes.gz",
    "sepsis/Sepsis_Cases_Event_Log.xes.gz",
    "bpic2013_closed_problems/BPI_Challenge_2013_closed_problems.xes.gz",
]


@pytest.fixture(scope="module", params=LOGS)
def both(request) -> tuple[EventLog, pd.DataFrame]:
    pm4py = pytest.importorskip("pm4py")
    path = dataset(request.param)
    # pm4py names an event by concept:name alone; journeymap by the log's classifier
    # (concept:name + lifecycle:transition in BPIC 2013): compare like with like.
    log = jm.read_log(str(path), activity="concept:name", collapse_repeats="no")
    return log, pm4py.read_xes(str(path), show_progress_bar=False)


@pytest.mark.datasets
def test_rework_cases_per_activity_agree_with_pm4py(both):
    import pm4py

    log, frame = both
    ours = rework(log)
    ours = {a: n for a, n in zip(ours["activity"], ours["cases"], strict=True) if n > 0}
    theirs = {str(a): int(n) for a, n in pm4py.get_rework_cases_per_activity(frame).items()}
    assert ours == theirs
    assert ours  # every one of these logs has rework


@pytest.mark.datasets
def test_rework_events_per_case_agree_with_pm4py(both):
    from pm4py.statistics.rework.cases.pandas import get as rework_cases

    log, frame = both
    per_case = rework_per_case(log)
    theirs = {str(c): int(v["rework"]) for c, v in rework_cases.apply(frame).items()}
    assert dict(zip(per_case["case"], per_case["rework_events"], strict=True)) == theirs


@pytest.mark.datasets
def test_self_loops_agree_with_pm4py_dfg(both):
    import pm4py

    log, frame = both
    graph, _, _ = pm4py.discover_dfg(frame)
    theirs = {str(a): int(n) for (a, b), n in graph.items() if a == b}
    ours = rework(log)
    ours = {a: n for a, n in zip(ours["activity"], ours["self_loops"], strict=True) if n > 0}
    assert ours == theirs


def test_without_a_resource_redos_are_unknown_not_none(tmp_path):
    """A redo is rework by other hands: with no resource role, who did an event again
    cannot be told, and 0 redos would read as 'all by the same hands'."""
    log = _log([("1", a, t) for a, t in zip("ABA", _minutes(0, 10, 20), strict=True)],
               columns=COLUMNS[:3])  # fmt: skip
    table = rework(log)
    assert table["redo_events"].isna().all() and table["repeat_events"].tolist() == [1, 0]
    assert rework_per_case(log)["redo_events"].isna().all()
    summary = rework_summary(log)
    assert (summary["events"], summary["redo_events"], summary["same_hands_events"]) == (
        1, None, None,
    )  # fmt: skip
    jm.write_outputs(jm.mine(log), tmp_path / "out", formats=(), report=False)
    assert (tmp_path / "out/tables/rework.csv").read_text().splitlines()[1:] == [
        "A,1,1,,0,600.000", "B,0,0,,0,0.000",
    ]  # fmt: skip
    written = json.loads((tmp_path / "out/summary.json").read_text())
    assert written["rework"] == {"events": 1, "cases": 1, "redo_events": None}


def test_returns_from_waiting_on_the_customer_are_named_beside_the_rework():
    """Zendesk's statuses: ticket 1 goes open -> pending -> open twice (the customer
    replied), ticket 2 is reopened after solved, tickets 3 and 4 go straight through.
    'open' has 3 rework events, 2 of them straight after 'pending'."""
    from journeymap.analysis.rework import returns_from_waiting
    from journeymap.render.doubts import doubts
    from journeymap.render.report import key_numbers

    steps = {
        "1": ["new", "open", "pending", "open", "pending", "open", "solved"],
        "2": ["new", "open", "solved", "open", "solved"],
        "3": ["new", "open", "solved"],
        "4": ["new", "open", "solved"],
    }
    rows = [(c, a, f"2024-01-0{c} {h:02d}:00") for c, acts in steps.items()
            for h, a in enumerate(acts)]  # fmt: skip
    log = _log(rows, columns=COLUMNS[:3])
    assert returns_from_waiting(log, ["new", "open", "pending", "solved"]) == {"open": 2}
    found = jm.mine(log)
    assert found.waiting_returns == {"open": 2}
    said = [d for d in doubts(found) if "waiting status" in d]
    assert said[0].startswith(
        "'open' has 3 rework events (in 2 cases), 2 of them straight after a waiting status: "
    )
    assert ("Cases with rework (returns from waiting count: see Rework)", "50.0%") in key_numbers(
        found
    )
