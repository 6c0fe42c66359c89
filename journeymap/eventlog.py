"""The canonical event log: events with the roles of shared/MEASURES.md, on the engine."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from journeymap.connectors.base import (
    Connector,
    RawTable,
    copy_numbered,
    first_row,
    quote_identifier,
)
from journeymap.engine import Engine, connect
from journeymap.ingest import ingest
from journeymap.mapping import ROLES, Mapping, ReadOptions, detect_mapping
from journeymap.timestamps import TimestampFormat, check_timezone

__all__ = ["EventLog", "read_log"]

_frames = itertools.count(1)


@dataclass
class EventLog:
    """Events of a log, typed and validated, held as a table on the engine.

    The table has the column ``source_row`` (the record's number in the source, 1 =
    first data record), one column per mapped role (``case``, ``activity``,
    ``timestamp`` in UTC, and any of ``start_timestamp``, ``resource``, ``team``,
    ``channel``, ``customer``) and every other source column as a text attribute.
    Identifiers are text. Within a case, events are ordered by timestamp, ties by
    ``source_row``.

    Build one with :func:`read_log` or :meth:`EventLog.from_frame`.
    """

    engine: Engine
    table_name: str
    rejects_name: str
    mapping: Mapping
    source: str
    rows_read: int
    rejected_rows: int
    attributes: dict[str, str] = field(default_factory=dict)
    timestamp_formats: dict[str, TimestampFormat] = field(default_factory=dict)
    timezone: str = "UTC"
    notes: list[str] = field(default_factory=list)
    #: Tables derived from the events once and reused by several analyses.
    _derived: dict[str, str] = field(default_factory=dict, repr=False)

    # -- building ----------------------------------------------------------------
    @classmethod
    def from_raw(
        cls,
        raw: RawTable,
        engine: Engine,
        *,
        mapping: dict[str, str | None] | None = None,
        options: ReadOptions | None = None,
    ) -> EventLog:
        """Detect the mapping, type and validate a connector's raw table."""
        options = options or ReadOptions()
        check_timezone(options.timezone)
        resolved = detect_mapping(raw.columns, mapping, source=raw.source)
        events, rejects = engine.new_name("events"), engine.new_name("rejects")
        done = ingest(engine.con, raw, resolved, options, events=events, rejects=rejects)
        notes = list(raw.notes)
        for fmt in done.formats.values():
            notes.extend(fmt.notes)
        notes.extend(
            f"source column {src!r} is kept as attribute {name!r}"
            for name, src in done.attributes.items()
            if name != src
        )
        return cls(
            engine=engine,
            table_name=events,
            rejects_name=rejects,
            mapping=resolved,
            source=raw.source,
            rows_read=done.rows_read,
            rejected_rows=done.rejected_rows,
            attributes=done.attributes,
            timestamp_formats=done.formats,
            timezone=options.timezone,
            notes=notes,
        )

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        timestamp_format: str | None = None,
        timezone: str = "UTC",
        strict: bool = False,
        source: str = "data frame",
        engine: Engine | None = None,
        **mapping: str | None,
    ) -> EventLog:
        """Build an event log from a pandas DataFrame (which is not modified).

        Every column is read as text, exactly as :func:`read_log` reads a CSV file;
        datetime columns keep their instant (naive ones are read in ``timezone``).
        Role keyword arguments name the column of each role (``case="Ticket"``);
        roles not given are detected from the column names.

        Examples
        --------
        >>> df = pd.DataFrame({
        ...     "case": ["T1", "T01", "T1"],
        ...     "activity": ["Open", "Open", "Close"],
        ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00"],
        ... })
        >>> log = EventLog.from_frame(df)
        >>> log.events, log.cases
        (3, 2)
        """
        engine = engine or connect()
        name = f"frame_{next(_frames)}"
        columns = [str(c) for c in df.columns]
        frame = df.copy(deep=False)
        frame.columns = pd.Index(columns)
        view = f"{name}_view"
        engine.con.register(view, frame)
        selects = ", ".join(quote_identifier(c) for c in columns)
        backing = copy_numbered(engine.con, name, f"SELECT {selects} FROM {view}")
        engine.con.unregister(view)
        raw = RawTable(table=name, columns=columns, source=source, backing=backing)
        options = ReadOptions(timestamp_format=timestamp_format, timezone=timezone, strict=strict)
        return cls.from_raw(raw, engine, mapping=mapping, options=options)

    # -- what it holds ----------------------------------------------------------
    @property
    def table(self) -> Any:
        """The events as an Ibis table expression."""
        return self.engine.table(self.table_name)

    @property
    def roles(self) -> tuple[str, ...]:
        """The mapped roles, in the order of MEASURES.md."""
        return tuple(r for r in ROLES if getattr(self.mapping, r) is not None)

    def has(self, role: str) -> bool:
        """Whether ``role`` is mapped."""
        return role in self.roles

    @property
    def events(self) -> int:
        """Number of accepted events."""
        return self.rows_read - self.rejected_rows

    @property
    def cases(self) -> int:
        """Number of distinct cases."""
        return int(self._scalar(f'SELECT count(DISTINCT "case") FROM {self.table_name}'))

    def to_pandas(self) -> pd.DataFrame:
        """All events in log order (case, timestamp, source row), as a new DataFrame."""
        return self.engine.con.execute(
            f'SELECT * FROM {self.table_name} ORDER BY "case", "timestamp", source_row'
        ).df()

    def rejects(self) -> pd.DataFrame:
        """Rejected rows: ``source_row``, ``line`` (for unreadable lines), ``reason`` and
        the row's values as read, ordered by source row."""
        return self.engine.con.execute(
            f"SELECT * FROM {self.rejects_name} ORDER BY source_row, line"
        ).df()

    def write_rejects(self, path: str) -> int:
        """Write the rejected rows to a CSV file; return how many were written.

        Text that a spreadsheet would run as a formula is prefixed with an apostrophe.
        """
        from journeymap.safecsv import copy_to_csv

        copy_to_csv(self.engine.con, self.rejects_name, path, order_by="source_row, line")
        return self.rejected_rows

    def derived(self, key: str, build: Any) -> Any:
        """A table derived from the events, computed once and kept on the engine.

        ``build`` is called with no arguments the first time ``key`` is asked for and
        returns an Ibis expression; its result is stored as a temporary table, which
        later calls return. Analyses use it for intermediate results that several of
        them read (events in case order, per-case times).
        """
        name = self._derived.get(key)
        if name is None:
            name = self._derived[key] = self.engine.materialize(build(), f"derived_{key}")
        return self.engine.table(name)

    def release(self, *keys: str) -> None:
        """Drop derived tables (see :meth:`derived`) that are no longer needed, to free
        the engine's memory. A table asked for again later is computed again.
        Unknown or never-built keys are ignored."""
        for key in keys:
            name = self._derived.pop(key, None)
            if name is not None:
                self.engine.drop_table(name)

    def only_cases(self, cases: Iterable[str] | Any, *, label: str) -> EventLog:
        """The events of some cases, as a log on the same engine (a view: no copy of the
        events). The result's source is this log's with ``label`` added; the tables it
        derives for analyses are its own.

        ``cases`` is case ids, or an Ibis table on this log's engine with a ``case``
        column (the ids then never leave the engine).

        Examples
        --------
        >>> log = EventLog.from_frame(pd.DataFrame({"case": ["1", "2", "2"],
        ...     "activity": ["a", "a", "b"], "timestamp": ["2024-01-01"] * 3}))
        >>> log.only_cases(["2"], label="case 2").events
        2
        """
        con = self.engine.con
        name, keys = self.engine.new_name("subset"), self.engine.new_name("subset_cases")
        import ibis

        if isinstance(cases, ibis.Table):
            ids = ibis.to_sql(cases.select("case"), dialect="duckdb")
            con.execute(f'CREATE TEMP TABLE {keys} AS SELECT DISTINCT "case" FROM ({ids})')
        else:
            frame = pd.DataFrame({"case": pd.Series(list(cases), dtype=object).astype(str)})
            con.register(f"{keys}_frame", frame)
            con.execute(f'CREATE TEMP TABLE {keys} AS SELECT DISTINCT "case" FROM {keys}_frame')
            con.unregister(f"{keys}_frame")
        con.execute(
            f'CREATE TEMP VIEW {name} AS SELECT * FROM {self.table_name} WHERE "case" IN '
            f'(SELECT "case" FROM {keys})'
        )
        events = int(first_row(con, f"SELECT count(*) FROM {name}")[0])
        return EventLog(
            engine=self.engine,
            table_name=name,
            rejects_name=self.rejects_name,
            mapping=self.mapping,
            source=f"{self.source} ({label})",
            rows_read=events,
            rejected_rows=0,
            attributes=self.attributes,
            timestamp_formats=self.timestamp_formats,
            timezone=self.timezone,
            notes=list(self.notes),
        )

    def _scalar(self, sql: str) -> Any:
        row = first_row(self.engine.con, sql)
        return row[0] if row else None

    def __repr__(self) -> str:
        return (
            f"<EventLog {self.source!r}: {self.events:,} events, "
            f"{self.rejected_rows:,} rejected, roles {', '.join(self.roles)}>"
        )


