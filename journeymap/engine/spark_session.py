"""Starting, sharing and stopping the Spark session of the Spark engine, and turning
Spark's errors into journeymap's.

A Spark driver is a Java process (tens of seconds to start), so journeymap starts at
most one per Python process and shares it between the Spark engines that ask for the
same master; it is stopped when the last of them closes. A session that the caller
made (``connect("spark", session=spark)``, as on Databricks) is used as it is and never
stopped. The Java process's own output (its log) goes to a file in the session's
scratch folder, not to the terminal: the library never prints.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeymap.connectors.base import first_line
from journeymap.engine import memory_limit
from journeymap.engine.base import EngineSettings
from journeymap.errors import ConfigError, EngineError, MissingDependencyError, option

__all__ = [
    "DEFAULT_MASTER",
    "SharedSession",
    "check_master",
    "check_pyspark",
    "quiet_python_logs",
    "reach_master",
    "release",
    "session_for",
    "spark_errors",
    "spark_memory",
]

#: The master used when none is given: Spark inside this process, on two cores.
DEFAULT_MASTER = "local[2]"
_INSTALL = "pip install 'journeymap[spark]'"
_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.file.ref = jvm
appender.jvm.type = Console
appender.jvm.name = jvm
appender.jvm.target = SYSTEM_ERR
appender.jvm.layout.type = PatternLayout
appender.jvm.layout.pattern = %d{HH:mm:ss} %p %c: %m%n
"""
_lock = threading.Lock()


@dataclass
class SharedSession:
    """A Spark session journeymap started, the engines that use it, and its scratch
    folder (the Java process's log, Spark's spill files, staged tables)."""

    session: Any
    master: str
    scratch: Path
    users: int = 0
    log: Any = field(default=None, repr=False)


_current: SharedSession | None = None


def check_pyspark() -> None:
    """Raise :class:`MissingDependencyError` when PySpark (or Ibis's PySpark backend)
    is not installed, and :class:`EngineError` when no Java runtime is found."""
    try:
        import ibis.backends.pyspark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            f"the spark engine needs PySpark ({exc.name or exc}); install it with: {_INSTALL}"
        ) from exc
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and not shutil.which("java"):
        raise EngineError(
            "the spark engine needs a Java runtime (17 or newer) and none was found; install "
            "one (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        )


def quiet_python_logs() -> None:
    """Silence PySpark's own Python loggers, which print every failed query's Java stack
    trace to stderr (the library never prints; the error itself says what failed)."""
    import logging

    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def spark_memory(size: str) -> str:
    """A memory size as DuckDB and journeymap take it (``"2GB"``, ``"512 MiB"``) in
    Spark's notation (``"2g"``, ``"512m"``).

    Raises
    ------
    ConfigError
        For a size that is not a number and a unit.

    Examples
    --------
    >>> spark_memory("2GB"), spark_memory("512 MiB"), spark_memory("1.5g")
    ('2g', '512m', '1536m')
    """
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt])(?:i?b)?\s*", size, re.IGNORECASE)
    if not found:
        raise ConfigError(
            f"memory_limit {size!r} is not a size for Spark; give a number and a unit, "
            f"such as {option('memory_limit', '2GB')}"
        )
    number, unit = float(found.group(1)), found.group(2).lower()
    if number != int(number):  # Spark takes whole numbers: one unit down
        units = "kmgt"
        if unit == "k":
            return f"{max(1, round(number))}k"
        number, unit = number * 1024, units[units.index(unit) - 1]
    return f"{int(number)}{unit}"


_MASTER = re.compile(
    r"local(\[(\d+|\*)(,\d+)?\])?"  # in this process
    r"|spark://[^\s/:,]+:\d+(,[^\s/:,]+:\d+)*"  # standalone, with standby masters
    r"|yarn|k8s://\S+"
)


def check_master(master: str) -> None:
    """Raise :class:`ConfigError` for a master URL Spark does not take, before any Java
    process starts.

    Examples
    --------
    >>> check_master("spark://127.0.0.1:7077"), check_master("local[4]")
    (None, None)
    >>> try:
    ...     check_master("spark://head")
    ... except ConfigError as exc:
    ...     print(str(exc).split(";")[0])
    'spark://head' is not a Spark master URL
    """
    if not _MASTER.fullmatch(master):
        raise ConfigError(
            f"{master!r} is not a Spark master URL; give local[N] or a cluster's "
            "spark://HOST:PORT (--spark-master, or master in [engine])"
        )


#: How long to wait for a standalone master to accept a connection.
REACH_SECONDS = 5.0


def reach_master(master: str, timeout: float = REACH_SECONDS) -> None:
    """Raise :class:`EngineError` when no master of a ``spark://`` URL accepts a
    connection, before any Java process starts: Spark itself retries an unreachable
    master for about a minute before it gives up. Other masters are not checked.

    Examples
    --------
    >>> import socket
    >>> with socket.socket() as free:
    ...     free.bind(("127.0.0.1", 0))
    ...     port = free.getsockname()[1]
    >>> try:
    ...     reach_master(f"spark://127.0.0.1:{port}")
    ... except EngineError as exc:
    ...     print(str(exc).split(" (")[0])
    cannot reach the Spark master at 127.0.0.1:...
    """
    if not master.startswith("spark://"):
        return
    why = ""
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=timeout).close()
            return
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
    raise EngineError(
        f"cannot reach the Spark master at {master.removeprefix('spark://')} ({why}); "
        "check that the master is running and that --spark-master (or master in "
        "[engine]) gives its host and port"
    )


