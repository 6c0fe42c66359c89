"""Databases through SQLAlchemy: one table, or the rows of the user's own query.

``--table`` names a table or view, checked against the database's own list and quoted by
SQLAlchemy, so no user text is pasted into SQL. ``--query`` runs the user's query as
given: it is meant to be a ``SELECT``; journeymap never commits (the transaction is
rolled back when the connection closes), and SQLite files are opened read-only.
Rows are streamed in batches into the engine, every value as text (see
:func:`journeymap.connectors.excel.value_text`). Rows are numbered in the order the
database returns them; a table has no order of its own, so give ``--query`` with an
``ORDER BY`` when the order matters.

Passwords: a URL without one takes it from the environment variable
``JOURNEYMAP_DB_PASSWORD`` (PostgreSQL's driver also reads ``PGPASSWORD`` and
``~/.pgpass`` itself). A password is never shown: messages name the database by
:func:`safe_label`, and a driver's message that repeats it has it replaced by ``***``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from journeymap.connectors.base import Connector, RawSource, first_line
from journeymap.connectors.values import text_batch, unique_names, value_text
from journeymap.errors import (
    EmptyLogError,
    MissingDependencyError,
    SourceError,
    SourceNotFoundError,
    option,
)
from journeymap.read_options import ReadOptions

__all__ = ["PASSWORD_VARIABLE", "PostgresConnector", "SqlConnector", "safe_label", "shown_source"]

#: Rows fetched from the database per batch.
BATCH_ROWS = 50_000
#: The environment variable holding the password of a URL that has none.
PASSWORD_VARIABLE = "JOURNEYMAP_DB_PASSWORD"
#: Seconds to wait for a PostgreSQL server to answer before giving up.
CONNECT_TIMEOUT = 30
# The login part of a URL as SQLAlchemy splits it: user, then ':' and a password up to '@'.
_LOGIN = re.compile(r"^(?P<scheme>[\w+]+://)(?P<user>[^:/]*):[^@]*@")
# The package that gives SQLAlchemy a driver for each scheme (its default driver).
_DRIVERS = {
    "postgresql": "psycopg",
    "postgres": "psycopg",
    "mysql": "mysqlclient",
    "mssql": "pyodbc",
    "oracle": "oracledb",
    "duckdb": "duckdb-engine",
}


class SqlConnector(Connector):
    """Read a table or a query's rows from a database URL (``sqlite:///cases.db``)."""

    name = "sql"
    description = "databases through SQLAlchemy URLs (sqlite, mysql, mssql, oracle, duckdb)"
    schemes: ClassVar[tuple[str, ...]] = ("sqlite", "mysql", "mssql", "oracle", "duckdb")
    requires: ClassVar[tuple[str, ...]] = ("sqlalchemy",)
    extra = "sql"

    def read(self, source: str, *, options: ReadOptions) -> RawSource:
        self.check_dependencies()
        given = _with_password(_parse_url(source))
        label = safe_label(given)  # as the user wrote it
        if options.table is not None and options.query is not None:
            raise SourceError(
                f"{label}: give either {option('table')} or {option('query')}, not both"
            )
        # Two tables of one database are two logs: the log's name says which was read.
        part = None if options.table is None else f"table {options.table}"
        raw = RawSource(source=label, part=part if options.query is None else "a query")
        raw.batches = _batches(_postgres_driver(given), options, raw)
        return raw


class PostgresConnector(SqlConnector):
    """Read a table or a query's rows from a PostgreSQL server (``postgresql://...``),
    through psycopg 3, streamed with a server-side cursor."""

    name = "postgres"
    description = "PostgreSQL tables and queries, streamed in batches (psycopg)"
    schemes = ("postgresql", "postgres")
    requires = ("sqlalchemy", "psycopg")


def _batches(url: Any, options: ReadOptions, raw: RawSource) -> Iterator[Any]:
    """The rows of the table or query as batches of text, streamed from the database
    (server-side cursors where the driver has them: memory stays one batch); fills
    ``raw.columns`` and ``raw.notes``. No message ever holds the password."""
    import sqlalchemy as sa

    label = raw.source
    engine = _engine(url, label)
    try:
        with engine.connect() as connection:
            # no_parameters: the query goes to the driver without a parameter list, so a
            # psycopg query keeps its % signs (LIKE '%bin%') as written.
            streamed = connection.execution_options(
                stream_results=True, yield_per=BATCH_ROWS, no_parameters=True
            )
            if options.query is not None:
                what = "the query"
                # Passed to the driver untouched (text() would read ':name' as a parameter).
                result = streamed.exec_driver_sql(options.query)
            else:
                schema, table_name = _find_table(sa.inspect(connection), options.table, label)
                what = f"table {table_name!r}"
                # SQLAlchemy quotes the (checked) name; no user text is pasted into SQL.
                statement: Any = sa.select(sa.literal_column("*")).select_from(
                    sa.table(table_name, schema=schema)
                )
                result = streamed.execute(statement)
            if not result.returns_rows:
                raise SourceError(f"{label}: the query returns no rows; give a SELECT query")
            # A Result iterates over its rows: keys() gives the column names.
            columns, notes = unique_names([str(k) for k in result.keys()])  # noqa: SIM118
            written = 0
            while rows := result.fetchmany(BATCH_ROWS):
                yield text_batch(columns, [[value_text(v) for v in row] for row in rows])
                written += len(rows)
            if written == 0:
                raise EmptyLogError(f"{label}: {what} holds no rows")
            raw.columns = columns
            raw.notes.extend(n.replace("in the header", "in the result") for n in notes)
    except sa.exc.DBAPIError as exc:
        said = _without_password(first_line(exc.orig or exc), url)
        raise SourceError(
            f"{label}: the database refused: {said}; check the URL, the table name or the query"
        ) from exc
    except sa.exc.SQLAlchemyError as exc:
        raise SourceError(f"{label}: {_without_password(first_line(exc), url)}") from exc
    finally:
        engine.dispose()


