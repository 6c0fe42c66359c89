"""The presets as connectors: `journeymap inspect/mine FILE` recognises each system's
export by its content and reads it with no options, through the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from preset_checks import by_case

import journeymap as jm
from journeymap.cli import cli
from journeymap.connectors.registry import connector_for
from journeymap.synthetic.exports import ExportFixture, _history, _sn_snapshots

SAMPLE_LOG = Path(__file__).resolve().parents[2] / "sample_logs" / "service_desk.csv"
OCEL = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "pm4py_examples" / "ocel"
FIXTURES = (
    "servicenow_list_csv", "servicenow_list_xlsx", "servicenow_table_api",
    "servicenow_sys_audit", "servicenow_snapshots", "jira_search", "zendesk_audits",
    "zendesk_ticket_events", "salesforce_case_history", "salesforce_opportunity_history",
    "field_changes",
)  # fmt: skip


@pytest.mark.parametrize("name", FIXTURES)
def test_each_export_goes_to_its_preset_by_content(exports, name):
    fixture: ExportFixture = exports[name]
    assert connector_for(str(fixture.path)).name == fixture.preset


def test_a_plain_event_csv_still_goes_to_the_csv_reader():
    assert connector_for(str(SAMPLE_LOG)).name == "csv"
    with jm.read_log(str(SAMPLE_LOG)) as log:
        assert (log.preset, log.preset_reason, log.warnings) == (None, None, [])


@pytest.mark.parametrize("name", FIXTURES)
def test_read_with_no_options_gives_the_written_events(exports, name):
    fixture: ExportFixture = exports[name]
    with jm.read_log(str(fixture.path)) as log:
        assert log.preset == fixture.preset
        assert log.preset_reason
        events = log.to_pandas()
        collapsed = log.repeats.events if log.repeats and log.repeats.collapsed else 0
        assert (log.rows_read, log.rejected_rows) == (len(fixture.expected), 0)
        assert log.events == len(fixture.expected) - collapsed
        assert log.cases == fixture.expected["case"].nunique()
    expected = by_case(fixture.expected)
    if not collapsed:  # the events in log order are the written ones, case by case
        got = by_case(events[["case", "activity"]])
        assert got.to_dict("records") == expected[["case", "activity"]].to_dict("records")


def test_inspect_says_which_preset_read_the_file_and_why(exports):
    path = str(exports["servicenow_sys_audit"].path)
    result = CliRunner().invoke(cli, ["inspect", path])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "  Read as servicenow (a ServiceNow sys_audit export (documentkey, fieldname, "
        "oldvalue, newvalue))"
    )
    data = json.loads(CliRunner().invoke(cli, ["inspect", path, "--json"]).stdout)
    assert (data["preset"], data["preset_reason"]) == (
        "servicenow",
        "a ServiceNow sys_audit export (documentkey, fieldname, oldvalue, newvalue)",
    )
    plain = json.loads(CliRunner().invoke(cli, ["inspect", str(SAMPLE_LOG), "--json"]).stdout)
    assert (plain["preset"], plain["preset_reason"]) == (None, None)


def test_a_forced_csv_reader_reads_the_export_as_plain_rows(exports):
    path = str(exports["servicenow_list_csv"].path)
    with jm.read_log(path, connector="csv", case="number", activity="state") as log:
        assert log.preset is None


# -- the snapshot log, laid out like the public incident event log -----------------------


SNAPSHOT_HEAD = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,"
    "caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,"
    "sys_updated_at,contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,"
    "urgency,priority,assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,"
    "problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at\n"
)


def snapshot_row(number: str, state: str, mod: int, at: str, group: str, who: str) -> str:
    """One UCI-style row: the incident after update ``mod``."""
    return (
        f"{number},{state},true,0,0,{mod},true,Caller 1,Opener 1,{at},Creator 1,{at},{who},"
        f"{at},Phone,?,Category 1,Sub 1,?,?,2 - Medium,2 - Medium,3 - Moderate,{group},{who},"
        "false,false,Do Not Notify,?,?,?,?,code 5,Resolver 1,?,?\n"
    )


def test_a_snapshot_log_orders_ties_by_sys_mod_count_and_collapses_repeats(write):
    # INC1's three updates share one minute and are written in reverse; mod 1 repeats
    # mod 0's state and handler. INC2 has a date that cannot be read (row 6, line 7).
    rows = [
        snapshot_row("INC1", "Active", 2, "13/3/2016 10:00", "G2", "U2"),
        snapshot_row("INC1", "New", 1, "13/3/2016 10:00", "G1", "U1"),
        snapshot_row("INC1", "New", 0, "13/3/2016 10:00", "G1", "U1"),
        snapshot_row("INC1", "Closed", 3, "14/3/2016 09:30", "G2", "U2"),
        snapshot_row("INC2", "New", 0, "1/3/2016 08:00", "?", "?"),
        snapshot_row("INC2", "Closed", 1, "31/2/2016 08:00", "?", "?"),
    ]
    path = write("incident_event_log.csv", SNAPSHOT_HEAD + "".join(rows))
    with jm.read_log(str(path)) as log:
        assert log.preset == "servicenow"
        assert (log.rows_read, log.rejected_rows, log.events, log.cases) == (6, 1, 4, 2)
        assert log.repeats is not None and (log.repeats.events, log.repeats.collapsed) == (1, True)
        events = log.to_pandas()
        assert list(
            zip(events["case"], events["activity"], events["sys_mod_count"], strict=True)
        ) == [
            ("INC1", "New", "0"),
            ("INC1", "Active", "2"),
            ("INC1", "Closed", "3"),
            ("INC2", "New", "0"),
        ]
        assert list(events["team"].fillna("-")) == ["G1", "G2", "G2", "-"]
        rejects = log.rejects()
        assert rejects[["source_row", "line", "reason"]].values.tolist() == [
            [6, 7, "unreadable sys_updated_at: '31/2/2016 08:00' is not d/m/yyyy HH:MM"]
        ]
        # the record's values as read, '?' too: the snapshot keeps the file's columns
        shown = rejects[["number", "incident_state", "sys_updated_at", "assignment_group"]]
        assert shown.values.tolist() == [["INC2", "Closed", "31/2/2016 08:00", "?"]]


@pytest.mark.slow
def test_a_scaled_down_incident_event_log_gives_every_incident_as_a_case(tmp_path):
    (tmp_path / "servicenow").mkdir()
    fixture = _sn_snapshots(_history(400, 5), tmp_path)
    written = fixture.expected
    incidents = written["case"].nunique()
    with jm.read_log(str(fixture.path)) as log:
        assert log.preset == "servicenow"
        assert (log.rows_read, log.rejected_rows, log.cases) == (len(written), 0, incidents)
        assert log.repeats is not None and log.repeats.collapsed
        assert log.events == len(written) - log.repeats.events
        events = log.to_pandas()
    # Within each incident, the updates kept are in sys_mod_count order (a reopening's
    # event is a copy of the update that reopened it, just before it).
    reopened = events["activity"] == "Reopened"
    assert reopened.sum() == (fixture.expected["activity"] == "Reopened").sum() > 0
    updates = events[~reopened]
    mods = updates["sys_mod_count"].astype(int)
    assert (mods.groupby(updates["case"]).diff().dropna() > 0).all()
    assert incidents == 400


# -- warnings, rejects and outputs -------------------------------------------------------


def test_a_truncated_changelog_is_a_warning_in_inspect_and_summary(exports, tmp_path):
    path = str(exports["jira_search"].path)
    said = (
        "1 changelog is truncated (total > histories given): SD-14 (2 of 13 histories); "
        "page /rest/api/2/issue/{key}/changelog for their full history"
    )
    result = CliRunner().invoke(cli, ["inspect", path])
    assert result.exit_code == 0, result.output
    assert f"  ! {said}" in result.stdout.splitlines()
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", path, "-o", str(out), "--no-report"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert said in summary["data_quality"]["warnings"]
    assert summary["read_as"] == {"preset": "jira", "reason": "Jira REST issues with changelog"}


def test_preset_rejects_are_in_the_rejects_file_with_their_record(write, tmp_path):
    path = write(
        "changes.csv",
        "record,field,old_value,new_value,changed_at,changed_by\n"
        "R1,status,,Open,2024-01-01T09:00:00Z,ann\n"
        "R1,status,Open,Closed,not a time,ann\n"
        "R2,status,,Open,2024-01-02T09:00:00Z,bob\n"
        "R2,priority,,High,2024-01-02T10:00:00Z,bob\n",
    )
    rejects = tmp_path / "rejects.csv"
    result = CliRunner().invoke(cli, ["inspect", str(path), "--rejects", str(rejects)])
    assert result.exit_code == 0, result.output
    assert "Read as fieldchanges" in result.stdout
    # The export's rows are its records, which the user counts: 4, of which one gave no
    # event (a priority change) and one was rejected; the other two are the events.
    shown = [line.split() for line in result.stdout.splitlines()[2:6]]
    assert shown == [["records", "read", "4"], ["accepted", "3"], ["rejected", "1"],
                     ["events", "2"]]  # fmt: skip
    assert "changes.csv: 1 of 4 records rejected (1 unreadable changed_at); see " in result.stderr
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("2,3,")
    assert "not a time" in lines[1]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # rows_read stays the engine's rows (events and rejects); records_read is the export's
    counts = ("rows_read", "records_read", "accepted", "events", "rejected_rows")
    assert [summary[k] for k in counts] == [3, 4, 2, 2, 1]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<p>4 records read, 1 rejected, 2 events made of the rest; times in UTC.</p>" in page


def _zendesk_reopened(tickets: int = 2) -> str:
    """Ticket Audits in which each ticket is created, moved to another group, opened,
    solved, reopened and solved again (6 audits, 7 events: the reopening gives
    'Reopened' and 'open'), then two audits the reader cannot read."""

    def change(field: str, value: object, previous: object = None) -> dict:
        kind = "Create" if previous is None and field == "status" else "Change"
        return {"id": 1, "type": kind, "field_name": field, "value": value,
                "previous_value": previous}  # fmt: skip

    steps = [
        ("10:00", [change("status", "new"), change("group_id", 7)]),
        ("10:05", [change("group_id", 8, 7)]),
        ("10:09", [change("assignee_id", "20"), change("status", "open", "new")]),
        ("11:00", [change("status", "solved", "open")]),
        ("12:00", [change("status", "open", "solved")]),
        ("13:00", [change("status", "solved", "open")]),
    ]
    audits = [
        {"id": 10 * t + n, "ticket_id": t, "created_at": f"2024-03-0{t}T{at}:00Z",
         "author_id": 10, "via": {"channel": "web", "source": {}}, "events": events}
        for t in range(1, tickets + 1) for n, (at, events) in enumerate(steps)
    ]  # fmt: skip
    closing = [change("status", "closed", "solved")]
    audits.append({"id": 98, "created_at": "2024-03-01T14:00:00Z", "events": closing})
    audits.append({"id": 99, "ticket_id": 2, "created_at": "soon", "events": closing})
    return json.dumps({"audits": audits})


def test_records_that_gave_more_events_are_counted_apart_from_them(write, tmp_path):
    # 14 audits, 2 unreadable: the other 12 give 14 events. Records and events are
    # counted each in their unit: the 2 rejected are audits, not events.
    path = str(write("audits.json", _zendesk_reopened()))
    result = CliRunner().invoke(cli, ["inspect", path])
    assert result.exit_code == 0, result.output
    shown = [line.split() for line in result.stdout.splitlines()[2:7]]
    # All 14 events made are kept: no second "events 14" line says it again.
    assert shown == [["records", "read", "14"], ["accepted", "12"], ["rejected", "2"],
                     ["events", "made", "14"], ["cases", "2"]]  # fmt: skip
    why = "(2 the audit has no ticket_id or no valid created_at)"
    assert f"audits.json: 2 of 14 records rejected {why}" in result.stderr
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", path, "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    counts = ("rows_read", "records_read", "records_rejected", "rejected_rows", "events")
    assert [summary[k] for k in counts] == [16, 14, 2, 2, 14]
    assert f"2 of 14 records rejected {why}" in summary["data_quality"]["warnings"]
    assert [d for d in summary["doubts"] if "rejected" in d] == [
        f"2 of 14 records (14%) were rejected {why} and are in no figure: "
        "tables/rejects.csv gives each with its reason; fix the export and mine it again"
    ]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<p>14 records read, 2 rejected, 14 events made of the rest; times in UTC.</p>" in page


# -- OCEL 2.0 --------------------------------------------------------------------------


@pytest.mark.datasets
@pytest.mark.parametrize("suffix", ["jsonocel", "xmlocel", "sqlite"])
@pytest.mark.parametrize(
    ("object_type", "events", "cases"),
    [
        ("Purchase Requisition", 3, ["PR1"]),
        ("Purchase Order", 5, ["PO1", "PO2"]),
        ("Invoice", 9, ["R1", "R2", "R3"]),
        ("Payment", 3, ["P1", "P2", "P3"]),
        (None, 5, ["PO1", "PO2"]),  # chosen: its name says order
    ],
)
def test_the_ocel_examples_load_with_each_object_type(suffix, object_type, events, cases):
    path = OCEL / f"ocel20_example.{suffix}"
    if not path.exists():
        pytest.skip("../shared/datasets is not here")
    with jm.read_log(str(path), object_type=object_type) as log:
        assert log.preset == "ocel"
        assert (log.events, log.rejected_rows) == (events, 0)
        assert sorted(log.to_pandas()["case"].unique()) == cases


@pytest.mark.datasets
def test_inspect_lists_the_object_types_and_takes_object_type():
    path = str(OCEL / "ocel20_example.jsonocel")
    if not Path(path).exists():
        pytest.skip("../shared/datasets is not here")
    result = CliRunner().invoke(cli, ["inspect", path, "--object-type", "Invoice"])
    assert result.exit_code == 0, result.output
    assert (
        "  - OCEL 2.0 JSON: 13 events, 9 objects, 20 event-object links; object types (events "
        "related): 'Invoice' 9, 'Payment' 3, 'Purchase Order' 5, 'Purchase Requisition' 3"
    ) in result.stdout.splitlines()
    assert "  cases                       3" in result.stdout
    result = CliRunner().invoke(cli, ["inspect", path, "--object-type", "Truck"])
    assert result.exit_code == 2  # given wrong, as an unknown column is
    assert result.stderr == (
        "Error: ocel20_example.jsonocel: has no object type 'Truck'; the object types are: "
        "'Invoice' (9 events), 'Payment' (3 events), 'Purchase Order' (5 events), "
        "'Purchase Requisition' (3 events)\n"
    )


def test_object_type_on_a_plain_log_is_one_clear_line():
    result = CliRunner().invoke(cli, ["inspect", str(SAMPLE_LOG), "--object-type", "Customer"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {SAMPLE_LOG}: --object-type chooses the case notion of an OCEL 2.0 log; "
        "this source is read by the csv connector\n"
    )


def test_object_type_in_the_config_file(write):
    path = OCEL / "ocel20_example.jsonocel"
    if not path.exists():
        pytest.skip("../shared/datasets is not here")
    config = write("ocel.toml", '[read]\nobject_type = "Payment"\n')
    result = CliRunner().invoke(cli, ["inspect", str(path), "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases"] == 3
