"""ServiceNow list exports (CSV with field names, XLSX with labels, Table API records):
one event per row, or one per milestone when the records hold their times."""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.connectors.presets import PresetTable
from journeymap.connectors.presets.files import (
    listing,
    lower_names,
    missing_columns,
    reference_values,
    text_table,
)
from journeymap.connectors.presets.servicenow_fields import (
    CLOSING,
    LABELS,
    MILESTONES,
    OPENING_STATES,
    RAW_TIME,
    RAW_VALUES_NOTE,
    ROLE_FIELDS,
    decode_states,
    sys_id_note,
)

__all__ = ["read_list"]


def read_list(frame: pd.DataFrame, label: str, *, from_json: bool) -> PresetTable:
    """One event per row: the record's state at its last update."""
    columns = {LABELS.get(k, k): c for k, c in reversed(lower_names(frame.columns).items())}
    state = columns.get("state") or columns.get("incident_state")
    need = [
        n
        for n, c in (
            ("number", columns.get("number")),
            ("state", state),
            ("sys_updated_on", columns.get("sys_updated_on")),
        )
        if c is None
    ]
    if need or state is None:
        raise missing_columns(
            label, need, "export the list with the Number, State and Updated columns"
        )
    notes: list[str] = []
    for name in ROLE_FIELDS.values():
        if name in columns:
            frame[columns[name]] = reference_values(frame[columns[name]])
    frame[state], decoded = decode_states(frame[state], state)
    notes += decoded
    updated = frame[columns["sys_updated_on"]]
    options: dict[str, Any] = {}
    if decoded or from_json:
        if updated.dropna().str.fullmatch(RAW_TIME).all():
            options = {"timestamp_format": "%Y-%m-%d %H:%M:%S", "timezone": "UTC"}
            notes.append(RAW_VALUES_NOTE)
    else:
        notes.append(
            "display values: times are in the exporting user's time zone, which the "
            "file does not give; set the time zone if it is not UTC"
        )
    times = [columns[f] for f, _ in MILESTONES if f in columns and f != "opened_at"]
    if times and ("opened_at" in columns or "sys_created_on" in columns):
        if options:  # raw values: every time read must be in the raw format
            used = [columns[f] for f in ("opened_at", "sys_created_on") if f in columns]
            cells = pd.concat([frame[c] for c in (*used, *times)]).dropna()
            if not cells.str.fullmatch(RAW_TIME).all():
                options = {}
        table, mapping, said = _milestones(frame, columns, state)
        return PresetTable(
            text_table(table),
            mapping,
            records=len(frame),
            options=options,
            notes=notes + said,
            closing=CLOSING,
        )
    cases = frame[columns["number"]].nunique()
    notes.append(
        f"one event per row ({len(frame)} rows, {cases} records): each row is a record's "
        f"{state!r} as of {columns['sys_updated_on']!r}; export sys_audit for the full "
        "history"
    )
    mapping = {"case": columns["number"], "activity": state, "timestamp": columns["sys_updated_on"]}
    mapping |= {role: columns[f] for role, f in ROLE_FIELDS.items() if f in columns}
    return PresetTable(
        text_table(frame),
        mapping,
        records=len(frame),
        options=options,
        notes=notes + sys_id_note(frame, mapping),
        closing=CLOSING,
    )


