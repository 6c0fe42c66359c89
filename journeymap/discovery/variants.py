"""Variants: the distinct activity sequences of cases, ranked, with their coverage."""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.discovery.times import case_sequences_expr
from journeymap.eventlog import EventLog

__all__ = [
    "SEPARATOR",
    "VARIANT_COLUMNS",
    "case_variants_expr",
    "variants",
    "variants_covering",
    "variants_expr",
]

#: How a variant's activities are joined in tables and reports.
SEPARATOR = " > "
VARIANT_COLUMNS = ["rank", "variant", "cases", "pct", "cum_pct", "median_e2e_s"]


def variants(log: EventLog) -> pd.DataFrame:
    """The variants of a log: one row per distinct activity sequence.

    A variant is the sequence of activities of a case (in case order). Variants are
    ranked by cases (most first), then by the sequence itself, so ties are stable.
    Columns: ``rank`` (1 = most frequent), ``variant`` (activities joined by " > "),
    ``cases``, ``pct`` (share of cases, %), ``cum_pct`` (share of cases in this and all
    higher-ranked variants, %: coverage) and ``median_e2e_s`` (median end-to-end time of
    its cases, seconds; of its finished cases when the log knows its end activities, and
    missing when all are still open).

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2", "3"], "activity": ["a", "b", "a", "b", "a"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
    ...                   "2024-01-02 12:00", "2024-01-03 09:00"]}))
    >>> variants(log)
       rank variant  cases        pct     cum_pct  median_e2e_s
    0     1   a > b      2  66.666667   66.666667        7200.0
    1     2       a      1  33.333333  100.000000           0.0
    """
    frame = log.engine.fetch(_ranked(log)).sort_values("rank", ignore_index=True)
    total = int(frame["cases"].sum())
    frame["cases"] = frame["cases"].astype("int64")
    frame["rank"] = frame["rank"].astype("int64")
    frame["variant"] = [SEPARATOR.join(s) for s in frame["sequence"]]
    frame["pct"] = frame["cases"] / total * 100
    frame["cum_pct"] = frame["cases"].cumsum() / total * 100
    frame["median_e2e_s"] = frame["median_e2e_s"].astype("float64")
    return frame[VARIANT_COLUMNS]


def case_variants_expr(log: EventLog) -> Any:
    """Ibis table, one row per case: ``case`` and ``variant_rank`` (the rank of its
    variant in :func:`variants`), computed once per log."""

    def build() -> Any:
        ranks = _ranked(log).select("sequence", "rank")
        sequences = case_sequences_expr(log)
        joined = sequences.join(ranks, "sequence")
        return joined.select("case", variant_rank=joined["rank"])

    return log.derived("case_variants", build)


def variants_expr(log: EventLog) -> Any:
    """:func:`variants` as an Ibis table on the engine, one row per variant:
    ``sequence`` (its activities, a list), ``cases``, ``median_e2e_s`` and ``rank``
    (computed once per log)."""
    return _ranked(log)


def _ranked(log: EventLog) -> Any:
    """Variants with cases, median end-to-end time and rank, on the engine (computed
    once per log).

    Ranked by cases (most first), then by the sequence: lists compare element by
    element, and strings by their UTF-8 bytes, which is code-point order, so the rank
    is the same as Python's sort of the sequences as tuples.
    """
    import ibis

    def build() -> Any:
        per_case = case_sequences_expr(log)
        # A case still open has no end-to-end time yet (only its time so far). Not
        # median(where=): Ibis gives Spark's percentile a percentage it cannot fold.
        e2e = per_case.e2e_s
        if "open" in per_case.columns:
            e2e = ibis.ifelse(per_case.open, ibis.null(e2e.type()), e2e)
        grouped = per_case.group_by("sequence").aggregate(
            cases=per_case.count(), median_e2e_s=e2e.median()
        )
        order = ibis.window(order_by=[ibis.desc(grouped.cases), grouped.sequence])
        return grouped.mutate(rank=ibis.row_number().over(order) + 1)

    return log.derived("variant_ranks", build)


def variants_covering(table: pd.DataFrame, share_pct: float = 80.0) -> int:
    """How many top variants it takes to cover ``share_pct`` % of the cases.

    Examples
    --------
    >>> variants_covering(pd.DataFrame({"cum_pct": [50.0, 79.9, 80.0, 100.0]}))
    3
    """
    reached = table.index[table["cum_pct"] >= share_pct - 1e-9]
    return int(reached[0]) + 1 if len(reached) else len(table)
