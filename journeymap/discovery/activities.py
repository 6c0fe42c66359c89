"""Activity statistics and the swimlane of each activity."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from journeymap.discovery.ordering import ordered_events
from journeymap.discovery.rework_events import rework_events_per_activity
from journeymap.discovery.times import seconds_between
from journeymap.eventlog import EventLog

__all__ = ["ACTIVITY_COLUMNS", "LANE_ROLES", "activity_names_expr", "activity_stats"]

#: Roles an activity's swimlane can be taken from.
LANE_ROLES = ("team", "resource", "channel")
ACTIVITY_COLUMNS = [
    "activity", "events", "cases", "pct_events", "first_in_cases", "last_in_cases",
    "median_processing_s", "lane", "lane_share",
]  # fmt: skip


def activity_names_expr(log: EventLog) -> Any:
    """Ibis table of the log's distinct activity names (column ``activity``), computed
    once per log and kept on the engine."""
    return log.derived("activity_names", lambda: log.table.select("activity").distinct())


def activity_stats(
    log: EventLog, *, lanes: str | None = None, activities: Iterable[str] | None = None
) -> pd.DataFrame:
    """Per activity: how often it happens, where cases start and end, and its lane.

    Columns: ``activity``; ``events``; ``cases`` (distinct cases with it);
    ``pct_events`` (share of all events, %); ``first_in_cases`` and ``last_in_cases``
    (cases that start, end with it); ``median_processing_s`` (median of
    timestamp - start timestamp, NaN without start timestamps); ``lane`` (with
    ``lanes`` = "team", "resource" or "channel": the value of that role on most of the
    activity's events, ties to the first name in sort order; None when never recorded)
    and ``lane_share`` (the share of the activity's events with a known lane value that
    have that lane, %). Sorted by events (most first), then activity.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2"], "activity": ["Log", "Fix", "Log"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00"],
    ...     "team": ["Front", "Back", "Front"]}))
    >>> activity_stats(log, lanes="team")[["activity", "events", "first_in_cases", "lane"]]
      activity  events  first_in_cases   lane
    0      Log       2               2  Front
    1      Fix       1               0   Back
    """
    ev = ordered_events(log, activities=activities)
    processing = (
        seconds_between(ev.timestamp, ev.start_timestamp).median()
        if log.has("start_timestamp")
        else None
    )
    every_event = activities is None
    aggregates = {
        "events": ev.count(),
        # Over every event, an activity's cases are its events less its rework events
        # (one first occurrence per case), counted among the few events of activities
        # that recur in their case: no distinct count over every event.
        **({} if every_event else {"cases": ev.case.nunique()}),
        "first_in_cases": (ev.position == 0).sum(),
        "last_in_cases": ev.next_activity.isnull().sum(),
    }
    if processing is not None:
        aggregates["median_processing_s"] = processing
    grouped = ev.group_by("activity").aggregate(**aggregates)
    if every_event:
        again = rework_events_per_activity(log)
        joined = grouped.left_join(again, grouped.activity == again.flagged_activity)
        grouped = joined.mutate(cases=joined.events - joined.rework_events.fill_null(0)).drop(
            "flagged_activity", "rework_events"
        )
    frame = log.engine.fetch(grouped)
    if processing is None:
        frame["median_processing_s"] = float("nan")
    total = int(frame["events"].sum())
    frame["pct_events"] = frame["events"] / total * 100 if total else 0.0
    frame = frame.merge(_lanes(log, lanes, activities), on="activity", how="left")
    for column in ("events", "cases", "first_in_cases", "last_in_cases"):
        frame[column] = frame[column].astype("int64")
    order = sorted(range(len(frame)), key=lambda i: (-frame["events"][i], frame["activity"][i]))
    return frame.iloc[order].reset_index(drop=True)[ACTIVITY_COLUMNS]


def _lanes(log: EventLog, lanes: str | None, activities: Iterable[str] | None) -> pd.DataFrame:
    empty = pd.DataFrame({"activity": pd.Series(dtype="str"), "lane": None, "lane_share": None})
    if lanes is None:
        return empty
    if lanes not in LANE_ROLES:
        raise ValueError(f"lanes must be one of {', '.join(LANE_ROLES)} or None, not {lanes!r}")
    if not log.has(lanes):
        return empty
    t = log.table
    if activities is not None:
        t = t.filter(t.activity.isin(sorted(set(activities))))
    known = t.filter(t[lanes].notnull())
    counts = log.engine.fetch(
        known.group_by(["activity", known[lanes].name("lane")]).aggregate(n=known.count())
    )
    if counts.empty:
        return empty
    counts = counts.sort_values(["activity", "n", "lane"], ascending=[True, False, True])
    totals = counts.groupby("activity")["n"].transform("sum")
    counts["lane_share"] = counts["n"] / totals * 100
    return counts.drop_duplicates("activity")[["activity", "lane", "lane_share"]]
