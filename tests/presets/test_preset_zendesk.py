"""The Zendesk preset: Ticket Audits and Incremental Ticket Events written here."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from preset_checks import head, one_line_error, recognisers, rows

from journeymap.connectors.presets import PresetReject
from journeymap.connectors.presets.zendesk import FOLLOW_UP, ZendeskPreset
from journeymap.errors import EmptyLogError, SourceError

Write = Callable[..., Path]
PRESET = ZendeskPreset()
ROLES = ("case", "activity", "timestamp", "resource", "team", "customer", "channel")


def _change(kind: str, field: str, value: Any, previous: Any = None) -> dict[str, Any]:
    return {"id": 1, "type": kind, "field_name": field, "value": value,
            "previous_value": previous}  # fmt: skip


def _audits() -> list[dict[str, Any]]:
    """One ticket as the public sample shows it: 4 audits (api, web, rule, web), status
    new -> solved with the assignee and group set in the same audit."""
    return [
        {"id": 1, "ticket_id": 77, "created_at": "2024-03-01T10:00:00Z", "author_id": 10,
         "via": {"channel": "api", "source": {}}, "events": [
             _change("Create", "status", "new"), _change("Create", "requester_id", "10"),
             _change("Create", "priority", "normal"),
             {"id": 2, "type": "Comment", "body": "Help", "public": True}]},
        {"id": 2, "ticket_id": 77, "created_at": "2024-03-01T10:05:00Z", "author_id": 20,
         "via": {"channel": "web", "source": {}}, "events": [
             _change("Change", "assignee_id", "20"), _change("Change", "group_id", 7),
             _change("Change", "status", "solved", "new")]},
        {"id": 3, "ticket_id": 77, "created_at": "2024-03-01T10:06:00Z", "author_id": -1,
         "via": {"channel": "rule", "source": {}}, "events": [
             {"id": 5, "type": "Notification", "subject": "Solved"}]},
        {"id": 4, "ticket_id": 77, "created_at": "2024-03-01T11:00:00Z", "author_id": 10,
         "via": {"channel": "web", "source": {}}, "events": [
             {"id": 6, "type": "Comment", "body": "Thanks", "public": True}]},
    ]  # fmt: skip


EXPECTED = [
    ("77", "new", "2024-03-01T10:00:00Z", None, None, "10", "api"),
    ("77", "solved", "2024-03-01T10:05:00Z", "20", "7", "10", "api"),
]


def test_ticket_audits(write: Write) -> None:
    path = write("audits.json", json.dumps({"audits": _audits(), "next_page": None}))
    assert PRESET.recognise(path, head(path)) == "Zendesk Ticket Audits (audits[])"
    table = PRESET.read(path)
    assert rows(table, *ROLES) == EXPECTED
    assert table.table.column("author_id").to_pylist() == ["10", "20"]
    assert table.records == 4
    assert table.notes == [
        "events from changes of 'status': 2",
        "resource is 'assignee_id' as in force at each event's time (1 change replayed)",
        "team is 'group_id' as in force at each event's time (1 change replayed)",
        "customer is 'requester_id' as in force at each event's time (1 change replayed)",
        "child events of other fields were not read: priority (1)",
        "channel is via.channel of the audit that created the ticket",
        "system audits (author -1) that change no status, assignee, group or requester, skipped: 1",
        "audits that change no status, assignee, group or requester (comments, other fields), "
        "no event: 1",
    ]


def test_a_list_of_audits(write: Write) -> None:
    path = write("ticket_77_audits.json", json.dumps(_audits()))
    assert recognisers(path) == {"zendesk"}
    assert rows(PRESET.read(path), *ROLES) == EXPECTED


def test_ticket_events_in_both_change_forms(write: Write) -> None:
    events = [
        {"id": 1, "ticket_id": 77, "timestamp": 1709287200, "updater_id": 10, "via": "Web form",
         "event_type": "Audit", "child_events": [
             {"id": 11, "event_type": "Create", "status": "new"},
             {"id": 12, "event_type": "Create", "requester_id": 10}]},
        {"id": 2, "ticket_id": 77, "created_at": "2024-03-01T10:05:00Z", "timestamp": 1709287500,
         "updater_id": 20, "via": "Web form", "event_type": "Audit", "child_events": [
             {"id": 13, "event_type": "Change", "field_name": "assignee_id", "value": "20",
              "previous_value": None},
             {"id": 14, "event_type": "Change", "group_id": 7, "previous_value": None},
             {"id": 15, "event_type": "Change", "status": "solved", "previous_value": "new"},
             {"id": 16, "event_type": "Comment", "body": "Done", "author_id": 20}]},
    ]  # fmt: skip
    path = write("ticket_events.json", json.dumps({"ticket_events": events, "count": 2}))
    assert recognisers(path) == {"zendesk"}
    table = PRESET.read(path)
    assert rows(table, *ROLES) == [
        ("77", "new", "2024-03-01T10:00:00Z", None, None, "10", "Web form"),
        ("77", "solved", "2024-03-01T10:05:00Z", "20", "7", "10", "Web form"),
    ]


def test_a_ticket_created_by_a_rule_has_no_channel(write: Write) -> None:
    audits = _audits()
    audits[0]["via"]["channel"] = "rule"
    table = PRESET.read(write("audits.json", json.dumps({"audits": audits})))
    assert [channel for (channel,) in rows(table, "channel")] == [None, None]
    assert "tickets created by a rule (trigger or automation), with no channel: 1" in table.notes


def test_a_follow_up_of_a_closed_ticket_is_a_repeat_contact(write: Write) -> None:
    """via.channel closed_ticket says how the ticket was made (the customer wrote again
    after a ticket closed), not how the customer came in: no channel. The customer came
    back about a closed ticket: the ticket begins with a repeat-contact event, so that
    failure demand counts it (it had been value demand, the rule's 14 days running from
    the first ticket's automatic closure)."""
    import journeymap as jm

    audits = _audits()
    audits[0]["via"]["channel"] = "closed_ticket"
    path = write("audits.json", json.dumps({"audits": audits}))
    table = PRESET.read(path)
    assert [channel for (channel,) in rows(table, "channel")] == [None, None, None]
    first, *rest = rows(table, "activity", "timestamp")
    assert first == (FOLLOW_UP, rest[0][1]) and [a for a, _ in rest] == ["new", "solved"]
    assert (
        "follow-up tickets (via closed_ticket: the customer wrote again after a ticket "
        "closed), with no channel, each beginning with an event 'Repeat contact (follow-up "
        "of a closed ticket)' so that failure demand counts it: 1"
    ) in table.notes
    findings = jm.mine(jm.read_log(path))
    assert findings.check.demand.to_pandas()["demand_type"].tolist() == ["failure_activity"]


def test_an_audit_without_ticket_is_rejected(write: Write) -> None:
    audits = _audits()
    del audits[3]["ticket_id"]
    table = PRESET.read(write("audits.json", json.dumps({"audits": audits})))
    assert table.rejects == [
        PresetReject(4, None, "the audit has no ticket_id or no valid created_at")
    ]
    assert rows(table, *ROLES) == EXPECTED


def test_a_group_move_is_an_event_not_a_replay_only(write: Write) -> None:
    # Audit 2 moves the ticket to group 8 alone: an event "Assigned to group 8", noted
    # once among the events made. Audit 3 changes the assignee alone: read for the roles
    # in force only, and noted so.
    audits = _audits()[:2]
    audits[1]["events"] = [_change("Change", "group_id", 8, 7)]
    audits[0]["events"].append(_change("Create", "group_id", 7))
    audits.append({**audits[1], "id": 3, "created_at": "2024-03-01T10:07:00Z",
                   "events": [_change("Change", "assignee_id", "21", "20")]})  # fmt: skip
    audits.append({**audits[1], "id": 4, "created_at": "2024-03-01T10:09:00Z",
                   "events": [_change("Change", "status", "solved", "new")]})  # fmt: skip
    table = PRESET.read(write("audits.json", json.dumps({"audits": audits})))
    assert table.table.column("activity").to_pylist() == ["new", "Assigned to group 8", "solved"]
    notes = [n for n in table.notes if "without a change of" in n or "in force only" in n]
    assert notes == [
        "events from changes of team without a change of 'status' ('Assigned to group ...'): 1",
        "audits that change the assignee, group or requester but not the status, read for "
        "the roles in force only: 1",
    ]


def test_other_systems_json_is_refused(write: Write) -> None:
    path = write("incidents.json", json.dumps({"result": [{"number": "INC1", "sys_id": "a"}]}))
    assert PRESET.recognise(path, head(path)) is None
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "export /api/v2/ticket_audits")


def test_invalid_json_is_refused(write: Write) -> None:
    path = write("cut.json", json.dumps({"audits": _audits()})[:200])
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "is not valid JSON")


def test_no_audits_is_an_empty_log(write: Write) -> None:
    path = write("empty.json", '{"audits": [], "next_page": null}')
    with pytest.raises(EmptyLogError) as error:
        PRESET.read(path)
    one_line_error(error, path, "holds no audits")


def test_audits_without_status_changes_are_refused(write: Write) -> None:
    audits = [a for a in _audits() if a["id"] in (3, 4)]
    path = write("comments.json", json.dumps({"audits": audits}))
    with pytest.raises(EmptyLogError) as error:
        PRESET.read(path)
    one_line_error(error, path, "has no status Create or Change events")