def _is_local(master: str) -> bool:
    """Whether the master runs the work on this machine (then the driver binds to
    loopback: nothing needs to reach it from outside)."""
    host = re.sub(r"^spark://", "", master).split(":")[0]
    return master.startswith("local") or host in ("127.0.0.1", "localhost")


def _conf(master: str, settings: EngineSettings, scratch: Path) -> dict[str, str]:
    """The Spark settings of a session journeymap starts."""
    props = scratch / "log4j2.properties"
    props.write_text(_LOG4J, encoding="utf-8")
    java = f"-Duser.timezone=UTC -Dlog4j.configurationFile=file:{props}"
    conf = {
        "spark.app.name": "journeymap",
        "spark.master": master,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Timestamps are instants shown and truncated in UTC, as on DuckDB.
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": java,
        "spark.executor.extraJavaOptions": java,
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        "spark.local.dir": str(settings.temp_directory or scratch / "local"),
    }
    if _is_local(master):
        conf["spark.driver.host"] = "127.0.0.1"
        conf["spark.driver.bindAddress"] = "127.0.0.1"
    memory = memory_limit(settings.memory_limit)
    if memory:
        # In local mode the driver does the work; on a cluster the executors do.
        key = "spark.driver.memory" if master.startswith("local") else "spark.executor.memory"
        conf[key] = spark_memory(memory)
    if master.startswith("local"):
        cores = settings.threads or _local_cores(master)
        conf["spark.sql.shuffle.partitions"] = str(max(2, 2 * cores))
    elif settings.threads:
        # On a cluster: at most this many cores, and as many shuffle partitions as
        # suit them (Spark's default, 200, makes every small query 200 tasks).
        conf["spark.cores.max"] = str(settings.threads)
        conf["spark.sql.shuffle.partitions"] = str(2 * settings.threads)
    return conf


def _local_cores(master: str) -> int:
    found = re.fullmatch(r"local\[(\d+)(?:,\d+)?\]", master)
    return int(found.group(1)) if found else os.cpu_count() or 2


def _start(master: str, settings: EngineSettings) -> SharedSession:
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    base = settings.temp_directory or None
    scratch = Path(tempfile.mkdtemp(prefix="journeymap-spark-", dir=base))
    conf = SparkConf(loadDefaults=False)
    for key, value in _conf(master, settings, scratch).items():
        conf.set(key, value)
    log = (scratch / "spark.log").open("wb")
    try:
        # The Java process writes its log to a file, not to the user's terminal.
        gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
        context = SparkContext(conf=conf, gateway=gateway)
        context.setLogLevel("ERROR")
        session = SparkSession(context)
    except BaseException as exc:
        log.close()
        detail = _last_error(scratch / "spark.log") or first_line(exc)
        shutil.rmtree(scratch, ignore_errors=True)
        raise EngineError(f"cannot start Spark with master {master!r}: {detail}") from exc
    return SharedSession(session=session, master=master, scratch=scratch, log=log)


def _last_error(log: Path) -> str | None:
    """The last error line of the Java process's log, if any."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    found = [line for line in lines if "ERROR" in line or "Exception" in line]
    return found[-1].strip() if found else None


def session_for(master: str | None, settings: EngineSettings) -> SharedSession:
    """The shared session for ``master`` (default :data:`DEFAULT_MASTER`), started on
    first use; each call adds a user, which :func:`release` removes.

    Raises
    ------
    EngineError
        When Spark cannot start, or a session for another master is running.
    """
    global _current
    check_pyspark()
    quiet_python_logs()
    wanted = master or (f"local[{settings.threads}]" if settings.threads else DEFAULT_MASTER)
    check_master(wanted)
    with _lock:
        if _current is None or _current.master != wanted:
            reach_master(wanted)
        if _current is not None and _current.session.sparkContext._jsc is None:
            _current = None  # stopped behind our back
        if _current is None:
            from pyspark import SparkContext

            if SparkContext._active_spark_context is not None:
                raise EngineError(
                    "a Spark session started elsewhere is running in this process; pass it "
                    "to the engine (connect('spark', session=spark))"
                )
            with spark_errors("starting Spark"):
                _current = _start(wanted, settings)
        elif _current.master != wanted:
            raise EngineError(
                f"a Spark session for master {_current.master!r} is running in this process; "
                f"close its engines before asking for {wanted!r}"
            )
        _current.users += 1
        return _current


def release(shared: SharedSession) -> None:
    """Remove a user of the shared session; stop it when none is left."""
    global _current
    with _lock:
        shared.users -= 1
        if shared.users > 0:
            return
        if _current is shared:
            _current = None
    try:
        shared.session.stop()
    finally:
        if shared.log is not None:
            shared.log.close()
        shutil.rmtree(shared.scratch, ignore_errors=True)


@contextlib.contextmanager
def spark_errors(doing: str) -> Iterator[None]:
    """Turn an error from Spark or its Java bridge into an :class:`EngineError` with
    one line (Spark's messages carry Java stack traces)."""
    try:
        yield
    except ImportError:
        raise
    except Exception as exc:
        if not _from_spark(exc):
            raise
        raise EngineError(f"Spark failed while {doing}: {_spark_message(exc)}") from exc


def _from_spark(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return module.startswith(("py4j", "pyspark"))


def _spark_message(exc: BaseException) -> str:
    """The first meaningful line of a Spark error, without its error class's
    decoration."""
    text = getattr(exc, "getMessage", None)
    message = str(text() if callable(text) else exc)
    for line in message.splitlines():
        line = line.strip()
        if line and not line.startswith(("An error occurred while calling", "at ", "JVM")):
            return re.sub(r"\s*SQLSTATE: \w+", "", line)
    return type(exc).__name__
