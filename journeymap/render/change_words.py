"""Words for batches and comparisons: how a batch went, a change in words, and what a
reader of a comparison must know (the same conventions as :mod:`journeymap.render.numbers`:
pure, deterministic, rounding half up)."""

from __future__ import annotations

from typing import Any

from journeymap.render.numbers import (
    MISSING,
    _is_missing,
    _round_half_up,
    counted,
    ratio_text,
    thousands,
    wait_text,
)

__all__ = [
    "HEADLINE_MEASURES",
    "LEVEL_MEASURES",
    "RATE_WEEKS",
    "SPLIT_BEFORE",
    "batch_summary",
    "change_text",
    "comparison_notes",
    "level_note",
    "named_sides",
    "side_notes",
    "split_labels",
]


def batch_summary(statuses: list[str]) -> str:
    """How a batch went, from its logs' statuses (mined, up to date, failed, not run).

    Examples
    --------
    >>> batch_summary(["mined", "failed", "mined", "up to date"])
    '4 logs: 2 mined, 1 up to date, 1 failed'
    >>> batch_summary(["mined"])
    '1 log: 1 mined'
    """
    counts = [
        f"{statuses.count(s):,} {s}"
        for s in ("mined", "up to date", "failed", "not run")
        if s in statuses
    ]
    n = len(statuses)
    return f"{n:,} log{'' if n == 1 else 's'}: {', '.join(counts)}"


def change_text(before: Any, after: Any, kind: str) -> str:
    """The change from ``before`` to ``after`` in words, signed: counts as a difference
    and a percentage, percentages in points, durations in human units (``kind``:
    "count", "pct", "duration" or "ratio"). Missing values give "–".

    Examples
    --------
    >>> change_text(200, 230, "count"), change_text(40.0, 37.5, "pct")
    ('+30 (+15.0%)', '-2.5 points')
    >>> change_text(86400, 43200, "duration"), change_text(1.5, 1.25, "ratio")
    ('-12.0 h', '-0.25')
    >>> change_text(0.0012, 0.0038, "ratio")  # not "+0.00": a tripling
    '+0.0026'
    >>> change_text(None, 3, "count"), change_text(5, 5, "count")
    ('–', '0 (0.0%)')
    """
    if _is_missing(before) or _is_missing(after):
        return MISSING
    diff = float(after) - float(before)
    sign = "+" if diff > 0 else ""
    if kind == "count":
        share = f" ({sign}{100 * diff / float(before):.1f}%)" if float(before) else ""
        return f"{sign}{thousands(diff) if diff >= 0 else '-' + thousands(-diff)}{share}"
    if kind == "pct":
        return f"{sign}{_round_half_up(diff, 1)} points"
    if kind == "duration":  # in days from a day on, as the report's tiles give waits
        return f"{sign}{wait_text(diff)}"
    return f"{sign}{ratio_text(diff)}"  # as precise as the ratios themselves


#: The headline measures a comparison shows: key -> (words, kind of number).
#: The fewest weeks of arrivals a period's demand per week is given over: five cases in
#: a day are not 35 a week.
RATE_WEEKS = 1.0

HEADLINE_MEASURES: dict[str, tuple[str, str]] = {
    "cases": ("Demand (cases)", "count"),
    # Periods of other lengths: the rate, not the count, says whether demand grew.
    "cases_per_week": ("Demand per week (cases, first arrival to last)", "ratio"),
    "events": ("Events", "count"),
    "failure_demand_pct": ("Failure demand", "pct"),
    "one_stop_pct": ("One-stop", "pct"),
    "clean_pct": ("Clean", "pct"),
    "single_handler_pct": ("Single handler", "pct"),
    "e2e_median_s": ("End-to-end, median", "duration"),
    "e2e_p90_s": ("End-to-end, 90th percentile", "duration"),
    "capability_centre_s": ("End-to-end, centre line of the XmR chart", "duration"),
    "capability_unpl_s": ("End-to-end, upper natural process limit", "duration"),
    "handoffs_per_case": ("Hand-offs per case", "ratio"),
    "rework_cases_pct": ("Cases with rework", "pct"),
    "activities": ("Activities", "count"),
    "variants": ("Variants", "count"),
}


