"""Engines: where the events live and the per-event work runs (see
:mod:`journeymap.engine.base`). DuckDB is the default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.errors import ConfigError, option
from journeymap.facade import lazy_members

if TYPE_CHECKING:
    from journeymap.engine.base import Engine, EngineSettings, EngineTable, Ingested

# Imported when first used: the command line names the engines without loading them.
__getattr__, __dir__ = lazy_members(
    __name__, globals(), dict.fromkeys(("Engine", "EngineSettings", "EngineTable", "Ingested"),
                                       "journeymap.engine.base"),
)  # fmt: skip

__all__ = ["ENGINES", "Engine", "EngineSettings", "EngineTable", "Ingested", "connect"]

#: The engines :func:`connect` opens, by name.
ENGINES = ("duckdb", "postgres")


def connect(
    engine: str = "duckdb",
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | None = None,
    url: str | None = None,
) -> Engine:
    """Open an engine. Close it when done (or use it as a context manager).

    Parameters
    ----------
    engine : "duckdb" (embedded, the default), or "postgres": the analyses run inside
        the PostgreSQL database ``url`` (see :mod:`journeymap.engine.postgres_engine`).
    memory_limit : such as ``"2GB"``; default: the ``JOURNEYMAP_MEMORY_LIMIT``
        environment variable, else the engine's default (DuckDB: 80% of RAM). Beyond it,
        work spills to disk.
    threads : worker threads; default: all cores.
    temp_directory : where work spills; default: the engine's own choice.
    url : the database of the postgres engine (``postgresql://user@host/db``).

    Raises
    ------
    ConfigError
        For an unknown engine name.

    Examples
    --------
    >>> with connect(memory_limit="256MB") as engine:
    ...     engine.name
    'duckdb'
    """
    from journeymap.engine.base import EngineSettings

    settings = EngineSettings(
        threads=threads, memory_limit=memory_limit, temp_directory=temp_directory
    )
    if engine == "duckdb":
        from journeymap.engine.duckdb_engine import DuckDBEngine

        return DuckDBEngine(settings)
    if engine == "postgres":
        if not url or "://" not in url:
            raise ConfigError(
                f"{option('engine', 'postgres')} runs the analyses inside the PostgreSQL "
                "database the log is read from: give a postgresql:// URL as the log"
            )
        from journeymap.engine.postgres_engine import PostgresEngine

        return PostgresEngine(url, settings)
    raise ConfigError(
        f"unknown engine {engine!r}; the engines are: {', '.join(ENGINES)} "
        f"(choose one with {option('engine')})"
    )
