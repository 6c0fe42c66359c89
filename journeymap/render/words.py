"""Words for people: numbers, durations and the sentences journeymap writes.

Every sentence and number format a person reads (on a map, in the report, in
summary.json) is made here, from the plain numbers the analyses return. All functions
are pure and deterministic: the same value always gives the same text, whatever the
platform. Rounding is half up on the number as Python prints it (so ``2.25`` hours is
``2.3 h``, not the ``2.2 h`` that binary floating point would give).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

import pandas as pd

__all__ = [
    "CHART_TITLES",
    "MISSING",
    "PLAN_CAVEAT",
    "capability_statement",
    "chart_title",
    "demand_type_words",
    "human_duration",
    "journey_sentences",
    "map_caption",
    "period_text",
    "plan_method",
    "plan_sentence",
    "plan_sentences",
    "reintegration_sentence",
    "reintegration_sentences",
    "share_of",
    "thousands",
    "total_wait_text",
]

#: What a missing value (None, NaN, infinity) looks like: an en dash.
MISSING = "–"

# (unit, seconds per unit, decimals, where the next unit starts in this unit).
# Seconds and minutes are whole numbers: a wait of "12 min" reads better than
# "12.4 min", and nobody acts on the tenths. From hours on, one decimal keeps
# "1.5 d" apart from "2 d", which matters for waits a customer feels.
_UNITS: tuple[tuple[str, float, int, float], ...] = (
    ("s", 1.0, 0, 60.0),
    ("min", 60.0, 0, 60.0),
    ("h", 3600.0, 1, 24.0),
    ("d", 86400.0, 1, 7.0),
    ("wk", 604800.0, 1, math.inf),
)


_WIDE = Context(prec=400)
_DAY = 86400.0


def _round_half_up(value: float, decimals: int) -> Decimal:
    # Decimal(repr(value)) is the shortest decimal that round-trips, i.e. the number
    # as a person would write it; rounding that avoids binary surprises.
    # A wide context, so that even absurd values (1e300 s) quantize without error.
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP, context=_WIDE)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def human_duration(seconds: float | None) -> str:
    """A duration in seconds as a short text with one unit.

    The unit is the largest one the value reaches:

    ========================  =========  ==================
    duration                  unit       shown as
    ========================  =========  ==================
    under 1 minute            seconds    ``"45 s"``
    under 1 hour              minutes    ``"12 min"``
    under 1 day               hours      ``"5.0 h"``
    under 1 week              days       ``"3.2 d"``
    1 week or more            weeks      ``"6.1 wk"``
    ========================  =========  ==================

    Seconds and minutes are whole numbers, hours, days and weeks have one decimal,
    always rounded half up, with a comma between groups of three digits. When rounding
    reaches the next unit, the next unit is used (59.6 s is ``"1 min"``, 23.97 h is
    ``"1.0 d"``). A negative duration keeps its sign. ``None``, NaN and infinity give
    ``"–"`` (an en dash).

    Parameters
    ----------
    seconds : float or None
        The duration in seconds.

    Returns
    -------
    str

    Examples
    --------
    >>> [human_duration(s) for s in (0, 45, 59.6, 720, 18000, 276480, 3689280)]
    ['0 s', '45 s', '1 min', '12 min', '5.0 h', '3.2 d', '6.1 wk']
    >>> human_duration(None), human_duration(float("nan")), human_duration(-90)
    ('–', '–', '-2 min')
    >>> human_duration(14_748_000_000)  # groups of three digits in long durations
    '24,384.9 wk'

    """
    if _is_missing(seconds):
        return MISSING
    value = float(seconds)  # type: ignore[arg-type]
    if value < 0:
        return "-" + human_duration(-value)
    for unit, size, decimals, limit in _UNITS:
        shown = _round_half_up(value / size, decimals)
        if shown < limit:
            return f"{shown:,} {unit}"
    raise AssertionError("unreachable: the last unit has no limit")  # pragma: no cover


def thousands(n: Any) -> str:
    """A count with a comma between groups of three digits, rounded half up.

    ``None`` and NaN give ``"–"`` (an en dash).

    Parameters
    ----------
    n : int or float or None
        The count.

    Returns
    -------
    str

    Examples
    --------
    >>> thousands(4210), thousands(1234567.0), thousands(0), thousands(None)
    ('4,210', '1,234,567', '0', '–')
    """
    if _is_missing(n):
        return MISSING
    return f"{int(_round_half_up(float(n), 0)):,}"


def ratio_text(value: Any) -> str:
    """A ratio such as hand-offs per case: two decimals; a positive one that two
    decimals would show as 0.00 keeps two significant digits, so that a few hand-offs
    in many cases never read as none. ``None`` and NaN give ``"–"``.

    Examples
    --------
    >>> ratio_text(1.5), ratio_text(11 / 4580), ratio_text(0), ratio_text(None)
    ('1.50', '0.0024', '0.00', '–')
    >>> ratio_text(0.004996), ratio_text(2e-7)
    ('0.0050', '0.00000020')
    """
    if _is_missing(value):
        return MISSING
    number = float(value)
    if number == 0 or abs(number) >= 0.005:
        return f"{number:.2f}"
    # Two significant digits: as many decimals as reach the second one.
    decimals = 1 - math.floor(math.log10(abs(float(f"{number:.1e}"))))
    return f"{number:.{decimals}f}"


def total_wait_text(seconds: float | None) -> str:
    """A total waiting time as text: the sum of many customers' waits, read in days.

    Under one day it is :func:`human_duration` (``"45 s"``,
    ``"12 min"``, ``"5.0 h"``). From one day on it is in days: one decimal below ten
    days (``"3.2 days"``), whole days with thousands separators from ten days on
    (``"1,230 days"``); never weeks, which read badly for a total. Rounding is half up;
    when it reaches the next rule, the next rule is used. ``None`` and NaN give ``"–"``.

    Examples
    --------
    >>> [total_wait_text(s) for s in (720, 18000, 86400, 276480, 106272000, None)]
    ['12 min', '5.0 h', '1.0 day', '3.2 days', '1,230 days', '–']
    """
    text = human_duration(seconds)
    if text == MISSING or text.endswith((" s", " min", " h")) or text.startswith("-"):
        return text
    days = float(seconds) / _DAY  # type: ignore[arg-type]
    shown = Decimal(repr(days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if shown < 10:
        return f"{shown} {'day' if shown == 1 else 'days'}"
    return f"{thousands(days)} days"


def reintegration_sentences(table: Any, failure_activities: Collection[str] = ()) -> list[str]:
    """:func:`reintegration_sentence` for each row of a reintegration table
    (:func:`journeymap.analysis.reintegration.reintegration`); hand-offs into one of
    ``failure_activities`` (the activities a failure-demand pattern matched) say so."""
    columns = ["from_activity", "to_activity", "from_handler", "to_handler", "handoffs",
               "cases", "total_wait_s", "median_wait_s"]  # fmt: skip
    failing = set(failure_activities)
    return [
        reintegration_sentence(*row[:-1], level=row[-1], failure=row[1] in failing)
        for row in table[[*columns, "level"]].astype(object).itertuples(index=False)
    ]


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
) -> str:
    """One reintegration candidate in plain language.

    Counts use thousands separators, the total wait :func:`total_wait_text`, the median
    :func:`human_duration`. The last sentence says "One team"
    at team level and "One person" at resource level. With ``failure`` (``to_activity``
    matched a failure-demand pattern: a chaser, a complaint), it says instead that the
    customer came back while waiting: the wait is what to remove, not the hand-off.

    Examples
    --------
    >>> reintegration_sentence("Log", "Fix", "Desk", "Field", 1, 1, 90.0, 90.0)
    "Work passed from 'Log' (Desk) to 'Fix' (Field) 1 time in 1 case and customers waited 2 min in total (median 2 min). One team doing both would remove that hand-off."
    >>> reintegration_sentence("Assess", "Chaser call", "Back", "Front", 3, 3, 3e5, 1e5,
    ...                        failure=True).split(". ")[-1]
    "'Chaser call' looks like failure demand: the customer came back while waiting, so the wait, not the hand-off, is what to remove."
    """  # noqa: E501
    times = "time" if handoffs == 1 else "times"
    in_cases = "case" if cases == 1 else "cases"
    who = "One person" if level == "resource" else "One team"
    remedy = (
        f"'{to_activity}' looks like failure demand: the customer came back while waiting, "
        "so the wait, not the hand-off, is what to remove."
        if failure
        else f"{who} doing both would remove that hand-off."
    )
    return (
        f"Work passed from '{from_activity}' ({from_handler}) to '{to_activity}' "
        f"({to_handler}) {thousands(handoffs)} {times} in {thousands(cases)} {in_cases} "
        f"and customers waited {total_wait_text(total_wait_s)} in total "
        f"(median {human_duration(median_wait_s)}). {remedy}"
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
    wait :func:`total_wait_text`, the share a percentage (whole from 10% on, one decimal
    below). The ping-pongs are said when there are any.

    Examples
    --------
    >>> plan_sentence(["Back", "Front"], 1204, 97, 862, 5_000_000.0, 74.0)
    "Back and Front, working as one team, would remove the 1,204 hand-offs between them in 862 cases and, with them, 58 days of customers' waiting: 74% of all the waiting at hand-offs. Work went back and forth between them 97 times."
    >>> plan_sentence(["ann", "bob", "cy"], 1, 0, 1, 90.0, 5.0, level="resource")
    "ann, bob and cy, working together as one, would remove the 1 hand-off between them in 1 case and, with it, 2 min of customers' waiting: 5% of all the waiting at hand-offs."
    """  # noqa: E501
    how = "working together as one" if level == "resource" else "working as one team"
    many = handoffs != 1
    text = (
        f"{_names(handlers)}, {how}, would remove the {thousands(handoffs)} "
        f"hand-off{'s' if many else ''} between them in {thousands(cases)} "
        f"case{'s' if cases != 1 else ''} and, with {'them' if many else 'it'}, "
        f"{total_wait_text(total_wait_s)} of customers' waiting: {_pct(wait_pct)} of all "
        "the waiting at hand-offs."
    )
    if pingpongs:
        text += (
            f" Work went back and forth between them {thousands(pingpongs)} "
            f"time{'s' if pingpongs != 1 else ''}."
        )
    return text


