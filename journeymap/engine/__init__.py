"""Engines: where the events live and the per-event work runs (see
:mod:`journeymap.engine.base`). DuckDB is the default; PostgreSQL runs the work inside
the database a log is read from (:mod:`journeymap.engine.postgres_engine`), Spark on a
cluster or in this process (:mod:`journeymap.engine.spark_engine`).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from journeymap.engine.ibis_compilers import load_on_demand
from journeymap.errors import ConfigError, option
from journeymap.facade import lazy_members

load_on_demand()  # of Ibis's twenty SQL compilers, a run imports the one it uses

if TYPE_CHECKING:
    from journeymap.engine.base import Engine, EngineSettings, EngineTable, Ingested

# Imported when first used: the command line names the engines without loading them.
__getattr__, __dir__ = lazy_members(
    __name__, globals(), dict.fromkeys(("Engine", "EngineSettings", "EngineTable", "Ingested"),
                                       "journeymap.engine.base"),
)  # fmt: skip

__all__ = [
    "ENGINES",
    "MIN_MEMORY",
    "Engine",
    "EngineSettings",
    "EngineTable",
    "Ingested",
    "check_memory_limit",
    "connect",
    "memory_limit",
]

#: The engines :func:`connect` opens, by name.
ENGINES = ("duckdb", "postgres", "spark")

#: A memory size as the engines read it (``2GB``, ``512MiB``, ``1.5 GB``), and the least
#: that a run needs (what a batch gives each job at least).
_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}  # fmt: skip
MIN_MEMORY = 64 * 10**6  # 64MB, as the engines read "MB" (a batch job gets 64MiB at least)


def memory_limit(given: str | None) -> str | None:
    """The memory limit an engine takes: ``given``, else the ``JOURNEYMAP_MEMORY_LIMIT``
    environment variable, else None; checked by :func:`check_memory_limit`, naming the
    variable when it is the one at fault."""
    if given:
        return check_memory_limit(given)
    found = os.environ.get("JOURNEYMAP_MEMORY_LIMIT")
    return check_memory_limit(found, "JOURNEYMAP_MEMORY_LIMIT") if found else None


def check_memory_limit(value: str, given: str | None = None) -> str:
    """Return ``value`` if it is a memory size of at least 64 MiB; ``given`` names where
    it was given when not as the option (an environment variable).

    Raises
    ------
    ConfigError
        Naming the value and what to give.

    Examples
    --------
    >>> check_memory_limit("2GB")
    '2GB'
    >>> check_memory_limit("lots", "JOURNEYMAP_MEMORY_LIMIT")
    Traceback (most recent call last):
    journeymap.errors.ConfigError: JOURNEYMAP_MEMORY_LIMIT='lots': not a memory size; give one such as 2GB or 512MB
    """  # noqa: E501
    shown = f"{given}={value!r}" if given else option("memory_limit", str(value))
    found = _MEMORY.fullmatch(str(value))
    if found is None:
        raise ConfigError(f"{shown}: not a memory size; give one such as 2GB or 512MB")
    if float(found.group(1)) * _UNITS[found.group(2).lower()] < MIN_MEMORY:
        raise ConfigError(f"{shown}: too little for the engine; give at least 64MB")
    return value


def connect(
    engine: str = "duckdb",
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | None = None,
    url: str | None = None,
    master: str | None = None,
    session: Any = None,
    read_on_cluster: bool = False,
) -> Engine:
    """Open an engine. Close it when done (or use it as a context manager).

    Parameters
    ----------
    engine : "duckdb" (embedded, the default); "postgres": the analyses run inside
        the PostgreSQL database ``url`` (see :mod:`journeymap.engine.postgres_engine`);
        or "spark": Apache Spark, in this process or on a cluster (needs
        ``pip install 'journeymap[spark]'`` and Java 17 or newer; see
        :mod:`journeymap.engine.spark_engine`).
    memory_limit : such as ``"2GB"``; default: the ``JOURNEYMAP_MEMORY_LIMIT``
        environment variable, else the engine's default (DuckDB: 80% of RAM; Spark: its
        driver's, or on a cluster each executor's, memory). Beyond it, work spills to
        disk.
    threads : worker threads; default: all cores (Spark: ``local[2]``, or on a cluster
        the cores the cluster gives).
    temp_directory : where work spills; default: the engine's own choice.
    url : the database of the postgres engine (``postgresql://user@host/db``).
    master : Spark only: ``local[N]`` or a standalone cluster's ``spark://host:port``.
    session : Spark only: a running SparkSession to use (as on Databricks); the
        engine never stops it.
    read_on_cluster : Spark only: Spark reads CSV and Parquet files itself (the path
        must be readable by every executor) instead of the driver typing them.

    Raises
    ------
    ConfigError
        For an unknown engine name, or Spark settings given to another engine.
    MissingDependencyError
        For Spark, when PySpark is not installed.
    EngineError
        When Spark cannot start (no Java, an unreachable master).

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
    if engine != "spark" and (master is not None or session is not None or read_on_cluster):
        raise ConfigError(
            "a Spark master, session or read_on_cluster is a setting of the spark "
            f"engine; choose it with {option('engine', 'spark')}"
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
    if engine == "spark":
        from journeymap.engine.spark_engine import SparkEngine

        return SparkEngine(
            settings, master=master, session=session, read_on_cluster=read_on_cluster
        )
    raise ConfigError(
        f"unknown engine {engine!r}; the engines are: {', '.join(ENGINES)} "
        f"(choose one with {option('engine')})"
    )
