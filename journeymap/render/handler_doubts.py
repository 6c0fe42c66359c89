"""The doubts on handlers (the team, else the resource, that hand-offs are counted
between): recorded on too few events, a team that hardly or never changes, placeholder
names, system accounts. Part of :func:`journeymap.render.doubts.doubts`."""

from __future__ import annotations

import re
from typing import Any

from journeymap.errors import option
from journeymap.findings import Findings
from journeymap.render.numbers import counted, one_or_many, ratio_text, thousands

__all__ = [
    "NO_HANDOFF_CASES",
    "PLACEHOLDER_LIKE",
    "no_handoff_doubt",
    "partial_handlers_doubt",
    "placeholder_handlers_doubt",
    "still_team_doubt",
    "system_account_doubt",
    "system_handlers",
]

#: Team hand-offs per case below which a team column that hardly changes is doubted,
#: when the resource changes at least :data:`STILL_TEAM_RATIO` times as often and at
#: least :data:`STILL_TEAM_RESOURCE` times per case. Teams that do the work change less
#: often than people, but not this much less: 1.8 and 0.3 times on the sample and
#: receipt logs, against 8 on BPIC 2013's org line ('org:group', 0.15 per case, where the
#: team that does the work is 'organization involved') and 786 on helpdesk's workgroup.
STILL_TEAM_PER_CASE, STILL_TEAM_RATIO, STILL_TEAM_RESOURCE = 0.25, 5.0, 0.5

#: Handler names that mark a record as not a real team or person: "!DO NOT USE!" (a
#: retired support team in BPIC 2013), "dummy", "obsolete", "__INVALID__" (pm4py's
#: reviewing log, as a word even between underscores), or punctuation alone. Not in
#: MEASURES.md's placeholder list, so they stay handlers; the doubt names them.
PLACEHOLDER_LIKE = re.compile(
    r"do\s*n[o']?t\s+use|not\s+in\s+use|^\W+$"
    r"|(?<![a-z])(dummy|placeholder|obsolete|deprecated|invalid)(?![a-z])",
    re.IGNORECASE,
)


def partial_handlers_doubt(findings: Findings) -> str | None:
    """The doubt when the handler (the level hand-offs are counted at) is recorded on
    too few events (MEASURES.md's coverage floor): hand-offs, one-stop and clean cases
    are then counted over the events that have one."""
    coverage = None if findings.check is None else findings.check.flow_summary.get("coverage")
    if not coverage or not coverage["partial"]:
        return None
    level, remedy = findings.level, "map a column recorded on more events (--team, --resource)"
    if not coverage["cases_seen"]:
        return (
            f"no hand-off can be seen: no case has two events with a recorded {level} (it "
            f"is recorded on {coverage['events_pct']:.1f}% of events), so the hand-off, "
            f"one-stop and clean figures say nothing of how work passes between handlers; "
            f"{remedy}"
        )
    return (
        f"hand-offs, one-stop and clean cases rest on partial data: the {level} is "
        f"recorded on {coverage['events_pct']:.1f}% of events and in "
        f"{coverage['cases_pct']:.1f}% of cases, on two events or more (where a hand-off "
        f"can be seen) in {coverage['cases_seen_pct']:.1f}%, and a case's other events may "
        f"have had other handlers; {remedy}"
    )


def placeholder_handlers_doubt(findings: Findings) -> str | None:
    """The doubt when handlers that take part in hand-offs have names that mark a record
    as no real team or person (:data:`PLACEHOLDER_LIKE`): their hand-offs count, and
    they may be proposed for reintegration, until they are read as not recorded."""
    table, level = findings.handoffs, findings.level
    if table is None or table.empty or level is None:
        return None
    mine = table[table["level"] == level]
    names = sorted(
        {str(v) for v in (*mine["from"], *mine["to"]) if PLACEHOLDER_LIKE.search(str(v))}
    )
    if not names:
        return None
    involved = mine["from"].astype(str).isin(names) | mine["to"].astype(str).isin(names)
    count = int(mine.loc[involved, "count"].sum())
    listed = ", ".join(repr(n) for n in names[:5]) + (
        f" and {len(names) - 5} more" if len(names) > 5 else ""
    )
    option = ",".join(names)
    return (
        f"{counted(len(names), level)} ({listed}) "
        f"{one_or_many(len(names), 'looks', 'look')} like a placeholder rather than a "
        f"{level}, and {one_or_many(len(names), 'takes', 'take')} part in "
        f"{counted(count, 'hand-off')}: to read {one_or_many(len(names), 'it', 'them')} as "
        f"not recorded, add --extra-missing-values {option!r}"
    )


#: A handler that at least SYSTEM_INSTANT of its hand-offs (and SYSTEM_MIN_HANDOFFS of
#: them) reach within a second, but not at the same instant, reads as a system account:
#: no person picks up work that fast. BPIC 2012's '112': 764 of 1,011 (76%); no other
#: handler of the public logs above 4%.
SYSTEM_INSTANT, SYSTEM_MIN_HANDOFFS = 0.5, 20


