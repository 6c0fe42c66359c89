"""Every preset on the exports written from the synthetic log: recognised by its own
preset only, and read back to exactly the events the writer recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from preset_checks import PRESETS, by_case, events, recognisers

from journeymap.connectors.presets.servicenow_fields import SNAPSHOT_COLUMNS
from journeymap.synthetic.exports import UCI_COLUMNS, ExportFixture
from journeymap.synthetic.fixtures import write_exports
from shared_datasets import datasets_root

FIXTURES = (
    "servicenow_list_csv", "servicenow_list_xlsx", "servicenow_table_api",
    "servicenow_sys_audit", "servicenow_snapshots", "jira_search", "zendesk_audits",
    "zendesk_ticket_events", "salesforce_case_history", "salesforce_opportunity_history",
    "field_changes",
)  # fmt: skip
SAMPLE_LOG = Path(__file__).resolve().parents[2] / "sample_logs" / "service_desk.csv"


def test_the_writer_writes_every_shape(exports: dict[str, ExportFixture]) -> None:
    assert sorted(exports) == sorted(FIXTURES)
    assert (exports["salesforce_case_history"].path.parent / "Case.csv").is_file()


@pytest.mark.parametrize("name", FIXTURES)
def test_recognised_by_its_own_preset_only(exports: dict[str, ExportFixture], name: str) -> None:
    fixture = exports[name]
    assert recognisers(fixture.path) == {fixture.preset}


def test_no_preset_recognises_the_sample_log() -> None:
    assert recognisers(SAMPLE_LOG) == set()


@pytest.mark.parametrize("name", FIXTURES)
def test_reads_back_the_written_events(exports: dict[str, ExportFixture], name: str) -> None:
    fixture = exports[name]
    table = PRESETS[fixture.preset].read(fixture.path)
    got = by_case(events(table))
    expected = by_case(fixture.expected)
    assert list(got.columns) == list(expected.columns)
    assert got.to_dict("records") == expected.to_dict("records")
    assert table.records == fixture.records
    assert table.rejects == []
    assert table.reason


@pytest.mark.parametrize(
    ("name", "cases", "events_read"),
    [
        ("servicenow_list_csv", 24, 137),
        # 86 state changes and 39 changes of assignment_group alone (pandas on the file),
        # and 2 reopenings (from Resolved or Closed back to In Progress: cases 14 and 24)
        ("servicenow_sys_audit", 24, 127),
        ("servicenow_snapshots", 24, 183),  # 181 snapshots, and the 2 reopenings
        ("jira_search", 24, 125),
        ("zendesk_audits", 24, 127),  # the same log: 86 statuses, 39 groups, 2 reopenings
        ("salesforce_case_history", 24, 180),  # 136 statuses, 44 routings to a queue
        ("field_changes", 24, 136),
    ],
)
def test_fixture_sizes(
    exports: dict[str, ExportFixture], name: str, cases: int, events_read: int
) -> None:
    expected = exports[name].expected
    assert (expected["case"].nunique(), len(expected)) == (cases, events_read)


def test_snapshot_options_and_notes(exports: dict[str, ExportFixture]) -> None:
    table = PRESETS["servicenow"].read(exports["servicenow_snapshots"].path)
    assert table.options == {"timestamp_format": "%d/%m/%Y %H:%M", "collapse_repeats": "yes"}
    assert "'?' means missing: assigned_to 33, assignment_group 33 rows" in table.notes
    assert table.table.num_columns == 36


def test_the_jira_fixture_has_one_truncated_changelog(exports: dict[str, ExportFixture]) -> None:
    table = PRESETS["jira"].read(exports["jira_search"].path)
    warnings = [n for n in table.notes if n.startswith("warning:")]
    assert warnings == [
        "warning: 1 changelog is truncated (total > histories given): SD-14 (2 of 13 "
        "histories); page /rest/api/2/issue/{key}/changelog for their full history"
    ]


def test_zendesk_notes_count_what_gave_no_event(exports: dict[str, ExportFixture]) -> None:
    notes = PRESETS["zendesk"].read(exports["zendesk_audits"].path).notes
    assert "tickets created by a rule (trigger or automation), with no channel: 1" in notes
    skipped = "system audits (author -1) that change no status, assignee, group or requester"
    assert f"{skipped}, skipped: 8" in notes


def test_salesforce_notes(exports: dict[str, ExportFixture]) -> None:
    history = PRESETS["salesforce"].read(exports["salesforce_case_history"].path)
    assert "rows marked IsDeleted, skipped: 1" in history.notes
    assert (
        "changes written twice, by id and by name (owner and other lookups): 125; the id rows "
        "are kept, their ids shown by the names given (56)"  # every queue and user id written
    ) in history.notes
    opportunities = PRESETS["salesforce"].read(exports["salesforce_opportunity_history"].path)
    assert opportunities.notes[0] == (
        "OpportunityHistory.csv is not UTF-8: it was read as Windows-1252 (cp1252)"
    )
    assert "Negociación" in set(events(opportunities)["activity"])


def test_the_writer_is_deterministic(tmp_path: Path, exports: dict[str, ExportFixture]) -> None:
    again = write_exports(tmp_path, cases=24, seed=11)
    for name, fixture in again.items():
        if fixture.path.suffix != ".xlsx":  # a workbook's zip stores the time it was written
            assert fixture.path.read_bytes() == exports[name].path.read_bytes(), name


def test_uci_columns_agree() -> None:
    assert UCI_COLUMNS == SNAPSHOT_COLUMNS
    assert len(UCI_COLUMNS) == 36


@pytest.mark.datasets
def test_the_public_logs_are_recognised_only_as_exports() -> None:
    root = datasets_root()
    if not root.is_dir():
        pytest.skip(f"{root} not found")
    found = {
        path.relative_to(root).as_posix(): recognisers(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != "README.md"
    }
    assert {name: by for name, by in found.items() if by} == {
        "exports/jira/issueshark_drill_1_issue.json": {"jira"},
        "exports/jira/issueshark_drill_38_issue.json": {"jira"},
        "exports/servicenow/ibm_incidents_REST.csv": {"servicenow"},
    }
    assert len(found) > 3