def _pct(value: float | None) -> str:
    """A percentage: whole from 10% on, one decimal below (no trailing .0), "under
    0.1%" for a sliver."""
    if _is_missing(value):
        return MISSING
    pct = float(value)  # type: ignore[arg-type]
    return "under 0.1%" if 0 < pct < 0.05 else f"{_number(pct)}%"


# -- capability --------------------------------------------------------------------
_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0, "weeks": 604800.0}


def _number(value: float, *, whole: bool = False) -> str:
    """Rounded half up with thousands separators: whole numbers from 10 on (or always,
    with ``whole``), one decimal below (no trailing .0)."""
    places = Decimal(1) if whole or abs(value) >= 10 else Decimal("0.1")
    shown = Decimal(repr(float(value))).quantize(places, rounding=ROUND_HALF_UP)
    text = f"{shown:,}"
    return text[:-2] if text.endswith(".0") else text


def _verdict(chart: Any) -> str:
    """Predictable or not, with the signals above and below the centre line: on waiting
    times, spells of short waits are signals too, and a reader should see how many."""
    if chart.predictable:
        return "the system is predictable."
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
    return f"the system is not predictable: {n:,} signal{'s' if n != 1 else ''}, {sides}."


def capability_statement(chart: Any, *, unit: str = "days") -> str:
    """An XmR chart (:class:`~journeymap.analysis.capability.XmRChart`) in plain words:
    the range the system delivers, and whether it is predictable.

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
    >>> chart = xmr([d * 86400 for d in (5, 7, 6, 9, 4)], kind="duration",
    ...             basis="case", measure="end-to-end time")
    >>> capability_statement(chart)
    'Customers wait between 0 and 14 days for this service; the system is predictable.'
    >>> capability_statement(xmr([120, 150, 130, 140], kind="count", basis="week",
    ...                          measure="new cases"))
    'Between 82 and 188 new cases a week; the system is predictable.'
    """
    if unit not in _SECONDS:
        raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(_SECONDS)}")
    verdict = _verdict(chart)
    lo, hi = chart.lnpl, chart.unpl
    if chart.kind == "duration" and hi == 0:  # every case took no time at all
        if chart.basis == "daily mean":
            return (
                "On every charted day the cases end at the instant they start (a single "
                "event, or all their events at one time): the log records no wait to chart."
            )
        return (
            "Every charted case ends at the instant it starts (a single event, or all its "
            "events at one time): the log records no wait to chart."
        )
    if chart.kind == "duration":
        span = f"{_number(lo / _SECONDS[unit])} and {_number(hi / _SECONDS[unit])} {unit}"
        if chart.basis == "daily mean":
            return f"On a typical day, customers' mean wait is between {span}; {verdict}"
        return f"Customers wait between {span} for this service; {verdict}"
    per = {"week": " a week", "daily mean": " a day"}.get(chart.basis, "")
    if chart.kind == "count":
        lo_text, hi_text = _number(lo, whole=True), _number(hi, whole=True)
        return f"Between {lo_text} and {hi_text} {chart.measure}{per}; {verdict}"
    if chart.kind == "share":
        lo_pct, hi_pct = _number(max(0.0, lo) * 100), _number(min(1.0, hi) * 100)
        return f"Between {lo_pct}% and {hi_pct}% of cases{per} are {chart.measure}; {verdict}"
    return f"{chart.measure.capitalize()} between {_number(lo)} and {_number(hi)}; {verdict}"


