"""Jira, Zendesk, Salesforce and generic field-change exports of the synthetic log.

The writers behind :func:`journeymap.synthetic.fixtures.write_exports` for the systems
whose history is a list of changes; each returns the file and the events a reader must
give back (see that module for the time line and the state mappings).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pandas as pd

from journeymap.synthetic.exports import (
    _CHANNELS,
    _GROUP_CHANGE,
    OPPORTUNITY_STAGES,
    ZENDESK_STATUSES,
    ExportFixture,
    _changes,
    _expected,
    _id,
    _team_moves,
    _with_moves,
    _with_reopens,
)

__all__ = [
    "field_changes",
    "jira_search",
    "salesforce_case_history",
    "salesforce_opportunity_history",
    "zendesk_audits",
    "zendesk_ticket_events",
]

#: UTC offsets of the Jira issues' times, by case number modulo 3.
JIRA_OFFSETS = ("+0000", "-0500", "+0100")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts keyed by column name."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def _by_case(frame: pd.DataFrame, key: tuple[str, ...] = ("case",)) -> dict[Any, list[dict]]:
    """The frame's rows as dicts, grouped by ``key`` in one pass (groups in row order)."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for record in _records(frame):
        name = record[key[0]] if len(key) == 1 else tuple(record[k] for k in key)
        groups.setdefault(name, []).append(record)
    return groups


def _numeric_id(kind: str, name: object) -> str | None:
    """A stable numeric id for a name, as Zendesk writes ids."""
    return None if not isinstance(name, str) else str(int(_id(kind, name, 8), 16))


def _sf_id(prefix: str, kind: str, name: object) -> str | None:
    """A stable 15-character Salesforce id with the object's prefix."""
    return None if not isinstance(name, str) else prefix + _id(kind, name, 12)


def _first_per_case(h: pd.DataFrame, column: str) -> pd.Series:
    """Each event's value of ``column`` at its case's first event."""
    return h["case"].map(h[h["pos"] == 0].set_index("case")[column])


def _user_id(name: object) -> str | None:
    """A Jira Server user name made from a display name (ann.lee)."""
    return name.lower().replace(" ", ".") if isinstance(name, str) else None


def _jira_stamp(at: pd.Timestamp, offset: str) -> str:
    """A UTC time as Jira writes it: local time with milliseconds and a ``±HHMM`` offset."""
    sign = -1 if offset[0] == "-" else 1
    shift = pd.Timedelta(hours=sign * int(offset[1:3]), minutes=sign * int(offset[3:]))
    return (at + shift).strftime("%Y-%m-%dT%H:%M:%S.000") + offset


def _jira_item(change: dict[str, Any]) -> dict[str, Any]:
    """A changelog item of a status or assignee change."""
    if change["field"] == "status":
        return {"field": "status", "fieldtype": "jira", "from": "1", "fromString": change["old"],
                "to": "3", "toString": change["new"]}  # fmt: skip
    return {"field": "assignee", "fieldtype": "jira", "from": _user_id(change["old"]),
            "fromString": change["old"], "to": _user_id(change["new"]),
            "toString": change["new"]}  # fmt: skip


