"""Rework: work done again in a case, by the same hands (repeat) or by others (redo).

Definitions (shared/MEASURES.md, Rework):

- A **rework event** is an event whose activity already occurred earlier in the same
  case (events in case order: by timestamp, ties by source row).
  ``rework_events(case) = events - distinct activities``.
- A rework event is a **redo** when its resource differs from the resource of the
  previous occurrence of the same activity in that case. journeymap counts a redo only
  when it can see the change: both resources known and different. A rework event with
  a missing resource, or whose previous occurrence has none, is not a redo; without a
  resource role mapped there are no redos. Every rework event that is not a redo is a
  **repeat** (the same hands again, as far as the log tells).
- A **self-loop** is a transition a -> a: an event whose next event in the case has
  the same activity. It is counted on the first of the two events.
- The **rework wait** of a rework event is the wait of the transition that leads into
  it: the wait of :func:`~journeymap.discovery.ordering.ordered_events` from the
  previous event of the case (its timestamp minus the previous event's timestamp, or,
  with start timestamps, ``max(0, start - previous timestamp)``).

The per-event flags are computed once per log on the engine (from the events in case
order, one more window) and reused by :func:`rework`, :func:`rework_per_case` and
:func:`rework_summary`; only the small aggregates come back as pandas. Only an activity
that occurs more than once in a case can be rework there, so only those events are
flagged (found by a count per case and activity; in service logs a few in a hundred).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from journeymap.discovery.activities import activity_names_expr
from journeymap.discovery.ordering import ordered_events
from journeymap.discovery.rework_events import rework_flags
from journeymap.discovery.times import case_times_expr
from journeymap.event_order import sum_seconds
from journeymap.eventlog import EventLog

__all__ = [
    "NOT_WAITING",
    "REWORK_CASE_COLUMNS",
    "REWORK_COLUMNS",
    "WAITING_NAME",
    "is_waiting",
    "returns_from_waiting",
    "rework",
    "rework_flags",
    "rework_per_case",
    "rework_per_case_expr",
    "rework_summary",
]

REWORK_COLUMNS = [
    "activity",
    "repeat_events",
    "cases",
    "redo_events",
    "self_loops",
    "rework_wait_s",
]
REWORK_CASE_COLUMNS = ["case", "rework_events", "redo_events", "self_loops"]


def _count(flag: Any) -> Any:
    # Through a CASE, not CAST(bool AS BIGINT), which PostgreSQL cannot do.
    return flag.ifelse(1, 0).cast("int64").sum()


def rework(log: EventLog) -> pd.DataFrame:
    """Rework per activity: one row per activity of the log.

    Columns:

    - ``activity``
    - ``repeat_events``: the activity's rework events (its occurrences after its first
      in a case), redos included;
    - ``cases``: cases in which the activity occurs more than once (equal to pm4py's
      ``get_rework_cases_per_activity``);
    - ``redo_events``: those rework events that are redos (resource known on both
      occurrences, and different); NA without a resource role, which tells none, and
      for an activity with rework none of whose rework events has a resource on both
      occurrences;
    - ``self_loops``: transitions a -> a of the activity;
    - ``rework_wait_s``: total wait, in seconds, of the transitions leading into the
      activity's rework events (0.0 when it has none).

    Every activity is listed, also those without rework, sorted by ``repeat_events``
    (most first), then by activity name (code point order), so the table is the same on
    every engine.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1"] * 5 + ["2"] * 3,
    ...     "activity": ["A", "B", "A", "C", "A", "A", "A", "C"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00",
    ...                   "2024-01-01 12:00", "2024-01-01 14:00",
    ...                   "2024-01-02 09:00", "2024-01-02 09:30", "2024-01-02 10:00"],
    ...     "resource": ["ann", "bob", "ann", "bob", "cy", "ann", "ann", None]}))
    >>> rework(log)
      activity  repeat_events  cases  redo_events  self_loops  rework_wait_s
    0        A              3      2            1           1        12600.0
    1        B              0      0            0           0            0.0
    2        C              0      0            0           0            0.0
    """
    ev = rework_flags(log)
    per_activity = ev.group_by("activity").aggregate(
        repeat_events=_count(ev.rework),
        # One second occurrence per case that repeats the activity: counting them
        # counts those cases, without a distinct count (a tenth of its time).
        cases=_count(ev.second),
        redo_events=_count(ev.redo),
        redo_seen=_count(ev.redo_seen),
        self_loops=_count(ev.self_loop),
        rework_wait_s=sum_seconds(ev.wait_in_s, where=ev.rework),
    )
    names = activity_names_expr(log)  # every activity, those never repeated too
    listed = names.left_join(per_activity, "activity").select(
        names.activity, *REWORK_COLUMNS[1:], "redo_seen"
    )
    frame = log.engine.fetch(listed)
    frame["activity"] = frame["activity"].astype(str)
    for column in ("repeat_events", "cases", "redo_events", "redo_seen", "self_loops"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["rework_wait_s"] = frame["rework_wait_s"].astype("float64").fillna(0.0)
    _unknown_redos(log, frame)
    # Python's string order (code points) for ties: the same on every engine and machine.
    frame = frame.sort_values("activity", kind="stable")
    frame = frame.sort_values("repeat_events", ascending=False, kind="stable")
    return frame.reset_index(drop=True).reindex(columns=REWORK_COLUMNS)


def rework_per_case(log: EventLog) -> pd.DataFrame:
    """Rework per case: one row per case, sorted by case id (code point order).

    Columns: ``case``, ``rework_events`` (events - distinct activities),
    ``redo_events`` and ``self_loops`` (transitions a -> a), as defined in the module
    docstring.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "2", "2"],
    ...     "activity": ["A", "A", "A", "A", "B"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00",
    ...                   "2024-01-02 09:00", "2024-01-02 10:00"],
    ...     "resource": ["ann", "bob", "bob", "ann", "ann"]}))
    >>> rework_per_case(log)
      case  rework_events  redo_events  self_loops
    0    1              2            1           2
    1    2              0            0           0
    """
    frame = log.engine.fetch(rework_per_case_expr(log))
    frame["case"] = frame["case"].astype(str)
    for column in REWORK_CASE_COLUMNS[1:]:
        frame[column] = frame[column].astype("int64")
    _unknown_redos(log, frame)
    frame = frame.sort_values("case", kind="stable", ignore_index=True)
    return frame.reindex(columns=REWORK_CASE_COLUMNS)


def _unknown_redos(log: EventLog, frame: pd.DataFrame) -> None:
    """Without a resource a redo cannot be told from a repeat: ``redo_events`` is then
    empty (NA), not 0, which would read as none by other hands; so it is, per
    activity (``frame`` with ``redo_seen``), for an activity none of whose rework
    events can be told (road fines' second 'Payment', whose events have no resource)."""
    if not log.has("resource"):
        frame["redo_events"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    elif "redo_seen" in frame.columns:
        unseen = (frame["repeat_events"] > 0) & (frame["redo_seen"] == 0)
        frame["redo_events"] = frame["redo_events"].astype("Int64").mask(unseen)


def rework_per_case_expr(log: EventLog) -> Any:
    """Ibis table, one row per case: ``case``, ``rework_events``, ``redo_events`` and
    ``self_loops`` (see :func:`rework_per_case`), computed once per log."""

    def build() -> Any:
        ev = rework_flags(log)
        per_case = ev.group_by("case").aggregate(
            rework_events=_count(ev.rework),
            redo_events=_count(ev.redo),
            self_loops=_count(ev.self_loop),
        )
        cases = case_times_expr(log)  # every case, those without repeats too
        joined = cases.left_join(per_case, "case")
        return joined.select(
            cases.case,
            **{c: joined[c].fill_null(0).cast("int64") for c in REWORK_CASE_COLUMNS[1:]},
        )

    return log.derived("case_rework", build)


def rework_summary(
    log: EventLog, per_activity: pd.DataFrame | None = None
) -> dict[str, int | float | None]:
    """Rework over the whole log.

    Keys: ``events`` (rework events), ``cases`` (cases with at least one rework
    event), ``redo_events``, ``same_hands_events`` (rework events that are not redos,
    the repeats of MEASURES.md: ``events - redo_events``), ``self_loops``,
    ``rework_wait_s`` (total wait into rework events, seconds) and ``rework_pct``
    (rework events / all events * 100). Without a resource role, ``redo_events`` and
    ``same_hands_events`` are None: who did an event again cannot be told.

    The totals are sums of :func:`rework` (pass it as ``per_activity`` when already
    computed) and ``cases`` a count of :func:`rework_per_case_expr`: no other pass
    over the events.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "1", "2"],
    ...     "activity": ["A", "B", "A", "A", "A"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00",
    ...                   "2024-01-01 11:30", "2024-01-02 09:00"],
    ...     "resource": ["ann", "bob", "cy", "cy", "ann"]}))
    >>> rework_summary(log)  # doctest: +NORMALIZE_WHITESPACE
    {'events': 2, 'cases': 1, 'redo_events': 1, 'same_hands_events': 1, 'self_loops': 1,
     'rework_wait_s': 5400.0, 'rework_pct': 40.0}
    """
    table = rework(log) if per_activity is None else per_activity
    per_case = rework_per_case_expr(log)
    with_rework = log.engine.scalar(per_case.filter(per_case.rework_events > 0).count())
    total = int(log.events)
    events = int(table["repeat_events"].sum())
    # Without a resource, neither redos nor repeats by the same hands can be told.
    redo = int(table["redo_events"].sum()) if log.has("resource") else None
    return {
        "events": events,
        "cases": int(with_rework),
        "redo_events": redo,
        "same_hands_events": None if redo is None else events - redo,
        "self_loops": int(table["self_loops"].sum()),
        "rework_wait_s": math.fsum(table["rework_wait_s"]),
        "rework_pct": 100 * events / total if total else 0.0,
    }


#: A status that says the case waits on someone else (the customer, a supplier): Zendesk's
#: pending and on-hold, Jira's "Waiting for customer", helpdesk's "Wait", BPIC 2013's
#: "Accepted - Wait". Not a queue waiting for the service itself (:data:`NOT_WAITING`:
#: BPIC 2013's "Queued - Awaiting Assignment").
WAITING_NAME = re.compile(
    r"(?<![a-z])(pending|on[ -]hold|hold|wait|waiting|awaiting|suspended)(?![a-z])",
    re.IGNORECASE,
)
NOT_WAITING = re.compile(r"assign|queue", re.IGNORECASE)


def is_waiting(activity: object) -> bool:
    """Whether an activity's name says the case waits on someone else
    (:data:`WAITING_NAME`, and not :data:`NOT_WAITING`).

    Examples
    --------
    >>> [is_waiting(a) for a in ("pending", "Accepted - Wait", "Queued - Awaiting Assignment")]
    [True, True, False]
    """
    name = str(activity)
    return bool(WAITING_NAME.search(name)) and not NOT_WAITING.search(name)


def returns_from_waiting(log: EventLog, activities: Iterable[str]) -> dict[str, int]:
    """Rework events that come straight after a waiting status (:func:`is_waiting`), by
    activity: a case that comes back from waiting on the customer (Zendesk's pending ->
    open) does an activity again, which the definition counts as rework. A waiting
    status repeated is not counted. ``activities`` are the log's activity names; no
    query runs when none of them is a waiting status.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1"] * 5 + ["2"] * 4,
    ...     "activity": ["new", "open", "pending", "open", "solved",
    ...                  "new", "open", "solved", "open"],
    ...     "timestamp": [f"2024-01-01 0{h}:00" for h in range(5)]
    ...                  + [f"2024-01-02 0{h}:00" for h in range(4)]}))
    >>> returns_from_waiting(log, ["new", "open", "pending", "solved"])  # 2's reopen is not
    {'open': 1}
    """
    waiting = sorted({str(a) for a in activities if is_waiting(a)})
    if not waiting:
        return {}
    ev = ordered_events(log)
    before = ev.filter(ev.activity.isin(waiting) & ev.next_activity.notnull())
    before = before.select(
        waited_case=before.case, after=before.position + 1, came=before.next_activity
    )
    flags = rework_flags(log)
    again = flags.filter(flags.rework & ~flags.activity.isin(waiting))
    joined = before.join(
        again,
        [before.waited_case == again.case, before.after == again.position,
         before.came == again.activity],
    )  # fmt: skip
    counts = log.engine.fetch(joined.group_by("activity").aggregate(returns=joined.count()))
    return {
        str(a): int(n) for a, n in sorted(zip(counts["activity"], counts["returns"], strict=True))
    }
