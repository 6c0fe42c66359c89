"""Events in case order, each with the event that follows it: the base of every flow measure.

Within a case, events are ordered by timestamp, ties broken by their order in the source
(``source_row``). The result is an Ibis expression; nothing runs until it is aggregated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from journeymap.event_order import events_in_order, transition_wait
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
    ``start_timestamp``, ``team``, ``resource`` and ``channel`` when mapped), plus
    ``position`` (0 for the first event of a case), ``tied`` (another event of the case
    has the same timestamp), ``next_activity`` (NULL for the last event),
    ``handler`` and ``next_handler`` (the event's and the next event's handler, see
    :func:`handler_role`; NULL when unknown or no handler role is mapped), ``wait_s``,
    the wait of the transition to the next event per MEASURES.md: the next event's
    timestamp minus this one's, or, when start timestamps are mapped,
    ``max(0, start(next) - timestamp(this))`` (the next event's timestamp stands in for
    a missing start), and ``wait_in_s``, the wait of the transition into this event
    from the previous one (NULL for the first event of a case). Without
    ``activities``, on an engine that can look back past NULLs in a window (DuckDB,
    Spark), each mapped handler level adds the last earlier event with a known handler
    at that level: its handler and timestamp, ``prev_team`` and ``prev_team_timestamp``
    (and the same for ``resource``); see :func:`journeymap.event_order.events_in_order`.

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
        return log.ordered()
    t = log.table
    t = t.filter(t.activity.isin(sorted(set(activities))))
    return events_in_order(t, handler=handler_role(log), has=log.has)
