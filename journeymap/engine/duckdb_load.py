"""On DuckDB: a connector's source into one raw table with its records numbered.

Batches (Arrow, or pandas frames) are appended in order, adding columns as they appear.
CSV and Parquet files are scanned by DuckDB itself: every CSV column as text
(``all_varchar``), lines DuckDB cannot split kept as reader rejects with their line
number. Either way the raw table has ``__row`` (1 = first record, in source order) and
the source's columns, and nothing is lost before validation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from journeymap.connectors import csv as csv_connector
from journeymap.connectors.base import FileScan, RawSource, ReaderReject, first_line, row_column
from journeymap.connectors.parquet import unreadable
from journeymap.connectors.textfiles import remove_tree
from journeymap.engine.duckdb_sql import copy_numbered, first_row, quote_identifier
from journeymap.errors import EmptyLogError, SourceError

__all__ = ["Loaded", "load"]


@dataclass
class Loaded:
    """A source loaded into DuckDB.

    Attributes
    ----------
    table : the table or view with ``__row`` and the source columns.
    columns : the source column names in source order (without ``__row``).
    source : how to name the source in messages.
    rejects : a table of records the reader could not read (``__row``, ``line``,
        ``reason``), or None.
    notes : what the reader did that the user should know.
    backing : tables behind a ``table`` that is a view, dropped with it.
    renumber : whether the rows were numbered without the reader's rejects, which then
        take their record numbers among them (False for a preset's events).
    """

    table: str
    columns: list[str]
    source: str
    rejects: str | None = None
    notes: list[str] = field(default_factory=list)
    backing: tuple[str, ...] = ()
    renumber: bool = True


def load(con: duckdb.DuckDBPyConnection, raw: RawSource, table: str) -> Loaded:
    """Load ``raw`` into ``con`` as ``table`` (a table, or a view over a copy); remove
    its scratch files afterwards."""
    try:
        if raw.scan is not None:
            loaded = _scan(con, raw.scan, raw.source, table)
        elif raw.batches is not None:
            loaded = _append(con, raw, table)
        else:
            raise ValueError(f"{raw.source}: the connector gave neither batches nor a file")
    finally:
        for path in raw.scratch:
            remove_tree(path)
    loaded.notes[:0] = raw.notes
    loaded.renumber = raw.rows_are_records
    if raw.rejects:
        if loaded.rejects is not None:
            raise ValueError("a source has reader rejects from the connector and the engine")
        loaded.rejects = _reject_table(con, f"{table}_reader_rejects", raw.rejects)
    return loaded


def _append(con: duckdb.DuckDBPyConnection, raw: RawSource, table: str) -> Loaded:
    """Append the batches in order, numbering records and adding columns as they come."""
    created: list[str] = []
    written = 0
    try:
        for batch in _non_empty(raw.batches or ()):
            view = f"{table}_batch"
            con.register(view, _numbered(batch, written + 1))
            try:
                kinds = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()[1:]
                numbered = f"SELECT {row_column}, * EXCLUDE ({row_column}) FROM {view}"
                if not created:
                    con.execute(f"CREATE TABLE {table} AS {numbered}")
                    created = [name for name, *_ in kinds]
                else:
                    for name, kind, *_ in kinds:
                        if name not in created:
                            con.execute(
                                f"ALTER TABLE {table} ADD COLUMN {quote_identifier(name)} {kind}"
                            )
                            created.append(name)
                    con.execute(f"INSERT INTO {table} BY NAME {numbered}")
                written += len(batch)
            finally:
                con.unregister(view)
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        raise
    if not created:
        raise EmptyLogError(f"{raw.source}: holds no rows; export it again")
    columns = raw.columns or created
    return Loaded(table=table, columns=list(columns), source=raw.source)


def _numbered(batch: Any, start: int) -> Any:
    """The batch (pyarrow, or a pandas frame) with ``__row`` first, from ``start``."""
    import pyarrow as pa

    numbers = range(start, start + len(batch))
    if isinstance(batch, pd.DataFrame):
        frame = batch.copy(deep=False)
        frame.insert(0, row_column, pd.Series(numbers, index=frame.index, dtype="int64"))
        return frame
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    return table.add_column(0, row_column, pa.array(numbers, pa.int64()))


def _non_empty(batches: Iterable[Any]) -> Iterable[Any]:
    for batch in batches:
        if len(batch):
            yield batch


def _reject_table(con: duckdb.DuckDBPyConnection, name: str, rejects: list[ReaderReject]) -> str:
    con.execute(f"CREATE TABLE {name} ({row_column} BIGINT, line BIGINT, reason VARCHAR)")
    con.executemany(
        f"INSERT INTO {name} VALUES (?, ?, ?)", [(r.record, r.line, r.reason) for r in rejects]
    )
    return name


def _scan(con: duckdb.DuckDBPyConnection, scan: FileScan, label: str, table: str) -> Loaded:
    if scan.kind == "csv":
        return _scan_csv(con, scan, label, table)
    return _scan_parquet(con, scan, label, table)


def _scan_csv(con: duckdb.DuckDBPyConnection, scan: FileScan, label: str, table: str) -> Loaded:
    errors = f"{table}_errors"
    params: dict[str, object] = {
        "path": str(scan.path), "enc": scan.encoding, "rt": errors, "rs": f"{table}_scans",
    }  # fmt: skip
    sep_option = ""
    if scan.sep is not None:
        sep_option = ", delim=$sep"
        params["sep"] = scan.sep
    # DuckDB binds the parameters as properly quoted literals.
    query = (
        "SELECT * FROM read_csv($path, header=true, all_varchar=true, encoding=$enc, "
        f"store_rejects=true, rejects_table=$rt, rejects_scan=$rs{sep_option})"
    )
    try:
        relation = con.sql(query, params=params)  # reads the header, not the rows
        columns = list(relation.columns)
        csv_connector.check_columns(columns, label, scan.sep)
        backing = copy_numbered(con, table, query, params)
    except duckdb.Error as exc:
        raise _damaged(exc, label) from exc
    notes = csv_connector.duplicate_header_notes(scan.path, columns, scan.encoding, scan.sep)
    (line,) = first_row(
        con,
        f"SELECT min(line) FROM {quote_identifier(errors)} WHERE error_type = 'INVALID ENCODING'",
    ) or (None,)
    if line is not None:
        raise csv_connector.encoding_error(label, line, scan.encoding)
    rejects = _csv_rejects(con, errors, f"{table}_reader_rejects")
    return Loaded(
        table=table, columns=columns, source=label, rejects=rejects, notes=notes, backing=backing
    )


def _damaged(exc: Exception, label: str) -> SourceError:
    """The user's version of an error DuckDB met while reading a CSV file."""
    if isinstance(exc, duckdb.IOException):
        return SourceError(
            f"{label}: the file is damaged or truncated ({first_line(exc)}); "
            "export or download it again"
        )
    return SourceError(f"{label}: cannot be read as CSV: {first_line(exc)}")


def _csv_rejects(con: duckdb.DuckDBPyConnection, errors: str, rejects: str) -> str:
    """DuckDB's reader errors as rejects: one row per unreadable line.

    A rejected line's record number is its line number less the header's. (In a file
    whose quoted values contain line breaks, numbers after such a value are estimates;
    the rejects also give the exact line.)
    """
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in csv_connector.READER_REASONS.items())
    con.execute(
        f"CREATE TABLE {rejects} AS SELECT DISTINCT ON (line) "
        f"CAST(line - 1 AS BIGINT) AS {row_column}, CAST(line AS BIGINT) AS line, "
        f"(CASE CAST(error_type AS VARCHAR) {cases} ELSE 'unreadable line' END) "
        f"|| ': ' || coalesce(csv_line, '') AS reason "
        f"FROM {quote_identifier(errors)} ORDER BY line"
    )
    return rejects


