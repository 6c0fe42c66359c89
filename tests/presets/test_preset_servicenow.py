"""The ServiceNow preset on small exports written here, and on IBM's Table API dump."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from preset_checks import events, head, one_line_error, recognisers, rows

from journeymap.connectors.presets import PresetReject
from journeymap.connectors.presets.servicenow import ServiceNowPreset
from journeymap.connectors.presets.servicenow_fields import RAW_VALUES_NOTE, SNAPSHOT_COLUMNS
from journeymap.errors import EmptyLogError, SourceError
from shared_datasets import dataset

Write = Callable[..., Path]
PRESET = ServiceNowPreset()


def test_list_csv_with_raw_codes_is_decoded(write: Write) -> None:
    path = write(
        "incidents.csv",
        "number,incident_state,sys_updated_on,assignment_group,contact_type\n"
        "INC1,1,2024-03-01 10:00:00,,phone\n"
        "INC1,2,2024-03-01 11:00:00,\"{'link': 'https://x/api', 'value': 'g1'}\",phone\n"
        "INC2,7,2024-03-02 09:30:00,g2,email\n"
        "INC3,4,2024-03-02 09:45:00,g2,\n",
    )
    assert PRESET.recognise(path, head(path)) == (
        "a ServiceNow incident list export (field names: number, incident_state, "
        "sys_updated_on)"  # the columns as the file names them
    )
    table = PRESET.read(path)
    assert rows(table, "case", "activity", "timestamp", "team", "channel") == [
        ("INC1", "New", "2024-03-01 10:00:00", None, "phone"),
        ("INC1", "In Progress", "2024-03-01 11:00:00", "g1", "phone"),
        ("INC2", "Closed", "2024-03-02 09:30:00", "g2", "email"),
        ("INC3", "4", "2024-03-02 09:45:00", "g2", None),
    ]
    assert table.mapping == {"case": "number", "activity": "incident_state",
                             "timestamp": "sys_updated_on", "team": "assignment_group",
                             "channel": "contact_type"}  # fmt: skip
    assert table.options == {"timestamp_format": "%Y-%m-%d %H:%M:%S", "timezone": "UTC"}
    assert table.notes[:3] == [
        "incident_state codes decoded: 1 -> New (1), 2 -> In Progress (1), 7 -> Closed (1)",
        "incident_state codes that are not incident states were kept as written: 4 (1)",
        RAW_VALUES_NOTE,
    ]
    assert table.records == 4


def test_a_repeated_header_and_a_broken_line_cost_only_their_own_rows(write: Write) -> None:
    """A header pasted again (two exports joined) and a record with a value too many
    are rejected with their lines; the rest is read as without them: the state codes
    are still decoded (a header line in the state column had stopped that, and the
    broken line had failed the whole file)."""
    path = write(
        "incidents.csv",
        "number,incident_state,sys_updated_on,assignment_group,contact_type\n"
        "INC1,1,2024-03-01 10:00:00,g1,phone\n"
        "number,incident_state,sys_updated_on,assignment_group,contact_type\n"
        "INC1,2,2024-03-01 11:00:00,g1,phone,extra\n"
        'INC2,7,2024-03-02 09:30:00,"g2, east",email\n',
    )
    table = PRESET.read(path)
    assert rows(table, "case", "activity", "timestamp", "team") == [
        ("INC1", "New", "2024-03-01 10:00:00", "g1"),
        ("INC2", "Closed", "2024-03-02 09:30:00", "g2, east"),
    ]
    assert table.notes[0] == "incident_state codes decoded: 1 -> New (1), 7 -> Closed (1)"
    assert table.options == {"timestamp_format": "%Y-%m-%d %H:%M:%S", "timezone": "UTC"}
    assert table.rejects == [
        PresetReject(2, 3, "a repeated header line"),
        PresetReject(3, 4, "too many values for the header (6, the header has 5)"),
    ]
    assert table.records == 4


def test_list_csv_with_display_values_is_kept(write: Write) -> None:
    path = write(
        "list.csv",
        "number,state,sys_updated_on,assigned_to,caller_id\n"
        "INC9,In Progress,05/03/2024 09:15:00,Ann Lee,Bob Ray\n",
    )
    table = PRESET.read(path)
    assert rows(table, "case", "activity", "timestamp", "resource", "customer") == [
        ("INC9", "In Progress", "05/03/2024 09:15:00", "Ann Lee", "Bob Ray")
    ]
    assert table.options == {}
    assert table.notes[0].startswith("display values: times are in the exporting user's time")


def test_list_with_record_times_gives_each_record_its_milestones(write: Write) -> None:
    """A list export with the records' times: New at opened_at, Reopened, Resolved and
    Closed at theirs, and a record in another state at its last update has that state
    then (In Progress, Canceled; Closed without a closed_at). A record listed twice
    gives its events once. Display values: the times are parsed as the log's."""
    path = write(
        "times.csv",
        "number,state,sys_updated_on,opened_at,resolved_at,closed_at,reopened_time,"
        "assignment_group,contact_type,reassignment_count\n"
        "INC1,Closed,2024-03-05 10:00,2024-03-01 09:00,2024-03-04 17:00,2024-03-05 10:00,"
        "2024-03-03 08:00,Desk,phone,2\n"
        "INC2,In Progress,2024-03-02 12:00,2024-03-02 09:00,,,,Back,email,0\n"
        "INC3,Closed,2024-03-06 11:00,,,,,Desk,phone,\n"
        "INC1,Closed,2024-03-05 10:00,2024-03-01 09:00,2024-03-04 17:00,2024-03-05 10:00,"
        "2024-03-03 08:00,Desk,phone,2\n"
        "INC4,Canceled,2024-03-07 09:00,2024-03-07 08:00,,,,,web,0\n",
    )
    table = PRESET.read(path)
    got = sorted(rows(table, "case", "timestamp", "activity", "channel"))
    assert got == [
        ("INC1", "2024-03-01 09:00", "New", "phone"),
        ("INC1", "2024-03-03 08:00", "Reopened", "phone"),
        ("INC1", "2024-03-04 17:00", "Resolved", "phone"),
        ("INC1", "2024-03-05 10:00", "Closed", "phone"),
        ("INC2", "2024-03-02 09:00", "New", "email"),
        ("INC2", "2024-03-02 12:00", "In Progress", "email"),
        ("INC3", "2024-03-06 11:00", "Closed", "phone"),
        ("INC4", "2024-03-07 08:00", "New", "web"),
        ("INC4", "2024-03-07 09:00", "Canceled", "web"),
    ]
    assert table.records == 5 and table.options == {}
    assert "team" not in table.mapping and "resource" not in table.mapping
    assert table.notes[1:] == [
        "each record's milestones read as events: New at 'opened_at' (3), Reopened at "
        "'reopened_time' (1), Resolved at 'resolved_at' (1), Closed at 'closed_at' (1); and "
        "the state at the last update ('sys_updated_on') of 3 records that no milestone "
        "stands for: Canceled (1), Closed (1), In Progress (1)",
        "'assignment_group' is each record's current value, not who did each step: kept "
        "as 'current_assignment_group', not as team or resource, so no hand-off is "
        "counted; reassignment_count counts 2 changes of group in 1 record; export "
        "sys_audit for the hand-offs and every change of state",
    ]


