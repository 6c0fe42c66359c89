"""On DuckDB: from a loaded source's raw table to the typed, validated events table.

Every raw row ends up in exactly one of two tables: the events (roles typed, identifiers
kept as text, timestamps in UTC) or the rejects (source row number, reason, the raw
values). Rows are never dropped silently: ``accepted + rejected = rows read``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from journeymap.connectors.base import DIRECTION_CONTROLS, first_line
from journeymap.engine.duckdb_load import Loaded
from journeymap.engine.duckdb_sql import (
    as_text_sql,
    count_parsed,
    first_row,
    keeping_order,
    local_clock_sql,
    parse_sql,
    quote_identifier,
    sample_values,
    text_sql,
    year_params,
)
from journeymap.engine.timestamps import ISO_8601, TimestampFormat, detect_format
from journeymap.errors import EmptyLogError, RejectedRowsError, SourceError, option
from journeymap.mapping import ROLES, TIMESTAMP_ROLES, Mapping
from journeymap.read_options import PLACEHOLDER_ROLES, ReadOptions

__all__ = ["CANONICAL_COLUMNS", "TypedTables", "ingest"]

#: Column names of the events table that are not attributes.
CANONICAL_COLUMNS = ("source_row", *ROLES)


@dataclass(frozen=True)
class TypedTables:
    """Names and facts of what :func:`ingest` created."""

    events: str
    rejects: str
    attributes: dict[str, str]  # events-table column -> source column
    formats: dict[str, TimestampFormat]
    rows_read: int
    rejected_rows: int
    #: Values of each optional role that were placeholders, among accepted events.
    placeholders: dict[str, int]
    #: What typing did that the user should know (local times a clock change repeats).
    notes: list[str]


def ingest(
    con: duckdb.DuckDBPyConnection,
    raw: Loaded,
    mapping: Mapping,
    options: ReadOptions,
    *,
    events: str,
    rejects: str,
) -> TypedTables:
    """Type and validate ``raw`` into tables ``events`` and ``rejects``; drop ``raw``.

    A row is rejected when its case or activity is empty, its timestamp is empty or
    cannot be read in the column's format, or its start timestamp is given but cannot be
    read. Role values are trimmed of surrounding blanks; empty optional roles are NULL.

    The source is scanned once: every row goes into ``events`` with its rejection reason
    (NULL when valid) and, for rejected rows only, the raw text of its role columns;
    rejected rows are then moved to ``rejects``. ``raw`` may be a view over a copy of
    the source, or a CSV file that this one scan reads (see
    :class:`~journeymap.engine.duckdb_load.Loaded`).

    Raises
    ------
    RejectedRowsError
        With ``options.strict``, when any row is rejected.
    MappingError
        When a timestamp column's format cannot be recognised.
    EmptyLogError
        When the source has no data rows.
    SourceError
        When the engine cannot read the source (translated by the connector).
    """
    try:
        return _ingest(con, raw, mapping, options, events=events, rejects=rejects)
    except duckdb.Error as exc:
        raise SourceError(f"{raw.source}: cannot be read: {first_line(exc)}") from exc
    finally:
        con.execute("SET TimeZone = 'UTC'")
        for name in (raw.table, *raw.backing):
            if name:
                _drop(con, name)


def _ingest(
    con: duckdb.DuckDBPyConnection,
    raw: Loaded,
    mapping: Mapping,
    options: ReadOptions,
    *,
    events: str,
    rejects: str,
) -> TypedTables:
    roles = mapping.columns()
    if raw.csv is not None:  # read as text
        kinds = dict.fromkeys(raw.columns, "VARCHAR")
    else:
        kinds = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE {raw.table}").fetchall()}
    rows, rows_params = raw.rows()
    formats = {
        role: detect_format(
            sample_values(con, rows, column, rows_params, numbered=raw.csv is None),
            lambda values, formats: count_parsed(con, values, formats),
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
    params.update(year_params({r: f.format for r, f in formats.items()}))
    params.update({f"label_{r}": f.format for r, f in formats.items()})

    # The statement works in three layers, so that no value is trimmed or parsed twice:
    # (1) each mapped column's text, trimmed; (2) from it, the parsed timestamps, the
    # local clock readings and the placeholder flags; (3) the typed roles, the reason a
    # row is rejected, and what the user must be told.
    texts: list[str] = []  # layer 1
    derived: list[str] = []  # layer 2
    text: dict[str, str] = {}  # source column -> its trimmed text in layers 2 and 3
    read = [c for r, c in roles.items() if not (r == "activity" and mapping.activity_parts)]
    # A CSV file whose bytes show no blank beside a value's edge is read untrimmed: the
    # trimming is a third or more of the reading's time.
    trim = raw.csv is None or raw.csv.edge_blanks
    for column in dict.fromkeys([*read, *mapping.activity_parts]):
        text[column] = f"__jm_text_{len(text)}"
        texts.append(f"{text_sql(column, kinds[column], trim=trim)} AS {text[column]}")
    typed: dict[str, str] = {}
    for role, column in roles.items():
        if role == "activity" and mapping.activity_parts:
            continue
        if role in TIMESTAMP_ROLES:
            typed[role] = f"__jm_parsed_{role}"
            fmt = formats[role]
            parsed = parse_sql(text[column], fmt.format, f"fmt_{role}", local_dates=fmt.local_dates)
            derived.append(f"{parsed} AS {typed[role]}")
        else:
            typed[role] = text[column]
    # Local times a clock change skips (the spring gap) are rejected; those it repeats
    # (the autumn hour) are read as their first occurrence, as Python's fold=0 does.
    gaps: dict[str, str] = {}
    folds: dict[str, str] = {}
    if options.timezone != "UTC":
        for role in (r for r in TIMESTAMP_ROLES if r in roles):
            clock = local_clock_sql(text[roles[role]], formats[role].format, f"fmt_{role}")
            if clock is None:
                continue
            naive, own_offset = f"__jm_naive_{role}", f"__jm_offset_{role}"
            derived += [f"{clock[0]} AS {naive}", f"{clock[1]} AS {own_offset}"]
            parsed = typed[role]
            gaps[role] = (
                f"(NOT {own_offset} AND {naive} IS NOT NULL "
                f"AND CAST({parsed} AS TIMESTAMP) <> {naive})"
            )
            folds[role] = (
                f"coalesce(NOT {own_offset} "
                f"AND CAST({parsed} - INTERVAL 1 HOUR AS TIMESTAMP) = {naive}, false)"
            )
            typed[role] = (
                f"CASE WHEN {gaps[role]} THEN NULL WHEN {folds[role]} "
                f"THEN {parsed} - INTERVAL 1 HOUR ELSE {parsed} END"
            )
        params["zone"] = options.timezone
    if mapping.activity_parts:  # a composite activity: its parts joined, empty ones left out
        parts = ", ".join(text[c] for c in mapping.activity_parts)
        typed["activity"] = f"nullif(concat_ws($activity_sep, {parts}), '')"
        params["activity_sep"] = options.activity_sep
    # Placeholders ('?', 'n/a', 'unknown', ...) in the optional roles are missing values;
    # a hidden flag per role counts them.
    placeholder_roles = [r for r in PLACEHOLDER_ROLES if r in roles]
    flags = ""
    if placeholder_roles:
        params["placeholders"] = list(options.placeholders)
    for role in placeholder_roles:
        hit = f"__placeholder_{role}"
        derived.append(f"list_contains($placeholders, lower({typed[role]})) AS {hit}")
        typed[role] = f"CASE WHEN {hit} THEN NULL ELSE {typed[role]} END"
        flags += f", {hit}"
    for role, fold in folds.items():
        flags += f", {fold} AS __fold_{role}"
    typed = {role: typed[role] for role in roles}  # role order
    mapped = set(roles.values())
    attributes = {
        (f"attribute:{c}" if c in CANONICAL_COLUMNS else c): c
        for c in raw.columns
        if c not in mapped
    }
    reason = _reason_sql(roles, typed, text, gaps)
    role_select = ", ".join(f"{expr} AS {quote_identifier(role)}" for role, expr in typed.items())
    attr_select = "".join(
        f", {as_text_sql(src, kinds[src])} AS {quote_identifier(name)}"
        for name, src in attributes.items()
    )
    # Typing loses only the text of unreadable timestamps: keep it, for rejected rows
    # only (NULL elsewhere costs next to nothing). Other roles keep their (trimmed) text.
    hidden = {roles[r]: f"__raw_{r}" for r in TIMESTAMP_ROLES if r in roles}
    raw_roles = "".join(
        f", CASE WHEN __reason IS NOT NULL THEN {as_text_sql(c, kinds[c])} END AS {name}"
        for c, name in hidden.items()
    )

    def create(source: str, more: dict[str, object]) -> str:
        layers = f"(SELECT *, {', '.join(texts)} FROM {source})"
        if derived:
            layers = f"(SELECT *, {', '.join(derived)} FROM {layers})"
        sql = (
            f"CREATE TABLE {events} AS SELECT __row AS source_row, {role_select}"
            f"{attr_select}, {reason} AS __reason{raw_roles}{flags} FROM {layers}"
        )
        con.execute(f"SET TimeZone = '{options.timezone}'")  # a name checked against IANA's
        try:
            con.execute(sql, _used({**params, **more}, sql))
        finally:
            con.execute("SET TimeZone = 'UTC'")
        return events

    if raw.csv is None:
        create(raw.table, {})
    else:
        # The file is read, typed and validated in one pass, its rows written in the
        # order read: each row's number is then its place in the table.
        with keeping_order(con):
            unread = raw.csv.read(
                con,
                lambda query, more: create(
                    f"(SELECT CAST(0 AS BIGINT) AS __row, * FROM ({query}))", more
                ),
            )
        con.execute(f"UPDATE {events} SET source_row = rowid + 1")
        if unread:
            raw.keep_rejects(con, f"{events}_reader_rejects", unread)
    reader_rejects = raw.rejects

    by_source = {src: quote_identifier(name) for name, src in attributes.items()}
    by_source.update({c: quote_identifier(r) for r, c in roles.items()})
    by_source.update(hidden)
    values = "".join(
        f", CAST({by_source[c]} AS VARCHAR) AS {quote_identifier(c)}" for c in raw.columns
    )
    con.execute(
        f"CREATE TABLE {rejects} AS SELECT source_row, CAST(NULL AS BIGINT) AS line, "
        f"__reason AS reason{values} FROM {events} WHERE __reason IS NOT NULL"
    )
    if _count(con, rejects):
        con.execute(f"DELETE FROM {events} WHERE __reason IS NOT NULL")
        _name_repeated_headers(con, rejects, raw.columns)
    placeholders = {}
    if placeholder_roles:
        counts = ", ".join(f"count_if(__placeholder_{r})" for r in placeholder_roles)
        found = first_row(con, f"SELECT {counts} FROM {events}")
        placeholders = {r: int(n or 0) for r, n in zip(placeholder_roles, found, strict=True)}
    notes = []
    for role in folds:
        (repeated,) = first_row(con, f"SELECT count_if(__fold_{role}) FROM {events}") or (0,)
        if repeated:
            notes.append(
                f"{int(repeated):,} {role.replace('_', ' ')}(s) in {roles[role]!r} fall in the "
                f"hour {options.timezone} clocks repeat when they go back; read as the first "
                "of the two (summer time)"
            )
    if raw.csv is None or raw.csv.direction_controls:
        text_roles = [r for r in roles if r not in TIMESTAMP_ROLES]
        notes += _direction_control_notes(con, events, text_roles)
    flag_columns = [f"__placeholder_{r}" for r in placeholder_roles]
    flag_columns += [f"__fold_{r}" for r in folds]
    for name in ("__reason", *hidden.values(), *flag_columns):
        con.execute(f"ALTER TABLE {events} DROP COLUMN {name}")
    if reader_rejects is not None:
        _add_reader_rejects(con, events, rejects, reader_rejects, renumber=raw.renumber)
    accepted = _count(con, events)
    rejected = _count(con, rejects)
    if accepted + rejected == 0:
        raise EmptyLogError(f"{raw.source}: has a header but no data rows")
    if options.strict and rejected:
        first = con.execute(
            f"SELECT source_row, reason FROM {rejects} ORDER BY source_row LIMIT 3"
        ).fetchall()
        shown = "; ".join(f"row {r}: {why}" for r, why in first)
        raise RejectedRowsError(
            f"{raw.source}: {rejected:,} row(s) rejected and {option('strict', True)} was "
            f"given: {shown}"
        )
    return TypedTables(
        events=events,
        rejects=rejects,
        attributes=attributes,
        formats=formats,
        rows_read=accepted + rejected,
        rejected_rows=rejected,
        placeholders=placeholders,
        notes=notes,
    )


#: Invisible characters that reorder how text is shown: counted, and shown as U+FFFD in
#: pictures and pages.
_DIRECTION_CONTROLS = f"[{DIRECTION_CONTROLS}]"


def _direction_control_notes(
    con: duckdb.DuckDBPyConnection, events: str, roles: list[str]
) -> list[str]:
    if not roles:
        return []
    # One match per row over all the roles first: logs almost never hold any. Only rows
    # with a character beyond ASCII can (bytes and characters counted apart: a tenth of
    # the match's time), so the match runs on those alone.
    joined = ", ".join(quote_identifier(r) for r in roles)
    beyond_ascii = " OR ".join(
        f"strlen({quote_identifier(r)}) <> length({quote_identifier(r)})" for r in roles
    )
    any_row = first_row(
        con,
        f"SELECT bool_or(regexp_matches(concat_ws('', {joined}), $controls)) FROM {events} "
        f"WHERE {beyond_ascii}",
        {"controls": _DIRECTION_CONTROLS},
    )
    if not any_row or not any_row[0]:
        return []
    counts = ", ".join(f"count_if(regexp_matches({quote_identifier(r)}, $controls))" for r in roles)
    found = first_row(con, f"SELECT {counts} FROM {events}", {"controls": _DIRECTION_CONTROLS})
    return [
        f"{int(n):,} {role.replace('_', ' ')} value(s) hold invisible direction controls "
        "(such as U+202E, which reverses text); the map and the report show them as \ufffd"
        for role, n in zip(roles, found or (), strict=True)
        if n
    ]


def _drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a table or view by name (DuckDB wants to be told which it is)."""
    is_view = first_row(
        con, "SELECT count(*) FROM duckdb_views() WHERE view_name = $name", {"name": name}
    )
    con.execute(f"DROP {'VIEW' if is_view and is_view[0] else 'TABLE'} IF EXISTS {name}")


