"""OCEL 2.0 object-centric event logs, flattened on one object type.

An OCEL 2.0 log relates each event to objects of several types (a purchase order, its
invoices, the customer). A journey needs one case notion, so the preset flattens the log
on one object type: each event related to an object of that type becomes one row per
(event, object) pair, with

- case: the object's id (the column is named after the object type);
- activity: the event type;
- timestamp: the event time; a time with a UTC offset is written in UTC
  (``2022-01-09T14:00:00Z``), a time without one stays without one (read in
  ``--timezone``, UTC unless given). pm4py's own example log is an hour apart between its
  JSON file (UTC) and its XML and SQLite files (no zone, apparently Central European
  time), so a note says when the times carry no zone;
- a column per other object type holding the ids of the event's related objects of that
  type, joined with ``,``; and the event's attributes, one column each;
- resource, team, channel and customer: an event attribute named like the role
  (``resource``, ``org:resource``, ``agent``; ``team``, ``group``; ``channel``;
  ``customer``, ``client``), else the column of a related object type named like it.

The object type is the one asked for, else a type named like a customer, else one named
like a case, ticket or order (in that order), else the type with the most events.
Object attributes and object-to-object links are not used.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from journeymap.connectors.presets import PresetReject, PresetTable
from journeymap.connectors.presets.ocel_files import (
    OcelLog,
    read_json,
    read_sqlite,
    read_xml,
)
from journeymap.connectors.textfiles import existing_file
from journeymap.connectors.values import unique_names
from journeymap.errors import EmptyLogError, MappingError, SourceError, option

__all__ = ["OcelPreset", "flatten"]

_SQLITE_MAGIC = b"SQLite format 3\x00"
_JSON_KEY = re.compile(rb'"(objectTypes|eventTypes)"\s*:')
# A DOCTYPE is let through here (with its internal subset in [...]): reading then refuses
# one that declares entities, saying so, rather than the file going unrecognised.
_XML_ROOT = re.compile(
    rb"^(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)\s*)*<log[\s>]",
    re.DOTALL,
)
_XML_TYPES = re.compile(rb"<object-types[\s>/]")
_PROBE_BYTES = 1 << 20  # how far into a JSON file the type lists are looked for
# Words that make an object type the default case notion, in order of preference.
_CASE_WORDS = (("customer", "client"), ("case",), ("ticket",), ("order",))
_ROLE_WORDS = {
    "resource": ("resource", "agent", "employee", "clerk", "staff", "handler", "assignee"),
    "team": ("team", "group", "department", "queue"),
    "channel": ("channel",),
    "customer": ("customer", "client"),
}
_FIXED = ("activity", "time", "event id")


class OcelPreset:
    """OCEL 2.0 logs (JSON, XML, SQLite), flattened on one object type."""

    name = "ocel"
    description = "OCEL 2.0 object-centric logs (JSON, XML, SQLite), one object type as the case"

    def recognise(self, path: Path, head: bytes) -> str | None:
        """Why ``path`` is an OCEL 2.0 log, from its first bytes ``head``, or None.

        JSON: the top-level keys ``objectTypes`` and ``eventTypes``; XML: the root
        ``<log>`` with ``<object-types>``; SQLite: the tables ``event``, ``object`` and
        ``event_object``. OCEL 1.0 logs are not recognised.
        """
        if head.startswith(_SQLITE_MAGIC):
            return _recognise_sqlite(path)
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if text.startswith(b"{"):
            found = {m.group(1) for m in _JSON_KEY.finditer(_json_probe(path, head))}
            if found == {b"objectTypes", b"eventTypes"}:
                return "OCEL 2.0 JSON: top-level keys objectTypes and eventTypes"
        elif _XML_ROOT.match(text) and _XML_TYPES.search(text):
            return "OCEL 2.0 XML: root <log> with <object-types>"
        return None

    def read(
        self, path: Path, *, encoding: str | None = None, object_type: str | None = None
    ) -> PresetTable:
        """Read an OCEL 2.0 log, flattened on ``object_type`` (chosen when None).

        Raises
        ------
        SourceNotFoundError
            The file does not exist.
        SourceError
            The file is not an OCEL 2.0 log (an OCEL 1.0 log, invalid JSON or XML), or
            it has no object type ``object_type`` (the message lists the types).
        EmptyLogError
            No event is related to an object of the type.
        """
        path = existing_file(str(path))
        with path.open("rb") as stream:
            head = stream.read(_PROBE_BYTES)
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if head.startswith(_SQLITE_MAGIC):
            log = read_sqlite(path)
        elif text.startswith(b"{"):
            log = read_json(path, encoding=encoding)
        elif text.startswith(b"<"):
            log = read_xml(path, encoding=encoding)
        else:
            raise SourceError(
                f"{path.name}: not an OCEL 2.0 log: neither JSON, XML nor an SQLite database"
            )
        table = flatten(log, object_type=object_type, label=path.name)
        table.reason = self.recognise(path, head) or f"OCEL 2.0 {log.format}"
        return table


def flatten(log: OcelLog, *, object_type: str | None = None, label: str = "OCEL") -> PresetTable:
    """The rows of ``log`` for one object type, as described in the module docstring.

    Raises
    ------
    SourceError
        ``object_type`` is not a type of the log.
    EmptyLogError
        No event is related to an object of the chosen type.
    """
    import pyarrow as pa

    types = list(dict.fromkeys([*log.object_types, *log.objects.values()]))
    grouped = [_by_type(log, e.objects) for e in log.events]
    counts = Counter(kind for related in grouped for kind in related)
    chosen, why = _choose(types, counts, object_type, label)
    others = [t for t in types if t != chosen and counts[t]]
    names, renamed = unique_names([chosen, *_FIXED, *others, *log.attribute_names])
    columns: dict[str, list[str | None]] = {name: [] for name in names}
    other_columns = dict(zip(others, names[4 : 4 + len(others)], strict=True))
    attribute_columns = dict(zip(log.attribute_names, names[4 + len(others) :], strict=True))
    roles, role_notes = _roles(chosen, other_columns, attribute_columns)
    # A role read from a related type names one object: an event related to several (a
    # message to two customers) has none, rather than their ids joined as one.
    role_of = {t: r for t, c in other_columns.items() for r, rc in roles.items() if c == rc}
    ambiguous: Counter[str] = Counter()
    # Per case and activity, the related objects of the other types each occurrence had:
    # an activity done again for other objects (a second invoice) is rework by its name.
    done_for: dict[tuple[str, str], set[tuple[tuple[str, ...], ...]]] = {}
    for_others: Counter[str] = Counter()
    rejects: list[PresetReject] = []
    aware = naive = several = unrelated = 0
    for number, (event, related) in enumerate(zip(log.events, grouped, strict=True), 1):
        cases = related.get(chosen, [])
        time = _time_text(event.time) if event.time is not None else None
        if event.problem or time is None:
            reason = event.problem or f"unreadable time {event.time!r}"
            rejects.append(PresetReject(record=number, line=None, reason=reason))
            continue
        if not cases:
            unrelated += 1
            continue
        several += len(cases) > 1
        aware, naive = aware + time[1], naive + (not time[1])
        for t in role_of:
            ambiguous[t] += len(related.get(t, ())) > 1
        shared = [
            event.type,
            time[0],
            event.id,
            *(
                ",".join(related[t])
                if t in related and (t not in role_of or len(related[t]) == 1)
                else None
                for t in others
            ),
            *(event.attributes.get(a) for a in log.attribute_names),
        ]
        objects = tuple(tuple(sorted(related.get(t, ()))) for t in others)
        for case in cases:
            for name, value in zip(names, [case, *shared], strict=True):
                columns[name].append(value)
            before = done_for.setdefault((case, event.type), set())
            if before and objects not in before:
                for_others[event.type] += 1
            before.add(objects)
    rows = len(columns[names[0]])
    if rows == 0:
        raise EmptyLogError(f"{label}: no readable event is related to a {chosen!r} object")
    mapping = dict(zip(("case", "activity", "timestamp"), names, strict=False))
    mapping.update(roles)
    role_notes += [
        f"{role_of[t]}: {_events(n)} related to several {t!r} objects: left without one"
        for t, n in sorted(ambiguous.items())
        if n
    ]

    links = sum(len(e.objects) for e in log.events)
    dangling = sum(o not in log.objects for e in log.events for o in e.objects)
    notes = [
        f"OCEL 2.0 {log.format}: {len(log.events):,} events, {len(log.objects):,} objects, "
        f"{links:,} event-object links; object types (events related): "
        + ", ".join(f"{t!r} {counts[t]:,}" for t in types),
        f"cases: the {chosen!r} objects ({len(set(columns[names[0]])):,}), {why}; "
        f"choose another type with {option('object_type', 'TYPE')}",
    ]
    if several:
        notes.append(f"{_events(several)} related to several {chosen!r} objects: one row each")
    if unrelated:
        notes.append(f"{_events(unrelated)} related to no {chosen!r} object: left out")
    if dangling:
        notes.append(f"{dangling:,} event-object links name objects the log does not list")
    if others:
        shown = ", ".join(repr(other_columns[t]) for t in others)
        notes.append(f"related objects of the other types: columns {shown} (ids joined by ',')")
    notes.extend(role_notes)
    if for_others:
        n, (example, _) = sum(for_others.values()), for_others.most_common(1)[0]
        notes.append(
            f"{_events(n)} an activity done again in its {chosen!r} object for other "
            f"related objects (most often {example!r}): each counts as rework, though it "
            "may be the same step done for another object"
        )
    notes.extend(_time_notes(aware, naive))
    if log.object_attributes or log.object_links:
        notes.append(
            f"not used: {log.object_attributes:,} object attribute values and "
            f"{log.object_links:,} object-to-object links"
        )
    notes.extend(n.replace("in the header", "among the OCEL names") for n in renamed)
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return PresetTable(
        table=table, mapping=mapping, records=len(log.events), rejects=rejects, notes=notes
    )


def _events(n: int) -> str:
    return f"{n:,} event is" if n == 1 else f"{n:,} events are"


def _by_type(log: OcelLog, objects: Iterable[str]) -> dict[str, list[str]]:
    """Related objects by their type (objects the log does not list are left out)."""
    grouped: dict[str, list[str]] = {}
    for object_id in objects:
        kind = log.objects.get(object_id)
        if kind is not None:
            grouped.setdefault(kind, []).append(object_id)
    return grouped


def _words(name: str) -> set[str]:
    """The words of a name, lower case, each also without a plural s."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).lower()
    return {w for word in re.findall(r"[a-z0-9]+", spaced) for w in (word, word.removesuffix("s"))}


