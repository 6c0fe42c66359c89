"""Reading the three OCEL 2.0 file formats (JSON, XML, SQLite) into one plain shape.

Only what a case-centric log needs is read: the object types, each object's type, and
each event's id, type, time, attributes and related objects (event-to-object links).
Object attributes and object-to-object links are counted, not read. Every problem with
the whole file is a one-line :class:`~journeymap.errors.SourceError`; a problem with one
event is recorded on that event, so that the preset can reject it and go on.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeymap.connectors.base import first_line
from journeymap.connectors.values import value_text
from journeymap.errors import SourceError, ocel1_advice

__all__ = ["OcelEvent", "OcelLog", "read_json", "read_sqlite", "read_xml"]

# libxml2 options, as for XES: never substitute entities, load a DTD or use the network.
_XML_OPTIONS: dict[str, Any] = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": True,
}  # fmt: skip
_OCEL1_KEYS = ("ocel:global-log", "ocel:events", "ocel:objects")
_JSON_KEYS = ("objectTypes", "eventTypes", "objects", "events")
_SQLITE_TABLES = ("event", "object", "event_object")


@dataclass
class OcelEvent:
    """One event: ``problem`` says why it cannot be used (then the rest may be empty)."""

    id: str
    type: str
    time: str | None
    attributes: dict[str, str | None] = field(default_factory=dict)
    objects: list[str] = field(default_factory=list)
    problem: str | None = None


@dataclass
class OcelLog:
    """What an OCEL 2.0 file holds, as far as flattening needs it."""

    format: str
    object_types: list[str]
    objects: dict[str, str]  # object id -> object type
    events: list[OcelEvent]
    attribute_names: list[str]  # event attributes, declared ones first
    object_attributes: int = 0  # object attribute values (not read)
    object_links: int = 0  # object-to-object links (not read)


def _quoted(name: str) -> str:
    """An SQLite identifier in double quotes (table names come from the file itself)."""
    return '"' + name.replace('"', '""') + '"'


def _related(ids: list[str]) -> list[str]:
    """Related object ids in order, each once (a pair may carry several qualifiers)."""
    return list(dict.fromkeys(ids))


def _text(value: Any) -> str | None:
    return value_text(value) if not isinstance(value, dict | list) else json.dumps(value)


# -- JSON --------------------------------------------------------------------------------


def read_json(path: Path, *, encoding: str | None = None) -> OcelLog:
    """Read an OCEL 2.0 JSON file (``objectTypes``, ``eventTypes``, ``objects``, ``events``)."""
    label = path.name
    try:
        data = json.loads(path.read_bytes().decode(encoding or "utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{label}: not {encoding or 'UTF-8'} text ({exc.reason} at byte offset {exc.start}); "
            "give its encoding with --encoding"
        ) from exc
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{label}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    if not isinstance(data, dict):
        raise SourceError(f"{label}: not an OCEL 2.0 log: the JSON is not an object")
    if any(key in data for key in _OCEL1_KEYS):
        raise _ocel1(label, "JSON")
    missing = [key for key in _JSON_KEYS if not isinstance(data.get(key), list)]
    if missing:
        raise SourceError(
            f"{label}: not an OCEL 2.0 log: no list {', '.join(map(repr, missing))} at the "
            "top level (OCEL 2.0 JSON has objectTypes, eventTypes, objects and events)"
        )
    object_types = [str(t["name"]) for t in data["objectTypes"] if isinstance(t, dict)]
    names = [
        str(a["name"])
        for t in data["eventTypes"]
        if isinstance(t, dict)
        for a in t.get("attributes") or []
        if isinstance(a, dict) and "name" in a
    ]
    objects: dict[str, str] = {}
    values = links = 0
    for obj in data["objects"]:
        if isinstance(obj, dict) and "id" in obj and "type" in obj:
            objects[str(obj["id"])] = str(obj["type"])
            values += len(obj.get("attributes") or [])
            links += len(obj.get("relationships") or [])
    events = [_json_event(n, raw) for n, raw in enumerate(data["events"], 1)]
    for event in events:
        names.extend(event.attributes)
    return OcelLog("JSON", object_types, objects, events, list(dict.fromkeys(names)), values, links)


def _json_event(number: int, raw: Any) -> OcelEvent:
    if not isinstance(raw, dict):
        return OcelEvent(str(number), "", None, problem="the event is not a JSON object")
    missing = [key for key in ("id", "type", "time") if raw.get(key) in (None, "")]
    event = OcelEvent(str(raw.get("id", number)), str(raw.get("type", "")), None)
    if missing:
        event.problem = f"the event has no {' or '.join(missing)}"
        return event
    event.time = str(raw["time"])
    for attribute in raw.get("attributes") or []:
        if isinstance(attribute, dict) and "name" in attribute:
            event.attributes[str(attribute["name"])] = _text(attribute.get("value"))
    links = [r for r in raw.get("relationships") or [] if isinstance(r, dict)]
    event.objects = _related([str(r["objectId"]) for r in links if "objectId" in r])
    return event


def _ocel1(label: str, kind: str) -> SourceError:
    return SourceError(f"{label}: an OCEL 1.0 {kind} log; {ocel1_advice()}")


# -- XML ---------------------------------------------------------------------------------


def read_xml(path: Path, *, encoding: str | None = None) -> OcelLog:
    """Read an OCEL 2.0 XML file (root ``<log>`` with ``<object-types>``)."""
    from lxml import etree

    from journeymap.connectors.xmlprolog import find_entity_declaration, undeclared_entity_text

    label = path.name
    with path.open("rb") as stream:
        if find_entity_declaration(stream):
            raise SourceError(
                f"{label}: declares XML entities, which an OCEL log never needs and which "
                "could disclose local files; remove the <!DOCTYPE ...> declaration"
            )
    parser = etree.XMLParser(encoding=encoding, **_XML_OPTIONS)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        message = re.sub(r",? line \d+, column \d+$", "", first_line(exc))
        raise SourceError(f"{label}: not well-formed XML at line {exc.lineno}: {message}") from exc
    for entry in parser.error_log:
        if entry.type == etree.ErrorTypes.WAR_UNDECLARED_ENTITY:
            name = re.sub(r"^Entity '(.*)' not defined.*$", r"\1", entry.message)
            where = f"line {entry.line} "
            raise SourceError(undeclared_entity_text(label, name, where))
    if root.tag != "log":
        raise SourceError(f"{label}: not an OCEL 2.0 log: the root element is <{root.tag}>")
    if root.find("object-types") is None:
        if root.find("global") is not None:
            raise _ocel1(label, "XML")
        raise SourceError(f"{label}: not an OCEL 2.0 log: <log> has no <object-types>")
    object_types = [str(t.get("name")) for t in root.iterfind("object-types/object-type")]
    names = [str(a.get("name")) for a in root.iterfind("event-types/event-type/attributes/*")]
    objects = {
        str(o.get("id")): str(o.get("type"))
        for o in root.iterfind("objects/object")
        if o.get("id") is not None and o.get("type") is not None
    }
    values = len(root.findall("objects/object/attributes/attribute"))
    links = len(root.findall("objects/object/objects/relationship"))
    events = []
    for number, element in enumerate(root.iterfind("events/event"), 1):
        event = OcelEvent(
            str(element.get("id", number)), str(element.get("type", "")), element.get("time")
        )
        missing = [key for key in ("id", "type", "time") if not element.get(key)]
        if missing:
            event.problem = f"the event (line {element.sourceline}) has no {' or '.join(missing)}"
        for attribute in element.iterfind("attributes/attribute"):
            event.attributes[str(attribute.get("name"))] = attribute.text
            names.append(str(attribute.get("name")))
        found = element.iterfind("objects/relationship")
        event.objects = _related([str(r.get("object-id")) for r in found if r.get("object-id")])
        events.append(event)
    return OcelLog("XML", object_types, objects, events, list(dict.fromkeys(names)), values, links)


# -- SQLite ------------------------------------------------------------------------------


def read_sqlite(path: Path) -> OcelLog:
    """Read an OCEL 2.0 SQLite database (tables ``event``, ``object``, ``event_object``,
    and ``event_<Type>`` with each event's time and attributes), opened read-only."""
    label = path.name
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise SourceError(f"{label}: cannot open the SQLite database: {first_line(exc)}") from exc
    try:
        return _read_sqlite(db, label)
    except sqlite3.Error as exc:
        raise SourceError(f"{label}: cannot read the OCEL tables: {first_line(exc)}") from exc
    finally:
        db.close()


def _read_sqlite(db: sqlite3.Connection, label: str) -> OcelLog:
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = [t for t in _SQLITE_TABLES if t not in tables]
    if missing:
        raise SourceError(
            f"{label}: not an OCEL 2.0 SQLite database: no table {', '.join(map(repr, missing))}"
        )

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return db.execute(sql).fetchall()

    def mapped(kind: str) -> dict[str, str]:  # type name -> table suffix
        if f"{kind}_map_type" not in tables:
            return {}
        return dict(rows(f"SELECT ocel_type, ocel_type_map FROM {kind}_map_type ORDER BY rowid"))

    listed = rows("SELECT ocel_id, ocel_type FROM object ORDER BY rowid")
    objects = {str(object_id): str(kind) for object_id, kind in listed}
    object_types = list(dict.fromkeys([*mapped("object"), *objects.values()]))
    values = 0
    for suffix in mapped("object").values():
        if f"object_{suffix}" in tables:
            values += _object_values(db, f"object_{suffix}")
    links = rows("SELECT count(*) FROM object_object")[0][0] if "object_object" in tables else 0

    related: dict[str, list[str]] = {}
    for event_id, object_id in rows(
        "SELECT ocel_event_id, ocel_object_id FROM event_object ORDER BY rowid"
    ):
        related.setdefault(str(event_id), []).append(str(object_id))
    details: dict[str, tuple[Any, dict[str, str | None]]] = {}
    names: list[str] = []
    for suffix in mapped("event").values():
        table = f"event_{suffix}"
        if table not in tables:
            continue
        cursor = db.execute(f"SELECT * FROM {_quoted(table)}")
        columns = [d[0] for d in cursor.description]
        attributes = [c for c in columns if c not in ("ocel_id", "ocel_time")]
        names.extend(attributes)
        for row in cursor:
            record = dict(zip(columns, row, strict=True))
            values_of = {a: _text(record[a]) for a in attributes}
            details[str(record.get("ocel_id"))] = (record.get("ocel_time"), values_of)
    events = []
    for event_id, event_type in rows("SELECT ocel_id, ocel_type FROM event ORDER BY rowid"):
        event = OcelEvent(str(event_id), str(event_type or ""), None)
        if event.id not in details:
            event.problem = f"no table event_<type> holds the event {event.id!r}"
        elif details[event.id][0] in (None, ""):
            event.problem = "the event has no time"
        else:
            event.time = value_text(details[event.id][0])
            event.attributes = details[event.id][1]
        event.objects = _related(related.get(event.id, []))
        events.append(event)
    names = list(dict.fromkeys(names))
    return OcelLog("SQLite", object_types, objects, events, names, values, links)


def _object_values(db: sqlite3.Connection, table: str) -> int:
    """Attribute values in an ``object_<Type>`` table: every attribute of a first row, one
    of a row that records a change (``ocel_changed_field`` set)."""
    quoted = _quoted(table)
    columns = [d[0] for d in db.execute(f"SELECT * FROM {quoted} LIMIT 0").description]
    attributes = [c for c in columns if c not in ("ocel_id", "ocel_time", "ocel_changed_field")]
    if not attributes:
        return 0
    if "ocel_changed_field" not in columns:
        return int(db.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]) * len(attributes)
    first, changes = db.execute(
        f"SELECT count(*) FILTER (WHERE ocel_changed_field IS NULL), "
        f"count(ocel_changed_field) FROM {quoted}"
    ).fetchone()
    return int(first) * len(attributes) + int(changes)
