"""Hand-offs and ping-pong: how often work changes hands on its way to the customer.

Definitions (shared/MEASURES.md, "Handler, hand-offs, ping-pong"):

- The handler of an event is its team (``level="team"``) or its resource
  (``level="resource"``). Every table says which level it counts in a ``level`` column.
- Per case, take the events whose handler is known, in case order (timestamp, ties by
  source row); events with a missing handler are dropped. A hand-off is a change of
  handler between two consecutive events of that sequence, and its wait is the time
  between the two events: the later event's timestamp minus the earlier one's, or, when
  start timestamps are mapped, ``max(0, start(later) - timestamp(earlier))`` (the
  later event's timestamp stands in for a missing start), as for every transition.
- Ping-pong: collapse the sequence into runs of equal handlers (X X Y X -> X Y X). Every
  position j with ``run[j] == run[j+2]`` is one ping-pong between ``a = run[j]`` and
  ``b = run[j+1]``. A ping-pong case has at least one.

All per-event work runs on the engine; only aggregates come back as pandas.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from journeymap.discovery.ordering import handler_role, ordered_events, transition_wait
from journeymap.discovery.portable import count_where
from journeymap.discovery.times import case_times_expr
from journeymap.errors import MappingError, option
from journeymap.event_order import sum_seconds
from journeymap.eventlog import EventLog

__all__ = [
    "BUCKETS",
    "HANDOFF_COLUMNS",
    "LEVELS",
    "PER_CASE_COLUMNS",
    "PINGPONG_COLUMNS",
    "check_level",
    "handler_sequence",
    "handoff_summary",
    "handoff_totals",
    "handoffs",
    "handoffs_per_case",
    "handoffs_per_case_expr",
    "pingpong",
]

#: The levels a handler can be counted at.
LEVELS = ("team", "resource")
#: Hand-offs per case, as grouped in :func:`handoff_summary`.
BUCKETS = ("0", "1", "2", "3", "4+")
HANDOFF_COLUMNS = ["level", "from", "to", "count", "cases", "median_wait_s", "total_wait_s"]
PINGPONG_COLUMNS = ["level", "a", "b", "count", "cases"]
PER_CASE_COLUMNS = ["case", "handoffs", "pingpongs", "handlers", "handoff_wait_s"]


def check_level(log: EventLog, level: str) -> str:
    """Return ``level`` if it is a level of :data:`LEVELS` whose role is mapped.

    Raises
    ------
    MappingError
        ``level`` is not ``"team"`` or ``"resource"``, or its role is not mapped.
    """
    if level not in LEVELS:
        raise MappingError(f"level must be 'team' or 'resource', not {level!r}")
    if not log.has(level):
        hint = f"map a column as {level} ({option(level, 'COLUMN')})"
        other = handler_role(log)
        if other is not None:
            hint += f", or count hand-offs at level {other!r}"
        raise MappingError(
            f"{log.source}: hand-offs at {level} level need the {level} role, "
            f"which is not mapped; {hint}"
        )
    return level


def handler_sequence(log: EventLog, *, level: str) -> Any:
    """Ibis expression: the events whose handler is known, in case order.

    One row per event with a known handler: ``source_row``, ``case``, ``activity``,
    ``timestamp``, ``position`` (in the case, as in
    :func:`~journeymap.discovery.ordering.ordered_events`), ``handler`` (the event's
    team or resource, per ``level``), the previous known-handler event of the case
    (``prev_handler``, ``prev_timestamp``; NULL on the first),
    ``wait_s`` (the wait from that event, see the module docstring; NULL on the first),
    ``handoff`` (the handler differs from ``prev_handler``) and ``run_start`` (the first
    event of a run of equal handlers).

    A filter of the events in case order, which already look back past the events
    without a handler (see :func:`~journeymap.discovery.ordering.ordered_events`); on
    an engine that cannot (PostgreSQL) the known-handler events are ordered again and
    the sequence is kept on the engine.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1"], "activity": ["a", "b", "c"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 12:00"],
    ...     "team": ["X", None, "Y"]}))
    >>> seq = log.engine.fetch(handler_sequence(log, level="team").order_by("source_row"))
    >>> seq[["activity", "handler", "prev_handler", "wait_s", "handoff"]]
      activity handler prev_handler   wait_s  handoff
    0        a       X          NaN      NaN    False
    1        c       Y            X  10800.0     True
    """
    check_level(log, level)
    if f"prev_{level}" in ordered_events(log).columns:
        return _sequence(log, level, looked_back=True)
    return log.derived(f"handlers_{level}", lambda: _sequence(log, level, looked_back=False))


def _sequence(log: EventLog, level: str, *, looked_back: bool) -> Any:
    import ibis

    ev = ordered_events(log)
    starts = log.has("start_timestamp")
    t = ev.filter(ev[level].notnull())
    keep = ["source_row", "case", "activity", "timestamp", "position"]
    keep += ["start_timestamp"] if starts else []
    if looked_back:
        seq = t.select(
            *keep,
            handler=t[level],
            prev_handler=t[f"prev_{level}"],
            prev_timestamp=t[f"prev_{level}_timestamp"],
        )
    else:  # the known-handler events ordered again, by their integer position
        t = t.select(*keep, handler=t[level])
        w = ibis.window(group_by=t.case, order_by=t.position)
        seq = t.mutate(
            prev_handler=t.handler.lag().over(w),
            prev_timestamp=t.timestamp.lag().over(w),
        )
    later = seq.start_timestamp.fill_null(seq.timestamp) if starts else seq.timestamp
    changed = seq.handler != seq.prev_handler
    seq = seq.mutate(
        wait_s=transition_wait(later, seq.prev_timestamp, starts),
        handoff=seq.prev_handler.notnull() & changed,
        run_start=seq.prev_handler.isnull() | changed,
    )
    return seq.drop(*(["start_timestamp"] if starts else []))


def _pingpong_events(log: EventLog, level: str) -> Any:
    """Ibis expression, one row per ping-pong: ``case``, ``a``, ``b``. Computed once per
    log and level (the pair table and the per-case counts both read it)."""
    return log.derived(f"pingpong_events_{level}", lambda: _pingpongs(log, level))


def _pingpongs(log: EventLog, level: str) -> Any:
    import ibis

    seq = handler_sequence(log, level=level)
    runs = seq.filter(seq.run_start)
    w = ibis.window(group_by=runs.case, order_by=runs.position)
    runs = runs.mutate(b=runs.handler.lead(1).over(w), back=runs.handler.lead(2).over(w))
    return runs.filter(runs.back == runs.handler).select("case", a=runs.handler, b=runs.b)


def handoffs_per_case_expr(log: EventLog, *, level: str) -> Any:
    """Ibis expression, one row per case of the log: ``case``, ``handoffs``,
    ``pingpongs``, ``handlers`` (distinct known handlers), ``handoff_wait_s`` (sum of
    the waits of its hand-offs) and ``e2e_s`` (end-to-end time).

    Cases without a known handler have 0 of each. Computed once per log and level.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.
    """
    check_level(log, level)

    def build() -> Any:
        seq = handler_sequence(log, level=level)
        per = seq.group_by("case").aggregate(
            handoffs=count_where(seq, seq.handoff),  # COUNT: BIGINT, not a HUGEINT sum
            handlers=seq.handler.nunique(),
            handoff_wait_s=sum_seconds(seq.wait_s, where=seq.handoff),
        )
        pp = _pingpong_events(log, level)
        pings = pp.group_by("case").aggregate(pingpongs=pp.count())
        times = case_times_expr(log)
        joined = times.left_join(per, "case").left_join(pings, "case")
        return joined.select(
            case=times.case,
            handoffs=per.handoffs.fill_null(0).cast("int64"),
            pingpongs=pings.pingpongs.fill_null(0).cast("int64"),
            handlers=per.handlers.fill_null(0).cast("int64"),
            handoff_wait_s=per.handoff_wait_s.fill_null(0.0).cast("float64"),
            e2e_s=times.e2e_s,
        )

    return log.derived(f"handoff_cases_{level}", build)


def handoffs_per_case(log: EventLog, *, level: str) -> pd.DataFrame:
    """Hand-offs of every case: ``case``, ``handoffs``, ``pingpongs``, ``handlers``
    (distinct known handlers) and ``handoff_wait_s`` (sum of the waits of its hand-offs,
    seconds), one row per case of the log, ordered by case id.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "1", "2"], "activity": ["a", "b", "c", "d", "a"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00",
    ...                   "2024-01-01 13:00", "2024-01-01 09:00"],
    ...     "team": ["X", "Y", None, "X", None]}))
    >>> handoffs_per_case(log, level="team")
      case  handoffs  pingpongs  handlers  handoff_wait_s
    0    1         2          1         2         14400.0
    1    2         0          0         0             0.0
    """
    frame = log.engine.fetch(handoffs_per_case_expr(log, level=level))
    frame = frame.sort_values("case", kind="stable", ignore_index=True)
    return frame.reindex(columns=PER_CASE_COLUMNS)


def handoffs(log: EventLog, *, level: str = "team") -> pd.DataFrame:
    """The hand-off matrix: one row per pair of handlers ``from -> to`` that hand off.

    Columns: ``level``, ``from``, ``to``, ``count`` (hand-offs), ``cases`` (distinct
    cases with at least one), ``median_wait_s`` and ``total_wait_s`` (of the hand-offs'
    waits, seconds; the median interpolates between values, as numpy does). Ranked by
    count (most first), then by ``from`` and ``to``.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "2", "2"], "activity": ["a", "b", "c", "a", "b"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 12:00",
    ...                   "2024-01-02 09:00", "2024-01-02 09:30"],
    ...     "team": ["X", "Y", "X", "X", "Y"]}))
    >>> handoffs(log)
      level from to  count  cases  median_wait_s  total_wait_s
    0  team    X  Y      2      2         2700.0        5400.0
    1  team    Y  X      1      1         7200.0        7200.0
    """
    seq = handler_sequence(log, level=level)
    moves = seq.filter(seq.handoff)
    grouped = moves.group_by(**{"from": moves.prev_handler, "to": moves.handler}).aggregate(
        count=moves.count(),
        cases=moves.case.nunique(),
        median_wait_s=moves.wait_s.median(),
        total_wait_s=sum_seconds(moves.wait_s),
    )
    return _ranked(log.engine.fetch(grouped), level, ["from", "to"], HANDOFF_COLUMNS)


def pingpong(log: EventLog, *, level: str = "team") -> pd.DataFrame:
    """Ping-pong between handlers: one row per ordered pair ``a``, ``b``.

    Every position j of the collapsed handler sequence with ``run[j] == run[j+2]`` is
    one ping-pong, counted for ``a = run[j]`` and ``b = run[j+1]`` (work went from a to b
    and came back). Columns: ``level``, ``a``, ``b``, ``count`` (ping-pongs) and
    ``cases`` (distinct cases with at least one). Ranked by count, then ``a`` and ``b``.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1"] * 4, "activity": ["a", "b", "c", "d"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00",
    ...                   "2024-01-01 12:00"],
    ...     "team": ["X", "Y", "X", "Y"]}))
    >>> pingpong(log)
      level  a  b  count  cases
    0  team  X  Y      1      1
    1  team  Y  X      1      1
    """
    pp = _pingpong_events(log, level)
    grouped = pp.group_by("a", "b").aggregate(count=pp.count(), cases=pp.case.nunique())
    return _ranked(log.engine.fetch(grouped), level, ["a", "b"], PINGPONG_COLUMNS)


def _ranked(frame: pd.DataFrame, level: str, names: list[str], columns: list[str]) -> pd.DataFrame:
    # Count desc, then names by code point in Python: the same order on every engine.
    counts = [int(c) for c in frame["count"]]
    labels = [[str(v) for v in frame[name]] for name in names]
    order = sorted(range(len(frame)), key=lambda i: (-counts[i], *(col[i] for col in labels)))
    frame = frame.iloc[order].reset_index(drop=True)
    frame.insert(0, "level", level)
    for column in ("count", "cases"):
        frame[column] = frame[column].astype("int64")
    for column in ("median_wait_s", "total_wait_s"):
        if column in columns:
            frame[column] = frame[column].astype("float64")
    return frame.reindex(columns=columns)


def handoff_summary(log: EventLog, *, level: str = "team") -> dict[str, Any]:
    """Hand-off figures of the whole log.

    Keys: ``level``; ``cases`` (with at least one known handler); ``total``
    (hand-offs); ``per_case`` (``total / cases``, None without such cases);
    ``cases_with_handoff``;
    ``pingpong_total`` and ``pingpong_cases``; ``wait_share`` (total hand-off wait /
    total end-to-end time, 0..1, None when every case takes no time);
    ``e2e_by_handoffs`` (per bucket of hand-offs per case, ``"0"``, ``"1"``, ``"2"``,
    ``"3"``, ``"4+"``, always all five: ``handoffs``, ``cases`` and ``median_e2e_s``,
    None for an empty bucket); and ``spearman``, the Spearman rank correlation between
    hand-offs per case and end-to-end time: the Pearson correlation of their ranks,
    tied values sharing the average of their ranks (as ``scipy.stats.spearmanr``
    does). It is None when undefined: fewer than two cases, or all cases with the same
    hand-offs or the same end-to-end time.

    Hand-offs per case, the wait share, the buckets and the correlation count the cases
    with at least one known handler (MEASURES.md): a case with none is unknown, not a
    case of 0 hand-offs. Case 4 below has no known team: 2 hand-offs in 3 cases. When
    the log knows which cases were still open when exported, the buckets and the
    correlation, which rest on end-to-end times, count the cases that ended only.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "2", "2", "3", "4", "4"],
    ...     "activity": ["a", "b", "c", "a", "b", "a", "a", "b"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 13:00",
    ...                   "2024-01-02 09:00", "2024-01-02 10:00", "2024-01-03 09:00",
    ...                   "2024-01-04 09:00", "2024-01-04 19:00"],
    ...     "team": ["X", "Y", "X", "X", "X", "X", None, None]}))
    >>> summary = handoff_summary(log)
    >>> {k: summary[k] for k in ("cases", "total", "per_case", "cases_with_handoff")}
    {'cases': 3, 'total': 2, 'per_case': 0.666..., 'cases_with_handoff': 1}
    >>> summary["pingpong_cases"], summary["spearman"]
    (1, 0.866...)
    >>> summary["wait_share"], summary["e2e_by_handoffs"][:3]  # doctest: +NORMALIZE_WHITESPACE
    (0.8, [{'handoffs': '0', 'cases': 2, 'median_e2e_s': 1800.0},
           {'handoffs': '1', 'cases': 0, 'median_e2e_s': None},
           {'handoffs': '2', 'cases': 1, 'median_e2e_s': 14400.0}])
    """
    import ibis

    pc = _known_handler_cases(log, level)
    totals = handoff_totals(log, level=level)
    # End-to-end times are those of the cases that ended (as end_to_end_summary's): a
    # case still open when exported has no end-to-end time yet, only its time so far.
    times = case_times_expr(log)
    ended = pc.semi_join(times.filter(~times.open), "case") if "open" in times.columns else pc
    bucket = ibis.cases((ended.handoffs >= 4, "4+"), else_=ended.handoffs.cast("string"))
    bucketed = ended.mutate(bucket=bucket)
    per_bucket = (
        log.engine.fetch(
            bucketed.group_by("bucket").aggregate(
                cases=bucketed.count(), median_e2e_s=bucketed.e2e_s.median()
            )
        )
        .set_index("bucket")
        .reindex(list(BUCKETS))
    )
    e2e_by_handoffs = [
        {"handoffs": name, "cases": int(_number(cases) or 0), "median_e2e_s": _number(median)}
        for name, cases, median in per_bucket.itertuples()
    ]
    counts = ("total", "cases_with_handoff", "pingpong_total", "pingpong_cases")
    cases = int(totals["cases"])
    return {
        "level": level,
        "cases": cases,
        **{key: int(totals[key]) for key in counts},
        "per_case": totals["total"] / cases if cases else None,
        "wait_share": totals["wait_share"],
        "e2e_by_handoffs": e2e_by_handoffs,
        "spearman": _spearman(log, ended, "handoffs", "e2e_s"),
    }


def handoff_totals(log: EventLog, *, level: str = "team") -> dict[str, Any]:
    """The per-case hand-off table summed over the log, on the engine.

    Keys: ``cases`` (with at least one known handler); ``total`` (hand-offs) and
    ``cases_with_handoff``; ``pingpong_total`` and ``pingpong_cases``; ``wait`` (total
    hand-off wait, seconds); ``e2e`` (total end-to-end time of the cases with a known
    handler, seconds); ``wait_share`` (``wait / e2e``: the share of the customers'
    waiting spent in hand-off waits, 0..1; None when every case takes no time);
    ``mean_handlers`` (distinct known handlers per case, averaged over the cases with
    one; None without them). A case with no known handler is unknown (MEASURES.md), so
    it counts in none of these.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.
    """
    pc = _known_handler_cases(log, level)
    row = log.engine.fetch(
        pc.aggregate(
            cases=pc.count(),
            total=pc.handoffs.sum(),
            cases_with_handoff=count_where(pc, pc.handoffs > 0),
            pingpong_total=pc.pingpongs.sum(),
            pingpong_cases=count_where(pc, pc.pingpongs > 0),
            wait=sum_seconds(pc.handoff_wait_s),
            e2e=sum_seconds(pc.e2e_s),
            mean_handlers=pc.handlers.mean(),
        )
    ).iloc[0]
    totals: dict[str, Any] = {
        k: _number(row[k]) or 0.0
        for k in ("cases", "total", "cases_with_handoff", "pingpong_total", "pingpong_cases")
    }
    totals["wait"] = _number(row["wait"]) or 0.0
    totals["e2e"] = _number(row["e2e"]) or 0.0
    totals["wait_share"] = totals["wait"] / totals["e2e"] if totals["e2e"] > 0 else None
    totals["mean_handlers"] = _number(row["mean_handlers"])
    return totals


def _known_handler_cases(log: EventLog, level: str) -> Any:
    """The per-case hand-off table of the cases with at least one known handler: a case
    with none is unknown (MEASURES.md), not a case of 0 hand-offs."""
    pc = handoffs_per_case_expr(log, level=level)
    return pc.filter(pc.handlers > 0)


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _spearman(log: EventLog, table: Any, x: str, y: str) -> float | None:
    """Spearman's rho of two columns on the engine: Pearson correlation of average ranks."""
    import ibis

    def average_rank(column: Any) -> Any:
        # rank() is the 0-based minimum rank; ties share the mean of their 1-based ranks.
        ties = column.count().over(ibis.window(group_by=column))
        return ibis.rank().over(order_by=column) + (ties + 1) / 2

    # The average ranks of n rows sum to n(n + 1)/2: their mean is (n + 1)/2 exactly.
    # Pearson's r from the sums of the centred ranks, divided here: an engine's CORR
    # divides by zero when a column holds one value throughout (Spark's ANSI mode fails).
    middle = (table.count() + 1) / 2
    ranked = table.mutate(dx=average_rank(table[x]) - middle, dy=average_rank(table[y]) - middle)
    dx, dy = ranked.dx, ranked.dy
    sums = log.engine.fetch(
        ranked.aggregate(xy=(dx * dy).sum(), xx=(dx * dx).sum(), yy=(dy * dy).sum())
    ).iloc[0]
    xy, xx, yy = (_number(sums[k]) for k in ("xy", "xx", "yy"))
    if xy is None or not xx or not yy:  # under two rows, or one value throughout
        return None
    return max(-1.0, min(1.0, xy / math.sqrt(xx * yy)))
