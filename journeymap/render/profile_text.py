"""A log's profile (:func:`journeymap.analysis.profile.profile`) in words: the text
``journeymap inspect`` prints, its JSON, and the data-quality warnings the report repeats.
"""

from __future__ import annotations

from typing import Any

from journeymap.analysis.profile import Profile
from journeymap.errors import as_flags, option
from journeymap.jsonout import flagged
from journeymap.render.numbers import counted, one_or_many, share_of
from journeymap.render.text import visible

__all__ = [
    "closed_window_doubt",
    "history_doubt",
    "profile_json",
    "profile_text",
    "quality_warnings",
    "rejected_kinds",
    "unclosed_doubt",
]


def history_doubt(p: Profile | None) -> str | None:
    """What to say before any figure of a log whose cases mostly have a single event
    (:attr:`~journeymap.analysis.profile.Profile.records_not_history`), else None.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap import EventLog
    >>> from journeymap.analysis.profile import profile
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "2", "3", "3"], "activity": ["New", "New", "New", "Closed"],
    ...     "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]}))
    >>> history_doubt(profile(log))[:71]
    '2 of 3 cases (67%) have a single event, as in a list of records as they'
    """
    if p is None or not p.records_not_history:
        return None
    single = p.single_event_cases
    remedy = (
        # An object-centric log's cases are the objects of one type: another may have more.
        "If the objects chosen as the cases take part in few events each, choose another "
        f"type with {option('object_type', 'TYPE')} (inspect lists them)."
        if p.preset == "ocel"
        else "If the source is such a list, export each record's history and mine that "
        "(ServiceNow: sys_audit; Jira: the issue changelog; Zendesk: ticket audits; "
        "Salesforce: CaseHistory)."
    )
    return (
        f"{single:,} of {counted(p.cases, 'case')} ({share_of(single, p.cases)}) "
        f"{one_or_many(single, 'has', 'have')} a single event, as in a list of records as "
        "they stand rather than what happened to them: those cases show no wait, hand-off "
        f"or rework, and count as one-stop and clean with nothing to count. {remedy}"
    )


def rejected_kinds(p: Profile) -> str:
    """The rows rejected per reason, most first: "1 an unclosed quote, 1 unreadable
    timestamp"."""
    return ", ".join(f"{n:,} {why}" for why, n in p.rejected_by_reason.items())


def quality_warnings(p: Profile) -> list[str]:
    """The data-quality warnings of a profile, in the order ``inspect`` gives them."""
    warnings = list(p.source_warnings)
    if p.rejected_rows:
        warnings.append(f"{p.read_counts.rejected_of()} rejected ({rejected_kinds(p)})")
    if p.open_cases and p.open_cases == p.cases:
        warnings.append(
            "every case is still open: no case's last event is one of the end activities, "
            "so no case has an end-to-end time; if some have ended, name the activities "
            f"that finish a case with {option('end_activities', 'ACTIVITY,...')}"
        )
    if p.cases_with_equal_timestamps:
        tied = p.cases_with_equal_timestamps
        warnings.append(
            f"{counted(tied, 'case')} ({share_of(tied, p.cases)}) "
            f"{one_or_many(tied, 'has', 'have')} events with equal timestamps; their order "
            "follows the source rows"
        )
    copies = p.copies.get("events") if p.copies else None
    if copies:  # as the rework doubt counts them: each copy after the first of its kind
        warnings.append(
            f"{counted(copies, 'event')} {one_or_many(copies, 'is a copy', 'are copies')} of "
            f"another event of {one_or_many(copies, 'its', 'their')} case (the same "
            f"activity at the same time: possible duplicates), in "
            f"{counted(p.copies['cases'], 'case')}"
        )

    for role, missing in p.missing.items():
        if missing:
            found = p.placeholders.get(role, 0)
            # The values themselves are not kept; the option that lists them is named.
            which = "all of them" if found == missing else f"{found:,} of them"
            how = (
                f", {which} placeholder values read as missing (see "
                f"{option('missing_values', 'LIST')})"
                if found
                else ""
            )
            warnings.append(
                f"{role} is not recorded on {counted(missing, 'event')} "
                f"({share_of(missing, p.events)}{how})"
            )
    if p.several_customer_cases:
        several = p.several_customer_cases
        warnings.append(
            f"{counted(several, 'case')} ({share_of(several, p.cases)}) "
            f"{one_or_many(several, 'names', 'name')} more than one customer on "
            f"{one_or_many(several, 'its', 'their')} events; "
            f"{one_or_many(several, 'it counts', 'each counts')} for the customer whose id "
            "comes first by name (in journeys and repeat contacts)"
        )
    for group in p.look_alike_activities:
        names = " and ".join(repr(visible(n)) for n in group)
        warnings.append(
            f"activities {names} look the same but differ by invisible characters (such "
            "as a zero-width space, shown as \ufffd): they count as different steps; "
            "correct the names in the export"
        )
    warnings += _repeat_warnings(p.repeats, p.preset, p.mapping.get("activity", "activity"))
    if p.single_event_cases:
        single = p.single_event_cases
        warnings.append(
            f"{counted(single, 'case')} ({share_of(single, p.cases)}) "
            f"{one_or_many(single, 'has', 'have')} a single event"
        )
    if p.late_starts:
        late = p.late_starts
        warnings.append(
            f"{counted(late, 'event')} {one_or_many(late, 'starts', 'start')} after "
            f"{one_or_many(late, 'it completes', 'they complete')}"
        )
    odd = p.implausible
    if odd.get("events"):
        warnings.append(
            f"{counted(odd['events'], 'event')} in {counted(odd['cases'], 'case')} "
            f"{one_or_many(odd['events'], 'has', 'have')} timestamps that cannot "
            f"be right (such as {', '.join(odd['examples'])}; plausible: {odd['low'][:10]} to "
            f"{odd['high'][:10]}): their cases are left out of the capability charts"
        )
    closed = closed_window_doubt(p)
    if closed:
        warnings.append(closed)
    return warnings