def _milestones(
    frame: pd.DataFrame, columns: dict[str, str], state: str
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """A list export that holds its records' times (opened, resolved, closed, reopened)
    read as one event per milestone, as IBM's connector reads it (EXPORTS.md §1.2): New
    at ``opened_at`` (else ``sys_created_on``), Reopened, Resolved and Closed at theirs,
    and, for a record in another state at its last update (In Progress, On Hold,
    Canceled, or Resolved or Closed without that time), that state at ``sys_updated_on``.
    The same event twice (a record listed on several rows) is one. Each event keeps the
    record's other fields; its assignment group and assignee are the record's current
    ones, not who did each step, so they are kept as fields, not as team and resource:
    hand-offs need sys_audit."""
    number, updated = columns["number"], columns["sys_updated_on"]
    # The opening's time, else the record's creation (the caller found one of the two).
    first, *then = [frame[columns[f]] for f in ("opened_at", "sys_created_on") if f in columns]
    marks = [("New", first.fillna(then[0]) if then else first)]
    marks += [(name, frame[columns[f]]) for f, name in MILESTONES[1:] if f in columns]
    current = frame[state]
    # The state at the last update, for a record whose state no milestone stands for.
    left = current.notna() & ~current.isin(OPENING_STATES | {n for n, _ in marks})
    for name, at in marks[1:]:  # a Resolved or Closed record without that time
        left |= (current == name) & at.isna()
    taken = set(frame.columns)
    activity, timestamp = _free("activity", taken), _free("timestamp", taken | {"activity"})
    mark = _free("milestone", taken | {activity, timestamp})  # which one made the event
    parts = []
    for name, at in marks:
        made_here: dict[str, Any] = {activity: name, timestamp: at, mark: name}
        parts.append(frame.assign(**made_here)[at.notna()])
    parts.append(frame.assign(**{activity: current, timestamp: frame[updated]})[left])
    events = pd.concat(parts, ignore_index=True)
    events = events.drop_duplicates([number, activity, timestamp], ignore_index=True)
    made = events.pop(mark)
    read = ", ".join(
        f"{name} at {_field(columns, name)!r} ({int((made == name).sum()):,})"
        for name, _ in marks
        if (made == name).any()
    )
    states = events.loc[made.isna(), activity].value_counts().sort_index()
    states = states.sort_values(ascending=False, kind="stable")  # most first, then by name
    rest = (
        f"; and the state at the last update ({updated!r}) of "
        f"{int(made.isna().sum()):,} records that no milestone stands for: "
        + listing(f"{k} ({v:,})" for k, v in states.items())
        if made.isna().any()
        else ""
    )
    said = [f"each record's milestones read as events: {read}{rest}"]
    said += _resolved_after_closed(frame, columns)
    mapping = {"case": number, "activity": activity, "timestamp": timestamp}
    mapping |= {role: columns[ROLE_FIELDS[role]] for role in ("customer", "channel")
                if ROLE_FIELDS[role] in columns}  # fmt: skip
    # Named as what they are, so that no role is found in them by their header either.
    held = [columns[f] for f in ("assignment_group", "assigned_to") if f in columns]
    kept = {c: _free(f"current_{c}", set(events.columns)) for c in held}
    events = events.rename(columns=kept)
    if held:
        latest = frame.drop_duplicates(number, keep="last")  # a record listed twice: once
        moves = (
            pd.to_numeric(latest[columns["reassignment_count"]], errors="coerce")
            if "reassignment_count" in columns
            else pd.Series(dtype=float)
        )
        changes, moved = int(moves.sum()), int((moves > 0).sum())
        counted = (
            f"; reassignment_count counts {changes:,} change{'s' * (changes != 1)} of group "
            f"in {moved:,} record{'s' * (moved != 1)}"
            if moves.notna().any()
            else ""
        )
        said.append(
            f"{' and '.join(repr(c) for c in held)} "
            f"{'are' if len(held) > 1 else 'is'} each record's current value, not who did "
            "each step: kept as "
            + " and ".join(repr(n) for n in kept.values())
            + ", not as team or resource, so no hand-off is "
            f"counted{counted}; export sys_audit for the hand-offs and every change of state"
        )
    return events, mapping, said


def _field(columns: dict[str, str], name: str) -> str:
    """The column a milestone's time came from, as the file names it."""
    field = {state: f for f, state in MILESTONES}[name]
    if field == "opened_at" and field not in columns:
        field = "sys_created_on"
    return columns[field]


def _free(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... when a column of the export has it."""
    lowered = {t.lower() for t in taken}
    out, n = name, 1
    while out.lower() in lowered:
        n += 1
        out = f"{name}_{n}"
    return out


def _resolved_after_closed(frame: pd.DataFrame, columns: dict[str, str]) -> list[str]:
    """A warning when records were resolved after they were closed (``resolved_at``
    later than ``closed_at``), which ServiceNow's life cycle does not allow: their
    journeys end at a Resolved after Closed, and their end-to-end times run to it (IBM's
    incidents_REST.csv: 20 of 27 records, 17 of them resolved in one bulk update). Times
    in the system format only (``2024-03-08 15:00:00``); in another format, nothing."""
    if "resolved_at" not in columns or "closed_at" not in columns:
        return []
    latest = frame.drop_duplicates(columns["number"], keep="last")
    resolved, closed = (
        pd.to_datetime(latest[columns[f]], format="%Y-%m-%d %H:%M:%S", errors="coerce")
        for f in ("resolved_at", "closed_at")
    )
    both = resolved.notna() & closed.notna()
    late = both & (resolved > closed)
    if not late.any():
        return []
    n, of = int(late.sum()), int(both.sum())
    common = resolved[late].dt.floor("min").value_counts()
    shared = (
        f"; {int(common.iloc[0])} of them share one resolved_at minute "
        f"({common.index[0]:%Y-%m-%d %H:%M}), as a bulk update writes"
        if int(common.iloc[0]) >= _BULK
        else ""
    )
    return [
        f"warning: {n} of {of} records with both times were resolved after they were "
        f"closed ({columns['resolved_at']!r} later than {columns['closed_at']!r}){shared}: "
        "their journeys end with Resolved after Closed, and their end-to-end times run to "
        "that Resolved; check those times with the service before showing end-to-end times"
    ]


#: Records sharing one resolved_at minute from which it is named as a bulk update.
_BULK = 3
