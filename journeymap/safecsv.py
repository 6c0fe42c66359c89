"""CSV output that spreadsheets cannot execute.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel and LibreOffice as a formula. Log-derived text in exported CSV files is
therefore prefixed with an apostrophe, which spreadsheets show as plain text (OWASP's
advice on CSV injection).
"""

from __future__ import annotations

import duckdb

from journeymap.connectors.base import quote_identifier

__all__ = ["FORMULA_START", "copy_to_csv", "neutralise"]

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def copy_to_csv(
    con: duckdb.DuckDBPyConnection, table: str, path: str, *, order_by: str = ""
) -> None:
    """Write a table to CSV on the engine, neutralising every text cell."""
    columns = con.execute(f"DESCRIBE {table}").fetchall()
    pattern = "^[=+\\-@\\t\\r]"
    selects = ", ".join(
        (
            f"CASE WHEN regexp_matches({quote_identifier(name)}, '{pattern}') "
            f"THEN '''' || {quote_identifier(name)} ELSE {quote_identifier(name)} END "
            f"AS {quote_identifier(name)}"
        )
        if kind == "VARCHAR"
        else quote_identifier(name)
        for name, kind, *_ in columns
    )
    order = f" ORDER BY {order_by}" if order_by else ""
    con.execute(
        f"COPY (SELECT {selects} FROM {table}{order}) TO $path (HEADER, DELIMITER ',')",
        {"path": str(path)},
    )
