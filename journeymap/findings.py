"""What :func:`journeymap.mine` finds: small tables, charts and numbers, no files.

The renderers (:mod:`journeymap.render`) turn findings into pictures, the report and
``summary.json``; :func:`journeymap.write_outputs` writes them. Tables are pandas
DataFrames with the columns their analysis documents; tables with a row per case stay
on the engine (:class:`~journeymap.engine.EngineTable`) until written or asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from journeymap.analysis.capability import XmRChart
from journeymap.analysis.demand import DOUBTS
from journeymap.analysis.flow import UNKNOWN_DIRTY
from journeymap.analysis.journeys import CustomerJourneys
from journeymap.analysis.network import NetworkParts
from journeymap.analysis.period import Period
from journeymap.analysis.profile import Profile
from journeymap.analysis.templates import Templates
from journeymap.discovery.simplify import MapScope
from journeymap.engine import EngineTable
from journeymap.eventlog import EventLog
from journeymap.options import Options

__all__ = ["END_DOUBT", "CheckFindings", "Comparison", "Findings", "MapPicture", "TemplateFindings"]

#: How the notes on the end activities given begin (doubts: see CheckFindings.doubts).
END_DOUBT = "end activit"


@dataclass
class CheckFindings:
    """The systems-thinking check: demand and flow per case (kept on the engine:
    ``.demand.to_pandas()``), their summaries, and the capability charts."""

    demand: EngineTable
    demand_summary: dict[str, Any]
    demand_by_week: pd.DataFrame
    failure_pareto: pd.DataFrame
    flow: EngineTable
    flow_summary: dict[str, Any]
    charts: dict[str, XmRChart] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The period the capability and weekly charts cover.
    period: Period | None = None

    @property
    def doubts(self) -> list[str]:
        """The demand notes that put the failure-demand figure in doubt (a rule that
        fires on most cases, a customer column of accounts), and the notes that put the
        clean share in doubt (a dirty activity no event has) or the end-to-end figures
        (end activities given that no event has, or that leave most cases open), and why
        there is no end-to-end chart when most cases outlast the period, for every place
        that shows the figures."""
        said = [n for n in self.demand_summary.get("notes", []) if n.startswith(DOUBTS)]
        said += [n for n in self.notes if n.startswith((UNKNOWN_DIRTY, END_DOUBT))]
        if self.period is not None and self.period.mostly_ended_after:  # no e2e chart: why
            said += [n for n in self.notes if n.startswith("no capability e2e chart: ")]
        return said

    def demand_cases(self, *, failure: bool) -> Any:
        """The cases of failure (or value) demand: an Ibis table of their ``case`` ids,
        on the engine (for :meth:`~journeymap.eventlog.EventLog.only_cases`)."""
        d = self.demand.expr
        return d.filter(d.failure == failure).select("case")


@dataclass
class TemplateFindings:
    """The journey templates: how the cases of each type of demand compare with the
    journey designed for them (:mod:`journeymap.analysis.templates`).

    Attributes
    ----------
    templates : the templates and their settings.
    summary : per template (file order), its cases, conforming and straightforward
        shares, extra end-to-end time and method
        (:func:`~journeymap.analysis.template_measures.template_summary`).
    conformance : per case, on the engine
        (:func:`~journeymap.analysis.templates.template_conformance`).
    deviations : per template, kind and activity
        (:func:`~journeymap.analysis.template_measures.template_deviations`).
    segments : per type of demand and channel
        (:func:`~journeymap.analysis.template_measures.demand_segments`).
    paths, activities : the paths and activities of each template's cases and design,
        for its map (None when no map of a template is drawn).
    notes : what the user should know (a template no case has, and the sentences of
        ``unknown_activities`` first).
    unknown_activities : activities the steps name that no event has, in sentences
        (:func:`~journeymap.analysis.templates.unknown_activities`): also a doubt.
    """

    templates: Templates
    summary: dict[str, dict[str, Any]]
    conformance: EngineTable
    deviations: pd.DataFrame
    segments: pd.DataFrame
    paths: pd.DataFrame | None = None
    activities: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    unknown_activities: list[str] = field(default_factory=list)


@dataclass
class MapPicture:
    """What one journey map draws: its edges and activities (the tables of
    :func:`~journeymap.discovery.dfg.dfg` and
    :func:`~journeymap.discovery.activities.activity_stats`, with the marks the map
    shows) and what it shows of the log."""

    dfg: pd.DataFrame
    activities: pd.DataFrame
    scope: MapScope
    #: The cases the map is drawn for.
    cases: int = 0


@dataclass
class Findings:
    """What :func:`journeymap.mine` found.

    Attributes
    ----------
    log : the event log.
    options : the options of the run.
    dfg, activities, variants : the whole log's directly-follows graph
        (:func:`~journeymap.discovery.dfg.dfg`), activities
        (:func:`~journeymap.discovery.activities.activity_stats`, with ``rework_pct``
        and ``failure_activity``) and variants
        (:func:`~journeymap.discovery.variants.variants`).
    end_to_end : median, mean and p90 end-to-end time, seconds.
    start, end : the first and last instant of the log.
    map : what the journey map draws (its scope and subset).
    lanes : the role the map's swimlanes show, or None.
    level : the handler level of the hand-off measures ("team", "resource"), or None.
    handoffs, pingpong, reintegration, handoff_summary : hand-offs at each level, and
        the reintegration candidates and summary at ``level``.
    network : the hand-off network at ``level``, a networkx DiGraph
        (:func:`~journeymap.analysis.network.handoff_network`), or None; built from
        ``network_parts`` when first asked for (networkx is imported then).
    network_parts : the same network's nodes and edges as dictionaries
        (:class:`~journeymap.analysis.network.NetworkParts`), or None.
    reintegration_plan : the groups of handlers that, working as one, would remove the
        most hand-off waiting
        (:func:`~journeymap.analysis.reintegration_plan.reintegration_plan`), or None.
    rework, rework_summary : rework per activity and over the log.
    cases : the per-case table (:func:`~journeymap.analysis.cases.case_table`), on the
        engine: ``findings.cases.to_pandas()`` brings it into pandas.
    check : demand, flow and capability.
    failure_map : the journey map of the failure-demand cases alone (None without any).
    model : the process model asked for, or None.
    profile : the log's profile and data-quality facts (what ``inspect`` shows).
    failure_matches : which activities each failure-activity pattern matched, in how many
        cases (:func:`~journeymap.analysis.demand_tables.failure_matches`).
    templates : the journey templates' findings, or None without templates.
    journeys : the customer journeys (:func:`~journeymap.analysis.journeys.journey_summary`)
        when a customer is mapped, else None; computed on the log of cases.
    timed : the transitions whose waits look set by a rule or a timer
        (:func:`~journeymap.discovery.dfg.timed_transitions`).
    waiting_returns : per activity, its rework events that come straight after a
        waiting status (:func:`~journeymap.analysis.rework.returns_from_waiting`).
    instant_handoffs : per handler at the findings' level, the hand-offs to it and those
        that reach it within a second
        (:func:`~journeymap.analysis.network.instant_handoffs`).
    work : with start timestamps, the work recorded beside the cases' end-to-end time
        (:func:`~journeymap.discovery.times.work_and_waiting`); None without them.
    """

    log: EventLog
    options: Options
    dfg: pd.DataFrame
    activities: pd.DataFrame
    variants: pd.DataFrame
    end_to_end: dict[str, float | None]
    start: Any
    end: Any
    map: MapPicture
    lanes: str | None
    level: str | None = None
    handoffs: pd.DataFrame | None = None
    pingpong: pd.DataFrame | None = None
    reintegration: pd.DataFrame | None = None
    handoff_summary: dict[str, Any] | None = None
    network_parts: NetworkParts | None = None
    reintegration_plan: pd.DataFrame | None = None
    rework: pd.DataFrame | None = None
    rework_summary: dict[str, Any] | None = None
    cases: EngineTable | None = None
    check: CheckFindings | None = None
    failure_map: MapPicture | None = None
    model: Any = None
    profile: Profile | None = None
    failure_matches: pd.DataFrame | None = None
    templates: TemplateFindings | None = None
    journeys: CustomerJourneys | None = None
    timed: list[dict[str, Any]] = field(default_factory=list)
    waiting_returns: dict[str, int] = field(default_factory=dict)
    instant_handoffs: pd.DataFrame | None = None
    work: dict[str, Any] | None = None

    @property
    def scope(self) -> MapScope:
        """What the journey map shows of the log."""
        return self.map.scope

    @cached_property
    def network(self) -> Any:
        """The hand-off network at ``level`` as a networkx DiGraph, or None."""
        return None if self.network_parts is None else self.network_parts.graph()

    @property
    def failure_activities(self) -> list[str]:
        """The activities a failure-demand pattern matched, in name order."""
        flags = self.activities.get("failure_activity")
        if flags is None:
            return []
        return sorted(self.activities.loc[flags.fillna(False).astype(bool), "activity"])

    @property
    def case_count(self) -> int:
        """The number of cases."""
        return int(self.variants["cases"].sum())

    def pm4py_dfg(self) -> Any:
        """The directly-follows graph as pm4py's DFG object (``pm4py.objects.dfg.obj.DFG``),
        to continue in pm4py: ``pm4py.discover_petri_net_inductive(findings.pm4py_dfg())``;
        functions that take the triple get ``obj.graph, obj.start_activities,
        obj.end_activities``. Imports pm4py (about 2 s) on the first call.

        Raises
        ------
        MissingDependencyError
            pm4py is not installed.
        """
        from journeymap.discovery.model_graph import dfg_object

        return dfg_object(self.dfg)


@dataclass
class Comparison:
    """Two periods (or two logs) side by side, as :func:`journeymap.compare` finds them.

    Attributes
    ----------
    before, after : the findings of each.
    labels : how to name each in words ("before", "after", or the split).
    paths : one row per directly-follows path of either: ``source``, ``target``,
        ``cases_before``, ``cases_after``, ``cases_change``, ``pct_before``,
        ``pct_after`` (the path's cases as a share of the period's), ``median_wait_before_s``,
        ``median_wait_after_s``, ``median_wait_change_s`` and ``status`` (``"both"``,
        ``"new"``: only after, ``"vanished"``: only before).
    measures : one row per headline measure: ``key``, ``measure`` (in words), ``kind``
        ("count", "pct", "duration", "ratio"), ``before``, ``after``, ``change``.
    notes : what a reader must know to trust the change: how the periods were made, and
        whether the mappings or the activities differ.
    """

    before: Findings
    after: Findings
    labels: tuple[str, str]
    paths: pd.DataFrame
    measures: pd.DataFrame
    notes: list[str] = field(default_factory=list)
