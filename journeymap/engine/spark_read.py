"""Reading CSV and Parquet files on the Spark cluster itself (``read_on_cluster``).

By default the Spark engine types a log on the driver with the DuckDB engine's own code
and hands Spark the typed events. For files too big for the driver, Spark can read them
itself: this module applies the same rules with Spark's functions.

- The header, delimiter and quoting are taken from DuckDB's sniffer on the driver (the
  file is a local file there), so the columns have the names the DuckDB engine gives.
- Every CSV column is read as text (Parquet columns keep their type and are written as
  text the DuckDB way: whole floats without ``.0``); records are numbered in file order
  from 1. Records Spark cannot split into the header's columns are rejects.
- Role values are trimmed of what ``str.strip()`` removes; empty ones are NULL.
- Timestamps must be ISO 8601 (``2024-03-04 09:15[:00[.5]]``, ``T`` or a space, with an
  optional ``Z``, ``±hh[:mm]`` or `` UTC``); values without an offset are read in the
  log's time zone. Another format is an error that says to read without
  ``read_on_cluster``. Timestamp columns of a Parquet file are taken as they are.
- Rows are rejected for the same reasons and with the same words as on DuckDB.

Limits (see docs/spark.md): the path must be readable by every executor; rejects have no
line number; ISO spellings outside the pattern above (``24:00:00``, two spaces, a
two-digit year), which DuckDB may still read, are rejected; values in the hour a clock
change skips or repeats may be read an hour apart from DuckDB; Parquet floats that are
not whole are written in Java's spelling (``1.0E-5``).
"""

from __future__ import annotations

from typing import Any, Protocol

from journeymap.connectors import csv as csv_connector
from journeymap.connectors.base import (
    BLANKS,
    RawSource,
    first_line,
    free_row_name,
    row_column,
)
from journeymap.connectors.textfiles import remove_tree
from journeymap.engine.base import Ingested
from journeymap.engine.duckdb_ingest import CANONICAL_COLUMNS
from journeymap.engine.duckdb_sql import count_parsed
from journeymap.engine.spark_session import spark_errors
from journeymap.engine.timestamps import ISO_8601, SAMPLE_ROWS, SAMPLE_VALUES, detect_format
from journeymap.errors import EmptyLogError, MappingError, RejectedRowsError, SourceError, option
from journeymap.mapping import TIMESTAMP_ROLES, detect_mapping
from journeymap.read_options import PLACEHOLDER_ROLES, ReadOptions


class SparkEngine(Protocol):
    """What this module needs of :class:`~journeymap.engine.spark_engine.SparkEngine`
    (named here, not imported: the engine imports this module)."""

    session: Any

    @property
    def ibis(self) -> Any: ...

    def register(self, frame: Any, prefix: str, *, cache: bool = True) -> str: ...


__all__ = ["ISO_PATTERN", "read_on_cluster"]

#: The ISO 8601 spellings read on the cluster (the ones Spark and DuckDB read alike).
ISO_PATTERN = (
    r"^\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?)?"
    r"(Z|[+-]\d{2}(:?\d{2})?| UTC)?$"
)
_OFFSET_PATTERN = r"(Z|[+-]\d{2}(:?\d{2})?| UTC)$"
_CORRUPT = "__unreadable"
_SPARK_ENCODINGS = {"utf-8": "UTF-8", "utf-16": "UTF-16", "latin-1": "ISO-8859-1"}


def read_on_cluster(
    engine: SparkEngine, raw: RawSource, mapping: dict[str, str | None], options: ReadOptions
) -> Ingested:
    """Read a connector's CSV or Parquet file on the cluster, type and validate it into
    an events view and a rejects view (both cached), as :meth:`Engine.ingest`.

    Raises
    ------
    MappingError
        A timestamp column is not ISO 8601 (read it without ``read_on_cluster``).
    SourceError, EmptyLogError, RejectedRowsError
        As the DuckDB engine raises them.
    """
    assert raw.scan is not None
    _ = engine.ibis  # Ibis sets the session's time zone to UTC, which the typing needs
    try:
        frame, columns, notes = _read(engine, raw)
        given = {**raw.mapping, **{r: c for r, c in mapping.items() if c is not None}}
        resolved = detect_mapping(columns, given, source=raw.name)
        with spark_errors(f"reading {raw.source}"):
            return _type(engine, raw.source, frame, columns, resolved, options, notes)
    finally:
        for path in raw.scratch:
            remove_tree(path)


