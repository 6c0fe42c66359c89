"""ServiceNow incident exports: list exports, the Table API, ``sys_audit`` and snapshot logs.

Shapes recognised (EXPORTS.md §1):

- list exports in CSV with field names (``number``, ``state``, ``sys_updated_on``...),
  in XLSX with labels (``Number``, ``State``, ``Updated``...), and CSV dumps of the
  Table API (raw state codes, sys_ids, UTC times): one event per row;
- Table API JSON ``{"result": [...]}`` with raw codes; reference fields given as
  ``{"link", "value"}`` objects or bare sys_ids: one event per record;
- ``sys_audit`` field changes (CSV or Table API JSON): one event per state change, the
  assignment group and assignee replayed as in force at each event;
- snapshot logs laid out like the UCI "Incident management process enriched event log":
  one row per update, ``?`` for missing values, day-first minute times.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.connectors.presets import PresetTable
from journeymap.connectors.presets.fieldchanges import (
    REOPENED,
    change_notes,
    closing,
    events_from_changes,
    reopenings,
)
from journeymap.connectors.presets.files import (
    csv_header,
    csv_lines,
    head_text,
    iso_utc,
    json_document,
    listing,
    lower_names,
    missing_columns,
    parse_utc,
    read_csv_text,
    read_xlsx_text,
    reference_values,
    rejects,
    repeated_headers,
    text_table,
    xlsx_header,
)
from journeymap.errors import EmptyLogError, SourceError

__all__ = ["RAW_VALUES_NOTE", "STATE_LABELS", "ServiceNowPreset"]

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
_OPENING_STATES = {"New"}
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
_ROLE_FIELDS = {"resource": "assigned_to", "team": "assignment_group", "customer": "caller_id",
                "channel": "contact_type"}  # fmt: skip
_SNAPSHOT_KEYS = {"number", "incident_state", "sys_mod_count", "sys_updated_at"}
_AUDIT_KEYS = {"documentkey", "fieldname", "oldvalue", "newvalue"}
_RAW_TIME = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
_JSON_RESULT = re.compile(r'^\s*\{\s*"result"\s*:\s*[\[{]')
#: Said of an export of raw values: its teams and people are ids until exported by name.
RAW_VALUES_NOTE = (
    "raw values: times are UTC (yyyy-MM-dd HH:mm:ss), and references such as "
    "assignment_group and assigned_to are sys_ids (32 hexadecimal characters), which the "
    "map and tables show as they are; for names, export with sysparm_display_value=true "
    "(times then come in the exporting user's time zone: give it with --timezone)"
)
_SYSTEM_FIELD = re.compile(r'"sys_[a-z_]+"\s*:')  # sys_id, sys_updated_on, sys_mod_count...
_HEAD_BYTES = 1 << 16


#: The (decoded) states that close an incident; back to In Progress from either is
#: ServiceNow's reopening.
_RESOLVED_OR_CLOSED = closing(r"resolved|closed")
#: The states that finish an incident: one whose last state is another is still open.
_CLOSING = r"resolved|closed|cancel+ed"


class ServiceNowPreset:
    """ServiceNow incident exports (list CSV/XLSX, Table API JSON, sys_audit, snapshots)."""

    name = "servicenow"
    description = "ServiceNow incidents: list exports, Table API JSON, sys_audit, snapshot logs"

    def recognise(self, path: Path, head: bytes) -> str | None:
        """Why ``path`` is a ServiceNow export (its header or JSON keys), or None."""
        return _shape(path, head)[1]

    def read(self, path: Path, *, encoding: str | None = None) -> PresetTable:
        """Read the export in whichever shape :meth:`recognise` found."""
        with open(path, "rb") as stream:
            head = stream.read(_HEAD_BYTES)
        reason = _shape(path, head)[1]
        if head_text(head).lstrip()[:1] in ("{", "["):
            frame, notes = _result_frame(path, encoding)
        elif head.startswith(b"PK\x03\x04"):
            frame, notes = read_xlsx_text(path)
        else:
            frame, notes = read_csv_text(path, encoding)
        names = lower_names(frame.columns)
        if names.keys() >= _AUDIT_KEYS:
            table = _read_audit(frame, names, path.name)
        elif names.keys() >= _SNAPSHOT_KEYS and "sys_updated_on" not in names:
            table = _read_snapshots(frame, names, path.name)
        else:
            table = _read_list(frame, path.name, from_json=head_text(head).lstrip()[:1] == "{")
        table.notes[:0] = notes
        table.reason = reason or ""
        return table


def _shape(path: Path, head: bytes) -> tuple[str | None, str | None]:
    """(``csv`` | ``xlsx`` | ``json`` | None, why) from the header or the JSON keys."""
    header, kind = csv_header(head), "csv"
    if header is None:
        header, kind = xlsx_header(path, head), "xlsx"
    if header is not None:
        names = lower_names(header).keys()
        if names >= _AUDIT_KEYS:
            return (
                kind,
                "a ServiceNow sys_audit export (documentkey, fieldname, oldvalue, newvalue)",
            )
        if names >= _SNAPSHOT_KEYS:
            return kind, (
                "a ServiceNow snapshot log (number, incident_state, sys_mod_count, "
                "sys_updated_at), laid out like the UCI incident log"
            )
        fields = {LABELS.get(n, n) for n in names}
        if {"number", "sys_updated_on"} <= fields and fields & {"state", "incident_state"}:
            how = "field names" if "sys_updated_on" in names else "labels"
            state = "incident_state" if "state" not in fields else "state"
            return kind, f"a ServiceNow incident list export ({how}: number, {state}, updated)"
        if {"number", "assignment_group", "contact_type"} <= fields:
            return (
                kind,
                "a ServiceNow incident list export (labels Number, Assignment group, Channel)",
            )
        return None, None
    text = head_text(head)
    if _JSON_RESULT.match(text):
        if '"documentkey"' in text and '"fieldname"' in text:
            return (
                "json",
                "ServiceNow Table API JSON of sys_audit (result[].documentkey, fieldname)",
            )
        if _SYSTEM_FIELD.search(text):
            return "json", "ServiceNow Table API JSON (result[] records with sys_ fields)"
    return None, None


def _result_frame(path: Path, encoding: str | None) -> tuple[pd.DataFrame, list[str]]:
    """The records of a Table API response as a text frame (references as their sys_id)."""
    document = json_document(path, encoding)
    result = document.get("result") if isinstance(document, dict) else None
    if isinstance(result, dict):
        result = [result]
    if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
        raise SourceError(
            f'{path.name}: is JSON but not a ServiceNow Table API response (no "result" list '
            "of records); export it from /api/now/table/<table>"
        )
    if not result:
        raise EmptyLogError(f"{path.name}: the Table API response holds no records")
    rows = [{k: _json_text(v) for k, v in record.items()} for record in result]
    frame = pd.DataFrame(rows, dtype="str")
    return frame.mask(frame == ""), []


def _json_text(value: Any) -> str | None:
    """A Table API value as text: a reference object gives its ``value`` (the sys_id)."""
    if isinstance(value, dict):
        value = value.get("value")
    if value is None or isinstance(value, str):
        return value
    return str(value).lower() if isinstance(value, bool) else str(value)


def _read_list(frame: pd.DataFrame, label: str, *, from_json: bool) -> PresetTable:
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
    for name in _ROLE_FIELDS.values():
        if name in columns:
            frame[columns[name]] = reference_values(frame[columns[name]])
    frame[state], decoded = _decode_states(frame[state], state)
    notes += decoded
    updated = frame[columns["sys_updated_on"]]
    options: dict[str, Any] = {}
    if decoded or from_json:
        if updated.dropna().str.fullmatch(_RAW_TIME).all():
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
            if not cells.str.fullmatch(_RAW_TIME).all():
                options = {}
        table, mapping, said = _milestones(frame, columns, state)
        return PresetTable(
            text_table(table),
            mapping,
            records=len(frame),
            options=options,
            notes=notes + said,
            closing=_CLOSING,
        )
    cases = frame[columns["number"]].nunique()
    notes.append(
        f"one event per row ({len(frame)} rows, {cases} records): each row is a record's "
        f"{state!r} as of {columns['sys_updated_on']!r}; export sys_audit for the full "
        "history"
    )
    mapping = {"case": columns["number"], "activity": state, "timestamp": columns["sys_updated_on"]}
    mapping |= {role: columns[f] for role, f in _ROLE_FIELDS.items() if f in columns}
    return PresetTable(
        text_table(frame),
        mapping,
        records=len(frame),
        options=options,
        notes=notes,
        closing=_CLOSING,
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
    left = current.notna() & ~current.isin(_OPENING_STATES | {n for n, _ in marks})
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
    mapping = {"case": number, "activity": activity, "timestamp": timestamp}
    mapping |= {role: columns[_ROLE_FIELDS[role]] for role in ("customer", "channel")
                if _ROLE_FIELDS[role] in columns}  # fmt: skip
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


def _decode_states(values: pd.Series, column: str) -> tuple[pd.Series, list[str]]:
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


def _read_audit(frame: pd.DataFrame, names: dict[str, str], label: str) -> PresetTable:
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
    roles = {role: f for role, f in _ROLE_FIELDS.items() if f in fields}
    states = changes["field"] == activity
    changes.loc[states, "new"], decoded = _decode_states(changes.loc[states, "new"], activity)
    changes.loc[states, "old"] = _decode_states(changes.loc[states, "old"], activity)[0]
    result = events_from_changes(
        changes,
        activity_field=activity,
        roles=roles,
        used_fields=("number", "state", "incident_state"),
        closed=_RESOLVED_OR_CLOSED,
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
    table = events[[*columns, "actor"]].rename(columns={"actor": "user"})
    return PresetTable(
        text_table(table),
        {c: c for c in columns},
        records=len(frame),
        rejects=dropped,
        notes=notes,
        closing=_CLOSING,
    )


def _with_reopenings(frame: pd.DataFrame, names: dict[str, str]) -> tuple[pd.DataFrame, int]:
    """The snapshots (in each incident's order), a copy of each reopening's row (its
    state back from Resolved or Closed to an open one) just before it with the state
    ``Reopened``; and how many there were."""
    state = frame[names["incident_state"]]
    before = state.groupby(frame[names["number"]], sort=False).shift()  # the previous row's
    back = reopenings(before, state, _RESOLVED_OR_CLOSED)
    if not back.any():
        return frame, 0
    again = frame[back].assign(**{names["incident_state"]: REOPENED})
    place = pd.Series(range(len(frame)), frame.index, dtype="float64")
    both = pd.concat([frame, again])
    at = pd.concat([place, place[back] - 0.5])
    return both.iloc[at.to_numpy().argsort(kind="stable")], int(back.sum())


def _read_snapshots(frame: pd.DataFrame, names: dict[str, str], label: str) -> PresetTable:
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
        for r in _ROLE_FIELDS
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
        closing=_CLOSING,
    )
