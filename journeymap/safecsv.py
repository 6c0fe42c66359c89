"""CSV output that spreadsheets cannot execute.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel and LibreOffice as a formula. Log-derived text in exported CSV files is
therefore prefixed with an apostrophe, which spreadsheets show as plain text (OWASP's
advice on CSV injection).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from journeymap.connectors.base import quote_identifier

__all__ = ["FORMULA_START", "copy_to_csv", "neutralise", "write_table"]

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


def write_table(frame: pd.DataFrame, path: str | Path, *, decimals: int = 3) -> Path:
    """Write a small result table as CSV: text neutralised, floats with fixed decimals.

    The same table always gives the same bytes: floats are rounded to ``decimals``
    places (NaN as an empty cell), line endings are ``\n``, and the frame is not
    modified.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_table(pd.DataFrame({"a": ["=1+1", "x"], "w": [1 / 3, None]}),
    ...                     Path(d) / "t.csv")
    ...     print(p.read_text(), end="")
    a,w
    '=1+1,0.333
    x,
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            # ISO 8601 in UTC, as in summary.json; fractions of a second only when present.
            text = values.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
            stamps = text.str.replace(r"\.?0+$", "", regex=True) + "Z"
            out[column] = stamps.astype(object).where(values.notna(), None)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            out[column] = values.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(target, index=False, float_format=f"%.{decimals}f", lineterminator="\n")
    return target
