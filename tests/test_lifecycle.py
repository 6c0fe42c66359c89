"""A step's start and completion (XES's life cycle) read as one event with a start time
(journeymap.lifecycle): exact events on a log checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from journeymap import EventLog
from journeymap.analysis.profile import profile
from journeymap.discovery.activities import activity_stats
from journeymap.render.profile_text import profile_text

# Case 1: A started 09:00 and completed 10:00; B completed 11:00 with no start; C
# scheduled 11:30, started 12:00, completed 13:00. Case 2: A started and never completed
# (the next A event is none), then B completed.
ROWS = [
    ("1", "A", "start", "2024-01-01 09:00"),
    ("1", "A", "complete", "2024-01-01 10:00"),
    ("1", "B", "complete", "2024-01-01 11:00"),
    ("1", "C", "schedule", "2024-01-01 11:30"),
    ("1", "C", "start", "2024-01-01 12:00"),
    ("1", "C", "complete", "2024-01-01 13:00"),
    ("2", "A", "start", "2024-01-02 09:00"),
    ("2", "B", "complete", "2024-01-02 10:00"),
]
FRAME = pd.DataFrame(ROWS, columns=["case", "concept:name", "lifecycle:transition", "timestamp"])


def _events(log: EventLog) -> list[tuple[str, str, str | None, str]]:
    frame = log.to_pandas()
    return [
        (
            c,
            a,
            None if pd.isna(s) else s.strftime("%H:%M"),
            t.strftime("%H:%M"),
        )
        for c, a, s, t in zip(
            frame["case"], frame["activity"], frame["start_timestamp"], frame["timestamp"],
            strict=True,
        )
    ]  # fmt: skip


def test_a_start_and_the_completion_after_it_are_one_event_with_a_start_time():
    with EventLog.from_frame(FRAME) as log:
        assert _events(log) == [
            ("1", "A", "09:00", "10:00"),
            ("1", "B", None, "11:00"),
            ("1", "C - schedule", None, "11:30"),
            ("1", "C", "12:00", "13:00"),
            ("2", "A - start", None, "09:00"),
            ("2", "B", None, "10:00"),
        ]
        assert (log.rows_read, log.accepted, log.merged_starts, log.events) == (8, 8, 2, 6)
        assert log.mapping.start_timestamp == "timestamp"
        assert log.notes[-1] == (
            "2 start events ('lifecycle:transition' start) merged into the completion that "
            "follows each, as its start time: a step started and completed is one event, "
            "named by 'concept:name', with its processing time; other stages keep their "
            'name (--activity "concept:name,lifecycle:transition" keeps every stage apart)'
        )
        stats = activity_stats(log).set_index("activity")
        # A: one processing time, 1 h; C: 1 h; B: none recorded.
        assert stats.loc["A", "median_processing_s"] == 3600.0
        assert stats.loc["C", "median_processing_s"] == 3600.0
        assert pd.isna(stats.loc["B", "median_processing_s"])
        text = profile_text(profile(log))
    assert "  merged                      2  start events, into their completions\n" in text
    assert "  events                      6\n" in text
    # Its start time is the start event's timestamp, not a column of starts.
    assert "  start_timestamp  timestamp  (of the start event merged into each)\n" in text


def test_the_stages_stay_apart_when_the_user_names_the_classifier():
    with EventLog.from_frame(FRAME, activity="concept:name,lifecycle:transition") as log:
        assert log.merged_starts == 0 and log.events == 8
        assert log.mapping.start_timestamp is None
        assert "start_timestamp" not in log.table.columns
        assert log.to_pandas()["activity"].tolist()[:2] == ["A - start", "A - complete"]
        assert log.warnings == []


def test_an_activity_named_without_its_stages_is_warned_of():
    """--activity concept:name alone: case 1's A started and completed is two events of
    A, the completion one rework event (BPIC 2012 read so: 73.8% of cases with rework)."""
    from journeymap.analysis.rework import rework_summary

    with EventLog.from_frame(FRAME, activity="concept:name") as log:
        assert log.merged_starts == 0 and log.events == 8
        assert rework_summary(log)["events"] == 3  # case 1's second A and C's two; none in 2
        assert log.warnings == [
            "'lifecycle:transition' records when each step started and completed, and the "
            "activity ('concept:name') leaves it out: a step started and completed is two "
            "events of one activity, and the second counts as rework; leave the activity "
            "unmapped to read them as one event with its start time, or give --activity "
            '"concept:name,lifecycle:transition" to keep the stages apart'
        ]
    # With a start time mapped, the stages are the user's to read: nothing is said.
    timed = FRAME.assign(started=FRAME["timestamp"])
    with EventLog.from_frame(timed, activity="concept:name", start_timestamp="started") as log:
        assert log.warnings == []


@pytest.mark.parametrize("stages", [("complete", "complete"), ("start", "schedule")])
def test_nothing_is_paired_without_both_a_start_and_a_completion(stages):
    frame = FRAME.assign(**{"lifecycle:transition": [stages[i % 2] for i in range(len(FRAME))]})
    with EventLog.from_frame(frame) as log:
        assert log.merged_starts == 0 and log.events == 8
        assert log.mapping.start_timestamp is None