def safe_label(url: Any) -> str:
    """How to name a database in messages: never with its password or query options.

    Examples
    --------
    >>> from sqlalchemy.engine import make_url
    >>> safe_label(make_url("postgresql://bob:s3cret@db.example.com/cases?sslkey=k"))
    'postgresql://bob:***@db.example.com/cases'
    >>> safe_label(make_url("sqlite:////data/exports/cases.db"))
    'cases.db'
    """
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:"):
            return "SQLite in-memory database"
        return Path(database.removeprefix("file:")).name
    return str(url.set(query={}).render_as_string(hide_password=True))


def shown_source(source: str) -> str:
    """A source as it may be shown: a URL without its password and query options.

    For progress lines, before the URL is parsed; a file path is shown as given.

    Examples
    --------
    >>> shown_source("postgresql+psycopg://bob:s3:cr/et@db:5432/crm?sslkey=k")
    'postgresql+psycopg://bob:***@db:5432/crm'
    >>> shown_source("exports/cases.csv")
    'exports/cases.csv'
    """
    if "://" not in source:
        return source
    return _LOGIN.sub(r"\g<scheme>\g<user>:***@", source).split("?", 1)[0]


def _postgres_driver(url: Any) -> Any:
    """``postgres://`` (an old spelling SQLAlchemy dropped) and a bare ``postgresql://``
    read through psycopg 3, the driver the ``sql`` extra installs (SQLAlchemy 2.0's own
    default is psycopg2)."""
    dialect, plus, driver = url.drivername.partition("+")
    if dialect not in ("postgres", "postgresql"):
        return url
    if not plus and importlib.util.find_spec("psycopg") is not None:
        driver = "psycopg"
    return url.set(drivername="postgresql" + (f"+{driver}" if driver else ""))


def _with_password(url: Any) -> Any:
    """The URL with the password from :data:`PASSWORD_VARIABLE` when it has none."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if url.password is None and password and url.get_backend_name() != "sqlite":
        return url.set(password=password)
    return url


def _without_password(message: str, url: Any) -> str:
    """A driver's message with the URL's password (as typed or %-encoded) replaced."""
    from urllib.parse import quote, quote_plus

    password = url.password
    if not password:
        return message
    for spelling in {str(password), quote(str(password), safe=""), quote_plus(str(password))}:
        message = message.replace(spelling, "***")
    return message


def _parse_url(source: str) -> Any:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(source)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        scheme = source.split("://", 1)[0]
        # The URL itself is not shown: it may hold a password.
        raise SourceError(
            f"a {scheme}:// URL that cannot be read; write it as "
            "dialect://user:password@host:port/database (or sqlite:///path/to/file.db)"
        ) from exc


def _engine(url: Any, label: str) -> Any:
    """An SQLAlchemy engine; SQLite files are checked to exist and opened read-only."""
    import sqlalchemy as sa

    backend = url.get_backend_name()
    database = url.database or ""
    if (
        backend == "sqlite"
        and database not in ("", ":memory:")
        and not database.startswith("file:")
    ):
        path = Path(database).expanduser()
        # SQLAlchemy would create a missing file and then report no tables.
        if not path.is_file():
            raise SourceNotFoundError(
                f"{database}: no such SQLite database file; give its path as "
                "sqlite:///relative/path.db or sqlite:////absolute/path.db"
            )
        if url.get_driver_name() == "pysqlite" and not url.query:
            uri = path.resolve().as_uri() + "?mode=ro"
            return sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    connect_args = {}
    if backend == "postgresql" and "connect_timeout" not in url.query:
        # libpq waits for an unreachable host as long as the operating system does.
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    try:
        return sa.create_engine(url, connect_args=connect_args)
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        package = _DRIVERS.get(backend, f"a driver for {backend}")
        raise MissingDependencyError(
            f"{label}: SQLAlchemy cannot talk to {backend} databases here "
            f"({_without_password(str(exc), url)}); install the driver: pip install {package}"
        ) from exc


def _find_table(inspector: Any, wanted: str | None, label: str) -> tuple[str | None, str]:
    """The (schema, name) of the table or view ``wanted``, checked to exist."""
    names = sorted({*inspector.get_table_names(), *inspector.get_view_names()})
    shown = ", ".join(repr(n) for n in names[:30]) or "none"
    if len(names) > 30:
        shown += f" and {len(names) - 30} more"
    if wanted is None:
        raise SourceError(
            f"{label}: say what to read: give {option('table', 'NAME')} (the tables are: "
            f"{shown}) or {option('query', 'SELECT ...')}"
        )
    if wanted in names:
        return None, wanted
    folded = [n for n in names if n.lower() == wanted.lower()]
    if len(folded) == 1:
        return None, folded[0]
    schema, dot, name = wanted.partition(".")
    if dot and schema in inspector.get_schema_names():
        in_schema = {*inspector.get_table_names(schema), *inspector.get_view_names(schema)}
        if name in in_schema:
            return schema, name
    raise SourceError(
        f"{label}: has no table {wanted!r}; the tables are: {shown}. Give {option('table')} "
        f"with one of them, or {option('query', 'SELECT ...')}"
    )
