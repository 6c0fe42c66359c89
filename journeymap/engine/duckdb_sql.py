"""Small pieces of DuckDB SQL the DuckDB engine builds its statements from.

Identifiers are quoted by :func:`quote_identifier`; every value, and every user-given
string (formats, column names in messages, paths), travels as a query parameter, so no
user text is pasted into SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import duckdb

from journeymap.connectors.base import BLANKS, row_column
from journeymap.engine.timestamps import (
    ISO_8601,
    ISO_DATE,
    SAMPLE_ROWS,
    SAMPLE_VALUES,
    year_pattern,
)

__all__ = [
    "as_text_sql",
    "copy_numbered",
    "count_parsed",
    "first_row",
    "keeping_order",
    "local_clock_sql",
    "parse_sql",
    "quote_identifier",
    "sample_values",
    "text_sql",
    "text_type",
    "year_params",
]


def quote_identifier(name: str) -> str:
    """Quote a column or table name for DuckDB SQL (identifiers cannot be parameters).

    Examples
    --------
    >>> print(quote_identifier('say "hi" now'))
    "say ""hi"" now"
    """
    return '"' + name.replace('"', '""') + '"'


def first_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None
) -> tuple[Any, ...]:
    """The first row of a query, reading the whole (small) result.

    DuckDB 2 keeps a connection busy until a result is read to its end, so a bare
    ``fetchone()`` would block the next query on the connection.

    Examples
    --------
    >>> first_row(duckdb.connect(), "SELECT 1, 'a' UNION ALL SELECT 2, 'b'")
    (1, 'a')
    """
    rows = con.execute(sql, params or {}).fetchall()
    return tuple(rows[0]) if rows else ()


@contextmanager
def keeping_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Within the block, statements write rows in the order they read them.

    The engine lets DuckDB write rows in any order (``preserve_insertion_order`` off:
    faster, less memory), as every result that is written or compared is ordered by
    its own keys. Copying a source whose records are numbered by their place, or writing
    a pandas frame in its own order, needs the order kept.

    Examples
    --------
    >>> con = duckdb.connect()
    >>> _ = con.execute("SET preserve_insertion_order = false")
    >>> with keeping_order(con):
    ...     con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    (True,)
    >>> con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    (False,)
    """
    kept = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {bool(kept and kept[0])}")


def copy_numbered(
    con: duckdb.DuckDBPyConnection,
    table: str,
    query: str,
    params: dict[str, object] | None = None,
) -> tuple[str, ...]:
    """Copy the rows of ``query`` into the engine in their order and show them as the
    view ``table``, with ``__row`` numbering them from 1. Returns the names of the
    tables behind the view.

    The number is the copy's ``rowid`` + 1: the copy is made preserving insertion order
    (whatever the connection's setting), and a ``row_number() OVER ()`` window over the
    scan instead runs on one thread (it made reading a CSV twice as slow).

    Examples
    --------
    >>> con = duckdb.connect()
    >>> copy_numbered(con, "t", "SELECT * FROM (VALUES ('a'), ('b')) AS v(x)")
    ('t_data',)
    >>> con.execute("SELECT * FROM t").fetchall()
    [(1, 'a'), (2, 'b')]
    """
    data = f"{table}_data"
    with keeping_order(con):  # the records are numbered by their place in the copy
        con.execute(f"CREATE TABLE {data} AS {query}", params or {})
    con.execute(f"CREATE VIEW {table} AS SELECT rowid + 1 AS {row_column}, * FROM {data}")
    return (data,)


#: What :func:`text_sql` trims from either end of a value: every character Python's
#: ``str.strip()`` removes (spaces, tabs, line breaks, non-breaking and other Unicode
#: spaces), as an SQL string literal.
_BLANKS = BLANKS.replace("'", "''")