#: The headline measures counted at the handler level (team, else resource): between
#: two sides counted at different levels they are not compared.
LEVEL_MEASURES = ("one_stop_pct", "clean_pct", "single_handler_pct", "handoffs_per_case")


def _side(label: str) -> str:
    """A side of a comparison after a word: "before" and "after" as they are, a name
    given to a log with ``in`` ("in open problems")."""
    return label if label in ("before", "after") else f"in {label}"


def level_note(
    levels: tuple[str | None, str | None], labels: tuple[str, str] = ("before", "after")
) -> str | None:
    """The note when the two sides count hand-offs at different levels (one log has no
    team column): their hand-off measures are shown, not compared.

    Examples
    --------
    >>> level_note(("team", "resource"))
    'Hand-offs are counted between teams before and between resources after (one log maps no team): one-stop, clean, single handler and hand-offs per case are shown side by side but not compared.'
    >>> level_note(("team", "team")) is None
    True
    """  # noqa: E501
    if levels[0] == levels[1]:
        return None
    named = [f"between {level}s" if level else "at no level (no handler)" for level in levels]
    why = " (one log maps no team)" if all(levels) else ""
    return (
        f"Hand-offs are counted {named[0]} {_side(labels[0])} and {named[1]} "
        f"{_side(labels[1])}{why}: one-stop, "
        "clean, single handler and hand-offs per case are shown side by side but not "
        "compared."
    )


#: How the first half of a log split at a day is named, before the day.
SPLIT_BEFORE = "cases starting before "


def split_labels(day: str) -> tuple[str, str]:
    """How the two halves of a log split at ``day`` (UTC) are named.

    Examples
    --------
    >>> split_labels("2011-05-10")
    ('cases starting before 2011-05-10', 'cases starting from 2011-05-10')
    """
    return f"{SPLIT_BEFORE}{day}", f"cases starting from {day}"


def named_sides(labels: tuple[str, str]) -> bool:
    """Whether a comparison's sides carry names given to two logs (``--labels``), not
    "before" and "after" nor the halves of a split log.

    Examples
    --------
    >>> named_sides(("before", "after")), named_sides(split_labels("2024-03-01"))
    (False, False)
    >>> named_sides(("closed problems", "open problems"))
    True
    """
    return tuple(labels) != ("before", "after") and not labels[0].startswith(SPLIT_BEFORE)


