"""Events in case order, each with the event that follows it: the base of every flow measure.

Within a case, events are ordered by timestamp, ties broken by their order in the source
(``source_row``). The result is an Ibis expression; nothing runs until it is aggregated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from journeymap.discovery.instants import seconds_between
from journeymap.eventlog import EventLog

__all__ = ["handler_role", "ordered_events", "transition_wait"]


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
    return log.mapping.handler_role


def ordered_events(log: EventLog, *, activities: Iterable[str] | None = None) -> Any:
    """Each event with its position in the case and the next event's activity and wait.

    Columns: ``source_row``, ``case``, ``activity``, ``timestamp`` (and
    ``start_timestamp``, ``team`` and ``resource`` when mapped), plus ``position`` (0
    for the first event of a case), ``next_activity`` (NULL for the last event),
    ``handler`` and ``next_handler`` (the event's and the next event's handler, see
    :func:`handler_role`; NULL when unknown or no handler role is mapped), ``wait_s``,
    the wait of the transition to the next event per MEASURES.md: the next event's
    timestamp minus this one's, or, when start timestamps are mapped,
    ``max(0, start(next) - timestamp(this))`` (the next event's timestamp stands in for
    a missing start), and ``wait_in_s``, the wait of the transition into this event
    from the previous one (NULL for the first event of a case).

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
    # The team and resource stay for the hand-offs (per level) and rework (redo) that
    # are derived from this table rather than ordering the events again.
    keep = ["source_row", "case", "activity", "timestamp"]
    keep += [role for role in ("start_timestamp", "team", "resource") if log.has(role)]
    role = handler_role(log)
    t = t.select(*keep, handler=t[role] if role else ibis.null().cast("string"))
    w = ibis.window(group_by=t.case, order_by=[t.timestamp, t.source_row])
    starts = log.has("start_timestamp")
    this_start = t.start_timestamp.fill_null(t.timestamp) if starts else t.timestamp
    next_timestamp = t.timestamp.lead().over(w)
    next_start = t.start_timestamp.lead().over(w).fill_null(next_timestamp) if starts else None
    return t.mutate(
        position=ibis.row_number().over(w),
        next_activity=t.activity.lead().over(w),
        next_handler=t.handler.lead().over(w),
        wait_s=transition_wait(next_start if starts else next_timestamp, t.timestamp, starts),
        wait_in_s=transition_wait(this_start, t.timestamp.lag().over(w), starts),
    )


def transition_wait(later: Any, earlier: Any, starts: bool) -> Any:
    """Ibis expression: the wait of a transition (MEASURES.md), in seconds. ``later`` is
    the later event's start (its timestamp when it has none) or, without start
    timestamps (``starts`` False), its timestamp; ``earlier`` is the earlier event's
    timestamp. With start timestamps a negative wait (overlapping work) is 0. NULL
    when either side is NULL."""
    import ibis

    raw = seconds_between(later, earlier)
    # Not GREATEST: DuckDB's skips a NULL, and a missing neighbour must stay NULL.
    return ibis.cases((raw < 0, 0.0), else_=raw) if starts else raw