def text_sql(column: str, kind: str = "VARCHAR", *, trim: bool = True) -> str:
    """SQL for a column's value as text, blanks around it removed, empty as NULL.

    Blanks are what Python's ``str.strip()`` removes: spaces, tabs and line breaks, and
    the non-breaking and other Unicode spaces that exports carry. ``kind`` is the
    column's DuckDB type. Whole-number floats are written without ``.0`` (pandas and
    Parquet store integer ids with gaps as floats: 1001.0 is id "1001"). Only values
    that start or end with a blank are trimmed: trimming a set of characters from every
    value is twenty times slower on DuckDB. Without ``trim`` (for values known to have
    no blank at either end) only empty values become NULL.

    Examples
    --------
    >>> sql = f"SELECT {text_sql('v')} FROM (VALUES (' T1 '), (''), ('T01'), ('\u00a0X\t')) t(v)"
    >>> duckdb.sql(sql).fetchall()
    [('T1',), (None,), ('T01',), ('X',)]
    >>> sql = f"SELECT {text_sql('v', 'DOUBLE')} FROM (VALUES (1001.0), (2.5)) t(v)"
    >>> duckdb.sql(sql).fetchall()
    [('1001',), ('2.5',)]
    """
    v = as_text_sql(column, kind)
    if not trim:
        return f"nullif({v}, '')"
    edge = f"contains('{_BLANKS}', {v}[1]) OR contains('{_BLANKS}', {v}[-1])"
    return f"nullif(CASE WHEN {edge} THEN trim({v}, '{_BLANKS}') ELSE {v} END, '')"


def as_text_sql(column: str, kind: str = "VARCHAR") -> str:
    """SQL casting a column of DuckDB type ``kind`` to text, whole floats without ``.0``."""
    c = quote_identifier(column)
    if kind in ("DOUBLE", "FLOAT", "REAL"):
        return (
            f"CASE WHEN isfinite({c}) AND {c} = trunc({c}) AND abs({c}) < 1e15 "
            f"THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END"
        )
    return f"CAST({c} AS VARCHAR)"


def parse_sql(value: str, fmt: str, param: str, *, local_dates: bool = False) -> str:
    """SQL that parses the text ``value`` (SQL of a value as :func:`text_sql` gives it)
    to TIMESTAMPTZ, NULL where it cannot.

    ``param`` names the query parameter that carries ``fmt`` (user text never enters
    the SQL), and ``param_year`` the one that carries its :func:`year_pattern` when it
    has one (:func:`year_params`): a value without a four-digit year where the format
    has one is unreadable, not the year 24. A value in ISO 8601 (four-digit year first)
    is read as such in a column of another format: it cannot be misread. Values without
    an offset take the session's time zone. With ``local_dates`` (ISO 8601 dates at
    midnight in their own offset: :class:`~journeymap.engine.timestamps.TimestampFormat`),
    each value is read as the date and clock it shows, in UTC, its offset left out.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("SET TimeZone = 'UTC'")
    >>> sql = parse_sql("v", ISO_8601, "f", local_dates=True)
    >>> value = "SELECT '2005-03-23T00:00:00.000+01:00' AS v"
    >>> con.execute(f"SELECT strftime({sql}, '%Y-%m-%d %H:%M') FROM ({value})").fetchone()[0]
    '2005-03-23 00:00'
    """
    if fmt == ISO_8601:  # the pattern is the project's own text, not the user's
        year = f"regexp_matches({value}, '{year_pattern(fmt)}')"
        if local_dates:
            clock = rf"regexp_replace({value}, '\s*([Zz]|[+-]\d\d(:?\d\d)?)\s*$', '')"
            return f"CASE WHEN {year} THEN timezone('UTC', try_cast({clock} AS TIMESTAMP)) END"
        return f"CASE WHEN {year} THEN try_cast({value} AS TIMESTAMPTZ) END"
    parsed = f"CAST(try_strptime({value}, ${param}) AS TIMESTAMPTZ)"
    if year_pattern(fmt) is not None:
        parsed = f"CASE WHEN regexp_matches({value}, ${param}_year) THEN {parsed} END"
    # A value written in ISO 8601 (a row edited by hand or by another system) cannot be
    # misread whatever the column's format: it is read as such, not rejected.
    iso = f"try_cast({value} AS TIMESTAMPTZ)"
    return f"coalesce({parsed}, CASE WHEN regexp_matches({value}, '{ISO_DATE}') THEN {iso} END)"


def year_params(formats: dict[str, str]) -> dict[str, str]:
    """The parameters :func:`parse_sql` needs beside each format's own (``fmt_<role>``):
    ``fmt_<role>_year``, the four-digit year pattern of a strptime format with ``%Y``."""
    return {
        f"fmt_{role}_year": year
        for role, fmt in formats.items()
        if fmt != ISO_8601 and (year := year_pattern(fmt)) is not None
    }