def period_text(period: Any) -> str:
    """What a :class:`~journeymap.analysis.period.Period` covers, in words, for the
    capability statement.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.analysis.period import Period
    >>> utc = lambda d: pd.Timestamp(d, tz="UTC")
    >>> period_text(Period(utc("2024-01-01"), utc("2024-07-01"), "detected", (0, 21), 1288, 1350))
    'Cases that started and ended from 2024-01-01 to 2024-06-30, the weeks in which new demand arrived at its usual rate (1,288 of 1,350 cases; 21 later weeks of fewer arrivals are left out).'
    """  # noqa: E501
    last = (period.end - pd.Timedelta(microseconds=1)).strftime("%Y-%m-%d")
    span = f"from {period.start.strftime('%Y-%m-%d')} to {last}"
    counts = f"{thousands(period.cases_in)} of {thousands(period.cases)} cases"
    if period.basis == "given":
        return f"Cases that started and ended {span}, the period asked for ({counts})."
    if period.basis == "whole log":
        return f"All cases, {span} ({counts})."
    before, after = period.weeks_left_out
    left = [
        f"{n} {which} week{'s' if n != 1 else ''}"
        for n, which in ((before, "earlier"), (after, "later"))
        if n
    ]
    out = f"; {' and '.join(left)} of fewer arrivals are left out" if left else ""
    return (
        f"Cases that started and ended {span}, the weeks in which new demand arrived at "
        f"its usual rate ({counts}{out})."
    )


