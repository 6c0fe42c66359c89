"""Reading a log as the options say: on the engine they choose, with their read options
and mapping."""

from __future__ import annotations

from dataclasses import asdict

from journeymap.engine import connect
from journeymap.eventlog import EventLog, read_log
from journeymap.options import Options

__all__ = ["open_log"]


def open_log(source: str, options: Options) -> EventLog:
    """Read ``source`` with ``options.read`` and ``options.mapping`` on a new engine of
    ``options.engine``, which the log closes when it is closed.

    Raises
    ------
    As :func:`journeymap.read_log`, and ConfigError for an unknown engine.
    """
    chosen = options.engine
    engine = connect(
        chosen.name,
        threads=chosen.threads,
        memory_limit=chosen.memory_limit,
        temp_directory=chosen.temp_directory,
        url=source if chosen.name == "postgres" else None,
        master=chosen.master,
        read_on_cluster=chosen.read_on_cluster,
    )
    try:
        log = read_log(source, engine=engine, **asdict(options.read), **options.mapping)
    except BaseException:
        engine.close()
        raise
    log.owns_engine = True
    return log
