"""Repeated states (shared/MEASURES.md, Order): consecutive events of one case with the
same activity and the same handler (team, else resource; the activity alone without
one). Snapshot and audit exports write a row on every update of a record, and read as
such rows they would be rework. A log's repeated states are counted when it is read,
and collapsed into the first event of each run (the moment the state was entered) when
the user asks, or when the log looks like such an export.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from journeymap.engine import Engine

__all__ = [
    "SNAPSHOT_MIN_TRANSITIONS",
    "SNAPSHOT_SHARE",
    "Repeats",
    "collapsed",
    "count_repeats",
]

#: Repeated states that make a log look like a snapshot export (one row per update of a
#: record): at least this share of its transitions repeat the state before them, in a
#: log of at least SNAPSHOT_MIN_TRANSITIONS transitions (a handful of repeats in a tiny
#: log says nothing).
SNAPSHOT_SHARE = 0.2
SNAPSHOT_MIN_TRANSITIONS = 50


@dataclass(frozen=True)
class Repeats:
    """A log's repeated states (the module's definition), counted when it was read.

    Attributes
    ----------
    events : events that repeat the state before them.
    cases : cases with at least one.
    transitions : all transitions of the log (pairs of consecutive events).
    handler : the role compared besides the activity, or None.
    collapsed : whether they were collapsed into the first event of each run (the
        moment the state was entered).
    mode : the collapse_repeats option: "yes", "no" or "auto".
    lifecycle : the column of a log that records each step's life cycle (XES's
        ``lifecycle:transition``: start, complete, ...) when its repeats would have made
        it look like a snapshot export: a step started and completed is two events of
        one activity, not a record written again. Such a log is not read as a snapshot
        export. None otherwise.
    """

    events: int
    cases: int
    transitions: int
    handler: str | None
    collapsed: bool
    mode: str
    lifecycle: str | None = None

    @property
    def share(self) -> float:
        """Repeats as a share of the transitions, 0..1."""
        return self.events / self.transitions if self.transitions else 0.0

    @property
    def looks_like_snapshot(self) -> bool:
        """Whether the log looks like a snapshot export: at least :data:`SNAPSHOT_SHARE`
        of at least :data:`SNAPSHOT_MIN_TRANSITIONS` transitions repeat a state, and no
        life cycle explains them (:attr:`lifecycle`)."""
        return (
            self.lifecycle is None
            and self.share >= SNAPSHOT_SHARE
            and self.transitions >= SNAPSHOT_MIN_TRANSITIONS
        )


def count_repeats(
    engine: Engine, ordered: Any, *, handler: str | None, mode: str
) -> tuple[Repeats, int]:
    """The repeated states of a log, not collapsed, and its number of cases.

    ``ordered`` is the log's events in case order (``EventLog.ordered``: each event with
    its ``next_activity``, ``handler`` and ``next_handler``), ``handler`` the role
    compared besides the activity, ``mode`` the collapse_repeats option it was read with.
    """
    o = ordered
    same = (o.activity == o.next_activity) & o.handler.identical_to(o.next_handler)
    counts = engine.fetch(
        o.aggregate(
            transitions=o.count(where=o.next_activity.notnull()),
            repeats=o.count(where=same),
            # CASE WHEN, not a FILTER: DuckDB counts a filtered distinct slower.
            cases=ibis.cases((same, o.case)).nunique(),
            all_cases=o.count(where=o.position == 0),  # each case's first event
        )
    ).iloc[0]
    found = Repeats(
        events=int(counts["repeats"] or 0),
        cases=int(counts["cases"] or 0),
        transitions=int(counts["transitions"]),
        handler=handler,
        collapsed=False,
        mode=mode,
    )
    return found, int(counts["all_cases"])


def collapsed(events: Any, handler: str | None) -> Any:
    """Ibis expression: ``events`` without their repeated states, each run of them
    collapsed into its first event."""
    w = ibis.window(group_by=events.case, order_by=[events.timestamp, events.source_row])
    repeat = events.activity == events.activity.lag().over(w)
    if handler is not None:
        repeat = repeat & events[handler].identical_to(events[handler].lag().over(w))
    return events.filter(~repeat.fill_null(False))
