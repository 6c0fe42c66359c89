"""CSV output that spreadsheets cannot execute, written by DuckDB's fast CSV writer.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel and LibreOffice as a formula. Log-derived text in exported CSV files is
therefore prefixed with an apostrophe, which spreadsheets show as plain text (OWASP's
advice on CSV injection). Numbers and timestamps are written in one fixed form, so the
same table always gives the same bytes.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import pandas as pd

from journeymap.engine.duckdb_sql import keeping_order, quote_identifier, text_type

__all__ = ["FORMULA_START", "copy_query_to_csv", "copy_to_csv", "neutralise", "write_frame"]

_frames = itertools.count(1)

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Their code points: ``ascii(text)``, the first character's, is one of them exactly when
#: the text starts with one (half the time of a regular expression on every cell).
_FORMULA_CODES = ", ".join(str(ord(c)) for c in FORMULA_START)
#: A double that is a whole number below this is written as that integer and
#: ``decimals`` zeros: the bytes printf gives, in a third of its time.
_EXACT_INTEGER = "1e15"


def neutralise(value: str) -> str:
    """Prefix a text cell that a spreadsheet would run as a formula.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("Open")
    'Open'
    """
    return "'" + value if value.startswith(FORMULA_START) else value


def _cell_sql(name: str, kind: str, decimals: int) -> str:
    """SQL writing one column the way journeymap's tables write it."""
    c = quote_identifier(name)
    if kind == "VARCHAR":  # text, or an enumeration's (as text_type names it)
        c = f"CAST({c} AS VARCHAR)"
        return f"CASE WHEN ascii({c}) IN ({_FORMULA_CODES}) THEN '''' || {c} ELSE {c} END"
    if kind in ("DOUBLE", "FLOAT", "REAL") or kind.startswith("DECIMAL"):
        text = f"printf('%.{decimals}f', {c})"
        if kind in ("DOUBLE", "FLOAT", "REAL"):
            # A whole number skips printf (not -0.0, which printf writes with its sign).
            zeros = "." + "0" * decimals if decimals > 0 else ""
            whole = f"{c} = trunc({c}) AND {c} <> 0 AND abs({c}) < {_EXACT_INTEGER}"
            integer = f"CAST(CAST({c} AS BIGINT) AS VARCHAR) || '{zeros}'"
            text = f"CASE WHEN {whole} THEN {integer} ELSE {text} END"
        return f"CASE WHEN {c} IS NULL OR isnan({c}) THEN NULL ELSE {text} END"
    if kind.startswith("TIMESTAMP"):
        # ISO 8601 in UTC with a Z. The session's zone is UTC, so DuckDB's own text is
        # "2024-01-01 09:00:00.5+00" (fractions only when present, trailing zeros cut);
        # twice as fast as strftime. A finite instant is written as the same wall-clock
        # reading without a zone (make_timestamp of its microseconds since 1970), which
        # skips the time-zone extension: half the time again, the same text.
        instant = f"CAST({c} AS TIMESTAMPTZ)"
        text = f"replace(replace(CAST({instant} AS VARCHAR), ' ', 'T'), '+00', 'Z')"
        fast = f"replace(CAST(make_timestamp(epoch_us({instant})) AS VARCHAR), ' ', 'T') || 'Z'"
        return f"CASE WHEN isfinite({instant}) THEN {fast} ELSE {text} END"
    return c


def copy_to_csv(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: str | Path,
    *,
    order_by: str = "",
    decimals: int = 3,
) -> None:
    """Write a table or view of ``con`` to CSV on the engine, neutralising text cells and
    the header's names (a source's own column names come through to the rejects)."""
    relation = con.sql(f"SELECT * FROM {table} LIMIT 0")
    selects = ", ".join(
        f"{_cell_sql(name, text_type(kind), decimals)} AS {quote_identifier(neutralise(name))}"
        for name, kind in zip(relation.columns, relation.types, strict=True)
    )
    order = f" ORDER BY {order_by}" if order_by else ""
    con.execute(
        f"COPY (SELECT {selects} FROM {table}{order}) TO $path (HEADER, DELIMITER ',')",
        {"path": str(path)},
    )


def copy_query_to_csv(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    view: str,
    path: str | Path,
    *,
    order_by: str = "",
    decimals: int = 3,
) -> None:
    """Write the rows of the query ``sql`` to CSV as :func:`copy_to_csv` does, through a
    temporary view named ``view`` of ``con``, dropped afterwards."""
    con.execute(f"CREATE TEMP VIEW {view} AS {sql}")
    try:
        copy_to_csv(con, view, path, order_by=order_by, decimals=decimals)
    finally:
        con.execute(f"DROP VIEW {view}")


def write_frame(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, path: str | Path, *, decimals: int = 3
) -> Path:
    """Write a pandas result table as CSV through ``con``, as :func:`copy_to_csv` writes
    tables: text neutralised, floats with fixed decimals, instants in UTC.

    The same table always gives the same bytes: floats have ``decimals`` places (NaN as
    an empty cell), timestamps are ISO 8601 in UTC with a ``Z``, rows keep the frame's
    order, and the frame is not modified.

    Examples
    --------
    >>> import tempfile
    >>> times = pd.to_datetime(["2024-01-01 09:00:00.5", "2024-01-01 00:00:00.0"], utc=True)
    >>> table = pd.DataFrame({"a": ["=1+1", "x"], "w": [1 / 3, None], "@t": times})
    >>> con = duckdb.connect()
    >>> _ = con.execute("SET TimeZone = 'UTC'")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_frame(con, table, Path(d) / "t.csv")
    ...     print(p.read_text(), end="")
    a,w,'@t
    '=1+1,0.333,2024-01-01T09:00:00.5Z
    x,,2024-01-01T00:00:00Z
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    view = f"frame_to_csv_{next(_frames)}"
    con.register(view, frame.reset_index(drop=True))
    try:
        with keeping_order(con):  # the frame's rows in its order
            copy_to_csv(con, view, target, decimals=decimals)
    finally:
        con.unregister(view)
    return target
