"""The report's hand-off sections: the hand-offs and their network, where reintegrating
work would help most, and the reintegration plan (see :mod:`journeymap.render.report`)."""

from __future__ import annotations

from typing import Any

from journeymap.errors import option
from journeymap.render.doubts import recurring_steps
from journeymap.render.handler_doubts import (
    no_handoff_doubt,
    placeholder_handlers_doubt,
    still_team_doubt,
    system_account_doubt,
    system_handlers,
)
from journeymap.render.numbers import share_of, wait_text
from journeymap.render.plan_words import (
    PLAN_CAVEAT,
    plan_method,
    plan_sentences,
    plan_timer_warning,
    reintegration_sentences,
)
from journeymap.render.report_html import doubt_warning, esc, figure

__all__ = ["handoffs_section", "plan_section", "reintegration_section"]

#: How many reintegration candidates and plan groups the report lists.
TOP_OPPORTUNITIES = 10


def handoffs_section(findings: Any, network_svg: str | None, *, zoomable: bool = False) -> str:
    """The Hand-offs section: how much of the log has a handler, a doubt about the team
    column when it hardly changes, about handlers that look like placeholders or like a
    system account, and the hand-off network (``zoomable``: the journey map's Hand-offs
    view shows it too, where it can be zoomed: the caption says so, as a network of many
    handlers is too small to read at the page's width)."""
    level = findings.level or "handler"
    body = figure(
        network_svg,
        prefix="net",
        label=f"Hand-off network between {level}s: who passes work to whom, and how often.",
        caption=f"Hand-offs between {level}s: wider, darker arrows carry more hand-offs; "
        "bold purple arrows join two that hand work back and forth (ping-pong); ⇄ n counts "
        "the times it went one way and straight back."
        + (
            " To read its labels, zoom into it in the journey map's Hand-offs view."
            if zoomable
            else ""
        ),
        css="chart",
    )
    said = [
        d
        for d in (
            still_team_doubt(findings),
            no_handoff_doubt(findings),
            placeholder_handlers_doubt(findings),
            system_account_doubt(findings),
        )
        if d
    ]
    warning = "".join(doubt_warning(d) for d in said)
    head = f'<section id="handoffs"><h2>Hand-offs</h2>{_coverage(findings)}{warning}'
    return f"{head}{body}</section>"


def _coverage(findings: Any) -> str:
    """The caveat when hand-offs rest on partial data (handlers known on under 80% of
    events), and the coverage in any case."""
    check = findings.check
    coverage = None if check is None else check.flow_summary.get("coverage")
    if coverage is None:
        return ""
    text = (
        f"The {findings.level} is recorded on {coverage['events_pct']:.1f}% of events and in "
        f"{coverage['cases_pct']:.1f}% of cases; hand-offs are counted between recorded "
        "handlers, and flow measures over the cases with one."
    )
    if coverage["partial"] and not coverage["cases_seen"]:
        return (
            '<p class="warning">No hand-off can be seen in this log: no case has two events '
            f"with a recorded {esc(findings.level)}, so the figures below, and one-stop and "
            f"clean cases, say nothing of how work passes between handlers. {esc(text)}</p>"
        )
    if coverage["partial"]:
        text += (
            f" A hand-off can be seen only in the {coverage['cases_seen_pct']:.1f}% of cases "
            f"with two events or more with a recorded {findings.level}."
        )
        return f'<p class="warning">These figures rest on partial data. {esc(text)}</p>'
    return f'<p class="note">{esc(text)}</p>'


def reintegration_section(findings: Any) -> str:
    """The hand-offs whose waits cost customers most, as sentences."""
    head = '<section id="reintegration"><h2>Where reintegrating work would help most</h2>'
    table = findings.reintegration
    if findings.level is None:  # nothing to measure them by: not "none found"
        return head + (
            '<p class="note">No hand-offs can be measured: the log has no team or resource '
            "(map one with --team or --resource).</p></section>"
        )
    if table is None or table.empty:
        return head + '<p class="note">No hand-offs were found.</p></section>'
    if findings.level is not None:
        table = table[table["level"] == findings.level]
    keys = ["from_activity", "to_activity", "from_handler", "to_handler"]
    table = table.sort_values(["total_wait_s", *keys], ascending=[False, True, True, True, True])
    top = table.head(TOP_OPPORTUNITIES)
    sentences = reintegration_sentences(top, findings.failure_activities, findings.timed)
    items = "".join(
        f"<li><strong>{esc(wait_text(row['total_wait_s']))} of waiting.</strong> "
        f"{esc(sentence)}</li>"
        for row, sentence in zip(top.to_dict("records"), sentences, strict=True)
    )
    return (
        head + "<p>The hand-offs whose waits cost customers most time in total, "
        f"largest first.{_handoff_reach(findings)}</p>{_recurring_turns(findings, top)}"
        f'<ol class="opportunities">{items}</ol></section>'
    )


