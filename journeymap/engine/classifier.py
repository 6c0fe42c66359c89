"""The activity a source implies when it joins several columns (an XES classifier), settled
the same way on every engine that types a source itself (DuckDB, PostgreSQL).

- A classifier the source names (an XES log's ``<classifier>``) keeps its first part, the
  activity's name, and those later parts that hold more than one value: a lifecycle that
  is always "complete" tells nothing.
- A table with XES's own columns ``concept:name`` and ``lifecycle:transition`` (an XES log
  exported as a table, as pm4py writes it) is read by XES's standard classifier, the two
  joined, when the lifecycle holds more than one value.

The user's own activity column always wins. Each engine counts the distinct values of
the columns in its own SQL (:data:`DistinctCounts`); what is decided from the counts is
here only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["XES_LIFECYCLE", "DistinctCounts", "implied_activity"]

#: The columns of XES's standard activity classifier, in an XES log exported as a table
#: (pm4py's CSV): when both are there, an event's activity is the two joined.
XES_LIFECYCLE = ("concept:name", "lifecycle:transition")

#: Counts the distinct values of each of the given source columns, in their order.
DistinctCounts = Callable[[list[str]], Iterable[int]]

_STANDARD_NOTE = (
    "the activity is concept:name + lifecycle:transition (XES's standard classifier), "
    "joined with ' - ' (name another column as the activity to use it alone)"
)


def implied_activity(
    implied: dict[str, str],
    user: dict[str, str],
    columns: list[str],
    distinct: DistinctCounts,
    notes: list[str],
) -> dict[str, str]:
    """The source's ``implied`` mapping with its activity settled for a source with
    ``columns``, unless the ``user`` names the activity; what was decided is added to
    ``notes``.

    Examples
    --------
    >>> counts = {"concept:name": 3, "lifecycle:transition": 2, "org:resource": 4}
    >>> def distinct(parts):
    ...     return [counts[p] for p in parts]
    >>> notes = []
    >>> implied_activity({}, {}, list(counts), distinct, notes)
    {'activity': 'concept:name,lifecycle:transition'}
    >>> implied_activity({}, {"activity": "concept:name"}, list(counts), distinct, [])
    {}
    >>> counts["lifecycle:transition"] = 1
    >>> implied_activity({}, {}, list(counts), distinct, [])
    {}
    >>> notes = []
    >>> implied_activity({"activity": "concept:name,lifecycle:transition"}, {},
    ...                  list(counts), distinct, notes)
    {'activity': 'concept:name'}
    >>> notes[0][:40]
    "the log's classifier joins 'concept:name"
    """
    settled = dict(implied)
    if "activity" in user:
        return settled
    if "activity" in settled:
        settled["activity"] = _informative(settled["activity"], columns, distinct, notes)
    elif set(XES_LIFECYCLE) <= set(columns):
        joined = ",".join(XES_LIFECYCLE)
        if _informative(joined, columns, distinct, None) == joined:
            settled["activity"] = joined
            notes.append(_STANDARD_NOTE)
    return settled


def _informative(
    activity: str, columns: list[str], distinct: DistinctCounts, notes: list[str] | None
) -> str:
    """A composite activity without the later parts that hold one value throughout and
    the parts the source lacks (a note says which were left out, unless ``notes`` is
    None)."""
    parts = [p.strip() for p in activity.split(",") if p.strip() in columns]
    if len(parts) < 2:
        return parts[0] if parts else activity
    counts = list(distinct(parts))
    # The first part names the activity and always stays.
    kept = parts[:1] + [p for p, n in zip(parts[1:], counts[1:], strict=True) if n > 1]
    dropped = [p for p in parts if p not in kept]
    if dropped and notes is not None:
        notes.append(
            f"the log's classifier joins {', '.join(map(repr, parts))}; "
            f"{', '.join(map(repr, dropped))} holds one value throughout and is left out"
        )
    return ",".join(kept)
