"""The Spark engine: the same Ibis expressions, run by Apache Spark (PySpark), in this
process (``local[2]``) or on a cluster (``spark://host:7077``, or a session the caller
made, as on Databricks).

Reading a log: a connector's source is read, typed and validated by an embedded DuckDB
with exactly the code of the DuckDB engine (:mod:`~journeymap.engine.duckdb_load`,
:mod:`~journeymap.engine.duckdb_ingest`), so that both engines accept, reject and
number the same records; the typed events and the rejects are then handed to Spark
and cached there (see :meth:`SparkEngine.ingest`). With ``read_on_cluster`` Spark reads
CSV and Parquet files itself instead (:mod:`~journeymap.engine.spark_read`).

Derived tables are cached DataFrames shown as temporary views (Ibis's PySpark backend
has no temporary tables). Results come back through Spark's Arrow path, their columns
cast to the types Ibis gives them, so they are the frames the DuckDB engine returns;
CSV files are written by DuckDB's writer from those results, so both engines write the
same bytes.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.connectors.base import RawSource
from journeymap.engine.base import Engine, EngineSettings, Ingested
from journeymap.engine.spark_session import (
    SharedSession,
    check_pyspark,
    quiet_python_logs,
    release,
    session_for,
    spark_errors,
)
from journeymap.read_options import ReadOptions

__all__ = ["SparkEngine"]

#: Rows per Arrow hand-over to Spark when the typed events travel through the driver.
ARROW_CHUNK_ROWS = 1_000_000
_writes = itertools.count(1)


class SparkEngine(Engine):
    """A Spark session and the Ibis PySpark backend over it.

    Parameters
    ----------
    settings : threads, memory and spill folder (see :func:`journeymap.engine.connect`).
    master : ``local[N]`` (the default is ``local[2]``, or ``local[threads]``) or a
        cluster's ``spark://host:port``; a session for it is started on first use and
        shared by the Spark engines of this process, and stopped when the last closes.
    session : a running SparkSession to use instead (Databricks' ``spark``); it is
        never stopped by the engine.
    read_on_cluster : let Spark read CSV and Parquet files itself (see
        :mod:`journeymap.engine.spark_read`) instead of typing them on the driver.
    """

    name = "spark"

    def __init__(
        self,
        settings: EngineSettings | None = None,
        *,
        master: str | None = None,
        session: Any = None,
        read_on_cluster: bool = False,
    ) -> None:
        super().__init__(settings)
        self._shared: SharedSession | None = None
        if session is None:
            self._shared = session_for(master, self.settings)
            session = self._shared.session
        else:
            check_pyspark()
            quiet_python_logs()
        #: The SparkSession the engine runs on.
        self.session = session
        self.read_on_cluster = read_on_cluster
        self._cached: dict[str, Any] = {}
        self._backend: Any = None
        self._writer: Any = None
        self._staging: Path | None = None

    # -- life cycle ----------------------------------------------------------------
    def _close(self) -> None:
        try:
            for name in list(self._cached):
                self._drop(name)
            if self._writer is not None:
                self._writer.close()
        finally:
            if self._staging is not None:
                shutil.rmtree(self._staging, ignore_errors=True)
            if self._shared is not None:
                release(self._shared)

    @property
    def master(self) -> str:
        """The session's master URL (``local[2]``, ``spark://...``)."""
        return str(self.session.sparkContext.master)

    @property
    def on_this_machine(self) -> bool:
        """Whether the session's executors run on this machine (local mode, or a
        cluster on loopback), and so read its files."""
        from journeymap.engine.spark_session import _is_local

        return _is_local(self.master)

    def staging(self) -> Path:
        """A scratch folder of this engine, removed when it closes."""
        if self._staging is None:
            base = self._shared.scratch if self._shared else self.settings.temp_directory
            self._staging = Path(tempfile.mkdtemp(prefix="engine-", dir=base))
        return self._staging

    # -- tables and expressions ------------------------------------------------------
    @property
    def ibis(self) -> Any:
        """The Ibis PySpark backend on this session (made on first use)."""
        if self._backend is None:
            import ibis

            from journeymap.engine.microseconds import teach

            with spark_errors("connecting Ibis"):
                self._backend = ibis.pyspark.connect(self.session)
            teach("pyspark")
        return self._backend

    def table(self, name: str) -> Any:
        with spark_errors(f"reading table {name}"):
            return super().table(name)

    def case_insensitive(self, pattern: str) -> str:
        """Java's ``(?i)`` folds ASCII letters only; ``u`` makes it fold every letter
        (``ärger`` finds ``Ärger``)."""
        return f"(?iu){pattern}"

    def collect_ordered(self, value: Any, order_by: Sequence[Any]) -> Any:
        """Spark has no ordered collect: the values are collected with their sort keys
        as structs, the array sorted (by the keys, then the value) and the values taken
        out."""
        import ibis

        keys = {f"k{i}": key for i, key in enumerate(order_by)}
        pairs = ibis.struct({**keys, "v": value}).collect()
        return pairs.sort().map(lambda s: s.v)

    def previous_known(self, value: Any, *, group_by: Any, order_by: Sequence[Any]) -> Any:
        """``LAST_VALUE(value IGNORE NULLS)`` over the rows before this one (see
        :mod:`journeymap.engine.last_known`)."""
        from journeymap.engine.last_known import last_known_before

        return last_known_before("pyspark", value, group_by, order_by)

    def _sql(self, expr: Any) -> str:
        return str(self.ibis.compile(expr))

    def frame_of(self, expr: Any) -> Any:
        """The Spark DataFrame of an Ibis expression."""
        with spark_errors("planning a query"):
            return self.session.sql(self._sql(expr))

    def register(self, frame: Any, prefix: str, *, cache: bool = True) -> str:
        """Show a Spark DataFrame as a temporary view (cached when first computed,
        with ``cache``); return its name."""
        name = self.new_name(prefix)
        with spark_errors(f"computing {prefix}"):
            if cache:
                # Kept by the first query that reads it (a count here would be one
                # more Spark job, about a second each on small logs).
                frame = frame.cache()
                self._cached[name] = frame
            frame.createOrReplaceTempView(name)
        return name

    def materialize(self, expr: Any, prefix: str = "derived", *, view: bool = False) -> str:
        """Compute the expression once and keep the result cached (memory, spilling to
        disk) as a temporary view; with ``view``, a plain view computed when read."""
        return self.register(self.frame_of(expr), prefix, cache=not view)

    def upload(self, frame: pd.DataFrame, prefix: str = "upload") -> str:
        import pyarrow as pa

        table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
        with spark_errors("uploading a table"):
            data = self.session.createDataFrame(table)
        return self.register(data, prefix, cache=False)

    def _drop(self, name: str) -> None:
        with spark_errors(f"dropping {name}"):
            self.session.catalog.dropTempView(name)
            cached = self._cached.pop(name, None)
            if cached is not None:
                cached.unpersist()

    def arrow(self, expr: Any) -> Any:
        """The result of an Ibis table expression as a pyarrow Table, through Spark's
        Arrow path, with the column types Ibis gives the expression."""
        with spark_errors("running a query"):
            table = self.session.sql(self._sql(expr)).toArrow()
        return _as_declared(table, expr.schema())

    def fetch(self, expr: Any) -> pd.DataFrame:
        """The result through Arrow: timestamps in UTC and integers as int64, the
        frames the DuckDB engine gives (Ibis's own ``to_pandas`` on Spark gives naive
        timestamps and reads text NULLs wrongly)."""
        return self.arrow(expr).to_pandas()

    def write_csv(
        self,
        data: Any,
        path: str | Path,
        *,
        order_by: Sequence[str] = (),
        decimals: int = 3,
    ) -> Path:
        """Write CSV the DuckDB engine's way, with DuckDB's writer: the result comes to
        the driver through Arrow (a table of cases has a row per case: the driver holds
        it once, as Arrow) and an in-memory DuckDB orders and writes it."""
        from journeymap.engine.duckdb_csv import copy_to_csv, write_frame
        from journeymap.engine.duckdb_sql import quote_identifier

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        writer = self._csv_writer()
        if isinstance(data, pd.DataFrame):
            return write_frame(writer, data, target, decimals=decimals)
        expr = self.table(data) if isinstance(data, str) else data
        view = f"spark_to_csv_{next(_writes)}"
        writer.register(view, self.arrow(expr))
        try:
            order = ", ".join(quote_identifier(c) for c in order_by)
            copy_to_csv(writer, view, target, order_by=order, decimals=decimals)
        finally:
            writer.unregister(view)
        return target

    def _csv_writer(self) -> Any:
        if self._writer is None:
            import duckdb

            threads = self.settings.threads or 1
            self._writer = duckdb.connect(":memory:", config={"threads": threads})
            self._writer.execute("SET TimeZone = 'UTC'")
        return self._writer

    # -- reading -------------------------------------------------------------------------
    def ingest(
        self, raw: RawSource, mapping: dict[str, str | None], options: ReadOptions
    ) -> Ingested:
        """Read, type and validate the source as the DuckDB engine does, on an embedded
        DuckDB on the driver, and hand the events and rejects to Spark.

        They travel as Parquet files in the engine's scratch folder when the executors
        run on this machine, and as Arrow through the driver (in chunks of
        :data:`ARROW_CHUNK_ROWS` rows) otherwise; either way Spark caches them. With
        ``read_on_cluster``, CSV and Parquet files are read by Spark itself
        (:func:`journeymap.engine.spark_read.read_on_cluster`).
        """
        if self.read_on_cluster and raw.scan is not None:
            from journeymap.engine.spark_read import read_on_cluster

            return read_on_cluster(self, raw, mapping, options)
        from journeymap.engine.duckdb_engine import DuckDBEngine

        local = EngineSettings(
            threads=self.settings.threads,
            memory_limit=self.settings.memory_limit,
            temp_directory=self.settings.temp_directory,
        )
        with DuckDBEngine(local) as duck:
            done = duck.ingest(raw, mapping, options)
            events = self._hand_over(duck, done.events, "events")
            rejects = self._hand_over(duck, done.rejects, "rejects")
        return Ingested(
            events=events,
            rejects=rejects,
            mapping=done.mapping,
            attributes=done.attributes,
            formats=done.formats,
            rows_read=done.rows_read,
            rejected_rows=done.rejected_rows,
            notes=done.notes,
            placeholders=done.placeholders,
        )

    def _hand_over(self, duck: Any, table: str, prefix: str) -> str:
        """Copy a table of the embedded DuckDB to Spark, cached; return its view."""
        if self.on_this_machine:
            path = self.staging() / f"{self.new_name(prefix)}.parquet"
            duck.con.execute(f"COPY {table} TO $path (FORMAT parquet)", {"path": str(path)})
            with spark_errors(f"loading the {prefix}"):
                frame = self.session.read.parquet(str(path))
            return self.register(frame, prefix)
        return self.register(self._arrow_frame(duck, table), prefix)

    def _arrow_frame(self, duck: Any, table: str) -> Any:
        """A Spark DataFrame of a DuckDB table sent through the driver in chunks."""
        import pyarrow as pa

        result = duck.con.execute(f"SELECT * FROM {table}")
        reader = result.fetch_record_batch(ARROW_CHUNK_ROWS)
        frame = None
        with spark_errors("handing the events to Spark"):
            for batch in reader:
                part = self.session.createDataFrame(pa.Table.from_batches([batch]))
                frame = part if frame is None else frame.unionByName(part)
            if frame is None:  # no rows: the columns only
                frame = self.session.createDataFrame(reader.schema.empty_table())
        return frame


def _as_declared(table: Any, schema: Any) -> Any:
    """Cast the columns Spark returns with another width or kind (``row_number`` is a
    32-bit integer, an all-NULL column has no type) to the types Ibis declares; keep
    timestamps as they come (in UTC, which Ibis's PySpark schema does not say)."""
    import pyarrow as pa

    declared = schema.to_pyarrow()
    fields = []
    changed = False
    for column, wanted in zip(table.schema, declared, strict=True):
        kind = column.type
        if (
            kind != wanted.type
            and not pa.types.is_timestamp(kind)
            and not pa.types.is_nested(wanted.type)
            and (
                pa.types.is_null(kind)
                or pa.types.is_integer(kind)
                or pa.types.is_floating(kind)
                or pa.types.is_boolean(kind)
                or pa.types.is_string(kind)
                or pa.types.is_large_string(kind)
            )
        ):
            kind, changed = wanted.type, True
        fields.append(pa.field(column.name, kind, column.nullable))
    return table.cast(pa.schema(fields)) if changed else table
