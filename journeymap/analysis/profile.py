"""The profile of an event log: what ``journeymap inspect`` shows (the words are
:func:`journeymap.render.profile_text.profile_text`'s).

Every figure is computed on the engine with Ibis expressions; only the small results
come back to Python.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from journeymap.analysis.journeys import several_customer_cases
from journeymap.analysis.period import closed_window, implausible_instants, unclosed_ends
from journeymap.analysis.rework import rework_per_case_expr
from journeymap.discovery.ordering import ordered_events
from journeymap.discovery.times import case_times_expr
from journeymap.eventlog import EventLog
from journeymap.jsonout import iso_utc
from journeymap.read_counts import ReadCounts

__all__ = ["RECORDS_SHARE", "Profile", "profile"]

#: The share of single-event cases from which a log is taken for a list of records
#: rather than their history (:attr:`Profile.records_not_history`).
RECORDS_SHARE = 0.5

_PEOPLE_ROLES = ("resource", "team", "channel", "customer")


@dataclass
class Profile:
    """The facts ``inspect`` reports. Counts of unmapped roles are ``None``.

    ``start`` and ``end`` are ISO 8601 strings in UTC. ``events_per_case`` has ``min``,
    ``median`` and ``max``. ``cases_with_equal_timestamps`` counts cases in which at
    least two events share a timestamp (their order then follows the source rows);
    ``possible_duplicates`` the events that share case, activity and timestamp with
    another; ``missing`` the events with an empty value, per mapped optional role
    (resource, team, channel, customer); ``single_event_cases`` the cases of one event;
    ``late_starts`` the events whose start timestamp is after their timestamp;
    ``placeholders`` the values per optional role that were placeholders ('?', 'n/a',
    ...) and are read as missing; ``repeats`` the repeated states (consecutive events of
    a case with the same activity and handler: ``events``, ``cases``, ``share`` of the
    transitions, ``handler``, ``collapsed``, ``mode``); ``implausible`` the timestamps
    that cannot be right (:func:`~journeymap.analysis.period.implausible_instants`);
    ``closed_window`` whether the log looks like an extract of the cases closed in a
    window (:func:`~journeymap.analysis.period.closed_window`; empty when not).
    ``preset`` and ``preset_reason`` name the preset that read a system's export and
    why it recognised it (None for plain formats); ``source_warnings`` what it found
    wrong with the export (a truncated history). ``accepted`` is the rows read less the
    rejected; ``events`` the accepted less the repeats collapsed.
    """

    source: str
    mapping: dict[str, str]
    detected_roles: list[str]
    timezone: str
    rows_read: int
    events: int
    rejected_rows: int
    cases: int
    activities: int
    top_activities: list[dict[str, Any]]
    resources: int | None
    teams: int | None
    channels: int | None
    customers: int | None
    start: str | None
    end: str | None
    events_per_case: dict[str, float]
    cases_with_equal_timestamps: int
    possible_duplicates: int = 0
    #: The possible duplicates as copies of an event: ``events`` (each copy after the
    #: first), the ``cases`` with one, and ``rework_only`` the cases whose rework events
    #: are all copies (with rework only because of them); empty when there are none.
    copies: dict[str, int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    single_event_cases: int = 0
    late_starts: int = 0
    placeholders: dict[str, int] = field(default_factory=dict)
    repeats: dict[str, Any] = field(default_factory=dict)
    implausible: dict[str, Any] = field(default_factory=dict)
    closed_window: dict[str, Any] = field(default_factory=dict)
    #: Cases that may have been open at export: see
    #: :func:`~journeymap.analysis.period.unclosed_ends` (empty when not, or when the log
    #: knows its end activities).
    unclosed_ends: dict[str, Any] = field(default_factory=dict)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    preset: str | None = None
    preset_reason: str | None = None
    source_warnings: list[str] = field(default_factory=list)
    #: For an export whose rows are not its records (read by a system's preset), how many
    #: records it had (:attr:`journeymap.eventlog.EventLog.records_read`); else None.
    records_read: int | None = None
    #: Of the rows rejected, the records the preset's reader could not read.
    records_rejected: int = 0
    #: What one row read is (:attr:`journeymap.eventlog.EventLog.row_noun`).
    row_noun: str = "row"
    #: Cases still open when the log was exported (their last event is none of the log's
    #: end activities); None when the log does not know its end activities.
    open_cases: int | None = None
    #: Activity names that look the same but differ by invisible characters (a zero-width
    #: space pasted into one): groups of two or more (:func:`look_alike`).
    look_alike_activities: list[list[str]] = field(default_factory=list)
    #: Cases whose events name more than one customer (None without the customer role):
    #: each counts for one of them (:func:`~journeymap.analysis.journeys.case_customer`).
    several_customer_cases: int | None = None

    @property
    def accepted(self) -> int:
        """Rows accepted: read and not rejected."""
        return self.rows_read - self.rejected_rows

    @property
    def read_counts(self) -> ReadCounts:
        """What was read and rejected, as the user counts it (see
        :attr:`journeymap.eventlog.EventLog.read_counts`)."""
        return ReadCounts(
            self.rows_read,
            self.rejected_rows,
            self.records_read,
            self.records_rejected,
            row_noun=self.row_noun,
        )

    @property
    def records_not_history(self) -> bool:
        """Whether at least :data:`RECORDS_SHARE` of the cases have a single event: the
        source then holds one row per record (a list of tickets as they stand), not what
        happened to each, and waits, hand-offs and rework cannot be seen in it."""
        return self.cases > 0 and self.single_event_cases >= RECORDS_SHARE * self.cases

    def to_dict(self) -> dict[str, Any]:
        """The profile's facts as JSON-ready data, with ``accepted`` added (and
        ``records_rejected`` only for an export read by its records)."""
        data = asdict(self)
        data["accepted"] = self.accepted
        if self.records_read is None:  # a plain source's rows are its records
            del data["records_rejected"]
        del data["row_noun"]  # words, not a fact of the log
        return data


def _copies(log: EventLog, same: Any) -> dict[str, int]:
    """:attr:`Profile.copies`, from ``same``: the events that share their case and
    timestamp with another, counted (``n``) by case, timestamp and activity. Each copy
    after the first is a rework event (its activity occurred before in the case)."""
    extra = same.filter(same.n > 1)
    extra = extra.group_by("case").aggregate(copies=(extra.n - 1).sum())
    rework = rework_per_case_expr(log)
    both = extra.join(rework, "case")
    found = log.engine.fetch(
        both.aggregate(
            events=both.copies.sum(),
            cases=both.count(),
            rework_only=(both.rework_events == both.copies).sum(),
        )
    ).iloc[0]
    return {k: int(found[k] or 0) for k in ("events", "cases", "rework_only")}


def profile(log: EventLog, *, top: int = 10, activities: pd.DataFrame | None = None) -> Profile:
    """Profile ``log``: counts, time span, events per case and data-quality facts.

    ``activities``: the log's activity table
    (:func:`~journeymap.discovery.activities.activity_stats`, one row per activity,
    most events first), when the caller has it: the count of activities and the top
    ones are then read from it instead of from the events.

    Examples
    --------
    >>> df = pd.DataFrame({"case": ["A", "A", "B"], "activity": ["Open", "Close", "Open"],
    ...                    "timestamp": ["2024-01-01 09:00", "2024-01-01 09:00",
    ...                                  "2024-01-02 10:30"]})
    >>> p = profile(EventLog.from_frame(df))
    >>> p.cases, p.events_per_case, p.cases_with_equal_timestamps, p.start
    (2, {'min': 1, 'median': 1.5, 'max': 2}, 1, '2024-01-01T09:00:00Z')
    """

    t = log.table
    totals = log.engine.fetch(
        t.aggregate(
            first=t.timestamp.min(),
            last=t.timestamp.max(),
            **{f"{r}_n": t[r].nunique() for r in _PEOPLE_ROLES if log.has(r)},
            **{f"{r}_missing": t[r].isnull().sum() for r in _PEOPLE_ROLES if log.has(r)},
            **({"first_start": t.start_timestamp.min()} if log.has("start_timestamp") else {}),
            **(
                {"late_starts": (t.start_timestamp > t.timestamp).sum()}
                if log.has("start_timestamp")
                else {}
            ),
        )
    ).iloc[0]
    per_case = case_times_expr(log)  # kept for the other per-case measures
    spread = log.engine.fetch(
        per_case.aggregate(
            cases=per_case.count(),
            lo=per_case.events.min(),
            mid=per_case.events.median(),
            hi=per_case.events.max(),
            single=(per_case.events == 1).sum(),
            **({"open": per_case.open.sum()} if "open" in per_case.columns else {}),
        )
    ).iloc[0]
    # The events in case order say which share their timestamp with a neighbour (the
    # log is ordered once when read); only those can be duplicates.
    tied = ordered_events(log)
    tied = tied.filter(tied.tied)
    if log.added_activities:
        # A reopening the reader added at the time of the status it went back to is no
        # tie in the source: the events left must still share their time.
        tied = tied.filter(~tied.activity.isin(list(log.added_activities)))
        shared = tied.group_by(["case", "timestamp"]).aggregate(n=tied.count())
        tied = tied.semi_join(shared.filter(shared.n > 1), ["case", "timestamp"])
    same = tied.group_by(["case", "timestamp", "activity"]).aggregate(n=tied.count())
    ties = log.engine.fetch(
        same.aggregate(cases=same.case.nunique(), duplicates=same.n.sum(where=same.n > 1))
    )
    tied_cases = int(ties["cases"].iloc[0] or 0)
    duplicates = int(ties["duplicates"].fillna(0).iloc[0])
    copies = _copies(log, same) if duplicates else {}
    if activities is None:
        every = log.engine.fetch(t.group_by("activity").aggregate(events=t.count()))
        counted = len(every)  # every activity, one row each
        names = every["activity"].tolist()
        # most events first, then by name in code point order (as the engines sort text)
        ranked = every.sort_values(["events", "activity"], ascending=[False, True], kind="stable")
        activities = ranked.head(top).reset_index(drop=True)
    else:  # sorted by events (most first), then activity, as the query above sorts
        every = activities
        counted = len(activities)
        names = activities["activity"].tolist()
        activities = activities.head(top)
    start = totals["first"]
    if log.has("start_timestamp") and pd.notna(totals["first_start"]):
        start = min(start, totals["first_start"])
    rejected = log.rejected_by_reason()
    events, cases = log.events, int(spread["cases"])

    return Profile(
        source=log.source,
        mapping=log.mapping.columns(),
        detected_roles=sorted(log.mapping.detected),
        timezone=log.timezone,
        rows_read=log.rows_read,
        records_read=log.records_read,
        records_rejected=log.records_rejected,
        row_noun=log.row_noun,
        open_cases=int(spread["open"] or 0) if "open" in spread else None,
        events=events,
        rejected_rows=log.rejected_rows,
        cases=cases,
        activities=counted,
        top_activities=[
            {"activity": a, "events": int(n)}
            for a, n in zip(activities["activity"], activities["events"], strict=True)
        ],
        resources=_opt_int(totals, "resource_n"),
        teams=_opt_int(totals, "team_n"),
        channels=_opt_int(totals, "channel_n"),
        customers=_opt_int(totals, "customer_n"),
        start=iso_utc(start),
        end=iso_utc(totals["last"]),
        events_per_case={
            "min": int(spread["lo"]),
            "median": _number(spread["mid"]),
            "max": int(spread["hi"]),
        },
        cases_with_equal_timestamps=tied_cases,
        possible_duplicates=duplicates,
        copies=copies,
        missing={
            role: int(totals[f"{role}_missing"] or 0) for role in _PEOPLE_ROLES if log.has(role)
        },
        single_event_cases=int(spread["single"] or 0),
        late_starts=int(totals.get("late_starts", 0) or 0),
        placeholders=dict(log.placeholders),
        repeats={}
        if log.repeats is None
        else {
            # the life cycle that explains the repeats, only when there is one
            **{k: v for k, v in asdict(log.repeats).items() if k != "lifecycle" or v},
            "share": log.repeats.share,
            "looks_like_snapshot": log.repeats.looks_like_snapshot,
        },
        rejected_by_reason=rejected,
        implausible=implausible_instants(log),
        closed_window=closed_window(log),
        unclosed_ends={} if log.end_activities is not None else unclosed_ends(every, cases),
        notes=list(log.notes),
        preset=log.preset,
        preset_reason=log.preset_reason,
        source_warnings=list(log.warnings),
        look_alike_activities=look_alike(names),
        several_customer_cases=several_customer_cases(log) if log.has("customer") else None,
    )


def _shown(name: str) -> str:
    """``name`` without the characters that show nothing: zero-width spaces and joiners,
    the word joiner, a byte order mark inside text, the soft hyphen and the direction
    controls (Unicode's format characters, category Cf)."""
    return "".join(c for c in name if unicodedata.category(c) != "Cf").strip()


def look_alike(names: list[str]) -> list[list[str]]:
    """The groups of ``names`` that differ only by characters that show nothing (a
    zero-width space, a byte order mark inside the text), each sorted, by their first.

    Examples
    --------
    >>> look_alike(["Close", "Open", "Close\u200b", "\ufeffOpen", "Fix"])
    [['Close', 'Close\u200b'], ['Open', '\ufeffOpen']]
    """
    groups: dict[str, set[str]] = {}
    for name in names:
        if name is not None and not name.isascii():
            groups.setdefault(_shown(name), set()).add(name)
    for name in names:  # a plain name joins the group its look-alikes made
        if name is not None and name.isascii() and name in groups:
            groups[name].add(name)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def _opt_int(row: pd.Series, key: str) -> int | None:
    return int(row[key]) if key in row.index else None


def _number(value: Any) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number