def _jira_issue(
    events: list[dict[str, Any]], changes: list[dict[str, Any]], keep: int | None
) -> dict[str, Any]:
    """One issue with its changelog (cut to ``keep`` histories when given)."""
    first, final = events[0], events[-1]
    n = int(first["n"])
    offset = JIRA_OFFSETS[n % 3]
    histories = []
    by_pos: dict[int, list[dict[str, Any]]] = {}
    for change in changes:
        by_pos.setdefault(int(change["pos"]), []).append(change)
    for pos, items in sorted(by_pos.items()):
        entries = [_jira_item(change) for change in items]
        if pos == 1:
            entries.append({"field": "labels", "fieldtype": "jira", "from": None,
                            "fromString": "", "to": None, "toString": "urgent"})  # fmt: skip
        event = events[pos]
        history_id, author = str(10_000 * n + pos), _user_id(event["resource"])
        histories.append({"id": history_id, "items": entries, "author": {"name": author or "bot"},
                          "created": _jira_stamp(event["at"], offset)})  # fmt: skip
    total = len(histories)
    histories = histories[:keep]
    teams = [e["team"] for e in events if isinstance(e["team"], str)]
    assignee = final["resource_now"]
    return {
        "expand": "operations,changelog", "id": str(10_000 + n), "key": f"SD-{n}",
        "self": f"https://jira.example.org/rest/api/2/issue/{10_000 + n}",
        "fields": {
            "summary": final["service"], "status": {"name": final["activity"]},
            "created": _jira_stamp(first["at"], offset),
            "updated": _jira_stamp(final["at"], offset),
            "assignee": {"name": _user_id(assignee), "displayName": assignee}
            if isinstance(assignee, str) else None,
            "reporter": {"name": final["customer"], "displayName": final["customer"]},
            "components": [{"name": teams[0]}] if teams else [],
        },
        "changelog": {"startAt": 0, "maxResults": len(histories), "total": total,
                      "histories": histories},
    }  # fmt: skip


def jira_search(h: pd.DataFrame, root: Path) -> ExportFixture:
    """Search results with changelogs; the issue with most histories is cut to 2 of them."""
    rows = _changes(h, {"status": h["activity"], "assignee": h["resource"]})
    rows = rows[rows["pos"] > 0]
    cut = str(rows.groupby("case")["pos"].nunique().idxmax())
    changes = _by_case(rows)
    issues = [
        _jira_issue(events, changes.get(case, []), 2 if case == cut else None)
        for case, events in _by_case(h).items()
    ]
    path = root / "jira" / "search.json"
    document = {"expand": "names,schema", "startAt": 0, "maxResults": 50, "total": len(issues),
                "issues": issues}  # fmt: skip
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    # The cut issue: events up to its second history; with no assignee item left, the
    # current assignee (the final one) is the value in force.
    kept_pos = sorted(rows.loc[rows["case"] == cut, "pos"].unique())[:2]
    in_cut = h["case"] == cut
    k = h["new_activity"] & (~in_cut | (h["pos"] <= max(kept_pos, default=0)))
    resource = h["resource_now"].map(_user_id)
    items = rows[(rows["case"] == cut) & rows["pos"].isin(kept_pos)]
    if not (items["field"] == "assignee").any():
        resource = resource.mask(in_cut, _user_id(h.loc[in_cut, "resource_now"].iloc[-1]))
    # The issues' components are their current values: the preset keeps them as an
    # attribute, not as the team (no hand-off is counted between them).
    expected = {"case": "SD-" + h["n"].astype(str)[k], "activity": h["activity"][k],
                "timestamp": h["iso"][k], "resource": resource[k],
                "customer": h["customer"][k]}  # fmt: skip
    return ExportFixture(path, "jira", len(issues), _expected(expected))


def _zendesk_rows(h: pd.DataFrame) -> pd.DataFrame:
    """The Zendesk field changes of the log (status, requester, assignee, group)."""
    return _changes(h, {
        "status": h["code"].map(ZENDESK_STATUSES),
        "requester_id": h["customer"].map(lambda c: _numeric_id("user", c)).where(h["pos"] == 0),
        "assignee_id": h["resource"].map(lambda r: _numeric_id("agent", r)),
        "group_id": h["team"].map(lambda t: _numeric_id("group", t)),
    })  # fmt: skip


def _zendesk_expected(h: pd.DataFrame, channel: pd.Series) -> pd.DataFrame:
    """The events a Zendesk reader gives back: one per change of status, and one per
    change of group alone."""
    k = h["new_code"]
    groups = h["team"].map(lambda t: _numeric_id("group", t))
    expected = {
        "case": h["n"].astype(str), "activity": h["code"].map(ZENDESK_STATUSES),
        "timestamp": h["iso"], "resource": h["resource_now"].map(
            lambda r: _numeric_id("agent", r)),
        "team": h["team_now"].map(lambda t: _numeric_id("group", t)),
        "customer": h["customer"].map(lambda c: _numeric_id("user", c)), "channel": channel,
    }  # fmt: skip
    moved = _with_moves(expected, k, _team_moves(h, groups, k), groups)
    return _expected(_with_reopens(moved, h, k))