def closed_window_doubt(p: Profile | None) -> str | None:
    """What to say before any figure of a log that looks like an extract of the cases
    closed in a window (:attr:`~journeymap.analysis.profile.Profile.closed_window`): its
    demand and end-to-end times lean on how it was cut; else None."""
    closed = None if p is None else p.closed_window
    if not closed:
        return None
    early, of = closed["cases"], closed["of"]
    return (
        f"{early:,} of {of:,} cases ({share_of(early, of)}) "
        f"started before the first case ended, and every case ended between "
        f"{closed['first_end'][:10]} and {closed['last_end'][:10]}: this looks like an "
        "extract of the cases closed in that window, so demand before it counts only "
        "the cases still open then, and long cases weigh more than they should in the "
        "end-to-end times"
    )


def unclosed_doubt(p: Profile | None) -> str | None:
    """What to say before any end-to-end figure of a log that reads every case as ended
    while many end with an activity that does not close one
    (:attr:`~journeymap.analysis.profile.Profile.unclosed_ends`); else None."""
    found = None if p is None else p.unclosed_ends
    if not found:
        return None
    n, of = found["cases"], found["of"]
    examples = ", ".join(f"{a!r} in {c:,}" for a, c in found["examples"])
    closing = found["closing"]
    named = ",".join(closing)
    shown = " or ".join(repr(a) for a in closing[:3]) + (" or another" if len(closing) > 3 else "")
    return (
        f"{n:,} of {of:,} cases ({share_of(n, of)}) end with an activity that does not close a "
        f"case ({examples}), and {found['closed']:,} with {shown}: if those were still "
        "open when the log was exported, their end-to-end times are their times so far, "
        "read as whole waits; name the activities that finish a case, "
        f"{option('end_activities', named)}, to leave the open ones out"
    )


def _repeat_warnings(
    repeats: dict[str, Any], preset: str | None = None, activity: str = "activity"
) -> list[str]:
    """What the profile says of repeated states: always when they were collapsed, and
    when they were kept although the log looks like a snapshot export."""
    n = repeats.get("events", 0)
    if not n:
        return []
    same = "activity" + (f" and {repeats['handler']}" if repeats.get("handler") else "")
    what = (
        f"{counted(n, 'event')} ({share_of(n, repeats['transitions'])} of transitions, in "
        f"{counted(repeats['cases'], 'case')}) {one_or_many(n, 'repeats', 'repeat')} the state "
        f"before {one_or_many(n, 'it', 'them')} (same {same})"
    )
    if repeats["collapsed"]:
        how = (
            "as a snapshot export writes them"
            if repeats["mode"] != "yes"
            else f"as asked (or as the {preset} preset reads a snapshot log)"
            if preset
            else "as asked"
        )
        return [f"{what}, {how}: collapsed into the first of each run (--collapse-repeats no "
                "keeps them)"]  # fmt: skip
    lifecycle = repeats.get("lifecycle")
    if lifecycle:
        return [
            f"{what}: the log records each step's life cycle ({lifecycle!r}), so these are "
            "read as steps started and completed, not as a snapshot export's rows, and "
            f'kept; with the life cycle in the activity (--activity "{activity},{lifecycle}") '
            "each stage is an activity of its own"
        ]
    if repeats["looks_like_snapshot"]:
        return [f"{what}: the log looks like a snapshot export; --collapse-repeats yes "
                "collapses them"]  # fmt: skip
    return []


def profile_json(p: Profile) -> dict[str, Any]:
    """The profile as ``inspect --json`` prints it: its facts, ``warnings`` and
    ``accepted``."""
    data = p.to_dict()
    data["warnings"] = quality_warnings(p)
    return flagged(data)