def local_clock_sql(value: str, fmt: str, param: str) -> tuple[str, str] | None:
    """SQL for the wall-clock time the text ``value`` shows (TIMESTAMP, no zone), and
    SQL that is true when the value carries its own UTC offset; None when every value
    of the format carries one (``%z``). Used to find local times that a time zone's
    clock changes skip or repeat."""
    if fmt == ISO_8601:
        offset = rf"regexp_matches({value}, '\d[T ]\d\d:\d\d.*([Zz]|[+-]\d\d(:?\d\d)?)$')"
        return f"try_cast({value} AS TIMESTAMP)", offset
    if "%z" in fmt or "%Z" in fmt:
        return None
    return f"try_strptime({value}, ${param})", "false"


def sample_values(
    con: duckdb.DuckDBPyConnection,
    rows: str,
    column: str,
    params: dict[str, object] | None = None,
    *,
    numbered: bool = True,
) -> list[str]:
    """The distinct non-empty values of a text column that a format is chosen from, in
    order of first appearance (see :mod:`journeymap.engine.timestamps`): the first
    ``SAMPLE_VALUES`` distinct ones among its first ``SAMPLE_ROWS`` non-empty values.

    ``rows`` is a table with ``__row`` or, not ``numbered``, a scan (with ``params``)
    whose rows come in the source's order; only the first rows with a value are read:
    first twice ``SAMPLE_VALUES`` of them, which hold that many distinct values in most
    timestamp columns (0.04 s where all ``SAMPLE_ROWS`` take 0.14 s of a 110 MB file),
    then ``SAMPLE_ROWS`` when they do not and there are more.
    """
    value = text_sql(column)
    columns = f"{value} AS v, __row" if numbered else f"{value} AS v"
    base = f"SELECT {columns} FROM {rows} WHERE {value} IS NOT NULL"
    found: list[str] = []
    for limit in (2 * SAMPLE_VALUES, SAMPLE_ROWS):
        first = f"{base} LIMIT {limit}"
        if not numbered:
            first = f"SELECT v, row_number() OVER () AS __row FROM ({first})"
        # The values with the number of rows read (the same in each row): fewer than
        # the limit means the column holds no more.
        query = (
            f"WITH first AS ({first}) SELECT v, (SELECT count(*) FROM first) "
            f"FROM first GROUP BY v ORDER BY min(__row) LIMIT {SAMPLE_VALUES}"
        )
        with keeping_order(con):
            result = con.execute(query, params or {}).fetchall()
        found = [r[0] for r in result]
        if len(found) == SAMPLE_VALUES or not result or result[0][1] < limit:
            break
    return found


def count_parsed(
    con: duckdb.DuckDBPyConnection, values: list[str], formats: tuple[str, ...]
) -> list[int]:
    """How many of ``values`` each format reads, as DuckDB's parsers read them (with a
    four-digit year where the format has one: :func:`year_pattern`)."""
    params: dict[str, object] = {f"f{i}": f for i, f in enumerate(formats) if f != ISO_8601}
    checks = []
    for i, f in enumerate(formats):
        parsed = "try_cast(v AS TIMESTAMPTZ)" if f == ISO_8601 else f"try_strptime(v, $f{i})"
        if (year := year_pattern(f)) is not None:
            params[f"y{i}"] = year
            parsed = f"CASE WHEN regexp_matches(v, $y{i}) THEN {parsed} END"
        checks.append(f"count({parsed})")
    params["values"] = values
    row = first_row(con, f"SELECT {', '.join(checks)} FROM (SELECT unnest($values) AS v)", params)
    return list(row or ())


def text_type(kind: duckdb.sqltypes.DuckDBPyType) -> str:
    """DuckDB's name of ``kind`` with every ENUM in it (also inside lists and structs)
    named VARCHAR: what Ibis is told a column holds."""
    if kind.id == "enum":
        return "VARCHAR"
    if kind.id == "list":
        return f"{text_type(kind.child)}[]"
    if kind.id == "struct":
        fields = ", ".join(
            f"{quote_identifier(name)} {text_type(cast(duckdb.sqltypes.DuckDBPyType, child))}"
            for name, child in kind.children
        )
        return f"STRUCT({fields})"
    return str(kind)
