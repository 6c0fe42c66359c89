"""The end activities the user gives, checked against what the cases end with: refused
when they end no case (every case would read as still open), doubted when one is no
activity of the log or when they leave most cases open. A system's preset names its own
closing statuses, which are not checked: an export of open records is read as such."""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.config import suggest
from journeymap.discovery.dfg import END, START
from journeymap.errors import ConfigError, option
from journeymap.eventlog import EventLog
from journeymap.render.numbers import counted

__all__ = ["check_end_activities", "mostly_open"]


def _user_end_activities(log: EventLog) -> tuple[str, ...] | None:
    """The end activities the user gave (not a preset's)."""
    return log.read_with[0].end_activities if log.read_with is not None else log.end_activities


def _commonest_ends(graph: pd.DataFrame) -> str:
    """The activities cases end with most, with their cases: "'Closed' (4 cases), ..."."""
    ends = graph[graph["target"] == END].sort_values(
        ["events", "source"], ascending=[False, True], kind="stable"
    )
    return ", ".join(
        f"{a!r} ({counted(int(n), 'case')})"
        for a, n in zip(ends["source"][:3], ends["events"][:3], strict=True)
    )


def check_end_activities(log: EventLog, graph: pd.DataFrame) -> list[str]:
    """Refuse end activities the user gave that end no case (a misspelt status, another
    system's, or a step such as 'Resolved' that a case goes on from): every case would
    read as still open, and no end-to-end figure would be given. The activities cases
    end with most are named instead. A preset's closing statuses are not checked: a log
    whose cases are all open is then read as such. Of end activities that end some
    case, those no event has (a misspelt one among others) are doubted, with the closest
    activity."""
    given = _user_end_activities(log)
    if not given:  # none given (or none at all: every case open, as asked)
        return []
    ends = graph.loc[graph["target"] == END, "source"]
    # Every activity is the source of some edge: the next event's, or the end's.
    names = sorted(str(a) for a in graph["source"].unique() if a != START)
    if ends.isin(given).any():
        return [
            f"end activity {a!r} is no activity of this log{suggest(a, names)}, so it ends "
            f"no case; check the name given with {option('end_activities', 'ACTIVITY,...')}"
            for a in given
            if a not in names
        ]
    named = ", ".join(repr(a) for a in given)
    seen = graph["source"].isin(given).any()
    why = "no case ends with" if seen else "no event has"
    after = (
        " (an end activity is the last event of a finished case; a case that goes on "
        "after it has not ended there)"
        if seen
        else ""
    )
    raise ConfigError(
        f"{log.source}: {why} the end activities given ({named}), so every case would "
        f"read as still open{after}; the cases end most with {_commonest_ends(graph)}: "
        f"name the activities that finish a case with {option('end_activities', 'ACTIVITY,...')}"
    )


def mostly_open(log: EventLog, graph: pd.DataFrame, e2e: dict[str, Any]) -> list[str]:
    """A doubt when most cases read as still open by the end activities the user gave:
    the end-to-end figures then rest on the few that ended."""
    given, still = _user_end_activities(log), e2e.get("open_cases")
    cases = int(log.cases)
    if not given or not still or 2 * still <= cases:
        return []
    named = ", ".join(repr(a) for a in given)
    return [
        f"end activities given ({named}): {still:,} of {cases:,} cases read as still open, "
        f"as their last event is none of them, and the end-to-end figures rest on the "
        f"{cases - still:,} that ended; the cases end most with {_commonest_ends(graph)}: "
        "if any of those also finishes a case, add it to the end activities given"
    ]
