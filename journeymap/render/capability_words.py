"""Capability in words: what an XmR chart says the system delivers, whether it is
predictable, and which period of the log the statement covers."""

from __future__ import annotations

from typing import Any

from journeymap.render.numbers import (
    _number,
    counted,
    thousands,
    wait_text,
)

__all__ = ["SOFT_LIMITS", "capability_statement", "duration_limits", "period_text"]


_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0, "weeks": 604800.0}


def _signals(chart: Any) -> str:
    """The signals of an unpredictable chart, with their sides: on waiting times, spells
    of short waits are signals too, and a reader should see how many; and how many
    points lie beyond the limits (rule 1), the plainest signals, apart from the runs and
    clusters of rules 2 and 3."""
    n = chart.signals
    above, below = chart.signal_sides()
    waits = chart.kind == "duration"
    if above and below:
        sides = (
            f"{above:,} of longer waits and {below:,} of shorter ones"
            if waits
            else f"{above:,} high and {below:,} low"
        )
    elif waits:
        side = "longer" if above else "shorter"
        sides = f"of a {side} wait" if n == 1 else f"all of {side} waits"
    else:
        side = "high" if above else "low"
        sides = side if n == 1 else f"all {side}"
    beyond = int(chart.points["rule1"].sum())
    if n == 1:
        out = ""  # one point alone is a signal only beyond the limits (rule 1)
    elif beyond == n:
        out = "; all beyond the limits"
    elif beyond:
        out = f"; {beyond:,} of them beyond the limits"
    else:
        out = "; none beyond the limits"
    return f"{n:,} signal{'s' if n != 1 else ''}, {sides}{out}"


def duration_limits(low_s: float, high_s: float, *, unit: str = "days") -> tuple[str, str]:
    """Two duration limits in seconds, as the capability statement writes them in
    ``unit`` (the batch index shows them so too).

    Examples
    --------
    >>> duration_limits(1_555_200, 5_443_200)
    ('18', '63')
    >>> duration_limits(0, 43_200)
    ('0', '0.5')
    """
    return _number(low_s / _SECONDS[unit]), _number(high_s / _SECONDS[unit])


def capability_statement(chart: Any, *, unit: str = "days") -> str:
    """An XmR chart (:class:`~journeymap.analysis.capability.XmRChart`) in plain words:
    the range the system delivers, and whether it is predictable.

    An unpredictable system delivers no range that can be promised: the statement says
    so first, with its signals, and gives the limits its data yield as no prediction (as
    Wheeler reads a chart with signals).

    Limits are LNPL and UNPL; durations are shown in ``unit`` (seconds, minutes, hours,
    days or weeks), counts as whole numbers, shares as percentages (the upper limit shown
    at most 100%). Numbers from 10 on are whole, smaller ones keep one decimal, rounded
    half up.

    Raises
    ------
    ValueError
        An unknown ``unit``.

    Examples
    --------
    >>> from journeymap.analysis.capability import xmr
    >>> chart = xmr([d * 86400 for d in (5, 7, 6, 9, 4) * 4], kind="duration",
    ...             basis="case", measure="end-to-end time")
    >>> capability_statement(chart)
    'Customers wait between 0 and 13 days for this service; the system is predictable.'
    >>> capability_statement(xmr([120, 150, 130, 140, 135, 125], kind="count", basis="week",
    ...                          measure="new cases"))  # doctest: +NORMALIZE_WHITESPACE
    'Between 93 and 173 new cases a week; the system is predictable. These limits rest on
    6 weeks only: take them as provisional until 20 or more are charted.'
    >>> chart = xmr([d * 86400 for d in (5, 7, 6, 9, 4, 6, 5, 30)], kind="duration",
    ...             basis="case", measure="end-to-end time")
    >>> capability_statement(chart)  # doctest: +NORMALIZE_WHITESPACE
    "Customers' waits for this service are not predictable: 1 signal, of a longer wait.
    The limits these data give, 0 to 24 days, predict nothing until the causes of the
    signals are found. These limits rest on 8 cases only: take them as provisional until
    20 or more are charted."
    >>> capability_statement(xmr([86400, 19 * 86400], kind="duration", basis="case",
    ...                          measure="end-to-end time"))  # doctest: +NORMALIZE_WHITESPACE
    'With 2 cases only, the chart cannot tell whether the system is predictable: chart 20
    or more before reading its limits.'
    """
    if unit not in _SECONDS:
        raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(_SECONDS)}")
    points = len(chart.points)
    each = {"case": "case", "week": "week", "daily mean": "day"}.get(chart.basis, "point")
    if points < FEW_POINTS and not _no_wait(chart):
        return (
            f"With {counted(points, each)} only, the chart cannot tell whether the system is "
            f"predictable: chart {SOFT_LIMITS} or more before reading its limits."
        )
    said = _limits_statement(chart, unit)
    if points >= SOFT_LIMITS or _no_wait(chart):
        return said
    return (
        f"{said} These limits rest on {counted(points, each)} only: take them as provisional "
        f"until {SOFT_LIMITS} or more are charted."
    )