#: The title of each capability chart, by the chart's name.
CHART_TITLES = {
    "capability_e2e": "End-to-end time",
    "weekly_volume": "Demand per week",
    "weekly_failure_demand": "Failure demand per week",
}


#: The built-in demand types in words; a rule of the configuration keeps its own name.
_DEMAND_TYPES = {
    "value": "value demand",
    "failure_activity": "failure demand: a failure-demand activity",
    "repeat_contact": "failure demand: repeat contact",
}


def demand_type_words(name: str) -> str:
    """A demand type (``demand.csv``'s ``demand_type``) as the report shows it.

    Examples
    --------
    >>> demand_type_words("repeat_contact"), demand_type_words("complaint_channel")
    ('failure demand: repeat contact', 'failure demand: complaint_channel')
    """
    return _DEMAND_TYPES.get(name, f"failure demand: {name}")


def chart_title(name: str) -> str:
    """The title of a capability chart by its name (``capability_e2e:<group>`` for a
    group's chart).

    Examples
    --------
    >>> chart_title("capability_e2e:phone")
    'End-to-end time: phone'
    """
    base, _, group = name.partition(":")
    return CHART_TITLES[base] + (f": {group}" if group else "")


# -- the map ---------------------------------------------------------------------------
def map_caption(scope: Any) -> str:
    """What a map shows of the log (a :class:`~journeymap.discovery.simplify.MapScope`),
    in plain words.

    Examples
    --------
    >>> from journeymap.discovery.simplify import MapScope
    >>> map_caption(MapScope(23, 61, 48, 210, 940, 1000))
    '23 of 61 activities, 48 of 210 paths, 94% of events'
    >>> map_caption(MapScope(24, 24, 58, 137, 100, 100))
    'All 24 activities, 58 of 137 paths'
    >>> map_caption(MapScope(5, 5, 9, 9, 100, 100, subset="failure demand"))
    'Failure demand only: all 5 activities and 9 paths'
    """
    text = _scope_text(scope)
    if scope.subset is None:
        return text
    return f"{scope.subset.capitalize()} only: {text[0].lower()}{text[1:]}"


