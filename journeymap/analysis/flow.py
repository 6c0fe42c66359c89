"""Flow measures: how many demands are served by one pair of hands, in one go, cleanly.

Definitions (shared/MEASURES.md, "Flow measures"):

- The measures that depend on handlers are computed over the cases with at least one
  known handler; a case with none is unknown (missing), not single-handler.
- ``single_handler``: the case has zero hand-offs (at the default handler level: team
  when mapped, else resource; see :mod:`journeymap.analysis.handoffs`).
- ``one_stop``: single_handler, no rework events, and value demand.
  one_stop_pct = one-stop cases / cases with a known handler * 100.
- ``clean``: no rework events, no ping-pong, value demand, and none of the activities
  listed as ``dirty_activities`` in the config (for example "Request information").
  clean_pct likewise.
- Coverage: the cases and events with a known handler; below 80% of events the hand-off
  figures rest on partial data, and the summary says so.

Rework events are events whose activity already occurred earlier in the case (events -
distinct activities); value demand is :mod:`journeymap.analysis.demand`. Dirty
activities are matched by exact name.

Without a team or resource role, hand-offs and ping-pong cannot be seen: then
``single_handler``, ``one_stop`` and ``clean`` are unavailable (missing values, and
None percentages with a note), rather than guessed.

Configuration::

    [flow]
    dirty_activities = ["Request information"]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from journeymap.analysis.demand import DemandRules, demand_expr, demand_notes
from journeymap.analysis.handoffs import handoffs_per_case_expr
from journeymap.analysis.journeys import case_channel_expr
from journeymap.analysis.rework import rework_per_case_expr
from journeymap.config import suggest
from journeymap.discovery.activities import activity_names_expr
from journeymap.discovery.ordering import handler_role
from journeymap.discovery.times import case_times_expr
from journeymap.eventlog import EventLog

__all__ = [
    "COVERAGE_FLOOR",
    "FLOW_COLUMNS",
    "UNKNOWN_DIRTY",
    "flow",
    "flow_expr",
    "flow_summary",
    "handler_coverage",
    "unknown_dirty",
]

FLOW_COLUMNS = [
    "case",
    "demand_type",
    "handoffs",
    "pingpongs",
    "rework_events",
    "dirty",
    "single_handler",
    "one_stop",
    "clean",
]
_MEASURES = ("single_handler", "one_stop", "clean")
_RATES = tuple(f"{m}_pct" for m in _MEASURES)
#: Below this share of events with a known handler (%), hand-off figures rest on partial
#: data and say so (MEASURES.md).
COVERAGE_FLOOR = 80.0
_NO_HANDLER = "flow measures unavailable: no team or resource role is mapped (--team)"


def _flow_expr(log: EventLog, rules: DemandRules, dirty: tuple[str, ...]) -> Any:
    import ibis

    t = log.table
    d = demand_expr(log, rules)
    rework = rework_per_case_expr(log)
    joined = d.join(rework.select("case", "rework_events"), "case")
    if dirty:
        per_case = t.group_by("case").aggregate(dirty=t.activity.isin(list(dirty)).any())
        joined = joined.join(per_case, "case")
    if log.has("channel"):
        joined = joined.join(case_channel_expr(log), "case")
    if not dirty:
        joined = joined.mutate(dirty=ibis.literal(False))
    level = handler_role(log)
    if level is None:
        null_int, null_bool = ibis.null("int64"), ibis.null("boolean")
        joined = joined.mutate(handoffs=null_int, pingpongs=null_int)
        single = one_stop = clean = null_bool
    else:
        h = handoffs_per_case_expr(log, level=level)
        joined = joined.join(h.select("case", "handoffs", "pingpongs", "handlers"), "case")
        value = ~joined.failure
        no_rework = joined.rework_events == 0
        # A case with no known handler is unknown, not single-handler (MEASURES.md).
        known = joined.handlers > 0
        null_bool = ibis.null("boolean")
        single = ibis.cases((known, joined.handoffs == 0), else_=null_bool)
        one_stop = ibis.cases((known, (joined.handoffs == 0) & no_rework & value), else_=null_bool)
        clean = ibis.cases(
            (known, no_rework & (joined.pingpongs == 0) & value & ~joined.dirty),
            else_=null_bool,
        )
    return joined.mutate(single_handler=single, one_stop=one_stop, clean=clean)


def flow(
    log: EventLog,
    rules: DemandRules | None = None,
    dirty_activities: Iterable[str] = (),
) -> pd.DataFrame:
    """Flow measures per case, sorted by case id: ``case``, ``demand_type``,
    ``handoffs`` and ``pingpongs`` (default level), ``rework_events``, ``dirty`` (has a
    dirty activity), ``single_handler``, ``one_stop``, ``clean``, and ``channel`` when
    mapped. Measures needing hand-offs are missing (``<NA>``) for a case without a known
    handler, and for every case without a handler role.

    Raises
    ------
    ConfigError, MappingError
        From the demand rules (see :func:`journeymap.analysis.demand.demand_expr`).

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2", "3", "3"],
    ...     "activity": ["Call", "Close", "Call", "Request information", "Call", "Call"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
    ...                   "2024-01-02 10:00", "2024-01-03 09:00", "2024-01-03 10:00"],
    ...     "team": ["A", "A", "A", "B", "A", "A"]}))
    >>> flow(log, dirty_activities=["Request information"])[
    ...     ["case", "single_handler", "one_stop", "clean"]]
      case  single_handler  one_stop  clean
    0    1            True      True   True
    1    2           False     False  False
    2    3            True     False  False
    """
    frame = log.engine.fetch(flow_expr(log, rules, dirty_activities))
    frame = frame.sort_values("case", kind="stable", ignore_index=True)
    frame["case"] = frame["case"].astype(str)
    frame["dirty"] = frame["dirty"].astype(bool)
    frame["rework_events"] = frame["rework_events"].astype("int64")
    for column in ("handoffs", "pingpongs"):
        frame[column] = frame[column].astype("Int64")
    for column in _MEASURES:
        frame[column] = frame[column].astype("boolean")
    return frame


def flow_expr(
    log: EventLog,
    rules: DemandRules | None = None,
    dirty_activities: Iterable[str] = (),
) -> Any:
    """:func:`flow` as an Ibis table on the engine (``mine`` writes it to CSV there).
    Computed once per log, rules and dirty activities: the summary, the charts per
    channel and the table all read it."""
    dirty = tuple(dirty_activities)
    rules = rules or DemandRules()
    columns = FLOW_COLUMNS + (["channel"] if log.has("channel") else [])
    # DemandRules is frozen and hashable, as are the dirty activities.
    return log.derived(
        f"flow_{abs(hash((rules, dirty))):x}",
        lambda: _flow_expr(log, rules, dirty).select(*columns),
    )


def _rates(log: EventLog, table: Any, group: Any = None) -> dict[Any, dict[str, Any]]:
    """Flow rates of the cases of ``table``, per value of ``group`` (an expression
    over it; None: one entry for all, keyed None), computed on the engine."""
    import ibis

    counts: dict[str, Any] = {"cases": table.count()}
    for measure in _MEASURES:
        # Through a CASE, not CAST(bool AS BIGINT), which PostgreSQL cannot do.
        counts[f"{measure}_n"] = table[measure].ifelse(1, 0).cast("int64").sum()
        counts[f"{measure}_known"] = table[measure].count()
    if group is None:
        grouped = table.aggregate(key=ibis.null("string"), **counts)
    else:
        grouped = table.group_by(key=group).aggregate(**counts)
    rates: dict[Any, dict[str, Any]] = {}
    for row in log.engine.fetch(grouped).to_dict("records"):
        cases = int(row["cases"])
        entry: dict[str, Any] = {"cases": cases}
        for measure in _MEASURES:
            known = int(row[f"{measure}_known"] or 0)
            share = 100 * float(row[f"{measure}_n"] or 0) / known if known else None
            entry[f"{measure}_pct"] = share
        entry["cases_with_handler"] = int(row["single_handler_known"] or 0)
        rates[None if group is None else str(row["key"])] = entry
    return rates


def flow_summary(
    log: EventLog,
    rules: DemandRules | None = None,
    dirty_activities: Iterable[str] = (),
) -> dict[str, Any]:
    """Flow rates: ``single_handler_pct``, ``one_stop_pct``, ``clean_pct`` (percent of
    the cases with at least one known handler; None when there are none, when no handler
    role is mapped, or when no case has two events with a known handler, where no
    hand-off can be seen), ``cases`` and ``cases_with_handler``, overall; the same per
    demand type (``by_demand_type``), per channel (``by_channel``, None without a channel
    role), and for the cases that ended and those still open (``by_state``: ``ended``
    and ``open``; None when the log does not know its end activities); ``level`` (the
    handler level); ``coverage``: ``cases`` and ``cases_pct`` with a known handler,
    ``events`` and ``events_pct`` with one, and ``partial`` (True below
    :data:`COVERAGE_FLOOR` % of events: the hand-off figures rest on partial data); and
    ``notes``.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2"], "activity": ["Call", "Close", "Call", "Chaser"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
    ...                   "2024-01-02 10:00"],
    ...     "team": ["A", "A", "A", "A"]}))
    >>> summary = flow_summary(log)
    >>> summary["single_handler_pct"], summary["one_stop_pct"], summary["clean_pct"]
    (100.0, 50.0, 50.0)
    >>> summary["by_demand_type"]["failure_activity"]["one_stop_pct"]
    0.0
    """
    expr = flow_expr(log, rules, dirty_activities)
    notes = demand_notes(log, rules)
    level = handler_role(log)
    if level is None:
        notes.append(_NO_HANDLER)
    by_type = dict(sorted(_rates(log, expr, expr.demand_type).items()))
    by_channel = None
    if log.has("channel"):
        by_channel = dict(sorted(_rates(log, expr, expr.channel.fill_null("(none)")).items()))
    overall = _rates(log, expr)[None]
    by_state = _by_state(log, expr)
    coverage = handler_coverage(log, overall)
    if coverage is not None and coverage["partial"] and not coverage["cases_seen"]:
        # No case has two events with a handler: a case's one handler says nothing of
        # whether its work passed between people, so no rate that rests on it is given.
        groups = (*by_type.values(), *(by_channel or {}).values(), *(by_state or {}).values())
        for rates in (overall, *groups):
            rates.update(dict.fromkeys(_RATES))
        notes.append(
            f"no hand-off can be seen: no case has two events with a recorded {level} (it "
            f"is recorded on {coverage['events_pct']:.1f}% of events), so single-handler, "
            "one-stop and clean cases are not given"
        )
    elif coverage is not None and coverage["partial"]:
        notes.append(
            f"the hand-off and flow figures rest on partial data: the {level} is recorded "
            f"on {coverage['events_pct']:.1f}% of events and {coverage['cases_pct']:.1f}% "
            f"of cases, on two events or more in {coverage['cases_seen_pct']:.1f}% (where "
            "a hand-off can be seen); flow measures count only the cases with a known handler"
        )
    return {
        **overall,
        "level": level,
        "coverage": coverage,
        "by_demand_type": by_type,
        "by_channel": by_channel,
        "by_state": by_state,
        "notes": notes,
    }


#: The states of a case when the log knows its end activities, in summary order.
_STATES = ("ended", "open")


def _by_state(log: EventLog, expr: Any) -> dict[str, dict[str, Any]] | None:
    """The flow rates of the cases that ended and of those still open when the log was
    exported (``ended`` and ``open``), when the log knows its end activities; None
    otherwise. The overall rates count both, as MEASURES.md defines them; but a case
    opened the day before the export, of one event so far, is single-handler and
    one-stop until someone hands it on (see the doubt on them in
    :mod:`journeymap.render.doubts`)."""
    if log.end_activities is None:
        return None
    times = case_times_expr(log).select("case", "open")
    joined = expr.join(times, "case")
    found = _rates(log, joined, joined.open.ifelse("open", "ended"))
    none: dict[str, Any] = {"cases": 0, **dict.fromkeys(_RATES), "cases_with_handler": 0}
    return {state: found.get(state, none) for state in _STATES}


def handler_coverage(log: EventLog, overall: dict[str, Any]) -> dict[str, Any] | None:
    """How much of the log has a known handler (team, else resource): ``cases`` and
    ``cases_pct``, ``events`` and ``events_pct``, and ``partial`` (events_pct below
    :data:`COVERAGE_FLOOR`); when partial, also ``cases_seen`` and ``cases_seen_pct``:
    the cases with two or more events with a known handler, the only ones where a
    hand-off can be seen. None without a handler role."""
    level = handler_role(log)
    if level is None:
        return None
    t = log.table
    known = int(log.engine.scalar(t[level].count()))
    events, cases = log.events, overall["cases"]
    events_pct = 100 * known / events if events else 0.0
    coverage = {
        "cases": overall["cases_with_handler"],
        "cases_pct": 100 * overall["cases_with_handler"] / cases if cases else 0.0,
        "events": known,
        "events_pct": events_pct,
        "partial": events_pct < COVERAGE_FLOOR,
    }
    if coverage["partial"]:
        per_case = t.filter(t[level].notnull()).group_by(t.case).aggregate(n=t.case.count())
        seen = int(log.engine.scalar(per_case.filter(per_case.n >= 2).count()))
        coverage.update(cases_seen=seen, cases_seen_pct=100 * seen / cases if cases else 0.0)
    return coverage


#: How a note on a dirty activity that no event has begins (a doubt: see
#: :attr:`~journeymap.findings.CheckFindings.doubts`).
UNKNOWN_DIRTY = "dirty activity"


def unknown_dirty(log: EventLog, dirty: tuple[str, ...]) -> list[str]:
    """A note for each dirty activity no event has (a misspelt name): it makes no case
    unclean, and the clean share is higher than the user meant (:data:`UNKNOWN_DIRTY`,
    a doubt too). The closest activity of the log is suggested."""
    if not dirty:
        return []
    names = log.engine.fetch(activity_names_expr(log))["activity"].dropna()
    known = sorted(str(a) for a in names)
    present = set(known)
    return [
        f"{UNKNOWN_DIRTY} {a!r} is no activity of this log{suggest(a, known)}: it makes no "
        "case unclean, so the clean share is as if it were not listed; check the name in "
        "[flow] dirty_activities"
        for a in dirty
        if a not in present
    ]
