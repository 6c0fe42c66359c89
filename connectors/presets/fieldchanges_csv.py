"""The generic field-change log in CSV: one row per change of one field of one record,
with columns for the record, the field, the old and new value, when and by whom
(``record_id, field, old_value, new_value, changed_at, changed_by``), read into events by
the reduction every field-change preset shares (:func:`~journeymap.connectors.presets.
fieldchanges.events_from_changes`)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from journeymap.connectors.presets import PresetTable
from journeymap.connectors.presets.fieldchanges import (
    change_count,
    change_notes,
    events_from_changes,
)
from journeymap.connectors.presets.files import (
    csv_header,
    csv_lines,
    iso_utc,
    listing,
    missing_columns,
    parse_in_zone,
    read_csv_text,
    rejects,
    text_table,
    with_unread,
)

__all__ = ["FieldChangesPreset"]

# Header spellings of the generic log (lower case, spaces as underscores).
_COLUMNS = {
    "record": ("record_id", "record", "case_id", "case", "ticket_id", "ticket", "issue_key",
               "object_id", "entity_id"),
    "field": ("field", "field_name", "changed_field", "attribute"),
    "old": ("old_value", "old", "from_value", "previous_value", "value_before"),
    "new": ("new_value", "new", "to_value", "value_after"),
    "at": ("changed_at", "changed_on", "change_date", "change_time", "timestamp", "changed"),
    "actor": ("changed_by", "user", "author", "actor", "updated_by"),
}  # fmt: skip
_ACTIVITY_NAMES = ("status", "state", "stage")
# Which role a field's name suggests; the first pattern that matches wins.
_ROLE_PATTERNS = (
    ("channel", re.compile(r"channel|origin|contact_?type|via", re.I)),
    ("team", re.compile(r"team|queue|group", re.I)),
    ("resource", re.compile(r"assignee|assigned|owner|agent|handler", re.I)),
    ("customer", re.compile(r"customer|requester|caller|reporter|contact|client", re.I)),
)


class FieldChangesPreset:
    """A generic field-change log in CSV: record, field, old and new value, when, by whom.

    Parameters
    ----------
    activity_field : the field whose changes are the events; by default a field named
        status, state or stage, else the most frequent field.
    """

    name = "fieldchanges"
    description = "field-change logs (record, field, old value, new value, changed at, by)"

    def __init__(self, activity_field: str | None = None) -> None:
        self.activity_field = activity_field

    def recognise(self, path: Path, head: bytes) -> str | None:
        """Why ``path`` is a generic field-change log (its header), or None."""
        names = csv_header(head)
        if names is None:
            return None
        found = _resolve(names)
        if {"record", "field", "new", "at"} <= found.keys():
            shown = ", ".join(found[k] for k in ("record", "field", "new", "at"))
            return f"a field-change log (columns {shown})"
        return None

    def read(
        self, path: Path, *, encoding: str | None = None, timezone: str | None = None
    ) -> PresetTable:
        """Read the log: one event per change of the activity field."""
        frame, notes, unread = read_csv_text(path, encoding)
        found = _resolve(list(frame.columns))
        need = [k for k in ("record", "field", "new", "at") if k not in found]
        if need:
            names = [_COLUMNS[k][0] for k in need]
            raise missing_columns(
                path.name,
                names,
                "a field-change log needs the record, the "
                "field, the new value and the time of each change",
            )
        changes = pd.DataFrame({k: frame[c] for k, c in found.items()})
        for key in ("old", "actor"):
            changes[key] = changes[key] if key in changes else pd.Series(pd.NA, frame.index)
        changes["seq"] = range(len(frame))
        changes["at"], zoneless = parse_in_zone(frame[found["at"]], timezone)
        bad_time = changes["at"].isna() & frame[found["at"]].notna()
        bad = bad_time | changes["record"].isna() | changes["field"].isna() | changes["at"].isna()
        written = frame[found["at"]].map(repr, na_action="ignore").fillna("")
        reasons = pd.Series("the record, field or time is empty", frame.index).mask(
            bad_time, f"unreadable {found['at']}: " + written + " is not an ISO 8601 time"
        )
        lines = csv_lines(frame)
        table_rejects = rejects(
            changes.index[bad].to_series() + 1, reasons[bad], None if lines is None else lines[bad]
        )
        changes = changes[~bad]
        activity, why = self._activity_field(changes["field"])
        roles = _roles(changes["field"], activity)
        result = events_from_changes(changes, activity_field=activity, roles=roles)
        events = result.events
        notes += [why, *change_notes(result, activity_field=activity)]
        if zoneless:
            notes.append(
                f"{zoneless:,} of the times carry no time zone: read in {timezone}"
                if timezone is not None
                else f"{zoneless:,} of the times carry no time zone: read as UTC; give the "
                "export's time zone with --timezone if they are local times"
            )
        if "resource" not in roles and "actor" in found:
            events["resource"] = events["actor"]
            notes.append(
                f"no assignee or owner field: resource is who made the change ({found['actor']!r})"
            )
        events["timestamp"] = iso_utc(events["timestamp"])
        columns = ["case", "activity", "timestamp", *[r for r in _ROLE_ORDER if r in events]]
        table = events[[*columns, "actor"]].rename(columns={"actor": "changed_by"})
        read = PresetTable(
            table=text_table(table),
            mapping={c: c for c in columns},
            records=len(frame),
            rejects=table_rejects,
            notes=notes,
            reason=f"a field-change log with columns {listing(found.values(), 6)}",
        )
        return with_unread(read, unread)

    def _activity_field(self, fields: pd.Series) -> tuple[str, str]:
        """The field whose changes are the activities, and a note saying why."""
        counts = fields.value_counts()
        if self.activity_field is not None:
            return self.activity_field, f"activities are the changes of {self.activity_field!r}"
        named = [f for f in counts.index if str(f).strip().lower() in _ACTIVITY_NAMES]
        if named:
            return str(named[0]), f"activities are the changes of {named[0]!r}"
        top = str(counts.index[0])
        return top, (
            f"no field is named status, state or stage: activities are the changes of the "
            f"most frequent field, {top!r} ({change_count(int(counts.iloc[0]))})"
        )


_ROLE_ORDER = ("resource", "team", "customer", "channel")


def _resolve(names: list[str]) -> dict[str, str]:
    """Role of each recognised header of the generic log -> its column name."""
    spelt = {n.strip().lower().replace(" ", "_"): n for n in names}
    found = {}
    for key, options in _COLUMNS.items():
        match = next((spelt[o] for o in options if o in spelt), None)
        if match is not None:
            found[key] = match
    return found


def _roles(fields: pd.Series, activity: str) -> dict[str, str]:
    """The most frequent field whose name suggests each role (the activity excluded)."""
    roles: dict[str, str] = {}
    for name in fields[fields != activity].value_counts().index:
        role = next((r for r, p in _ROLE_PATTERNS if p.search(str(name))), None)
        if role is not None:
            roles.setdefault(role, str(name))
    return {role: roles[role] for role in _ROLE_ORDER if role in roles}
