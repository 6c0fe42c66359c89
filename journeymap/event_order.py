"""Events in case order, each with the event that follows it: the base of every flow
measure, and of the count of repeated states made when a log is read.

Within a case, events are ordered by timestamp, ties broken by their order in the source
(``source_row``). The results are Ibis expressions; nothing runs until they are used.
:func:`journeymap.discovery.ordering.ordered_events` is the analyses' way in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["events_in_order", "mean_seconds", "seconds_between", "sum_seconds", "transition_wait"]


def events_in_order(
    t: Any,
    *,
    handler: str | None,
    has: Callable[[str], bool],
    previous_known: Callable[..., Any] | None = None,
) -> Any:
    """Ibis expression: the events of table ``t`` in case order, with their position in
    the case and the next event's activity, handler and wait (columns as
    :func:`~journeymap.discovery.ordering.ordered_events` lists them). ``handler`` is
    the handler role (team, else resource, or None); ``has`` tells whether a role is
    mapped.

    With ``previous_known`` (the engine's
    :meth:`~journeymap.engine.base.Engine.previous_known`, when it has one), each event
    also gets, per mapped handler level (team, resource), the last earlier event of its
    case whose handler at that level is known: its handler (``prev_team``) and its
    timestamp (``prev_team_timestamp``), and the same for ``resource``; NULL when there
    is none. The hand-offs of each level are then a filter of these events, not another
    ordering.
    """
    import ibis

    # Only what the flow measures read: this table is as long as the log.
    # The team and resource stay for the hand-offs (per level) and rework (redo) that
    # are derived from this table rather than ordering the events again.
    keep = ["source_row", "case", "activity", "timestamp"]
    keep += [role for role in ("start_timestamp", "team", "resource") if has(role)]
    keep += ["channel"] if has("channel") else []  # a case's channel: its first event's
    t = t.select(*keep, handler=t[handler] if handler else ibis.null().cast("string"))
    w = ibis.window(group_by=t.case, order_by=[t.timestamp, t.source_row])
    starts = has("start_timestamp")
    this_start = t.start_timestamp.fill_null(t.timestamp) if starts else t.timestamp
    next_timestamp = t.timestamp.lead().over(w)
    next_start = t.start_timestamp.lead().over(w).fill_null(next_timestamp) if starts else None
    looked_back: dict[str, Any] = {}
    if previous_known is not None:
        for level in (lv for lv in ("team", "resource") if has(lv)):
            known_at = ibis.ifelse(t[level].notnull(), t.timestamp, None)
            for name, value in ((f"prev_{level}", t[level]), (f"prev_{level}_timestamp", known_at)):
                looked_back[name] = previous_known(
                    value, group_by=t.case, order_by=[t.timestamp, t.source_row]
                )
    if any(column is None for column in looked_back.values()):
        looked_back = {}  # the engine cannot skip NULLs in a window
    previous_timestamp = t.timestamp.lag().over(w)
    return t.mutate(
        position=ibis.row_number().over(w),
        tied=((t.timestamp == next_timestamp) | (t.timestamp == previous_timestamp)).fill_null(
            False
        ),
        next_activity=t.activity.lead().over(w),
        next_handler=t.handler.lead().over(w),
        wait_s=transition_wait(next_start if starts else next_timestamp, t.timestamp, starts),
        wait_in_s=transition_wait(this_start, previous_timestamp, starts),
        **looked_back,
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


def seconds_between(later: Any, earlier: Any) -> Any:
    """Ibis expression: seconds from ``earlier`` to ``later`` (timestamps), as a float,
    exact to the microsecond on every engine (epoch seconds lose the fraction on Spark)."""
    from journeymap.engine.microseconds import microseconds_between

    return microseconds_between(later, earlier).cast("float64") / 1e6


def mean_seconds(seconds: Any) -> Any:
    """Ibis expression: the mean of a column of seconds (exact to the microsecond, as
    :func:`seconds_between` gives them), the same however the engine splits the rows
    between its threads. Floats summed in another order differ in their last bits, and
    a mean that falls on a rounding tie (2140.8095 s) was written 2140.809 in one run
    and 2140.810 in the next; whole microseconds summed as 38-digit decimals are exact.
    """
    return _microseconds(seconds).mean().cast("float64") / 1e6


def sum_seconds(seconds: Any, where: Any = None) -> Any:
    """Ibis expression: the sum of a column of seconds (of the rows ``where`` holds),
    exact and the same in every run, as :func:`mean_seconds` (tables ordered by a total
    wait kept two rows in a different order from one run to the next)."""
    return _microseconds(seconds).sum(where=where).cast("float64") / 1e6


def _microseconds(seconds: Any) -> Any:
    import ibis.expr.datatypes as dt

    return (seconds * 1e6).round().cast(dt.Decimal(38, 0))
