"""Reading a log as the options say: on the engine they choose, with their read options
and mapping."""

from __future__ import annotations

from dataclasses import asdict, fields

from journeymap.engine import connect
from journeymap.errors import ConfigError, MappingError
from journeymap.eventlog import EventLog
from journeymap.options import Options
from journeymap.reader import read_log

__all__ = ["check_read_with", "open_log"]


def open_log(source: str, options: Options) -> EventLog:
    """Read ``source`` with ``options.read`` and ``options.mapping`` on a new engine of
    ``options.engine``, which the log closes when it is closed: the log that
    ``mine(log, options)`` expects (``jm.load_options(path)`` gives the options of a
    config file).

    Raises
    ------
    As :func:`journeymap.read_log` (a missing column that the config file named says
    where it named it), and ConfigError for an unknown engine.
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
    except MappingError as exc:
        engine.close()
        where = options.mapping_origin.get(exc.role or "")
        if where is None:
            raise
        # The column was named in a config file: say which, for the user to mend it there.
        raise MappingError(f"{exc} ({exc.role} is named in {where})", role=exc.role) from exc
    except BaseException:
        engine.close()
        raise
    log.owns_engine = True
    return log


def check_read_with(log: EventLog, options: Options) -> None:
    """Refuse ``options`` whose read settings or mapping the log was not read with:
    :func:`journeymap.mine` uses the rest, and its run record would say they were
    applied. A log not read by :func:`journeymap.read_log` is not checked.

    Raises
    ------
    ConfigError
        Naming the first settings that differ, and how to read the log with them.
    """
    if log.read_with is None:
        return
    read, mapping = log.read_with
    differ = [
        f"[{f.metadata.get('section', 'read')}] {f.name} = {getattr(options.read, f.name)!r} "
        f"(read with {getattr(read, f.name)!r})"
        for f in fields(read)  # None: the default, as read_log takes it
        if getattr(options.read, f.name) not in (None, getattr(read, f.name))
    ]
    differ += [
        f"[mapping] {role} = {options.mapping.get(role)!r} (read with {mapping.get(role)!r})"
        for role in sorted(set(options.mapping) | set(mapping))
        if options.mapping.get(role) != mapping.get(role)
    ]
    if differ:
        shown = "; ".join(differ[:3]) + (f" and {len(differ) - 3} more" if len(differ) > 3 else "")
        raise ConfigError(
            f"{log.source}: the options hold read settings or a mapping the log was not read "
            f"with ({shown}): read it with them, jm.open_log(path, options), or give the "
            "same to jm.read_log"
        )