def _recurring_turns(findings: Any, top: Any) -> str:
    """A warning when candidates hand a step that recurs by design to the next handler
    doing it again (BPIC 2012's calls after an offer, by one clerk then another): turns
    at a recurring step, not work split between them."""
    recurring = set(recurring_steps(findings))
    again = top["from_activity"].eq(top["to_activity"]) & top["from_activity"].isin(recurring)
    steps = list(dict.fromkeys(str(a) for a in top.loc[again, "from_activity"]))
    if not steps:
        return ""
    named = ", ".join(repr(s) for s in steps)
    many = len(steps) > 1
    return doubt_warning(
        f"{named} {'recur' if many else 'recurs'} in most of the cases "
        f"{'they occur' if many else 'it occurs'} in (see Rework): a hand-off from one "
        f"{findings.level} doing {'them' if many else 'it'} to another doing "
        f"{'them' if many else 'it'} again may be turns at a recurring step rather than "
        "work split between them; check before proposing that one do both"
    )


def _handoff_reach(findings: Any) -> str:
    """How many cases had a hand-off at all: a ranking of hand-offs that touch a handful
    of cases must not read as the service's main problem."""
    summary = findings.handoff_summary or {}
    # Over the cases with a recorded handler, as the tiles' hand-off figures are
    # (MEASURES.md, flow measures).
    with_handoff, cases = summary.get("cases_with_handoff"), summary.get("cases")
    if with_handoff is None or not cases:
        return ""
    shown = share_of(int(with_handoff), int(cases))
    which = "" if int(cases) == findings.case_count else f" with a recorded {findings.level}"
    return (
        f" Hand-offs happened in {int(with_handoff):,} of the {int(cases):,} cases{esc(which)} "
        f"({esc(shown)})."
    )


#: Below this share of the cases with a handler, hand-offs are too rare for the plan's
#: shares of the waiting to say much of the service: the plan says how few they are.
FEW_HANDOFF_CASES = 0.05


def _few_cases(findings: Any) -> str:
    """The warning when the plan rests on hand-offs in few of the cases (helpdesk's
    "workgroup": 5 of 4,580 cases, whose waiting is "91% of all the waiting at hand-offs")."""
    found = findings.handoff_summary or {}
    cases, with_handoff = int(found.get("cases") or 0), int(found.get("cases_with_handoff") or 0)
    if not cases or with_handoff >= FEW_HANDOFF_CASES * cases:
        return ""
    return (
        f'<p class="warning">Hand-offs between {esc(findings.level)}s happen in '
        f"{with_handoff:,} of {cases:,} cases ({share_of(with_handoff, cases)}): this plan "
        "rests on those alone, and its shares are shares of their waiting.</p>"
    )


def _systems_grouped(findings: Any, top: Any) -> str:
    """A warning when a proposed group holds a handler taken for a system account (see
    :func:`~journeymap.render.handler_doubts.system_account_doubt`): it would join people to a
    system's reactions."""
    systems = system_handlers(findings)
    grouped = {str(h) for names in top["handlers"] for h in str(names).split(" + ")}
    found = [s for s in systems if s in grouped]
    if not found:
        return ""
    many = len(found) > 1
    named = ", ".join(repr(s) for s in found)
    accounts = "they are system accounts" if many else "it is a system account"
    return doubt_warning(
        f"{named} {'are' if many else 'is'} grouped below, but work reaches "
        f"{'them' if many else 'it'} within a second of the event before, as a system's "
        f"does (see Hand-offs): if {accounts}, mine the log again with "
        f"{option('extra_missing_values', ','.join(found))} before proposing the groups"
    )


def plan_section(findings: Any) -> str:
    """The reintegration plan: groups of handlers that, working as one, would remove the
    most hand-off waiting."""
    head = '<section id="plan"><h2>Who could work as one: a reintegration plan</h2>'
    plan = findings.reintegration_plan
    if plan is None or findings.level is None:
        return head + '<p class="note">No plan: the log has no team or resource.</p></section>'
    caveat = f'<p class="hypothesis">{esc(PLAN_CAVEAT)}</p>'
    if plan.empty:
        return head + '<p class="note">No hand-off waiting to remove.</p></section>'
    caveat += _few_cases(findings)
    # Only the timed steps that hand work over: the plan counts the waits of hand-offs.
    handed = set(zip(findings.reintegration["from_activity"],
                     findings.reintegration["to_activity"], strict=True)
                 if findings.reintegration is not None else ())  # fmt: skip
    timer = plan_timer_warning([t for t in findings.timed if (t["source"], t["target"]) in handed])
    caveat += f'<p class="warning">{esc(timer)}</p>' if timer else ""
    caveat += _systems_grouped(findings, plan.head(TOP_OPPORTUNITIES))
    chosen = findings.options.reintegration
    method = plan_method(chosen.max_group, chosen.min_join_share, level=findings.level)
    top = plan.head(TOP_OPPORTUNITIES)
    items = "".join(f"<li>{esc(sentence)}</li>" for sentence in plan_sentences(top))
    more = len(plan) - len(top)
    rest = f" {more:,} more in tables/reintegration_plan.csv." if more else ""
    return (
        f"{head}{caveat}<p>Groups of {esc(findings.level)}s that, working as one, would "
        f"remove the most waiting at hand-offs, largest first. {esc(method)}{rest}</p>"
        f'<ol class="opportunities">{items}</ol></section>'
    )
