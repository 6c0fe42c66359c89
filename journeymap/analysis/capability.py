"""Capability (process behaviour) charts: XmR charts of what the system delivers.

An XmR chart shows the voice of the process: the range a measure will keep falling in
while the system stays as it is (the natural process limits), and signals that something
has changed. For values x_1..x_k in time order (shared/MEASURES.md):

- mR_i = |x_i - x_i-1| for i = 2..k; mRbar = mean(mR); centre = mean(x).
- UNPL = centre + 2.66 * mRbar; LNPL = max(0, centre - 2.66 * mRbar) for durations and
  counts; URL (upper range limit) = 3.268 * mRbar.
- Signals: rule 1, a point outside the natural process limits; rule 2, eight or more
  successive points on the same side of the centre line; rule 3, three out of four
  successive points beyond the halfway line between centre and a limit, on the same side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from journeymap.discovery.times import case_times_expr, iso_week
from journeymap.errors import option
from journeymap.event_order import mean_seconds
from journeymap.eventlog import EventLog

__all__ = [
    "XmRChart",
    "capability_e2e",
    "weekly_share",
    "weekly_volume",
    "xmr",
]

#: Scaling constants of the XmR chart (Wheeler): limits from the average moving range.
NPL_FACTOR = 2.66
URL_FACTOR = 3.268
#: Successive points on one side of the centre line that make a rule 2 signal.
RUN_LENGTH = 8

Kind = Literal["value", "duration", "count", "share"]

# What the end-to-end charts measure.
_E2E: dict[str, Any] = {"kind": "duration", "measure": "end-to-end time"}


@dataclass(frozen=True)
class XmRChart:
    """An XmR chart: limits, and one row per point with the rules it breaks.

    Attributes
    ----------
    centre, mrbar, unpl, lnpl, url : float
        Centre line (mean of x), average moving range, upper and lower natural process
        limits, and upper range limit of the moving ranges.
    points : pandas.DataFrame
        One row per point in time order: ``x``, ``mr`` (NaN for the first point),
        ``centre``, ``unpl``, ``lnpl``, ``url``, ``rule1``, ``rule2``, ``rule3`` (bool),
        and ``label`` / ``time`` when given (case id, day or week start).
    basis : str
        What one point is: ``"value"``, ``"case"``, ``"daily mean"``, ``"week"``.
    kind : str
        ``"duration"`` (seconds), ``"count"``, ``"share"`` (0..1) or ``"value"``.
    measure : str
        The measure in words, for statements and axis labels.
    """

    centre: float
    mrbar: float
    unpl: float
    lnpl: float
    url: float
    points: pd.DataFrame
    basis: str = "value"
    kind: Kind = "value"
    measure: str = "value"

    @property
    def signals(self) -> int:
        """Number of points that break at least one rule."""
        p = self.points
        return int((p["rule1"] | p["rule2"] | p["rule3"]).sum())

    def signal_sides(self) -> tuple[int, int]:
        """Points that break a rule above the centre line, and below it (a point on the
        line breaks none): longer and shorter waits, or more and fewer cases."""
        p = self.points
        flagged = p["rule1"] | p["rule2"] | p["rule3"]
        return int((flagged & (p["x"] > p["centre"])).sum()), int(
            (flagged & (p["x"] < p["centre"])).sum()
        )

    @property
    def predictable(self) -> bool:
        """True when no point breaks a rule: the system is predictable within the limits."""
        return self.signals == 0


def _runs(side: np.ndarray) -> np.ndarray:
    """Rule 2: flag every point of a run of RUN_LENGTH or more equal non-zero sides."""
    flags = np.zeros(len(side), dtype=bool)
    start = 0
    for i in range(1, len(side) + 1):
        if i == len(side) or side[i] != side[start]:
            if side[start] != 0 and i - start >= RUN_LENGTH:
                flags[start:i] = True
            start = i
    return flags


def _three_of_four(beyond: np.ndarray) -> np.ndarray:
    """Rule 3 on one side: in each window of four with three or more points beyond the
    halfway line, flag the points beyond it."""
    flags = np.zeros(len(beyond), dtype=bool)
    for i in range(len(beyond) - 3):
        window = beyond[i : i + 4]
        if window.sum() >= 3:
            flags[i : i + 4] |= window
    return flags


def xmr(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    lower_bound_zero: bool = True,
    labels: Sequence[Any] | pd.Series | pd.Index | None = None,
    times: Sequence[Any] | pd.Series | pd.Index | None = None,
    basis: str = "value",
    kind: Kind = "value",
    measure: str = "value",
) -> XmRChart:
    """The XmR chart of values in time order.

    mR_i = |x_i - x_i-1| (i = 2..k), mRbar = mean(mR), centre = mean(x),
    UNPL = centre + 2.66 mRbar, LNPL = max(0, centre - 2.66 mRbar) when
    ``lower_bound_zero`` (durations, counts) else centre - 2.66 mRbar, URL = 3.268 mRbar.

    Signals: rule 1, a point outside [LNPL, UNPL] (strictly beyond a limit); rule 2,
    eight or more successive points on the same side of the centre line, every point of
    the run flagged (a point exactly on the centre line is on neither side and ends a
    run); rule 3, three out of four successive points beyond the halfway line between the
    centre and a limit, on the same side: in each such window the points beyond the line
    are flagged. The halfway lines lie halfway between the centre and each natural
    process limit as the data give it, centre ± 1.33 mRbar: where zero, the floor a
    duration or a count cannot go below, stands in for a negative LNPL, it bounds the
    chart but does not move the lower halfway line. (Halfway to zero instead, every
    short wait on a chart of skewed waits joined a rule 3 signal: 915 of the receipt
    log's 1,414 cases.)

    Parameters
    ----------
    values : sequence of float
        The measure, oldest first. At least two finite values.
    lower_bound_zero : bool, default True
        Clip LNPL at 0, for measures that cannot be negative.
    labels, times : sequence, optional
        A label (case id, week) and a time for each point, kept as columns of ``points``.
    basis, kind, measure : str
        What a point is, what the values are, and the measure in words (see `XmRChart`).

    Returns
    -------
    XmRChart

    Raises
    ------
    ValueError
        Fewer than two values (no moving range, so no limits), a value that is not a
        finite number, or labels/times of another length.

    Examples
    --------
    >>> chart = xmr([5, 7, 6, 9, 4])
    >>> chart.mrbar, round(chart.centre, 3), round(chart.unpl, 3), chart.lnpl
    (2.75, 6.2, 13.515, 0.0)
    >>> chart.points["mr"].tolist()[1:], chart.predictable
    ([2.0, 1.0, 3.0, 5.0], True)
    >>> xmr([10, 10, 10, 10, 30]).points["rule1"].tolist()
    [False, False, False, False, True]
    """
    x = np.asarray(values, dtype="float64")
    if x.ndim != 1 or len(x) < 2:
        raise ValueError(
            f"an XmR chart needs at least two values in time order; got {x.size}: a log "
            f"or a {option('period')} that covers a longer time gives more"
        )
    if not np.isfinite(x).all():
        raise ValueError("an XmR chart needs finite numbers; drop or fill NaN values first")
    mr = np.abs(np.diff(x))
    mrbar = float(mr.mean())
    centre = float(x.mean())
    unpl = centre + NPL_FACTOR * mrbar
    computed_lnpl = centre - NPL_FACTOR * mrbar
    lnpl = max(0.0, computed_lnpl) if lower_bound_zero else computed_lnpl
    url = URL_FACTOR * mrbar

    points = pd.DataFrame({"x": x, "mr": np.concatenate([[np.nan], mr])})
    for name, column in (("label", labels), ("time", times)):
        if column is not None:
            column = list(column)
            if len(column) != len(x):
                raise ValueError(f"{name}s has {len(column)} items for {len(x)} values")
            points.insert(0, name, column)
    points["centre"], points["unpl"], points["lnpl"], points["url"] = centre, unpl, lnpl, url
    points["rule1"] = (x > unpl) | (x < lnpl)
    points["rule2"] = _runs(np.sign(x - centre))
    upper_half, lower_half = (centre + unpl) / 2, (centre + computed_lnpl) / 2
    points["rule3"] = _three_of_four(x > upper_half) | _three_of_four(x < lower_half)
    return XmRChart(centre, mrbar, unpl, lnpl, url, points, basis, kind, measure)


def capability_e2e(log: EventLog, *, cases: Any = None, max_points: int = 5000) -> XmRChart:
    """The end-to-end capability chart: how long customers wait, start to finish.

    One point per case, its end-to-end time in seconds, in order of case end (equal ends
    in case order), labelled by case id with the case end as time. Over ``max_points``
    cases, one point per UTC day instead: the mean end-to-end time of the cases ending
    that day (days without a case ending have no point); ``basis`` then says
    ``"daily mean"``.

    ``cases`` restricts the chart to some cases: an Ibis table on the log's engine with
    ``case``, ``end`` and ``e2e_s`` (as :func:`~journeymap.discovery.times.case_times_expr`
    has them). Only the points come back from the engine: the cases themselves when
    there are at most ``max_points``, otherwise their daily means.

    Raises
    ------
    ValueError
        Fewer than two points (one case, or one day on the daily basis).

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["A", "A", "B", "B", "C", "C"], "activity": ["x", "y"] * 3,
    ...     "timestamp": ["2024-01-01 08:00", "2024-01-01 10:00", "2024-01-01 08:00",
    ...                   "2024-01-01 09:00", "2024-01-02 08:00", "2024-01-02 11:00"]}))
    >>> chart = capability_e2e(log)
    >>> chart.basis, chart.points["label"].tolist(), chart.points["x"].tolist()
    ('case', ['B', 'A', 'C'], [3600.0, 7200.0, 10800.0])
    >>> daily = capability_e2e(log, max_points=2)
    >>> daily.basis, daily.points["x"].tolist()
    ('daily mean', [5400.0, 10800.0])
    """
    cases = (case_times_expr(log) if cases is None else cases).select("case", "end", "e2e_s")
    n = int(log.engine.fetch(cases.aggregate(n=cases.count()))["n"].iloc[0])
    if n <= max_points:
        frame = log.engine.fetch(cases)
        # End, then case id by code point: the order of case_times, on every engine.
        frame = frame.sort_values(["end", "case"], kind="stable", ignore_index=True)
        return xmr(frame["e2e_s"], labels=frame["case"], times=frame["end"], basis="case", **_E2E)
    per_day = cases.group_by(day=cases.end.truncate("D")).aggregate(e2e_s=mean_seconds(cases.e2e_s))
    daily = log.engine.fetch(per_day).sort_values("day", ignore_index=True)
    days = list(daily["day"])
    means = daily["e2e_s"].to_numpy(dtype="float64")
    return xmr(means, labels=[d.date() for d in days], times=days, basis="daily mean", **_E2E)


def _all_weeks(weeks: pd.Series) -> pd.DatetimeIndex:
    return pd.date_range(weeks.min(), weeks.max(), freq="7D")


def _whole_weeks(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """The Mondays of the ISO weeks that lie wholly within [start, end)."""
    monday = start.normalize() - pd.Timedelta(days=start.weekday())
    if monday < start:
        monday += pd.Timedelta(days=7)
    return pd.date_range(monday, end - pd.Timedelta(days=7), freq="7D")


def weekly_volume(log: EventLog, *, weeks: tuple[Any, Any] | None = None) -> XmRChart:
    """Demand volume: cases started per ISO week (Monday to Sunday, UTC).

    Weeks without a new case between the first and the last week count as 0. Points are
    labelled by the week's start date. The first and last weeks of an extract are often
    part weeks, and then read low: ``weeks`` = (start, end) of a period keeps the whole
    weeks within it (see :mod:`journeymap.analysis.period`), as the weekly failure
    demand chart does; a period that starts mid-week starts on the Monday after.

    Raises
    ------
    ValueError
        All cases start in one week, ``weeks`` holds fewer than two whole weeks, or
        no case starts in any of them.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["A", "B", "C", "D"], "activity": ["x"] * 4,
    ...     "timestamp": ["2024-01-01", "2024-01-03", "2024-01-16", "2024-01-22"]}))
    >>> chart = weekly_volume(log)
    >>> [str(d) for d in chart.points["label"]], chart.points["x"].tolist()
    (['2024-01-01', '2024-01-08', '2024-01-15', '2024-01-22'], [2.0, 0.0, 1.0, 1.0])
    >>> period = (pd.Timestamp("2024-01-03", tz="UTC"), pd.Timestamp("2024-01-29", tz="UTC"))
    >>> weekly_volume(log, weeks=period).points["x"].tolist()  # from Monday 8 January
    [0.0, 1.0, 1.0]
    """
    times = case_times_expr(log)
    per_week = times.group_by(week=iso_week(times.start)).aggregate(cases=times.count())
    found = log.engine.fetch(per_week)
    starts = found["week"].dt.tz_convert("UTC")
    counts = pd.Series(found["cases"].to_numpy(), index=starts)
    span = _all_weeks(starts)
    if weeks is not None:
        span = _whole_weeks(pd.Timestamp(weeks[0]), pd.Timestamp(weeks[1]))
    outside = int(found["cases"].sum())
    counts = counts.reindex(span, fill_value=0)
    if len(counts) > 1 and not counts.any():  # a line at 0 says nothing
        # Said, or "no new case" reads as none at all (a log of one case, in a part week).
        where = (
            f" (the log's {'one case' if outside == 1 else f'{outside:,} cases'} started "
            "outside them)"
            if outside
            else ""
        )
        raise ValueError(
            f"no new case in any of the {len(counts)} whole weeks of the period{where}"
        )
    return xmr(
        counts.to_numpy(),
        labels=[w.date() for w in counts.index],
        times=counts.index,
        basis="week",
        kind="count",
        measure="new cases",
    )


def weekly_share(
    weeks: Sequence[Any] | pd.Index | pd.Series,
    flagged: Sequence[int] | np.ndarray,
    cases: Sequence[int] | np.ndarray,
    *,
    measure: str = "flagged",
) -> XmRChart:
    """The weekly share of cases with a flag, such as failure demand, as an XmR chart.

    From counts made per ISO week on the engine (``weeks``: the Monday of each week,
    ascending): ``flagged`` of ``cases`` cases that started that week. One point per
    week, on 0..1; a week without a case start has no share and no point.

    Raises
    ------
    ValueError
        Fewer than two weeks with cases.

    Examples
    --------
    >>> weekly_share(["2024-01-01", "2024-01-08"], [1, 2], [2, 2]).points["x"].tolist()
    [0.5, 1.0]
    """
    table = pd.DataFrame(
        {"flagged": np.asarray(flagged, dtype="int64"), "cases": np.asarray(cases, dtype="int64")},
        index=pd.to_datetime(pd.Index(weeks), utc=True),
    )
    grouped = table[table["cases"] > 0].sort_index()
    return xmr(
        (grouped["flagged"] / grouped["cases"]).to_numpy(dtype="float64"),
        labels=[w.date() for w in grouped.index],
        times=grouped.index,
        basis="week",
        kind="share",
        measure=measure,
    )
