"""The default engine: DuckDB, embedded, driven through Ibis.

Nothing to start; multi-threaded; spills to disk beyond its memory limit; reads CSV and
Parquet itself. Each engine is its own in-memory database, closed with the engine.

The database compresses the tables it is asked to (:meth:`DuckDBEngine.compact`): the
events, read once and kept for the whole run, take a seventh of the memory as read, and
the run's peak falls by a fifth. The events in case order, which most analyses read, are
made from the events with their activities, handlers and channels coded
(:mod:`journeymap.engine.duckdb_encode`) and kept as made: compressing them cost more
time than it saved in their scans, and little memory (docs/benchmarks.md, tenth round).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from journeymap.connectors.base import RawSource
from journeymap.engine import memory_limit
from journeymap.engine.base import CsvWrites, Engine, EngineSettings, Ingested
from journeymap.engine.classifier import implied_activity
from journeymap.engine.duckdb_csv import copy_query_to_csv, write_frame
from journeymap.engine.duckdb_encode import ENCODED_ROLES, encode, plain_text
from journeymap.engine.duckdb_ingest import ingest
from journeymap.engine.duckdb_load import Loaded, load
from journeymap.engine.duckdb_sql import keeping_order, quote_identifier, text_type
from journeymap.mapping import detect_mapping
from journeymap.read_options import ReadOptions

__all__ = ["DuckDBEngine"]

#: The in-memory database that holds the engine's tables, compressed (see compact).
_DATABASE = "journeymap"


class DuckDBEngine(Engine):
    """An in-memory DuckDB database and the Ibis backend over it.

    Examples
    --------
    >>> with DuckDBEngine(EngineSettings(memory_limit="256MB", threads=1)) as engine:
    ...     engine.con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    1
    """

    name = "duckdb"

    def __init__(self, settings: EngineSettings | None = None) -> None:
        super().__init__(settings)
        config: dict[str, str | bool | int | float | list[str]] = {}
        limit = memory_limit(self.settings.memory_limit)
        if limit:
            config["memory_limit"] = limit
        if self.settings.threads:
            config["threads"] = self.settings.threads
        if self.settings.temp_directory:
            config["temp_directory"] = self.settings.temp_directory
        #: The DuckDB connection: the engine's own; analyses never see it.
        self.con = duckdb.connect(":memory:", config=config)
        # Tables live in an in-memory database that compresses them when checkpointed
        # (compact); temporary tables and views would stay in the uncompressed one.
        self.con.execute(f"ATTACH ':memory:' AS {_DATABASE} (COMPRESS)")
        self.con.execute(f"USE {_DATABASE}")
        # Timestamps are stored as instants; showing and truncating them happens in UTC.
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")  # the library never prints
        # Tables are read in the order their queries ask for (every result that is
        # written or compared is ordered by its own keys); DuckDB need not keep the
        # order rows were written in, which lets it write them in parallel and spill
        # less. Copying a source or a pandas frame keeps it (duckdb_sql.keeping_order).
        self.con.execute("SET preserve_insertion_order = false")
        self._backend: Any = None
        #: Views that encode a table's text (duckdb_encode.encode): view -> stored table.
        self._stored: dict[str, str] = {}

    def _close(self) -> None:
        if self._backend is not None:
            self._backend = None
        self.con.close()

    @property
    def ibis(self) -> Any:
        """The Ibis DuckDB backend on this connection (imported on first use)."""
        if self._backend is None:
            import ibis

            self._backend = ibis.duckdb.from_connection(self.con)
        return self._backend

    def _lookup(self, name: str) -> Any:
        """The Ibis table of ``name`` with its ENUM columns typed as text (Ibis would
        parse every value of an enumeration from the table's description)."""
        import ibis
        import ibis.expr.operations as ops

        relation = self.con.sql(f"SELECT * FROM {name} LIMIT 0")
        mapper = self.ibis.compiler.type_mapper
        schema = ibis.schema(
            {
                column: mapper.from_string(text_type(kind))
                for column, kind in zip(relation.columns, relation.types, strict=True)
            }
        )
        namespace = ops.Namespace(catalog=None, database=None)
        return ops.DatabaseTable(
            name, schema=schema, source=self.ibis, namespace=namespace
        ).to_expr()

    def previous_known(self, value: Any, *, group_by: Any, order_by: Sequence[Any]) -> Any:
        """``LAST_VALUE(value IGNORE NULLS)`` over the rows before this one (see
        :mod:`journeymap.engine.last_known`)."""
        from journeymap.engine.last_known import last_known_before

        return last_known_before("duckdb", value, group_by, order_by)

    def _sql(self, expr: Any) -> str:
        """The expression as DuckDB SQL, compiled by the backend it is bound to
        (``ibis.to_sql`` rebuilds the expression unbound and pretty-prints it: a tenth
        more time, 0.07 s of the sample's 69 queries)."""
        return str(self.ibis.compile(expr))

    def materialize(self, expr: Any, prefix: str = "derived", *, view: bool = False) -> str:
        """Run the expression once and keep its result as a temporary table (or keep it
        as a temporary view).

        Compiled to SQL and run as one ``CREATE TEMP TABLE ... AS`` statement, which is
        several times faster than going through Ibis's ``create_table``.
        """
        name = self.new_name(prefix)
        kind = "TEMP VIEW" if view else "TABLE"  # a table in the compressing database
        self.con.execute(f"CREATE {kind} {name} AS {self._sql(expr)}")
        return name

    def compact(self) -> None:
        """Compress the tables made since the last call (a checkpoint of the in-memory
        database: about 0.4 s for a million events, repaid in the scans that follow)."""
        self.con.execute(f"CHECKPOINT {_DATABASE}")

    def upload(self, frame: pd.DataFrame, prefix: str = "upload") -> str:
        name = self.new_name(prefix)
        self.con.register(f"{name}_frame", frame)
        try:
            with keeping_order(self.con):  # a frame's rows keep its order
                self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_frame")
        finally:
            self.con.unregister(f"{name}_frame")
        return name

    def _drop(self, name: str) -> None:
        is_view = self.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = $name", {"name": name}
        ).fetchall()[0][0]
        self.con.execute(f"DROP {'VIEW' if is_view else 'TABLE'} IF EXISTS {name}")
        stored = self._stored.pop(name, None)
        if stored is not None:  # the events' own table, under their encoding view
            self.con.execute(f"DROP TABLE IF EXISTS {stored}")

    def fetch(self, expr: Any) -> pd.DataFrame:
        """The result through Arrow: the frame Ibis's ``to_pandas()`` gives (same columns
        and dtypes), without Ibis's column-by-column post-processing, which took over a
        second on per-case results of 170,000 rows."""
        return plain_text(self.con.sql(self._sql(expr)).to_arrow_table()).to_pandas()

    def write_csv(
        self,
        data: Any,
        path: str | Path,
        *,
        order_by: Sequence[str] = (),
        decimals: int = 3,
    ) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, pd.DataFrame):
            return write_frame(self.con, data, target, decimals=decimals)
        # A table of this engine, by name, or an expression.
        sql = f"SELECT * FROM {data}" if isinstance(data, str) else self._sql(data)
        order = ", ".join(quote_identifier(c) for c in order_by)
        copy_query_to_csv(
            self.con, sql, self.new_name("to_csv"), target, order_by=order, decimals=decimals
        )
        return target

    def csv_writes(self) -> CsvWrites:
        """Tables written beside the caller's work, two at a time, on cursors of their
        own (see :mod:`journeymap.engine.duckdb_writes`)."""
        from journeymap.engine.duckdb_writes import WritesBeside

        return WritesBeside(self.con, _DATABASE)

    def ingest(
        self, raw: RawSource, mapping: dict[str, str | None], options: ReadOptions
    ) -> Ingested:
        loaded = load(self.con, raw, self.new_name("raw"))
        try:
            return self._ingest(loaded, raw, mapping, options)
        finally:
            loaded.close()

    def _ingest(
        self,
        loaded: Loaded,
        raw: RawSource,
        mapping: dict[str, str | None],
        options: ReadOptions,
    ) -> Ingested:
        user = {r: c for r, c in mapping.items() if c is not None}
        rows, params = loaded.rows()

        def distinct(parts: list[str]) -> tuple[int, ...]:
            counts = ", ".join(f"count(DISTINCT {quote_identifier(p)})" for p in parts)
            return tuple(self.con.execute(f"SELECT {counts} FROM {rows}", params).fetchall()[0])

        implied = implied_activity(raw.mapping, user, loaded.columns, distinct, loaded.notes)
        resolved = detect_mapping(loaded.columns, {**implied, **user}, source=loaded.source)
        events, rejects = self.new_name("events"), self.new_name("rejects")
        done = ingest(self.con, loaded, resolved, options, events=events, rejects=rejects)
        stored = encode(self.con, events, [r for r in ENCODED_ROLES if getattr(resolved, r)])
        if stored is not None:
            self._stored[events] = stored
        self.compact()  # the events last as long as the log
        notes = list(loaded.notes)
        for fmt in done.formats.values():
            notes.extend(fmt.notes)
        notes.extend(done.notes)
        notes.extend(
            f"source column {src!r} is kept as attribute {name!r}"
            for name, src in done.attributes.items()
            if name != src
        )
        return Ingested(
            events=events,
            rejects=rejects,
            mapping=resolved,
            attributes=done.attributes,
            formats=done.formats,
            rows_read=done.rows_read,
            rejected_rows=done.rejected_rows,
            notes=notes,
            placeholders=done.placeholders,
        )
