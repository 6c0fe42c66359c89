"""Presets: readers that know one source system's exports (ServiceNow, Jira, Zendesk,
Salesforce, OCEL, field-change logs) and map them onto the roles with no options.

A preset recognises its exports from their content (headers, JSON shape) and turns one
into a :class:`PresetTable`: an Arrow table of text columns in the order the events
should be numbered, the mapping of roles onto its columns, read options it implies
(a timestamp format, collapsing repeated states), and notes saying what it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Preset", "PresetReject", "PresetTable"]


@dataclass(frozen=True)
class PresetReject:
    """A source record the preset could not turn into events: its number in the source
    (1 = first record), the line (for text files, else None) and the reason; and the
    record's values as read (column, value), when its columns are the table's."""

    record: int
    line: int | None
    reason: str
    values: tuple[tuple[str, str | None], ...] = field(default=(), compare=False)


@dataclass
class PresetTable:
    """What a preset read.

    Attributes
    ----------
    table : pyarrow.Table with only string columns (NULL for missing values), one row per
        event, in the order the events should be numbered (ties in time keep this order).
    mapping : roles of MEASURES.md (case, activity, timestamp, start_timestamp, resource,
        team, channel, customer) -> column of ``table``.
    records : how many source records were read (events may be more or fewer: a
        field-change log gives one event per status change; every record is either
        turned into events, skipped with a counted reason in ``notes``, or in ``rejects``).
    rejects : records that could not be read, with their reason.
    options : read options the export implies, by ReadOptions field name
        (``timestamp_format``, ``timezone``, ``collapse_repeats``).
    notes : what the preset did, in the user's words ("state codes decoded: 7 -> Closed").
    reason : why the file was recognised as this system's export (shown by inspect).
    closing : the system's closing statuses, as a regular expression for a whole activity
        value (ignoring case and blanks at its ends): the activities of ``table`` that
        match are the log's end activities (:attr:`ReadOptions.end_activities`), and a
        case that ends with none of them was still open when exported. Empty: not known.
    added : activities the preset added just before another event, at its time (a
        reopening's ``Reopened``): their equal timestamps are not the source's.
    """

    table: Any
    mapping: dict[str, str]
    records: int
    rejects: list[PresetReject] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    reason: str = ""
    closing: str = ""
    added: tuple[str, ...] = ()


class Preset(Protocol):
    """One source system's export reader."""

    name: str
    description: str

    def recognise(self, path: Path, head: bytes) -> str | None:
        """Why ``path`` (whose first bytes are ``head``) is this system's export, or None."""

    def read(self, path: Path, *, encoding: str | None = None) -> PresetTable:
        """Read the export."""