def _read(engine: SparkEngine, raw: RawSource) -> tuple[Any, list[str], list[str]]:
    """The file as a Spark DataFrame with ``__row`` (cached), its columns and notes."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType
    from pyspark.sql.window import Window

    scan = raw.scan
    assert scan is not None
    notes = list(raw.notes)
    path = str(scan.path.resolve())
    if scan.kind == "csv":
        dialect = _sniff(scan, raw.source)
        columns = dialect["columns"]
        csv_connector.check_columns(columns, raw.source, scan.sep)
        notes += csv_connector.duplicate_header_notes(scan.path, columns, scan.encoding, scan.sep)
        schema = StructType(
            [StructField(c, StringType()) for c in columns] + [StructField(_CORRUPT, StringType())]
        )
        with spark_errors(f"reading {raw.source}"):
            frame = (
                engine.session.read.schema(schema)
                .option("header", True)
                .option("sep", dialect["sep"])
                .option("quote", dialect["quote"])
                .option("escape", dialect["escape"])
                .option("encoding", _SPARK_ENCODINGS.get(scan.encoding, scan.encoding))
                .option("multiLine", True)  # quoted values may hold line breaks
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", _CORRUPT)
                .csv(path)
            )
    else:
        with spark_errors(f"reading {raw.source}"):
            frame = engine.session.read.parquet(path)
        columns = list(frame.columns)
        renamed = {c: free_row_name(c, columns) for c in columns if c.lower() == row_column}
        notes += [
            f"column {c!r} is read as {n!r} ({row_column} numbers the records)"
            for c, n in renamed.items()
        ]
        for old, new in renamed.items():
            frame = frame.withColumnRenamed(old, new)
        columns = list(frame.columns)
        frame = frame.withColumn(_CORRUPT, F.lit(None).cast("string"))
    # File order: ids grow with the position in the (single) file; numbered once, kept.
    with spark_errors(f"reading {raw.source}"):
        frame = frame.withColumn("__id", F.monotonically_increasing_id())
        frame = frame.withColumn(row_column, F.row_number().over(Window.orderBy("__id")))
        frame = frame.drop("__id").cache()
    return frame, columns, notes


def _sniff(scan: Any, label: str) -> dict[str, Any]:
    """Delimiter, quoting and column names as the DuckDB engine would read the file."""
    import duckdb

    params: dict[str, object] = {"path": str(scan.path), "enc": scan.encoding}
    sep = ""
    if scan.sep is not None:
        sep, params["sep"] = ", delim=$sep", scan.sep
    query = (
        "SELECT Delimiter, Quote, Escape, Columns FROM sniff_csv($path, header=true, "
        f"all_varchar=true, encoding=$enc, store_rejects=true{sep})"
    )
    try:
        with duckdb.connect(":memory:") as con:
            delimiter, quote, escape, found = con.execute(query, params).fetchall()[0]
    except duckdb.Error as exc:
        raise SourceError(f"{label}: cannot be read as CSV: {first_line(exc)}") from exc
    quote = "\u0000" if quote == "(empty)" else quote
    return {
        "sep": delimiter,
        "quote": quote,
        "escape": quote if escape == "(empty)" else escape,
        "columns": [c["name"] for c in found],
    }


def _col(name: str) -> Any:
    """A column by name, whatever characters the name holds."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _as_text(frame: Any, column: str) -> Any:
    """A column as text, whole floats without ``.0`` (as the DuckDB engine does)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, FloatType, StringType

    c = _col(column)
    kind = frame.schema[column].dataType
    if isinstance(kind, StringType):
        return c
    if isinstance(kind, DoubleType | FloatType):
        whole = (c == F.floor(c)) & (F.abs(c) < 1e15) & ~F.isnan(c)
        return F.when(whole, c.cast("bigint").cast("string")).otherwise(c.cast("string"))
    return c.cast("string")


def _trimmed(text: Any) -> Any:
    """Text trimmed of blanks, empty as NULL."""
    from pyspark.sql import functions as F

    value = F.trim(text, F.lit(BLANKS))
    return F.when(value == "", None).otherwise(value)


def _instant(frame: Any, column: str, timezone: str, *, local_dates: bool = False) -> Any:
    """A timestamp column as an instant: ISO 8601 text parsed (no offset: read in
    ``timezone``; with ``local_dates``, the date and clock each value shows, in UTC, its
    offset left out, as on DuckDB), timestamp columns taken as they are; NULL where
    unreadable."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampNTZType, TimestampType

    kind = frame.schema[column].dataType
    c = _col(column)
    if isinstance(kind, TimestampType):
        return c
    if isinstance(kind, TimestampNTZType):
        return F.to_utc_timestamp(c.cast("timestamp"), timezone)
    text = _trimmed(_as_text(frame, column))
    iso = text.rlike(ISO_PATTERN)
    with_offset = text.rlike(_OFFSET_PATTERN)
    if local_dates:  # the session's time zone is UTC
        return F.when(iso, F.regexp_replace(text, _OFFSET_PATTERN, "").try_cast("timestamp"))
    parsed = text.try_cast("timestamp")
    naive = F.to_utc_timestamp(parsed, timezone)
    return F.when(iso & with_offset, parsed).when(iso, naive)


