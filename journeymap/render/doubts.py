"""What to check before showing the figures: the doubts ``mine`` prints, ``summary.json``
lists and the report shows beside the figures they put in doubt, each a sentence that
says what was seen, what it does to the figures, and what to do."""

from __future__ import annotations

from typing import Any

from journeymap.errors import option
from journeymap.findings import Findings
from journeymap.jsonout import iso_day
from journeymap.render.capability_words import SOFT_LIMITS
from journeymap.render.handler_doubts import (
    PLACEHOLDER_LIKE,
    no_handoff_doubt,
    partial_handlers_doubt,
    placeholder_handlers_doubt,
    still_team_doubt,
    system_account_doubt,
    system_handlers,
)
from journeymap.render.numbers import counted, one_or_many, thousands, wait_text
from journeymap.render.plan_words import timed_step_text
from journeymap.render.profile_text import (
    closed_window_doubt,
    history_doubt,
    rejected_kinds,
    unclosed_doubt,
)

# The doubts on handlers live in journeymap.render.handler_doubts; named here too, as
# doubts() gathers them with the rest.
__all__ = [
    "PLACEHOLDER_LIKE",
    "REJECTS_FILE",
    "copies_doubt",
    "doubts",
    "empty_period_doubt",
    "extract_doubts",
    "few_cases_doubt",
    "no_handoff_doubt",
    "open_flow_doubt",
    "partial_handlers_doubt",
    "placeholder_handlers_doubt",
    "recurring_steps",
    "recurring_steps_doubt",
    "rejected_rows_doubt",
    "single_events_doubt",
    "still_team_doubt",
    "system_account_doubt",
    "system_handlers",
    "timed_doubt",
    "waiting_returns_doubt",
]

#: The share of the cases in which an activity occurs more than once beyond which its
#: repeats are doubted as rework (:func:`recurring_steps_doubt`): half, as for a
#: failure-demand rule that fires on most cases. Over it on the public logs: sepsis's
#: CRP (66%) and Leucocytes (64%), BPIC 2013 closed problems' "Accepted - In Progress"
#: (53%); under it the rest (BPIC 2012's most repeated step 34%, helpdesk's 14%).
RECURRING_SHARE = 0.5

#: The share of all cases that must repeat an activity for it to be doubted as rework
#: because it repeats in most of the cases it occurs in (:func:`recurring_steps_doubt`):
#: under it, its repeats hardly move the headline. Over it on the public logs: BPIC
#: 2012's "W_Nabellen offertes" (repeated in 85% of the cases it occurs in, 33% of all),
#: "W_Completeren aanvraag" (60%, 34%), "W_Valideren aanvraag" (63%, 15%) and
#: "W_Nabellen incomplete dossiers" (89%, 11%); receipt's "T07-2" (53% of 15 cases, 0.6%
#: of all) stays under it.
RECURRING_FLOOR = 0.1

#: The fewest cases an activity must occur in for "most of the cases it occurs in" to
#: say anything of its design: a step repeated in the one case that has it is no pattern.
RECURRING_MIN_CASES = 10

#: The share of the rows read that, rejected, puts every figure in doubt.
FEW_REJECTED = 0.05
#: Where ``mine`` writes the rejected rows, in its folder.
REJECTS_FILE = "tables/rejects.csv"


def doubts(findings: Findings, *, rejects_file: str = REJECTS_FILE) -> list[str]:
    """What to check before showing the figures, for every place that shows them: many
    rows rejected (listed in ``rejects_file``), a log of records rather than their
    history, an extract of the cases closed in a window, what the reader found wrong
    with the export (a truncated Jira changelog), what puts the failure-demand
    figure in doubt, a template step naming an activity no event has, hand-offs counted
    where few events have a handler, handlers that look like placeholders, and steps
    repeated in most cases."""
    rejected = rejected_rows_doubt(findings, rejects_file=rejects_file)
    records = [d for d in (rejected, history_doubt(findings.profile)) if d]
    records += extract_doubts(findings)
    records += [d for d in (timed_doubt(findings), empty_period_doubt(findings)) if d]
    found = list(findings.check.doubts) if findings.check is not None else []
    if findings.templates is not None:
        found += findings.templates.unknown_activities
    handlers = [
        d
        for d in (
            partial_handlers_doubt(findings),
            still_team_doubt(findings),
            no_handoff_doubt(findings),
            placeholder_handlers_doubt(findings),
            system_account_doubt(findings),
            recurring_steps_doubt(findings),
            waiting_returns_doubt(findings),
            copies_doubt(findings),
            single_events_doubt(findings),
            open_flow_doubt(findings),
        )
        if d
    ]
    return [*records, *found, *handlers]


