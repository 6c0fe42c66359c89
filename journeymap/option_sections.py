"""The sections of the config file that set one part of a run: each a frozen dataclass
whose fields are the section's keys (with the one-line help ``journeymap config init``
writes), and the choices they allow. :class:`~journeymap.options.Options` holds one of
each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from journeymap.engine import ENGINES, check_memory_limit
from journeymap.errors import ConfigError, option
from journeymap.plan_rules import MAX_GROUP, MIN_JOIN_SHARE

__all__ = [
    "BY_GROUPS",
    "DEMAND_SUBSETS",
    "JOURNEYS",
    "LANES",
    "MAP_FORMATS",
    "MODELS",
    "VIEWS",
    "CheckOptions",
    "EngineOptions",
    "FlowOptions",
    "MapOptions",
    "OutputOptions",
    "ReintegrationOptions",
    "ReportOptions",
]

#: Journey map views, picture formats, models, lanes and subsets a run can ask for.
VIEWS = ("frequency", "performance", "handoffs")
MAP_FORMATS = ("svg", "png", "pdf")
MODELS = ("none", "inductive", "heuristics")
LANES = ("auto", "team", "resource", "channel", "none")
DEMAND_SUBSETS = ("all", "failure", "value")
BY_GROUPS = ("demand_type", "channel")
JOURNEYS = ("case", "customer")


def _key(default: Any, help: str) -> Any:
    """A config key: its default and the one-line help the template shows."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class EngineOptions:
    """``[engine]``: where the work runs.

    Attributes
    ----------
    name : the engine: ``duckdb`` (embedded, the default), ``postgres`` or ``spark``.
    threads : worker threads (default: every core; Spark: ``local[2]``).
    memory_limit : such as ``"2GB"``; beyond it the engine spills to disk.
    temp_directory : where it spills.
    master : Spark only: where Spark runs, ``local[N]`` (default ``local[2]``) or a
        standalone cluster's ``spark://host:port``.
    read_on_cluster : Spark only: Spark reads CSV and Parquet files itself (ISO 8601
        timestamps only) instead of journeymap typing them on the driver.
    """

    name: str = _key("duckdb", "The engine that runs the work (duckdb, postgres or spark).")
    threads: int | None = _key(None, "Worker threads (default: every core).")
    memory_limit: str | None = _key(
        None, 'Memory the engine may use, such as "2GB"; beyond it, work spills to disk.'
    )
    temp_directory: str | None = _key(None, "Where work spills (default: the engine's own).")
    master: str | None = _key(
        None, 'Spark only: "local[N]" (default local[2]) or a cluster\'s "spark://host:7077".'
    )
    read_on_cluster: bool = _key(
        False, "Spark only: Spark reads CSV and Parquet files itself (ISO 8601 times only)."
    )

    def __post_init__(self) -> None:
        _choice("name", self.name, ENGINES)
        if self.memory_limit is not None:
            check_memory_limit(self.memory_limit)
        if self.name != "spark" and (self.master is not None or self.read_on_cluster):
            raise ConfigError(
                "master and read_on_cluster are settings of the spark engine; choose it "
                f'with name = "spark" in [engine] or {option("engine", "spark")}'
            )


@dataclass(frozen=True)
class FlowOptions:
    """``[flow]``: ``dirty_activities``, activities whose presence makes a case's flow
    unclean (for example "Request information"), matched by exact name."""

    dirty_activities: tuple[str, ...] = _key(
        (), "Activities (exact names) whose presence makes a case's flow unclean."
    )


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

    period: str | None = _key(
        None, 'The charts\' period, "START..END" dates (default: the complete period detected).'
    )
    max_points: int = _key(5000, "Over this many cases the end-to-end chart plots daily means.")

    def __post_init__(self) -> None:
        if self.max_points < 2:
            raise ConfigError(f"max_points must be 2 or more, not {self.max_points}")
        if self.period is not None:
            from journeymap.analysis.period import parse_period  # pandas: only when given

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
    template : the name of a journey template: draw its map (its steps and paths as
        the backbone, the deviations of its cases) instead of the journey map.
    journeys : "case" (the default) maps cases; "customer" maps customer journeys: the
        cases of one customer linked by the repeat-contact window become one journey,
        their events in time order, each keeping its case (needs the customer role).
    """

    lanes: str = _key("auto", f"Swimlanes: {', '.join(LANES)} (auto: team when mapped).")
    view: str = _key("frequency", f"The map's view: {', '.join(VIEWS)}.")
    measure: str = _key("cases", "Count cases or events on boxes and arrows.")
    activities_pct: float | None = _key(
        None, "Show the most frequent PCT % of activities (default: all, at most max_activities)."
    )
    paths_pct: float | None = _key(
        None, "Show the most frequent PCT % of paths (default: a readable number)."
    )
    max_activities: int | None = _key(
        None, "The most activities a default map shows (default: 40, or 25 over 50 activities)."
    )
    demand: str = _key("all", f"Draw the map for {', '.join(DEMAND_SUBSETS)} demand.")
    by: str | None = _key(
        None, f"One end-to-end capability chart per group: {', '.join(BY_GROUPS)}."
    )
    model: str = _key("none", f"A formal model from pm4py: {', '.join(MODELS)}.")
    template: str | None = _key(
        None, "The name of a journey template: draw the map of its steps and its cases."
    )
    journeys: str = _key(
        "case", "case: map cases; customer: map customer journeys (needs the customer role)."
    )

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

    formats: tuple[str, ...] = _key(
        ("svg",), f"Pictures of the map besides its DOT source: {', '.join(MAP_FORMATS)}."
    )
    report: bool = _key(True, "Write report.html, one self-contained page.")

    def __post_init__(self) -> None:
        for fmt in self.formats:
            _choice("formats", fmt, MAP_FORMATS)
        if not self.formats:
            raise ConfigError(f"formats needs at least one of {', '.join(MAP_FORMATS)}")


@dataclass(frozen=True)
class ReportOptions:
    """``[report]``: the report's ``title`` (default: the log's name) and the service's
    ``purpose`` in the customer's terms, shown under the title."""

    title: str | None = _key(None, "The report's title (default: the log's name).")
    purpose: str | None = _key(
        None, "What the service is for, in the customer's terms (under the title)."
    )


@dataclass(frozen=True)
class ReintegrationOptions:
    """``[reintegration]``: how the reintegration plan
    (:func:`~journeymap.analysis.reintegration_plan.reintegration_plan`) groups handlers.

    Attributes
    ----------
    max_group : the most teams (or people) in a proposed group, 2 or more.
    min_join_share : a team joins a group only when the hand-off wait between them is
        at least this share of all the wait inside the joined group (0..1).
    """

    max_group: int = _key(MAX_GROUP, "The most teams (or people) in a proposed group.")
    min_join_share: float = _key(
        MIN_JOIN_SHARE, "A team joins a group when its wait is this share (0..1) of the group's."
    )

    def __post_init__(self) -> None:
        if self.max_group < 2:
            raise ConfigError(f"max_group must be 2 or more, not {self.max_group}")
        if not 0 <= self.min_join_share <= 1:
            raise ConfigError(f"min_join_share must be between 0 and 1, not {self.min_join_share}")


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
