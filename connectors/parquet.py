"""Apache Parquet files, read by DuckDB.

Columns keep their Parquet types in the raw table: the event log casts them to text
(timestamps to ISO 8601, which it parses back), so nothing is lost and nothing is
guessed. Records are numbered in file order.
"""

from __future__ import annotations

import itertools

import duckdb

from journeymap.connectors.base import (
    Connector,
    RawTable,
    copy_numbered,
    first_line,
    first_row,
    quote_identifier,
    row_column,
)
from journeymap.connectors.textfiles import existing_file
from journeymap.errors import EmptyLogError, SourceError
from journeymap.mapping import ReadOptions

__all__ = ["ParquetConnector"]

_counter = itertools.count(1)


class ParquetConnector(Connector):
    """Read a Parquet file (``.parquet``, ``.pq``)."""

    name = "parquet"
    description = "Apache Parquet files"
    suffixes = (".parquet", ".pq")

    def read(
        self, source: str, *, con: duckdb.DuckDBPyConnection, options: ReadOptions
    ) -> RawTable:
        path = existing_file(source)
        label = path.name
        params = {"path": str(path)}
        try:
            described = con.execute("DESCRIBE SELECT * FROM read_parquet($path)", params)
            columns = [row[0] for row in described.fetchall()]
        except duckdb.Error as exc:
            raise SourceError(
                f"{label}: cannot be read as Parquet ({first_line(exc)}); the file is "
                "damaged or truncated, or not Parquet: export it again"
            ) from exc
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
        table = f"raw_parquet_{next(_counter)}"
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
        return RawTable(table=table, columns=names, source=label, notes=notes, backing=backing)


def _free_name(name: str, columns: list[str]) -> str:
    taken = {c.lower() for c in columns}
    n = 1
    while f"{name}_{n}".lower() in taken:
        n += 1
    return f"{name}_{n}"
