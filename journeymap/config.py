"""The TOML configuration file (``--config``): reading it and checking its values.

```toml
[read]
sep = ";"
encoding = "cp1252"
strict = false

[mapping]
case = "SR Number"
activity = "Status"
timestamp = "Change Date+Time"
team = "Assignment group"
timestamp_format = "%d/%m/%Y %H:%M"
timezone = "Europe/London"
```

Which sections and keys exist, and what each means, is defined once, by the options
they set (:mod:`journeymap.options`); this module reads the file and checks a section's
values against the types of those options. Every section and key is checked: an unknown
key or a value of the wrong type is an error naming the key and the file.

``[[files]]`` tables give settings for some files only (one config for every export of
an engagement): a glob ``pattern`` and ``[files.read]`` / ``[files.mapping]`` settings
(:class:`FilePattern`).
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import tomllib
import types
import typing
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeymap.errors import ConfigError

__all__ = [
    "Config",
    "FilePattern",
    "check_files",
    "check_section",
    "has_type",
    "read_toml",
    "suggest",
]


@dataclass(frozen=True)
class Config:
    """A configuration as read: ``{section: {key: value}}`` plus where it came from."""

    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: str | None = None

    def section(self, name: str) -> dict[str, Any]:
        """The keys given in section ``name`` (empty when the section is absent)."""
        return dict(self.sections.get(name, {}))

    @property
    def source(self) -> str:
        """How to name the configuration in messages."""
        return self.path or "configuration"


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file.

    Raises
    ------
    ConfigError
        When the file is missing, cannot be read or is not valid TOML.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{name}: no such configuration file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot be read ({exc})") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from exc


def _type_name(hint: Any) -> str:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin in (tuple, list):
        inner = typing.get_args(hint)[0]
        return "a list of tables" if inner is dict else "a list of strings"
    return {
        str: "a string",
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        dict: "a table",
    }.get(hint, str(hint))


def has_type(value: Any, hint: Any) -> bool:
    """Whether a TOML value fits a type hint (``str``, ``int | None``, ``tuple[str, ...]``,
    ``list[dict]``...). TOML has no null: ``None`` is never given.

    Examples
    --------
    >>> has_type(3, float), has_type(True, int), has_type(["a"], tuple[str, ...])
    (True, False, True)
    """
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(has_type(value, a) for a in typing.get_args(hint) if a is not type(None))
    if origin in (tuple, list):
        inner = typing.get_args(hint)[0]
        return isinstance(value, list) and all(has_type(v, inner) for v in value)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def check_section(
    values: Any,
    section: str,
    hints: MappingABC[str, Any],
    source: str,
    *,
    at: tuple[str | int, ...] | None = None,
) -> dict[str, Any]:
    """Check one section's keys and value types against ``hints`` ({key: type hint});
    return the section with lists of strings as tuples. ``at`` is where the section is
    in the file (:attr:`ConfigError.key`; ``(section,)`` when not given).

    Raises
    ------
    ConfigError
        For a section that is not a table, an unknown key (with the closest known one)
        or a value of the wrong type. The message names the file and the key.
    """
    at = at or (section,)
    if not isinstance(values, dict):
        raise ConfigError(f"{source}: {section} must be a [{section}] table", key=at)
    checked: dict[str, Any] = {}
    for key, value in values.items():
        if key not in hints:
            raise ConfigError(
                f"{source}: unknown key {section}.{key}{suggest(key, hints)}; "
                f"[{section}] takes: {', '.join(hints)}",
                key=(*at, key),
            )
        hint = hints[key]
        if not has_type(value, hint):
            raise ConfigError(
                f"{source}: {section}.{key} must be {_type_name(hint)}, not {value!r}",
                key=(*at, key),
            )
        wants_tuple = typing.get_origin(hint) is tuple or any(
            typing.get_origin(a) is tuple for a in typing.get_args(hint)
        )
        checked[key] = tuple(value) if wants_tuple and isinstance(value, list) else value
    return checked


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice (one that differs only in case
    first), or nothing.

    Examples
    --------
    >>> suggest("tiemzone", ["timezone", "sep"])
    " (did you mean 'timezone'?)"
    >>> suggest("collect", ["Collected", "Collect"])
    " (did you mean 'Collect'?)"
    """
    options = list(choices)
    same = [c for c in options if c.casefold() == word.casefold()]
    close = same or difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class FilePattern:
    """One ``[[files]]`` table: settings for the files whose path matches ``pattern``.

    ``pattern`` is a glob (``*`` any characters, ``/`` included; ``?`` one character;
    ``[abc]`` one of them), matched, case-sensitively, against the file's path relative
    to ``base`` (the config file's folder) written with ``/``, and against its file name
    alone. ``read`` and ``mapping`` hold the checked keys of ``[files.read]`` and
    ``[files.mapping]``; ``demand``, the ``[demand]`` keys for these files: the
    top-level section's with ``[files.demand]``'s over them (empty without one).

    Examples
    --------
    >>> FilePattern("exports/*.xes.gz").matches("/eng/exports/may.xes.gz", base="/eng")
    True
    >>> FilePattern("*.csv").matches("/elsewhere/may.csv", base="/eng")
    True
    >>> FilePattern("2024-*/*.csv").matches("/eng/2025-01/may.csv", base="/eng")
    False
    """

    pattern: str
    read: dict[str, Any] = field(default_factory=dict)
    mapping: dict[str, Any] = field(default_factory=dict)
    demand: dict[str, Any] = field(default_factory=dict)

    def matches(self, path: str | Path, *, base: str | Path) -> bool:
        """Whether ``path`` (relative to the working folder, or absolute) matches."""
        absolute = os.path.abspath(path)
        relative = Path(os.path.relpath(absolute, os.path.abspath(base))).as_posix()
        return fnmatch.fnmatchcase(relative, self.pattern) or fnmatch.fnmatchcase(
            Path(absolute).name, self.pattern
        )


def check_files(
    values: Any, hints: MappingABC[str, MappingABC[str, Any]], source: str
) -> list[dict[str, Any]]:
    """Check the ``[[files]]`` tables: each has a string ``pattern`` and optional
    tables (``read``, ``mapping``, ``demand``) whose keys are checked against
    ``hints[section]`` (:func:`check_section`). Returns the tables, checked.

    Raises
    ------
    ConfigError
        ``files`` is not a list of tables, a table has no ``pattern`` or another key, or
        a ``read``/``mapping`` key is unknown or of the wrong type. The message names the
        table (``files[2].mapping.team``) and the file.
    """
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise ConfigError(
            f"{source}: files must be a list of [[files]] tables, each with a pattern",
            key=("files",),
        )
    checked = []
    for i, table in enumerate(values, 1):
        where = f"files[{i}]"
        unknown = [k for k in table if k not in ("pattern", *hints)]
        if unknown:
            takes = ", ".join(("pattern", *hints))
            raise ConfigError(
                f"{source}: unknown key {where}.{unknown[0]}{suggest(unknown[0], hints)}; "
                f"[[files]] takes: {takes}",
                key=("files", i - 1, unknown[0]),
            )
        pattern = table.get("pattern")
        if not isinstance(pattern, str) or not pattern.strip():
            raise ConfigError(
                f'{source}: {where} needs a pattern, a glob such as "exports/*.csv"',
                key=("files", i - 1),
            )
        found: dict[str, Any] = {"pattern": pattern}
        for section, section_hints in hints.items():
            if section in table:
                found[section] = check_section(
                    table[section],
                    f"{where}.{section}",
                    section_hints,
                    source,
                    at=("files", i - 1, section),
                )
        checked.append(found)
    return checked