def _name_repeated_headers(
    con: duckdb.DuckDBPyConnection, rejects: str, columns: list[str]
) -> None:
    """A rejected row whose every value is its column's name is the header line again
    (two exports joined, a report's page break): its reason says so, not that its
    timestamp is unreadable. The names are parameters, never pasted into the SQL."""
    if not columns:
        return
    same = " AND ".join(
        f"trim(CAST({quote_identifier(c)} AS VARCHAR)) = $h{i}" for i, c in enumerate(columns)
    )
    names = {f"h{i}": c for i, c in enumerate(columns)}
    con.execute(f"UPDATE {rejects} SET reason = 'a repeated header line' WHERE {same}", names)


def _add_reader_rejects(
    con: duckdb.DuckDBPyConnection,
    events: str,
    rejects: str,
    reader_rejects: str,
    *,
    renumber: bool = True,
) -> None:
    """Add rows the reader could not split, and renumber the others around them.

    A reader reject's ``__row`` is its record number in the file; the rows that were
    read were numbered without them, so each keeps its rank among the free numbers.
    Without ``renumber`` (a preset's rows are events, not records) the rows keep their
    numbers and the rejects their record numbers.
    """
    count = _count(con, reader_rejects)
    # The values the reader gave, in the rejects' columns of the same names.
    given = [n for n, *_ in con.execute(f"DESCRIBE {reader_rejects}").fetchall()][3:]
    values = "".join(f", {quote_identifier(c)}" for c in given)
    if count and not renumber:
        con.execute(
            f"INSERT INTO {rejects} BY NAME SELECT __row AS source_row, line, reason{values} "
            f"FROM {reader_rejects}"
        )
    elif count:
        total = _count(con, events) + _count(con, rejects) + count
        con.execute(
            f"""
            CREATE TEMP TABLE __renumber AS
            SELECT i AS new_row, row_number() OVER (ORDER BY i) AS old_row
            FROM range(1, {int(total)} + 1) AS t(i)
            WHERE i NOT IN (SELECT __row FROM {reader_rejects})
            """
        )
        for table in (events, rejects):
            con.execute(
                f"UPDATE {table} SET source_row = r.new_row FROM __renumber AS r "
                f"WHERE {table}.source_row = r.old_row"
            )
        con.execute("DROP TABLE __renumber")
        con.execute(
            f"INSERT INTO {rejects} BY NAME SELECT __row AS source_row, line, reason{values} "
            f"FROM {reader_rejects}"
        )
    con.execute(f"DROP TABLE {reader_rejects}")


