"""The presets as connectors: each system's preset, registered by name, chosen by what a
file holds (its headers, its JSON keys) rather than its suffix.

A preset connector recognises its exports with its preset's ``recognise`` (the first
64 KiB of the file; an SQLite file's table list), reads them with the preset, and hands
the engine the preset's events as Arrow batches, with the roles, read options, notes,
warnings and rejected records the preset gave. Preset modules are imported only when a
file is looked at or read, so listing the connectors stays cheap.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any, ClassVar

from journeymap.connectors.base import Connector, RawSource, ReaderReject
from journeymap.connectors.textfiles import existing_file
from journeymap.read_options import ReadOptions

__all__ = [
    "BATCH_ROWS",
    "FieldChangesConnector",
    "JiraConnector",
    "OcelConnector",
    "PresetConnector",
    "SalesforceConnector",
    "ServiceNowConnector",
    "ZendeskConnector",
    "raw_source",
]

#: Rows per Arrow batch handed to the engine.
BATCH_ROWS = 50_000
#: A preset note that starts so is a warning: said among the data-quality warnings.
WARNING_PREFIX = "warning: "
_HEAD_BYTES = 1 << 16


class PresetConnector(Connector):
    """A connector that reads one system's exports through its preset."""

    #: ``module:Class`` of the preset, under ``journeymap.connectors.presets``.
    preset_class: ClassVar[str]

    def preset(self) -> Any:
        """The preset object (its module imported on first use)."""
        module, _, name = self.preset_class.partition(":")
        return getattr(importlib.import_module(f"journeymap.connectors.presets.{module}"), name)()

    def recognise(self, path: Path, head: bytes) -> str | None:
        return self.preset().recognise(path, head)

    def companions(self, path: Path) -> list[Path]:
        preset = self.preset()
        return list(preset.companions(path)) if hasattr(preset, "companions") else []

    def read(self, source: str, *, options: ReadOptions) -> RawSource:
        self.check_dependencies()
        path = existing_file(source)
        preset = self.preset()
        table = preset.read(path, **self._read_options(options))
        if not table.reason:
            with path.open("rb") as stream:
                table.reason = preset.recognise(path, stream.read(_HEAD_BYTES)) or ""
        given = options.end_activities is not None  # the user's: no note on the preset's
        return raw_source(table, source=path.name, preset=self.name, ends_given=given)

    def _read_options(self, options: ReadOptions) -> dict[str, Any]:
        return {"encoding": options.encoding}


def raw_source(table: Any, *, source: str, preset: str, ends_given: bool = False) -> RawSource:
    """A preset's :class:`~journeymap.connectors.presets.PresetTable` as what the engine
    ingests: its events in batches (one row per event, in the preset's order), its roles
    and read options, its notes (those starting ``warning:`` as warnings instead, said
    once among the data-quality warnings), and its
    rejected records with their number and line in the source. With ``ends_given`` (the
    user named the end activities), the preset's closing statuses are neither used nor
    noted."""
    notes = [n for n in table.notes if not n.startswith(WARNING_PREFIX)]
    warnings = [n.removeprefix(WARNING_PREFIX) for n in table.notes if n.startswith(WARNING_PREFIX)]
    options = dict(table.options)
    if table.closing and "end_activities" not in options and not ends_given:
        options["end_activities"] = ends = end_activities(table)
        notes.append(
            f"a case has ended when its last event is {_either(ends)}; the others were still "
            "open when exported, and their time so far is no end-to-end time"
            if ends
            else "no record is closed: every case was still open when exported, and none "
            "has an end-to-end time"
        )
    events = table.table.num_rows
    if table.records != events:
        records = f"{table.records:,} record" + ("" if table.records == 1 else "s")
        gave = f"{events:,} event" + ("" if events == 1 else "s")
        notes.insert(0, f"{records} of the export gave {gave}")
    return RawSource(
        source=source,
        batches=table.table.to_batches(max_chunksize=BATCH_ROWS),
        columns=list(table.table.column_names),
        rejects=[ReaderReject(r.record, r.line, r.reason, r.values) for r in table.rejects],
        notes=notes,
        mapping=dict(table.mapping),
        options=options,
        preset=preset,
        preset_reason=table.reason or None,
        warnings=warnings,
        rows_are_records=False,
        records=table.records,
        added_activities=table.added,
    )


def end_activities(table: Any) -> tuple[str, ...]:
    """The activities of a preset's events that match its ``closing`` pattern, sorted."""
    import pyarrow.compute as pc

    column = table.table.column(table.mapping["activity"])
    names = [v for v in pc.unique(column).to_pylist() if v is not None]
    pattern = re.compile(table.closing, re.IGNORECASE)
    return tuple(sorted(v for v in names if pattern.fullmatch(v.strip())))


def _either(names: tuple[str, ...]) -> str:
    """``'Closed'``, ``'Resolved' or 'Closed'``, ``'A', 'B' or 'C'``."""
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


class ServiceNowConnector(PresetConnector):
    name = "servicenow"
    description = (
        "ServiceNow incidents: list exports (CSV, XLSX), Table API JSON, sys_audit, snapshot logs"
    )
    looks_into = (".csv", ".xlsx", ".json")
    preset_class = "servicenow:ServiceNowPreset"


class JiraConnector(PresetConnector):
    name = "jira"
    description = "Jira issues: REST JSON with changelog (search results or one issue), CSV export"
    looks_into = (".json", ".csv")
    preset_class = "jira:JiraPreset"


class ZendeskConnector(PresetConnector):
    name = "zendesk"
    description = "Zendesk tickets: Ticket Audits and Incremental Ticket Events (JSON)"
    looks_into = (".json",)
    preset_class = "zendesk:ZendeskPreset"


class SalesforceConnector(PresetConnector):
    name = "salesforce"
    description = "Salesforce CaseHistory, CaseHistory2 and OpportunityHistory CSV exports"
    looks_into = (".csv",)
    preset_class = "salesforce:SalesforcePreset"


class FieldChangesConnector(PresetConnector):
    name = "fieldchanges"
    description = "field-change logs (record, field, old value, new value, changed at, by)"
    looks_into = (".csv",)
    recognise_order = 1  # a generic shape: the systems' own presets are asked first
    preset_class = "fieldchanges_csv:FieldChangesPreset"

    def _read_options(self, options: ReadOptions) -> dict[str, Any]:
        return {"encoding": options.encoding, "timezone": options.timezone}


class OcelConnector(PresetConnector):
    name = "ocel"
    description = "OCEL 2.0 object-centric logs (JSON, XML, SQLite), one object type as the case"
    looks_into = (".json", ".jsonocel", ".xml", ".xmlocel", ".sqlite", ".sqlite3", ".db")
    preset_class = "ocel:OcelPreset"

    def _read_options(self, options: ReadOptions) -> dict[str, Any]:
        return {"encoding": options.encoding, "object_type": options.object_type}