#: Limits computed from fewer points than this are provisional: they still move as points
#: are added, and a statement resting on them says so.
SOFT_LIMITS = 20

#: Under this many points (one moving range) a chart's limits say nothing: its statement
#: says so, not "predictable" (2 cases of an OCEL example had been called predictable).
FEW_POINTS = 3


def _no_wait(chart: Any) -> bool:
    """Whether every charted case took no time at all: no limits to speak of."""
    return bool(chart.kind == "duration" and chart.unpl == 0)


def _limits_statement(chart: Any, unit: str) -> str:
    """The statement of :func:`capability_statement` without the note on few points."""
    lo, hi = chart.lnpl, chart.unpl
    if _no_wait(chart):
        if chart.basis == "daily mean":
            return (
                "On every charted day the cases end at the instant they start (a single "
                "event, or all their events at one time): the log records no wait to chart."
            )
        return (
            "Every charted case ends at the instant it starts (a single event, or all its "
            "events at one time): the log records no wait to chart."
        )
    per = {"week": " a week", "daily mean": " a day"}.get(chart.basis, "")
    if chart.kind == "duration":
        low, high = duration_limits(lo, hi, unit=unit)
        if chart.predictable and chart.basis == "daily mean":
            return (
                f"On a typical day, customers' mean wait is between {low} and {high} "
                f"{unit}; the system is predictable."
            )
        if chart.predictable:
            return (
                f"Customers wait between {low} and {high} {unit} for this service; the "
                "system is predictable."
            )
        what = (
            "The mean wait of the cases ending each day is"
            if chart.basis == "daily mean"
            else "Customers' waits for this service are"
        )
        return _unpredictable(chart, what, f"{low} to {high} {unit}")
    if chart.kind == "count":
        low, high = _number(lo, whole=True), _number(hi, whole=True)
        if chart.predictable:
            return f"Between {low} and {high} {chart.measure}{per}; the system is predictable."
        return _unpredictable(chart, f"The {chart.measure}{per} are", f"{low} to {high}")
    if chart.kind == "share":
        low, high = _number(max(0.0, lo) * 100), _number(min(1.0, hi) * 100)
        if chart.predictable:
            return (
                f"Between {low}% and {high}% of cases{per} are {chart.measure}; the system "
                "is predictable."
            )
        what = f"The share of cases{per} that are {chart.measure} is"
        return _unpredictable(chart, what, f"{low}% to {high}%")
    low, high = _number(lo), _number(hi)
    if chart.predictable:
        return f"{chart.measure.capitalize()} between {low} and {high}; the system is predictable."
    return _unpredictable(chart, f"{chart.measure.capitalize()} is", f"{low} to {high}")


def _unpredictable(chart: Any, what: str, limits: str) -> str:
    said = (
        f"{what} not predictable: {_signals(chart)}. The limits these data give, {limits}, "
        "predict nothing until the causes of the signals are found."
    )
    return f"{said} {_skewed(chart)}".rstrip()


#: Waits whose centre line (their mean) is at least this many times their median are
#: skewed: most cases end well short of the mean.
SKEWED = 1.5


def _skewed(chart: Any) -> str:
    """On a chart of cases' waits where most points sit well below the centre line (the
    mean, pulled up by a few long waits), runs and clusters below it (rules 2 and 3)
    flag much of the chart while saying little of a change: a sentence that says so and
    points at the cases beyond the upper limit. Empty otherwise."""
    if chart.kind != "duration" or chart.basis != "case":
        return ""
    x = chart.points["x"]
    median = float(x.median())
    above, below = chart.signal_sides()
    if not below > above or chart.centre < SKEWED * median or median == 0:
        return ""  # (a median of no time: cases of one event, which other notes name)
    longer = int((chart.points["rule1"] & (x > chart.centre)).sum())
    # In days, as the limits and the report's end-to-end tiles give waits.
    mean, typical = wait_text(chart.centre), wait_text(median)
    first = (
        f"look first at the {counted(longer, 'case')} beyond the upper limit"
        if longer
        else "none is beyond the upper limit"
    )
    return (
        f"Most cases end well short of the centre line, the mean wait of {mean} (the "
        f"charted cases' median is {typical}): in waits this uneven, runs of shorter waits "
        f"below the mean come often and say little of a change; {first}."
    )