def test_records_resolved_after_they_were_closed_are_doubted(write: Write) -> None:
    """IBM's incidents_REST.csv: 20 of 27 records have resolved_at after closed_at, 17 of
    them in one bulk update, and the headline end-to-end time ran to those times. The
    journeys are kept as the times say, with a warning that is a doubt before the
    figures."""
    import journeymap as jm
    from journeymap.render.doubts import doubts

    header = "number,incident_state,sys_updated_on,opened_at,resolved_at,closed_at\n"
    late = [
        f"INC{i},7,2023-01-10 19:56:{10 + i},2022-10-0{i} 09:00:00,2023-01-10 19:56:{10 + i},"
        f"2022-10-1{i} 10:00:00\n"
        for i in range(1, 4)
    ]
    path = write(
        "incidents.csv",
        header + "".join(late) + "INC8,7,2022-10-20 10:00:00,2022-10-01 09:00:00,"
        "2022-10-02 09:00:00,2022-10-03 09:00:00\nINC9,2,2022-10-20 10:00:00,"
        "2022-10-01 09:00:00,,\n",
    )
    said = (
        "3 of 4 records with both times were resolved after they were closed ('resolved_at' "
        "later than 'closed_at'); 3 of them share one resolved_at minute (2023-01-10 19:56), "
        "as a bulk update writes: their journeys end with Resolved after Closed, and their "
        "end-to-end times run to that Resolved; check those times with the service before "
        "showing end-to-end times"
    )
    assert f"warning: {said}" in PRESET.read(path).notes
    assert said in doubts(jm.mine(jm.read_log(path)))
    fine = write(
        "fine.csv", header + "".join(late[:2]).replace("2023-01-10 19:56", "2022-09-01 19:56")
    )
    assert not [n for n in PRESET.read(fine).notes if n.startswith("warning")]