def extract_doubts(findings: Findings) -> list[str]:
    """The doubts about how the log was extracted, which lean every figure one way: an
    extract of the cases closed in a window, cases that may have been open when it was
    exported (read as ended), and what the reader found wrong with the export (a
    truncated Jira changelog, ServiceNow records resolved after they closed)."""
    p = findings.profile
    said = [d for d in (few_cases_doubt(findings), closed_window_doubt(p), unclosed_doubt(p)) if d]
    return said + ([] if findings.profile is None else list(findings.profile.source_warnings))


def few_cases_doubt(findings: Findings) -> str | None:
    """The doubt when the log holds fewer cases than a capability chart needs for firm
    limits (:data:`~journeymap.render.capability_words.SOFT_LIMITS`): every share,
    percentile and ranking of so few describes those cases, not the service (one Jira
    issue read "One-stop 100.0%").

    Examples
    --------
    >>> class Found:
    ...     case_count = 2
    >>> print(few_cases_doubt(Found()))
    the log holds 2 cases only: its shares, percentiles and rankings describe those cases, not how the service works; export more (20 cases or more) before showing them as findings
    """  # noqa: E501
    cases = findings.case_count
    if not cases or cases >= SOFT_LIMITS:
        return None
    return (
        f"the log holds {counted(cases, 'case')} only: its shares, percentiles and rankings "
        "describe those cases, not how the service works; export more "
        f"({SOFT_LIMITS} cases or more) before showing them as findings"
    )


def waiting_returns_doubt(findings: Findings) -> str | None:
    """The doubt when at least half of an activity's rework events come straight after a
    waiting status (:func:`~journeymap.analysis.rework.returns_from_waiting`: Zendesk's
    pending -> open when the customer replies), in at least 1% of the cases. The
    definition counts them as rework (MEASURES.md), so the case is neither one-stop nor
    clean; whether they are work done again is for the reader to judge.

    Examples
    --------
    >>> import pandas as pd
    >>> class Found:  # what the doubt reads of the findings
    ...     rework = pd.DataFrame({"activity": ["open", "solved"], "repeat_events": [3, 1],
    ...                            "cases": [2, 1]})
    ...     waiting_returns, case_count = {"open": 2}, 5
    >>> print(waiting_returns_doubt(Found()))
    'open' has 3 rework events (in 2 cases), 2 of them straight after a waiting status: a case that comes back from waiting (on the customer, most often) counts as rework by the definition, and so is neither one-stop nor clean; check whether these returns are work done again before showing the rework, one-stop and clean figures
    """  # noqa: E501
    table, returns, cases = findings.rework, findings.waiting_returns, findings.case_count
    if table is None or table.empty or not returns or not cases:
        return None
    rows = zip(table["activity"], table["repeat_events"], table["cases"], strict=True)
    said = [
        f"{a!r} has {counted(int(n), 'rework event')} (in {counted(int(with_it), 'case')}), "
        f"{returns[a]:,} of them straight after a waiting status"
        for a, n, with_it in rows
        if a in returns and 2 * returns[a] >= n > 0 and with_it >= 0.01 * cases
    ]
    if not said:
        return None
    return (
        f"{'; '.join(said[:3])}: a case that comes back "
        "from waiting (on the customer, most often) counts as rework by the definition, and "
        "so is neither one-stop nor clean; check whether these returns are work done again "
        "before showing the rework, one-stop and clean figures"
    )


def recurring_steps(findings: Findings) -> list[str]:
    """The activities :func:`recurring_steps_doubt` takes for steps that recur by
    design, most repeated first."""
    most = _recurring(findings)
    return [] if most is None else [str(a) for a in most["activity"]]