def period_text(period: Any) -> str:
    """What a :class:`~journeymap.analysis.period.Period` covers, in words, for the
    capability statement.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.analysis.period import Period
    >>> utc = lambda d: pd.Timestamp(d, tz="UTC")
    >>> period_text(Period(utc("2024-01-01"), utc("2024-07-01"), "detected", (0, 21), 1288, 1350))
    'Cases that started and ended from 2024-01-01 to 2024-06-30, from the first to the last week in which new demand arrived at its usual rate (1,288 of 1,350 cases; 21 later weeks of fewer arrivals are left out).'
    >>> period_text(Period(utc("2024-01-01"), utc("2024-07-01"), "detected", (1, 0), 1288, 1350))
    'Cases that started and ended from 2024-01-01 to 2024-06-30, from the first to the last week in which new demand arrived at its usual rate (1,288 of 1,350 cases; 1 earlier week of fewer arrivals is left out).'
    >>> period_text(Period(utc("2024-01-01"), utc("2024-07-01"), "given", (0, 0), 1288, 1350, 12))
    'Cases that started and ended from 2024-01-01 to 2024-06-30, the period asked for (1,288 of 1,350 cases; 12 cases still open when the log was exported are left out).'
    >>> period_text(Period(utc("2024-01-01"), utc("2024-07-01"), "detected", (2, 1), 1288, 1350, 1))
    'Cases that started and ended from 2024-01-01 to 2024-06-30, from the first to the last week in which new demand arrived at its usual rate (1,288 of 1,350 cases; 1 case still open when the log was exported, and 2 earlier weeks and 1 later week of fewer arrivals, are left out).'
    >>> period_text(Period(utc("2024-01-01"), utc("2024-07-01"), "given", (0, 0), 1288, 1350, 0, 3))
    'Cases that started and ended from 2024-01-01 to 2024-06-30, the period asked for (1,288 of 1,350 cases; 3 cases that started in it and ended after it are left out).'
    >>> period_text(Period(utc("2013-02-24"), utc("2013-02-26"), "whole log", (0, 0), 1, 1))
    'All cases, from 2013-02-24 to 2013-02-25 (the one case).'
    >>> period_text(Period(utc("2013-02-24"), utc("2013-02-26"), "whole log", (0, 0), 40, 40))
    'All cases, from 2013-02-24 to 2013-02-25 (all 40 cases).'
    """  # noqa: E501
    span = f"from {period.first_day} to {period.last_day}"
    counts = (
        f"{thousands(period.cases_in)} of {thousands(period.cases)} cases"
        if period.cases_in != period.cases
        else "the one case"
        if period.cases == 1
        else f"all {thousands(period.cases)} cases"
    )
    left = []  # what is left out, and whether it is many
    if period.ended_after:
        n = period.ended_after
        left.append((f"{counted(n, 'case')} that started in it and ended after it", n > 1))
    if still := period.open_cases:
        left.append((f"{counted(still, 'case')} still open when the log was exported", still > 1))
    if period.basis == "detected" and any(period.weeks_left_out):
        weeks = " and ".join(
            f"{n} {which} week{'s' if n != 1 else ''}"
            for n, which in zip(period.weeks_left_out, ("earlier", "later"), strict=True)
            if n
        )
        left.append((f"{weeks} of fewer arrivals", sum(period.weeks_left_out) > 1))
    if len(left) > 1:
        counts += f"; {', '.join(text for text, _ in left[:-1])}, and {left[-1][0]}, are left out"
    elif left:
        counts += f"; {left[0][0]} {'are' if left[0][1] else 'is'} left out"
    if period.basis == "given":
        return f"Cases that started and ended {span}, the period asked for ({counts})."
    if period.basis == "whole log":
        return f"All cases, {span} ({counts})."
    return (
        f"Cases that started and ended {span}, from the first to the last week in which new "
        f"demand arrived at its usual rate ({counts})."
    )
