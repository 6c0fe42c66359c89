"""XES event logs (IEEE 1849), plain or gzipped, read as a stream.

Each ``<event>`` becomes one row, in document order. Its attributes (``string``,
``date``, ``int``, ``float``, ``boolean``, ``id``) become columns named by their
``key``, and the attributes of its ``<trace>`` become case attributes named
``case:<key>`` (the trace's ``concept:name`` is ``case:concept:name``, as pm4py names
it). Every value is kept as the text written in the file; only the mapped timestamp
columns are parsed later. Log-level ``<global>`` defaults are not applied, and the
children of ``list`` and ``container`` attributes (and other nested attributes) are
not read; a note says so when a log has any.

XML entity declarations are refused before parsing: an XES log never needs them, and
an external entity could make the reader disclose a local file.
"""

from __future__ import annotations

import gzip
import re
import shlex
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from journeymap.connectors.base import Connector, RawSource, row_column
from journeymap.connectors.textfiles import existing_file
from journeymap.connectors.values import text_batch
from journeymap.connectors.xmlprolog import (
    Readable,
    read_prolog,
    undeclared_entity,
    undeclared_entity_text,
)
from journeymap.errors import EmptyLogError, SourceError
from journeymap.read_options import ReadOptions

__all__ = ["XesConnector"]

#: Events per pyarrow batch handed to the engine (memory stays bounded by a few batches).
BATCH_EVENTS = 50_000
CASE_ID = "case:concept:name"
# libxml2 options: never substitute entities, load a DTD or touch the network;
# huge_tree lifts libxml2's size limits on long logs and long attribute values.
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": True,
}  # fmt: skip
_VALUE_TYPES = frozenset({"string", "date", "int", "float", "boolean", "id"})
_NESTING_TYPES = frozenset({"list", "container"})
_FEED_CHUNK = 1 << 20
#: Bytes of a chunk kept to find an entity reference split between two chunks.
_LONGEST_REFERENCE = 256
# lxml appends the position to its messages; the line is given separately.
_POSITION = re.compile(r",? line \d+, column \d+$")


class XesConnector(Connector):
    """Read XES event logs (``.xes``, ``.xes.gz``) without loading them whole."""

    name = "xes"
    description = "XES event logs (IEEE 1849), plain or gzipped"
    suffixes = (".xes", ".xes.gz")

    def read(self, source: str, *, options: ReadOptions) -> RawSource:
        path = existing_file(source)
        label = path.name
        with _open(path, label) as stream:
            declares, doctype = read_prolog(stream)
            if declares:
                raise _entity_error(label)
        raw = RawSource(source=label, row_noun="event")
        raw.batches = _batches(path, raw, doctype=doctype)
        return raw


def _batches(path: Path, raw: RawSource, *, doctype: bool) -> Iterator[Any]:
    """The log's events as batches of text, parsed as they are consumed; fills
    ``raw.columns`` and ``raw.notes`` at the end. With a DOCTYPE, the file may refer to
    entities it does not declare (without one, the parser refuses them)."""
    builder = _BatchBuilder()
    reader = _XesReader(raw.source, builder)
    with _open(path, raw.source) as stream:
        for _ in reader.feed(stream, doctype=doctype):
            yield from builder.take()
    builder.flush()
    yield from builder.take()
    if builder.rows == 0:
        raise EmptyLogError(f"{raw.source}: the XES log holds no events; export it again")
    raw.columns = builder.columns()
    raw.notes.extend(reader.notes())
    if (shared := reader.shared_names()) is not None:  # a data-quality warning
        raw.warnings.append(shared)
    activity = _classifier_activity(reader.classifiers, builder.names)
    if activity is not None:
        name, keys = activity
        raw.mapping["activity"] = ",".join(builder.names[k] for k in keys)
        raw.notes.append(
            f"the activity is the log's classifier {name!r}: "
            f"{' + '.join(keys)}, joined with ' - ' (name another column as the activity "
            "to use it alone)"
        )


def _ampersands(value: str) -> str:
    """An attribute value with its ampersands back. Not substituting entities (the
    parser's guard against entity tricks), libxml2 hands each ``&`` of a value over as
    the character reference ``&#38;`` (``&amp;``, ``&#38;`` and ``&#x26;`` alike); every
    other reference is decoded. A value's text holding ``&#38;`` itself reaches us as
    ``&#38;#38;``, so putting each ``&#38;`` back to ``&`` decodes every value exactly
    once."""
    return value.replace("&#38;", "&")


