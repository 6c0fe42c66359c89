"""Everything a run can be told, as one typed object: :class:`Options`.

Options come from the config file (``--config``) and, over it, from the command line or
keyword arguments, and are built in one place, :meth:`Options.from_config` and
:meth:`Options.replace`. Each section of the config file is one dataclass here, and its
keys are the dataclass's fields: adding a field adds the key, with its type checked.

==========  ===============================================================
section     sets
==========  ===============================================================
[read]      how to read the source (:class:`~journeymap.mapping.ReadOptions`)
[mapping]   which column plays each role, plus ``timestamp_format`` and
            ``timezone``
[engine]    which engine runs the work, its threads and memory
[demand]    the failure-demand rules (:class:`DemandRules`)
[flow]      the activities that make flow unclean
[check]     the period the capability and weekly charts cover
[map]       what the journey map shows
[output]    which pictures to write, and the report
[report]    the report's title and the service's purpose
==========  ===============================================================
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from journeymap.analysis.demand_rules import (
    DEFAULT_FAILURE_ACTIVITIES,
    AttributeRule,
    DemandRules,
    check_pattern,
)
from journeymap.analysis.period import parse_period
from journeymap.config import Config, check_section, read_toml, suggest
from journeymap.errors import ConfigError
from journeymap.mapping import ROLES, ReadOptions

__all__ = [
    "SECTIONS",
    "CheckOptions",
    "EngineOptions",
    "FlowOptions",
    "MapOptions",
    "Options",
    "OutputOptions",
    "ReportOptions",
    "load_options",
]

#: Journey map views, picture formats, models, lanes and subsets a run can ask for.
VIEWS = ("frequency", "performance", "handoffs")
MAP_FORMATS = ("svg", "png", "pdf")
MODELS = ("none", "inductive", "heuristics")
LANES = ("auto", "team", "resource", "channel", "none")
DEMAND_SUBSETS = ("all", "failure", "value")
BY_GROUPS = ("demand_type", "channel")
JOURNEYS = ("case", "customer")


@dataclass(frozen=True)
class EngineOptions:
    """``[engine]``: where the work runs.

    Attributes
    ----------
    name : the engine (``duckdb``).
    threads : worker threads (default: every core).
    memory_limit : such as ``"2GB"``; beyond it the engine spills to disk.
    temp_directory : where it spills.
    """

    name: str = "duckdb"
    threads: int | None = None
    memory_limit: str | None = None
    temp_directory: str | None = None


@dataclass(frozen=True)
class FlowOptions:
    """``[flow]``: ``dirty_activities``, activities whose presence makes a case's flow
    unclean (for example "Request information"), matched by exact name."""

    dirty_activities: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckOptions:
    """``[check]``: the capability and weekly charts.

    Attributes
    ----------
    period : ``"START..END"`` (dates, UTC): the period the capability chart and the
        weekly charts cover; by default the complete period journeymap detects (see
        :mod:`journeymap.analysis.period`).
    max_points : over this many cases the end-to-end chart plots daily means.
    """

    period: str | None = None
    max_points: int = 5000

    def __post_init__(self) -> None:
        if self.max_points < 2:
            raise ConfigError(f"max_points must be 2 or more, not {self.max_points}")
        if self.period is not None:
            parse_period(self.period)  # a bad period is a mistake to say at once


@dataclass(frozen=True)
class MapOptions:
    """``[map]``: what the journey map shows.

    Attributes
    ----------
    lanes : "auto" (team when mapped, else none), "team", "resource", "channel", "none".
    view : "frequency", "performance" or "handoffs" (the hand-off network).
    measure : "cases" or "events", counted on boxes and arrows.
    activities_pct, paths_pct : show the most frequent share of activities and paths
        (0 < pct <= 100); by default at most ``max_activities`` activities and a readable
        number of paths.
    max_activities : the most activities a default map shows (default: 40, or 25 for a
        log of more than 50 activities).
    demand : "all", or "failure" / "value": draw the map of that demand only.
    by : "demand_type" or "channel": one end-to-end capability chart per group too.
    model : "none", "inductive" or "heuristics" (built by pm4py from the DFG).
    journeys : "case" (the default) maps cases; "customer" maps customer journeys: the
        cases of one customer linked by the repeat-contact window become one journey,
        their events in time order, each keeping its case (needs the customer role).
    """

    lanes: str = "auto"
    view: str = "frequency"
    measure: str = "cases"
    activities_pct: float | None = None
    paths_pct: float | None = None
    max_activities: int | None = None
    demand: str = "all"
    by: str | None = None
    model: str = "none"
    journeys: str = "case"

    def __post_init__(self) -> None:
        for name, allowed in (
            ("journeys", JOURNEYS),
            ("lanes", LANES),
            ("view", VIEWS),
            ("measure", ("cases", "events")),
            ("demand", DEMAND_SUBSETS),
            ("model", MODELS),
        ):
            _choice(name, getattr(self, name), allowed)
        if self.by is not None:
            _choice("by", self.by, BY_GROUPS)
        for name in ("activities_pct", "paths_pct"):
            pct = getattr(self, name)
            if pct is not None and not 0 < pct <= 100:
                raise ConfigError(f"{name} must be a percentage above 0 and at most 100, not {pct}")
        if self.max_activities is not None and self.max_activities < 1:
            raise ConfigError(f"max_activities must be 1 or more, not {self.max_activities}")


@dataclass(frozen=True)
class OutputOptions:
    """``[output]``: ``formats``, the pictures of the map besides its DOT source (svg,
    png, pdf), and ``report``, whether to write report.html."""

    formats: tuple[str, ...] = ("svg",)
    report: bool = True

    def __post_init__(self) -> None:
        for fmt in self.formats:
            _choice("formats", fmt, MAP_FORMATS)
        if not self.formats:
            raise ConfigError(f"formats needs at least one of {', '.join(MAP_FORMATS)}")


@dataclass(frozen=True)
class ReportOptions:
    """``[report]``: the report's ``title`` (default: the log's name) and the service's
    ``purpose`` in the customer's terms, shown under the title."""

    title: str | None = None
    purpose: str | None = None


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


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
    #: Where the options came from (the config file), for messages.
    source: str | None = None

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
        unknown = [s for s in config.sections if s not in SECTIONS]
        if unknown:
            raise ConfigError(
                f"{source}: unknown section [{unknown[0]}]{suggest(unknown[0], SECTIONS)}; "
                f"the sections are: {', '.join(f'[{s}]' for s in SECTIONS)}"
            )
        checked = {
            name: check_section(config.sections[name], name, _hints(name), source)
            for name in SECTIONS
            if name in config.sections
        }
        read_keys = {f.name for f in fields(ReadOptions)}
        read = {**checked.get("read", {})}
        mapping = dict(checked.get("mapping", {}))
        read.update({k: mapping.pop(k) for k in list(mapping) if k in read_keys})
        try:
            return cls(
                read=ReadOptions(**read),
                mapping=mapping,
                engine=EngineOptions(**checked.get("engine", {})),
                demand=demand_rules(checked.get("demand", {}), source),
                flow=FlowOptions(**checked.get("flow", {})),
                check=CheckOptions(**checked.get("check", {})),
                map=MapOptions(**checked.get("map", {})),
                output=OutputOptions(**checked.get("output", {})),
                report=ReportOptions(**checked.get("report", {})),
                source=config.path,
            )
        except ConfigError as exc:
            if str(exc).startswith(source):
                raise
            raise ConfigError(f"{source}: {exc}") from exc

    def replace(self, **sections: dict[str, Any] | None) -> Options:
        """These options with some values changed, by section: ``read``, ``mapping``,
        ``engine``, ``flow``, ``map``, ``output``, ``report`` (each a dict of field
        values; ``None`` values are ignored, so that unset command-line options keep the
        config file's values).

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
}
_DEMAND_HINTS: dict[str, Any] = {
    "failure_activities": tuple[str, ...],
    "extra_failure_activities": tuple[str, ...],
    "repeat_contact_days": int,
    "rule": list[dict],
}
_RULE_KEYS = ("name", "column", "equals", "matches")

#: The sections of the config file, in the order the template lists them.
SECTIONS = ("read", "mapping", "engine", "demand", "flow", "check", "map", "output", "report")


def _hints(section: str) -> dict[str, Any]:
    """{key: type hint} of a config-file section."""
    if section == "demand":
        return _DEMAND_HINTS
    if section in ("read", "mapping"):
        hints = typing.get_type_hints(ReadOptions)
        keys = [f.name for f in fields(ReadOptions) if f.metadata.get("section", "read") == section]
        found = {k: hints[k] for k in keys}
        return {**dict.fromkeys(ROLES, str), **found} if section == "mapping" else found
    cls = _DATACLASS_SECTIONS[section]
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


def demand_rules(section: dict[str, Any], source: str = "configuration") -> DemandRules:
    """The failure-demand rules of a ``[demand]`` section (defaults for what it omits).

    Examples
    --------
    >>> demand_rules({"extra_failure_activities": ("missed",)}).failure_activities[-2:]
    ('repeat call', 'missed')
    """
    patterns = tuple(section.get("failure_activities", DEFAULT_FAILURE_ACTIVITIES))
    extra = tuple(section.get("extra_failure_activities", ()))
    for key, given in (("failure_activities", patterns), ("extra_failure_activities", extra)):
        for pattern in given:
            check_pattern(pattern, f"demand.{key}", source)  # name the key given
    rules = []
    for i, table in enumerate(section.get("rule", []), 1):
        where = f"{source}: demand.rule[{i}]"
        for key, value in table.items():
            if key not in _RULE_KEYS:
                takes = ", ".join(_RULE_KEYS)
                raise ConfigError(f"{where}: unknown key {key!r}; it takes: {takes}")
            if not isinstance(value, str):
                raise ConfigError(f"{where}.{key} must be a string, not {value!r}")
        if "name" not in table or "column" not in table:
            raise ConfigError(f"{where} needs a 'name' and a 'column'")
        rules.append(AttributeRule(**table))
    days = section.get("repeat_contact_days")
    return DemandRules(patterns + extra, days, tuple(rules), source)


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