def system_handlers(findings: Findings) -> list[str]:
    """The handlers :func:`system_account_doubt` takes for system accounts."""
    fast = _systems(findings)
    return [] if fast is None else [str(n) for n in fast["handler"]]


def _systems(findings: Findings) -> Any:
    """The rows of the instant hand-offs table of the handlers work reaches within a
    second often enough to be systems; None without any."""
    table, quick = findings.handoffs, findings.instant_handoffs
    if table is None or table.empty or quick is None or quick.empty or findings.level is None:
        return None
    fast = quick[
        (quick["instant"] >= SYSTEM_INSTANT * quick["handoffs"])
        & (quick["handoffs"] >= SYSTEM_MIN_HANDOFFS)
    ]
    return None if fast.empty else fast


def system_account_doubt(findings: Findings) -> str | None:
    """The doubt when work reaches a handler within a second of the event before it in
    at least :data:`SYSTEM_INSTANT` of the hand-offs to it
    (:func:`~journeymap.analysis.network.instant_handoffs`): a system account counted
    as a person or team, whose hand-offs count until it is read as not recorded."""
    table, level = findings.handoffs, findings.level
    fast = _systems(findings)
    if fast is None or table is None or level is None:
        return None
    names = [str(n) for n in fast["handler"]]
    mine = table[table["level"] == level]
    total = int(mine["count"].sum())
    involved = mine["from"].astype(str).isin(names) | mine["to"].astype(str).isin(names)
    count = int(mine.loc[involved, "count"].sum())
    rows = zip(fast["handler"][:3], fast["instant"][:3], fast["handoffs"][:3], strict=True)
    listed = ", ".join(f"{n!r} ({int(i):,} of the {int(h):,} hand-offs to it)" for n, i, h in rows)
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    many = len(names) > 1
    return (
        f"work reaches {listed}{more} less than a second after the event before: a system "
        f"answers that fast, a {level} does not. {'They take' if many else 'It takes'} part "
        f"in {count:,} of the {total:,} hand-offs ({100 * count / total:.0f}%), which may be "
        f"the system reacting rather than work passing between {level}s; if "
        f"{'they are system accounts' if many else 'it is a system account'}, add "
        f"--extra-missing-values {','.join(names)!r} to read "
        f"{'them' if many else 'it'} as not recorded"
    )


#: The fewest cases of two events or more in which a handler that never changes puts
#: the hand-off figures in doubt (:func:`no_handoff_doubt`).
NO_HANDOFF_CASES = 20


def no_handoff_doubt(findings: Findings) -> str | None:
    """The doubt when the handler never changes within a case, over at least
    :data:`NO_HANDOFF_CASES` cases of two events or more: a column that holds each
    record's current value (a list export's assignment group), not who did each step,
    makes every case single-handler, so no hand-off and all the value demand one-stop.
    With the handler partial data, the cases counted are those with two events or more
    that have one (where a hand-off can be seen)."""
    found, p = findings.handoff_summary, findings.profile
    if not found or found.get("total") or p is None or findings.level is None:
        return None
    coverage = None if findings.check is None else findings.check.flow_summary.get("coverage")
    if coverage is None:
        return None
    several = coverage["cases_seen"] if coverage["partial"] else p.cases - p.single_event_cases
    if several < NO_HANDOFF_CASES:
        return None
    level = findings.level
    column = findings.log.mapping.columns()[level]
    return (
        f"the {level} ({column!r}) never changes within a case: no hand-off in the "
        f"{thousands(several)} cases of two events or more"
        f"{' with one' if coverage['partial'] else ''}, so every case is single-handler "
        f"and all the value demand one-stop; if {column!r} holds each record's current "
        f"{level} (as a list export's assignment group does) rather than who did each "
        f"step, map the column that records who did each step with "
        f"{option(level, 'COLUMN')}"
    )


def still_team_doubt(findings: Findings) -> str | None:
    """The doubt when the team column hardly changes within a case while the resource
    does (a log's "workgroup" that is one per case): hand-offs, counted between teams
    when a team is mapped (MEASURES.md), then read as almost none."""
    found, table = findings.handoff_summary, findings.handoffs
    if findings.level != "team" or not found or not found.get("cases") or table is None:
        return None
    cases, teams = found["cases"], int(found["total"])
    people = int(table.loc[table["level"] == "resource", "count"].sum())
    if teams / cases >= STILL_TEAM_PER_CASE or people / cases < STILL_TEAM_RESOURCE:
        return None
    if people < STILL_TEAM_RATIO * max(teams, 1):
        return None
    roles = findings.log.mapping.columns()
    team, resource = roles["team"], roles["resource"]
    return (
        f"hand-offs are counted between teams ({team!r}), which change "
        f"{counted(teams, 'time')} in {thousands(cases)} cases "
        f"({ratio_text(teams / cases)} per case), while the resource ({resource!r}) changes "
        f"{thousands(people)} times ({people / cases:.2f} per case): if {team!r} is not "
        "the team that does the work, name that column with --team, or count hand-offs "
        "between people with --team ''; tables/handoffs.csv has them too"
    )
