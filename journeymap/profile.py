"""A readable profile of an event log: what ``journeymap inspect`` shows.

Every figure is computed on the engine with Ibis expressions; only the small results
come back to Python.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from journeymap.eventlog import EventLog
from journeymap.jsonout import iso_utc

__all__ = ["Profile", "format_profile", "profile"]

_PEOPLE_ROLES = ("resource", "team", "channel", "customer")


@dataclass
class Profile:
    """The facts ``inspect`` reports. Counts of unmapped roles are ``None``.

    ``start`` and ``end`` are ISO 8601 strings in UTC. ``events_per_case`` has ``min``,
    ``median`` and ``max``. ``cases_with_equal_timestamps`` counts cases in which at
    least two events share a timestamp (their order then follows the source rows).
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
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Rows accepted as events (equal to ``events``)."""
        return self.events

    def to_dict(self) -> dict[str, Any]:
        """The profile as JSON-ready data, with ``accepted`` added."""
        data = asdict(self)
        data["accepted"] = self.events
        return data


def profile(log: EventLog, *, top: int = 10) -> Profile:
    """Profile ``log``: counts, time span, events per case and data-quality warnings.

    Examples
    --------
    >>> df = pd.DataFrame({"case": ["A", "A", "B"], "activity": ["Open", "Close", "Open"],
    ...                    "timestamp": ["2024-01-01 09:00", "2024-01-01 09:00",
    ...                                  "2024-01-02 10:30"]})
    >>> p = profile(EventLog.from_frame(df))
    >>> p.cases, p.events_per_case, p.cases_with_equal_timestamps, p.start
    (2, {'min': 1, 'median': 1.5, 'max': 2}, 1, '2024-01-01T09:00:00Z')
    """
    import ibis

    t = log.table
    totals = (
        t.aggregate(
            cases=t.case.nunique(),
            activities=t.activity.nunique(),
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
        .to_pandas()
        .iloc[0]
    )
    per_case = t.group_by("case").aggregate(n=t.count())
    spread = (
        per_case.aggregate(
            lo=per_case.n.min(),
            mid=per_case.n.median(),
            hi=per_case.n.max(),
            single=(per_case.n == 1).sum(),
        )
        .to_pandas()
        .iloc[0]
    )
    # One pass over (case, timestamp, activity) answers both tie questions.
    same = t.group_by(["case", "timestamp", "activity"]).aggregate(n=t.count())
    per_time = same.group_by(["case", "timestamp"]).aggregate(
        n=same.n.sum(), duplicated=same.n.sum(where=same.n > 1)
    )
    ties = per_time.aggregate(
        cases=per_time.case.nunique(where=per_time.n > 1),
        duplicates=per_time.duplicated.sum(),
    ).to_pandas()
    tied_cases = int(ties["cases"].iloc[0] or 0)
    duplicates = int(ties["duplicates"].fillna(0).iloc[0])
    activities = (
        t.group_by("activity")
        .aggregate(events=t.count())
        .order_by([ibis.desc("events"), "activity"])
        .limit(top)
        .to_pandas()
    )
    start = totals["first"]
    if log.has("start_timestamp") and pd.notna(totals["first_start"]):
        start = min(start, totals["first_start"])
    rejected = _rejected_by_reason(log)
    events, cases = log.events, int(totals["cases"])

    warnings = []
    if log.rejected_rows:
        kinds = ", ".join(f"{n:,} {why}" for why, n in rejected.items())
        warnings.append(f"{log.rejected_rows:,} of {log.rows_read:,} rows rejected ({kinds})")
    if tied_cases:
        warnings.append(
            f"{tied_cases:,} cases ({_pct(tied_cases, cases)}) have events with equal "
            "timestamps; their order follows the source rows"
        )
    if duplicates:
        warnings.append(
            f"{duplicates:,} events share case, activity and timestamp with another "
            "event (possible duplicates)"
        )
    for role in _PEOPLE_ROLES:
        missing = int(totals.get(f"{role}_missing", 0) or 0)
        if missing:
            warnings.append(f"{role} is empty on {missing:,} events ({_pct(missing, events)})")
    single = int(spread["single"] or 0)
    if single:
        warnings.append(f"{single:,} cases ({_pct(single, cases)}) have a single event")
    late = int(totals.get("late_starts", 0) or 0)
    if late:
        warnings.append(f"{late:,} events start after they complete")

    return Profile(
        source=log.source,
        mapping=log.mapping.columns(),
        detected_roles=sorted(log.mapping.detected),
        timezone=log.timezone,
        rows_read=log.rows_read,
        events=events,
        rejected_rows=log.rejected_rows,
        cases=cases,
        activities=int(totals["activities"]),
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
        rejected_by_reason=rejected,
        warnings=warnings,
        notes=list(log.notes),
    )


def format_profile(p: Profile) -> str:
    """The profile as the text ``journeymap inspect`` prints."""
    width = max(len(a["activity"]) for a in p.top_activities) if p.top_activities else 0
    width = min(width, 48)
    lines = [
        f"{p.source}",
        f"  rows read        {p.rows_read:>12,}",
        f"  accepted         {p.events:>12,}",
        f"  rejected         {p.rejected_rows:>12,}",
        f"  cases            {p.cases:>12,}",
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
        f"  equal timestamps {p.cases_with_equal_timestamps:>12,} cases",
        "",
        "Mapping (roles -> columns):",
    ]
    lines += [
        f"  {role:<16} {column}" + ("  (detected)" if role in p.detected_roles else "")
        for role, column in p.mapping.items()
    ]
    lines += ["", f"Top {len(p.top_activities)} activities:"]
    lines += [
        f"  {_clip(a['activity'], width):<{width}}  {a['events']:>10,}  "
        f"{_pct(a['events'], p.events):>6}"
        for a in p.top_activities
    ]
    if p.warnings:
        lines += ["", "Data quality:"] + [f"  ! {w}" for w in p.warnings]
    if p.notes:
        lines += ["", "Notes:"] + [f"  - {n}" for n in p.notes]
    return "\n".join(lines)


def _rejected_by_reason(log: EventLog) -> dict[str, int]:
    if not log.rejected_rows:
        return {}
    rows = log.engine.con.execute(
        f"SELECT split_part(reason, ':', 1) AS why, count(*) AS n FROM {log.rejects_name} "
        "GROUP BY why ORDER BY n DESC, why"
    ).fetchall()
    return {why: int(n) for why, n in rows}


def _opt_int(row: pd.Series, key: str) -> int | None:
    return int(row[key]) if key in row.index else None


def _number(value: Any) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def _pct(part: int, whole: int) -> str:
    if not whole:
        return "0%"
    share = 100 * part / whole
    return f"{share:.1f}%" if share < 10 else f"{share:.0f}%"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
