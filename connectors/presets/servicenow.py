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

from journeymap.connectors.presets import PresetReject, PresetTable
from journeymap.connectors.presets.files import (
    csv_header,
    head_text,
    json_document,
    lower_names,
    read_csv_text,
    read_xlsx_text,
    with_unread,
    xlsx_header,
)
from journeymap.connectors.presets.servicenow_fields import (
    AUDIT_KEYS,
    LABELS,
    SNAPSHOT_KEYS,
)
from journeymap.connectors.presets.servicenow_history import read_audit, read_snapshots
from journeymap.connectors.presets.servicenow_list import read_list
from journeymap.errors import EmptyLogError, SourceError

__all__ = ["ServiceNowPreset"]

_JSON_RESULT = re.compile(r'^\s*\{\s*"result"\s*:\s*[\[{]')
_SYSTEM_FIELD = re.compile(r'"sys_[a-z_]+"\s*:')  # sys_id, sys_updated_on, sys_mod_count...
_HEAD_BYTES = 1 << 16


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
        unread: list[PresetReject] = []
        if head_text(head).lstrip()[:1] in ("{", "["):
            frame, notes = _result_frame(path, encoding)
        elif head.startswith(b"PK\x03\x04"):
            frame, notes = read_xlsx_text(path)
        else:
            frame, notes, unread = read_csv_text(path, encoding)
        names = lower_names(frame.columns)
        if names.keys() >= AUDIT_KEYS:
            table = read_audit(frame, names, path.name)
        elif names.keys() >= SNAPSHOT_KEYS and "sys_updated_on" not in names:
            table = read_snapshots(frame, names, path.name)
        else:
            table = read_list(frame, path.name, from_json=head_text(head).lstrip()[:1] == "{")
        table.notes[:0] = notes
        table.reason = reason or ""
        return with_unread(table, unread)


def _shape(path: Path, head: bytes) -> tuple[str | None, str | None]:
    """(``csv`` | ``xlsx`` | ``json`` | None, why) from the header or the JSON keys."""
    header, kind = csv_header(head), "csv"
    if header is None:
        header, kind = xlsx_header(path, head), "xlsx"
    if header is not None:
        lowered = lower_names(header)
        names = lowered.keys()
        if names >= AUDIT_KEYS:
            return (
                kind,
                "a ServiceNow sys_audit export (documentkey, fieldname, oldvalue, newvalue)",
            )
        if names >= SNAPSHOT_KEYS:
            return kind, (
                "a ServiceNow snapshot log (number, incident_state, sys_mod_count, "
                "sys_updated_at), laid out like the UCI incident log"
            )
        fields = {LABELS.get(n, n) for n in names}
        if {"number", "sys_updated_on"} <= fields and fields & {"state", "incident_state"}:
            # Named as the export names them: field names, or the labels they stand for.
            seen = {LABELS.get(n, n): n for n in names}
            state = "incident_state" if "state" not in fields else "state"
            if "sys_updated_on" in names:
                how = f"field names: number, {state}, sys_updated_on"
            else:
                shown = [lowered[seen[f]] for f in ("number", state, "sys_updated_on")]
                how = f"labels: {', '.join(shown)}"
            return kind, f"a ServiceNow incident list export ({how})"
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