def _classifier_activity(
    classifiers: list[tuple[str, str]], names: dict[str, str]
) -> tuple[str, list[str]] | None:
    """The log's first classifier when it names more than one key that events carry
    (XES's own definition of an event's activity, such as concept:name +
    lifecycle:transition); None otherwise."""
    if not classifiers:
        return None
    name, keys = classifiers[0]
    try:
        parts = shlex.split(keys)  # keys with spaces are quoted
    except ValueError:
        return None
    parts = [k for k in parts if k in names]
    return (name, parts) if len(parts) > 1 else None


class _XesReader:
    """An lxml parser target turning XES elements into rows for a :class:`_BatchBuilder`.

    A target sees each start and end tag with its attributes and builds no tree, which
    keeps memory bounded and is faster than ``iterparse``: the log is read in one pass,
    one trace at a time. A trace's events are kept until the trace ends, because the
    trace's own attributes may follow its events.
    """

    def __init__(self, label: str, writer: _BatchBuilder) -> None:
        self.label, self.writer = label, writer
        self.kinds: dict[str, str] = {}  # tag -> its local name, namespace removed
        self.depth = 0
        self.target: dict[str, str | None] | None = None  # where attributes go
        self.target_depth = 0  # the depth of the attributes that go there
        self.prefix, self.in_trace = "", False  # "case:" while reading a trace's attributes
        self.case: dict[str, str | None] = {}
        self.event: dict[str, str | None] | None = None
        self.events: list[dict[str, str | None]] = []
        self.last_key = ""
        self.nested_keys: dict[str, None] = {}  # keys of attributes not fully read
        self.repeated: dict[str, None] = {}  # keys given twice on one event or trace
        self.classifiers: list[tuple[str, str]] = []  # the log's (name, keys), in order
        self.trace_names: set[str | None] = set()
        self.shared: dict[str | None, int] = {}  # a trace name given again: how often

    def feed(self, stream: Readable, *, doctype: bool = False) -> Iterator[None]:
        """Feed the stream through lxml into this target, a chunk at a time, pausing
        after each chunk (so the rows built so far can be taken)."""
        from lxml import etree

        # lxml hands a target str tags and attributes (its stubs also allow bytes).
        parser = etree.XMLParser(target=cast(Any, self), **_PARSER_OPTIONS)
        size, tail = 0, b""
        try:
            while chunk := stream.read(_FEED_CHUNK):
                size += len(chunk)
                # An entity the file does not declare would reach the target as an
                # empty value: an event without its name, rejected for the wrong reason.
                name = undeclared_entity(tail + chunk) if doctype else None
                if name is not None:
                    raise SourceError(undeclared_entity_text(self.label, name))
                tail = chunk[-_LONGEST_REFERENCE:]
                parser.feed(chunk)
                yield
            if size == 0:  # an empty file inside a .gz
                raise EmptyLogError(f"{self.label}: holds no data; export the log again")
            parser.close()
        except etree.XMLSyntaxError as exc:
            where = f"line {exc.lineno}: " if exc.lineno else ""
            message = _POSITION.sub("", exc.msg or str(exc))
            raise SourceError(
                f"{self.label}: is not well-formed XML ({where}{message}); "
                "the file is damaged or truncated; export it again"
            ) from exc

    # -- parser target callbacks --------------------------------------------------
    def start(self, tag: str, attrib: dict[str, str], nsmap: object = None) -> None:
        depth = self.depth = self.depth + 1
        kind = self.kinds.get(tag) or self._kind(tag)
        target = self.target
        if target is not None and depth == self.target_depth:
            if kind in _VALUE_TYPES:
                key = attrib.get("key")
                if key:
                    if self.prefix:
                        key = self.prefix + key
                    name = self.writer.names.get(key) or self.writer.column(key)
                    if name in target:
                        self.repeated[key] = None
                    value = attrib.get("value")
                    if value and "&" in value:
                        value = _ampersands(value)
                    target[name] = value
                    self.last_key = key
            elif kind == "event" and self.in_trace:
                self.event = self.target = {}
                self.prefix, self.target_depth = "", depth + 1
            elif kind in _NESTING_TYPES:
                self.last_key = self.prefix + attrib.get("key", kind)
                self.nested_keys[self.last_key] = None
        elif target is not None and depth == self.target_depth + 1:
            self.nested_keys[self.last_key] = None
        elif depth == 2:
            if kind == "classifier":
                self.classifiers.append((attrib.get("name", ""), attrib.get("keys", "")))
            elif kind == "trace":
                self.in_trace, self.case, self.events = True, {}, []
                self.target, self.prefix, self.target_depth = self.case, "case:", 3
            elif kind == "event":
                self.event = self.target = {}
                self.prefix, self.target_depth = "", 3
        elif depth == 1 and kind != "log":
            raise SourceError(
                f"{self.label}: is XML but not an XES log (the root element is <{kind}>, "
                "not <log>); export the event log as XES"
            )

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if depth >= self.target_depth:
            return  # the end of an attribute: the common case, kept cheap
        if self.event is not None and depth == self.target_depth - 1:
            if self.in_trace:
                self.events.append(self.event)
                self.target, self.prefix, self.target_depth = self.case, "case:", 3
            else:
                self.writer.add(self.event)
                self.target = None
            self.event = None
        elif self.in_trace and depth == 2:
            name = self.case.get(self.writer.names.get(CASE_ID, CASE_ID))
            if name is not None and name in self.trace_names:
                self.shared[name] = self.shared.get(name, 0) + 1
            self.trace_names.add(name)
            for event in self.events:
                row = self.case.copy()
                row.update(event)
                self.writer.add(row)
            self.in_trace, self.target, self.events = False, None, []

    def close(self) -> None:
        """lxml calls this at the end of the document (a target must have it)."""

    def _kind(self, tag: str) -> str:
        self.kinds[tag] = tag.rpartition("}")[2]
        return self.kinds[tag]

    def shared_names(self) -> str | None:
        """The warning when traces share their name: their events become one case."""
        if not self.shared:
            return None
        again = sum(self.shared.values())
        examples = ", ".join(repr(n) for n in list(self.shared)[:3])
        return (
            f"{again:,} trace(s) have the name of an earlier trace (such as {examples}); "
            "the events of traces with one name are read as one case: give each trace its "
            "own concept:name, or split the log where it was joined"
        )

    def notes(self) -> list[str]:
        """What the user should know about attributes that were not read as given."""
        notes = list(self.writer.notes)
        if self.nested_keys:
            notes.append(
                "nested attributes (list and container attributes, and attributes inside "
                f"other attributes) were not read; they occur under {_listing(self.nested_keys)}"
            )
        if self.repeated:
            notes.append(
                f"some events or traces give attribute {_listing(self.repeated)} more than "
                "once; the last value is kept"
            )
        return notes


