"""Failure demand seen from other sides: by the week in which cases start, by rule
(its Pareto), by the activities each failure pattern matched, and by customer (the
customer journeys whose repeat contacts make failure demand). Each reads the per-case
demand of :mod:`journeymap.analysis.demand`."""

from __future__ import annotations

import pandas as pd

from journeymap.analysis.demand import demand_expr, matching_activities
from journeymap.analysis.journeys import journey_cases_expr
from journeymap.demand_rules import DemandRules
from journeymap.discovery.portable import count_where
from journeymap.discovery.times import iso_week, seconds_between
from journeymap.eventlog import EventLog

__all__ = ["customer_journeys", "demand_by_week", "failure_matches", "failure_pareto"]


def demand_by_week(log: EventLog, rules: DemandRules | None = None) -> pd.DataFrame:
    """Value and failure demand per week in which cases start: ``week`` (the Monday
    of the ISO week, a date), ``value``, ``failure`` (cases) and ``failure_pct``. Every
    week from the first to the last is given: a week in which no case starts has 0
    cases and no ``failure_pct`` (a weekly series charted from the file keeps its quiet
    weeks, as the weekly volume chart does).

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "2", "3"], "activity": ["Call", "Chaser", "Call"],
    ...     "timestamp": ["2024-01-03 09:00", "2024-01-07 09:00", "2024-01-15 09:00"]}))
    >>> demand_by_week(log)
             week  value  failure  failure_pct
    0  2024-01-01      1        1         50.0
    1  2024-01-08      0        0          NaN
    2  2024-01-15      1        0          0.0
    """
    d = demand_expr(log, rules)
    d = d.mutate(week=iso_week(d.start).date())
    weeks = d.group_by("week").aggregate(
        value=count_where(d, ~d.failure), failure=count_where(d, d.failure)
    )
    frame = log.engine.fetch(weeks.order_by("week"))
    frame["week"] = pd.to_datetime(frame["week"])
    if len(frame):
        every = pd.date_range(frame["week"].iloc[0], frame["week"].iloc[-1], freq="7D")
        frame = frame.set_index("week").reindex(every, fill_value=0)
        frame = frame.rename_axis("week").reset_index()
    frame["week"] = frame["week"].dt.date
    for column in ("value", "failure"):
        frame[column] = frame[column].astype("int64")
    cases = frame["value"] + frame["failure"]
    frame["failure_pct"] = (100 * frame["failure"] / cases).where(cases > 0)
    return frame.reindex(columns=["week", "value", "failure", "failure_pct"])


def failure_matches(log: EventLog, rules: DemandRules | None = None) -> pd.DataFrame:
    """Which activities each failure-activity pattern matched, in how many cases: one
    row per pattern and activity it matched, ``pattern``, ``activity``, ``cases``
    (cases with the activity), in pattern order, then activity by code point. The
    report shows it, so that a pattern that fires on ordinary steps is seen.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2"], "activity": ["Call", "Chaser call", "Chaser call"],
    ...     "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"]}))
    >>> failure_matches(log, DemandRules(failure_activities=("chaser", "complaint")))
      pattern     activity  cases
    0  chaser  Chaser call      2
    """
    rules = rules or DemandRules()
    columns = ["pattern", "activity", "cases"]
    matching = matching_activities(log, rules.failure_activities)
    if not matching:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "cases" else "str")
                             for c in columns})  # fmt: skip
    t = log.table
    hits = t.filter(t.activity.isin(matching))
    per_activity = hits.group_by("activity").aggregate(cases=hits.case.nunique())
    names = per_activity.select("activity")
    flags = {
        f"p{i}": names.activity.re_search(log.engine.case_insensitive(DemandRules.whole_word(p)))
        for i, p in enumerate(rules.failure_activities)
    }
    found = log.engine.fetch(per_activity.join(names.mutate(**flags), "activity"))
    rows = [
        (pattern, str(activity), int(cases))
        for i, pattern in enumerate(rules.failure_activities)
        for activity, cases, hit in sorted(
            zip(found["activity"], found["cases"], found[f"p{i}"], strict=True),
            key=lambda r: str(r[0]),
        )
        if hit
    ]
    return pd.DataFrame(rows, columns=columns).astype({"cases": "int64"})


def failure_pareto(log: EventLog, rules: DemandRules | None = None) -> pd.DataFrame:
    """Failure demand by type, most cases first (ties by name): ``demand_type``,
    ``cases``, ``pct`` (of failure-demand cases) and ``cum_pct``.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "2", "3"], "activity": ["Chaser", "Complaint", "Call"],
    ...     "timestamp": ["2024-01-03 09:00", "2024-01-07 09:00", "2024-01-08 09:00"]}))
    >>> failure_pareto(log)
            demand_type  cases    pct  cum_pct
    0  failure_activity      2  100.0    100.0
    """
    d = demand_expr(log, rules)
    d = d.filter(d.failure)
    frame = log.engine.fetch(d.group_by("demand_type").aggregate(cases=d.count()))
    frame["cases"] = frame["cases"].astype("int64")
    frame = frame.sort_values("demand_type", kind="stable")
    frame = frame.sort_values("cases", ascending=False, kind="stable", ignore_index=True)
    total = frame["cases"].sum()
    frame["pct"] = 100 * frame["cases"] / total if total else 0.0
    frame["cum_pct"] = frame["pct"].cumsum()
    return frame.reindex(columns=["demand_type", "cases", "pct", "cum_pct"])


def customer_journeys(log: EventLog, rules: DemandRules | None = None) -> pd.DataFrame:
    """A customer's cases linked into journeys: one row per journey.

    A customer's cases in order of start (ties by case id): a case continues the
    journey when it starts at most N days (``repeat_contact_days``, inclusive) after
    the latest end of the journey's earlier cases, or before it (overlapping cases
    share a journey); otherwise it starts a new one. Cases without a customer are left
    out.

    Columns: ``journey_id`` (1, 2, ... by customer, then start), ``customer``,
    ``cases``, ``start`` (first event of the first case), ``end`` (last event of the
    last case) and ``e2e_s`` (end - start, seconds).

    Raises
    ------
    MappingError
        No customer is mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "2", "3"], "activity": ["Call", "Call", "Call"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-10 09:00", "2024-03-01 09:00"],
    ...     "customer": ["C1", "C1", "C1"]}))
    >>> customer_journeys(log)[["journey_id", "customer", "cases", "e2e_s"]]
       journey_id customer  cases     e2e_s
    0           1       C1      2  777600.0
    1           2       C1      1       0.0
    """
    jc = journey_cases_expr(log, rules)  # raises MappingError without a customer
    journeys = jc.group_by(["customer", "journey_no"]).aggregate(
        cases=jc.count(), start=jc.start.min(), end=jc.end.max()
    )
    journeys = journeys.mutate(e2e_s=seconds_between(journeys.end, journeys.start))
    frame = log.engine.fetch(journeys)
    frame["customer"] = frame["customer"].astype(str)
    frame = frame.sort_values(["customer", "start"], kind="stable", ignore_index=True)
    frame["journey_id"] = range(1, len(frame) + 1)
    frame["cases"] = frame["cases"].astype("int64")
    return frame.reindex(columns=["journey_id", "customer", "cases", "start", "end", "e2e_s"])