def _recurring(findings: Findings) -> Any:
    """The rework table's rows of the activities repeated in most cases, or in most of
    the cases they occur in (see :func:`recurring_steps_doubt`), with ``occurs``, most
    repeated first; None without any."""
    table, cases = findings.rework, findings.case_count
    if table is None or table.empty or not cases:
        return None
    occurs = findings.activities.set_index("activity")["cases"]
    table = table.assign(occurs=table["activity"].map(occurs).fillna(0).astype(int))
    of_all = table["cases"] > RECURRING_SHARE * cases
    where = (
        (table["cases"] > RECURRING_SHARE * table["occurs"])
        & (table["cases"] >= RECURRING_FLOOR * cases)
        & (table["occurs"] >= RECURRING_MIN_CASES)
    )
    most = table[of_all | where]
    if most.empty:
        return None
    return most.sort_values(["cases", "activity"], ascending=[False, True], kind="stable")


def recurring_steps_doubt(findings: Findings) -> str | None:
    """The doubt when an activity occurs more than once in more than
    :data:`RECURRING_SHARE` of the cases, or of the cases it occurs in (at least
    :data:`RECURRING_MIN_CASES`) when those repeating it are at least
    :data:`RECURRING_FLOOR` of all: a step done again in most
    cases is more likely one that recurs by design (a status a case returns to after
    waiting, as Zendesk's open after pending or BPIC 2013's "Accepted - In Progress"; a
    test repeated, as sepsis's CRP; a call chasing an offer, as BPIC 2012's "W_Nabellen
    offertes", repeated in 85% of the cases that have it) than work done again, yet
    rework, one-stop and clean count every repeat (MEASURES.md), so the figures are
    doubted rather than changed.

    Examples
    --------
    >>> import pandas as pd
    >>> class Found:  # what the doubt reads of the findings
    ...     case_count = 100
    ...     rework = pd.DataFrame({"activity": ["Call back", "Check"], "cases": [17, 9]})
    ...     activities = pd.DataFrame({"activity": ["Call back", "Check"], "cases": [20, 12]})
    >>> print(recurring_steps_doubt(Found()))
    an activity occurs more than once in most of the cases it occurs in ('Call back' in 17 cases, 85% of the 20 it occurs in): a step repeated in most cases is more likely one that recurs by design (a status a case returns to after waiting on the customer, a test repeated, a call chasing an answer) than work done again, yet the rework, one-stop and clean figures count every repeat; check what the repeats are before showing them
    """  # noqa: E501
    most, cases = _recurring(findings), findings.case_count
    if most is None:
        return None
    of_all = most["cases"] > RECURRING_SHARE * cases
    shown = [
        f"{a!r} in {counted(n, 'case')} ({100 * n / cases:.0f}%)"
        if n > RECURRING_SHARE * cases
        else f"{a!r} in {counted(n, 'case')}, {100 * n / o:.0f}% of the {thousands(o)} it "
        "occurs in"
        for a, n, o in zip(most["activity"][:3], most["cases"][:3].astype(int),
                           most["occurs"][:3], strict=True)
    ]  # fmt: skip
    more = f" and {len(most) - 3} more" if len(most) > 3 else ""
    several = len(most) > 1
    where_only = "in most of the cases " + ("they occur in" if several else "it occurs in")
    return (
        f"{one_or_many(len(most), 'an activity occurs', 'activities occur')} more than once "
        f"{'in most cases' if of_all.any() else where_only} ({'; '.join(shown)}{more}): a "
        "step repeated in most cases is more likely one that recurs by design (a status a "
        "case returns to after waiting on the customer, a test repeated, a call chasing an "
        "answer) than work done again, yet the rework, one-stop and clean figures count "
        "every repeat; check what the repeats are before showing them"
    )


#: The share of the cases that, with rework only because of copies of an event, puts the
#: rework share in doubt: 2.0% on helpdesk (27.1% with them, 25.0% without); sepsis's one
#: case (0.1%) is not worth a word.
COPIES_SHARE = 0.01


