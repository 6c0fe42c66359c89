"""The journeymap exception hierarchy.

Every error the library raises on purpose is a :class:`JourneymapError`. Each class
also inherits the matching built-in exception, so callers that already catch
``ValueError`` or ``FileNotFoundError`` keep working. Messages say what is wrong,
what exists, and what to do.

A message that tells the user to set an option names it with :func:`option`, so that
each front end says it in its own words: the library as a keyword argument
(``encoding='latin-1'``), the command line as a flag (``--encoding latin-1``). The
library never names a command-line flag itself.
"""

from __future__ import annotations

import re
import shlex

__all__ = [
    "ConfigError",
    "ConnectorNotFoundError",
    "EmptyLogError",
    "EngineError",
    "JourneymapError",
    "MappingError",
    "MissingDependencyError",
    "ModelError",
    "OutputError",
    "RejectedRowsError",
    "RenderError",
    "SourceError",
    "SourceNotFoundError",
    "as_flags",
    "as_keywords",
    "expect",
    "ocel1_advice",
    "option",
]

# An option named in a message: \x1e name \x1f value \x1e (value empty for a flag alone).
_MARK = re.compile("\x1e([a-z_]+)\x1f([^\x1e]*)\x1e")


def expect(value: object, kind: type | tuple[type, ...], what: str, hint: str = "") -> None:
    """Raise :class:`TypeError` naming ``what`` when ``value`` is not of ``kind``: a
    library call given the wrong thing says which argument and what to give, rather than
    failing deep inside with another object's missing attribute.

    Examples
    --------
    >>> expect("log.csv", int, "mine()'s log", "read it with jm.read_log(path)")
    Traceback (most recent call last):
    TypeError: mine()'s log must be int, not str: read it with jm.read_log(path)
    """
    if isinstance(value, kind):
        return
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = " or ".join(k.__name__ for k in kinds)
    raise TypeError(
        f"{what} must be {names}, not {type(value).__name__}{': ' + hint if hint else ''}"
    )


def ocel1_advice() -> str:
    """What to do with an OCEL 1.0 log (JSON, XML or pm4py's CSV), which journeymap does
    not read: said the same wherever one is found."""
    return (
        "journeymap reads OCEL 2.0: convert it with pm4py, "
        "pm4py.write_ocel2(pm4py.read_ocel(path), 'log.jsonocel'), and read that file "
        f"({option('object_type', 'TYPE')} chooses the objects that are the cases)"
    )


def option(name: str, value: str | bool | None = None) -> str:
    """Name an option in a message (``name`` as the library spells it: ``encoding``,
    ``timestamp_format``, ``team``), with the value to give, if any (``True`` for a
    switch such as ``strict``).

    Examples
    --------
    >>> message = f"try {option('encoding', 'latin-1')}"
    >>> as_keywords(message), as_flags(message)
    ("try encoding='latin-1'", 'try --encoding latin-1')
    >>> as_flags(f"give {option('strict', True)}"), as_keywords(f"give {option('strict', True)}")
    ('give --strict', 'give strict=True')
    >>> as_flags(f"give {option('table')}"), as_keywords(f"give {option('table')}")
    ('give --table', 'give table')
    """
    shown = "\x1d" if value is True else "" if value is None or value is False else value
    return f"\x1e{name}\x1f{shown}\x1e"


def as_keywords(message: str) -> str:
    """A message with its options written as keyword arguments (``sep=';'``)."""

    def keyword(m: re.Match[str]) -> str:
        name, value = m.group(1), m.group(2)
        if value == "\x1d":
            return f"{name}=True"
        return f"{name}={value!r}" if value else name

    return _MARK.sub(keyword, message)


def as_flags(message: str) -> str:
    """A message with its options written as command-line flags (``--sep ';'``)."""

    def flag(m: re.Match[str]) -> str:
        name = "--" + m.group(1).replace("_", "-")
        value = m.group(2)
        if not value or value == "\x1d":
            return name
        shown = "'\\t'" if value == "\t" else shlex.quote(value)
        return f"{name} {shown}"

    return _MARK.sub(flag, message)


class JourneymapError(Exception):
    """Base class of every error journeymap raises on purpose.

    ``str(error)`` names options as keyword arguments; :meth:`for_command_line` as flags.
    """

    def __str__(self) -> str:
        return as_keywords(super().__str__())

    def for_command_line(self) -> str:
        """The message with options written as command-line flags."""
        return as_flags(super().__str__())


class SourceNotFoundError(JourneymapError, FileNotFoundError):
    """The file or table to read does not exist."""


class SourceError(JourneymapError, ValueError):
    """The source exists but cannot be read as an event log (format, encoding, damage)."""


class EmptyLogError(SourceError):
    """The source holds no rows (an empty file, or a header with no data)."""


class MappingError(JourneymapError, ValueError):
    """A role is mapped to a column that does not exist, or cannot be detected.

    ``role`` is the role whose given column does not exist, when that is the error.
    """

    def __init__(self, message: str, *, role: str | None = None) -> None:
        super().__init__(message)
        self.role = role


class ConfigError(JourneymapError, ValueError):
    """The TOML configuration file has an unknown key, a wrong type or a bad value.

    ``key`` is where in the file, when known: the path through its tables to the key or
    table at fault (``("map", "lanes")``, ``("files", 0, "mapping")``; a number is a
    ``[[files]]`` table's place, from 0), which ``config check`` leaves out to look for
    more problems.
    """

    def __init__(self, message: str, *, key: tuple[str | int, ...] | None = None) -> None:
        super().__init__(message)
        self.key = key


class ConnectorNotFoundError(JourneymapError, LookupError):
    """No connector is registered for the source's suffix, scheme or name."""


class MissingDependencyError(JourneymapError, ImportError):
    """An optional dependency of a connector is not installed."""


class EngineError(JourneymapError, RuntimeError):
    """The engine cannot start or cannot run the work (Spark or its Java runtime is
    missing or fails, a cluster cannot be reached)."""


class RejectedRowsError(JourneymapError, ValueError):
    """Rows were rejected while ``strict=True`` was asked for."""


class RenderError(JourneymapError, RuntimeError):
    """Graphviz failed to draw a picture (an error from ``dot``, or a time-out)."""


class ModelError(JourneymapError, ValueError):
    """The graph given cannot be mined, or the model cannot be written as asked."""


class OutputError(JourneymapError, OSError):
    """The results cannot be written where asked (a read-only folder, the input file,
    a path outside the output folder)."""
