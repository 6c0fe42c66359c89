"""The shared field-change reduction, and the generic field-change log preset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from preset_checks import head, one_line_error, recognisers, rows

from journeymap.connectors.presets import PresetReject
from journeymap.connectors.presets.fieldchanges import change_notes, events_from_changes
from journeymap.connectors.presets.fieldchanges_csv import FieldChangesPreset
from journeymap.errors import SourceError

Write = Callable[..., Path]


def _changes(*changes: tuple[str, str, str, str | None, str | None]) -> pd.DataFrame:
    """(record, time, field, old, new) rows, in source order."""
    frame = pd.DataFrame(changes, columns=["record", "at", "field", "old", "new"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame.assign(actor=None, seq=range(len(frame)))


def _values(frame: pd.DataFrame, *columns: str) -> list[tuple[object, ...]]:
    frame = frame.astype(object).where(frame.notna(), None)
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def test_a_change_of_team_alone_is_an_event_of_its_own() -> None:
    """Front -> Tech -> Front -> Tech between two status changes (a Zendesk ticket whose
    audits change group_id only): three hand-offs, not one. A team set in the same
    update as a status change, or set to the value it had, emptied or set to a
    placeholder ("?": not recorded) makes no event."""
    changes = _changes(
        ("T1", "2024-03-05 08:30", "status", None, "new"),
        ("T1", "2024-03-05 08:30", "group", None, "Front"),  # same update as a status
        ("T1", "2024-03-05 09:00", "group", "Front", "Tech"),
        ("T1", "2024-03-05 10:00", "group", "Tech", "Front"),
        ("T1", "2024-03-05 10:30", "group", "Front", " Front"),  # the same value
        ("T1", "2024-03-05 11:00", "group", "Front", "Tech"),
        ("T1", "2024-03-05 11:30", "group", "Tech", None),  # emptied: nobody's
        ("T1", "2024-03-05 12:00", "group", None, "?"),  # a placeholder: not recorded
        ("T1", "2024-03-06 09:00", "status", "new", "solved"),
    )
    result = events_from_changes(changes, activity_field="status", roles={"team": "group"})
    assert _values(result.events, "activity", "team") == [
        ("new", "Front"),
        ("Assigned to group Tech", "Tech"),
        ("Assigned to group Front", "Front"),
        ("Assigned to group Tech", "Tech"),
        ("solved", "?"),  # as given: the engine reads the placeholder as missing
    ]
    assert (result.status_changes, result.group_changes) == (2, 3)
    assert "events from changes of team without a change of 'status' " in " ".join(
        change_notes(result, activity_field="status")
    )


def test_a_team_set_back_after_a_placeholder_is_no_move() -> None:
    """SD -> "(empty)" -> SD in ten minutes (an integration clearing the group, the
    system setting it back): the group went nowhere, so no 'Assigned to group SD' event
    (trial 15's ServiceNow audit gave one, and a variant with a reassignment that never
    happened). SD -> "(empty)" -> NET is a move to NET."""
    changes = _changes(
        ("I5", "2024-03-05 08:30", "state", None, "New"),
        ("I5", "2024-03-05 08:30", "group", None, "SD"),
        ("I5", "2024-03-05 13:00", "group", "SD", "(empty)"),
        ("I5", "2024-03-05 13:10", "group", "(empty)", "SD"),
        ("I5", "2024-03-05 14:00", "group", "SD", "(empty)"),
        ("I5", "2024-03-05 14:10", "group", "(empty)", "NET"),
        ("I5", "2024-03-06 09:00", "state", "New", "Resolved"),
    )
    result = events_from_changes(changes, activity_field="state", roles={"team": "group"})
    assert _values(result.events, "activity", "team") == [
        ("New", "SD"),
        ("Assigned to group NET", "NET"),
        ("Resolved", "NET"),
    ]


def test_roles_in_force_at_each_event() -> None:
    changes = _changes(
        ("R1", "2024-01-01 09:00", "status", None, "New"),
        ("R1", "2024-01-01 09:30", "owner", "ann", "bob"),  # before: the first old value
        ("R1", "2024-01-01 10:00", "status", "New", "Open"),
        ("R1", "2024-01-01 10:00", "owner", "bob", "cy"),  # same update: applies
        ("R1", "2024-01-01 11:00", "owner", "cy", None),  # to nobody
        ("R1", "2024-01-01 12:00", "status", "Open", "Done"),
        ("R2", "2024-01-01 08:00", "status", "New", "Open"),
    )
    current = pd.DataFrame({"owner": ["zed"]}, index=pd.Index(["R2"], name="record"))
    result = events_from_changes(
        changes, activity_field="status", roles={"resource": "owner"}, current=current
    )
    assert _values(result.events, "case", "activity", "resource") == [
        ("R1", "New", "ann"),
        ("R1", "Open", "cy"),
        ("R1", "Done", None),
        ("R2", "Open", "zed"),  # never changes: the current value
    ]
    assert (result.status_changes, result.created, result.replayed) == (
        4,
        0,
        {"resource": ("owner", 3)},
    )


def test_created_events_and_their_activity() -> None:
    changes = _changes(
        ("A", "2024-01-02 10:00", "status", "Open", "Done"),
        ("B", "2024-01-02 11:00", "priority", "low", "high"),
    )
    created = pd.DataFrame({"record": ["A", "B", "C"], "activity": [None, None, None]})
    created["at"] = pd.to_datetime(["2024-01-01 09:00"] * 3, utc=True)
    current = pd.DataFrame({"status": [None, "Waiting", None]}, index=["A", "B", "C"])
    result = events_from_changes(
        changes, activity_field="status", roles={}, created=created, current=current
    )
    # The first change's old value, else the current status, else "Created".
    assert _values(result.events, "case", "activity") == [
        ("A", "Open"), ("A", "Done"), ("B", "Waiting"), ("C", "Created"),
    ]  # fmt: skip
    assert result.ignored == {"priority": 1}


GENERIC = """\
record_id,field,old_value,new_value,changed_at,changed_by
T1,status,,New,2024-03-01T10:00:00+01:00,portal
T1,assigned_group,,Desk,2024-03-01T10:00:00+01:00,portal
T1,priority,,P3,2024-03-01T10:00:00+01:00,portal
T1,assignee,,Ann,2024-03-01T10:20:00+01:00,lead
T1,status,New,Working,2024-03-01T11:00:00+01:00,Ann
T2,status,,New,not a time,portal
T1,assigned_group,Desk,Field,2024-03-02T08:00:00Z,Ann
T1,status,Working,Closed,2024-03-02T08:00:00Z,Bo
"""


def test_generic_log(write: Write) -> None:
    path = write("changes.csv", GENERIC)
    assert recognisers(path) == {"fieldchanges"}
    assert FieldChangesPreset().recognise(path, head(path)) == (
        "a field-change log (columns record_id, field, new_value, changed_at)"
    )
    table = FieldChangesPreset().read(path)
    assert rows(table, "case", "activity", "timestamp", "resource", "team") == [
        ("T1", "New", "2024-03-01T09:00:00Z", None, "Desk"),
        ("T1", "Working", "2024-03-01T10:00:00Z", "Ann", "Desk"),
        ("T1", "Closed", "2024-03-02T08:00:00Z", "Ann", "Field"),
    ]
    assert table.table.column("changed_by").to_pylist() == ["portal", "Ann", "Bo"]
    assert table.rejects == [
        PresetReject(6, 7, "unreadable changed_at: 'not a time' is not an ISO 8601 time")
    ]
    assert table.records == 8
    assert table.notes == [
        "activities are the changes of 'status'",
        "events from changes of 'status': 3",
        "resource is 'assignee' as in force at each event's time (1 change replayed)",
        "team is 'assigned_group' as in force at each event's time (2 changes replayed)",
        "rows of other fields were not read: priority (1)",
    ]


def test_times_without_a_zone_are_read_in_the_time_zone_given(write: Write) -> None:
    """--timezone was silently ignored: 09:00 in New York was read as 09:00 UTC. Times
    with their own offset keep it; the note says how the others were read."""
    import journeymap as jm

    path = write(
        "changes.csv",
        "record_id,field,old_value,new_value,changed_at\n"
        "T1,status,,New,2024-04-02 09:00\n"
        "T1,status,New,Closed,2024-04-02T15:00:00Z\n",
    )
    table = FieldChangesPreset().read(path, timezone="America/New_York")
    assert rows(table, "activity", "timestamp") == [
        ("New", "2024-04-02T13:00:00Z"),
        ("Closed", "2024-04-02T15:00:00Z"),
    ]
    assert "1 of the times carry no time zone: read in America/New_York" in table.notes
    assert rows(FieldChangesPreset().read(path), "timestamp")[0] == ("2024-04-02T09:00:00Z",)
    assert (
        "1 of the times carry no time zone: read as UTC; give the export's time zone with "
        "--timezone if they are local times"
    ) in FieldChangesPreset().read(path).notes
    # Through the connector, as `mine --timezone` reads it: the case takes 2 hours.
    log = jm.read_log(path, timezone="America/New_York")
    assert log.to_pandas()["timestamp"].diff().max() == pd.Timedelta(hours=2)


def test_a_line_with_a_value_too_many_is_rejected_and_the_rest_read(write: Write) -> None:
    """One line split by an unquoted comma used to fail the whole log ("cannot be read
    as CSV"); it is rejected with its line, and the lines after it keep their numbers
    (a value on two lines before them counts two lines)."""
    path = write(
        "changes.csv",
        "record_id,field,old_value,new_value,changed_at,changed_by\n"
        'T1,status,,New,2024-03-01T10:00:00Z,"Ann\nLee"\n'
        "T1,status,New,Working,2024-03-01T11:00:00Z,Smith, Ann\n"
        "T1,status,Working,Closed,yesterday,Bo\n"
        "\n"
        "T1,status,Working,Closed,2024-03-02T08:00:00Z,Bo\n",
    )
    table = FieldChangesPreset().read(path)
    assert rows(table, "case", "activity", "timestamp") == [
        ("T1", "New", "2024-03-01T10:00:00Z"),
        ("T1", "Closed", "2024-03-02T08:00:00Z"),
    ]
    assert table.rejects == [
        PresetReject(2, 4, "too many values for the header (7, the header has 6)"),
        PresetReject(3, None, "unreadable changed_at: 'yesterday' is not an ISO 8601 time"),
    ]
    assert table.records == 4


def test_no_status_field_takes_the_most_frequent_and_the_actor(write: Write) -> None:
    path = write(
        "stages.csv",
        "record,field,old,new,timestamp,user\n"
        "D1,phase,,Draft,2024-01-01T09:00:00Z,ann\n"
        "D1,phase,Draft,Review,2024-01-02T09:00:00Z,bob\n"
        "D1,title,,Plan,2024-01-01T09:00:00Z,ann\n",
    )
    table = FieldChangesPreset().read(path)
    assert rows(table, "case", "activity", "resource") == [
        ("D1", "Draft", "ann"), ("D1", "Review", "bob"),
    ]  # fmt: skip
    assert table.notes[0] == (
        "no field is named status, state or stage: activities are the changes of the most "
        "frequent field, 'phase' (2 changes)"
    )
    assert "no assignee or owner field: resource is who made the change ('user')" in table.notes
    chosen = FieldChangesPreset(activity_field="title").read(path)
    assert rows(chosen, "activity") == [("Plan",)]


def test_a_log_without_times_is_refused(write: Write) -> None:
    path = write("changes.csv", "record_id,field,old_value,new_value\nT1,status,,New\n")
    assert FieldChangesPreset().recognise(path, head(path)) is None
    with pytest.raises(SourceError) as error:
        FieldChangesPreset().read(path)
    one_line_error(error, path, "has no 'changed_at' column; a field-change log needs")