def _formats(
    engine: SparkEngine,
    frame: Any,
    roles: dict[str, str],
    options: ReadOptions,
    source: str,
) -> dict[str, Any]:
    """The format of each timestamp column, chosen as on DuckDB from a sample; only
    ISO 8601 can be read on the cluster."""
    import duckdb
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampNTZType, TimestampType

    formats = {}
    with duckdb.connect(":memory:") as con:
        for role, column in roles.items():
            if role not in TIMESTAMP_ROLES:
                continue
            if isinstance(frame.schema[column].dataType, TimestampType | TimestampNTZType):
                values: list[str] = []
            else:
                v = _trimmed(_as_text(frame, column))
                first = (
                    frame.select(v.alias("v"), F.col(row_column))
                    .where(F.col("v").isNotNull())
                    .orderBy(row_column)
                    .limit(SAMPLE_ROWS)
                )
                rows = (
                    first.groupBy("v")
                    .agg(F.min(row_column).alias("at"))
                    .orderBy("at")
                    .limit(SAMPLE_VALUES)
                    .collect()
                )
                values = [r["v"] for r in rows]
            fmt = detect_format(
                values,
                lambda vs, fs: count_parsed(con, vs, fs),
                column,
                given=options.timestamp_format,
                timezone=options.timezone,
                source=source,
            )
            if fmt.format != ISO_8601:
                raise MappingError(
                    f"{source}: column {column!r} holds timestamps like {fmt.format}; Spark "
                    "reads only ISO 8601 timestamps itself: read the log without "
                    f"{option('read_on_cluster', True)}"
                )
            formats[role] = fmt
    return formats


def _reason(roles: dict[str, str], typed: dict[str, Any], texts: dict[str, Any]) -> Any:
    """Why a row is rejected (NULL when it is not), in the DuckDB engine's words."""
    from pyspark.sql import functions as F

    def quoted(role: str) -> Any:
        return F.concat(F.lit("'"), texts[role], F.lit("'"))

    def unreadable(role: str, words: str) -> Any:
        return F.concat(
            F.lit(f"unreadable {words}: "),
            quoted(role),
            F.lit(f" in column {roles[role]!r} is not {ISO_8601}"),
        )

    reason = (
        F.when(typed["case"].isNull(), F.lit(f"no case id: column {roles['case']!r} is empty"))
        .when(
            typed["activity"].isNull(),
            F.lit(f"no activity: column {roles['activity']!r} is empty"),
        )
        .when(
            texts["timestamp"].isNull(),
            F.lit(f"no timestamp: column {roles['timestamp']!r} is empty"),
        )
        .when(typed["timestamp"].isNull(), unreadable("timestamp", "timestamp"))
    )
    if "start_timestamp" in roles:
        reason = reason.when(
            typed["start_timestamp"].isNull(), unreadable("start_timestamp", "start timestamp")
        )
    return reason


