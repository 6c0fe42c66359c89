"""The systems-thinking "check" measures of a log, as part of :func:`journeymap.mine`.

Demand (value and failure), flow (single handler, one-stop, clean) and capability (XmR
charts of end-to-end time, weekly demand and weekly failure demand), computed with the
analyses of :mod:`journeymap.analysis`. Failure demand found in a log is a hypothesis to
check by listening to real demand.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.analysis.capability import (
    XmRChart,
    capability_e2e,
    weekly_share,
    weekly_volume,
)
from journeymap.analysis.demand import demand_expr, demand_summary
from journeymap.analysis.demand_tables import demand_by_week, failure_pareto
from journeymap.analysis.flow import flow_expr, flow_summary, unknown_dirty
from journeymap.analysis.period import Period, complete_period, covering_end
from journeymap.demand_rules import DemandRules
from journeymap.engine import EngineTable
from journeymap.errors import MappingError, option
from journeymap.eventlog import EventLog
from journeymap.findings import CheckFindings
from journeymap.option_sections import BY_GROUPS

__all__ = ["check"]


def check(
    log: EventLog,
    *,
    rules: DemandRules | None = None,
    dirty_activities: tuple[str, ...] = (),
    by: str | None = None,
    period: Period | None = None,
    max_points: int = 5000,
) -> CheckFindings:
    """Demand, flow and capability of ``log`` (MEASURES.md's default rules unless given).

    The capability charts cover ``period`` (default: the complete period of the log,
    :func:`~journeymap.analysis.period.complete_period`): the end-to-end chart the cases
    that start and end within it, the weekly charts its weeks. With ``by`` =
    "demand_type" or "channel", an end-to-end capability chart is also made for each
    group with at least two cases (``capability_e2e:<group>``). When most of the cases
    that started in the period ended after it (a short period against long cases), no
    end-to-end chart is made, as it would hold only the quickest: a note says so and
    names the period that charts them all.

    Raises
    ------
    ConfigError
        A rule is invalid for this log (a column it does not have, a pattern the engine
        cannot run).
    MappingError
        The rules ask for repeat contacts, or ``by`` for channels, and the role is not
        mapped.
    """
    rules = rules or DemandRules()
    period = period or complete_period(log)
    per_case_demand = EngineTable(log.engine, demand_expr(log, rules), ("case",))
    demand_totals = demand_summary(log, rules)
    weeks = demand_by_week(log, rules)
    # A week without new cases has no share of failure demand to chart.
    in_period = weeks["week"].map(period.contains_week).astype(bool)
    charted = weeks[in_period & weeks["failure_pct"].notna()]
    charts: dict[str, XmRChart] = {}
    notes = list(demand_totals.get("notes", []))
    cases = period.cases_expr(log)
    builds = {
        "capability_e2e": lambda: capability_e2e(log, cases=cases, max_points=max_points),
        "weekly_volume": lambda: weekly_volume(log, weeks=(period.start, period.end)),
        "weekly_failure_demand": lambda: weekly_share(
            charted["week"],
            charted["failure"].to_numpy(),
            (charted["value"] + charted["failure"]).to_numpy(),
            measure="failure demand",
        ),
    }
    if period.mostly_ended_after:  # a chart of the quickest cases only: none
        del builds["capability_e2e"]
        why = _quickest_only(period, covering_end(log, period))
        notes.append(f"no capability e2e chart: {why}")
    if len(charted) > 1 and not charted["failure"].any():  # 0% every week says nothing
        del builds["weekly_failure_demand"]
        notes.append(
            "no weekly failure demand chart: no case of the period is failure demand by the rules"
        )
    for name, build in builds.items():
        try:
            charts[name] = build()
        except ValueError as exc:  # fewer than two points: no chart to draw
            notes.append(f"no {name.replace('_', ' ')} chart: {exc}")
    notes += _too_few_a_week(charts)
    notes += unknown_dirty(log, dirty_activities)
    per_case_flow = EngineTable(log.engine, flow_expr(log, rules, dirty_activities), ("case",))
    flow_totals = flow_summary(log, rules, dirty_activities)
    notes += [n for n in flow_totals["notes"] if n not in notes]
    if by is not None and not period.mostly_ended_after:
        charts.update(_charts_by(log, by, per_case_demand, per_case_flow, period, notes))
    return CheckFindings(
        demand=per_case_demand,
        demand_summary=demand_totals,
        demand_by_week=weeks,
        failure_pareto=failure_pareto(log, rules),
        flow=per_case_flow,
        flow_summary=flow_totals,
        charts=charts,
        notes=notes,
        period=period,
    )


def _quickest_only(period: Period, covering: pd.Timestamp | None) -> str:
    """Why there is no end-to-end chart when most of the cases that started in the
    period ended after it, and the period to give to chart them all (``covering``: the
    day it must end on, :func:`~journeymap.analysis.period.covering_end`)."""
    first, last = period.first_day, period.last_day
    started = period.cases_in + period.ended_after
    ends = "" if covering is None else covering.strftime("%Y-%m-%d")
    return (
        f"{period.ended_after:,} of the {started:,} cases that started from {first} to "
        f"{last} ended after it, so a chart of the {period.cases_in:,} that ended within it "
        "would show only the quickest waits, not how long customers wait; give a period "
        f"that covers their ends: {option('period', f'{first}..{ends}')}"
    )


#: Under this many new cases a week on average, most weeks hold none or one: weekly
#: charts show chance, not the service (a sample of a log, or a rare kind of case).
MIN_CASES_A_WEEK = 1.0


def _too_few_a_week(charts: dict[str, XmRChart]) -> list[str]:
    """Take the weekly charts out of ``charts`` when the period's weeks average under
    :data:`MIN_CASES_A_WEEK` new cases, and say why (a note per chart taken out)."""
    volume = charts.get("weekly_volume")
    if volume is None or (mean := float(volume.points["x"].mean())) >= MIN_CASES_A_WEEK:
        return []
    weeks = len(volume.points)
    why = (
        f"{mean:.1f} new cases a week on average over {weeks:,} weeks, too few for weekly "
        "counts to show anything but chance (is the log a sample?)"
    )
    return [
        f"no {name.replace('_', ' ')} chart: {why}"
        for name in ("weekly_volume", "weekly_failure_demand")
        if charts.pop(name, None) is not None
    ]


def _charts_by(
    log: EventLog,
    by: str,
    demand: EngineTable,
    flow: EngineTable,
    period: Period,
    notes: list[str],
) -> dict[str, XmRChart]:
    """One end-to-end chart per group of cases (demand type or channel)."""
    if by not in BY_GROUPS:
        raise ValueError(f"by must be one of {', '.join(BY_GROUPS)}, not {by!r}")
    source: Any = (demand if by == "demand_type" else flow).expr
    if by not in source.columns:
        raise MappingError(
            f"{option('by', 'channel')} needs the channel role: map it with "
            f"{option('channel', 'COLUMN')}"
        )
    times = period.cases_expr(log)
    cases = times.join(source.select("case", group=source[by]), "case")
    charts: dict[str, XmRChart] = {}
    groups = log.engine.fetch(cases.select("group").distinct())["group"].dropna()
    for group in sorted(str(g) for g in groups):
        members = cases.filter(cases.group == group)
        try:
            charts[f"capability_e2e:{group}"] = capability_e2e(log, cases=members)
        except ValueError:
            notes.append(f"no end-to-end chart for {by} {group!r}: fewer than two cases")
    return charts
