"""The events as pm4py expects them: a DataFrame with pm4py's column names.

A pm4py user continues from a journeymap log in one line:
``pm4py.discover_dfg(jm.to_pm4py(log))``. Nothing here imports pm4py: the frame is plain
pandas, named the way pm4py's functions look for their columns by default.
"""

from __future__ import annotations

import pandas as pd

from journeymap.eventlog import EventLog

__all__ = ["PM4PY_NAMES", "to_pm4py"]

#: journeymap's roles and the column names pm4py gives them (its XES keys and defaults).
#: Channel and customer have no pm4py name and keep their role's name.
PM4PY_NAMES = {
    "case": "case:concept:name",
    "activity": "concept:name",
    "timestamp": "time:timestamp",
    "start_timestamp": "start_timestamp",
    "resource": "org:resource",
    "team": "org:group",
    "channel": "channel",
    "customer": "customer",
}


def to_pm4py(log: EventLog) -> pd.DataFrame:
    """The events of ``log`` as a pandas DataFrame in pm4py's form.

    One row per accepted event, in case order: by case id, then within each case by
    timestamp, ties by the order in the source (MEASURES.md, "Order"), so pm4py's own
    stable sort by case and timestamp keeps journeymap's order of equal timestamps.
    Columns: the mapped roles under pm4py's names (:data:`PM4PY_NAMES`: case
    ``case:concept:name``, activity ``concept:name``, timestamp ``time:timestamp``,
    start timestamp ``start_timestamp``, resource ``org:resource``, team ``org:group``,
    and ``channel``, ``customer``), in that order, then every other attribute under its
    name in the source (an attribute whose name a role already took keeps journeymap's
    name for it). Timestamps are in UTC; identifiers are text. The source row number
    is left out.

    Examples
    --------
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["2", "1", "1"], "activity": ["a", "b", "a"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 09:00"],
    ...     "team": ["X", "Y", "X"]}))
    >>> to_pm4py(log)
      case:concept:name concept:name            time:timestamp org:group
    0                 1            a 2024-01-01 09:00:00+00:00         X
    1                 1            b 2024-01-01 10:00:00+00:00         Y
    2                 2            a 2024-01-01 09:00:00+00:00         X
    """
    events = log.to_pandas()
    names = {role: PM4PY_NAMES[role] for role in log.roles}
    taken = set(names.values())
    for column, source in log.attributes.items():
        name = source if source not in taken else column
        while name in taken:  # both taken: a role's pm4py name and journeymap's name
            name = f"{name}_"
        names[column] = name
        taken.add(name)
    return events.reindex(columns=list(names)).rename(columns=names)