def _named_like(name: str, words: Iterable[str]) -> str | None:
    """The first of ``words`` that is a word of ``name``."""
    have = _words(name)
    return next((w for w in words if w in have), None)


def _choose(
    types: list[str], counts: Counter[str], wanted: str | None, label: str
) -> tuple[str, str]:
    """The object type to use as the case, and why."""
    listing = ", ".join(f"{t!r} ({counts[t]:,} events)" for t in types) or "none"
    if wanted is not None:
        folded = [t for t in types if t.lower() == wanted.lower()]
        if wanted not in types and len(folded) != 1:
            raise MappingError(
                f"{label}: has no object type {wanted!r}; the object types are: {listing}"
            )
        chosen = wanted if wanted in types else folded[0]
        if not counts[chosen]:
            raise EmptyLogError(
                f"{label}: no event is related to a {chosen!r} object; the object types "
                f"are: {listing}"
            )
        return chosen, "as asked"
    candidates = [t for t in types if counts[t]]
    if not candidates:
        raise EmptyLogError(f"{label}: no event is related to any object; nothing to follow")
    for words in _CASE_WORDS:
        named = [t for t in candidates if _named_like(t, words)]
        if named:
            best = max(named, key=lambda t: counts[t])  # the first one on a tie
            return best, f"because its name says {_named_like(best, words)}"
    best = max(candidates, key=lambda t: counts[t])
    return best, f"because it has the most events ({counts[best]:,})"


