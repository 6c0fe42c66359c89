"""From a connector's raw text table to the typed, validated events table.

Every raw row ends up in exactly one of two tables: the events (roles typed, identifiers
kept as text, timestamps in UTC) or the rejects (source row number, reason, the raw
values). Rows are never dropped silently: ``accepted + rejected = rows read``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from journeymap.connectors.base import RawTable, quote_identifier
from journeymap.errors import RejectedRowsError
from journeymap.mapping import ROLES, TIMESTAMP_ROLES, Mapping, ReadOptions
from journeymap.timestamps import (
    ISO_8601,
    TimestampFormat,
    as_text_sql,
    detect_format,
    parse_sql,
    text_sql,
)

__all__ = ["CANONICAL_COLUMNS", "Ingested", "ingest"]

#: Column names of the events table that are not attributes.
CANONICAL_COLUMNS = ("source_row", *ROLES)


@dataclass(frozen=True)
class Ingested:
    """Names and facts of what :func:`ingest` created."""

    events: str
    rejects: str
    attributes: dict[str, str]  # events-table column -> source column
    formats: dict[str, TimestampFormat]
    rows_read: int
    rejected_rows: int


def ingest(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    mapping: Mapping,
    options: ReadOptions,
    *,
    events: str,
    rejects: str,
) -> Ingested:
    """Type and validate ``raw`` into tables ``events`` and ``rejects``; drop ``raw``.

    A row is rejected when its case or activity is empty, its timestamp is empty or
    cannot be read in the column's format, or its start timestamp is given but cannot be
    read. Role values are trimmed of surrounding blanks; empty optional roles are NULL.

    Raises
    ------
    RejectedRowsError
        With ``options.strict``, when any row is rejected.
    MappingError
        When a timestamp column's format cannot be recognised.
    """
    roles = mapping.columns()
    kinds = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE {raw.table}").fetchall()}
    formats = {
        role: detect_format(
            con,
            raw.table,
            column,
            given=options.timestamp_format,
            timezone=options.timezone,
            source=raw.source,
        )
        for role, column in roles.items()
        if role in TIMESTAMP_ROLES
    }
    params: dict[str, object] = {f"col_{r}": f"'{c}'" for r, c in roles.items()}
    params.update({f"fmt_{r}": f.format for r, f in formats.items() if f.format != ISO_8601})
    params.update({f"label_{r}": f.format for r, f in formats.items()})

    typed = {
        role: parse_sql(column, formats[role].format, f"fmt_{role}")
        if role in TIMESTAMP_ROLES
        else text_sql(column, kinds[column])
        for role, column in roles.items()
    }
    mapped = set(roles.values())
    attributes = {
        (f"attribute:{c}" if c in CANONICAL_COLUMNS else c): c
        for c in raw.columns
        if c not in mapped
    }
    checks = [f"{typed[r]} IS NOT NULL" for r in ("case", "activity", "timestamp")]
    if "start_timestamp" in roles:  # optional, but when given it must be readable
        start_text, start = text_sql(roles["start_timestamp"]), typed["start_timestamp"]
        checks.append(f"({start_text} IS NULL OR {start} IS NOT NULL)")
    valid = " AND ".join(checks)
    role_select = ", ".join(f"{expr} AS {quote_identifier(role)}" for role, expr in typed.items())
    attr_select = "".join(
        f", {as_text_sql(src, kinds[src])} AS {quote_identifier(name)}"
        for name, src in attributes.items()
    )
    raw_select = "".join(
        f", {as_text_sql(c, kinds[c])} AS {quote_identifier(c)}" for c in raw.columns
    )
    zone = options.timezone
    con.execute(f"SET TimeZone = '{zone}'")  # a name checked against the IANA list
    try:
        con.execute(
            f"CREATE TABLE {events} AS SELECT __row AS source_row, {role_select}{attr_select} "
            f"FROM {raw.table} WHERE {valid}",
            _used(params, role_select),
        )
        reason = _reason_sql(roles, typed)
        con.execute(
            f"CREATE TABLE {rejects} AS SELECT __row AS source_row, "
            f"CAST(NULL AS BIGINT) AS line, {reason} AS reason{raw_select} "
            f"FROM {raw.table} WHERE NOT ({valid})",
            _used(params, reason + valid),
        )
    finally:
        con.execute("SET TimeZone = 'UTC'")
    if raw.rejects is not None:
        con.execute(
            f"INSERT INTO {rejects} BY NAME SELECT __row AS source_row, line, reason "
            f"FROM {raw.rejects}"
        )
        con.execute(f"DROP TABLE {raw.rejects}")
    con.execute(f"DROP TABLE {raw.table}")
    accepted = _count(con, events)
    rejected = _count(con, rejects)
    if options.strict and rejected:
        first = con.execute(
            f"SELECT source_row, reason FROM {rejects} ORDER BY source_row LIMIT 3"
        ).fetchall()
        shown = "; ".join(f"row {r}: {why}" for r, why in first)
        raise RejectedRowsError(
            f"{raw.source}: {rejected:,} row(s) rejected and --strict was given: {shown}"
        )
    return Ingested(
        events=events,
        rejects=rejects,
        attributes=attributes,
        formats=formats,
        rows_read=accepted + rejected,
        rejected_rows=rejected,
    )


def _reason_sql(roles: dict[str, str], typed: dict[str, str]) -> str:
    def quoted(role: str) -> str:
        return f"'''' || {text_sql(roles[role])} || ''''"

    branches = [
        f"WHEN {typed['case']} IS NULL THEN 'no case id: column ' || $col_case || ' is empty'",
        f"WHEN {typed['activity']} IS NULL "
        "THEN 'no activity: column ' || $col_activity || ' is empty'",
        f"WHEN {text_sql(roles['timestamp'])} IS NULL "
        "THEN 'no timestamp: column ' || $col_timestamp || ' is empty'",
        f"WHEN {typed['timestamp']} IS NULL THEN 'unreadable timestamp: ' || "
        f"{quoted('timestamp')} || ' in column ' || $col_timestamp || ' is not ' || "
        "$label_timestamp",
    ]
    if "start_timestamp" in roles:
        branches.append(
            f"WHEN {typed['start_timestamp']} IS NULL THEN 'unreadable start timestamp: ' || "
            f"{quoted('start_timestamp')} || ' in column ' || $col_start_timestamp || "
            "' is not ' || $label_start_timestamp"
        )
    return "CASE " + " ".join(branches) + " END"


def _used(params: dict[str, object], sql: str) -> dict[str, object]:
    """The parameters ``sql`` refers to (DuckDB rejects unused named parameters)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
