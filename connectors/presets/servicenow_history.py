"""An incident's history from ServiceNow: ``sys_audit`` field changes (one event per
change of state, the group and assignee replayed) and snapshot logs laid out like the
UCI incident log (one row per update)."""

from __future__ import annotations

import pandas as pd

from journeymap.connectors.presets import PresetTable
from journeymap.connectors.presets.fieldchanges import (
    REOPENED,
    change_notes,
    events_from_changes,
    reopenings,
)
from journeymap.connectors.presets.files import (
    copies_before,
    csv_lines,
    iso_utc,
    listing,
    missing_columns,
    parse_utc,
    rejects,
    repeated_headers,
    text_table,
)
from journeymap.connectors.presets.servicenow_fields import (
    CLOSING,
    RESOLVED_OR_CLOSED,
    ROLE_FIELDS,
    SNAPSHOT_FORMAT,
    decode_states,
    sys_id_note,
)
from journeymap.errors import SourceError

__all__ = ["read_audit", "read_snapshots"]


def _audit_reasons(rows: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    """Why each of these sys_audit rows gives no change: a repeated header line, an
    empty documentkey, fieldname or sys_created_on, or a time in another format than
    the one ServiceNow's exports use (``2024-03-08 15:00:00``, the system format)."""
    header = repeated_headers(rows, names.values())
    when = rows[names["sys_created_on"]].astype("string").str.strip()
    reasons = pd.Series("", rows.index, dtype="string")
    for role in ("documentkey", "fieldname", "sys_created_on"):
        empty = rows[names[role]].astype("string").str.strip().fillna("").eq("")
        reasons = reasons.mask(empty & reasons.eq(""), f"no {role}")
    unread = reasons.eq("") & parse_utc(when).isna()
    reasons = reasons.mask(
        unread,
        "unreadable sys_created_on: "
        + when.map(repr, na_action="ignore").fillna("")
        + " is not written as ServiceNow writes times (2024-03-08 15:00:00); export "
        "with the system date format",
    )
    return reasons.mask(header, "a repeated header line").astype(str)


def read_audit(frame: pd.DataFrame, names: dict[str, str], label: str) -> PresetTable:
    """One event per state change; roles replayed as in force at each event's time."""
    if "sys_created_on" not in names:
        raise missing_columns(
            label,
            ["sys_created_on"],
            "export sys_audit with the time of each change (sys_created_on)",
        )
    changes = pd.DataFrame(
        {
            "record": frame[names["documentkey"]],
            "field": frame[names["fieldname"]],
            "old": frame[names["oldvalue"]],
            "new": frame[names["newvalue"]],
            "actor": frame[names["user"]] if "user" in names else pd.Series(pd.NA, frame.index),
            "at": parse_utc(frame[names["sys_created_on"]]),
            "seq": range(len(frame)),
        }
    )
    bad = changes[["record", "field", "at"]].isna().any(axis=1)
    lines = csv_lines(frame)
    dropped = rejects(
        changes.index[bad].to_series() + 1,
        _audit_reasons(frame[bad], names),
        None if lines is None else lines[bad],
    )
    changes = changes[~bad]
    fields = set(changes["field"])
    activity = "state" if "state" in fields else "incident_state"
    both = {"state", "incident_state"} <= fields
    if activity not in fields:
        raise SourceError(
            f"{label}: has no changes of 'state' or 'incident_state'; export "
            "sys_audit rows of the incident table with those fields"
        )
    roles = {role: f for role, f in ROLE_FIELDS.items() if f in fields}
    states = changes["field"] == activity
    changes.loc[states, "new"], decoded = decode_states(changes.loc[states, "new"], activity)
    changes.loc[states, "old"] = decode_states(changes.loc[states, "old"], activity)[0]
    result = events_from_changes(
        changes,
        activity_field=activity,
        roles=roles,
        used_fields=("number", "state", "incident_state"),
        closed=RESOLVED_OR_CLOSED,
    )
    events = result.events
    notes = change_notes(result, activity_field=activity)
    if both:
        notes.append("both state and incident_state changes: the events follow state")
    notes += decoded
    numbers = changes[changes["field"] == "number"].drop_duplicates("record", keep="last")
    number = events["case"].map(numbers.set_index("record")["new"])
    if number.notna().any():
        notes.append(
            f"cases are the incident numbers the audit holds for {number.notna().sum()} "
            "events; the others keep their sys_id (documentkey)"
        )
        events["case"] = number.fillna(events["case"])
    if "tablename" in names:
        tables = frame[names["tablename"]].value_counts()
        notes.append("tables audited: " + listing(f"{k} ({v})" for k, v in tables.items()))
    events["timestamp"] = iso_utc(events["timestamp"])
    columns = ["case", "activity", "timestamp", *roles]
    # Who made each change, kept as 'changed_by': sys_audit calls it 'user', a name the
    # mapping would take for the resource, and the one who changed a state is often the
    # system or an integration (an automatic close), not who had the incident.
    table = events[[*columns, "actor"]].rename(columns={"actor": "changed_by"})
    notes += sys_id_note(table, {role: role for role in roles}, roles)
    return PresetTable(
        text_table(table),
        {c: c for c in columns},
        records=len(frame),
        rejects=dropped,
        notes=notes,
        closing=CLOSING,
        added=(REOPENED,),
    )


def _with_reopenings(frame: pd.DataFrame, names: dict[str, str]) -> tuple[pd.DataFrame, int]:
    """The snapshots (in each incident's order), a copy of each reopening's row (its
    state back from Resolved or Closed to an open one) just before it with the state
    ``Reopened``; and how many there were."""
    state = frame[names["incident_state"]]
    before = state.groupby(frame[names["number"]], sort=False).shift()  # the previous row's
    back = reopenings(before, state, RESOLVED_OR_CLOSED)
    if not back.any():
        return frame, 0
    return copies_before(frame, back, **{names["incident_state"]: REOPENED}), int(back.sum())


def read_snapshots(frame: pd.DataFrame, names: dict[str, str], label: str) -> PresetTable:
    """One event per snapshot row, ordered within a case by time, then sys_mod_count."""
    placeholders = frame == "?"
    as_read, frame = frame, frame.mask(placeholders)
    header = repeated_headers(frame, [names["number"], names["sys_updated_at"]])
    written = frame[names["sys_updated_at"]]
    at = pd.to_datetime(written, format=SNAPSHOT_FORMAT, errors="coerce")
    # A time in ISO 8601 (a row edited by hand or by another system) cannot be misread;
    # the reading takes it as such in a column of any format (for the order, here, UTC).
    iso = written.str.match(r"\s*\d{4}-\d\d-\d\d", na=False) & at.isna()
    at = at.mask(iso, parse_utc(written.where(iso)).dt.tz_localize(None))
    bad = at.isna() & written.notna()
    lines = csv_lines(frame)
    why = ("unreadable sys_updated_at: " + written.map(repr, na_action="ignore").fillna("")
           + " is not d/m/yyyy HH:MM").mask(header, "a repeated header line")  # fmt: skip
    dropped = rejects(
        frame.index[bad].to_series() + 1,
        why[bad],
        None if lines is None else lines[bad],
        values=as_read[bad],  # the table keeps the file's columns: the rejects show them
    )
    rank = pd.factorize(frame[names["number"]])[0]
    mod = pd.to_numeric(frame[names["sys_mod_count"]], errors="coerce")
    order = pd.DataFrame({"rank": rank, "at": at, "mod": mod})[~bad]
    frame = frame.loc[order.sort_values(["rank", "at", "mod"], kind="stable").index]
    frame, reopened = _with_reopenings(frame, names)
    mapping = {
        "case": "number",
        "activity": "incident_state",
        "timestamp": "sys_updated_at",
        "resource": "assigned_to",
        "team": "assignment_group",
        "customer": "caller_id",
        "channel": "contact_type",
    }
    mapping = {role: names[c] for role, c in mapping.items() if c in names}
    counts = placeholders.sum()
    shown = [
        f"{mapping[r]} {int(counts[mapping[r]])}"
        for r in ROLE_FIELDS
        if r in mapping and counts[mapping[r]]
    ]
    notes = [
        "rows are snapshots of an incident after each update: ordered within each incident by "
        "sys_updated_at, then sys_mod_count (times have minute precision)",
        "repeated states (rows that change nothing the map shows) are collapsed",
    ]
    if shown:
        notes.append("'?' means missing: " + ", ".join(shown) + " rows")
    if reopened:
        notes.append(
            f"reopenings (incident_state back from Resolved or Closed to an open state) are "
            f"events '{REOPENED}' too, just before the state they went back to, so that "
            f"failure demand counts them: {reopened}"
        )
    final = [c for c in ("resolved_at", "closed_at", "resolved_by", "closed_code") if c in names]
    if final:
        notes.append(
            f"{', '.join(final)} are final values repeated on every row; they are not "
            "read as events"
        )
    return PresetTable(
        text_table(frame.reset_index(drop=True)),
        mapping,
        records=len(placeholders),
        rejects=dropped,
        notes=notes,
        options={"timestamp_format": SNAPSHOT_FORMAT, "collapse_repeats": "yes"},
        closing=CLOSING,
        added=(REOPENED,),
    )
