"""The TOML configuration file (``--config``): how to read a source and map its roles.

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

Every section and key is checked: an unknown key or a value of the wrong type is an
error naming the key and the file. Later features add their own sections to
:data:`SCHEMA`.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeymap.errors import ConfigError
from journeymap.mapping import ROLES

__all__ = ["SCHEMA", "Config", "load_config"]


class StringList(list):
    """Schema marker: the value is a list of strings (``key = ["a", "b"]``)."""


class TableList(list):
    """Schema marker: the value is a list of tables (``[[section.key]]`` blocks); the
    analysis that reads them checks their keys."""


#: Allowed keys per section and the Python type of their values.
SCHEMA: dict[str, dict[str, type]] = {
    "read": {
        "connector": str,
        "sep": str,
        "encoding": str,
        "sheet": str,
        "table": str,
        "query": str,
        "strict": bool,
    },
    "mapping": {**dict.fromkeys(ROLES, str), "timestamp_format": str, "timezone": str},
    "report": {"title": str, "purpose": str},
    "demand": {
        "failure_activities": StringList,
        "extra_failure_activities": StringList,
        "repeat_contact_days": int,
        "rule": TableList,
    },
    "flow": {"dirty_activities": StringList},
}
_TYPE_NAMES = {
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    StringList: "a list of strings",
    TableList: "a list of tables",
}


def _has_type(value: Any, expected: type) -> bool:
    if expected is StringList:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if expected is TableList:
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    if expected is int and isinstance(value, bool):
        return False
    return isinstance(value, expected)


@dataclass(frozen=True)
class Config:
    """A checked configuration: ``{section: {key: value}}`` plus where it came from."""

    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: str | None = None

    def section(self, name: str) -> dict[str, Any]:
        """The keys given in section ``name`` (empty when the section is absent)."""
        return dict(self.sections.get(name, {}))


def load_config(path: str | Path | None) -> Config:
    """Read and check a TOML configuration file; ``None`` gives the empty config.

    Raises
    ------
    ConfigError
        When the file is missing, is not valid TOML, or has an unknown section or key,
        or a value of the wrong type. The message names the file and the key.

    Examples
    --------
    >>> load_config(None).section("mapping")
    {}
    """
    if path is None:
        return Config()
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{name}: no such configuration file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot be read ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from exc
    return Config(sections=check_config(data, name), path=name)


def check_config(data: MappingABC[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """Check parsed TOML against :data:`SCHEMA`; return it as plain dicts."""
    checked: dict[str, dict[str, Any]] = {}
    for section, values in data.items():
        if section not in SCHEMA:
            raise ConfigError(
                f"{name}: unknown section [{section}]{_suggest(section, SCHEMA)}; "
                f"the sections are: {', '.join(f'[{s}]' for s in SCHEMA)}"
            )
        if not isinstance(values, dict):
            raise ConfigError(f"{name}: {section} must be a [{section}] table")
        allowed = SCHEMA[section]
        for key, value in values.items():
            if key not in allowed:
                raise ConfigError(
                    f"{name}: unknown key {section}.{key}{_suggest(key, allowed)}; "
                    f"[{section}] takes: {', '.join(allowed)}"
                )
            expected = allowed[key]
            if not _has_type(value, expected):
                raise ConfigError(
                    f"{name}: {section}.{key} must be {_TYPE_NAMES[expected]}, not {value!r}"
                )
        checked[section] = dict(values)
    return checked


def _suggest(word: str, choices: MappingABC[str, Any]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
