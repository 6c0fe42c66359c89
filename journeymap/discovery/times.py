"""Per-case times: when a case starts and ends, and its end-to-end time (how long the
customer really waits, start to finish); the time between two instants."""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.discovery.instants import seconds_between
from journeymap.discovery.ordering import ordered_events
from journeymap.event_order import mean_seconds, sum_seconds
from journeymap.eventlog import EventLog

__all__ = [
    "case_sequences_expr",
    "case_times",
    "case_times_expr",
    "end_to_end_summary",
    "iso_week",
    "seconds_between",
    "work_and_waiting",
]


def iso_week(instant: Any) -> Any:
    """Ibis expression: the start (Monday 00:00, UTC) of the ISO week of an instant."""
    return instant.truncate("W")


def case_sequences_expr(log: EventLog) -> Any:
    """Ibis table, one row per case: ``sequence`` (its activities in case order, a list,
    which :mod:`~journeymap.discovery.variants` ranks) and its times ``events``,
    ``start``, ``end``, ``e2e_s`` (see :func:`case_times_expr`, which is taken from
    it): one group-by of the events by case for both. When the log knows its end
    activities (:attr:`~journeymap.eventlog.EventLog.end_activities`), also ``open``:
    whether the case's last event is none of them; with the channel role, ``channel``
    (see :func:`case_times_expr`). Computed once per log; ``mine``
    releases it (key ``"sequences"``) once the variants are ranked.
    """
    import ibis

    def build() -> Any:
        # From the events in case order: sorting by the integer position is cheaper
        # than by timestamp and source row again.
        ev = ordered_events(log)
        first = ev.timestamp.min()
        if log.has("start_timestamp"):
            first = ibis.least(ev.start_timestamp.min(), first)  # LEAST skips a NULL start
        last = {}
        if log.end_activities is not None:  # the position is unique within a case
            last["last"] = ev.activity.argmax(ev.position)
        if log.has("channel"):  # how the demand arrived: its first known channel
            last["channel"] = ev.channel.argmin(ev.position, where=ev.channel.notnull())
        per_case = ev.group_by("case").aggregate(
            # Every event has an activity (a row without one is rejected when read).
            sequence=log.engine.collect_ordered(ev.activity, [ev.position]),
            events=ev.count(),
            start=first,
            end=ev.timestamp.max(),
            **last,
        )
        per_case = per_case.mutate(e2e_s=seconds_between(per_case.end, per_case.start))
        if log.end_activities is None:
            return per_case
        ends = list(log.end_activities) or [""]  # no end activity: every case is open
        return per_case.mutate(open=~per_case["last"].isin(ends)).drop("last")

    return log.derived("sequences", build)


def case_times_expr(log: EventLog) -> Any:
    """Ibis table, one row per case: ``case``, ``events``, ``start``, ``end``, ``e2e_s``.

    End-to-end time = last timestamp - first timestamp of the case; when start
    timestamps are mapped, the first start timestamp (or first timestamp, if earlier or
    no start is recorded) opens the case. Computed once per log and kept on the engine
    (most per-case measures start from it).

    Taken from :func:`case_sequences_expr`, which groups the events by case for the
    activity sequences too. When the log knows its end activities, also ``open`` (the
    case's last event is none of them: it was still open when the log was exported);
    with the channel role, ``channel``: the channel of the case's first event that has
    one, in case order (how the demand arrived; NULL without one).
    """

    def build() -> Any:
        columns = ["case", "events", "start", "end", "e2e_s"]
        if log.end_activities is not None:
            columns.append("open")
        if log.has("channel"):
            columns.append("channel")
        return case_sequences_expr(log).select(*columns)

    return log.derived("case_times", build)


def case_times(log: EventLog) -> pd.DataFrame:
    """One row per case: ``case``, ``events``, ``start``, ``end`` (UTC) and ``e2e_s``,
    ordered by case end, cases with equal ends by case id (the order of the capability
    chart).

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["B", "A", "A"], "activity": ["x", "x", "y"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 08:00", "2024-01-01 10:30"]}))
    >>> case_times(log)[["case", "events", "e2e_s"]]
      case  events   e2e_s
    0    B       1     0.0
    1    A       2  9000.0
    """
    frame = log.engine.fetch(case_times_expr(log))
    frame = frame.sort_values(["end", "case"], kind="stable", ignore_index=True)
    frame["events"] = frame["events"].astype("int64")
    return frame


#: Cases of a single event have an end-to-end time of 0 s. When they are at least this
#: share of the cases (and move the median by at least SINGLE_SHIFT of it),
#: :func:`end_to_end_summary` gives the median without them: 8% of receipt's cases move its
#: median from 2.97 h to 48 min. Not under SINGLE_MIN_CASES cases, where a median moves
#: with any case.
SINGLE_SHARE, SINGLE_SHIFT, SINGLE_MIN_CASES = 0.05, 0.25, 20