def _reason_sql(
    roles: dict[str, str], typed: dict[str, str], text: dict[str, str], gaps: dict[str, str]
) -> str:
    """SQL for why a row is rejected (NULL when it is not), from the roles' ``typed``
    values and their columns' trimmed ``text``."""

    def quoted(role: str) -> str:
        return f"'''' || {text[roles[role]]} || ''''"

    skipped = {
        role: f"WHEN {gap} THEN 'a local time that never happened: ' || {quoted(role)} || "
        f"' in column ' || $col_{role} || ' falls in the hour ' || $zone || "
        "' clocks skip when they go forward'"
        for role, gap in gaps.items()
    }
    branches = [
        f"WHEN {typed['case']} IS NULL THEN 'no case id: column ' || $col_case || ' is empty'",
        f"WHEN {typed['activity']} IS NULL "
        "THEN 'no activity: column ' || $col_activity || ' is empty'",
        f"WHEN {text[roles['timestamp']]} IS NULL "
        "THEN 'no timestamp: column ' || $col_timestamp || ' is empty'",
        *([skipped["timestamp"]] if "timestamp" in skipped else []),
        f"WHEN {typed['timestamp']} IS NULL THEN 'unreadable timestamp: ' || "
        f"{quoted('timestamp')} || ' in column ' || $col_timestamp || ' is not ' || "
        "$label_timestamp",
    ]
    if "start_timestamp" in skipped:
        branches.append(skipped["start_timestamp"])
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
    row = first_row(con, f"SELECT count(*) FROM {table}")
    return int(row[0]) if row else 0