def _read_lines(p: Profile) -> list[str]:
    """The rows read, accepted and rejected; for an export whose records gave more
    events than there were records, its records accepted and rejected, then the events
    made of them (and those the engine rejected). The events left follow in
    :func:`_merged_lines`."""
    counts = p.read_counts
    if not counts.gave_more:
        read, accepted, left = _read_counts(p)
        noun = counts.row_noun if p.records_read is None else "record"
        return [
            f"  {noun + 's read':<16} {read:>12,}",
            f"  accepted         {accepted:>12,}",
            f"  rejected         {p.rejected_rows:>12,}",
            *([f"  left out         {left:>12,}  (see the notes)"] if left else []),
        ]
    records = p.records_read or 0
    return [
        f"  records read     {records:>12,}",
        f"  accepted         {records - counts.records_rejected:>12,}",
        f"  rejected         {counts.records_rejected:>12,}",
        f"  events made      {counts.events_made:>12,}",
        *([f"  events rejected  {counts.events_rejected:>12,}"] if counts.events_rejected else []),
    ]


def _read_counts(p: Profile) -> tuple[int, int, int]:
    """The rows (or the export's records) read, accepted and left out by the reader:
    neither rows nor rejected (an OCEL log's events of no object of the type chosen,
    which the notes name), for an export whose records gave no more events than there
    were records."""
    counts = p.read_counts
    read = counts.rows_read if p.records_read is None else p.records_read
    left = max(0, read - counts.rows_read - counts.records_rejected)
    return read, read - p.rejected_rows - left, left


def _how(p: Profile, role: str, column: str) -> str:
    """How a role came to its column, when not from the user: detected from the headers,
    or (a start time in the timestamp column) from the start events merged."""
    if role == "start_timestamp" and column == p.mapping.get("timestamp"):
        return "  (of the start event merged into each)"
    return "  (detected)" if role in p.detected_roles else ""


def _merged_lines(p: Profile) -> list[str]:
    """The rows accepted that are not events of their own: start events merged into
    their completions (:mod:`journeymap.lifecycle`), repeated states collapsed."""
    if not p.read_counts.gave_more and p.events == _read_counts(p)[1]:  # "accepted" said it
        return []
    repeats = p.repeats
    collapsed = int(repeats.get("events", 0)) if repeats.get("collapsed") else 0
    merged = p.accepted - p.events - collapsed
    kept_all = not merged and not collapsed and p.events == p.read_counts.events_made
    if kept_all and p.read_counts.gave_more:  # "events made" above said it
        return []
    return [
        *(
            [f"  merged           {merged:>12,}  start events, into their completions"]
            if merged
            else []
        ),
        *([f"  collapsed        {collapsed:>12,}  repeated states"] if collapsed else []),
        f"  events           {p.events:>12,}",
    ]


def profile_text(p: Profile) -> str:
    """The profile as the text ``journeymap inspect`` prints (options it names are
    command-line flags)."""
    width = max(len(a["activity"]) for a in p.top_activities) if p.top_activities else 0
    width = min(width, 48)
    lines = [
        f"{p.source}",
        *([f"  Read as {p.preset} ({p.preset_reason})"] if p.preset else []),
        *_read_lines(p),
        *_merged_lines(p),
        f"  cases            {p.cases:>12,}",
        *([f"  still open       {p.open_cases:>12,}  when exported"] if p.open_cases else []),
        f"  activities       {p.activities:>12,}",
    ]
    for label, value in (
        ("resources", p.resources),
        ("teams", p.teams),
        ("channels", p.channels),
        ("customers", p.customers),
    ):
        if value is not None:
            lines.append(f"  {label:<16} {value:>12,}")
    epc = p.events_per_case
    lines += [
        f"  time span        {p.start} to {p.end}",
        f"  events per case  min {epc['min']:,}, median {epc['median']:,}, max {epc['max']:,}",
        f"  equal timestamps {p.cases_with_equal_timestamps:>12,} "
        + ("case" if p.cases_with_equal_timestamps == 1 else "cases"),
        "",
        "Mapping (roles -> columns):",
    ]
    lines += [f"  {role:<16} {column}{_how(p, role, column)}" for role, column in p.mapping.items()]
    lines += ["", f"Top {len(p.top_activities)} activities:"]
    lines += [
        f"  {_clip(a['activity'], width):<{width}}  {a['events']:>10,}  "
        f"{share_of(a['events'], p.events):>10}"
        for a in p.top_activities
    ]
    warnings = quality_warnings(p)
    if warnings:
        lines += ["", "Data quality:"] + [f"  ! {w}" for w in warnings]
    if p.notes:
        lines += ["", "Notes:"] + [f"  - {n}" for n in p.notes]
    return as_flags("\n".join(lines))  # options named as the command line takes them


def _clip(text: str, width: int) -> str:
    """``text`` as shown (:func:`visible`: hidden characters as U+FFFD), at most
    ``width`` characters."""
    return visible(text, limit=width)