def copies_doubt(findings: Findings) -> str | None:
    """The doubt when events are copies of another event of their case (same activity
    and timestamp: :attr:`~journeymap.analysis.profile.Profile.copies`), and at least
    :data:`COPIES_SHARE` of the cases have rework only because of them: each copy counts
    as rework (MEASURES.md), so the share of cases with rework is given with and without
    them.

    Examples
    --------
    >>> class Found:  # what the doubt reads of the findings
    ...     class profile:
    ...         copies = {"events": 127, "cases": 126, "rework_only": 93}
    ...     rework_summary, case_count = {"cases": 1241}, 4580
    >>> print(copies_doubt(Found()))
    127 events are copies of another event of their case (the same activity at the same time), in 126 cases; each copy counts as rework, and 93 cases have no other: without the copies 25.1% of cases have rework, not 27.1%; if they are one event written twice, remove the copies from the export
    """  # noqa: E501
    copies = {} if findings.profile is None else findings.profile.copies
    rework, cases = findings.rework_summary, findings.case_count
    if not copies or not rework or not cases or copies["rework_only"] < COPIES_SHARE * cases:
        return None
    n, only = copies["events"], copies["rework_only"]
    with_copies = 100 * rework["cases"] / cases
    without = 100 * (rework["cases"] - only) / cases
    return (
        f"{counted(n, 'event')} {one_or_many(n, 'is a copy', 'are copies')} of another event "
        f"of {one_or_many(n, 'its', 'their')} case (the same activity at the same time), in "
        f"{counted(copies['cases'], 'case')}; each copy counts as rework, and "
        f"{counted(only, 'case')} {one_or_many(only, 'has', 'have')} no other: without the "
        f"copies {without:.1f}% of cases have rework, not {with_copies:.1f}%; if they are one "
        "event written twice, remove the copies from the export"
    )


def single_events_doubt(findings: Findings) -> str | None:
    """The doubt when cases of a single event, each 0 s from end to end, are many and
    pull the median down (``single_event_cases`` in the end-to-end summary), but are not
    most cases (then the log is a list of records: :func:`history_doubt` says so).

    Examples
    --------
    >>> class Found:  # what the doubt reads of the findings
    ...     end_to_end = {"median_s": 2868.6, "single_event_cases": 116,
    ...                   "median_s_without_single_events": 10705.5}
    ...     profile, case_count, level = None, 1434, "team"
    >>> print(single_events_doubt(Found()))
    116 of 1,434 cases (8.1%) have a single event, and so an end-to-end time of 0 s: with them the median is 48 min, without them 3.0 h; and each with a known team is one-stop when it is value demand. Check what they are (a request settled at once, or a case whose history is elsewhere) before showing the end-to-end and one-stop figures
    >>> Found.level = None  # no handler: no one-stop share to speak of
    >>> print(single_events_doubt(Found()).split(": ", 1)[1])
    with them the median is 48 min, without them 3.0 h. Check what they are (a request settled at once, or a case whose history is elsewhere) before showing the end-to-end figures
    """  # noqa: E501
    e2e = findings.end_to_end or {}
    single = e2e.get("single_event_cases")
    if not single or (findings.profile is not None and findings.profile.records_not_history):
        return None
    cases = findings.case_count
    # A case with no known handler is in no one-stop share (receipt: 86 of its 116).
    one_stop = (
        f"; and each with a known {findings.level} is one-stop when it is value demand"
        if findings.level
        else ""
    )
    return (
        f"{single:,} of {cases:,} cases ({100 * single / cases:.1f}%) have a single event, "
        f"and so an end-to-end time of 0 s: with them the median is "
        f"{wait_text(e2e['median_s'])}, without them "
        f"{wait_text(e2e['median_s_without_single_events'])}{one_stop}. Check what they are "
        "(a request settled at once, or a case whose history is elsewhere) before showing "
        f"the end-to-end{' and one-stop' if one_stop else ''} figures"
    )


#: Percentage points by which the cases still open must move the one-stop or the clean
#: share (against the share of the cases that ended) to be doubted.
OPEN_SHIFT = 5.0


