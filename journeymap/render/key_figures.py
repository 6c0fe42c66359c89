"""The report's headline figures, the tiles under its title: each figure with what it is
of and what puts it in doubt, as a row copied onto a slide must carry them. The batch
index shows them as the report does (``summary.json``'s ``key_figures``)."""

from __future__ import annotations

from typing import Any

from journeymap.analysis.demand import ACCOUNTS_DOUBT, NONE_FOUND
from journeymap.render.doubts import (
    copies_doubt,
    extract_doubts,
    open_flow_doubt,
    recurring_steps_doubt,
    single_events_doubt,
    waiting_returns_doubt,
)
from journeymap.render.handler_doubts import (
    no_handoff_doubt,
    still_team_doubt,
    system_account_doubt,
)
from journeymap.render.numbers import (
    MISSING,
    ratio_text,
    thousands,
    wait_text,
)
from journeymap.render.report_html import (
    pct,
)
from journeymap.render.summary import summary as summary_of

__all__ = ["REPEAT_DOUBT", "key_numbers"]


def key_numbers(findings: Any, summary: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """The headline numbers as (label, text) pairs, in the order shown (``summary``: the
    findings' :func:`~journeymap.render.summary.summary`, when made already).

    Demand volume (cases), failure-demand %, one-stop %, clean %, end-to-end median
    and p90, hand-offs per case (total hand-offs / cases with a known handler,
    :func:`ratio_text`) and rework % of cases (cases with a rework event / cases).
    The labels of the figures that rest on handlers say so when few events have one,
    and those that need a history say so when most cases have a single event.
    """
    summary = summary or summary_of(findings)
    cases = summary["cases"]
    e2e = summary["end_to_end"] or {}
    handoffs = summary.get("handoffs")
    rework = summary.get("rework")
    per_case = MISSING if handoffs is None else ratio_text(handoffs["per_case"])
    rework_pct = pct(100 * rework["cases"] / cases) if rework is not None and cases else MISSING
    coverage = (handoffs or {}).get("coverage") or {}
    partial = " (partial data: see Hand-offs)" if coverage.get("partial") else ""
    # No case with two events with a handler: hand-offs cannot be seen at all, and a
    # single handler (one-stop) says nothing.
    unseen = coverage.get("partial") and not coverage.get("cases_seen")
    if unseen:
        partial, per_case = " (no hand-off can be seen: see Hand-offs)", MISSING
    if not partial and still_team_doubt(findings):  # the team hardly changes; people do
        partial = " (teams hardly change: see Hand-offs)"
    if not partial and no_handoff_doubt(findings):  # a current value, not who did it
        partial = f" (the {findings.level} never changes: see Hand-offs)"
    if not partial and system_account_doubt(findings):  # a system among the handlers
        partial = " (a system may count as a handler: see Hand-offs)"
    # A list of records, not their history: what needs a history says so where it is
    # shown, not only in the banner above (a tile row is what gets copied onto a slide).
    listed = findings.profile is not None and findings.profile.records_not_history
    history = " (many single events: see above)" if listed else ""
    partial = history or partial
    # One-stop and clean cases are value demand: a doubtful repeat-contact rule, which
    # moves cases to failure demand, puts them in doubt with it.
    failure = _failure_label(summary)
    value = history or (REPEAT_DOUBT if failure.endswith(REPEAT_DOUBT) else partial)
    if not value and open_flow_doubt(findings):  # cases still open count, one-stop so far
        value = " (cases still open count: see Demand)"
    opened = ((summary.get("flow_by_state") or {}).get("open") or {}).get("cases_with_handler")
    if not value and opened:  # counted, as MEASURES.md says, beside end-to-end's "left out"
        value = f" ({thousands(opened)} still open: counted)"
    known = coverage.get("cases")
    if not unseen and handoffs is not None and known is not None and known < cases:
        # One-stop, clean and hand-offs per case are of the cases with a known handler
        # (MEASURES.md): the tiles say of how many, before any doubt, or a reader divides
        # by all the demand (and most so when the handlers are partial data).
        of = f"of the {thousands(known)} cases with a known {handoffs['level']}"
        value = f" ({of}; {value.strip()[1:-1]})" if value else f" ({of})"
        partial = f" ({of}; {partial.strip()[1:-1]})" if partial else f" ({of})"
    # A step that recurs in most cases, or in most of those it occurs in, by design (a
    # status returned to after waiting, a call chasing an answer).
    recurring = (
        " (a recurring step counts: see Rework)"
        if recurring_steps_doubt(findings)
        else " (returns from waiting count: see Rework)"
        if waiting_returns_doubt(findings)
        else " (copies of events count: see Rework)"
        if copies_doubt(findings)
        else ""
    )
    still, single = e2e.get("open_cases"), e2e.get("single_event_cases")
    ended = history or (f" ({thousands(still)} still open: left out)" if still else "")
    if not history and single_events_doubt(findings):
        zero = f"{thousands(single)} cases of one event, at 0 s"
        ended = f" ({ended.strip()[1:-1]}; {zero})" if ended else f" ({zero})"
    # A warning above the tiles on how the export recorded the ends (a bulk update of
    # ServiceNow's resolved times, a closed-cases window) names end-to-end times: the
    # tiles point at it, as a row copied onto a slide loses what is above it.
    if not history and any("end-to-end" in d for d in extract_doubts(findings)):
        above = "see the warning above"
        ended = f" ({ended.strip()[1:-1]}; {above})" if ended else f" ({above})"
    return [
        ("Demand (cases)", thousands(cases)),
        (failure, pct(summary.get("failure_demand_pct"))),
        ("One-stop" + value, MISSING if unseen else pct(summary.get("one_stop_pct"))),
        ("Clean" + value, MISSING if unseen else pct(summary.get("clean_pct"))),
        ("End-to-end, median" + ended, wait_text(e2e.get("median_s"))),
        ("End-to-end, 90th percentile" + ended, wait_text(e2e.get("p90_s"))),
        ("Hand-offs per case" + partial, per_case),
        ("Cases with rework" + (history or recurring), rework_pct),
    ]


#: Said beside the figures that rest on a repeat-contact rule the data put in doubt.
REPEAT_DOUBT = " (repeat contact in doubt: see Demand)"


def _failure_label(summary: dict[str, Any]) -> str:
    """The failure-demand tile's label: it says so when the figure rests on repeat
    contacts that may be new requests (a customer column of accounts), and when the
    rules found none (0% is what they saw, not a finding)."""
    notes = [str(n) for n in summary.get("check_notes") or ()]
    if any(n.startswith(ACCOUNTS_DOUBT) for n in notes):
        return "Failure demand" + REPEAT_DOUBT
    if any(n.startswith(NONE_FOUND) for n in notes):
        return "Failure demand (none found by the rules: see Demand)"
    return "Failure demand"
