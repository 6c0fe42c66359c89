"""Reintegration in words: each hand-off one team could take back, and the groups of
a reintegration plan, in plain sentences.

The numbers in them are formatted by :mod:`journeymap.render.numbers`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from journeymap.demand_rules import GROUP_CHANGE
from journeymap.render.numbers import (
    MISSING,
    _is_missing,
    _number,
    counted,
    thousands,
    wait_text,
)

__all__ = [
    "FEW_LONG_WAITS",
    "FEW_PLAN_CASES",
    "PLAN_CAVEAT",
    "plan_method",
    "plan_sentence",
    "plan_sentences",
    "plan_timer_warning",
    "reintegration_sentence",
    "reintegration_sentences",
    "timed_step_text",
]


def reintegration_sentences(
    table: Any, failure_activities: Collection[str] = (), timed: Collection[Any] = ()
) -> list[str]:
    """:func:`reintegration_sentence` for each row of a reintegration table
    (:func:`journeymap.analysis.reintegration.reintegration`); hand-offs into one of
    ``failure_activities`` (the activities a failure-demand pattern matched) say so, and
    hand-offs across a step whose wait looks set by a timer (``timed``: the findings'
    :func:`journeymap.discovery.dfg.timed_transitions`) say that instead."""
    columns = ["from_activity", "to_activity", "from_handler", "to_handler", "handoffs",
               "cases", "total_wait_s", "median_wait_s"]  # fmt: skip
    failing = set(failure_activities)
    clocks = {(t["source"], t["target"]): t for t in timed}
    said: set[tuple[str, str]] = set()  # timed steps said in full, at their first row
    sentences = []
    for row in table[[*columns, "level"]].astype(object).itertuples(index=False):
        step = clocks.get(row[:2])
        sentences.append(
            reintegration_sentence(
                *row[:-1], level=row[-1], failure=row[1] in failing, timed=step,
                timed_before=row[:2] in said,
            )
        )  # fmt: skip
        if step is not None:
            said.add(row[:2])
    return sentences


def timed_step_text(step: Any) -> str:
    """How often a step whose wait looks set by a timer (one of the findings'
    :func:`journeymap.discovery.dfg.timed_transitions`) takes the same time.

    Examples
    --------
    >>> timed_step_text({"source": "Resolve ticket", "target": "Closed", "events": 4558,
    ...                  "timed": 1414, "wait_s": 1296000.0})
    "1,414 of the 4,558 steps from 'Resolve ticket' to 'Closed' (31%) take 15 days, to within an hour and a half"
    >>> timed_step_text({"source": "a", "target": "b", "events": 10, "timed": 5,
    ...                  "wait_s": 7 * 86400 + 3600.0})
    "5 of the 10 steps from 'a' to 'b' (50%) take 7 days 1 h, to within an hour and a half"

    The commonest wait is a whole hour, and the steps counted are those whose wait
    rounds to it or to the hour either side (:func:`journeymap.discovery.dfg.timed_transitions`).
    """  # noqa: E501
    days, hours = divmod(round(step["wait_s"] / 3600), 24)
    span = counted(days, "day") + (f" {hours} h" if hours else "")
    return (
        f"{thousands(step['timed'])} of the {thousands(step['events'])} steps from "
        f"{step['source']!r} to {step['target']!r} "
        f"({100 * step['timed'] / step['events']:.0f}%) take {span}, to within an hour and a "
        "half"
    )


def plan_timer_warning(timed: Collection[Any]) -> str | None:
    """What the reintegration plan must say when some steps' waits look set by a timer
    (the findings' :func:`journeymap.discovery.dfg.timed_transitions`): the plan counts
    those waits, which no grouping of handlers removes; None without such steps.

    Examples
    --------
    >>> print(plan_timer_warning([{"source": "Resolve", "target": "Closed", "events": 50,
    ...                            "timed": 40, "wait_s": 15 * 86400.0}]))
    The waiting this plan counts includes steps whose wait a timer or a rule may set: 40 of the 50 steps from 'Resolve' to 'Closed' (80%) take 15 days, to within an hour and a half. Working as one would not remove such a wait; find out what sets it before grouping the handlers on either side of it.
    """  # noqa: E501
    steps = list(timed)
    if not steps:
        return None
    said = "; ".join(timed_step_text(t) for t in steps[:2])
    more = len(steps) - 2
    also = f" (and {counted(more, 'other step')} like them)" if more > 0 else ""
    return (
        f"The waiting this plan counts includes steps whose wait a timer or a rule may set: "
        f"{said}{also}. Working as one would not remove such a wait; find out what sets it "
        "before grouping the handlers on either side of it."
    )


def reintegration_sentence(
    from_activity: str,
    to_activity: str,
    from_handler: str,
    to_handler: str,
    handoffs: int,
    cases: int,
    total_wait_s: float,
    median_wait_s: float,
    *,
    level: str = "team",
    failure: bool = False,
    timed: Any = None,
    timed_before: bool = False,
) -> str:
    """One reintegration candidate in plain language.

    Counts use thousands separators; the waits, total and median, :func:`wait_text`
    (in days from one day on, so that the two read in one unit). The last sentence says "One team"
    at team level and "One person" at resource level. With ``failure`` (``to_activity``
    matched a failure-demand pattern: a chaser, a complaint), it says instead that the
    customer came back while waiting: the wait is what to remove, not the hand-off. With
    ``timed`` (the step from ``from_activity`` to ``to_activity`` is one of the findings'
    :func:`journeymap.discovery.dfg.timed_transitions`), it says that a timer or a rule may
    set the wait, which one team doing both would not remove; with ``timed_before`` too
    (a row above said so in full, for other handlers), it says so in a few words.

    Examples
    --------
    >>> reintegration_sentence("Log", "Fix", "Desk", "Field", 5, 5, 450.0, 90.0)
    "Work passed from 'Log' (Desk) to 'Fix' (Field) 5 times in 5 cases and customers waited 8 min in total (median 2 min). One team doing both would remove that hand-off."
    >>> reintegration_sentence("Log", "Fix", "Desk", "Field", 1, 1, 90.0, 90.0).split(". ")[1]
    'That rests on 1 case only: too few to propose a change on; watch this hand-off for more.'
    >>> reintegration_sentence("Log", "Fix", "Desk", "Field", 40, 40, 40 * 86400.0, 37.0
    ...                        ).split(". ")[1]
    'Most of that total comes from a few long waits (mean 1.0 day, median 37 s): look at those cases before moving the work'
    >>> reintegration_sentence("Assess", "Chaser call", "Back", "Front", 3, 3, 3e5, 1e5,
    ...                        failure=True).split(". ")[-1]
    "'Chaser call' looks like failure demand: the customer came back while waiting, so the wait, not the hand-off, is what to remove."
    >>> reintegration_sentence("Log", "Assigned to group Complaints", "Desk", "Complaints", 3,
    ...                        3, 3e5, 1e5, failure=True).split(". ")[-1][:87]
    "'Assigned to group Complaints' matched a failure-demand pattern by the group's name: if"
    >>> clock = {"source": "Resolve", "target": "Closed", "events": 50, "timed": 40,
    ...          "wait_s": 30 * 86400.0}
    >>> print(reintegration_sentence("Resolve", "Closed", "Desk", "Admin", 40, 40, 1.2e8,
    ...                              2.6e6, timed=clock).split(". ", 1)[1])
    40 of the 50 steps from 'Resolve' to 'Closed' (80%) take 30 days, to within an hour and a half: a timer or a rule (such as an automatic close) may set that wait, and one team doing both would not remove it. Find out what sets it before moving the work.
    >>> print(reintegration_sentence("Resolve", "Closed", "Desk", "Audit", 4, 4, 1.2e7,
    ...                              2.6e6, timed=clock, timed_before=True).split(". ", 1)[1])
    As said above for this step, a timer or a rule may set that wait, and one team doing both would not remove it.
    """  # noqa: E501
    times = "time" if handoffs == 1 else "times"
    in_cases = "case" if cases == 1 else "cases"
    who = "One person" if level == "resource" else "One team"
    if timed is not None and timed_before:
        remedy = (
            "As said above for this step, a timer or a rule may set that wait, and "
            f"{who.lower()} doing both would not remove it."
        )
    elif timed is not None:
        remedy = (
            f"{timed_step_text(timed)}: a timer or a rule (such as an automatic close) may "
            f"set that wait, and {who.lower()} doing both would not remove it. Find out what "
            "sets it before moving the work."
        )
    elif failure and to_activity.startswith(GROUP_CHANGE):
        # A routing a system's reader named after the group: the group's name matched.
        remedy = (
            f"'{to_activity}' matched a failure-demand pattern by the group's name: if the "
            "cases routed there are failure demand (complaints, chasers), the customer "
            "came back while waiting, so the wait, not the hand-off, is what to remove."
        )
    elif failure:
        remedy = (
            f"'{to_activity}' looks like failure demand: the customer came back while "
            "waiting, so the wait, not the hand-off, is what to remove."
        )
    elif cases < FEW_PLAN_CASES:  # as the plan says of a group of so few cases
        remedy = (
            f"That rests on {counted(cases, 'case')} only: too few to propose a change on; "
            "watch this hand-off for more."
        )
    else:
        remedy = f"{who} doing both would remove that hand-off."
    few = "" if timed is not None else _few_long_waits(handoffs, total_wait_s, median_wait_s)
    return (
        f"Work passed from '{from_activity}' ({from_handler}) to '{to_activity}' "
        f"({to_handler}) {thousands(handoffs)} {times} in {thousands(cases)} {in_cases} "
        f"and customers waited {wait_text(total_wait_s)} in total "
        f"(median {wait_text(median_wait_s)}).{few} {remedy}"
    )


#: A candidate whose mean wait is at least this many times its median wait owes its total
#: to a few long waits (a median under a minute counts as a minute; 5 hand-offs or more).
FEW_LONG_WAITS = 10


def _few_long_waits(handoffs: int, total_wait_s: float, median_wait_s: float) -> str:
    """A sentence when a candidate's total wait comes from a few long waits, else ""."""
    if handoffs < 5 or _is_missing(total_wait_s) or _is_missing(median_wait_s):
        return ""
    mean = float(total_wait_s) / handoffs
    if mean < FEW_LONG_WAITS * max(float(median_wait_s), 60.0):
        return ""
    return (
        f" Most of that total comes from a few long waits (mean {wait_text(mean)}, "
        f"median {wait_text(median_wait_s)}): look at those cases before moving the work."
    )


# -- the reintegration plan ----------------------------------------------------------
#: What a reintegration plan is, and is not: said wherever the plan is shown.
PLAN_CAVEAT = (
    "This plan is a hypothesis to study, not a reorganisation chart. It counts only the "
    "customers' waiting at hand-offs between these handlers and assumes it would go with "
    "the hand-offs; it knows nothing of skills, capacity or why the work was split. Go "
    "and see the work before changing who does it."
)


def _names(names: list[str]) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def plan_method(max_group: int, min_join_share: float, *, level: str = "team") -> str:
    """How the plan's groups were formed, in one sentence.

    Examples
    --------
    >>> plan_method(3, 0.1)
    'Teams were grouped step by step: each step joins the two groups with the most hand-off waiting between them, up to 3 teams a group, and only when that waiting is at least 10% of the waiting inside the new group.'
    """  # noqa: E501
    who = "People" if level == "resource" else "Teams"
    share = _number(100 * min_join_share)
    return (
        f"{who} were grouped step by step: each step joins the two groups with the most "
        f"hand-off waiting between them, up to {max_group:,} {who.lower()} a group, and "
        f"only when that waiting is at least {share}% of the waiting inside the new group."
    )


def plan_sentences(table: Any, *, separator: str = " + ") -> list[str]:
    """:func:`plan_sentence` for each row of a reintegration plan
    (:func:`journeymap.analysis.reintegration_plan.reintegration_plan`); ``separator``
    is the one between the names of its ``handlers`` column."""
    columns = ["handlers", "handoffs", "pingpongs", "cases", "total_wait_s", "wait_pct",
               "level"]  # fmt: skip
    return [
        plan_sentence(str(handlers).split(separator), *row, level=str(level))
        for handlers, *row, level in table[columns].astype(object).itertuples(index=False)
    ]


def plan_sentence(
    handlers: list[str],
    handoffs: int,
    pingpongs: int,
    cases: int,
    total_wait_s: float,
    wait_pct: float | None,
    *,
    level: str = "team",
) -> str:
    """One group of a reintegration plan in plain language.

    Names are listed as in prose ("A, B and C"); counts use thousands separators, the
    wait :func:`wait_text`, the share a percentage (whole from 10% on, one decimal
    below). The ping-pongs are said when there are any.

    Examples
    --------
    >>> plan_sentence(["Back", "Front"], 1204, 97, 862, 5_000_000.0, 74.0)
    "Back and Front, working as one team, would remove the 1,204 hand-offs between them in 862 cases and, with them, 58 days of customers' waiting: 74% of all the waiting at hand-offs. Work went back and forth between them 97 times."
    >>> plan_sentence(["ann", "bob", "cy"], 1, 0, 1, 90.0, 5.0, level="resource")
    "ann, bob and cy, working together as one, would remove the 1 hand-off between them in 1 case and, with it, 2 min of customers' waiting: 5% of all the waiting at hand-offs. That rests on 1 case only: too few to propose a change on; watch these hand-offs for more."
    """  # noqa: E501
    how = "working together as one" if level == "resource" else "working as one team"
    many = handoffs != 1
    text = (
        f"{_names(handlers)}, {how}, would remove the {thousands(handoffs)} "
        f"hand-off{'s' if many else ''} between them in {thousands(cases)} "
        f"case{'s' if cases != 1 else ''} and, with {'them' if many else 'it'}, "
        f"{wait_text(total_wait_s)} of customers' waiting: {_pct(wait_pct)} of all "
        "the waiting at hand-offs."
    )
    if pingpongs:
        text += (
            f" Work went back and forth between them {thousands(pingpongs)} "
            f"time{'s' if pingpongs != 1 else ''}."
        )
    if cases < FEW_PLAN_CASES:
        text += (
            f" That rests on {counted(cases, 'case')} only: too few to propose a change on; "
            "watch these hand-offs for more."
        )
    return text


#: A group whose hand-offs happened in fewer cases than this is too little evidence to
#: propose joining its handlers on (as a path of fewer cases is too little to judge a
#: wait by on the map).
FEW_PLAN_CASES = 5


def _pct(value: float | None) -> str:
    """A percentage: whole from 10% on, one decimal below (no trailing .0), "under
    0.1%" for a sliver."""
    if _is_missing(value):
        return MISSING
    pct = float(value)  # type: ignore[arg-type]
    return "under 0.1%" if 0 < pct < 0.05 else f"{_number(pct)}%"