def test_xlsx_list_export_with_labels(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Number", "State", "Updated", "Assignment group", "Assigned to", "Caller",
                  "Channel"])  # fmt: skip
    sheet.append(["INC7", "New", dt.datetime(2024, 3, 1, 8, 0), "Desk", None, "Cy", "Phone"])
    sheet.append(["INC7", "Closed", dt.datetime(2024, 3, 1, 9, 30), "Desk", "Di", "Cy", "Phone"])
    path = tmp_path / "incident.xlsx"
    book.save(path)
    assert PRESET.recognise(path, head(path)) == (
        "a ServiceNow incident list export (labels: Number, State, Updated)"
    )
    table = PRESET.read(path)
    assert rows(table, "case", "activity", "timestamp", "resource", "team", "channel") == [
        ("INC7", "New", "2024-03-01 08:00:00", None, "Desk", "Phone"),
        ("INC7", "Closed", "2024-03-01 09:30:00", "Di", "Desk", "Phone"),
    ]
    assert table.mapping["team"] == "Assignment group"


def test_table_api_json_references_and_codes(write: Write) -> None:
    record = {
        "number": "INC5", "sys_id": "5" * 32, "state": "6", "sys_updated_on": "2024-03-04 10:00:00",
        "assignment_group": {"link": "https://x/api/now/table/sys_user_group/g5", "value": "g5"},
        "assigned_to": "u5", "caller_id": "", "contact_type": "email", "active": True,
    }  # fmt: skip
    path = write("incident.json", json.dumps({"result": [record]}))
    assert PRESET.recognise(path, head(path)) == (
        "ServiceNow Table API JSON (result[] records with sys_ fields)"
    )
    table = PRESET.read(path)
    assert rows(table, "case", "activity", "resource", "team", "customer", "channel") == [
        ("INC5", "Resolved", "u5", "g5", None, "email")
    ]
    assert table.table.column("active").to_pylist() == ["true"]
    single = write("one.json", json.dumps({"result": record}))
    assert rows(PRESET.read(single), "case", "activity") == [("INC5", "Resolved")]


SYS_AUDIT = """\
sys_id,tablename,documentkey,fieldname,oldvalue,newvalue,user,sys_created_on
9,incident,a1,state,2,6,bob,2024-03-01 12:00:00
8,incident,a1,assignment_group,g1,g2,bob,2024-03-01 11:00:00
7,incident,a1,state,1,2,bob,2024-03-01 11:00:00
6,incident,a1,priority,4,3,bob,2024-03-01 10:30:00
5,incident,a1,assigned_to,,u1,ann,2024-03-01 10:05:00
4,incident,a1,assignment_group,,g1,ann,2024-03-01 10:00:00
3,incident,a1,state,,1,ann,2024-03-01 10:00:00
2,incident,a1,number,,INC0000001,ann,2024-03-01 10:00:00
1,incident,b2,state,,1,ann,yesterday
sys_id,tablename,documentkey,fieldname,oldvalue,newvalue,user,sys_created_on
0,incident,,state,,1,ann,2024-03-02 09:00:00
"""


def test_an_audit_of_states_alone_records_no_handler(write: Write) -> None:
    """An audit exported with state changes only: 'user' is who made each change (here
    'system' closing incidents automatically), not who had the incident. It is kept as
    changed_by, not taken for the resource: no hand-off between a person and 'system'."""
    import journeymap as jm

    audit = (
        "sys_id,tablename,documentkey,fieldname,oldvalue,newvalue,user,sys_created_on\n"
        "1,incident,a1,state,,1,ann,2024-03-01 10:00:00\n"
        "2,incident,a1,state,1,6,ann,2024-03-01 12:00:00\n"
        "3,incident,a1,state,6,7,system,2024-03-04 12:00:00\n"
    )
    path = write("sys_audit_states.csv", audit)
    with jm.read_log(str(path)) as log:
        assert log.mapping.resource is None and log.mapping.team is None
        assert log.to_pandas()["changed_by"].tolist() == ["ann", "ann", "system"]
        assert jm.mine(log).handoffs is None
        said = [n for n in log.notes if n.startswith("a case has ended when")]
        assert said == [
            "a case has ended when its last event is 'Closed' or 'Resolved'; the others were "
            "still open when exported, and their time so far is no end-to-end time"
        ]
    # End activities the user gives replace the preset's, and its note with them.
    with jm.read_log(str(path), end_activities=["Closed"]) as log:
        assert log.end_activities == ("Closed",)
        assert not [n for n in log.notes if n.startswith("a case has ended when")]


