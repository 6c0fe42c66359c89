"""Templates suggested from the data: per type of demand, the simplest frequent journey.

:func:`suggest_templates` proposes, for each type of demand (a value of the demand
column; without one, for all demand), the shortest variant that at least ``min_share``
% of the type's value-demand cases follow, among the variants of two or more events that
end with the activity most of those variants' cases end with (ties: more of those
cases, then the variant's rank); when none qualifies (the journeys vary widely: sepsis),
the one of those most of them follow, and the suggestion says so (of one event, when
the type has no other). A variant of one event,
or one that stops where few cases stop, is more often a journey the export cut short
than the design (the receipt log's one-event cases, 8% of them). Its activities
become the steps, with a run of one activity (``a a a``) written as ``{repeat = "a"}``.
Each suggestion says the share of the type's cases that follow it (its coverage), which
is computed by checking the cases against the suggested templates exactly as ``mine``
checks them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from journeymap.analysis.templates import Templates, _base_expr, template_conformance_expr
from journeymap.demand_rules import DemandRules
from journeymap.discovery.portable import count_where
from journeymap.discovery.variants import variants_expr
from journeymap.errors import ConfigError, option
from journeymap.eventlog import EventLog
from journeymap.template_model import RepeatStep, Seq, Step, Template

__all__ = ["ALL_DEMAND", "Suggestion", "suggest_templates"]

#: The name of the template suggested for all demand (no demand column).
ALL_DEMAND = "All demand"
#: The fewest events of a suggested journey: a case of one event is a record of a
#: contact, or a journey cut short by the export, not a design.
MIN_STEPS = 2
#: The fewest value-demand cases a suggested journey must have been followed by, besides
#: the share: on a small type of demand one case passes 5%, and one case's journey (cut
#: short by rejected rows, say) is no design.
MIN_FOLLOWED = 2
#: Types of demand from which a demand column whose types have fewer than
#: :data:`MIN_TYPE_CASES` cases each, on average, is refused: it names cases or
#: customers (the sample's customer_id: 939 values in 1,350 cases), not types of demand.
MANY_TYPES, MIN_TYPE_CASES = 20, 2.0


@dataclass(frozen=True)
class Suggestion:
    """A template suggested for one type of demand.

    Attributes
    ----------
    template : the template (named after the type of demand).
    cases : the type's cases.
    covered : the type's cases that follow the template.
    value_cases : the type's cases of value demand.
    variant_value_cases : the value-demand cases of the variant chosen.
    most_common : no journey was followed by ``min_share`` % of the value-demand cases
        (the journeys vary widely): the suggestion is the most common one instead.
    """

    template: Template
    cases: int
    covered: int
    value_cases: int
    variant_value_cases: int
    most_common: bool = False

    @property
    def coverage_pct(self) -> float:
        """covered / cases * 100."""
        return 100 * self.covered / self.cases if self.cases else 0.0


def _steps(sequence: list[str]) -> Seq:
    """A variant's activities as steps, runs of one activity as a repeat."""
    steps: list[Step] = []
    for activity, run in itertools.groupby(sequence):
        steps.append(RepeatStep(activity) if len(list(run)) > 1 else activity)
    return Seq(tuple(steps))


