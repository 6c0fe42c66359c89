"""The options file (``--config``) as the user sees it: reading one into
:class:`~journeymap.options.Options` (:func:`load_options`) and listing every key it
takes, with its default and one-line help (:func:`config_keys`, from which
``journeymap config init`` writes a template), and finding every problem a file has
(:func:`config_problems`, for ``journeymap config check``).

Which sections and keys exist is defined by the options themselves
(:mod:`journeymap.options`); the TOML reading and type checking is
:mod:`journeymap.config`'s.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, NamedTuple

from journeymap.config import Config, read_toml
from journeymap.demand_rules import DemandRules
from journeymap.errors import ConfigError
from journeymap.mapping import ROLES
from journeymap.options import _DATACLASS_SECTIONS, _DEMAND_HINTS, SECTIONS, Options
from journeymap.read_options import ReadOptions

__all__ = ["ConfigKey", "config_keys", "config_problems", "load_options"]

_DEMAND_HELP = {
    "failure_activities": "Activity-name patterns (regular expressions, ignoring case) of "
    "failure demand; replaces the defaults.",
    "extra_failure_activities": "More patterns, added to failure_activities.",
    "repeat_contact_days": "A case a customer starts within this many days of an earlier "
    "one's end is a repeat contact (0: off; needs a customer; default 14).",
    "rule": "Attribute rules, [[demand.rule]] tables: name, column, and equals or matches.",
}

_TEMPLATE_HELP = "A journey template: name, the demand it is for, and its steps (or a bpmn file)."


class ConfigKey(NamedTuple):
    """One key of the config file: its section, name, default (None: not set) and help."""

    section: str
    name: str
    default: Any
    help: str


def config_keys() -> list[ConfigKey]:
    """Every key of every section, in the order of :data:`SECTIONS` and of the fields,
    with its default and one-line help (what ``journeymap config init`` writes).

    Examples
    --------
    >>> [k.name for k in config_keys() if k.section == "output"]
    ['formats', 'report']
    """
    keys: list[ConfigKey] = []
    defaults = DemandRules()
    for section in SECTIONS:
        if section == "demand":
            default = {"failure_activities": defaults.failure_activities,
                       "extra_failure_activities": ()}  # fmt: skip
            keys += [ConfigKey(section, k, default.get(k), _DEMAND_HELP[k]) for k in _DEMAND_HINTS]
            continue
        if section == "template":  # tables of their own: the template shows an example
            keys.append(ConfigKey(section, "steps", None, _TEMPLATE_HELP))
            continue
        cls = ReadOptions if section == "mapping" else _DATACLASS_SECTIONS[section]
        if section == "mapping":
            keys += [
                ConfigKey(section, role, None, f"Column holding the {role.replace('_', ' ')}"
                          + (" (detected if not given)." if role in ROLES[:3] else "."))
                for role in ROLES
            ]  # fmt: skip
        for f in fields(cls):
            if section in ("read", "mapping") and f.metadata.get("section", "read") != section:
                continue
            if "help" in f.metadata:  # the rest are not keys (the templates, their source)
                keys.append(ConfigKey(section, f.name, f.default, f.metadata["help"]))
    return keys


def load_options(path: str | Path | None) -> Options:
    """Read and check a TOML configuration file; ``None`` gives the defaults.

    Raises
    ------
    ConfigError
        When the file is missing, is not valid TOML, or has an unknown section or key,
        or a value of the wrong type. The message names the file and the key.

    Examples
    --------
    >>> load_options(None).map.lanes
    'auto'
    """
    if path is None:
        return Options()
    return Options.from_config(Config(sections=read_toml(path), path=str(path)))


def config_problems(path: str | Path) -> tuple[Options | None, list[ConfigError]]:
    """The options of a configuration file, or every problem it has: each
    :class:`ConfigError` that :func:`load_options` would raise one at a time, found by
    leaving out the key or table at fault and reading the rest again (a problem whose
    place is not known ends the search).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "bad.toml")
    ...     _ = path.write_text("[map]\\nlanse = 1\\n[check]\\nmax_points = 'x'\\n")
    ...     options, problems = config_problems(path)
    >>> options, [p.key for p in problems]
    (None, [('check', 'max_points'), ('map', 'lanse')])
    """
    sections = read_toml(path)
    problems: list[ConfigError] = []
    while True:
        try:
            options = Options.from_config(Config(sections=sections, path=str(path)))
        except ConfigError as exc:
            if str(exc) not in {str(p) for p in problems}:  # [read] and [mapping] alike
                problems.append(exc)
            if exc.key is None or not _leave_out(sections, exc.key) or len(problems) >= 100:
                return None, problems
        else:
            return (None if problems else options), problems


def _leave_out(sections: dict[str, Any], key: tuple[str | int, ...]) -> bool:
    """Remove the key or table at ``key`` (a ``[[files]]`` table is made an empty one
    that matches nothing, so that the later tables keep their numbers); whether it was
    there."""
    *path, last = key
    table: Any = sections
    for step in path:
        try:
            table = table[step]
        except (KeyError, IndexError, TypeError):
            return False
    if isinstance(table, list) and isinstance(last, int) and 0 <= last < len(table):
        table[last] = {"pattern": "\x00"}  # no file's path holds a NUL
        return True
    if isinstance(table, dict) and last in table:
        del table[last]
        return True
    return False