def test_groups_written_as_sys_ids_are_warned_of(write: Write) -> None:
    """A raw audit names the groups by sys_id: the report would say 'Work passed from
    3186e511...' with nothing to tell the reader what that is."""
    sd, net = "3186e51171437d15ca2baf57de114523", "8e138225dc0e199714b3b468f4ba96b8"
    audit = (
        "sys_id,tablename,documentkey,fieldname,oldvalue,newvalue,user,sys_created_on\n"
        "1,incident,a1,state,,1,ann,2024-03-01 10:00:00\n"
        f"2,incident,a1,assignment_group,,{sd},ann,2024-03-01 10:00:00\n"
        f"3,incident,a1,assignment_group,{sd},{net},ann,2024-03-01 11:00:00\n"
        "4,incident,a1,state,1,6,bob,2024-03-01 12:00:00\n"
    )
    notes = PRESET.read(write("sys_audit_ids.csv", audit)).notes
    assert (
        "warning: the team ('assignment_group') is written as sys_ids (such as '3186e511...'), "
        "as a raw export writes references: the map, the hand-offs and the report name them "
        "by id; export with display values (names), or look the ids up in sys_user_group and "
        "sys_user"
    ) in notes


def test_sys_audit_replays_group_and_assignee(write: Write) -> None:
    path = write("sys_audit.csv", SYS_AUDIT)
    assert recognisers(path) == {"servicenow"}
    table = PRESET.read(path)
    assert rows(table, "case", "activity", "timestamp", "resource", "team") == [
        ("INC0000001", "New", "2024-03-01T10:00:00Z", None, "g1"),
        ("INC0000001", "In Progress", "2024-03-01T11:00:00Z", "u1", "g2"),
        ("INC0000001", "Resolved", "2024-03-01T12:00:00Z", "u1", "g2"),
    ]
    assert table.table.column("changed_by").to_pylist() == ["ann", "bob", "bob"]
    # Each rejected row says what is wrong with it.
    assert table.rejects == [
        PresetReject(
            9, 10,
            "unreadable sys_created_on: 'yesterday' is not written as ServiceNow writes "
            "times (2024-03-08 15:00:00); export with the system date format",
        ),
        PresetReject(10, 11, "a repeated header line"),
        PresetReject(11, 12, "no documentkey"),
    ]  # fmt: skip
    assert table.records == 11
    assert "rows of other fields were not read: priority (1)" in table.notes
    assert "state codes decoded: 1 -> New (1), 2 -> In Progress (1), 6 -> Resolved (1)" in (
        table.notes
    )


def test_sys_audit_from_the_table_api(write: Write) -> None:
    result = [
        {"documentkey": "a1", "fieldname": "state", "oldvalue": "", "newvalue": "1",
         "user": "ann", "sys_created_on": "2024-03-01 10:00:00", "sys_id": "s1"},
        {"documentkey": "a1", "fieldname": "incident_state", "oldvalue": "", "newvalue": "1",
         "user": "ann", "sys_created_on": "2024-03-01 10:00:00", "sys_id": "s2"},
        {"documentkey": "a1", "fieldname": "state", "oldvalue": "1", "newvalue": "8",
         "user": "bob", "sys_created_on": "2024-03-01 10:30:00", "sys_id": "s3"},
    ]  # fmt: skip
    path = write("sys_audit.json", json.dumps({"result": result}))
    assert PRESET.recognise(path, head(path)) == (
        "ServiceNow Table API JSON of sys_audit (result[].documentkey, fieldname)"
    )
    table = PRESET.read(path)
    assert rows(table, "case", "activity", "timestamp") == [
        ("a1", "New", "2024-03-01T10:00:00Z"),
        ("a1", "Canceled", "2024-03-01T10:30:00Z"),
    ]
    assert "both state and incident_state changes: the events follow state" in table.notes


