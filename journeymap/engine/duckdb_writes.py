"""DuckDB writes the big per-case tables to CSV beside the rest of the output.

Writing a table is one ``COPY`` with its ``ORDER BY``, and DuckDB keeps about one core
busy with it: the per-case tables of a million-event log (cases, journeys, demand,
flow) took 1.0 s one after the other, 0.7 s two at a time (in one process, on this
project's 2-core machine). So each table given to :class:`WritesBeside` is compiled to
SQL at once (Ibis holds Python's lock) and its ``COPY`` runs on one of two cursors of the
engine's database, on threads of their own, while the caller goes on with the small
tables, the charts and the report.

While the writes run, the database works with one thread per statement (DuckDB's
``threads`` setting, restored when the writes end). Two writers of two threads each
on two cores took turns with each other's threads: at 1M events the writing step held
480 to 505 MB at its peak and took 0.55 to 0.68 s, and with one thread each 424 to
431 MB and 0.49 to 0.62 s (3 alternating runs); at 10M, 8.1 s against 5.5 s (1 pair).

A cursor is a session of its own: it sees the database's tables and views but not the
temporary tables, views and registered frames of the engine's connection, and it has
its own time zone. A table whose expression reads anything it cannot see is written at
once, on the engine's connection, as before. Rows are ordered by the table's columns, so
the file is the same bytes whichever way it is written.
"""

from __future__ import annotations

import queue
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import duckdb
import ibis.expr.operations as ops

from journeymap.engine.base import CsvWrites, EngineTable
from journeymap.engine.duckdb_csv import copy_query_to_csv
from journeymap.engine.duckdb_sql import quote_identifier

__all__ = ["WritesBeside"]

#: Tables written at the same time (each COPY keeps about one core busy).
WRITERS = 2


class WritesBeside(CsvWrites):
    """Engine tables written to CSV by :data:`WRITERS` cursors of ``con`` on threads of
    their own; the ``with`` block's end waits for them. ``database`` is the attached
    database that holds the engine's tables."""

    def __init__(self, con: duckdb.DuckDBPyConnection, database: str) -> None:
        self._con = con
        self._database = database
        self._cursors: queue.SimpleQueue[duckdb.DuckDBPyConnection] = queue.SimpleQueue()
        self._all: list[duckdb.DuckDBPyConnection] = []
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []
        self._threads: int | None = None  # the setting to restore at the end

    def add(self, table: EngineTable, path: str | Path) -> Path:
        if not table.order_by or not self._visible(table.expr):
            return table.write_csv(path)  # at once, on the engine's own connection
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        engine = table.engine
        sql = engine._sql(table.expr)  # type: ignore[attr-defined]  # DuckDB's compiler
        order = ", ".join(quote_identifier(c) for c in table.order_by)
        view = engine.new_name("to_csv")
        if self._pool is None:
            (threads,) = self._con.execute("SELECT current_setting('threads')").fetchall()[0]
            if int(threads) > 1:
                self._threads = int(threads)
                self._con.execute("SET threads = 1")
            for _ in range(WRITERS):  # made here: a connection is not shared between threads
                cursor = self._con.cursor()
                cursor.execute(f"USE {self._database}")
                cursor.execute("SET TimeZone = 'UTC'")  # instants are written in UTC
                self._all.append(cursor)
                self._cursors.put(cursor)
            self._pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="journeymap-csv")
        self._pending.append(self._pool.submit(self._write, sql, view, target, order))
        return target

    def _write(self, sql: str, view: str, target: Path, order: str) -> None:
        cursor = self._cursors.get()
        try:
            copy_query_to_csv(cursor, sql, view, target, order_by=order)
        finally:
            self._cursors.put(cursor)

    def _visible(self, expr: Any) -> bool:
        """Whether every table ``expr`` reads is one of the database's own (not a
        temporary table or view of the engine's connection, nor raw SQL)."""
        leaves = [
            node
            for node in expr.op().find((ops.PhysicalTable, ops.SQLQueryResult, ops.SQLStringView))
            if not isinstance(node, ops.AliasedRelation)
        ]
        if not all(isinstance(node, ops.DatabaseTable) for node in leaves):
            return False
        names = {node.name for node in leaves}
        found = self._con.execute(
            "SELECT count(DISTINCT name) FROM ("
            " SELECT table_name AS name, database_name AS db, temporary FROM duckdb_tables()"
            " UNION ALL"
            " SELECT view_name, database_name, temporary FROM duckdb_views()"
            ") WHERE db = $db AND NOT temporary AND list_contains($names, name)",
            {"db": self._database, "names": sorted(names)},
        ).fetchall()[0][0]
        return bool(found == len(names))

    def __enter__(self) -> WritesBeside:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        try:
            if kind is not None:  # a failure or an interrupt: stop, leave nothing running
                for future in self._pending:
                    future.cancel()
                for cursor in self._all:
                    cursor.interrupt()
            wait(self._pending)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
            for cursor in self._all:
                cursor.close()
            if self._threads is not None:
                self._con.execute(f"SET threads = {self._threads}")
        if kind is None:
            for future in self._pending:
                failure = future.exception()
                if failure is not None:
                    raise failure
