"""On DuckDB: the events' activities, handlers and channels read as enumerations.

A log names a few dozen activities, some teams and channels and at most some thousands
of people, each repeated over thousands to millions of events. Read as text, every
window that orders the events by case (the ordering pass, the rework and ping-pong
windows, the handler sequences) sorts and carries each event's strings; read as an
ENUM, it carries a one- or two-byte code. :func:`encode` makes the events table a view
that reads those roles as ENUMs of their own values (the table itself stays as it was
read and compressed); the events in case order, made from the view, store the codes.
At a million events (the bench log) the peak memory of ``mine`` fell from 562 to
489 MB, and its time did not grow (docs/benchmarks.md, tenth round).

An ENUM's values are in text order, so ordering by one, its minimum and maximum are
those of the text; comparing one with text compares text; results leave the engine as
text (:func:`plain_text`) and CSV cells are written from text. Nothing a user sees
changes. A role with more than :data:`MAX_VALUES` distinct values (or none) stays text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from journeymap.engine.duckdb_sql import quote_identifier

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ENCODED_ROLES", "MAX_VALUES", "encode", "plain_text"]

#: Roles stored as enumerations when they have few enough values.
ENCODED_ROLES = ("activity", "resource", "team", "channel")

#: The most distinct values a role may have to be stored as an enumeration (two bytes
#: an event).
MAX_VALUES = 65_535


def encode(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> str | None:
    """Make ``table`` a view of itself with each of ``columns`` that has at most
    :data:`MAX_VALUES` distinct values as an ENUM of its values in text order.

    The table is renamed ``<table>_text`` and kept; the view is made only when a column
    qualifies. Returns the stored table's new name, or None when nothing changed.
    """
    casts = []
    for column in columns:
        q = quote_identifier(column)
        kind = quote_identifier(f"{table}_{column}_values")
        con.execute(
            f"CREATE TYPE {kind} AS ENUM (SELECT DISTINCT {q} FROM {table} "
            f"WHERE {q} IS NOT NULL ORDER BY {q} LIMIT {MAX_VALUES + 1})"
        )
        values = con.execute(f"SELECT len(enum_range(NULL::{kind}))").fetchall()[0][0]
        if not 0 < values <= MAX_VALUES:  # none (all missing), or too many
            con.execute(f"DROP TYPE {kind}")
            continue
        casts.append(f"CAST({q} AS {kind}) AS {q}")
    if not casts:
        return None
    stored = f"{table}_text"
    con.execute(f"ALTER TABLE {table} RENAME TO {stored}")
    con.execute(f"CREATE VIEW {table} AS SELECT * REPLACE ({', '.join(casts)}) FROM {stored}")
    return stored


def plain_text(table: pa.Table) -> pa.Table:
    """``table`` with every dictionary-encoded column (an ENUM's, also inside lists and
    structs) as plain text, as pandas gets it from a text column."""
    import pyarrow as pa

    def plain(kind: pa.DataType) -> pa.DataType:
        if pa.types.is_dictionary(kind):
            return plain(kind.value_type)
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            return pa.list_(plain(kind.value_type))
        if pa.types.is_struct(kind):
            return pa.struct([f.with_type(plain(f.type)) for f in kind])
        return kind

    schema = pa.schema([f.with_type(plain(f.type)) for f in table.schema])
    return table if schema.equals(table.schema) else table.cast(schema)