def _scope_text(scope: Any) -> str:
    all_activities = scope.activities_shown == scope.activities_total
    if all_activities and scope.paths_shown == scope.paths_total:
        return f"All {scope.activities_total:,} activities and {scope.paths_total:,} paths"
    if all_activities:
        return (
            f"All {scope.activities_total:,} activities, "
            f"{scope.paths_shown:,} of {scope.paths_total:,} paths"
        )
    pct = scope.events_shown_pct
    share = f"{pct:.0f}%" if pct >= 10 or pct == 0 else f"{pct:.1f}%"
    return (
        f"{scope.activities_shown:,} of {scope.activities_total:,} activities, "
        f"{scope.paths_shown:,} of {scope.paths_total:,} paths, {share} of events"
    )


def rejects_line(
    source: str, rows_read: int, by_reason: dict[str, int], where: str | None = None
) -> str:
    """One line saying how many rows were rejected and why, the commonest reason first.

    Examples
    --------
    >>> rejects_line("calls.csv", 8035, {"an unclosed quote": 2, "no timestamp": 1}, "r.csv")
    'calls.csv: 3 of 8,035 rows rejected (2 an unclosed quote, 1 no timestamp); see r.csv'
    """
    rejected = sum(by_reason.values())
    shown = list(by_reason.items())[:3]
    kinds = ", ".join(f"{thousands(n)} {why}" for why, n in shown)
    if len(by_reason) > len(shown):
        kinds += f", {len(by_reason) - len(shown)} more reason(s)"
    see = f"; see {where}" if where else ""
    return f"{source}: {thousands(rejected)} of {thousands(rows_read)} rows rejected ({kinds}){see}"


def share_of(part: int, whole: int) -> str:
    """``"21%"``: a share of a whole, whole percent (one decimal under 10%, "under
    0.1%" for a sliver).

    Examples
    --------
    >>> share_of(927, 1350), share_of(5, 4580), share_of(1, 10_000), share_of(0, 0)
    ('69%', '0.1%', 'under 0.1%', '0%')
    """
    if not whole:
        return "0%"
    value = 100 * part / whole
    if 0 < value < 0.05:
        return "under 0.1%"
    return f"{_round_half_up(value, 1 if value < 10 else 0)}%"


def journey_sentences(journeys: Any) -> list[str]:
    """What the customer journeys say, in sentences (a
    :class:`~journeymap.analysis.journeys.CustomerJourneys` or its ``to_dict()``).

    Examples
    --------
    >>> for sentence in journey_sentences({"customers": 939, "customers_several_cases": 279,
    ...         "journeys": 1100, "journeys_several_cases": 200, "cases": 1350,
    ...         "cases_without_customer": 0, "median_e2e_s": 86400.0, "channel": True,
    ...         "cross_channel": 150, "channel_switches": 170,
    ...         "cross_channel_median_e2e_s": 518400.0}):
    ...     print(sentence)
    279 of 939 customers (30%) needed more than one case.
    The 939 customers' 1,350 cases form 1,100 journeys, 200 of them of more than one
    case.
    150 journeys (14%) crossed channels, with 170 channel switches in all; they took
    6.0 d end to end (median), against 1.0 d for all journeys.
    """
    j = journeys if isinstance(journeys, dict) else journeys.to_dict()
    customers, several = j["customers"], j["customers_several_cases"]
    out = [
        f"{thousands(several)} of {thousands(customers)} customers "
        f"({share_of(several, customers)}) needed more than one case.",
        f"The {thousands(customers)} customers' {thousands(j['cases'])} cases form "
        f"{thousands(j['journeys'])} journeys, {thousands(j['journeys_several_cases'])} of "
        "them of more than one case.",
    ]
    if j.get("cases_without_customer"):
        out.append(
            f"{thousands(j['cases_without_customer'])} cases have no customer and belong "
            "to no journey."
        )
    if not j.get("channel"):
        out.append("No channel is mapped: journeys across channels cannot be traced.")
        return out
    cross = j["cross_channel"] or 0
    if not cross:
        out.append("No journey crossed channels.")
        return out
    out.append(
        f"{thousands(cross)} journeys ({share_of(cross, j['journeys'])}) crossed channels, "
        f"with {thousands(j['channel_switches'])} channel switches in all; they took "
        f"{human_duration(j['cross_channel_median_e2e_s'])} end to end (median), against "
        f"{human_duration(j['median_e2e_s'])} for all journeys."
    )
    return out
