"""Breakdown and reintegration: what the split of work between handlers costs customers.

Definitions (shared/MEASURES.md, "Breakdown and reintegration"):

- For each activity transition a -> b (two consecutive events of a case) whose handlers
  X and Y are both known and differ: hand-offs, cases, median and total wait. Ranked by
  total wait: the waiting time that the split of work between X and Y costs the
  customers. Each row is a reintegration candidate ("let one team do a and b"). A
  hand-off across an event with no recorded handler is counted by
  :mod:`journeymap.analysis.handoffs` but is no candidate: its two activities do not
  follow each other directly.
- Fragmentation per case: distinct handlers, hand-offs, and the share of the case's
  end-to-end time spent in hand-off waits. Log-level: total hand-off wait / total
  end-to-end time.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.analysis.handoffs import check_level, handoff_totals, handoffs_per_case_expr
from journeymap.discovery.ordering import handler_role, ordered_events
from journeymap.event_order import sum_seconds
from journeymap.eventlog import EventLog

__all__ = [
    "FRAGMENTATION_COLUMNS",
    "REINTEGRATION_COLUMNS",
    "fragmentation",
    "fragmentation_summary",
    "reintegration",
]

REINTEGRATION_COLUMNS = [
    "level",
    "from_activity",
    "to_activity",
    "from_handler",
    "to_handler",
    "handoffs",
    "cases",
    "median_wait_s",
    "total_wait_s",
]
FRAGMENTATION_COLUMNS = [
    "case",
    "handlers",
    "handoffs",
    "handoff_wait_s",
    "e2e_s",
    "handoff_wait_share",
]
_NAMES = ["from_activity", "to_activity", "from_handler", "to_handler"]


def reintegration(log: EventLog, *, level: str = "team") -> pd.DataFrame:
    """Reintegration candidates: hand-offs per activity transition and handler pair.

    One row per activity transition ``from_activity -> to_activity`` (two consecutive
    events of a case) and handler pair ``from_handler -> to_handler`` (both known,
    different): ``level``, the four names, ``handoffs`` (how many), ``cases`` (distinct
    cases with at least one), ``median_wait_s`` and ``total_wait_s`` (of the hand-offs'
    waits, seconds; the median interpolates between values, as numpy does). Ranked by
    total wait (most first), then by the four names.
    :func:`journeymap.render.plan_words.reintegration_sentence` says a row in plain words.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2"], "activity": ["Assign", "Investigate"] * 2,
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 15:00",
    ...                   "2024-01-02 09:00", "2024-01-02 13:00"],
    ...     "team": ["Front office", "Back office"] * 2}))
    >>> table = reintegration(log)
    >>> table[["from_handler", "to_handler", "handoffs", "cases", "total_wait_s"]]
       from_handler   to_handler  handoffs  cases  total_wait_s
    0  Front office  Back office         2      2       36000.0
    """
    import ibis

    check_level(log, level)
    ev = ordered_events(log)
    # Direct transitions only: two consecutive events whose handlers are both known and
    # differ (MEASURES.md). A hand-off across unrecorded steps is no candidate.
    if level == handler_role(log):
        nxt = ev.next_handler
    else:
        nxt = ev[level].lead().over(ibis.window(group_by=ev.case, order_by=ev.position))
    moves = ev.mutate(next_level=nxt)
    moves = moves.filter(
        moves[level].notnull() & moves.next_level.notnull() & (moves[level] != moves.next_level)
    )
    grouped = moves.group_by(
        from_activity=moves.activity,
        to_activity=moves.next_activity,
        from_handler=moves[level],
        to_handler=moves.next_level,
    ).aggregate(
        handoffs=moves.count(),
        cases=moves.case.nunique(),
        median_wait_s=moves.wait_s.median(),
        total_wait_s=sum_seconds(moves.wait_s),
    )
    frame = log.engine.fetch(grouped)
    # Total wait desc, then names by code point in Python: the same order on every engine.
    keys = [
        (-float(row[0]), *map(str, row[1:]))
        for row in frame[["total_wait_s", *_NAMES]].itertuples(index=False)
    ]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    frame = frame.iloc[order].reset_index(drop=True)
    frame.insert(0, "level", level)
    for column in ("handoffs", "cases"):
        frame[column] = frame[column].astype("int64")
    for column in ("median_wait_s", "total_wait_s"):
        frame[column] = frame[column].astype("float64")
    return frame.reindex(columns=REINTEGRATION_COLUMNS)


def fragmentation(log: EventLog, *, level: str = "team") -> pd.DataFrame:
    """Fragmentation of every case: how split its work is, and what that costs.

    One row per case of the log, ordered by case id: ``case``, ``handlers`` (distinct
    known handlers), ``handoffs``, ``handoff_wait_s`` (sum of the waits of its
    hand-offs, seconds), ``e2e_s`` (end-to-end time) and ``handoff_wait_share``
    (``handoff_wait_s / e2e_s``, 0..1; NaN when the case takes no time).

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "2"], "activity": ["a", "b", "c", "a"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 13:00",
    ...                   "2024-01-02 09:00"],
    ...     "team": ["X", "X", "Y", "X"]}))
    >>> fragmentation(log)
      case  handlers  handoffs  handoff_wait_s    e2e_s  handoff_wait_share
    0    1         2         1         10800.0  14400.0                0.75
    1    2         1         0             0.0      0.0                 NaN
    """
    pc = handoffs_per_case_expr(log, level=level)
    frame = log.engine.fetch(pc).sort_values("case", kind="stable", ignore_index=True)
    frame["e2e_s"] = frame["e2e_s"].astype("float64")
    share = frame["handoff_wait_s"] / frame["e2e_s"].where(frame["e2e_s"] > 0)
    frame["handoff_wait_share"] = share.astype("float64")
    return frame.reindex(columns=FRAGMENTATION_COLUMNS)


def fragmentation_summary(log: EventLog, *, level: str = "team") -> dict[str, Any]:
    """Log-level fragmentation: the share of all end-to-end time spent in hand-off waits.

    Keys: ``level``, ``cases`` (with at least one known handler), ``handoff_wait_s``
    (total hand-off wait, seconds), ``e2e_s`` (total end-to-end time of those cases,
    seconds), ``handoff_wait_share`` (their ratio, 0..1; None when every case takes no
    time) and ``mean_handlers`` (distinct known handlers per case, averaged over those
    cases). A case with no known handler is unknown (MEASURES.md) and counts in none.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2"], "activity": ["a", "b", "a", "b"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00",
    ...                   "2024-01-02 09:00", "2024-01-02 12:00"],
    ...     "team": ["X", "Y", "X", "X"]}))
    >>> fragmentation_summary(log)
    {'level': 'team', 'cases': 2, 'handoff_wait_s': 3600.0, 'e2e_s': 14400.0, 'handoff_wait_share': 0.25, 'mean_handlers': 1.5}
    """  # noqa: E501
    totals = handoff_totals(log, level=level)
    return {
        "level": level,
        "cases": int(totals["cases"]),
        "handoff_wait_s": totals["wait"],
        "e2e_s": totals["e2e"],
        "handoff_wait_share": totals["wait_share"],
        "mean_handlers": totals["mean_handlers"],
    }
