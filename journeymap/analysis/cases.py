"""One row per case with its flow measures: the table behind ``tables/cases.csv``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.analysis.handoffs import handoffs_per_case_expr
from journeymap.analysis.rework import rework_per_case_expr
from journeymap.discovery.times import case_times_expr
from journeymap.discovery.variants import case_variants_expr
from journeymap.eventlog import EventLog

__all__ = ["CASE_COLUMNS", "case_table", "case_table_expr"]

CASE_COLUMNS = [
    "case_id", "events", "start", "end", "e2e_s", "handoffs", "pingpongs",
    "rework_events", "handlers", "variant_rank",
]  # fmt: skip


def case_table(log: EventLog, *, level: str | None) -> pd.DataFrame:
    """Per case: ``case_id``, ``events``, ``start`` and ``end`` (UTC), ``e2e_s``,
    ``handoffs``, ``pingpongs`` and ``handlers`` (distinct known handlers) at ``level``
    ("team" or "resource"; 0 when None), ``rework_events`` (events - distinct
    activities) and ``variant_rank`` (the rank of the case's variant), then ``open``
    when the log knows its end activities (the case was still open when the log was
    exported: its ``e2e_s`` is its time so far). Ordered by case id.

    Examples
    --------
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "2"], "activity": ["Log", "Fix", "Fix", "Log"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00",
    ...                   "2024-01-02 09:00"],
    ...     "team": ["Front", "Back", "Front", "Front"]}))
    >>> case_table(log, level="team")[["case_id", "events", "e2e_s", "handoffs",
    ...                                "pingpongs", "rework_events", "variant_rank"]]
      case_id  events   e2e_s  handoffs  pingpongs  rework_events  variant_rank
    0       1       3  7200.0         2          1              1             2
    1       2       1     0.0         0          0              0             1
    """
    frame = log.engine.fetch(case_table_expr(log, level=level))
    return frame.sort_values("case_id", kind="stable", ignore_index=True)


def case_table_expr(log: EventLog, *, level: str | None) -> Any:
    """:func:`case_table` as an Ibis table on the engine (one query joining the per-case
    parts): ``mine`` writes it to CSV there rather than bringing every case into Python."""
    import ibis

    times = case_times_expr(log)
    ranks = case_variants_expr(log)
    rework = rework_per_case_expr(log)
    joined = times.left_join(rework, "case").left_join(ranks, "case")
    columns: dict[str, Any] = {
        "case_id": times.case,
        "events": times.events.cast("int64"),
        "start": times.start,
        "end": times.end,
        "e2e_s": times.e2e_s,
        "rework_events": rework.rework_events.fill_null(0).cast("int64"),
        "variant_rank": ranks.variant_rank.cast("int64"),
    }
    if level is not None:
        flows = handoffs_per_case_expr(log, level=level)
        joined = joined.left_join(flows, times.case == flows.case)
        for name in ("handoffs", "pingpongs", "handlers"):
            columns[name] = flows[name].fill_null(0).cast("int64")
    else:
        for name in ("handoffs", "pingpongs", "handlers"):
            columns[name] = ibis.literal(0, "int64")
    order = list(CASE_COLUMNS)
    if "open" in times.columns:
        columns["open"] = times.open
        order.append("open")
    return joined.select(**columns).select(*order)
