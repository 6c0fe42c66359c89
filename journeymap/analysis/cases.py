"""One row per case with its flow measures: the table behind ``tables/cases.csv``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from journeymap.analysis.handoffs import handoffs_per_case
from journeymap.analysis.rework import rework_per_case
from journeymap.analysis.time import case_times
from journeymap.discovery.variants import case_variant_ranks
from journeymap.eventlog import EventLog

__all__ = ["CASE_COLUMNS", "case_table"]

CASE_COLUMNS = [
    "case_id", "events", "start", "end", "e2e_s", "handoffs", "pingpongs",
    "rework_events", "handlers", "variant_rank",
]  # fmt: skip


def case_table(log: EventLog, *, level: str | None) -> pd.DataFrame:
    """Per case: ``case_id``, ``events``, ``start`` and ``end`` (UTC), ``e2e_s``,
    ``handoffs``, ``pingpongs`` and ``handlers`` (distinct known handlers) at ``level``
    ("team" or "resource"; 0 when None), ``rework_events`` (events - distinct
    activities) and ``variant_rank`` (the rank of the case's variant). Ordered by
    case id.

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
    frame = case_times(log)
    if level is not None:
        flows = handoffs_per_case(log, level=level)[["case", "handoffs", "pingpongs", "handlers"]]
        frame = frame.merge(flows, on="case", how="left")
    else:
        frame = frame.assign(handoffs=0, pingpongs=0, handlers=0)
    frame = frame.merge(rework_per_case(log)[["case", "rework_events"]], on="case", how="left")
    frame = frame.merge(case_variant_ranks(log).to_pandas(), on="case", how="left")
    for column in ("handoffs", "pingpongs", "handlers", "rework_events", "variant_rank"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame = frame.rename(columns={"case": "case_id"})
    # numpy sorts Python strings by code point, the order used everywhere else.
    order = np.argsort(frame["case_id"].to_numpy(dtype=object), kind="stable")
    return frame.iloc[order].reset_index(drop=True)[CASE_COLUMNS]
