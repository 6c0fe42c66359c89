"""The connector contract shared by every source.

A connector turns a source into a *raw table* in the engine's DuckDB connection: every
source column as text (or a type that casts to text without loss), in source order,
plus the column ``__row`` numbering the source records from 1. Rows the reader itself
cannot split into columns go to a rejects table with their line number and reason, so
that nothing is lost before validation.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any, ClassVar

import duckdb

from journeymap.errors import MissingDependencyError
from journeymap.mapping import ReadOptions

__all__ = [
    "REJECTS_SCHEMA",
    "Connector",
    "RawTable",
    "copy_numbered",
    "first_line",
    "first_row",
    "quote_identifier",
    "row_column",
]

#: Name of the column that numbers source records (1 = first data record).
row_column = "__row"

#: Columns of a connector's rejects table (rows the reader could not split).
REJECTS_SCHEMA = {"__row": "BIGINT", "line": "BIGINT", "reason": "VARCHAR"}


def quote_identifier(name: str) -> str:
    """Quote a column or table name for DuckDB SQL (identifiers cannot be parameters).

    Examples
    --------
    >>> print(quote_identifier('say "hi" now'))
    "say ""hi"" now"
    """
    return '"' + name.replace('"', '""') + '"'


def copy_numbered(
    con: duckdb.DuckDBPyConnection,
    table: str,
    query: str,
    params: dict[str, object] | None = None,
) -> tuple[str, ...]:
    """Copy the rows of ``query`` into the engine in their order and show them as the
    view ``table``, with ``__row`` numbering them from 1. Returns the names of the
    tables behind the view (for :attr:`RawTable.backing`).

    The number is the copy's ``rowid`` + 1: DuckDB preserves insertion order, and a
    ``row_number() OVER ()`` window over the scan instead runs on one thread (it made
    reading a CSV twice as slow).

    Examples
    --------
    >>> con = duckdb.connect()
    >>> copy_numbered(con, "t", "SELECT * FROM (VALUES ('a'), ('b')) AS v(x)")
    ('t_data',)
    >>> con.execute("SELECT * FROM t").fetchall()
    [(1, 'a'), (2, 'b')]
    """
    data = f"{table}_data"
    con.execute(f"CREATE TABLE {data} AS {query}", params or {})
    con.execute(f"CREATE VIEW {table} AS SELECT rowid + 1 AS {row_column}, * FROM {data}")
    return (data,)


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


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (drivers add pages of context).

    Examples
    --------
    >>> first_line(ValueError("bad value\\nmore detail"))
    'bad value'
    """
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass
class RawTable:
    """What a connector hands to the event log.

    Attributes
    ----------
    table : name of the DuckDB table or view with ``__row`` and the source columns.
    columns : the source column names in source order (without ``__row``).
    source : how to name the source in messages (a file name, never a password).
    rejects : name of a table with ``REJECTS_SCHEMA`` columns, or ``None``.
    notes : things the reader did that the user should know (renamed headers, ...).
    backing : tables behind a ``table`` that is a view, dropped with it once the event
        log is built.
    """

    table: str
    columns: list[str]
    source: str
    rejects: str | None = None
    notes: list[str] = field(default_factory=list)
    backing: tuple[str, ...] = ()


class Connector:
    """Base class of connectors.

    Subclasses set the class attributes and implement :meth:`read`. Heavy or optional
    dependencies are imported inside :meth:`read`, after :meth:`check_dependencies`, so
    that listing connectors stays cheap.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]] = ()
    schemes: ClassVar[tuple[str, ...]] = ()
    #: Python modules the connector needs beyond journeymap's core dependencies.
    requires: ClassVar[tuple[str, ...]] = ()
    #: The pip extra that installs ``requires``.
    extra: ClassVar[str | None] = None

    @classmethod
    def missing_dependencies(cls) -> list[str]:
        """The modules in ``requires`` that cannot be imported."""
        return [m for m in cls.requires if importlib.util.find_spec(m) is None]

    @classmethod
    def check_dependencies(cls) -> None:
        """Raise :class:`MissingDependencyError` naming the extra to install."""
        missing = cls.missing_dependencies()
        if missing:
            hint = f"pip install 'journeymap[{cls.extra}]'" if cls.extra else "pip install"
            raise MissingDependencyError(
                f"the {cls.name} connector needs {', '.join(missing)}; install it with: {hint}"
            )

    def read(
        self, source: str, *, con: duckdb.DuckDBPyConnection, options: ReadOptions
    ) -> RawTable:
        """Load ``source`` into ``con`` and describe the result."""
        raise NotImplementedError
