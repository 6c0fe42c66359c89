"""The Jira preset: REST JSON with changelogs, the CSV export, and two real Apache issues."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from preset_checks import head, one_line_error, recognisers, rows

import journeymap as jm
from journeymap.connectors.presets import PresetReject
from journeymap.connectors.presets.jira import COMPONENT_NOTE, JiraPreset
from journeymap.errors import SourceError
from shared_datasets import dataset

Write = Callable[..., Path]
PRESET = JiraPreset()
# The component is the issue's current value: an attribute, not the team.
ROLES = ("case", "activity", "timestamp", "resource", "customer")


def _item(field: str, old: str | None, new: str | None) -> dict[str, Any]:
    return {"field": field, "fieldtype": "jira", "from": old, "fromString": old, "to": new,
            "toString": new}  # fmt: skip


def _search() -> dict[str, Any]:
    first = {
        "key": "SUP-1", "self": "https://jira.example.org/rest/api/2/issue/1",
        "fields": {"created": "2024-03-01T09:00:00.123-0500", "status": {"name": "Done"},
                   "assignee": {"name": "carol"}, "reporter": {"name": "dave"},
                   "components": [{"name": "Billing"}, {"name": "Web"}]},
        "changelog": {"startAt": 0, "maxResults": 3, "total": 3, "histories": [
            {"created": "2024-03-01T10:00:00.000-0500", "author": {"name": "ann"},
             "items": [_item("assignee", None, "bob")]},
            {"created": "2024-03-10T09:30:00.000-0400", "author": {"name": "bob"},
             "items": [_item("status", "Open", "In Progress"), _item("assignee", "bob", "carol")]},
            {"created": "2024-03-11T12:00:00.500+0000", "author": {"name": "carol"},
             "items": [_item("resolution", None, "Fixed"), _item("status", "In Progress", "Done")]},
        ]},
    }  # fmt: skip
    second = {
        "key": "SUP-2", "self": "https://jira.example.org/rest/api/2/issue/2",
        "fields": {"created": "2024-03-02T08:00:00.000+0100", "status": {"name": "Waiting"},
                   "assignee": None, "reporter": {"accountId": "erin-id"}, "components": []},
        "changelog": {"startAt": 0, "maxResults": 0, "total": 5, "histories": []},
    }  # fmt: skip
    return {"startAt": 0, "maxResults": 50, "total": 2, "issues": [first, second]}


def test_search_results_with_changelogs(write: Write) -> None:
    path = write("search.json", json.dumps(_search()))
    assert recognisers(path) == {"jira"}
    table = PRESET.read(path)
    assert rows(table, *ROLES) == [
        ("SUP-1", "Open", "2024-03-01T14:00:00.123Z", None, "dave"),
        ("SUP-1", "In Progress", "2024-03-10T13:30:00.000Z", "carol", "dave"),
        ("SUP-1", "Done", "2024-03-11T12:00:00.500Z", "carol", "dave"),
        ("SUP-2", "Waiting", "2024-03-02T07:00:00.000Z", None, "erin-id"),
    ]
    assert table.table.column("author").to_pylist() == [None, "bob", "carol", None]
    assert table.table.column("current_component").to_pylist() == ["Billing"] * 3 + [None]
    assert "team" not in table.mapping
    assert table.records == 2
    assert "changelog items of other fields were not read: resolution (1)" in table.notes
    assert COMPONENT_NOTE in table.notes
    # Without any component, nothing is said of one.
    plain = _search()
    plain["issues"][0]["fields"]["components"] = []
    assert COMPONENT_NOTE not in PRESET.read(write("plain.json", json.dumps(plain))).notes
    assert table.notes[-1] == (
        "warning: 1 changelog is truncated (total > histories given): SUP-2 (0 of 5 "
        "histories); page /rest/api/2/issue/{key}/changelog for their full history"
    )


def test_one_issue_and_a_rejected_issue(write: Write) -> None:
    issue = _search()["issues"][0]
    path = write("issue.json", json.dumps(issue))
    assert PRESET.recognise(path, head(path)) == "a Jira REST issue (key, fields, self /rest/api/)"
    assert len(rows(PRESET.read(path), "case")) == 3
    broken = _search()
    del broken["issues"][1]["fields"]["created"]
    table = PRESET.read(write("broken.json", json.dumps(broken)))
    assert table.rejects == [PresetReject(2, None, "issue SUP-2 has no fields.created")]
    assert {case for (case,) in rows(table, "case")} == {"SUP-1"}


CSV_EXPORT = "".join(
    line + "\n"
    for line in (
        "Summary,Issue key,Issue id,Issue Type,Status,Assignee,Reporter,Created,Updated,"
        "Resolved,Component/s,Component/s",
        "Printer jam,SUP-1,10001,Bug,Done,Carol,Dave,01/Mar/24 9:00 AM,11/Mar/24 12:00 PM,"
        "11/Mar/24 12:00 PM,Billing,Web",
        "Login,SUP-2,10002,Task,Waiting,,Erin,02/Mar/24 8:00 AM,03/Mar/24 3:15 PM,,,",
    )
)


def test_csv_export_gives_created_and_current_status(write: Write) -> None:
    path = write("jira.csv", CSV_EXPORT)
    assert recognisers(path) == {"jira"}
    table = PRESET.read(path)
    assert rows(table, *ROLES) == [
        ("SUP-1", "Created", "01/Mar/24 9:00 AM", None, "Dave"),
        ("SUP-1", "Done", "11/Mar/24 12:00 PM", "Carol", "Dave"),
        ("SUP-2", "Created", "02/Mar/24 8:00 AM", None, "Erin"),
        ("SUP-2", "Waiting", "03/Mar/24 3:15 PM", None, "Erin"),
    ]
    assert table.options == {"timestamp_format": "%d/%b/%y %I:%M %p"}
    assert table.table.column("current_component").to_pylist() == ["Billing"] * 2 + [None] * 2
    assert "team" not in table.mapping
    assert table.notes[0].startswith("the CSV export holds no history")
    assert table.records == 2


def test_a_csv_row_resaved_in_another_date_shape_does_not_unread_the_file(write: Write) -> None:
    """Two issues in Jira's shape, one resaved by a spreadsheet ('6/21/2025 16:14'):
    Jira's format is still given; the odd row's events are rejected with their reason."""
    odd = "Odd,SUP-3,10003,Task,Done,Carol,Erin,6/21/2025 16:14,6/22/2025 9:00,,,"
    path = write("jira.csv", CSV_EXPORT + odd + "\n")
    assert PRESET.read(path).options == {"timestamp_format": "%d/%b/%y %I:%M %p"}
    log = jm.read_log(str(path))
    assert (log.events, log.rejected_rows) == (4, 2)
    assert set(log.rejects()["reason"].str.split(":").str[0]) == {"unreadable timestamp"}


def test_issues_without_changelog_are_refused(write: Write) -> None:
    bare = {"issues": [{"key": "A-1", "fields": {"created": "2024-01-01T00:00:00.000+0000"}}]}
    path = write("bare.json", json.dumps(bare))
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "export them with expand=changelog")


def test_a_file_cut_inside_a_changelog_is_refused(write: Write) -> None:
    text = json.dumps(_search())
    path = write("cut.json", text[: text.index('"histories"') + 40])
    assert PRESET.recognise(path, head(path)) is not None
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "the file is damaged or cut short; export it again")


def test_a_file_in_another_encoding_says_where_it_stops_being_utf8(write: Write) -> None:
    # "café" saved as Latin-1: the é is byte 0xE9, at offset 53 counting from 0.
    path = write("latin1.json", '{"issues": [{"key": "A-1", "fields": {"summary": "café"}}]}',
                 encoding="latin-1")  # fmt: skip
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    assert path.read_bytes()[53] == 0xE9
    one_line_error(error, path, "is not valid UTF-8 at byte offset 53; export the JSON again")


def test_issues_given_twice_are_read_once(write: Write) -> None:
    twice = _search()
    twice["issues"].append(twice["issues"][0])
    table = PRESET.read(write("pages.json", json.dumps(twice)))
    assert len(rows(table, "case")) == 4
    assert "issues given more than once, read once: 1" in table.notes


def test_other_systems_json_is_refused(write: Write) -> None:
    path = write("audits.json", json.dumps({"audits": [{"ticket_id": 1, "events": []}]}))
    assert PRESET.recognise(path, head(path)) is None
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "export /rest/api/2/search?expand=changelog")


def test_issues_that_cannot_be_read_are_refused(write: Write) -> None:
    path = write("keyless.json", json.dumps({"issues": [{"fields": {}}]}))
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "no issue has a key, fields and fields.created")


def test_a_csv_without_status_is_refused(write: Write) -> None:
    path = write("x.csv", "Issue key,Issue id,Created\nA-1,1,01/Mar/24 9:00 AM\n")
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "has no 'Status' column")


@pytest.mark.datasets
def test_drill_1() -> None:
    path = dataset("exports/jira/issueshark_drill_1_issue.json")
    assert recognisers(path) == {"jira"}
    table = PRESET.read(path)
    # 6 histories, 7 items: one status item (Open -> Resolved).
    assert rows(table, *ROLES) == [
        ("DRILL-1", "Open", "2012-09-05T16:34:55.991Z", None, "mhausenblas"),
        ("DRILL-1", "Resolved", "2014-05-28T22:58:39.071Z", None, "mhausenblas"),
    ]
    assert (
        "changelog items of other fields were not read: Workflow (3), Link (1), resolution (1), "
        "Fix Version (1)"
    ) in table.notes
    assert not [n for n in table.notes if n.startswith("warning")]


@pytest.mark.datasets
def test_drill_38() -> None:
    path = dataset("exports/jira/issueshark_drill_38_issue.json")
    table = PRESET.read(path)
    # 7 histories, 9 items: two status items and the assignee set before the first.
    assert rows(table, *ROLES) == [
        ("DRILL-38", "Open", "2013-02-24T02:04:42.952Z", None, "chrismerrick"),
        ("DRILL-38", "In Progress", "2013-02-24T17:43:46.087Z", "cmerrick", "chrismerrick"),
        ("DRILL-38", "Closed", "2013-02-25T04:02:52.996Z", "cmerrick", "chrismerrick"),
    ]
    assert "resource is 'assignee' as in force at each event's time (1 change replayed)" in (
        table.notes
    )