def _scan_parquet(con: duckdb.DuckDBPyConnection, scan: FileScan, label: str, table: str) -> Loaded:
    params: dict[str, object] = {"path": str(scan.path)}
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet($path)", params)
        columns = [row[0] for row in described.fetchall()]
    except duckdb.Error as exc:
        raise unreadable(label, first_line(exc)) from exc
    # A source column named like the row number column keeps its data under a new name.
    names = [_free_name(c, columns) if c.lower() == row_column else c for c in columns]
    notes = [
        f"column {c!r} is read as {n!r} ({row_column} numbers the records)"
        for c, n in zip(columns, names, strict=True)
        if c != n
    ]
    select = ", ".join(
        f"{quote_identifier(c)} AS {quote_identifier(n)}"
        for c, n in zip(columns, names, strict=True)
    )
    try:
        backing = copy_numbered(con, table, f"SELECT {select} FROM read_parquet($path)", params)
    except duckdb.Error as exc:
        con.execute(f"DROP TABLE IF EXISTS {table}_data")
        raise SourceError(
            f"{label}: cannot be read as Parquet ({first_line(exc)}); the file is "
            "damaged or truncated: export it again"
        ) from exc
    (rows,) = first_row(con, f"SELECT count(*) FROM {table}") or (0,)
    if rows == 0:
        con.execute(f"DROP VIEW {table}")
        con.execute(f"DROP TABLE {backing[0]}")
        raise EmptyLogError(f"{label}: the Parquet file holds no rows")
    return Loaded(table=table, columns=names, source=label, notes=notes, backing=backing)


def _free_name(name: str, columns: list[str]) -> str:
    taken = {c.lower() for c in columns}
    n = 1
    while f"{name}_{n}".lower() in taken:
        n += 1
    return f"{name}_{n}"