def _listed(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = len(names) - limit
    return shown + (f" and {more:,} more" if more > 0 else "")


def comparison_notes(
    mapping_before: dict[str, str],
    mapping_after: dict[str, str],
    only_before: list[str],
    only_after: list[str],
    end_activities: tuple[Any, Any] = (None, None),
    labels: tuple[str, str] = ("before", "after"),
) -> list[str]:
    """What a reader of a comparison must know about naming: whether the two logs map
    the roles to the same columns, know the same end activities (each side's, None when
    none were given), and which activities appear on one side only (a renamed step would
    look like a change in the service).

    Examples
    --------
    >>> comparison_notes({"team": "a"}, {"team": "b"}, ["Call back"], [])
    ["The two logs map roles to different columns (team: 'a' before, 'b' after): a change in hand-offs or lanes may come from the mapping, not the service.", "1 activity appears only before ('Call back'): check whether it was renamed before reading a change in its paths as real."]
    >>> comparison_notes({"team": "a"}, {"team": "a"}, [], [])
    ['Both map the same columns and have the same activities.']
    >>> comparison_notes({}, {}, [], [], (None, ("Closed",)))[0]
    "The two logs know different end activities (before: none given, so every case counts as finished; after: 'Closed'): the end-to-end figures leave out the cases still open on one side only, so a change in them may come from that, not the service."
    """  # noqa: E501
    notes = []
    roles = sorted(set(mapping_before) | set(mapping_after))
    differ = [r for r in roles if mapping_before.get(r) != mapping_after.get(r)]
    if differ:
        shown = "; ".join(
            f"{r}: {mapping_before.get(r)!r} {_side(labels[0])}, "
            f"{mapping_after.get(r)!r} {_side(labels[1])}"
            for r in differ
        ).replace("None", "not mapped")
        notes.append(
            f"The two logs map roles to different columns ({shown}): a change in hand-offs "
            "or lanes may come from the mapping, not the service."
        )
    ends = [None if e is None else tuple(sorted(e)) for e in end_activities]
    if ends[0] != ends[1]:
        known = [
            "none given, so every case counts as finished" if e is None else _listed(list(e))
            for e in ends
        ]
        notes.append(
            f"The two logs know different end activities ({labels[0]}: {known[0]}; "
            f"{labels[1]}: {known[1]}): the end-to-end figures leave out the cases still open "
            "on one side only, so a change in them may come from that, not the service."
        )
    sides = [(n, _side(w)) for n, w in ((only_before, labels[0]), (only_after, labels[1])) if n]
    if sides:
        parts = [
            f"{len(n):,} activit{'y appears' if len(n) == 1 else 'ies appear'} only {w} "
            f"({_listed(n)})"
            for n, w in sides
        ]
        one = sum(len(n) for n, _ in sides) == 1
        notes.append(
            f"{' and '.join(parts)}: check whether {'it was' if one else 'they were'} renamed "
            f"before reading a change in {'its' if one else 'their'} paths as real."
        )
    if not notes:
        notes.append("Both map the same columns and have the same activities.")
    return notes


def side_notes(
    labels: tuple[str, str],
    spans: tuple[tuple[Any, Any, int], tuple[Any, Any, int]],
    doubts: tuple[list[str], list[str]],
) -> list[str]:
    """What each side says of itself, for a reader of the change: how many weeks its
    demand arrived over and how many cases a week (counts compare only as rates when
    the periods differ in length), and each side's doubts (what ``mine`` says to check
    before showing its figures), a doubt both share said once.

    ``spans`` holds each side's first and last case start (pandas timestamps, or None
    without cases) and cases.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.Timestamp("2024-01-01", tz="UTC")
    >>> for note in side_notes(("before", "after"),
    ...         ((day, day + pd.Timedelta(days=70), 200), (day, day + pd.Timedelta(days=35), 50)),
    ...         (["few handlers"], ["few handlers", "many rejects"])):
    ...     print(note)
    Demand arrived over, first case start to last: before, 10.0 weeks (200 cases, 20.0 a week); after, 5.0 weeks (50 cases, 10.0 a week). Compare rates and shares, not counts.
    Both: few handlers
    After: many rejects
    >>> side_notes(("before", "after"), ((day, day, 1), (day, day + pd.Timedelta(days=7), 9)),
    ...            ([], []))[0].split("last: ")[1].split("; ")[0]
    'before, 0.0 weeks (1 case, too short a time for a weekly rate)'
    """  # noqa: E501
    spans_said = []
    for start, end, cases in spans:
        weeks = (end - start).total_seconds() / (7 * 86400) if start is not None else 0.0
        rate = (
            f", {cases / weeks:,.1f} a week"
            if weeks >= RATE_WEEKS
            else ", too short a time for a weekly rate"
        )
        spans_said.append(f"{weeks:,.1f} weeks ({counted(cases, 'case')}{rate})")
    out = [
        f"Demand arrived over, first case start to last: {labels[0]}, {spans_said[0]}; "
        f"{labels[1]}, {spans_said[1]}. Compare rates and shares, not counts."
    ]
    before, after = doubts
    for doubt in before:
        side = "Both" if doubt in after else labels[0].capitalize()
        out.append(f"{side}: {doubt}")
    out += [f"{labels[1].capitalize()}: {d}" for d in after if d not in before]
    return out