def _audit(event: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The audit of one event: its changes (Create on the first event), or a comment by
    the requester; ticket 2 is created by a rule."""
    kind = "Create" if event["pos"] == 0 else "Change"
    children: list[dict[str, Any]] = [
        {"id": 1, "type": kind, "field_name": c["field"], "value": c["new"],
         "previous_value": None if kind == "Create" else c["old"]}
        for c in changes
    ]  # fmt: skip
    author = _numeric_id("agent", event["resource"])
    channel = "web"
    if event["pos"] == 0:
        channel = "rule" if event["n"] == 2 else _CHANNELS["zendesk"][event["channel"]]
        author = author or _numeric_id("user", event["customer"])
    if not children:
        author = _numeric_id("user", event["customer"])
        children = [{"id": 2, "type": "Comment", "body": "Any news?", "public": True}]
    return {"ticket_id": int(event["n"]), "created_at": event["iso"],
            "author_id": int(author or -1),
            "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
            "events": children}  # fmt: skip


def _audit_list(h: pd.DataFrame) -> list[dict[str, Any]]:
    """Audits in time order: one per event, and a rule's notification (a system audit
    that changes nothing) a minute after the last event of every third ticket."""
    rows = _zendesk_rows(h)
    by_event = _by_case(rows, ("case", "pos"))
    audits = [_audit(e, by_event.get((e["case"], e["pos"]), [])) for e in _records(h)]
    for n, last in h.groupby("n")["at"].max().items():
        if int(str(n)) % 3 == 0:
            at = (last + pd.Timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            audits.append({"ticket_id": int(str(n)), "created_at": at, "author_id": -1,
                           "via": {"channel": "rule", "source": {}},
                           "events": [{"id": 3, "type": "Notification", "subject": "Update",
                                       "recipients": [1]}]})  # fmt: skip
    audits.sort(key=lambda a: (a["created_at"], a["ticket_id"]))
    return [{"id": 900_000 + i, **audit} for i, audit in enumerate(audits)]


def zendesk_audits(h: pd.DataFrame, root: Path) -> ExportFixture:
    """Ticket Audits ``{"audits": [...]}`` with Create/Change/Comment/Notification events."""
    audits = _audit_list(h)
    path = root / "zendesk" / "audits.json"
    path.write_text(json.dumps({"audits": audits, "next_page": None, "count": len(audits)},
                               indent=1), encoding="utf-8")  # fmt: skip
    channel = _first_per_case(h, "channel").map(_CHANNELS["zendesk"]).mask(h["n"] == 2)
    return ExportFixture(path, "zendesk", len(audits), _zendesk_expected(h, channel))


def zendesk_ticket_events(h: pd.DataFrame, root: Path) -> ExportFixture:
    """Incremental Ticket Events: field-as-key child events on odd tickets, field_name on
    even ones; every other event gives only its unix ``timestamp``."""
    labels = _first_per_case(h, "channel").map(_CHANNELS["zendesk_via"])
    via = dict(zip(h["n"], labels, strict=True))
    events: list[dict[str, Any]] = []
    for audit in _audit_list(h):
        children = []
        for child in audit["events"]:
            form = {k: v for k, v in child.items() if k != "type"}
            if child["type"] in ("Create", "Change") and audit["ticket_id"] % 2:
                value = child["value"]
                form = {child["field_name"]: int(value) if value and value.isdigit() else value,
                        "previous_value": child["previous_value"]}  # fmt: skip
            children.append({**form, "event_type": child["type"]})
        created = any(c["type"] == "Create" for c in audit["events"])
        at = pd.Timestamp(audit["created_at"])
        event = {"id": audit["id"], "ticket_id": audit["ticket_id"],
                 "timestamp": int(at.timestamp()), "created_at": audit["created_at"],
                 "updater_id": audit["author_id"],
                 "via": via[audit["ticket_id"]] if created else "Web form",
                 "event_type": "Audit", "child_events": children}  # fmt: skip
        if len(events) % 2:
            del event["created_at"]
        events.append(event)
    path = root / "zendesk" / "ticket_events.json"
    document = {"ticket_events": events, "next_page": None, "count": len(events),
                "end_of_stream": True, "end_time": events[-1]["timestamp"]}  # fmt: skip
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return ExportFixture(path, "zendesk", len(events), _zendesk_expected(h, labels))


class _CaseOwner:
    """The owner of one Salesforce case as the writer moves it, and the history rows."""

    def __init__(self, case_id: str, team: Any, flip: bool) -> None:
        self.case_id, self.flip = case_id, flip
        self.team = team if isinstance(team, str) else None
        self.owner: tuple[str | None, str | None] = (_sf_id("00G", "queue", self.team), self.team)
        self.rows: list[dict[str, Any]] = []

    def row(self, at: pd.Timestamp, name: str, old: Any, new: Any, kind: str = "Text") -> None:
        """Add one CaseHistory row."""
        self.rows.append({"CaseId": self.case_id, "Field": name, "OldValue": old,
                          "NewValue": new, "DataType": kind, "CreatedDate": at,
                          "IsDeleted": "false"})  # fmt: skip

    def move(self, at: pd.Timestamp, new: tuple[str | None, str | None]) -> None:
        """An owner change, written twice: by id (EntityId) and by name (Text)."""
        pair = [(self.owner[0], new[0], "EntityId"), (self.owner[1], new[1], "Text")]
        for old, value, kind in pair[:: -1 if self.flip else 1]:
            self.row(at, "Owner", old, value, kind)
        self.owner = new

    def user(self) -> str | None:
        """The owner's name when it is a user (the resource), else None: the reader
        shows an id by the name its twin row gives."""
        return self.owner[1] if str(self.owner[0]).startswith("005") else None


def _case_rows(events: list[dict[str, Any]]) -> tuple[_CaseOwner, list[dict[str, Any]]]:
    """History rows of one case and its expected events: a case routed to a new team goes
    to the team's queue a second after the previous event, then to the user who works it."""
    first = events[0]
    n = int(first["n"])
    case = _CaseOwner(f"500{n:012d}", first["team"], flip=n % 2 == 0)
    expected = []
    for i, event in enumerate(events):
        user = (_sf_id("005", "user", event["resource"]), event["resource"])
        if i == 0:
            case.row(event["at"], "created", None, None)
            if n == 1:  # a deleted row, and a field that is not read
                case.row(event["at"] + pd.Timedelta(seconds=1), "Status", "x", "y")
                case.rows[-1]["IsDeleted"] = "true"
                case.row(event["at"], "Priority", None, "Medium")
        elif isinstance(event["team"], str) and event["team"] != case.team:
            case.team = event["team"]
            routed = events[i - 1]["at"] + pd.Timedelta(seconds=1)
            queue = _sf_id("00G", "queue", case.team)
            case.move(routed, (queue, case.team))
            # a change of team alone: an event of its own (EXPORTS.md §5.2, step 5)
            expected.append({"case": case.case_id, "activity": f"{_GROUP_CHANGE}{case.team}",
                             "timestamp": routed.strftime("%Y-%m-%dT%H:%M:%SZ"),
                             "resource": None, "team": case.team,
                             "customer": _sf_id("003", "contact", event["customer"]),
                             "channel": _CHANNELS["origin"][event["channel"]]})  # fmt: skip
        if isinstance(event["resource"], str) and case.owner[0] != user[0]:
            case.move(event["at"], user)
        if i and event["new_activity"]:
            case.row(event["at"], "Status", events[i - 1]["activity"], event["activity"])
        if i == 0 or event["new_activity"]:
            expected.append({"case": case.case_id, "activity": event["activity"],
                             "timestamp": event["iso"], "resource": case.user(),
                             "team": case.team,
                             "customer": _sf_id("003", "contact", event["customer"]),
                             "channel": _CHANNELS["origin"][event["channel"]]})  # fmt: skip
    return case, expected