def _snapshot(**values: str) -> str:
    row = dict.fromkeys(SNAPSHOT_COLUMNS, "?") | {"resolved_at": "13/3/2016 10:00"} | values
    return ",".join(row[c] for c in SNAPSHOT_COLUMNS)


def test_snapshot_rows_ordered_by_time_then_mod_count(write: Write) -> None:
    lines = [
        ",".join(SNAPSHOT_COLUMNS),
        _snapshot(number="INC1", incident_state="New", sys_mod_count="0",
                  sys_updated_at="1/3/2016 09:00", caller_id="Caller 7"),
        _snapshot(number="INC1", incident_state="Active", sys_mod_count="2",
                  sys_updated_at="1/3/2016 09:05", assignment_group="G1", assigned_to="U1"),
        _snapshot(number="INC1", incident_state="Active", sys_mod_count="1",
                  sys_updated_at="1/3/2016 09:05", assignment_group="G1"),
        _snapshot(number="INC1", incident_state="Closed", sys_mod_count="3",
                  sys_updated_at="13/3/2016 10:00", assignment_group="G1", assigned_to="U1"),
        _snapshot(number="INC2", incident_state="New", sys_mod_count="0",
                  sys_updated_at="2/3/2016 08:00", contact_type="Phone"),
        _snapshot(number="INC2", incident_state="Active", sys_mod_count="1",
                  sys_updated_at="2016-03-02 09:00"),  # ISO 8601: read as such
        ",".join(SNAPSHOT_COLUMNS),  # a repeated header line
        _snapshot(number="INC2", incident_state="Closed", sys_mod_count="2",
                  sys_updated_at="2016/03/02 10:00"),
    ]  # fmt: skip
    path = write("incident_event_log.csv", "\n".join(lines) + "\n")
    assert "snapshot log" in (PRESET.recognise(path, head(path)) or "")
    table = PRESET.read(path)
    got = events(table)
    assert list(zip(got["case"], table.table.column("sys_mod_count").to_pylist(), strict=True)) == [
        ("INC1", "0"), ("INC1", "1"), ("INC1", "2"), ("INC1", "3"), ("INC2", "0"), ("INC2", "1"),
    ]  # fmt: skip
    assert rows(table, "activity", "timestamp", "resource", "team", "customer", "channel") == [
        ("New", "1/3/2016 09:00", None, None, "Caller 7", None),
        ("Active", "1/3/2016 09:05", None, "G1", None, None),
        ("Active", "1/3/2016 09:05", "U1", "G1", None, None),
        ("Closed", "13/3/2016 10:00", "U1", "G1", None, None),
        ("New", "2/3/2016 08:00", None, None, None, "Phone"),
        ("Active", "2016-03-02 09:00", None, None, None, None),
    ]
    assert table.options == {"timestamp_format": "%d/%m/%Y %H:%M", "collapse_repeats": "yes"}
    assert table.rejects == [
        PresetReject(7, 8, "a repeated header line"),
        PresetReject(8, 9, "unreadable sys_updated_at: '2016/03/02 10:00' is not d/m/yyyy HH:MM"),
    ]
    assert table.notes[-1] == (
        "resolved_at, closed_at, resolved_by, closed_code are final values repeated on every "
        "row; they are not read as events"
    )


def test_jira_json_is_refused(write: Write) -> None:
    path = write("search.json", json.dumps({"issues": [{"key": "X-1", "fields": {}}]}))
    assert PRESET.recognise(path, head(path)) is None
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "export it from /api/now/table/<table>")


def test_invalid_json_is_refused(write: Write) -> None:
    path = write("cut.json", '{"result": [{"number": "INC1", "sys_id": "a",')
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "is not valid JSON (line 1, column 46")


def test_an_empty_result_is_an_empty_log(write: Write) -> None:
    path = write("none.json", '{"result": []}')
    with pytest.raises(EmptyLogError) as error:
        PRESET.read(path)
    one_line_error(error, path, "holds no records")


