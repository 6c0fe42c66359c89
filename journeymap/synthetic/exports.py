"""Source-system exports written from the synthetic service-desk log, with known events.

:func:`journeymap.synthetic.fixtures.write_exports` takes a small log from
:func:`journeymap.synthetic.generate_log` and writes it in the shape each preset reads
(ServiceNow, Jira, Zendesk, Salesforce, a generic field-change log), each with the
events a correct reader must give back. The files are fixtures for tests and demos:
deterministic for a seed, a few dozen cases.

The time line is the log's, made strictly increasing within each case (at least two
seconds apart) so that every change has its own time. Activities become states thus:

- list exports (ServiceNow CSV and XLSX), Jira, Salesforce ``CaseHistory`` and the
  generic log keep the activity as the status; field-change shapes record a change
  only when the status differs from the one before;
- raw-code and fixed-list systems use :data:`STATE_CODES` (activity -> ServiceNow state
  code, default 2 In Progress), then :data:`UCI_STATES`, :data:`ZENDESK_STATUSES` or
  :data:`OPPORTUNITY_STAGES` for the code.

Handlers: the resource and team in force at an event are the last known ones of the
case (automated events leave them as they were), as the history shapes record them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.synthetic.generator import generate_log

__all__ = [
    "OPPORTUNITY_STAGES",
    "STATE_CODES",
    "UCI_COLUMNS",
    "UCI_STATES",
    "ZENDESK_STATUSES",
    "ExportFixture",
]

#: Activity -> ServiceNow incident state code (others: 2, In Progress).
STATE_CODES = {
    "Call received": "1", "E-mail received": "1", "Letter received": "1",
    "Online form submitted": "1", "Branch visit": "1", "Request information": "3",
    "Collection completed": "6", "Repair leak": "6", "Apply discount": "6",
    "Issue corrected bill": "6", "Install connection": "6", "Close request": "7",
}  # fmt: skip
SN_LABELS = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed"}
UCI_STATES = {"1": "New", "2": "Active", "3": "Awaiting User Info", "6": "Resolved",
              "7": "Closed"}  # fmt: skip
ZENDESK_STATUSES = {"1": "new", "2": "open", "3": "pending", "6": "solved", "7": "closed"}
OPPORTUNITY_STAGES = {"1": "Prospección", "2": "Calificación", "3": "Negociación",
                      "6": "Propuesta", "7": "Cerrada ganada"}  # fmt: skip
_CHANNELS = {  # the log's channel -> each system's value
    "sn_raw": {"phone": "phone", "web": "self-service", "e-mail": "email", "letter": "letter",
               "branch": "walk-in"},
    "sn_label": {"phone": "Phone", "web": "Self-service", "e-mail": "Email", "letter": "Letter",
                 "branch": "Walk-in"},
    "uci": {"phone": "Phone", "web": "Self service", "e-mail": "Email", "letter": "Letter",
            "branch": "Direct opening"},
    "zendesk": {"phone": "voice", "web": "web", "e-mail": "email", "letter": "api",
                "branch": "web"},
    "zendesk_via": {"phone": "Voice", "web": "Web form", "e-mail": "Mail", "letter": "API",
                    "branch": "Web form"},
    "origin": {"phone": "Phone", "web": "Web", "e-mail": "Email", "letter": "Letter",
               "branch": "Walk-in"},
}  # fmt: skip
#: The 36 columns of the UCI "Incident management process enriched event log".
UCI_COLUMNS = (
    "number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count",
    "made_sla", "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at",
    "sys_updated_by", "sys_updated_at", "contact_type", "location", "category", "subcategory",
    "u_symptom", "cmdb_ci", "impact", "urgency", "priority", "assignment_group", "assigned_to",
    "knowledge", "u_priority_confirmation", "notify", "problem_id", "rfc", "vendor", "caused_by",
    "closed_code", "resolved_by", "resolved_at", "closed_at",
)  # fmt: skip
_ROLES = ("case", "activity", "timestamp", "resource", "team", "customer", "channel")


@dataclass(frozen=True)
class ExportFixture:
    """One written export and what reading it must give.

    Attributes
    ----------
    path : the file written.
    preset : the name of the preset that reads it.
    records : source records written (rows, audits or issues).
    expected : the events, in order: columns of the roles the preset maps (``case``,
        ``activity``, ``timestamp``, ...), text with NA for missing values.
    """

    path: Path
    preset: str
    records: int
    expected: pd.DataFrame


def _history(cases: int, seed: int) -> pd.DataFrame:
    """The log by case, times strictly increasing (2 s apart at least), with state codes,
    handlers in force and the events at which the activity or state code changes."""
    log = generate_log(cases=cases, seed=seed).sort_values("case_id", kind="stable")
    h = log.rename(columns={"case_id": "case", "customer_id": "customer"}).reset_index(drop=True)
    pos = h.groupby("case").cumcount()
    seconds = (h["timestamp"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    shifted = (seconds - 2 * pos).groupby(h["case"]).cummax() + 2 * pos
    h["at"] = pd.to_datetime(shifted, unit="s", utc=True)
    h["pos"], h["n"] = pos, h["case"].str.slice(3).astype(int)
    h["code"] = h["activity"].map(STATE_CODES).fillna("2")
    for role in ("resource", "team"):
        h[f"{role}_now"] = h[role].groupby(h["case"]).ffill()
    h["new_activity"] = h["activity"] != h.groupby("case")["activity"].shift()
    h["new_code"] = h["code"] != h.groupby("case")["code"].shift()
    h["iso"] = h["at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    h["raw"] = h["at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    return h


def _id(kind: str, name: object, width: int = 32) -> str:
    """A stable hexadecimal id for a name (sys_ids and the like)."""
    return hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()[:width]


def _ids(kind: str, names: pd.Series, prefix: str = "", width: int = 32) -> pd.Series:
    """Stable ids for the values of a column (missing stays missing)."""
    return names.map(lambda v: prefix + _id(kind, v, width - len(prefix)), na_action="ignore")


def _expected(frame: dict[str, Any] | pd.DataFrame) -> pd.DataFrame:
    """The expected events: the role columns, in role order, as text or NA."""
    out = pd.DataFrame({str(k): v for k, v in frame.items() if k in _ROLES})
    out = out[[r for r in _ROLES if r in out]].reset_index(drop=True)
    return out.astype("str").where(out.notna())


#: What a reader names the event of a change of team alone (EXPORTS.md §5.2, step 5),
#: before the team: written here as the expected events say it, not taken from a reader.
_GROUP_CHANGE = "Assigned to group "


def _team_moves(h: pd.DataFrame, teams: pd.Series, events: pd.Series) -> pd.Series:
    """The history rows (a bool each) where ``teams`` (the exported team values) change
    while no event of ``events`` happens: a reader makes each an event of its own, named
    ``Assigned to group`` and the team (EXPORTS.md §5.2, step 5)."""
    before = teams.groupby(h["case"]).ffill().groupby(h["case"]).shift()
    return teams.notna() & (teams != before.fillna("\0")) & ~events


def _with_moves(
    expected: dict[str, pd.Series], events: pd.Series, moves: pd.Series, teams: pd.Series
) -> dict[str, pd.Series]:
    """``expected`` (full-length columns) at the ``events`` rows and the team ``moves``,
    whose activity is ``Assigned to group`` and the team."""
    keep = events | moves
    activity = expected["activity"].where(~moves, _GROUP_CHANGE + teams.astype("string"))
    return {k: (activity if k == "activity" else v)[keep] for k, v in expected.items()}


#: The state codes that close a case (6 resolved/solved, 7 closed), and the activity a
#: reader gives the change back from one of them to an open state (written here, not
#: taken from a reader).
_CLOSING_CODES, _REOPENED = ("6", "7"), "Reopened"


def _reopened(codes: pd.Series, cases: pd.Series) -> pd.Series:
    """Which state codes (in each case's order) go back from a closing code to an open
    one."""
    before = codes.groupby(cases).shift()
    return before.isin(_CLOSING_CODES) & ~codes.isin(_CLOSING_CODES)


def _reopens_before(expected: dict[str, pd.Series], back: Any) -> dict[str, pd.Series]:
    """``expected`` (columns of one length, in order) with an event ``Reopened`` just
    before each row where ``back`` (booleans, by position) is true."""
    frame = pd.DataFrame({k: v.reset_index(drop=True) for k, v in expected.items()})
    frame = frame.assign(_row=frame.index, _first=1)
    again = frame[back].assign(activity=_REOPENED, _first=0)
    both = pd.concat([frame, again]).sort_values(["_row", "_first"], kind="stable")
    return {k: both[k].reset_index(drop=True) for k in expected}


def _with_reopens(
    expected: dict[str, pd.Series], h: pd.DataFrame, events: pd.Series
) -> dict[str, pd.Series]:
    """``expected`` (columns at some of ``h``'s rows) with an event ``Reopened`` just
    before each change of state code (``events``) from a closing code to an open one."""
    reopened = _reopened(h["code"][events], h["case"][events])
    index = next(iter(expected.values())).index
    return _reopens_before(expected, reopened.reindex(index, fill_value=False).to_numpy(bool))


def _number(h: pd.DataFrame) -> pd.Series:
    """The ServiceNow incident number of each event's case (INC0000001)."""
    return "INC" + h["n"].astype(str).str.zfill(7)


def _sn_list_csv(h: pd.DataFrame, root: Path) -> ExportFixture:
    """A list export with field names and display values: one row per event."""
    ch = h["channel"].map(_CHANNELS["sn_label"])
    rows = {"number": _number(h), "short_description": h["service"], "state": h["activity"],
            "sys_updated_on": h["raw"], "assignment_group": h["team"],
            "assigned_to": h["resource"], "caller_id": h["customer"], "contact_type": ch,
            "priority": "4 - Low"}  # fmt: skip
    path = root / "servicenow" / "incident_list.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    expected = {"case": rows["number"], "activity": h["activity"], "timestamp": h["raw"],
                "resource": h["resource"], "team": h["team"], "customer": h["customer"],
                "channel": ch}  # fmt: skip
    return ExportFixture(path, "servicenow", len(h), _expected(expected))


def _sn_list_xlsx(h: pd.DataFrame, root: Path) -> ExportFixture:
    """A list export in XLSX with labels as headers and date-time cells."""
    import openpyxl

    ch = h["channel"].map(_CHANNELS["sn_label"])
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Page 1")
    sheet.append(["Number", "Short description", "State", "Updated", "Assignment group",
                  "Assigned to", "Caller", "Channel"])  # fmt: skip
    naive = h["at"].dt.tz_localize(None)
    for row in zip(_number(h), h["service"], h["activity"], naive.dt.to_pydatetime(),
                   h["team"], h["resource"], h["customer"], ch, strict=True):  # fmt: skip
        sheet.append([None if isinstance(v, float) else v for v in row])
    path = root / "servicenow" / "incident_list.xlsx"
    book.save(path)
    expected = {"case": _number(h), "activity": h["activity"], "timestamp": h["raw"],
                "resource": h["resource"], "team": h["team"], "customer": h["customer"],
                "channel": ch}  # fmt: skip
    return ExportFixture(path, "servicenow", len(h), _expected(expected))


def _reference(table: str, sys_id: object, bare: bool) -> object:
    """A Table API reference field: a link object, a bare sys_id, or empty."""
    if not isinstance(sys_id, str):
        return ""
    if bare:
        return sys_id
    return {"link": f"https://example.service-now.com/api/now/table/{table}/{sys_id}",
            "value": sys_id}  # fmt: skip


def _sn_table_api(h: pd.DataFrame, root: Path) -> ExportFixture:
    """Table API JSON with raw codes; references as objects, or bare ids on odd rows."""
    group, user = _ids("group", h["team"]), _ids("user", h["resource"])
    caller = _ids("caller", h["customer"])
    result = [
        {"number": number, "sys_id": _id("incident", number), "state": code,
         "incident_state": code, "sys_updated_on": raw, "sys_mod_count": str(pos),
         "assignment_group": _reference("sys_user_group", g, bool(i % 2)),
         "assigned_to": _reference("sys_user", u, bool(i % 2)),
         "caller_id": _reference("sys_user", c, False),
         "contact_type": _CHANNELS["sn_raw"][ch], "active": code != "7"}
        for i, (number, code, raw, pos, g, u, c, ch) in enumerate(zip(
            _number(h), h["code"], h["raw"], h["pos"], group, user, caller, h["channel"],
            strict=True))
    ]  # fmt: skip
    path = root / "servicenow" / "incident_table_api.json"
    path.write_text(json.dumps({"result": result}, indent=1), encoding="utf-8")
    expected = {"case": _number(h), "activity": h["code"].map(SN_LABELS), "timestamp": h["raw"],
                "resource": user, "team": group, "customer": caller,
                "channel": h["channel"].map(_CHANNELS["sn_raw"])}  # fmt: skip
    return ExportFixture(path, "servicenow", len(h), _expected(expected))


def _changes(h: pd.DataFrame, fields: dict[str, pd.Series]) -> pd.DataFrame:
    """Field-change rows: a field's value is written when it differs from the value in
    force (NA values leave it as it was); the first event writes the record's values."""
    parts = []
    for name, values in fields.items():
        now = values.groupby(h["case"]).ffill()
        before = now.groupby(h["case"]).shift()
        changed = values.notna() & (values != before.fillna("\0"))
        part = {"case": h["case"], "pos": h["pos"], "at": h["at"], "field": name,
                "old": before, "new": values}  # fmt: skip
        parts.append(pd.DataFrame(part)[changed])
    order = {name: i for i, name in enumerate(fields)}
    out = pd.concat(parts).assign(rank=lambda f: f["field"].map(order))
    out = out.sort_values(["case", "pos", "rank"]).reset_index(drop=True)
    for column in ("old", "new"):  # None, not NaN, for what was not set (JSON null)
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def _sn_audit(h: pd.DataFrame, root: Path) -> ExportFixture:
    """sys_audit rows, newest first as the list shows them; codes and sys_ids raw."""
    number = _number(h)
    group, user = _ids("group", h["team"]), _ids("user", h["resource"])
    caller, ch = _ids("caller", h["customer"]), h["channel"].map(_CHANNELS["sn_raw"])
    first = h["pos"] == 0
    rows = _changes(h, {"number": number.where(first), "state": h["code"],
                        "assignment_group": group, "assigned_to": user,
                        "caller_id": caller.where(first), "contact_type": ch.where(first),
                        "priority": pd.Series("4", h.index).where(first)})  # fmt: skip
    actor = h["resource"].str.lower().str.replace(" ", ".").fillna("system")
    rows = rows.merge(h.assign(user=actor)[["case", "pos", "user"]], on=["case", "pos"])
    out = pd.DataFrame({
        "sys_id": [_id("audit", i) for i in range(len(rows))], "tablename": "incident",
        "documentkey": rows["case"].map(lambda c: _id("incident", "INC" + c[3:].zfill(7))),
        "fieldname": rows["field"], "oldvalue": rows["old"], "newvalue": rows["new"],
        "user": rows["user"], "sys_created_on": rows["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
    })  # fmt: skip
    path = root / "servicenow" / "sys_audit.csv"
    out.iloc[::-1].to_csv(path, index=False)
    k = h["new_code"]
    expected = {"case": number, "activity": h["code"].map(SN_LABELS),
                "timestamp": h["iso"], "resource": _ids("user", h["resource_now"]),
                "team": _ids("group", h["team_now"]),
                "customer": h["case"].map(caller[first].set_axis(h["case"][first])),
                "channel": h["case"].map(ch[first].set_axis(h["case"][first]))}  # fmt: skip
    moves = _team_moves(h, group, k)
    return ExportFixture(
        path,
        "servicenow",
        len(out),
        _expected(_with_reopens(_with_moves(expected, k, moves, group), h, k)),
    )


def _sn_snapshots(h: pd.DataFrame, root: Path) -> ExportFixture:
    """A UCI-style snapshot log: a row per update, some updates repeated in the same
    minute (sys_mod_count increasing) and written in reverse, '?' for missing values."""
    extra = h[h["pos"] % 3 == 1]
    rows = pd.concat([h.assign(again=0), extra.assign(again=1)]).sort_values(
        ["case", "pos", "again"]
    )
    rows["mod"] = rows.groupby("case").cumcount()
    minute = rows["at"].dt.strftime("%-d/%-m/%Y %H:%M")
    opened = rows["case"].map(
        h[h["pos"] == 0].set_index("case")["at"].dt.strftime("%-d/%-m/%Y %H:%M")
    )
    last = rows["case"].map(h.groupby("case")["at"].max().dt.strftime("%-d/%-m/%Y %H:%M"))
    state = rows["code"].map(UCI_STATES)
    unknown = ("location", "u_symptom", "cmdb_ci", "problem_id", "rfc", "vendor", "caused_by")
    table: dict[str, Any] = dict.fromkeys(unknown, "?")
    table |= {
        "number": _number(rows), "incident_state": state, "active": (state != "Closed").map(
            {True: "true", False: "false"}), "reassignment_count": "0", "reopen_count": "0",
        "sys_mod_count": rows["mod"].astype(str), "made_sla": "true",
        "caller_id": rows["customer"], "opened_by": "Opener 1", "opened_at": opened,
        "sys_created_by": "Creator 1", "sys_created_at": opened,
        "sys_updated_by": rows["resource"].fillna("system"), "sys_updated_at": minute,
        "contact_type": rows["channel"].map(_CHANNELS["uci"]), "category": "Category 1",
        "subcategory": "Subcategory 1", "impact": "2 - Medium", "urgency": "2 - Medium",
        "priority": "3 - Moderate", "assignment_group": rows["team"].fillna("?"),
        "assigned_to": rows["resource"].fillna("?"), "knowledge": "false",
        "u_priority_confirmation": "false", "notify": "Do Not Notify",
        "closed_code": "code 5", "resolved_by": "Resolver 1", "resolved_at": last,
        "closed_at": last,
    }  # fmt: skip
    frame = pd.DataFrame(table, index=rows.index)[list(UCI_COLUMNS)]
    written = frame.assign(_m=rows["at"].dt.floor("min"), _c=rows["case"], _k=-rows["mod"])
    written = written.sort_values(["_c", "_m", "_k"]).drop(columns=["_m", "_c", "_k"])
    path = root / "servicenow" / "incident_event_log.csv"
    written.to_csv(path, index=False)
    expected = {"case": frame["number"], "activity": state, "timestamp": minute,
                "resource": rows["resource"], "team": rows["team"], "customer": rows["customer"],
                "channel": frame["contact_type"]}  # fmt: skip
    # A state back from a closing one to an open one: an event Reopened just before it
    # (by position: the repeated updates share their event's index).
    codes, cases = (rows[c].reset_index(drop=True) for c in ("code", "case"))
    back = _reopened(codes, cases).to_numpy(bool)
    return ExportFixture(path, "servicenow", len(frame), _expected(_reopens_before(expected, back)))
