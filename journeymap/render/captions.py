"""Captions and short texts of the outputs: chart titles, demand types, what a map
shows of the log, the rejected-rows line and the customer journeys in sentences."""

from __future__ import annotations

from typing import Any

from journeymap.render.numbers import counted, human_duration, one_or_many, share_of, thousands

__all__ = [
    "CHART_TITLES",
    "chart_title",
    "demand_type_words",
    "journey_sentences",
    "map_caption",
    "rejects_line",
]


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
    source: str, rejected_of: str, by_reason: dict[str, int], where: str | None = None
) -> str:
    """One line saying how many of what was read were rejected (``rejected_of``, as
    :meth:`~journeymap.read_counts.ReadCounts.rejected_of` says it) and why, the
    commonest reason first.

    Examples
    --------
    >>> why = {"an unclosed quote": 2, "no timestamp": 1}
    >>> rejects_line("calls.csv", "3 of 8,035 rows", why, "r.csv")
    'calls.csv: 3 of 8,035 rows rejected (2 an unclosed quote, 1 no timestamp); see r.csv'
    >>> rejects_line("sys_audit.csv", "1 of 1 record", {"no time": 1})
    'sys_audit.csv: 1 of 1 record rejected (1 no time)'
    """
    shown = list(by_reason.items())[:3]
    kinds = ", ".join(f"{thousands(n)} {why}" for why, n in shown)
    if len(by_reason) > len(shown):
        kinds += f", {len(by_reason) - len(shown)} more reason(s)"
    see = f"; see {where}" if where else ""
    return f"{source}: {rejected_of} rejected ({kinds}){see}"


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
    The 939 customers' 1,350 cases form 1,100 journeys (200 of more than one case).
    150 journeys (14%) crossed channels, with 170 channel switches in all; they took
    6.0 d end to end (median), against 1.0 d for all journeys.
    >>> journey_sentences({"customers": 4, "customers_several_cases": 1, "journeys": 4,
    ...     "journeys_several_cases": 1, "cases": 5, "cases_without_customer": 0,
    ...     "median_e2e_s": 3600.0, "channel": True, "cross_channel": 1,
    ...     "channel_switches": 1, "cross_channel_median_e2e_s": 82080.0})[-1]
    '1 journey (25%) crossed channels, with 1 channel switch in all; it took 22.8 h end to end (median), against 1.0 h for all journeys.'
    >>> journey_sentences({"customers": 1, "customers_several_cases": 0, "journeys": 1,
    ...     "journeys_several_cases": 0, "cases": 1, "cases_without_customer": 0,
    ...     "median_e2e_s": 60.0, "channel": False})[:2]
    ['The one customer needed one case.', 'No channel is mapped: journeys across channels cannot be traced.']
    """  # noqa: E501
    j = journeys if isinstance(journeys, dict) else journeys.to_dict()
    customers, several = j["customers"], j["customers_several_cases"]
    whose = "customer's" if customers == 1 else "customers'"
    needed = (
        f"The one customer needed {'more than one case' if several else 'one case'}."
        if customers == 1
        else f"{thousands(several)} of {thousands(customers)} customers "
        f"({share_of(several, customers)}) needed more than one case."
    )
    longer = j["journeys_several_cases"]
    out = [needed]
    if j["cases"] > 1:  # one case is one journey: the sentence before says so
        out.append(
            f"The {'' if customers == 1 else thousands(customers) + ' '}{whose} "
            f"{counted(j['cases'], 'case')} form {counted(j['journeys'], 'journey')}"
            + (f" ({thousands(longer)} of more than one case)." if longer else ".")
        )
    ids = j.get("customer_ids") or customers
    if ids > customers:
        away = ids - customers
        out.append(
            f"{thousands(away)} of the {thousands(ids)} customer ids "
            f"{one_or_many(away, 'is', 'are')} in no journey: "
            f"{one_or_many(away, 'it is', 'each is')} named only in cases that also name "
            "another customer, and such a case belongs to the customer whose id comes first "
            "by name."
        )
    if j.get("cases_without_customer"):
        out.append(
            f"{counted(j['cases_without_customer'], 'case')} "
            f"{one_or_many(j['cases_without_customer'], 'has', 'have')} no customer and "
            f"{one_or_many(j['cases_without_customer'], 'belongs', 'belong')} to no journey."
        )
    if not j.get("channel"):
        out.append("No channel is mapped: journeys across channels cannot be traced.")
        return out
    cross = j["cross_channel"] or 0
    if not cross:
        out.append("No journey crossed channels.")
        return out
    switches = j["channel_switches"]
    out.append(
        f"{counted(cross, 'journey')} ({share_of(cross, j['journeys'])}) crossed channels, "
        f"with {counted(switches, 'channel switch', 'channel switches')} in all; "
        f"{one_or_many(cross, 'it', 'they')} took "
        f"{human_duration(j['cross_channel_median_e2e_s'])} end to end (median), against "
        f"{human_duration(j['median_e2e_s'])} for all journeys."
    )
    return out