def _roles(
    chosen: str, type_columns: dict[str, str], attribute_columns: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Resource, team, channel and customer columns from names, and notes saying which."""
    roles: dict[str, str] = {}
    notes = []
    for role, words in _ROLE_WORDS.items():
        if _named_like(chosen, words):
            notes.append(f"{role}: the cases are the {chosen!r} objects themselves")
            continue
        used = set(roles.values())
        attribute = next(
            (a for a, c in attribute_columns.items() if _named_like(a, words) and c not in used),
            None,
        )
        kind = next(
            (t for t, c in type_columns.items() if _named_like(t, words) and c not in used), None
        )
        if attribute is not None:
            roles[role] = attribute_columns[attribute]
            notes.append(f"{role}: the event attribute {attribute!r}")
        elif kind is not None:
            roles[role] = type_columns[kind]
            notes.append(f"{role}: the related {kind!r} objects")
    return roles, notes


def _time_text(value: str) -> tuple[str, bool] | None:
    """An event time as ISO 8601 text, in UTC when it has an offset; and whether it has.

    Examples
    --------
    >>> _time_text("2022-01-09T15:00:00+01:00"), _time_text("2022-01-09 15:00:00")
    (('2022-01-09T14:00:00Z', True), ('2022-01-09T15:00:00', False))
    """
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.isoformat(), False
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z", True


def _time_notes(aware: int, naive: int) -> list[str]:
    if not naive:
        return ["event times are in UTC (converted from their offsets)"] if aware else []
    zone = "read in --timezone (UTC unless given)"
    if aware:
        return [
            f"{naive:,} event times carry no time zone while {aware:,} do: those without are "
            f"{zone}, the others converted to UTC; check that the two agree"
        ]
    # That they carry no offset, and how they are read, the reading's own note says
    # ("timestamps in 'time' carry no UTC offset; read as UTC time"): not said twice.
    return [
        "OCEL XML and SQLite files often hold local time (pm4py's example log is an hour "
        "ahead of its own JSON twin): if these event times do, give their zone with "
        "--timezone"
    ]


def _json_probe(path: Path, head: bytes) -> bytes:
    """The head, and, for a longer file, its first and last bytes, to look for keys in."""
    try:
        size = path.stat().st_size
        if size <= len(head):
            return head
        with path.open("rb") as stream:
            start = stream.read(_PROBE_BYTES)
            stream.seek(max(0, size - _PROBE_BYTES))
            return start + stream.read()
    except OSError:
        return head


def _recognise_sqlite(path: Path) -> str | None:
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            found = {
                name
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name IN ('event', 'object', 'event_object')"
                )
            }
        finally:
            db.close()
    except sqlite3.Error:
        return None
    if len(found) < 3:
        return None
    return "OCEL 2.0 SQLite: tables event, object and event_object"
