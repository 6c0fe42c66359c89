"""The report's sections on what the check phase measures per case: rework, demand
(types, failure demand and its evidence, flow by channel, the weekly charts) and
capability (the end-to-end time's XmR charts, the work at each step). Parts of
:func:`journeymap.render.report.render_report`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.analysis.demand import NONE_FOUND
from journeymap.analysis.flow import COVERAGE_FLOOR
from journeymap.findings import END_DOUBT
from journeymap.render.capability_words import capability_statement, period_text
from journeymap.render.captions import chart_title, demand_type_words
from journeymap.render.doubts import (
    copies_doubt,
    empty_period_doubt,
    open_flow_doubt,
    recurring_steps_doubt,
    single_events_doubt,
    timed_doubt,
    waiting_returns_doubt,
)
from journeymap.render.numbers import thousands, wait_text
from journeymap.render.report_assets import HYPOTHESIS_NOTE
from journeymap.render.report_html import Column, doubt_warning, esc, figure, pct, sortable_table

__all__ = ["TOP_ROWS", "XMR_HOW", "capability_section", "demand_section", "period_statement",
           "rework_section"]  # fmt: skip

#: Rows shown of a long table (the CSV holds them all).
TOP_ROWS = 20


def period_statement(findings: Any) -> str | None:
    """The capability statement, with the period it covers."""
    check = findings.check
    chart = None if check is None else check.charts.get("capability_e2e")
    if chart is None:
        return None
    statement = capability_statement(chart)
    return statement if check.period is None else f"{statement} {period_text(check.period)}"


def rework_section(findings: Any) -> str:
    head = '<section id="rework"><h2>Rework</h2>'
    table = findings.rework
    if table is None:
        return head + '<p class="note">Rework was not computed.</p></section>'
    table = table[table["repeat_events"] > 0].sort_values(
        ["repeat_events", "activity"], ascending=[False, True]
    )
    # A redo is rework by other hands: without a resource it cannot be told, and where
    # few events have one, most redos cannot be seen.
    people = findings.log.has("resource")
    recorded = _resource_share(findings)
    few = people and recorded is not None and recorded < COVERAGE_FLOOR
    redo = "Redo (other hands, where recorded)" if few else "Redo (other hands)"
    columns = [
        Column("activity", "Activity"),
        Column("repeat_events", "Rework events", "count"),
        Column("cases", "Cases", "count"),
        *([Column("redo_events", redo, "count")] if people else []),
        Column("self_loops", "Self-loops", "count"),
        Column("rework_wait_s", "Total wait into rework", "duration"),
    ]
    caption = "Activities done again in the same case, most rework first"
    said = (
        recurring_steps_doubt(findings),
        waiting_returns_doubt(findings),
        copies_doubt(findings),
    )
    body = "".join(doubt_warning(d) for d in said if d)
    if table.empty:  # a table of headers only says nothing
        return head + body + '<p class="note">No activity was done again in any case.</p></section>'
    body += sortable_table(table, columns, caption=caption, limit=TOP_ROWS)
    if not people:
        body += (
            '<p class="note">Redos (rework by other hands) need the resource who did each '
            "event: map a resource column (--resource) to count them.</p>"
        )
    elif few:
        body += (
            f'<p class="warning">The resource is recorded on {recorded:.1f}% of events: a '
            "redo is counted only where both occurrences of the activity have one, so the "
            "redos are at least these, and an activity whose events have none shows –.</p>"
        )
    return head + body + "</section>"


def _resource_share(findings: Any) -> float | None:
    """The share of events with a recorded resource, %, from the data-quality profile."""
    p = findings.profile
    if p is None or not p.events or not findings.log.has("resource"):
        return None
    return 100 * (1 - p.missing.get("resource", 0) / p.events)


def demand_section(findings: Any, chart_svgs: dict[str, str]) -> str:
    out = ['<section id="demand"><h2>Demand</h2>']
    out.append(f'<p class="hypothesis">{esc(HYPOTHESIS_NOTE)}</p>')
    check = findings.check
    if check is not None:
        by_type = check.demand_summary.get("by_type", {})
        total = sum(by_type.values())
        frame = pd.DataFrame(
            [{"type": demand_type_words(k), "cases": n, "pct": 100 * n / total if total else None}
             for k, n in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))]
        )  # fmt: skip
        if not frame.empty:
            columns = [Column("type", "Demand type"), Column("cases", "Cases", "count"),
                       Column("pct", "Share of cases", "pct")]  # fmt: skip
            out.append(sortable_table(frame, columns, caption="Cases by demand type"))
        pareto = check.failure_pareto
        if not pareto.empty:
            pareto = pareto.assign(demand_type=pareto["demand_type"].map(demand_type_words))
            columns = [Column("demand_type", "Failure demand type"),
                       Column("cases", "Cases", "count"),
                       Column("pct", "Share of failure demand", "pct"),
                       Column("cum_pct", "Cumulative share", "pct")]  # fmt: skip
            out.append(sortable_table(pareto, columns, caption="Failure demand, Pareto"))
        out.append(_rules_matched(findings))
        out.append(_flow_by_channel(check))
        # The doubts on demand and flow; those on end-to-end times are under Capability.
        out += [doubt_warning(n) for n in check.doubts if not _of_e2e(n)]
        opened = open_flow_doubt(findings)  # one-stop and clean, counting open cases
        if opened:
            out.append(doubt_warning(opened))
    if findings.check is not None and findings.check.period is not None:
        out.append(
            '<p class="note">The weekly charts cover the weeks of the capability chart\'s '
            f"period. {esc(period_text(findings.check.period))}</p>"
        )
    for name in ("weekly_volume", "weekly_failure_demand"):
        out.append(_chart(name, chart_svgs.get(name), findings))
    return "".join(out) + "</section>"


def _flow_by_channel(check: Any) -> str:
    """The flow measures of each channel's cases (summary.json's ``flow_by_channel``),
    most cases first; nothing without a channel mapped."""
    by_channel = check.flow_summary.get("by_channel")
    if not by_channel:
        return ""
    frame = pd.DataFrame([{"channel": k, **v} for k, v in by_channel.items()])
    frame = frame.sort_values(["cases", "channel"], ascending=[False, True])
    rates = ["single_handler_pct", "one_stop_pct", "clean_pct"]
    if frame[rates].isna().all().all():  # no hand-off can be seen: a table of dashes
        return (
            '<p class="note">Flow by channel: no shares are given, as no hand-off can be '
            "seen (see Hand-offs).</p>"
        )
    level = check.flow_summary.get("level") or "handler"
    columns = [Column("channel", "Channel"), Column("cases", "Cases", "count")]
    partial = bool((frame["cases_with_handler"] < frame["cases"]).any())
    if partial:  # the shares' denominators, shown where they are not the cases
        columns.append(Column("cases_with_handler", f"With a known {level}", "count"))
    columns += [Column("single_handler_pct", "Single handler", "pct"),
                Column("one_stop_pct", "One-stop", "pct"),
                Column("clean_pct", "Clean", "pct")]  # fmt: skip
    caption = "Flow by channel"
    of = f"of the cases with a known {level}" if partial else "of the channel's cases"
    note = (
        f'<p class="note">The shares are {of}. A case that came through several channels '
        "counts under the one it arrived by (its first event's); one-stop and clean cases "
        "are value demand, as in the tiles.</p>"
    )
    return sortable_table(frame, columns, caption=caption) + note


def _rules_matched(findings: Any) -> str:
    """Which activities each failure-activity pattern matched, in how many cases: the
    evidence behind the failure-demand figure, so that a naming accident shows."""
    matches = findings.failure_matches
    if matches is None or matches.empty:
        if any(n.startswith(NONE_FOUND) for n in findings.check.doubts):
            return ""  # its warning says so, and what to do
        return (
            '<p class="note">No activity name matched a failure-demand pattern; change '
            "the patterns in the [demand] section of the configuration if your service "
            "names its chasers and complaints otherwise.</p>"
        )
    columns = [Column("pattern", "Pattern (whole words)"), Column("activity", "Activity"),
               Column("cases", "Cases", "count")]  # fmt: skip
    return sortable_table(
        matches,
        columns,
        caption="What the failure-demand patterns matched",
        limit=TOP_ROWS,
    ) + (
        '<p class="note">Change them with failure_activities or extra_failure_activities '
        "in the [demand] section of the configuration.</p>"
    )


def _chart(name: str, svg: str | None, findings: Any) -> str:
    title = chart_title(name)
    check = findings.check
    chart = None if check is None else check.charts.get(name)
    if chart is None and check is not None:  # the check says why there is no chart
        why = f"no {name.replace('_', ' ')} chart: "
        note = next((n for n in check.notes if n.startswith(why)), None)
        if note is not None:
            text = note[0].upper() + note[1:]  # not capitalize(): "XmR" keeps its case
            text += "" if text.endswith(".") else "."
            return f'<h3>{esc(title)}</h3><p class="note">{esc(text)}</p>'
    statement = capability_statement(chart) if chart is not None else ""
    label = f"XmR chart, {title}. {statement}".strip()
    prefix = "c-" + "".join(ch if ch.isalnum() else "-" for ch in name)
    # The statement is the chart's own heading (and its label); the caption says how
    # to read it rather than saying it again.
    return f"<h3>{esc(title)}</h3>" + figure(svg, prefix=prefix, label=label, caption=XMR_HOW)


#: How to read an XmR chart, under each one.
XMR_HOW = (
    "Each point in time order; the green line is the centre, the dashed lines the natural "
    "process limits, between which the process will go on varying unless it changes. Red "
    "points are signals: something changed, worth finding out what."
)


def _of_e2e(doubt: str) -> bool:
    """Whether a check doubt is about end-to-end times (the end activities given, a
    period most cases outlast), shown under Capability rather than Demand."""
    return doubt.startswith((END_DOUBT, "no capability e2e chart: "))


def capability_section(findings: Any, chart_svgs: dict[str, str]) -> str:
    out = ['<section id="capability"><h2>Capability: end-to-end time</h2>']
    statement = period_statement(findings)
    if statement:
        out.append(f'<p class="statement">{esc(statement)}</p>')
    # What puts these times in doubt, where they are shown (the doubts mine prints).
    ended = [] if findings.check is None else [d for d in findings.check.doubts if _of_e2e(d)]
    for doubt in (
        timed_doubt(findings),
        empty_period_doubt(findings),
        single_events_doubt(findings),
        *(d for d in ended if d.startswith(END_DOUBT)),  # the missing chart says its own
    ):
        if doubt:
            out.append(doubt_warning(doubt))
    names = ["capability_e2e", *sorted(n for n in chart_svgs if n.startswith("capability_e2e:"))]
    out += [_chart(n, chart_svgs.get(n), findings) for n in names]
    out.append(_work_at_each_step(findings))
    return "".join(out) + "</section>"


def _work_at_each_step(findings: Any) -> str:
    """With start times mapped, each activity's median time from start to completion
    (tables/activities.csv's ``median_processing_s``): the work, beside the waits
    between steps that the performance view shows. Nothing without start times."""
    table = findings.activities
    if table is None or not findings.log.has("start_timestamp"):
        return ""
    table = table.sort_values(["events", "activity"], ascending=[False, True])
    columns = [Column("activity", "Activity"), Column("events", "Events", "count"),
               Column("median_processing_s", "Median work time", "duration")]  # fmt: skip
    note = (
        '<p class="note">Work time is a step\'s time from its start to its completion, '
        "where the log records both; the waits on the map's performance view are the times "
        "between one step's completion and the next one's start.</p>"
    )
    caption = "Work at each step, most frequent first"
    said = work_sentences(findings.work) if findings.work else ""
    lead = f'<p class="statement">{esc(said)}</p>' if said else ""
    return lead + sortable_table(table, columns, caption=caption, limit=TOP_ROWS) + note


def work_sentences(work: dict[str, Any]) -> str:
    """The work a log with start times records, beside the time its cases took (the
    findings' ``work``: :func:`journeymap.discovery.times.work_and_waiting`), and the
    steps that began before the one before them ended.

    Examples
    --------
    >>> print(work_sentences({"work_s": 134 * 86400.0, "e2e_s": 30845 * 86400.0,
    ...                       "overlapping": 58, "transitions": 6843}))
    The steps took 134 days of work in all, 0.4% of the 30,845 days the cases took from first start to last completion: the rest was waiting. 58 of the 6,843 steps that follow another began before it was completed (work side by side): their wait counts as 0, and the steps stay in order of completion.
    """  # noqa: E501
    e2e = work["e2e_s"]
    share = f", {pct(100 * work['work_s'] / e2e)} of" if e2e else " in"
    said = (
        f"The steps took {wait_text(work['work_s'])} of work in all{share} the "
        f"{wait_text(e2e)} the cases took from first start to last completion: the rest "
        "was waiting."
    )
    if work["overlapping"]:
        said += (
            f" {thousands(work['overlapping'])} of the {thousands(work['transitions'])} steps "
            "that follow another began before it was completed (work side by side): their "
            "wait counts as 0, and the steps stay in order of completion."
        )
    return said