def read_log(
    source: str,
    *,
    connector: str | Connector | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
    timestamp_format: str | None = None,
    timezone: str = "UTC",
    strict: bool = False,
    engine: Engine | None = None,
    **mapping: str | None,
) -> EventLog:
    """Read an event log from a file or database URL.

    The connector is chosen by the file's suffix (``.csv``, ``.xes.gz``, ``.xlsx``,
    ``.parquet``, ...) or the URL's scheme (``sqlite:///cases.db``), or by name.
    Role keyword arguments (``case``, ``activity``, ``timestamp``, ``start_timestamp``,
    ``resource``, ``team``, ``channel``, ``customer``) name source columns; roles not
    given are detected from the headers.

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
    """
    from journeymap.connectors.registry import connector_for, get_connector

    if connector is None:
        reader = connector_for(source)
    elif isinstance(connector, str):
        reader = get_connector(connector)
    else:
        reader = connector
    reader.check_dependencies()
    options = ReadOptions(
        sep=sep,
        encoding=encoding,
        sheet=sheet,
        table=table,
        query=query,
        timestamp_format=timestamp_format,
        timezone=check_timezone(timezone),
        strict=strict,
    )
    engine = engine or connect()
    raw = reader.read(source, con=engine.con, options=options)
    return EventLog.from_raw(raw, engine, mapping=mapping, options=options)