def open_flow_doubt(findings: Findings) -> str | None:
    """The doubt when the cases still open when the log was exported (their last event
    is no end activity) move the one-stop or the clean share by at least
    :data:`OPEN_SHIFT` points: MEASURES.md counts every case, and an open case of one
    event so far is one-stop and clean until someone hands it on or does it again.

    Examples
    --------
    >>> class Found:  # what the doubt reads of the findings
    ...     class check:
    ...         flow_summary = {"one_stop_pct": 40.0, "clean_pct": 60.0, "by_state": {
    ...             "ended": {"cases_with_handler": 32, "one_stop_pct": 25.0, "clean_pct": 50.0},
    ...             "open": {"cases_with_handler": 8, "one_stop_pct": 100.0, "clean_pct": 100.0}}}
    >>> print(open_flow_doubt(Found()))
    one-stop (40.0%) and clean (60.0%) count 8 cases that were still open when the log was exported (their last event is no end activity) and may yet be handed on or done again: of the 32 cases that ended, 25.0% were one-stop and 50.0% clean; quote these, or mine an export made after the open cases have closed
    """  # noqa: E501
    flow = {} if findings.check is None else findings.check.flow_summary
    states = flow.get("by_state")
    if not states or not states["open"]["cases_with_handler"]:
        return None
    ended, still = states["ended"], states["open"]["cases_with_handler"]
    moved = [
        (name, flow[key], ended[key])
        for name, key in (("one-stop", "one_stop_pct"), ("clean", "clean_pct"))
        if flow[key] is not None
        and ended[key] is not None
        and abs(flow[key] - ended[key]) >= OPEN_SHIFT
    ]
    if not moved:
        return None
    shares = " and ".join(f"{name} ({share:.1f}%)" for name, share, _ in moved)
    instead = " and ".join(
        f"{share:.1f}%{' were ' + name if i == 0 else ' ' + name}"
        for i, (name, _, share) in enumerate(moved)
    )
    return (
        f"{shares} count{'' if len(moved) > 1 else 's'} {counted(still, 'case')} that "
        f"{one_or_many(still, 'was', 'were')} still open when the log was exported "
        f"({one_or_many(still, 'its', 'their')} last event is no end activity) and may "
        "yet be handed on or done again: of the "
        f"{counted(ended['cases_with_handler'], 'case')} that ended, {instead}; quote "
        f"{one_or_many(len(moved), 'this', 'these')}, or mine an export made after the open "
        "cases have closed"
    )


def rejected_rows_doubt(findings: Findings, *, rejects_file: str = REJECTS_FILE) -> str | None:
    """The doubt when at least :data:`FEW_REJECTED` of the rows read were rejected: they
    are in no figure, only in ``rejects_file`` (where ``mine`` writes them)."""
    p = findings.profile
    if p is None:
        return None
    counts = p.read_counts
    if not p.rejected_rows or counts.share_rejected() < FEW_REJECTED:
        return None
    n = p.rejected_rows  # one part's, or more than one in two parts
    return (
        f"{counts.rejected_of(share=True)} "
        f"{one_or_many(n, 'was', 'were')} rejected ({rejected_kinds(p)}) and "
        f"{one_or_many(n, 'is', 'are')} in no figure: "
        f"{rejects_file} gives each with its reason; fix the export and mine it again"
    )


def empty_period_doubt(findings: Findings) -> str | None:
    """The doubt when the period the user gave holds none of the log's cases (a typo in
    its year, most likely): the capability charts are then left out."""
    check = findings.check
    period = None if check is None else check.period
    if period is None or period.basis != "given" or period.cases_in:
        return None
    return (
        f"the period asked for, {period.first_day} to {period.last_day}, holds none "
        f"of the log's cases, which run from {iso_day(findings.start)} to "
        f"{iso_day(findings.end)}: there are no capability charts; check the dates "
        f"given with {option('period', 'START..END')}"
    )


def timed_doubt(findings: Findings) -> str | None:
    """The doubt when a transition's waits look set by a rule or a timer (the commonest
    of them, a day or more, holds a quarter of them: a ticket closed automatically 15
    days after it is resolved): the waits the figures show include that clock.

    Examples
    --------
    >>> class Found:  # what the doubt reads of the findings
    ...     timed = [{"source": "Resolve ticket", "target": "Closed", "events": 4558,
    ...               "timed": 1414, "wait_s": 1296000.0}]
    >>> print(timed_doubt(Found()))
    1,414 of the 4,558 steps from 'Resolve ticket' to 'Closed' (31%) take 15 days, to within an hour and a half: a rule, a schedule or a timer (such as an automatic close) may set that wait, rather than the work or the customer; end-to-end times, the map's waits and the reintegration candidates include it
    """  # noqa: E501
    if not findings.timed:
        return None
    parts = [timed_step_text(t) for t in findings.timed[:2]]
    more = len(findings.timed) - len(parts)
    also = f" (and {counted(more, 'other step')} like them)" if more else ""
    return (
        f"{'; '.join(parts)}{also}: a rule, a schedule or a timer (such as an automatic "
        "close) may set that wait, rather than the work or the customer; end-to-end times, "
        "the map's waits and the reintegration candidates include it"
    )
