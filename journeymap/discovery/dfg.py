"""The directly-follows graph (DFG), computed on the engine."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from journeymap.discovery.ordering import handler_role, ordered_events
from journeymap.discovery.rework_events import repeated_transitions
from journeymap.event_order import mean_seconds
from journeymap.eventlog import EventLog

__all__ = ["DFG_COLUMNS", "END", "HANDOFF_COLUMN", "START", "dfg", "timed_transitions"]

#: Reserved node names of start and end edges.
START, END = "__start__", "__end__"
DFG_COLUMNS = ["source", "target", "events", "cases", "mean_wait_s", "median_wait_s", "p90_wait_s"]
#: Added when the log has a handler (team or resource): hand-offs on the edge.
HANDOFF_COLUMN = "handoffs"


def dfg(log: EventLog, *, activities: Iterable[str] | None = None) -> pd.DataFrame:
    """The directly-follows graph: one row per edge ``source -> target``.

    An edge a -> b exists for every pair of activities that occur as a transition
    (two consecutive events of one case). Per edge: ``events`` (number of transitions),
    ``cases`` (distinct cases with at least one), and the ``mean``, ``median`` and
    ``p90`` of the transitions' waits in seconds (see
    :func:`~journeymap.discovery.ordering.ordered_events`; median and p90 interpolate
    between values, as numpy does). Start edges ``__start__ -> a`` count the cases that
    begin with a, end edges ``a -> __end__`` those that end with a; their waits are NaN.

    When a team or resource is mapped, a column ``handoffs`` counts the edge's
    transitions whose two events both have a known handler (team, else resource) and
    whose handlers differ (0 on start and end edges).

    Rows are sorted by source, then target (start edges first, end edges last).

    Parameters
    ----------
    log : the event log.
    activities : compute the graph over the events of these activities only.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "2", "2"],
    ...     "activity": ["Log", "Fix", "Close", "Log", "Close"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 12:00",
    ...                   "2024-01-02 09:00", "2024-01-02 09:30"]}))
    >>> dfg(log)[["source", "target", "events", "cases", "median_wait_s"]]
          source   target  events  cases  median_wait_s
    0  __start__      Log       2      2            NaN
    1        Fix    Close       1      1         7200.0
    2        Log    Close       1      1         1800.0
    3        Log      Fix       1      1         3600.0
    4      Close  __end__       2      2            NaN
    """
    ev = ordered_events(log, activities=activities)
    # One pass: a case's last event (no next activity) gives its end edge, its first
    # (position 0) its start edge; the other rows are the transitions.
    every_event = activities is None
    grouped = ev.group_by(source=ev.activity, target=ev.next_activity).aggregate(
        events=ev.count(),
        # Over every event, an edge's cases are its transitions less those that repeat
        # one made before in the case (found among the few events of activities that
        # recur in their case): a distinct count over every event took twice as long
        # as the rest of this pass (1.3 s against 0.7 s at 10M events).
        **({} if every_event else {"cases": ev.case.nunique()}),
        mean_wait_s=mean_seconds(ev.wait_s),
        median_wait_s=ev.wait_s.median(),
        p90_wait_s=ev.wait_s.quantile(0.9),
        handoffs=(ev.handler != ev.next_handler).fill_null(False).sum(),
        starts=(ev.position == 0).sum(),
    )
    if every_event:
        again = repeated_transitions(log)
        joined = grouped.left_join(
            again,
            [
                grouped.source == again.repeated_source,
                grouped.target == again.repeated_target,
            ],
        )
        grouped = joined.mutate(cases=joined.events - joined.repeats.fill_null(0)).drop(
            "repeated_source", "repeated_target", "repeats"
        )
    found = log.engine.fetch(grouped)
    ends = found["target"].isna()
    edges = found[~ends].drop(columns="starts")
    end_edges = found.loc[ends, ["source", "events"]].assign(target=END)
    firsts = found.groupby("source", sort=False)["starts"].sum()
    firsts = firsts[firsts > 0]
    start_edges = pd.DataFrame(
        {"source": START, "target": firsts.index.astype(str), "events": firsts.to_numpy()}
    )
    for frame in (start_edges, end_edges):
        frame["cases"] = frame["events"]  # a case starts (ends) exactly once
    table = pd.concat([_sorted(start_edges), _sorted(edges), _sorted(end_edges)], ignore_index=True)
    table["handoffs"] = table["handoffs"].fillna(0)
    for column in ("events", "cases", "handoffs"):
        table[column] = table[column].astype("int64")
    for column in ("mean_wait_s", "median_wait_s", "p90_wait_s"):
        table[column] = table[column].astype("float64")
    columns = DFG_COLUMNS + ([HANDOFF_COLUMN] if handler_role(log) else [])
    return table.reindex(columns=columns)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    # Python's sort on code points: the same order on every engine and machine.
    keys = sorted(zip(frame["source"], frame["target"], range(len(frame)), strict=True))
    return frame.iloc[[k[2] for k in keys]]


#: A transition looks timed (an automatic close, a fixed follow-up) when its commonest
#: wait, to within an hour and a half, is a day or more and holds at least TIMER_SHARE of its
#: transitions, and at least TIMER_MIN_CASES cases (and TIMER_MIN_SHARE of all cases)
#: take it; or, in fewer cases than that but at least TIMER_FEW_CASES, when every one of
#: its transitions takes that wait (four incidents each closed 72 hours after they were
#: resolved: a small extract says so too).
TIMER_SHARE = 0.25
TIMER_MIN_WAIT_S = 86400.0
TIMER_MIN_CASES = 20
TIMER_MIN_SHARE = 0.1
TIMER_FEW_CASES = 3


def timed_transitions(log: EventLog, table: pd.DataFrame, cases: int) -> list[dict[str, Any]]:
    """The edges of a DFG (``table``, from :func:`dfg`) whose waits look set by a clock
    or a rule rather than by work or customers: a quarter or more of them the same, to
    within an hour, and a day or more (a ticket closed automatically 15 days after it
    is resolved). Each: ``source``, ``target``, ``events``, ``timed`` (the transitions
    whose wait is within an hour of the commonest) and ``wait_s`` (the commonest wait,
    to the hour). Most first. An edge of fewer cases (:data:`TIMER_FEW_CASES` or more)
    is timed when all its waits are. Only the edges that could be timed are read: one pass
    over the events in case order, none when no edge waits a day at its 90th
    percentile.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> ends = [f"2024-02-{d:02d} 09:00" if d < 8 else f"2024-01-{d:02d} {10 + d % 8:02d}:00"
    ...         for d in range(1, 25)]
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": [str(i) for i in range(24) for _ in range(2)],
    ...     "activity": ["Resolve", "Closed"] * 24,
    ...     "timestamp": [t for d, e in zip(range(1, 25), ends)
    ...                   for t in (f"2024-01-{d:02d} 09:00", e)]}))
    >>> timed_transitions(log, dfg(log), 24)  # 7 of 24 closed 31 days after; 17 the same day
    [{'source': 'Resolve', 'target': 'Closed', 'events': 24, 'timed': 7, 'wait_s': 2678400.0}]
    """
    import ibis

    floor = max(TIMER_MIN_CASES, TIMER_MIN_SHARE * cases)
    real = (table["source"] != START) & (table["target"] != END)
    few = max(TIMER_FEW_CASES, TIMER_MIN_SHARE * cases)  # then every transition timed
    found = table[real & (table["p90_wait_s"] >= TIMER_MIN_WAIT_S) & (table["cases"] >= few)]
    if found.empty:
        return []
    ev = ordered_events(log)
    edges = list(zip(found["source"], found["target"], found["events"], strict=True))
    many = [bool(n >= floor) for n in found["cases"]]  # else every transition timed
    edge = ibis.cases(
        *[((ev.activity == a) & (ev.next_activity == b), i) for i, (a, b, _) in enumerate(edges)],
        else_=-1,
    )
    picked = ev.mutate(edge=edge).filter(lambda t: t.edge >= 0)
    hours = (picked.wait_s / 3600.0).round().cast("int64")
    counts = log.engine.fetch(
        picked.group_by(["edge", hours.name("hour")]).aggregate(n=picked.count())
    )
    out = []
    for i, (a, b, events) in enumerate(edges):
        per_hour = counts[counts["edge"] == i].set_index("hour")["n"]
        if per_hour.empty:
            continue
        # The commonest hour (the earlier on a tie) with its neighbours: within an hour.
        top = int(sorted(per_hour.index, key=lambda h: (-per_hour[h], h))[0])
        timed = int(per_hour.reindex([top - 1, top, top + 1]).fillna(0).sum())
        share = TIMER_SHARE if many[i] else 1.0
        if top * 3600.0 >= TIMER_MIN_WAIT_S and timed >= share * int(events):
            out.append({"source": a, "target": b, "events": int(events), "timed": timed,
                        "wait_s": top * 3600.0})  # fmt: skip
    return sorted(out, key=lambda e: (-e["timed"], e["source"], e["target"]))