def test_a_list_without_update_times_is_refused(write: Write) -> None:
    path = write("list.csv", "number,state,assignment_group,contact_type\nINC1,New,Desk,Phone\n")
    assert PRESET.recognise(path, head(path)) is not None  # labels Number, Assignment group...
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "has no 'sys_updated_on' column; export the list with the")


def test_an_audit_without_state_changes_is_refused(write: Write) -> None:
    path = write(
        "audit.csv",
        "documentkey,fieldname,oldvalue,newvalue,sys_created_on\n"
        "a1,priority,4,3,2024-03-01 10:00:00\n",
    )
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "has no changes of 'state' or 'incident_state'")


@pytest.mark.datasets
def test_ibm_table_api_dump() -> None:
    """A Table API dump of 67 incidents, one row each, with their times: each record's
    milestones are events (New at opened_at, Resolved, Closed), and a record in another
    state at its last update has that state then. Counted here from the file itself."""
    import csv

    path = dataset("exports/servicenow/ibm_incidents_REST.csv")
    assert recognisers(path) == {"servicenow"}
    with open(path, newline="", encoding="utf-8") as stream:
        records = list(csv.DictReader(stream))
    labels = {"1": "New", "2": "In Progress", "3": "On Hold", "7": "Closed"}
    expected = {
        "New": sum(1 for r in records if r["opened_at"]),
        "Resolved": sum(1 for r in records if r["resolved_at"]),
        "Closed": sum(1 for r in records if r["closed_at"]),
    }
    for r in records:  # the state at the last update, where no milestone stands for it
        state = labels[r["incident_state"]]
        if state == "New":
            continue  # the New event at opened_at stands for it
        if state not in ("Resolved", "Closed") or not r[f"{state.lower()}_at"]:
            expected[state] = expected.get(state, 0) + 1
    assert expected == {"New": 67, "Resolved": 27, "Closed": 35, "In Progress": 20, "On Hold": 7}
    table = PRESET.read(path)
    got = events(table)
    assert (table.records, len(got), got["case"].nunique()) == (67, 156, 67)
    assert got["activity"].value_counts().to_dict() == expected
    assert table.mapping == {"case": "number", "activity": "activity", "timestamp": "timestamp",
                             "channel": "contact_type"}  # fmt: skip
    assert table.options == {"timestamp_format": "%Y-%m-%d %H:%M:%S", "timezone": "UTC"}
    first = got[got["case"] == "INC0000060"].sort_values("timestamp")
    assert list(zip(first["activity"], first["timestamp"], strict=True)) == [
        ("New", "2016-12-12 15:19:57"),
        ("Resolved", "2016-12-13 21:43:14"),
        ("Closed", "2016-12-14 02:46:44"),
    ]
    assert "current_assignment_group" in table.table.column_names  # not the team
    assert table.notes[-1] == (
        "'assignment_group' is each record's current value, not who did each step: kept "
        "as 'current_assignment_group', not as team or resource, so no hand-off is counted; "
        "reassignment_count counts 56 changes of group in 41 records; export sys_audit for "
        "the hand-offs and every change of state"
    )
    assert sum(int(r["reassignment_count"] or 0) for r in records) == 56


