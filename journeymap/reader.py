"""Reading an event log: :func:`read_log` chooses the connector for a file or a
database URL, reads it with the read options and roles given, and builds the
:class:`~journeymap.eventlog.EventLog`."""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any

from journeymap.connectors.base import Connector
from journeymap.engine import Engine
from journeymap.errors import MappingError, expect, option
from journeymap.eventlog import EventLog
from journeymap.mapping import ROLES
from journeymap.read_options import ReadOptions, check_timezone

__all__ = ["read_log"]


def read_log(
    source: str | os.PathLike[str],
    *,
    engine: Engine | None = None,
    connector: str | Connector | None = None,
    **given: Any,
) -> EventLog:
    """Read an event log from a file (a path, as text or a :class:`pathlib.Path`) or a
    database URL.

    The connector is chosen by the file's suffix (``.csv``, ``.xes.gz``, ``.xlsx``,
    ``.parquet``, ...) or the URL's scheme (``sqlite:///cases.db``), or by name.
    Keyword arguments are the read options of
    :class:`~journeymap.read_options.ReadOptions` (``sep``, ``encoding``, ``sheet``,
    ``table``, ``query``, ``timestamp_format``, ``timezone``, ``strict``) and the roles
    (``case``, ``activity``, ``timestamp``, ``start_timestamp``, ``resource``, ``team``,
    ``channel``, ``customer``), each naming a source column; roles not given are
    detected from the headers. Without ``engine``, the log opens its own (DuckDB) and
    closes it with the log.

    Raises
    ------
    SourceNotFoundError, SourceError, EmptyLogError
        The source is missing, unreadable, or holds no rows.
    MappingError
        A named column does not exist, or a required role cannot be detected.
    RejectedRowsError
        ``strict=True`` and some rows were rejected.
    ConnectorNotFoundError, MissingDependencyError
        No connector reads this source, or its optional dependency is missing.
    TypeError
        A keyword that is neither a read option nor a role.
    """
    from journeymap.connectors.registry import connector_for, get_connector

    names = {f.name for f in fields(ReadOptions)}
    unknown = sorted(set(given) - names - set(ROLES))
    if unknown:
        raise TypeError(
            f"read_log() got an unexpected keyword argument {unknown[0]!r}; it takes the "
            f"read options {', '.join(sorted(names - {'connector'}))} and the roles "
            f"{', '.join(ROLES)}"
        )
    source = os.fspath(source)
    if isinstance(connector, str):
        given["connector"] = connector
    settings = {k: v for k, v in given.items() if k in names and v is not None}
    written = dict(settings)
    if "timezone" in settings:
        settings["timezone"] = check_timezone(settings["timezone"])
    options = ReadOptions(**settings)
    # As the caller wrote them ("utc" before "UTC"), for mine() to compare its options with.
    as_given = options if written == settings else ReadOptions(**written)
    mapping = {k: v for k, v in given.items() if k in ROLES}
    for role, column in mapping.items():
        if column is not None:
            expect(column, str, f"read_log()'s {role}", "a role names a column, as text")
    if isinstance(connector, Connector):
        reader = connector
    elif options.connector is not None:
        reader = get_connector(options.connector)
    else:
        reader = connector_for(source)
    reader.check_dependencies()
    if options.object_type is not None and reader.name != "ocel":
        raise MappingError(
            f"{source}: {option('object_type')} chooses the case notion of an OCEL 2.0 log; "
            f"this source is read by the {reader.name} connector"
        )
    raw = reader.read(source, options=options)
    log = EventLog.from_source(raw, engine, mapping=mapping, options=options)
    log.read_with = (as_given, {k: v for k, v in mapping.items() if v is not None})
    return log