def salesforce_case_history(h: pd.DataFrame, root: Path) -> ExportFixture:
    """CaseHistory as Data Loader exports it, with ``Case.csv`` beside it."""
    rows, cases, expected = [], [], []
    for events in _by_case(h).values():
        case, more = _case_rows(events)
        rows += case.rows
        expected += more
        first = events[0]
        cases.append({"Id": case.case_id, "CaseNumber": case.case_id[-8:],
                      "ContactId": _sf_id("003", "contact", first["customer"]), "AccountId": "",
                      "Status": events[-1]["activity"],
                      "Origin": _CHANNELS["origin"][first["channel"]],
                      "OwnerId": case.owner[0] or "",
                      "CreatedDate": first["at"].strftime("%Y-%m-%dT%H:%M:%S.000Z")})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame.insert(0, "Id", [f"017{i:012d}" for i in range(len(frame))])
    frame.insert(6, "CreatedById", "005000000000001")
    frame["CreatedDate"] = frame["CreatedDate"].dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    path = root / "salesforce" / "CaseHistory.csv"
    frame.to_csv(path, index=False)
    pd.DataFrame(cases).to_csv(root / "salesforce" / "Case.csv", index=False)
    return ExportFixture(path, "salesforce", len(frame), _expected(pd.DataFrame(expected)))