def suggest_templates(
    log: EventLog,
    *,
    demand_column: str | None = None,
    rules: DemandRules | None = None,
    min_share: float = 5.0,
    max_types: int = 50,
) -> list[Suggestion]:
    """Suggest one template per type of demand (the ``max_types`` types with the most
    cases, most first; ties by name), or one for all demand without ``demand_column``.
    Cases without a value in the demand column get none.

    Raises
    ------
    ConfigError
        ``demand_column`` is not a column of the log, or names cases or customers rather
        than types of demand (:data:`MIN_TYPE_CASES`).

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2", "2", "3", "3", "3", "4", "4"],
    ...     "activity": ["a", "c", "a", "b", "c", "a", "c", "c", "a", "c"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
    ...                   "2024-01-02 10:00", "2024-01-02 11:00", "2024-01-03 09:00",
    ...                   "2024-01-03 10:00", "2024-01-03 11:00", "2024-01-04 09:00",
    ...                   "2024-01-04 10:00"]}))
    >>> s, = suggest_templates(log, min_share=30)
    >>> s.template.toml_steps(), s.covered, s.cases
    (['a', 'c'], 2, 4)
    """
    rules = rules or DemandRules()
    spec = Templates(demand_column=demand_column)
    base = _base_expr(log, spec, rules)
    per_variant = base.group_by("demand", "variant_rank").aggregate(
        cases=base.count(), value_cases=count_where(base, ~base.failure)
    )
    ranked = variants_expr(log).select(variant_rank="rank", sequence="sequence")
    frame = log.engine.fetch(per_variant.join(ranked, "variant_rank"))
    if demand_column is None:
        frame["demand"] = ALL_DEMAND
    else:  # cases without a type of demand can have no template
        frame = frame[frame["demand"].notna()]
    sums = frame.groupby("demand")[["cases", "value_cases"]].sum()
    totals = {str(d): (int(n), int(v)) for d, n, v in sums.itertuples()}
    typed = sum(n for n, _ in totals.values())
    if len(totals) >= MANY_TYPES and typed < MIN_TYPE_CASES * len(totals):
        raise ConfigError(
            f"{demand_column!r} has {len(totals):,} values among its {typed:,} cases "
            f"({typed / len(totals):.1f} cases each): it names cases or customers, not types "
            "of demand; give a column that sorts the demand into a few types (a service, a "
            f"category) with {option('demand_column', 'COLUMN')}, or none for one template"
        )
    order = sorted(totals, key=lambda d: (-totals[d][0], d))
    chosen: list[tuple[Template, Any, bool]] = []
    for demand in order[:max_types]:
        rows = frame[frame["demand"] == demand]
        value = totals[demand][1]
        floor = max(value * min_share / 100, MIN_FOLLOWED)
        weight = "value_cases" if value else "cases"
        journeys = rows[rows["sequence"].map(len) >= MIN_STEPS]
        if not journeys.empty:
            rows = journeys
        ends = rows["sequence"].map(lambda q: str(q[-1]))
        usual_end = rows[weight].groupby(ends).sum().sort_index().idxmax()
        candidates = rows[
            (rows["value_cases"] >= floor) & (rows["value_cases"] > 0) & (ends == usual_end)
        ]
        # No journey reached the share (not merely too few cases for MIN_FOLLOWED).
        fallback = candidates.empty and value * min_share / 100 >= MIN_FOLLOWED
        if candidates.empty:  # the most common journey, of those ending where most end if any
            ending = rows[ends == usual_end]
            rows = ending if not ending.empty else rows
            candidates = rows.sort_values([weight, "variant_rank"], ascending=[False, True])[:1]
        rows_: list[Any] = list(candidates.itertuples(index=False))
        best = min(rows_, key=lambda r: (len(r.sequence), -getattr(r, weight), r.variant_rank))
        name = demand
        template = Template(
            name=name,
            demand=None if demand_column is None else name,
            steps=_steps([str(a) for a in best.sequence]),
            source="suggestion",
        )
        chosen.append((template, best, fallback))
    if not chosen:
        return []
    check = Templates(
        tuple(t for t, _, _ in chosen), demand_column=demand_column, method="sequence match"
    )
    c = template_conformance_expr(log, check, rules)
    counted = log.engine.fetch(
        c.group_by("template").aggregate(covered=count_where(c, c.conforming))
    )
    covered = {str(t): int(n) for t, n in zip(counted["template"], counted["covered"], strict=True)}
    return [
        Suggestion(
            template=t,
            cases=totals[t.name][0],
            covered=covered.get(t.name, 0),
            value_cases=totals[t.name][1],
            variant_value_cases=int(best.value_cases),
            most_common=fallback,
        )
        for t, best, fallback in chosen
    ]
