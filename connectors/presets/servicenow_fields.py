"""What ServiceNow's incident exports call things: state codes and labels, the fields of
each role, the milestones a record keeps, and the states that close an incident. Shared
by the readers of list exports (:mod:`.servicenow_list`) and of an incident's history
(:mod:`.servicenow_history`)."""

from __future__ import annotations

import pandas as pd

from journeymap.connectors.presets.fieldchanges import closing
from journeymap.connectors.presets.files import listing

__all__ = [
    "AUDIT_KEYS",
    "CLOSING",
    "LABELS",
    "MILESTONES",
    "OPENING_STATES",
    "RAW_TIME",
    "RAW_VALUES_NOTE",
    "RESOLVED_OR_CLOSED",
    "ROLE_FIELDS",
    "SNAPSHOT_COLUMNS",
    "SNAPSHOT_FORMAT",
    "SNAPSHOT_KEYS",
    "STATE_LABELS",
    "decode_states",
    "sys_id_note",
]

#: Incident state codes (the ``state`` / ``incident_state`` choice list) and their labels.
STATE_LABELS = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed",
                "8": "Canceled"}  # fmt: skip
#: Field names of the incident roles, by their own name or the label list exports use.
LABELS = {
    "number": "number", "state": "state", "incident state": "incident_state",
    "updated": "sys_updated_on", "assignment group": "assignment_group",
    "assigned to": "assigned_to", "caller": "caller_id", "channel": "contact_type",
    "opened": "opened_at", "created": "sys_created_on", "resolved": "resolved_at",
    "closed": "closed_at",
}  # fmt: skip
#: A record's times of its milestones (EXPORTS.md §1.2: IBM's connector reads them as
#: events), by field, with the state each marks; the opening falls back to the record's
#: creation. A reopening keeps only its last time.
MILESTONES = (("opened_at", "New"), ("reopened_time", "Reopened"), ("resolved_at", "Resolved"),
              ("closed_at", "Closed"))  # fmt: skip
#: The states a record is in from its opening (the New event stands for them).
OPENING_STATES = {"New"}
#: The 36 columns of the UCI "Incident management process enriched event log".
SNAPSHOT_COLUMNS = (
    "number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count",
    "made_sla", "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at",
    "sys_updated_by", "sys_updated_at", "contact_type", "location", "category", "subcategory",
    "u_symptom", "cmdb_ci", "impact", "urgency", "priority", "assignment_group", "assigned_to",
    "knowledge", "u_priority_confirmation", "notify", "problem_id", "rfc", "vendor", "caused_by",
    "closed_code", "resolved_by", "resolved_at", "closed_at",
)  # fmt: skip
SNAPSHOT_FORMAT = "%d/%m/%Y %H:%M"
ROLE_FIELDS = {"resource": "assigned_to", "team": "assignment_group", "customer": "caller_id",
                "channel": "contact_type"}  # fmt: skip
SNAPSHOT_KEYS = {"number", "incident_state", "sys_mod_count", "sys_updated_at"}
AUDIT_KEYS = {"documentkey", "fieldname", "oldvalue", "newvalue"}
RAW_TIME = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
#: Said of an export of raw values: its teams and people are ids until exported by name.
RAW_VALUES_NOTE = (
    "raw values: times are UTC (yyyy-MM-dd HH:mm:ss), and references such as "
    "assignment_group and assigned_to are sys_ids (32 hexadecimal characters), which the "
    "map and tables show as they are; for names, export with sysparm_display_value=true "
    "(times then come in the exporting user's time zone: give it with --timezone)"
)

#: The (decoded) states that close an incident; back to In Progress from either is
#: ServiceNow's reopening.
RESOLVED_OR_CLOSED = closing(r"resolved|closed")
#: The states that finish an incident: one whose last state is another is still open.
CLOSING = r"resolved|closed|cancel+ed"


def decode_states(values: pd.Series, column: str) -> tuple[pd.Series, list[str]]:
    """State codes replaced by their labels when every value is a code; notes saying so."""
    present = values.dropna()
    if present.empty or not present.str.fullmatch(r"-?\d+").all():
        return values, []
    counts = present.value_counts()
    codes = sorted(counts.index, key=int)
    known = [c for c in codes if c in STATE_LABELS]
    shown = ", ".join(f"{c} -> {STATE_LABELS[c]} ({counts[c]})" for c in known)
    notes = [f"{column} codes decoded: {shown}"] if known else []
    unknown = [c for c in codes if c not in STATE_LABELS]
    if unknown:
        notes.append(
            f"{column} codes that are not incident states were kept as written: "
            + listing(f"{c} ({counts[c]})" for c in unknown)
        )
    return values.map(STATE_LABELS).fillna(values).where(values.notna()), notes


#: A ServiceNow reference written as its sys_id: 32 hexadecimal characters.
SYS_ID = r"[0-9a-f]{32}"


def sys_id_note(
    table: pd.DataFrame, roles: dict[str, str], fields: dict[str, str] | None = None
) -> list[str]:
    """A warning when the team or resource (``roles``: role -> column of ``table``)
    holds sys_ids rather than names on most of its values, as a raw export writes
    references: the map, the hand-offs and the report would name groups and people by
    id, and the reader could not tell who they are. ``fields`` names each role's
    ServiceNow field, when the column is named otherwise.

    Examples
    --------
    >>> frame = pd.DataFrame({"team": ["3186e51171437d15ca2baf57de114523", None]})
    >>> sys_id_note(frame, {"team": "team"})  # doctest: +ELLIPSIS
    ["warning: the team ('team') is written as sys_ids (such as '3186e511...'), ..."]
    """
    ids = []
    for role in ("team", "resource"):
        column = roles.get(role)
        if column is None or column not in table:
            continue
        values = table[column].dropna().astype("string")
        is_id = values.str.fullmatch(SYS_ID).astype(bool)
        if len(values) and is_id.mean() > 0.5:
            ids.append((role, (fields or {}).get(role, column), str(values[is_id].iloc[0])))
    if not ids:
        return []
    named = " and ".join(f"the {role} ({column!r})" for role, column, _ in ids)
    return [
        f"warning: {named} {'is' if len(ids) == 1 else 'are'} written as sys_ids (such as "
        f"'{ids[0][2][:8]}...'), as a raw export writes references: the map, the hand-offs "
        "and the report name them by id; export with display values (names), or look the "
        "ids up in sys_user_group and sys_user"
    ]
