"""Everything a run can be told, as one typed object: :class:`Options`.

Options come from the config file (``--config``) and, over it, from the command line or
keyword arguments, and are built in one place, :meth:`Options.from_config` and
:meth:`Options.replace`. Each section of the config file is one dataclass here, and its
keys are the dataclass's fields: adding a field adds the key, with its type checked.

================  =========================================================
section           sets
================  =========================================================
[read]            how to read the source (:class:`~journeymap.read_options.ReadOptions`)
[mapping]         which column plays each role, plus ``timestamp_format`` and
                  ``timezone``
[engine]          which engine runs the work, its threads and memory
[demand]          the failure-demand rules (:class:`DemandRules`)
[flow]            the activities that make flow unclean
[check]           the period the capability and weekly charts cover
[map]             what the journey map shows
[output]          which pictures to write, and the report
[report]          the report's title and the service's purpose
[reintegration]   how the reintegration plan groups handlers
[templates]       how the journey templates are checked
                  (:class:`~journeymap.template_model.Templates`)
[[template]]      the journey templates, one table each
[[files]]         ``read``, ``mapping`` and ``demand`` settings for the files a ``pattern``
                  matches (:meth:`Options.for_source`)
================  =========================================================

The sections' dataclasses are in :mod:`journeymap.option_sections`. Every key has a
one-line help (the fields' ``help`` metadata), from which
:func:`~journeymap.options_file.config_keys` lists the keys, and ``journeymap config
init`` writes a template. :func:`~journeymap.options_file.load_options` reads a config
file into :class:`Options`.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from journeymap.config import Config, FilePattern, check_files, check_section, read_toml, suggest
from journeymap.demand_rules import DemandRules, rules_from_config
from journeymap.errors import ConfigError, expect
from journeymap.mapping import ROLES
from journeymap.option_sections import (
    CheckOptions,
    EngineOptions,
    FlowOptions,
    MapOptions,
    OutputOptions,
    ReintegrationOptions,
    ReportOptions,
)
from journeymap.read_options import ReadOptions
from journeymap.template_model import Templates, parse_templates

__all__ = [
    "SECTIONS",
    "FilePattern",
    "Options",
    "load_templates",
]


@dataclass(frozen=True)
class Options:
    """All the options of a run. Build it with :func:`load_options` or
    :meth:`from_config`; change it with :meth:`replace`.

    Examples
    --------
    >>> options = Options().replace(map={"lanes": "none"}, mapping={"case": "Ticket"})
    >>> options.map.lanes, options.mapping
    ('none', {'case': 'Ticket'})
    """

    read: ReadOptions = field(default_factory=ReadOptions)
    mapping: dict[str, str] = field(default_factory=dict)
    engine: EngineOptions = field(default_factory=EngineOptions)
    demand: DemandRules = field(default_factory=DemandRules)
    flow: FlowOptions = field(default_factory=FlowOptions)
    check: CheckOptions = field(default_factory=CheckOptions)
    map: MapOptions = field(default_factory=MapOptions)
    output: OutputOptions = field(default_factory=OutputOptions)
    report: ReportOptions = field(default_factory=ReportOptions)
    reintegration: ReintegrationOptions = field(default_factory=ReintegrationOptions)
    #: ``[[files]]``: read, mapping and demand settings by file pattern (see :meth:`for_source`).
    files: tuple[FilePattern, ...] = ()
    templates: Templates = field(default_factory=Templates)
    #: Where the options came from (the config file), for messages.
    source: str | None = None
    #: Where each role of ``mapping`` was named, when the config file named it
    #: (``"journeymap.toml [mapping]"``), for a message about a column it lacks.
    mapping_origin: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_config(cls, config: Config) -> Options:
        """The options a configuration sets (defaults for the rest).

        Raises
        ------
        ConfigError
            An unknown section or key, a value of the wrong type, or a bad value
            (an invalid regular expression, an unknown view). The message names the
            file and the key.
        """
        source = config.source
        known = (*SECTIONS, "files")
        unknown = [s for s in config.sections if s not in known]
        if unknown:
            raise ConfigError(
                f"{source}: unknown section [{unknown[0]}]{suggest(unknown[0], known)}; "
                f"the sections are: {', '.join(f'[{s}]' for s in SECTIONS)} and [[files]]",
                key=(unknown[0],),
            )
        checked = {
            name: check_section(config.sections[name], name, _hints(name), source)
            for name in SECTIONS
            if name in config.sections and name != "template"
        }
        read, mapping = _read_and_mapping(checked.get("read", {}), checked.get("mapping", {}))
        patterns = check_files(
            config.sections.get("files", []),
            {"read": _hints("read"), "mapping": _hints("mapping"), "demand": _hints("demand")},
            source,
        )
        top_demand = checked.get("demand", {})
        try:
            files = []
            for i, t in enumerate(patterns, 1):
                demand = {**top_demand, **t["demand"]} if "demand" in t else {}
                if demand:  # checked here, named by its table
                    _at(("files", i - 1), rules_from_config, demand, f"{source}: files[{i}].demand")
                files.append(
                    FilePattern(
                        t["pattern"],
                        *_read_and_mapping(t.get("read", {}), t.get("mapping", {})),
                        demand=demand,
                    )
                )
            sections = {
                name: _at((name,), _DATACLASS_SECTIONS[name], **checked.get(name, {}))
                for name in _DATACLASS_SECTIONS
                # [read] and [mapping] make the read options together; the templates
                # are [templates] and the [[template]] tables
                if name not in ("read", "templates")
            }
            return cls(
                read=_at(("read" if "read" in checked else "mapping",), ReadOptions, **read),
                mapping=mapping,
                demand=_at(("demand",), rules_from_config, checked.get("demand", {}), source),
                files=tuple(files),
                templates=_at(
                    ("template" if "template" in config.sections else "templates",),
                    _templates,
                    config,
                    checked.get("templates", {}),
                ),
                source=config.path,
                mapping_origin={role: f"{source} [mapping]" for role in mapping},
                **sections,
            )
        except ConfigError as exc:
            if str(exc).startswith(source):
                raise
            raise ConfigError(f"{source}: {exc}", key=exc.key) from exc

    def for_source(self, path: str | Path) -> Options:
        """These options for one input file: the ``read``, ``mapping`` and ``demand``
        settings of the first ``[[files]]`` pattern that matches ``path`` (relative to
        the config file's folder, or its file name), over the top-level ones. Without a
        match, the options themselves.

        Examples
        --------
        >>> options = Options(mapping={"case": "id"}, files=(
        ...     FilePattern("*.xes.gz", mapping={"team": "workgroup"}),))
        >>> options.for_source("exports/helpdesk.xes.gz").mapping
        {'case': 'id', 'team': 'workgroup'}
        >>> options.for_source("exports/may.csv") is options
        True
        """
        if "://" in str(path):
            return self
        base = Path(self.source).parent if self.source else Path.cwd()
        for pattern in self.files:
            if pattern.matches(path, base=base):
                where = f"{self.source or 'configuration'} [[files]] {pattern.pattern!r}"
                chosen = self.replace(read=pattern.read, mapping=pattern.mapping)
                chosen = dataclasses.replace(
                    chosen,
                    mapping_origin={
                        **chosen.mapping_origin,
                        **{role: where for role in pattern.mapping},
                    },
                )
                if pattern.demand:
                    chosen = dataclasses.replace(
                        chosen, demand=rules_from_config(pattern.demand, where)
                    )
                return chosen
        return self

    def with_templates(self, path: str | Path) -> Options:
        """These options with the journey templates of a templates file (its templates
        replace the configuration's; see :func:`load_templates`).

        Raises
        ------
        ConfigError
            As :func:`load_templates`.
        """
        return dataclasses.replace(self, templates=load_templates(path, self.templates))

    def replace(self, **sections: dict[str, Any] | None) -> Options:
        """These options with some values changed, by section: ``read``, ``mapping``,
        ``engine``, ``flow``, ``map``, ``output``, ``report``, ``reintegration`` (each a
        dict of field values; ``None`` values are ignored, so that unset command-line
        options keep the config file's values).

        Raises
        ------
        ConfigError
            For an unknown section or field, or a bad value.
        """
        changed: dict[str, Any] = {}
        for name, values in sections.items():
            given = {k: v for k, v in (values or {}).items() if v is not None}
            if not given:
                continue
            if name == "mapping":
                unknown = sorted(set(given) - set(ROLES))
                if unknown:
                    raise ConfigError(
                        f"unknown role {unknown[0]!r}; the roles are: {', '.join(ROLES)}"
                    )
                changed[name] = {**self.mapping, **given}
                # Roles given here (on the command line) are no longer the config file's.
                changed["mapping_origin"] = {
                    r: where for r, where in self.mapping_origin.items() if r not in given
                }
                continue
            current = getattr(self, name, None)
            if name not in _DATACLASS_SECTIONS or current is None:
                raise ConfigError(f"unknown options section {name!r}")
            known = {f.name for f in fields(current)}
            unknown = sorted(set(given) - known)
            if unknown:
                raise ConfigError(
                    f"unknown {name} option {unknown[0]!r}{suggest(unknown[0], known)}"
                )
            changed[name] = dataclasses.replace(current, **given)
        return dataclasses.replace(self, **changed)


# -- the sections of the config file ----------------------------------------------
_DATACLASS_SECTIONS: dict[str, type] = {
    "read": ReadOptions,
    "engine": EngineOptions,
    "flow": FlowOptions,
    "check": CheckOptions,
    "map": MapOptions,
    "output": OutputOptions,
    "report": ReportOptions,
    "reintegration": ReintegrationOptions,
    "templates": Templates,
}
_TEMPLATES_HINTS: dict[str, Any] = {
    "demand_column": str,
    "method": str,
    "alignment_max_cases": int,
}
_DEMAND_HINTS: dict[str, Any] = {
    "failure_activities": tuple[str, ...],
    "extra_failure_activities": tuple[str, ...],
    "repeat_contact_days": int,
    "rule": list[dict],
}

#: The sections of the config file, in the order the template lists them.
SECTIONS = (
    "read", "mapping", "engine", "demand", "flow", "check", "map", "output", "report",
    "reintegration", "templates", "template",
)  # fmt: skip


def _at(key: tuple[str | int, ...], make: Any, *args: Any, **kwargs: Any) -> Any:
    """``make(*args, **kwargs)``, its :class:`ConfigError` told where in the file it is
    (``key``) when it does not say so itself: the key it names first, when that is one
    of the section's (``lanes must be ...`` in [map] is ``map.lanes must be ...``), else
    the section."""
    try:
        return make(*args, **kwargs)
    except ConfigError as exc:
        if exc.key is not None:
            raise
        message = str(exc.args[0])
        named = re.match(r"(\w+)(?= must |=)", message)
        if named and named.group(1) in kwargs and isinstance(key[-1], str):
            if message.startswith(f"{named.group(1)} must "):
                message = f"{key[-1]}.{message}"
            key = (*key, named.group(1))
        raise ConfigError(message, key=key) from exc


def _read_and_mapping(
    read: dict[str, Any], mapping: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read options and roles, with the read options kept in ``[mapping]``
    (``timestamp_format``, ``timezone``) moved to the read options."""
    read_keys = {f.name for f in fields(ReadOptions)}
    moved = {k: v for k, v in mapping.items() if k in read_keys}
    read = {**read, **moved}
    if isinstance(read.get("sheet"), int):  # a sheet by number, as --sheet 2 gives it
        read["sheet"] = str(read["sheet"])
    return read, {k: v for k, v in mapping.items() if k not in read_keys}


def _hints(section: str) -> dict[str, Any]:
    """{key: type hint} of a config-file section."""
    if section == "demand":
        return _DEMAND_HINTS
    if section == "templates":
        return _TEMPLATES_HINTS
    if section in ("read", "mapping"):
        hints = typing.get_type_hints(ReadOptions)
        keys = [f.name for f in fields(ReadOptions) if f.metadata.get("section", "read") == section]
        found = {k: hints[k] for k in keys}
        if "sheet" in found:  # by name or number: sheet = 2 is the second sheet
            found["sheet"] = str | int
        return {**dict.fromkeys(ROLES, str), **found} if section == "mapping" else found
    cls = _DATACLASS_SECTIONS[section]
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


def _templates(config: Config, settings: dict[str, Any]) -> Templates:
    """The ``[templates]`` settings and ``[[template]]`` tables of a configuration."""
    source = config.source
    folder = Path(config.path).parent if config.path else None
    tables: Any = config.sections.get("template", [])
    if isinstance(tables, dict):
        raise ConfigError(
            f"{source}: write each template as [[template]] (two brackets), not [template]"
        )
    found = parse_templates(tables, source=source, folder=folder)
    return Templates(found, source=source, **settings)


def load_templates(path: str | Path, base: Templates | None = None) -> Templates:
    """Read a templates file (``mine --templates FILE``): ``[[template]]`` tables and,
    optionally, a ``[templates]`` section. Its templates replace those of ``base`` (the
    configuration's); its settings override base's where it gives them.

    Raises
    ------
    ConfigError
        The file is missing or not valid TOML, holds other sections, or a template or
        setting is wrong (the message names the file, the template and the step).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "t.toml"
    ...     _ = path.write_text('[[template]]\\nname = "All"\\nsteps = ["a", "b"]\\n')
    ...     [t.name for t in load_templates(path).templates]
    ['All']
    """
    expect(base, (Templates, type(None)), "load_templates()'s base",
           "the templates of an Options: options.templates")  # fmt: skip
    sections = read_toml(path)
    extra = [s for s in sections if s not in ("templates", "template")]
    if extra:
        raise ConfigError(
            f"{path}: a templates file holds [[template]] tables and a [templates] section "
            f"only, not [{extra[0]}]; put other options in the configuration (--config)"
        )
    if "template" not in sections:
        raise ConfigError(
            f"{path}: no [[template]] tables; write one per type of demand, with name = "
            "and steps = [...]"
        )
    config = Config(sections=sections, path=str(path))
    settings = check_section(
        sections.get("templates", {}), "templates", _TEMPLATES_HINTS, config.source
    )
    base = base or Templates()
    merged = {
        "demand_column": base.demand_column,
        "method": base.method,
        "alignment_max_cases": base.alignment_max_cases,
        **settings,
    }
    try:
        return _templates(config, merged)
    except ConfigError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise ConfigError(f"{path}: {exc}") from exc