class _BatchBuilder:
    """Collect rows of text values into batches, adding columns as they appear."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # source key -> column name
        self.taken: set[str] = {row_column}  # lower-cased (engines ignore case)
        self.batch: list[dict[str, str | None]] = []
        self.ready: list[Any] = []
        self.rows = 0
        self.notes: list[str] = []

    def column(self, key: str) -> str:
        """The column name for a source key; a new one if the key is new."""
        name = self.names.get(key)
        if name is None:
            name, n = key, 0
            while name.lower() in self.taken:
                n += 1
                name = f"{key}_{n}"
            if name != key:
                self.notes.append(
                    f"attribute key {key!r} clashes with another column name (column names "
                    f"ignore case); it is read as {name!r}"
                )
            self.taken.add(name.lower())
            self.names[key] = name
        return name

    def add(self, row: dict[str, str | None]) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH_EVENTS:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        columns = list(self.names.values())
        rows = [[row.get(column) for column in columns] for row in batch]
        self.ready.append(text_batch(columns, rows))
        self.rows += len(rows)

    def take(self) -> list[Any]:
        """The batches built since the last call."""
        ready, self.ready = self.ready, []
        return ready

    def columns(self) -> list[str]:
        """The columns in order of first appearance, ``case:concept:name`` first."""
        return sorted(self.names.values(), key=lambda c: c != CASE_ID)


@contextmanager
def _open(path: Path, label: str) -> Iterator[Readable]:
    """Open the file as bytes, decompressing gzip (recognised by its magic bytes)."""
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"  # gzip's magic bytes
        raw.seek(0)
        try:
            if not compressed:
                yield raw
                return
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield unzipped
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise SourceError(
                f"{label}: the gzip data is damaged or ends early ({exc}): the file is "
                "damaged or truncated; export it again"
            ) from exc


def _entity_error(label: str) -> SourceError:
    return SourceError(
        f"{label}: declares XML entities (<!ENTITY ...>), which journeymap never reads "
        "for safety; export the log without a DOCTYPE"
    )


def _listing(keys: dict[str, None], limit: int = 5) -> str:
    shown = ", ".join(repr(k) for k in list(keys)[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")
