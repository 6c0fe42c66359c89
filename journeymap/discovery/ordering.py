"""Events in case order, each with the event that follows it: the base of every flow measure.

Within a case, events are ordered by timestamp, ties broken by their order in the source
(``source_row``). The result is an Ibis expression; nothing runs until it is aggregated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from journeymap.analysis.time import seconds_between
from journeymap.eventlog import EventLog

__all__ = ["handler_role", "ordered_events"]


def handler_role(log: EventLog) -> str | None:
    """The role that says who handles an event: team when mapped, otherwise resource.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case": ["1"], "activity": ["a"],
    ...     "timestamp": ["2024-01-01"], "resource": ["ann"]}))
    >>> handler_role(log)
    'resource'
    """
    for role in ("team", "resource"):
        if log.has(role):
            return role
    return None


def ordered_events(log: EventLog, *, activities: Iterable[str] | None = None) -> Any:
    """Each event with its position in the case and the next event's activity and wait.

    Columns: ``source_row``, ``case``, ``activity``, ``timestamp`` (and
    ``start_timestamp`` when mapped), plus ``position`` (0 for the first event of a
    case), ``next_activity`` (NULL for the last event), ``handler`` and
    ``next_handler`` (the event's and the next event's handler, see
    :func:`handler_role`; NULL when unknown or no handler role is mapped), and ``wait_s``,
    the wait of the transition to the next event per MEASURES.md: the next event's
    timestamp minus this one's, or, when start timestamps are mapped,
    ``max(0, start(next) - timestamp(this))`` (the next event's timestamp stands in for
    a missing start).

    Parameters
    ----------
    log : the event log.
    activities : keep only events of these activities first (the map's abstraction:
        events of other activities are left out and their neighbours become directly
        following).

    Without ``activities`` the result is computed once per log and kept on the engine
    (the ordering is the most expensive step of most analyses).
    """
    if activities is None:
        return log.derived("ordered", lambda: _ordered(log, None))
    return _ordered(log, activities)


def _ordered(log: EventLog, activities: Iterable[str] | None) -> Any:
    import ibis

    t = log.table
    if activities is not None:
        t = t.filter(t.activity.isin(sorted(set(activities))))
    # Only what the flow measures read: this table is as long as the log.
    keep = ["source_row", "case", "activity", "timestamp"]
    role = handler_role(log)
    handler = t[role] if role else ibis.null().cast("string")
    t = t.select(
        *keep,
        *(["start_timestamp"] if log.has("start_timestamp") else []),
        handler=handler,
    )
    w = ibis.window(group_by=t.case, order_by=[t.timestamp, t.source_row])
    next_timestamp = t.timestamp.lead().over(w)
    columns: dict[str, Any] = {
        "position": ibis.row_number().over(w),
        "next_activity": t.activity.lead().over(w),
        "next_handler": t.handler.lead().over(w),
        "next_timestamp": next_timestamp,
    }
    if log.has("start_timestamp"):
        next_start = t.start_timestamp.lead().over(w).fill_null(next_timestamp)
        columns["next_start"] = next_start
    ev = t.mutate(**columns)
    if log.has("start_timestamp"):
        raw = seconds_between(ev.next_start, ev.timestamp)
        wait = ibis.greatest(raw, ibis.literal(0.0))
    else:
        wait = seconds_between(ev.next_timestamp, ev.timestamp)
    return ev.mutate(wait_s=wait).drop(
        *(c for c in ("next_timestamp", "next_start") if c in ev.columns)
    )