def _single_events(
    done: Any, single: int, cases: int, found: dict[str, float | None], log: EventLog
) -> dict[str, float]:
    """``single_event_cases`` and ``median_s_without_single_events`` when the cases of
    one event are many and move the median (:data:`SINGLE_SHARE`); else nothing."""
    if cases < SINGLE_MIN_CASES or single < SINGLE_SHARE * cases or single == cases:
        return {}
    without = float(log.engine.scalar(done.filter(done.events > 1).e2e_s.median()))
    if without - (found["median_s"] or 0.0) < SINGLE_SHIFT * without:
        return {}
    return {"single_event_cases": single, "median_s_without_single_events": without}


def end_to_end_summary(log: EventLog) -> dict[str, float | None]:
    """Median, mean and p90 of the cases' end-to-end times, in seconds. When the log
    knows its end activities, of the finished cases only, and ``open_cases`` counts the
    others (their time so far is no end-to-end time). When cases of a single event (0 s
    each) are many and move the median (:data:`SINGLE_SHARE`), also
    ``single_event_cases`` and ``median_s_without_single_events``.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["A", "A", "B", "B"], "activity": ["x", "y", "x", "y"],
    ...     "timestamp": ["2024-01-01 08:00", "2024-01-01 09:00",
    ...                   "2024-01-01 08:00", "2024-01-01 11:00"]}))
    >>> end_to_end_summary(log)
    {'median_s': 7200.0, 'mean_s': 7200.0, 'p90_s': 10080.0}
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["A", "A", "B", "B", "C"], "activity": ["x", "y", "x", "y", "x"],
    ...     "timestamp": ["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-01 08:00",
    ...                   "2024-01-01 11:00", "2024-01-01 08:00"]}), end_activities=["y"])
    >>> end_to_end_summary(log)  # C has not ended: its last event is no end activity
    {'median_s': 7200.0, 'mean_s': 7200.0, 'p90_s': 10080.0, 'open_cases': 1}
    """
    per_case = case_times_expr(log)
    known = "open" in per_case.columns
    done = per_case.filter(~per_case.open) if known else per_case
    row = log.engine.fetch(
        done.aggregate(
            median_s=done.e2e_s.median(),
            mean_s=mean_seconds(done.e2e_s),
            p90_s=done.e2e_s.quantile(0.9),
            cases=done.count(),
            single=(done.events == 1).sum(),
        )
    ).iloc[0]
    out: dict[str, float | None] = {
        k: (None if pd.isna(row[k]) else float(row[k])) for k in ("median_s", "mean_s", "p90_s")
    }
    out.update(_single_events(done, int(row["single"] or 0), int(row["cases"] or 0), out, log))
    if known:
        out["open_cases"] = int(log.engine.scalar(per_case.open.sum()) or 0)
    return out


def work_and_waiting(log: EventLog) -> dict[str, float | int] | None:
    """With start timestamps mapped (MEASURES.md: processing = completion - start): the
    work the log records, ``work_s`` (every event's processing, summed), beside the time
    the cases took, ``e2e_s`` (every case's end-to-end time, summed): the rest of that
    time is waiting between steps. Also ``overlapping`` of ``transitions``: the steps
    that started before the step before them completed (their wait is 0, and the events
    stay in order of completion, as MEASURES.md orders them). None without start
    timestamps.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["A", "A", "B", "B"], "activity": ["x", "y", "x", "y"],
    ...     "start_timestamp": ["2024-01-01 08:00", "2024-01-01 12:00",
    ...                         "2024-01-01 08:00", "2024-01-01 08:30"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 13:00",
    ...                   "2024-01-01 09:00", "2024-01-01 10:00"]}))
    >>> work_and_waiting(log)  # A: 2 h of work in 5 h; B: 2.5 h in 2 h, y started early
    {'work_s': 16200.0, 'e2e_s': 25200.0, 'overlapping': 1, 'transitions': 2}
    """
    if not log.has("start_timestamp"):
        return None
    import ibis

    ev = ordered_events(log)
    w = ibis.window(group_by=ev.case, order_by=ev.position)
    next_start = ev.start_timestamp.lead().over(w)
    steps = ev.mutate(
        work=seconds_between(ev.timestamp, ev.start_timestamp),
        early=(next_start < ev.timestamp).fill_null(False),
        followed=ev.next_activity.notnull(),
    )
    row = log.engine.fetch(
        steps.aggregate(
            work_s=sum_seconds(steps.work),
            overlapping=steps.early.sum(),
            transitions=steps.followed.sum(),
        )
    ).iloc[0]
    per_case = case_times_expr(log)
    e2e = log.engine.scalar(sum_seconds(per_case.e2e_s))
    return {
        "work_s": float(row["work_s"] or 0.0),
        "e2e_s": float(e2e or 0.0),
        "overlapping": int(row["overlapping"] or 0),
        "transitions": int(row["transitions"] or 0),
    }