def _type(
    engine: SparkEngine,
    source: str,
    frame: Any,
    columns: list[str],
    mapping: Any,
    options: ReadOptions,
    notes: list[str],
) -> Ingested:
    from pyspark.sql import functions as F

    roles = mapping.columns()
    formats = _formats(engine, frame, roles, options, source)
    parts = mapping.activity_parts
    texts = {
        role: _trimmed(_as_text(frame, column))
        for role, column in roles.items()
        if not (role == "activity" and parts)
    }
    if parts:  # a composite activity: its parts joined, empty ones left out
        joined = F.concat_ws(options.activity_sep, *(_trimmed(_as_text(frame, c)) for c in parts))
        texts["activity"] = F.when(joined == "", None).otherwise(joined)
    typed = {
        role: _instant(frame, column, options.timezone, local_dates=formats[role].local_dates)
        if role in TIMESTAMP_ROLES
        else texts[role]
        for role, column in roles.items()
    }
    # Placeholders ('?', 'n/a', 'unknown', ...) in the optional roles are missing values,
    # counted by a hidden flag per role (as on DuckDB).
    values = list(options.placeholders)
    hits = {
        r: F.lower(texts[r]).isin(values) if values else F.lit(False)
        for r in PLACEHOLDER_ROLES
        if r in roles
    }
    for role, hit in hits.items():
        typed[role] = F.when(hit, None).otherwise(texts[role])
    flags = {role: f"__placeholder_{role}" for role in hits}
    mapped = set(roles.values())
    attributes = {
        (f"attribute:{c}" if c in CANONICAL_COLUMNS else c): c for c in columns if c not in mapped
    }
    corrupt = F.col(_CORRUPT)
    reader_reason = F.concat(F.lit("unreadable line: "), F.coalesce(corrupt, F.lit("")))
    reason = F.when(corrupt.isNotNull(), reader_reason).otherwise(_reason(roles, typed, texts))
    hidden = {roles[r]: f"__raw_{r}" for r in TIMESTAMP_ROLES if r in roles}
    selected = [
        F.col(row_column).cast("bigint").alias("source_row"),
        *(typed[role].alias(role) for role in roles),
        *(_as_text(frame, src).alias(name) for name, src in attributes.items()),
        reason.alias("__reason"),
        corrupt.alias(_CORRUPT),
        *(_as_text(frame, c).alias(name) for c, name in hidden.items()),
        *(F.coalesce(hit, F.lit(False)).alias(flags[role]) for role, hit in hits.items()),
    ]
    # Typed once and kept; the events and rejects are views over it.
    typed_view = engine.register(frame.select(*selected), "typed")
    all_rows = engine.session.table(typed_view)
    by_source = {src: name for name, src in attributes.items()}
    by_source.update({c: r for r, c in roles.items()})
    by_source.update(hidden)
    rejects_frame = all_rows.where(F.col("__reason").isNotNull()).select(
        "source_row",
        F.lit(None).cast("bigint").alias("line"),
        F.col("__reason").alias("reason"),
        *(
            F.when(F.col(_CORRUPT).isNull(), _col(by_source[c]).cast("string")).alias(c)
            for c in columns
        ),
    )
    events_frame = all_rows.where(F.col("__reason").isNull()).drop(
        "__reason", _CORRUPT, *hidden.values(), *flags.values()
    )
    events = engine.register(events_frame, "events", cache=False)
    rejects = engine.register(rejects_frame, "rejects", cache=False)
    counts = (
        all_rows.groupBy(F.col("__reason").isNull().alias("ok"))
        .agg(
            F.count(F.lit(1)).alias("count"),
            *(F.count(F.when(F.col(flag), 1)).alias(flag) for flag in flags.values()),
        )
        .collect()
    )
    frame.unpersist()  # the numbered file: everything is in the typed table now
    accepted = sum(r["count"] for r in counts if r["ok"])
    rejected = sum(r["count"] for r in counts if not r["ok"])
    placeholders = {
        role: sum(int(r[flag]) for r in counts if r["ok"]) for role, flag in flags.items()
    }
    if accepted + rejected == 0:
        raise EmptyLogError(f"{source}: has a header but no data rows")
    if options.strict and rejected:
        first = rejects_frame.orderBy("source_row").limit(3).collect()
        shown = "; ".join(f"row {r['source_row']}: {r['reason']}" for r in first)
        raise RejectedRowsError(
            f"{source}: {rejected:,} row(s) rejected and {option('strict', True)} was given: "
            f"{shown}"
        )
    for fmt in formats.values():
        notes.extend(fmt.notes)
    notes.extend(
        f"source column {src!r} is kept as attribute {name!r}"
        for name, src in attributes.items()
        if name != src
    )
    return Ingested(
        events=events,
        rejects=rejects,
        mapping=mapping,
        attributes=attributes,
        formats=formats,
        rows_read=accepted + rejected,
        rejected_rows=rejected,
        notes=notes,
        placeholders=placeholders,
    )
