"""What the commands share: error handling, the options of a log, and progress.

:func:`handle_errors` turns library errors into one ``Error: ...`` line (exit 1 for bad
data, 2 for bad usage, 130 when interrupted); :func:`log_options` offers the options of
reading a log; :func:`options_from` builds the run's options from the config file and
the command line; :func:`progress_lines` and :class:`BatchDisplay` show progress.
"""

from __future__ import annotations

import errno
import functools
import gc
import os
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import click

from journeymap import errors
from journeymap.engine import ENGINES
from journeymap.errors import as_flags
from journeymap.interrupts import note, noted
from journeymap.mapping import ROLES
from journeymap.options import Options
from journeymap.options_file import load_options
from journeymap.read_options import ReadOptions

__all__ = [
    "handle_errors",
    "log_options",
    "options_from",
    "progress_lines",
    "read_options",
    "stop_run",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Library errors that mean "what you typed is wrong" (exit 2); the rest are exit 1.
_USAGE_ERRORS = (
    errors.MappingError,
    errors.ConfigError,
    errors.ConnectorNotFoundError,
    errors.SourceNotFoundError,
    errors.OutputError,
)


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn library errors into an ``Error:`` line and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click reports these itself, with its usage line and exit code
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:
            # After Ctrl-C or SIGTERM, whatever error the interrupt caused (an engine's
            # "Query interrupted", a library that wrapped the KeyboardInterrupt) is that
            # interruption, not a fault of its own.
            if noted() or _interrupted(exc):
                _fail("interrupted", 130)
            if isinstance(exc, _USAGE_ERRORS):
                _fail(exc.for_command_line(), 2)
            if isinstance(exc, errors.JourneymapError):
                _fail(exc.for_command_line(), 1)
            if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
                # A path the system refused: too long, not allowed, a full disk.
                name = str(exc.filename)
                name = name if len(name) <= 100 else f"{name[:70]}…{name[-25:]}"
                _fail(f"{name}: {exc.strerror}", 2 if exc.errno == errno.ENAMETOOLONG else 1)
            if os.environ.get("JOURNEYMAP_DEBUG"):
                raise
            _fail(
                f"unexpected {type(exc).__name__}: {exc}. This is a bug in journeymap: "
                "please report it with the command you ran (set JOURNEYMAP_DEBUG=1 "
                "to see the traceback)",
                1,
            )

    return wrapper  # type: ignore[return-value]


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is an interruption: the engines turn Ctrl-C
    into their own error ("Query interrupted", "INTERRUPT Error")."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt) or "Interrupt" in type(seen).__name__:
            return True
        text = str(seen).lower()
        if "query interrupted" in text or text.startswith("interrupt error"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def stop_run(signum: int, frame: object) -> None:
    """SIGINT (Ctrl-C) and SIGTERM stop a run: outputs stay as they were, scratch goes.
    The interrupt is noted, so that one a finaliser swallows still stops the run at its
    next step (:mod:`journeymap.interrupts`)."""
    note()
    raise KeyboardInterrupt


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def read_options(func: F) -> F:
    """The options every command that reads a log shares (without the log argument):
    the config file, roles, parsing and the engine. Each read option of
    :class:`~journeymap.read_options.ReadOptions` is offered from its own definition (name,
    help, metavar)."""
    read_options = [
        click.option(
            _flag(f.name),
            f.name,
            is_flag=f.type in (bool, "bool"),
            default=None,
            type=click.Choice(f.metadata["choices"]) if f.metadata.get("choices") else None,
            metavar=f.metadata.get("metavar") or None,
            help=f.metadata["help"],
        )
        for f in fields(ReadOptions)
    ]
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="TOML file of options (see `journeymap config`); options given here win.",
        ),
        *[
            click.option(
                _flag(role),
                role,
                metavar="COLUMN",
                help=f"Column holding the {role.replace('_', ' ')} "
                + (
                    "(detected if not given)."
                    if role in ROLES[:3]
                    else "(optional; detected if not given, '' for none)."
                ),
            )
            for role in ROLES
        ],
        *read_options,
        click.option(
            "--memory-limit",
            metavar="SIZE",
            help="Memory the engine may use, e.g. 2GB; beyond it, work spills to disk.",
        ),
        click.option(
            "--threads", type=click.IntRange(min=1), help="Worker threads (default: all cores)."
        ),
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            help="Where the analyses run: duckdb (embedded, the default); postgres: "
            "inside the PostgreSQL database the log is read from, without copying it out; "
            "or spark: Apache Spark, here (local[2]) or on a cluster (--spark-master).",
        ),
        click.option(
            "--spark-master",
            metavar="URL",
            help="With --engine spark: local[N] (default local[2]) or a standalone "
            "cluster's spark://HOST:PORT.",
        ),
        click.option(
            "--read-on-cluster",
            is_flag=True,
            default=None,
            help="With --engine spark: Spark reads CSV and Parquet files itself (the path "
            "must be readable by every executor; ISO 8601 timestamps only).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def log_options(func: F) -> F:
    """The log argument and :func:`read_options`."""
    return click.argument("log", metavar="LOG")(read_options(func))


def options_from(
    config_path: str | None,
    given: dict[str, Any],
    *,
    source: str | Path | None = None,
    **sections: Any,
) -> Options:
    """The run's options: the config file's (with the settings of its first
    ``[[files]]`` pattern that matches ``source``), the command line's over them."""
    lists = {f.name for f in fields(ReadOptions) if str(f.type).startswith("tuple")}
    read = {k: v for k, v in given.items() if k in {f.name for f in fields(ReadOptions)}}
    for name in lists & set(read):  # comma-separated on the command line
        if read[name] is not None:
            read[name] = tuple(v.strip() for v in read[name].split(",") if v.strip())
    options = load_options(config_path)
    if source is not None:
        options = options.for_source(source)
    return options.replace(
        read=read,
        mapping={k: v for k, v in given.items() if k in ROLES},
        engine={
            "memory_limit": given.get("memory_limit"),
            "threads": given.get("threads"),
            "name": given.get("engine"),
            "master": given.get("spark_master"),
            "read_on_cluster": given.get("read_on_cluster"),
        },
        **sections,
    )


#: Python's collection thresholds, for a run once its modules are imported.
_COLLECT = gc.get_threshold()


def importing() -> None:
    """Collect garbage seldom while the modules import: pandas, Ibis and the analyses
    make some hundreds of thousands of objects that last, and no garbage."""
    gc.set_threshold(10_000, *_COLLECT[1:])


def imported() -> None:
    """After :func:`importing` (the console script, not a program that runs the
    commands in its own process): what the imports made is kept out of every later
    collection (``gc.freeze``), and garbage is collected as usual from now on. On the
    1M-event bench log and the sample, ``mine`` took 0.15 and 0.14 s less
    (docs/benchmarks.md, twenty-seventh round)."""
    if gc.get_threshold() == _COLLECT:
        return
    gc.freeze()
    gc.set_threshold(*_COLLECT)


def scan_ahead(source: str, options: Options) -> None:
    """Start the record scan of a delimited-text log (a .csv, .tsv or .txt file) in a
    child process, to run on another core while the command imports the rest of
    journeymap (:mod:`journeymap.connectors.csv_prescan`); the reading takes it where it
    would have scanned. Nothing on a machine of one core, for other sources, or when
    Spark reads the file itself."""
    read = options.read
    if (os.cpu_count() or 1) < 2 or "://" in source or options.engine.read_on_cluster:
        return
    if read.connector not in (None, "csv") or (
        read.connector is None and not source.lower().endswith((".csv", ".tsv", ".txt"))
    ):
        return
    from journeymap.connectors.csv import plain_scan
    from journeymap.connectors.csv_prescan import fork_scan
    from journeymap.connectors.csv_records import scan_records

    def scan() -> Any:
        found = plain_scan(source, read)
        if found is None:
            return None
        path, sep, encoding = found
        return found, scan_records(path, sep, path.name, encoding=encoding)

    fork_scan(scan)


def progress_lines() -> Callable[[str], None]:
    """Progress lines on a terminal; nothing when stderr is a pipe or file."""
    if not sys.stderr.isatty():
        return lambda message: None
    return lambda message: click.echo(f"journeymap: {as_flags(message)}", err=True)
