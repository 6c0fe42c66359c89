"""The events of activities that occur more than once in their case, flagged once per log.

Only such an event can be rework, a redo or a self-loop, and only such events can
repeat a transition that their case made before. In service logs they are a few in a
hundred, so the flags are kept on the engine for the rework measures
(:mod:`journeymap.analysis.rework`), and the directly-follows graph and the activity
table count distinct cases from them instead of with a distinct count over every event.
"""

from __future__ import annotations

from typing import Any

from journeymap.discovery.ordering import ordered_events
from journeymap.eventlog import EventLog

__all__ = ["repeated_transitions", "rework_events_per_activity", "rework_flags"]


def rework_flags(log: EventLog) -> Any:
    """Ibis expression, one row per event of an activity that occurs more than once in
    its case (every other event is no rework, redo or self-loop): ``case``,
    ``activity``, ``position`` (in the case), ``next_activity`` (NULL for the last event
    of a case), ``rework``,
    ``redo``, ``redo_seen`` (a rework event whose occurrence and the one before both
    have a resource: whether it is a redo can be told), ``self_loop``, ``second``
    (booleans; ``second`` marks the activity's
    second occurrence in the case, one per case with rework of it) and ``wait_in_s``
    (the wait of the transition into the event; NULL for the first event of a case).
    Computed once per log and kept on the engine.
    """
    return log.derived("rework_flags", lambda: _flags(log))


def _flags(log: EventLog) -> Any:
    import ibis

    ev = ordered_events(log)
    if not log.has("resource"):
        ev = ev.mutate(resource=ibis.null("string"))
    # A self-loop repeats its activity too, so all three flags live in these events.
    pairs = ev.group_by(["case", "activity"]).aggregate(occurrences=ev.count())
    repeated = pairs.filter(pairs.occurrences > 1).select("case", "activity")
    ev = ev.semi_join(repeated, ["case", "activity"])
    # Same case and activity, in case order: the previous occurrence of the activity.
    in_activity = ibis.window(group_by=[ev.case, ev.activity], order_by=ev.position)
    ev = ev.mutate(
        occurrence=ibis.row_number().over(in_activity),
        previous_resource=ev.resource.lag().over(in_activity),
    )
    # Whether a redo can be told: both occurrences have a resource.
    seen = (ev.occurrence > 0) & ev.resource.notnull() & ev.previous_resource.notnull()
    redo = seen & (ev.resource != ev.previous_resource)
    return ev.select(
        "case",
        "activity",
        "position",
        "next_activity",
        rework=ev.occurrence > 0,
        redo=redo,
        redo_seen=seen,
        # NULL next activity (last event) is no self-loop.
        self_loop=(ev.next_activity == ev.activity).fill_null(False),
        second=ev.occurrence == 1,
        wait_in_s=ev.wait_in_s,
    )


def rework_events_per_activity(log: EventLog) -> Any:
    """Ibis table: ``flagged_activity`` and ``rework_events``, its occurrences after the
    first in a case, for each activity with any. An activity's events minus its rework
    events are the cases it occurs in: one first occurrence per case."""
    flags = rework_flags(log)
    again = flags.filter(flags.rework)
    return again.group_by(flagged_activity=again.activity).aggregate(rework_events=again.count())


def repeated_transitions(log: EventLog) -> Any:
    """Ibis table: ``repeated_source``, ``repeated_target`` and ``repeats``, for each
    transition a -> b that some case makes more than once: how many of its transitions
    repeat one their case made before. The transition's events minus its repeats are
    the cases that make it. A case can repeat a -> b only if a occurs more than once in
    it, so the flagged events hold every repeat."""
    flags = rework_flags(log)
    moves = flags.filter(flags.next_activity.notnull())
    per_case = moves.group_by(["case", "activity", "next_activity"]).aggregate(n=moves.count())
    again = per_case.filter(per_case.n > 1)
    return again.group_by(
        repeated_source=again.activity, repeated_target=again.next_activity
    ).aggregate(repeats=(again.n - 1).sum())