@pytest.mark.datasets
def test_ibm_dump_leaves_the_incidents_still_open_out_of_end_to_end_times(tmp_path) -> None:
    """The dump's 40 active incidents (state New, In Progress or On Hold) end with no
    closing state: still open when exported. Their time so far is no end-to-end time:
    the median, the capability chart and its limits are of the 27 closed incidents, and
    each figure says how many were left out. Counted here from the file itself."""
    import csv
    import statistics

    from click.testing import CliRunner

    from journeymap.cli import cli

    path = dataset("exports/servicenow/ibm_incidents_REST.csv")
    with open(path, newline="", encoding="utf-8") as stream:
        records = list(csv.DictReader(stream))
    active = {r["number"] for r in records if r["active"] == "true"}
    states = {r["incident_state"] for r in records if r["active"] == "true"}
    assert (len(active), states) == (40, {"1", "2", "3"})  # New, In Progress, On Hold
    out = tmp_path / "ibm"
    result = CliRunner().invoke(cli, ["mine", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # The closed incidents end at their last milestone, resolved_at or closed_at.
    stamp = lambda text: dt.datetime.fromisoformat(text)  # noqa: E731
    closed = [r for r in records if r["active"] == "false"]
    waits = [
        (
            max(stamp(r[k]) for k in ("resolved_at", "closed_at") if r[k]) - stamp(r["opened_at"])
        ).total_seconds()
        for r in closed
    ]
    assert summary["end_to_end"]["open_cases"] == summary["period"]["open_cases_left_out"] == 40
    assert summary["end_to_end"]["median_s"] == statistics.median(waits)
    cases = (out / "tables" / "cases.csv").read_text(encoding="utf-8").splitlines()
    assert cases[0].endswith(",open")
    assert {line.split(",")[0] for line in cases[1:] if line.endswith(",true")} == active
    statement = summary["period"]["statement"]
    assert "40 cases still open when the log was exported, and 2 earlier weeks" in statement
    # 22 of the 26 closed incidents that were opened in the weeks of usual arrivals
    # (2016 to 2022) were closed after them, in a sweep to 11 January 2023: a chart of
    # the other 4 would be of the quickest only. The period that charts them is named:
    # to 11 January it would let in one more case, opened on 6 January and closed on
    # 7 May 2023, so it runs to 7 May, and leaves out none of the cases that ended.
    assert summary["capability"] is None
    assert any(
        n.startswith("no capability e2e chart: 22 of the 26 cases")
        and n.endswith("--period 2016-08-08..2023-05-07")
        for n in summary["check_notes"]
    )
    again = tmp_path / "again"
    given = ["--period", "2016-08-08..2023-05-07"]
    assert CliRunner().invoke(cli, ["mine", str(path), "-o", str(again), *given]).exit_code == 0
    chart = (again / "tables" / "capability_e2e.csv").read_text(encoding="utf-8").splitlines()
    assert len(chart) - 1 == 27
    charted = json.loads((again / "summary.json").read_text(encoding="utf-8"))["period"]
    assert charted["statement"].endswith(
        "(27 of 67 cases; 40 cases still open when the log was exported are left out)."
    )
    assert not {line.split(",")[0] for line in chart[1:]} & active
    page = (out / "report.html").read_text(encoding="utf-8")
    # The map's end stands for the 40 still open too, and its caption says so.
    dot = (out / "journey.dot").read_text(encoding="utf-8")
    assert "◎ is where the cases ended, and where the 40 cases still open stop for now" in dot
    # The tiles point at the bulk update's warning above them, which names their times.
    assert "End-to-end, median (40 still open: left out; see the warning above)" in page
    # The bulk update's warning is said once: in the header, not again under Data quality
    # nor among the notes; inspect says it once too.
    assert page.count("were resolved after they were closed") == 1
    shown = CliRunner().invoke(cli, ["inspect", str(path)]).stdout
    assert shown.count("were resolved after they were closed") == 1


def test_a_list_whose_records_give_several_events_counts_what_it_rejects_in_events(
    write: Write,
) -> None:
    """Three records give six events, one of them with a date no other row is written in:
    inspect says 1 of the 6 events made from the 3 records was rejected (it had said
    '1 of 3 records rejected' beside 'accepted 2', when 5 events were kept)."""
    from click.testing import CliRunner

    from journeymap.cli import cli

    path = write(
        "list.csv",
        "number,state,sys_updated_on,opened_at,closed_at,contact_type\n"
        "INC1,Closed,2024-03-05 10:00,2024-03-01 09:00,2024-03-05 10:00,phone\n"
        "INC2,Closed,2024-03-06 10:00,2024-03-02 09:00,2024-03-06 10:00,email\n"
        "INC3,Closed,2024-03-07 10:00,2024-03-03 09:00,7 March,phone\n",
    )
    result = CliRunner().invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    # The records, all read; then the events made of them, one rejected.
    lines = [line.split() for line in result.stdout.splitlines()[2:8]]
    assert lines == [
        ["records", "read", "3"], ["accepted", "3"], ["rejected", "0"],
        ["events", "made", "6"], ["events", "rejected", "1"], ["events", "5"],
    ]  # fmt: skip
    assert "1 of 6 events rejected (1 unreadable timestamp)" in result.stderr
    # The report and the doubt count in the same units.
    out = path.parent / "out"
    result = CliRunner().invoke(cli, ["mine", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    said = "3 records read, 0 rejected, 6 events made of the rest, 1 of them rejected"
    assert f"<p>{said}; times in UTC.</p>" in page
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["doubts"][0].startswith("1 of 6 events (17%) was rejected (1 unreadable")
