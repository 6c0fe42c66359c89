"""The period a log covers completely, and instants that cannot be right.

An extract rarely starts and ends where demand does: its first and last weeks are often
part weeks, and an extract of "cases closed by a date" keeps showing long cases closing
for months after new demand stopped arriving. Capability and weekly charts over such
edges describe the extract, not the service. The complete period is:

- the weeks (ISO, Monday to Sunday, UTC) from the first to the last in which new cases
  arrive at at least half the rate of a busy week (:data:`NORMAL_RATE` of the 75th
  percentile of the weeks with arrivals); weeks with fewer at either end are part weeks,
  or the start-up or tail-off of the extract, and are left out (weeks inside the period
  are kept, also quiet ones);
- or the period the user gives (``period = "2024-01-01..2024-06-30"``).

An extract of the cases closed in a window (a "closed problems" or "resolved last
quarter" export) has the mirror fault at its start: every case ends in the window, however
long before it started, so the weeks before the window hold only the cases still open
then, and long cases are over-represented. :func:`closed_window` finds it: at least
:data:`CLOSED_SHARE` of the cases (and :data:`CLOSED_MIN_CASES`) started before the first
case ended.

An instant is implausible when its year is before 1900 or after 2100, or it lies more
than ten times the span of the middle 98% of the log's timestamps (at least a year)
before its 1st or after its 99th percentile: a date typed as year 1 or 9999. The
headline never rests on them: their cases fall outside the complete period.

A log that does not know its end activities reads every case as ended. When many cases
end with an activity whose name says a case is closed, and many with one that does not
(:func:`unclosed_ends`: "Accepted - In Progress" in BPIC 2013's open problems), those may
have been open when the log was exported, and their time so far is no end-to-end time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from journeymap.discovery.times import case_times_expr, iso_week, seconds_between
from journeymap.errors import ConfigError, option
from journeymap.eventlog import EventLog

__all__ = [
    "CLOSED_MIN_CASES",
    "CLOSED_SHARE",
    "NORMAL_RATE",
    "Period",
    "closed_window",
    "complete_period",
    "covering_end",
    "implausible_instants",
    "parse_period",
    "unclosed_ends",
]

#: A week is part of the complete period when its new cases reach this share of a busy
#: week's: the 75th percentile of the weeks with arrivals (a median would sink with a
#: long tail of quiet weeks).
NORMAL_RATE = 0.5
BUSY_QUANTILE = 0.75
_WEEK = pd.Timedelta(days=7)
#: A log reads as an extract of cases closed in a window when at least this share of its
#: cases, and at least CLOSED_MIN_CASES of them, started before the first case ended. In
#: a log of all cases in a period, only the cases open at its very start do.
CLOSED_SHARE = 0.25
CLOSED_MIN_CASES = 20
#: An activity name that says a case is finished: closed, resolved, completed, done,
#: cancelled, finished, as a word ("Completed - Closed", "A_CANCELLED"; not
#: "W_Completeren aanvraag").
CLOSING_NAME = re.compile(
    r"(?<![a-z])(close[d]?|resolved|complete[d]?|done|cancell?ed|finished)(?![a-z])",
    re.IGNORECASE,
)
#: :func:`unclosed_ends` speaks when at least CLOSING_ENDS of the cases end with a closing
#: activity (the log has a close, and uses it) and at least UNCLOSED_ENDS with another,
#: of at least CLOSED_MIN_CASES cases. Above it on the public logs: BPIC 2013's open
#: problems only (57% end otherwise); BPIC 2012's closes (A_CANCELLED) end 5% of cases.
CLOSING_ENDS, UNCLOSED_ENDS = 0.25, 0.10


@dataclass(frozen=True)
class Period:
    """The period a log covers completely.

    Attributes
    ----------
    start, end : the first instant in it and the first instant after it (UTC; whole
        weeks when detected).
    basis : "detected" (from the weekly arrivals), "given" (by the user) or "whole log"
        (too few weeks to tell).
    weeks_left_out : weeks with arrivals before and after the period, left out.
    cases_in : cases that start and end within it (and have ended: see ``open_cases``).
    cases : all cases of the log.
    open_cases : cases still open when the log was exported (their last event is none of
        the log's end activities, when it knows them): left out, as they have not ended.
    ended_after : cases that started within the period and ended after it: left out, as
        only the period's ends are charted. When they are most of the cases that started
        in it (:attr:`mostly_ended_after`: a short period against long cases), the cases
        charted are only its quickest.
    last_end : the last end of the cases that started within it (and have ended): a
        period to that day charts them all.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    basis: str
    weeks_left_out: tuple[int, int] = (0, 0)
    cases_in: int = 0
    cases: int = 0
    open_cases: int = 0
    ended_after: int = 0
    last_end: pd.Timestamp | None = None

    @property
    def first_day(self) -> str:
        """The period's first day, ``YYYY-MM-DD``."""
        return str(self.start.strftime("%Y-%m-%d"))

    @property
    def last_day(self) -> str:
        """The period's last day, ``YYYY-MM-DD`` (its end is the first instant after it)."""
        return str((self.end - pd.Timedelta(microseconds=1)).strftime("%Y-%m-%d"))

    @property
    def mostly_ended_after(self) -> bool:
        """Whether most of the cases that started within the period, and have ended,
        ended after it: a chart of those that ended within it would show only the
        quickest waits."""
        return self.ended_after > self.cases_in

    def cases_expr(self, log: EventLog) -> Any:
        """Ibis table of the per-case times (:func:`case_times_expr`) of the cases that
        start and end within the period, and have ended (are not still open)."""
        times = case_times_expr(log)
        within = (times.start >= self.start) & (times.end < self.end)
        if "open" in times.columns:
            within &= ~times.open
        return times.filter(within)

    def contains_week(self, week: Any) -> bool:
        """Whether an ISO week (its Monday) lies within the period."""
        monday = pd.Timestamp(week)
        monday = monday.tz_localize("UTC") if monday.tzinfo is None else monday
        return bool(self.start <= monday and monday + _WEEK <= self.end)


def parse_period(text: str, source: str = "period") -> tuple[pd.Timestamp, pd.Timestamp]:
    """``"START..END"`` (dates or instants, UTC) as the first instant and the first instant
    after it; END is a whole day when it is a date.

    Examples
    --------
    >>> [str(t) for t in parse_period("2024-01-01..2024-06-30")]
    ['2024-01-01 00:00:00+00:00', '2024-07-01 00:00:00+00:00']
    """
    start_text, sep, end_text = text.partition("..")
    try:
        if not sep or not start_text.strip() or not end_text.strip():
            raise ValueError("a START and an END")
        start = pd.Timestamp(start_text.strip())
        end = pd.Timestamp(end_text.strip())
        if pd.isna(start) or pd.isna(end):
            raise ValueError("a date at each end")
    except ValueError as exc:
        raise ConfigError(
            f"{source}: {text!r} is not a period; write {option('period', 'START..END')}, "
            "for example 2024-01-01..2024-06-30"
        ) from exc
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    if len(end_text.strip()) <= 10:  # a date: the whole day
        end += pd.Timedelta(days=1)
    if end <= start:
        raise ConfigError(f"{source}: {text!r} ends before it starts")
    return start, end


def complete_period(log: EventLog, *, given: str | None = None) -> Period:
    """The period ``log`` covers completely (see the module docstring), or the period
    ``given`` as ``"START..END"``.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> days = [3, 8, 9, 10, 11, 15, 16, 17, 18, 22, 23, 24, 25, 29]
    >>> log = EventLog.from_frame(pd.DataFrame({"case": [str(d) for d in days],
    ...     "activity": "Call", "timestamp": [f"2024-01-{d:02d}" for d in days]}))
    >>> p = complete_period(log)  # one arrival in the first and last weeks, four between
    >>> str(p.start.date()), str(p.end.date()), p.weeks_left_out, p.cases_in
    ('2024-01-08', '2024-01-29', (1, 1), 12)
    """
    times = case_times_expr(log)
    cases = int(log.engine.scalar(times.count()))
    if given is not None:
        start, end = parse_period(given)
        return _counted(log, Period(start, end, "given", cases=cases))
    weekly = log.engine.fetch(
        times.group_by(week=iso_week(times.start)).aggregate(arrivals=times.count())
    ).sort_values("week", ignore_index=True)
    bounds = log.engine.fetch(times.aggregate(first=times.start.min(), last=times.end.max()))
    first, last = bounds["first"].iloc[0], bounds["last"].iloc[0]
    # The days of the log, as a period given by its days: from the midnight before the
    # first event to the midnight after the last (the first instant after the period),
    # so that a week that starts on the first event's day is whole.
    after = last.floor("D") + pd.Timedelta(days=1)
    whole = Period(first.floor("D"), after, "whole log", cases=cases)
    if len(weekly) < 3:
        return _counted(log, whole)
    busy = weekly["arrivals"].quantile(BUSY_QUANTILE)
    normal = weekly["arrivals"] >= NORMAL_RATE * busy
    kept = weekly[normal]
    start = pd.Timestamp(kept["week"].iloc[0])
    end = pd.Timestamp(kept["week"].iloc[-1]) + _WEEK
    before = int((weekly["week"] < start).sum())
    after = int((weekly["week"] >= end).sum())
    return _counted(log, Period(start, end, "detected", (before, after), cases=cases))


#: How many times :func:`covering_end` widens a period before it settles for the last.
_WIDENINGS = 8


def covering_end(log: EventLog, period: Period) -> pd.Timestamp | None:
    """The day a period starting at ``period.start`` must end on for every case that
    starts in it, and has ended, to end in it too: the last end of those cases
    (:attr:`Period.last_end`), and again as long as the cases the longer period lets in
    end later still (a case that starts in the added days and ends after them). None
    when no case that started in the period has ended."""
    if period.last_end is None:
        return None
    times = case_times_expr(log)
    ended = times.filter(~times.open) if "open" in times.columns else times
    last = period.last_end
    for _ in range(_WIDENINGS):
        until = last.floor("D") + pd.Timedelta(days=1)  # the period ends on last's day
        started = ended.filter(ended.start >= period.start, ended.start < until)
        later = log.engine.scalar(started.end.max())
        if later is None or pd.isna(later) or pd.Timestamp(later) < until:
            break
        last = pd.Timestamp(later)
    return last


def _counted(log: EventLog, period: Period) -> Period:
    times = case_times_expr(log)
    ended = times.filter(times.start >= period.start, times.start < period.end)
    if "open" in times.columns:
        ended = ended.filter(~ended.open)
    # One pass: the cases that started within the period and have ended, those of them
    # that also ended within it (the cases charted), and the last of their ends.
    found = log.engine.fetch(
        ended.aggregate(
            started=ended.count(),
            inside=(ended.end < period.end).sum(),
            last_end=ended.end.max(),
        )
    ).iloc[0]
    started, inside = int(found["started"] or 0), int(found["inside"] or 0)
    still = int(log.engine.scalar(times.open.sum()) or 0) if "open" in times.columns else 0
    last_end = None if pd.isna(found["last_end"]) else pd.Timestamp(found["last_end"])
    return replace(
        period, cases_in=inside, open_cases=still, ended_after=started - inside, last_end=last_end
    )


def closed_window(log: EventLog) -> dict[str, Any]:
    """When the log looks like an extract of the cases closed in a window (see the
    module docstring): ``cases`` that started before the first case ended, of ``of``,
    and the window, ``first_end`` and ``last_end`` (ISO 8601); empty otherwise.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> rows = [(f"c{i}", f"2023-{1 + i % 12:02d}-01", f"2024-03-{1 + i:02d}") for i in range(25)]
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": [c for c, *_ in rows] * 2, "activity": ["Open"] * 25 + ["Close"] * 25,
    ...     "timestamp": [s for _, s, _ in rows] + [e for *_, e in rows]}))
    >>> closed_window(log)
    {'cases': 25, 'of': 25, 'first_end': '2024-03-01T00:00:00Z', 'last_end': '2024-03-25T00:00:00Z'}
    """
    times = case_times_expr(log)
    ends = log.engine.fetch(
        times.aggregate(of=times.count(), first_end=times.end.min(), last_end=times.end.max())
    ).iloc[0]
    cases = int(ends["of"] or 0)
    if cases < CLOSED_MIN_CASES:
        return {}
    first_end = pd.Timestamp(ends["first_end"])
    early = times.filter(times.start < _instant(first_end))
    before = int(log.engine.scalar(early.count()))
    if before < CLOSED_MIN_CASES or before < CLOSED_SHARE * cases:
        return {}
    return {
        "cases": before,
        "of": cases,
        "first_end": _iso(first_end),
        "last_end": _iso(ends["last_end"]),
    }


def unclosed_ends(activities: pd.DataFrame, cases: int) -> dict[str, Any]:
    """When a log that does not know its end activities has cases ending with a closing
    activity (:data:`CLOSING_NAME`) and many ending with another, which may have been
    open when it was exported (see the module docstring): ``cases`` ending with
    another, of ``of``; the ``closing`` activities cases end with and the ``closed``
    cases; the commonest other last activities, ``examples`` (up to three, with their
    cases). Empty otherwise. ``activities`` is the log's activity table
    (:func:`~journeymap.discovery.activities.activity_stats`).

    Examples
    --------
    >>> table = pd.DataFrame({"activity": ["Completed - Closed", "Accepted - In Progress",
    ...     "Queued"], "last_in_cases": [356, 205, 93]})
    >>> unclosed_ends(table, 654)
    {'cases': 298, 'of': 654, 'closing': ['Completed - Closed'], 'closed': 356, 'examples': [['Accepted - In Progress', 205], ['Queued', 93]]}
    """  # noqa: E501
    if cases < CLOSED_MIN_CASES or "last_in_cases" not in activities.columns:
        return {}
    last = activities[activities["last_in_cases"] > 0]
    last = last.sort_values(["last_in_cases", "activity"], ascending=[False, True], kind="stable")
    closing = last["activity"].map(lambda a: bool(CLOSING_NAME.search(str(a)))).astype(bool)
    closed, other = int(last.loc[closing, "last_in_cases"].sum()), last[~closing]
    unclosed = int(other["last_in_cases"].sum())
    if closed < CLOSING_ENDS * cases or unclosed < UNCLOSED_ENDS * cases:
        return {}
    return {
        "cases": unclosed,
        "of": cases,
        "closing": [str(a) for a in last.loc[closing, "activity"]],
        "closed": closed,
        "examples": [
            [str(a), int(n)]
            for a, n in zip(other["activity"][:3], other["last_in_cases"][:3], strict=True)
        ],
    }


def _instant(value: pd.Timestamp) -> Any:
    """An instant as an Ibis literal in UTC, to compare with the log's timestamps."""
    import ibis

    return ibis.literal(pd.Timestamp(value).tz_convert("UTC"), type="timestamp('UTC')")


def implausible_instants(log: EventLog) -> dict[str, Any]:
    """Timestamps that cannot be right (see the module docstring): ``events`` and
    ``cases`` with one, ``examples`` (up to three, ISO 8601), and the plausible
    ``low`` and ``high`` bounds used.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2"], "activity": "Call",
    ...     "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03", "9999-12-30"]}))
    >>> found = implausible_instants(log)
    >>> found["events"], found["cases"], found["examples"]
    (1, 1, ['9999-12-30T00:00:00Z'])
    """

    t = log.table
    # Quantiles of seconds since 1970 (every engine takes quantiles of numbers; not
    # every one of instants).
    since = seconds_between(t.timestamp, _instant(_utc(1970)))
    # Both in one aggregate: one buffer of every event's value, not two.
    bounds = log.engine.fetch(t.aggregate(q=since.quantile([0.01, 0.99])))["q"].iloc[0]
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    low, high = (
        pd.Timestamp(epoch + dt.timedelta(microseconds=round(float(v) * 1e6))) for v in bounds
    )
    margin = max(10 * (high - low), pd.Timedelta(days=365))
    floor = max(_utc(1900), low - margin)
    ceiling = min(_utc(2101), high + margin)
    odd = t.filter((t.timestamp < floor) | (t.timestamp >= ceiling))
    found = log.engine.fetch(odd.aggregate(events=odd.count(), cases=odd.case.nunique())).iloc[0]
    examples = []
    if found["events"]:  # almost never: no query for none
        first = odd.select("timestamp").distinct().order_by("timestamp").limit(3)
        examples = [_iso(v) for v in log.engine.fetch(first)["timestamp"]]
    return {
        "events": int(found["events"] or 0),
        "cases": int(found["cases"] or 0),
        "examples": examples,
        "low": _iso(floor),
        "high": _iso(ceiling),
    }


def _utc(year: int) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime(year, 1, 1), tz="UTC")


def _iso(value: Any) -> str:
    ts = pd.Timestamp(value).tz_convert("UTC")
    return (
        f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}T{ts.hour:02d}:{ts.minute:02d}:{ts.second:02d}Z"
    )