def salesforce_opportunity_history(h: pd.DataFrame, root: Path) -> ExportFixture:
    """OpportunityHistory as the weekly Data Export writes it: cp1252, every field quoted,
    rows in time order, a snapshot (stage, amount, close date) per change."""
    stage = h["code"].map(OPPORTUNITY_STAGES)
    opportunity = "006" + h["n"].astype(str).str.zfill(12)
    creator = h["resource"].map(lambda r: _sf_id("005", "user", r)).fillna("005000000000001")
    frame = pd.DataFrame({
        "Id": [f"008{i:012d}" for i in range(len(h))], "OpportunityId": opportunity,
        "CreatedById": creator, "CreatedDate": h["raw"], "StageName": stage,
        "Amount": (h["n"] * 100).astype(str), "ExpectedRevenue": "", "CloseDate": "2024-12-31",
        "Probability": "50", "ForecastCategory": "Pipeline", "SystemModstamp": h["raw"],
        "IsDeleted": "0",
    })  # fmt: skip
    path = root / "salesforce" / "OpportunityHistory.csv"
    written = frame.iloc[h.sort_values(["at", "n"], kind="stable").index]
    written.to_csv(path, index=False, quoting=1, encoding="cp1252", lineterminator="\n")
    expected = {"case": opportunity, "activity": stage, "timestamp": h["iso"],
                "resource": creator}  # fmt: skip
    return ExportFixture(path, "salesforce", len(frame), _expected(expected))


def field_changes(h: pd.DataFrame, root: Path) -> ExportFixture:
    """A generic change log: status, assigned_group, assignee and priority changes, with
    times at +01:00, rows in time order."""
    priority = pd.Series("P3", h.index).where(h["pos"] == 0, pd.Series("P2", h.index).where(
        h["pos"] == 2))  # fmt: skip
    rows = _changes(h, {"status": h["activity"], "assigned_group": h["team"],
                        "assignee": h["resource"], "priority": priority})  # fmt: skip
    by = h.assign(changed_by=h["resource"].fillna("system"))[["case", "pos", "changed_by"]]
    rows = rows.merge(by, on=["case", "pos"])
    local = rows["at"].dt.tz_convert("Europe/Paris").dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    frame = pd.DataFrame({"record_id": rows["case"], "field": rows["field"],
                          "old_value": rows["old"], "new_value": rows["new"],
                          "changed_at": local.str.replace(r"(\d\d)(\d\d)$", r"\1:\2", regex=True),
                          "changed_by": rows["changed_by"]})  # fmt: skip
    path = root / "fieldchanges" / "changes.csv"
    frame.iloc[rows.sort_values(["at"], kind="stable").index].to_csv(path, index=False)
    k = h["new_activity"]
    expected = {"case": h["case"][k], "activity": h["activity"][k], "timestamp": h["iso"][k],
                "resource": h["resource_now"][k], "team": h["team_now"][k]}  # fmt: skip
    return ExportFixture(path, "fieldchanges", len(frame), _expected(expected))
