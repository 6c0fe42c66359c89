"""A step's start and completion, recorded as two events, read as one event with a start
time.

XES logs record where an event stands in its step's life cycle
(``lifecycle:transition``: schedule, start, complete, ...), and XES's standard
classifier names an activity by its name and that stage. Read so, a step that was
started and completed is two activities ("W_Call - START", "W_Call - COMPLETE"): the
map draws both, a step done again counts as rework at each, and the time the step took
is a wait between them. When the log's activity is that classifier and the user named
no activity and no start time, the start and the completion are paired instead
(shared/MEASURES.md: the start timestamp is "when the step started"):

- a completion whose previous event of the same activity name in its case (in case
  order: timestamp, then source order) is a start becomes one event named by the
  activity's name, with that start's timestamp as its start time;
- that start is merged into it: counted, and said in the log's notes, never a reject;
- every other completion is named by the activity's name too, with no start time;
- every other event (a start that no completion follows, a schedule, a suspension)
  keeps the classifier's name ("W_Call - SCHEDULE").

``--activity "concept:name,lifecycle:transition"`` keeps every stage an activity of its
own.
"""

from __future__ import annotations

from typing import Any

import ibis

from journeymap.engine import Engine
from journeymap.mapping import Mapping

__all__ = [
    "LIFECYCLE",
    "lifecycle_column",
    "merged_note",
    "pairable",
    "paired_starts",
    "unpaired_stages",
]

#: XES's standard attribute for where an event stands in its step's life cycle.
LIFECYCLE = "lifecycle:transition"


def pairable(
    engine: Engine,
    events: Any,
    mapping: Mapping,
    attributes: dict[str, str],
    *,
    given: dict[str, str | None],
) -> tuple[str, str] | None:
    """The columns of the activity's name and stage, ``(name, stage)``, when the starts
    of ``events`` are to be paired with their completions: the activity is XES's
    classifier (name + ``lifecycle:transition``) that the source implied (``given``,
    the user's mapping, names no activity and no start time), both parts are kept as
    attributes, and the stages include start and complete. Else None."""
    parts = mapping.activity_parts
    if (
        given.get("activity") or given.get("start_timestamp") or mapping.start_timestamp
        or len(parts) != 2 or parts[1].lower() != LIFECYCLE or not set(parts) <= set(attributes)
    ):  # fmt: skip
        return None
    name, stage = parts
    found = engine.fetch(events.select(stage=events[stage].strip().lower()).distinct())
    return (name, stage) if {"start", "complete"} <= set(found["stage"].dropna()) else None


def merged_note(merged: int, name: str, stage: str) -> str:
    """What the log's notes say of the starts merged into their completions."""
    return (
        f"{merged:,} start events ({stage!r} start) merged into the completion that follows "
        f"each, as its start time: a step started and completed is one event, named by "
        f"{name!r}, with its processing time; other stages keep their name (--activity "
        f'"{name},{stage}" keeps every stage apart)'
    )


def lifecycle_column(engine: Engine, events: Any, attributes: dict[str, str]) -> str | None:
    """The attribute of ``events`` that records each step's life cycle (XES's
    ``lifecycle:transition``), when it holds more than one value; else None."""
    for name in attributes:
        if name.lower() == LIFECYCLE and engine.scalar(events[name].nunique()) > 1:
            return name
    return None


def unpaired_stages(
    engine: Engine, events: Any, mapping: Mapping, attributes: dict[str, str]
) -> str | None:
    """A warning when the activity the user named leaves out a life cycle that records
    starts and completions (``--activity concept:name`` on BPIC 2012): each step done is
    then two events of one activity, and the completion counts as rework (73.8% of BPIC
    2012's cases). None when the activity holds the stage, a start time is mapped, or
    the log records no start and complete."""
    if mapping.start_timestamp is not None:
        return None
    stage = lifecycle_column(engine, events, attributes)
    if stage is None or stage in mapping.activity_parts:
        return None
    found = engine.fetch(events.select(stage=events[stage].strip().lower()).distinct())
    if not {"start", "complete"} <= set(found["stage"].dropna()):
        return None
    named = ",".join(mapping.activity_parts) or str(mapping.activity)
    return (
        f"{stage!r} records when each step started and completed, and the activity "
        f"({named!r}) leaves it out: a step started and completed is two events of one "
        "activity, and the second counts as rework; leave the activity unmapped to read "
        f'them as one event with its start time, or give --activity "{named},{stage}" to '
        "keep the stages apart"
    )


def paired_starts(events: Any, name: str, stage: str) -> Any:
    """Ibis expression: ``events`` with each start merged into the completion that
    follows it (the module's rules): ``activity`` renamed for completions,
    ``start_timestamp`` added after ``timestamp``.

    ``name`` and ``stage`` are the columns of the activity's name and its life-cycle
    stage (``concept:name`` and ``lifecycle:transition``).
    """
    t = events
    step = ibis.window(group_by=[t.case, t[name]], order_by=[t.timestamp, t.source_row])
    now = t[stage].strip().lower()
    before, after = now.lag().over(step), now.lead().over(step)
    completes = now == "complete"
    started = t.timestamp.lag().over(step)
    marked = t.mutate(
        __merged=((now == "start") & (after == "complete")).fill_null(False),
        activity=ibis.cases((completes, t[name]), else_=t.activity),
        start_timestamp=ibis.cases(
            (completes & (before == "start"), started), else_=ibis.null(t.timestamp.type())
        ),
    )
    columns = [c for c in t.columns if c != "start_timestamp"]
    at = columns.index("timestamp") + 1
    return marked.filter(~marked.__merged).select(*columns[:at], "start_timestamp", *columns[at:])
