"""The main job, computed: from an event log to its :class:`~journeymap.findings.Findings`.

:func:`mine` runs the discovery and the analyses on the engine and returns small tables,
charts and numbers; it writes nothing (:func:`journeymap.write_outputs` does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from journeymap.analysis.cases import case_table_expr
from journeymap.analysis.demand import customer_guessed_as_accounts
from journeymap.analysis.demand_tables import failure_matches
from journeymap.analysis.handoffs import LEVELS, handoff_summary, handoffs, pingpong
from journeymap.analysis.journeys import customer_journey_log, journey_summary
from journeymap.analysis.network import handler_stats, instant_handoffs, network_parts
from journeymap.analysis.period import complete_period
from journeymap.analysis.profile import profile
from journeymap.analysis.reintegration import reintegration
from journeymap.analysis.reintegration_plan import reintegration_plan
from journeymap.analysis.rework import returns_from_waiting, rework, rework_summary
from journeymap.discovery.activities import LANE_ROLES, activity_stats
from journeymap.discovery.dfg import dfg, timed_transitions
from journeymap.discovery.ordering import handler_role
from journeymap.discovery.simplify import MapScope, choose_activities, choose_paths
from journeymap.discovery.times import case_times_expr, end_to_end_summary, work_and_waiting
from journeymap.discovery.variants import case_variants_expr, variants
from journeymap.engine import EngineTable
from journeymap.errors import EmptyLogError, MappingError, expect, option
from journeymap.eventlog import EventLog
from journeymap.findings import CheckFindings, Findings, MapPicture
from journeymap.interrupts import steps
from journeymap.options import Options
from journeymap.pipeline.check import check
from journeymap.pipeline.end_activities import check_end_activities, mostly_open
from journeymap.pipeline.reading import check_read_with
from journeymap.pipeline.templates import check_templates

__all__ = ["Progress", "mine"]

Progress = Callable[[str], None]


def mine(
    log: EventLog,
    options: Options | None = None,
    *,
    progress: Progress | None = None,
    **map_options: Any,
) -> Findings:
    """Discover how the work flows in ``log`` and what the check phase asks for.

    Computes, on the engine: the directly-follows graph, activities, variants and
    end-to-end times; hand-offs, ping-pong and reintegration candidates at each handler
    level, and the hand-off network and reintegration plan at the findings' level;
    rework; the per-case table; demand, flow and capability charts; the journey map's
    scope (and the failure-demand map for the report); with journey templates, each
    case's conformance to its template; and, if asked, a formal model (pm4py). Nothing
    is written: :func:`journeymap.write_outputs` writes the findings.

    Parameters
    ----------
    log : the event log.
    options : everything the run can be told (:class:`~journeymap.options.Options`):
        the demand rules, the dirty activities, what the map shows, the report.
    progress : called with a short message before each step.
    **map_options : shortcuts for ``options.map`` (``lanes="none"``, ``model=...``).

    Raises
    ------
    EmptyLogError
        Every row of the log was rejected: there is nothing to mine.
    MappingError
        A role the options need (lanes, charts by channel, repeat contacts) is not mapped.
    ConfigError
        An option or a demand rule is invalid.

    Examples
    --------
    >>> import journeymap as jm
    >>> with jm.read_log("sample_logs/service_desk.csv") as log:
    ...     findings = jm.mine(log, lanes="none")
    ...     findings.case_count, findings.level, findings.map.scope.activities_total
    (1350, 'team', 34)
    """
    expect(log, EventLog, "mine()'s log", "read the file with jm.read_log(path)")
    expect(options, (Options, type(None)), "mine()'s options", "load a config file with "
           "jm.load_options(path)")  # fmt: skip
    log.check_open()
    if options is not None:
        check_read_with(log, options)
    if log.events == 0:
        raise EmptyLogError(
            f"{log.source}: no events to mine: {log.read_counts.rejected_of()} were rejected "
            f"({', '.join(log.rejected_by_reason())}); see log.rejects()"
        )
    say = steps(progress)  # raises a noted interrupt at each step
    options = (options or Options()).replace(map=map_options)
    chosen = options.map
    journeys = None
    guessed = log.has("customer") and customer_guessed_as_accounts(log, options.demand)
    if log.has("customer") and (not guessed or chosen.journeys == "customer"):
        say("customer journeys")
        journeys = journey_summary(log, options.demand)
    if chosen.journeys == "customer":
        if journeys is None:
            raise MappingError(
                f"{option('journeys', 'customer')} maps customer journeys, which need the "
                f"customer role; map it with {option('customer', 'COLUMN')}"
            )
        log = customer_journey_log(log, options.demand)
    lanes = _lanes(log, chosen.lanes)

    say("directly-follows graph")
    full_dfg = dfg(log)
    end_notes = check_end_activities(log, full_dfg)
    say("activities")
    activities = activity_stats(log, lanes=lanes)
    say("variants")
    variant_table = variants(log)
    say("end-to-end times")
    e2e = end_to_end_summary(log)
    end_notes += mostly_open(log, full_dfg, e2e)
    work = work_and_waiting(log)
    timed = timed_transitions(log, full_dfg, log.cases)
    span = case_times_expr(log)
    bounds = log.engine.fetch(span.aggregate(start=span.start.min(), end=span.end.max())).iloc[0]

    # Per-case variant ranks are kept; the per-case activity sequences are not.
    case_variants_expr(log)
    log.release("sequences")

    level = handler_role(log)
    flows: dict[str, Any] = {}
    if level is not None:
        matrices, pairs = [], []
        for lv in (lv for lv in LEVELS if log.has(lv)):
            say(f"hand-offs and ping-pong ({lv} level)")
            matrices.append(handoffs(log, level=lv))
            pairs.append(pingpong(log, level=lv))
            if lv == level:
                flows["handoff_summary"] = handoff_summary(log, level=level)
                flows["instant_handoffs"] = instant_handoffs(log, level=level)
                say("reintegration candidates")
                flows["reintegration"] = reintegration(log, level=level)
                say("hand-off network and reintegration plan")
                network = network_parts(
                    matrices[-1], pairs[-1], handler_stats(log, level=level), level=level
                )
                flows["network_parts"] = network
                flows["reintegration_plan"] = reintegration_plan(
                    log,
                    level=level,
                    max_group=options.reintegration.max_group,
                    min_join_share=options.reintegration.min_join_share,
                    network=network,
                )
            # One level's known-handler sequence at a time on the engine.
            log.release(f"handlers_{lv}", f"pingpong_events_{lv}")
        flows["handoffs"] = pd.concat(matrices, ignore_index=True)
        flows["pingpong"] = pd.concat(pairs, ignore_index=True)
    say("rework")
    rework_table = rework(log)
    rework_totals = rework_summary(log, rework_table)
    waited = returns_from_waiting(log, activities["activity"])
    activities = _with_rework_share(activities, rework_table)
    say("cases")
    cases = EngineTable(log.engine, case_table_expr(log, level=level), ("case_id",))
    templates = None
    if options.templates.templates or chosen.template is not None:
        say("journey templates")
        templates = check_templates(log, options)
    say("data quality")
    quality = profile(log, activities=activities)  # reads the events in case order (ties)
    if journeys is not None:  # the ids inspect counts, beside the customers with journeys
        journeys.customer_ids = quality.customers
    # What is left reads per-case tables: free the per-event ones. A map of some of the
    # cases (a demand type's, the report's failure-demand map) filters the events in
    # case order and their rework flags: they stay until the maps are made.
    some_cases = chosen.demand != "all" or options.output.report
    if not some_cases:
        log.release("rework_flags", "ordered")
    say("demand, flow and capability")
    checked = check(
        log,
        rules=options.demand,
        dirty_activities=options.flow.dirty_activities,
        by=chosen.by,
        period=complete_period(log, given=options.check.period),
        max_points=options.check.max_points,
    )
    checked.notes += end_notes  # doubts too (CheckFindings.doubts)
    matches = failure_matches(log, options.demand)
    # The activities some failure pattern matched (matching_activities), read from the
    # table of matches rather than found again over the events.
    failing = set(matches["activity"])
    activities = activities.assign(failure_activity=activities["activity"].isin(failing))

    say("journey map")
    picture = _map(log, chosen.demand, full_dfg, activities, checked, lanes, options)
    failure_map = None
    if options.output.report:
        failure_map = _failure_map(log, checked, activities, picture, lanes, options)
    log.release("rework_flags", "ordered")
    built = None
    if chosen.model != "none":
        say(f"{chosen.model} model (pm4py)")
        from journeymap.discovery.models import heuristics_model, inductive_model

        built = (inductive_model if chosen.model == "inductive" else heuristics_model)(full_dfg)
    return Findings(
        log=log,
        options=options,
        dfg=full_dfg,
        activities=activities,
        variants=variant_table,
        end_to_end=e2e,
        timed=timed,
        waiting_returns=waited,
        start=bounds["start"],
        end=bounds["end"],
        map=picture,
        lanes=lanes,
        level=level,
        rework=rework_table,
        rework_summary=rework_totals,
        cases=cases,
        check=checked,
        failure_map=failure_map,
        model=built,
        profile=quality,
        failure_matches=matches,
        templates=templates,
        journeys=journeys,
        work=work,
        **flows,
    )


def _map(
    log: EventLog,
    subset: str,
    full_dfg: pd.DataFrame,
    activities: pd.DataFrame,
    checked: CheckFindings,
    lanes: str | None,
    options: Options,
) -> MapPicture:
    """The journey map: the demand asked for, abstracted to a readable size."""
    map_log, map_all_dfg, map_all_activities = log, full_dfg, activities
    if subset != "all":
        wanted = checked.demand_cases(failure=subset == "failure")
        map_log = log.only_cases(wanted, label=f"{subset} demand")
        map_all_dfg = dfg(map_log)
        map_all_activities = _subset_activities(map_log, activities, lanes)
    shown = choose_activities(
        map_all_activities,
        pct=options.map.activities_pct,
        max_activities=options.map.max_activities,
    )
    everything = len(shown) == len(map_all_activities)
    shown_dfg = map_all_dfg if everything else dfg(map_log, activities=shown)
    map_dfg = choose_paths(shown_dfg, pct=options.map.paths_pct)
    map_activities = map_all_activities[map_all_activities["activity"].isin(shown)]
    map_activities = map_activities.reset_index(drop=True)
    label = None if subset == "all" else f"{subset} demand"
    return _picture(map_log, map_dfg, map_activities, len(map_all_dfg), len(map_all_activities),
                    label)  # fmt: skip


def _failure_map(
    log: EventLog,
    checked: CheckFindings,
    activities: pd.DataFrame,
    picture: MapPicture,
    lanes: str | None,
    options: Options,
) -> MapPicture | None:
    """The journey map of the failure-demand cases only, over the activities the main
    map shows, its paths abstracted as the main map's are (None without failure
    demand)."""
    subset = log.only_cases(checked.demand_cases(failure=True), label="failure demand")
    if subset.events == 0:
        return None
    stats = _subset_activities(subset, activities, lanes)
    shown = stats["activity"].isin(set(picture.activities["activity"]))
    stats = stats[shown].reset_index(drop=True)
    edges = dfg(subset, activities=None if shown.all() else sorted(set(stats["activity"])))
    drawn = choose_paths(edges, pct=options.map.paths_pct)
    return _picture(subset, drawn, stats, len(edges), len(stats), "failure demand")


def _picture(
    log: EventLog,
    edges: pd.DataFrame,
    activities: pd.DataFrame,
    paths_total: int,
    activities_total: int,
    subset: str | None,
) -> MapPicture:
    """What a map of ``log`` draws, and what it shows of it."""
    scope = MapScope(
        activities_shown=len(activities),
        activities_total=activities_total,
        paths_shown=len(edges),
        paths_total=paths_total,
        events_shown=int(activities["events"].sum()),
        events_total=log.events,
        subset=subset,
    )
    return MapPicture(edges, activities, scope, cases=int(log.cases))


def _subset_activities(
    subset: EventLog, activities: pd.DataFrame, lanes: str | None
) -> pd.DataFrame:
    """The activities of some of the cases (one demand's), with the rework shares of
    those cases, as the map of them says (``↻ 29% rework``), and whether a failure
    pattern matches each (a property of its name, read from the whole log's table)."""
    own = _with_rework_share(activity_stats(subset, lanes=lanes), rework(subset))
    flags = activities.set_index("activity")[["failure_activity"]]
    return own.join(flags, on="activity")


def _with_rework_share(activities: pd.DataFrame, rework_table: pd.DataFrame) -> pd.DataFrame:
    """Activities with ``rework_pct``: the share of their events that are rework, %."""
    repeats = rework_table.set_index("activity")["repeat_events"]
    out = activities.copy()
    out["rework_pct"] = [
        100 * repeats.get(a, 0) / n if n else 0.0
        for a, n in zip(out["activity"], out["events"], strict=True)
    ]
    return out


def _lanes(log: EventLog, lanes: str) -> str | None:
    """The role the lanes show: ``auto`` is team when mapped, else none."""
    if lanes == "auto":
        return "team" if log.has("team") else None
    if lanes == "none":
        return None
    if lanes not in LANE_ROLES:
        raise ValueError(f"lanes must be one of auto, {', '.join(LANE_ROLES)}, none")
    if not log.has(lanes):
        raise MappingError(
            f"{option('lanes', lanes)}: the {lanes} role is not mapped; map it with "
            f"{option(lanes, 'COLUMN')} or choose another lane"
        )
    return lanes
