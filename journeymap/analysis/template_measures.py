"""What the templates say about the demand: per template, per deviation and per segment.

Read from the per-case conformance of :mod:`journeymap.analysis.templates` (the same
definitions), aggregated on the engine:

- :func:`template_summary`: per template, its cases, the share that conform, the share
  that could have been straightforward, and the extra end-to-end time of deviating cases
  (median of deviating minus median of conforming cases).
- :func:`template_deviations`: per template, kind of deviation and activity, the cases
  and events, and the extra end-to-end time of those cases (their median minus the
  median of the template's conforming cases).
- :func:`demand_segments`: per type of demand (and channel), the cases, how many
  variants cover 80% of them, and the shares that conform, could have been
  straightforward, and are failure demand.
- :func:`template_paths` and :func:`template_activities`: the transitions and
  activities of each template's cases, marked designed or not, for drawing the template.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.analysis.templates import (
    Templates,
    _base_expr,
    template_conformance_expr,
    template_methods,
)
from journeymap.demand_rules import DemandRules
from journeymap.discovery.ordering import ordered_events
from journeymap.discovery.portable import count_where, median_where
from journeymap.discovery.template_language import Automaton, designed_paths
from journeymap.eventlog import EventLog

__all__ = [
    "DEVIATION_COLUMNS",
    "SEGMENT_COLUMNS",
    "demand_segments",
    "template_activities",
    "template_deviations",
    "template_paths",
    "template_summary",
]

DEVIATION_COLUMNS = [
    "template", "kind", "activity", "cases", "events", "median_e2e_s", "extra_e2e_s",
    "straightforward_cases", "straightforward_extra_e2e_s",
]  # fmt: skip
SEGMENT_COLUMNS = ["demand", "channel", "template", "cases", "variants", "variants_for_80pct",
                   "conforming_pct", "straightforward_pct", "failure_pct",
                   "median_e2e_s"]  # fmt: skip
_START, _END = "__start__", "__end__"


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def template_summary(
    log: EventLog, templates: Templates, rules: DemandRules | None = None
) -> dict[str, dict[str, Any]]:
    """Per template, in file order: ``demand`` (None: all demand), ``kind`` (steps or
    bpmn), ``method``, ``cases``, ``conforming`` and ``conforming_pct``,
    ``straightforward`` and ``straightforward_pct`` (value demand that did not conform,
    % of the template's cases), ``median_e2e_conforming_s``,
    ``median_e2e_deviating_s`` and ``median_extra_e2e_s`` (deviating minus conforming;
    None when either group is empty).

    Examples
    --------
    >>> from journeymap import EventLog
    >>> from journeymap.analysis.templates import Templates
    >>> from journeymap.template_model import parse_templates
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2", "2"], "activity": ["a", "c", "a", "x", "c"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
    ...                   "2024-01-02 10:00", "2024-01-02 12:00"]}))
    >>> spec = Templates(parse_templates([{"name": "t", "steps": ["a", "c"]}]),
    ...                  method="sequence match")
    >>> s = template_summary(log, spec)["t"]
    >>> s["conforming_pct"], s["straightforward_pct"], s["median_extra_e2e_s"]
    (50.0, 50.0, 7200.0)
    """
    rules = rules or DemandRules()
    methods = template_methods(log, templates, rules)
    c = template_conformance_expr(log, templates, rules)
    grouped = c.group_by("template").aggregate(
        cases=c.count(),
        conforming=count_where(c, c.conforming),
        straightforward=count_where(c, c.straightforward),
        median_ok=median_where(c.e2e_s, c.conforming),
        median_off=median_where(c.e2e_s, ~c.conforming),
    )
    rows = {str(r["template"]): r for r in log.engine.fetch(grouped).to_dict("records")}
    out: dict[str, dict[str, Any]] = {}
    for t in templates.templates:
        row = rows.get(t.name, {})
        cases = int(row.get("cases", 0))
        ok = int(row.get("conforming", 0))
        straight = int(row.get("straightforward", 0))
        median_ok, median_off = _float(row.get("median_ok")), _float(row.get("median_off"))
        extra = None if median_ok is None or median_off is None else median_off - median_ok
        out[t.name] = {
            "demand": t.demand,
            "kind": t.kind,
            "method": methods[t.name]["method"],
            "cases": cases,
            "conforming": ok,
            "conforming_pct": 100 * ok / cases if cases else None,
            "straightforward": straight,
            "straightforward_pct": 100 * straight / cases if cases else None,
            "median_e2e_conforming_s": median_ok,
            "median_e2e_deviating_s": median_off,
            "median_extra_e2e_s": extra,
        }
    return out


def template_deviations(
    log: EventLog, templates: Templates, rules: DemandRules | None = None
) -> pd.DataFrame:
    """Per template, kind of deviation (skipped, inserted, repeated) and activity:
    ``cases`` with it, its ``events`` (steps, for skipped), ``median_e2e_s`` of those
    cases and ``extra_e2e_s`` (that median minus the median end-to-end time of the
    template's conforming cases; NaN without conforming cases); and the same for the
    cases of value demand among them, which could have been straightforward
    (``straightforward_cases``, ``straightforward_extra_e2e_s``). Sorted by template
    (file order), cases (most first), kind and activity.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> from journeymap.analysis.templates import Templates
    >>> from journeymap.template_model import parse_templates
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2", "2"], "activity": ["a", "c", "a", "x", "c"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
    ...                   "2024-01-02 10:00", "2024-01-02 12:00"]}))
    >>> spec = Templates(parse_templates([{"name": "t", "steps": ["a", "c"]}]),
    ...                  method="sequence match")
    >>> template_deviations(log, spec)[["kind", "activity", "cases", "extra_e2e_s"]]
           kind activity  cases  extra_e2e_s
    0  inserted        x      1       7200.0
    """
    rules = rules or DemandRules()
    from journeymap.analysis.templates import _pairs_expr

    c = template_conformance_expr(log, templates, rules)
    pairs = _pairs_expr(log, templates, rules)
    rows = pairs.filter(pairs.kind.notnull())
    joined = c.join(rows, ["template", "variant_rank"])
    grouped = joined.group_by("template", "kind", "activity").aggregate(
        cases=joined.count(),
        events=joined.events.sum(),
        straightforward_cases=count_where(joined, joined.straightforward),
        median_e2e_s=joined.e2e_s.median(),
        straightforward_median=median_where(joined.e2e_s, joined.straightforward),
    )
    frame = log.engine.fetch(grouped)
    summary = template_summary(log, templates, rules)
    order = {t.name: i for i, t in enumerate(templates.templates)}
    conforming = {name: s["median_e2e_conforming_s"] for name, s in summary.items()}
    for median, extra in (("median_e2e_s", "extra_e2e_s"),
                          ("straightforward_median", "straightforward_extra_e2e_s")):  # fmt: skip
        frame[extra] = [
            float(m) - conforming[t]
            if conforming[t] is not None and not pd.isna(m)
            else float("nan")
            for t, m in zip(frame["template"], frame[median], strict=True)
        ]
    frame["_order"] = frame["template"].map(order)
    frame = frame.sort_values(
        ["_order", "cases", "kind", "activity"], ascending=[True, False, True, True],
        kind="stable", ignore_index=True,
    )  # fmt: skip
    for column in ("cases", "events", "straightforward_cases"):
        frame[column] = frame[column].astype("int64")
    frame["median_e2e_s"] = frame["median_e2e_s"].astype("float64")
    return frame[DEVIATION_COLUMNS]


def demand_segments(
    log: EventLog, templates: Templates, rules: DemandRules | None = None
) -> pd.DataFrame:
    """Demand segmented by type (the demand column; without one, by template) and by
    channel: one row per type for all channels (``channel`` empty), then one per type
    and channel. Columns: ``demand``, ``channel``, ``template`` (the template of the
    type's cases, empty without one), ``cases``, ``variants``, ``variants_for_80pct``
    (how many of the segment's variants, most common first, cover 80% of its cases),
    ``conforming_pct``, ``straightforward_pct`` (NaN without a template),
    ``failure_pct`` and ``median_e2e_s``. Sorted by cases (most first), then type, with
    each type's channels after it by cases.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> from journeymap.analysis.templates import Templates
    >>> from journeymap.template_model import parse_templates
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2", "2"], "activity": ["a", "c", "a", "x", "c"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
    ...                   "2024-01-02 10:00", "2024-01-02 12:00"]}))
    >>> spec = Templates(parse_templates([{"name": "t", "steps": ["a", "c"]}]),
    ...                  method="sequence match")
    >>> demand_segments(log, spec)[["demand", "cases", "variants", "conforming_pct"]]
      demand  cases  variants  conforming_pct
    0      t      2         2            50.0
    """
    import ibis

    rules = rules or DemandRules()
    base = _base_expr(log, templates, rules)
    c = template_conformance_expr(log, templates, rules)
    cases = base.left_join(c.select("case", "conforming", "straightforward"), "case").drop(
        "case_right"
    )
    if templates.demand_column is None:
        cases = cases.filter(cases.template.notnull()).mutate(demand=cases.template)
    cases = cases.mutate(demand=cases.demand.fill_null("(none)"))
    parts = [cases.mutate(channel=ibis.literal("", "string"))]
    if log.has("channel"):
        parts.append(cases.mutate(channel=cases.channel.fill_null("(none)")))
    segmented = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
    keys = ["demand", "channel"]
    per_variant = segmented.group_by([*keys, "variant_rank"]).aggregate(n=segmented.count())
    w = ibis.window(
        group_by=[per_variant.demand, per_variant.channel],
        order_by=[ibis.desc(per_variant.n), per_variant.variant_rank],
        rows=(None, 0),
    )
    per_variant = per_variant.mutate(before=per_variant.n.sum().over(w) - per_variant.n)
    coverage = per_variant.group_by(keys).aggregate(
        variants=per_variant.count(), total=per_variant.n.sum()
    )
    needed = per_variant.join(coverage.select(*keys, "total"), keys)
    needed = needed.filter(needed.before * 100 < needed.total * (80 - 1e-9))
    needed = needed.group_by(keys).aggregate(variants_for_80pct=needed.count())
    has = segmented.template.notnull()
    grouped = segmented.group_by(keys).aggregate(
        template=segmented.template.max(),
        cases=segmented.count(),
        conforming=count_where(segmented, segmented.conforming),
        straightforward=count_where(segmented, segmented.straightforward),
        with_template=count_where(segmented, has),
        failures=count_where(segmented, segmented.failure),
        median_e2e_s=segmented.e2e_s.median(),
    )
    grouped = grouped.join(coverage.select(*keys, "variants"), keys).join(needed, keys)
    frame = log.engine.fetch(grouped)
    known = frame["with_template"] > 0
    frame["conforming_pct"] = (100 * frame["conforming"] / frame["cases"]).where(known)
    frame["straightforward_pct"] = (100 * frame["straightforward"] / frame["cases"]).where(known)
    frame["failure_pct"] = 100 * frame["failures"] / frame["cases"]
    frame["template"] = frame["template"].where(frame["template"].notna(), "")
    totals = frame[frame["channel"] == ""].set_index("demand")["cases"]
    frame["_type_cases"] = frame["demand"].map(totals)
    frame["_all"] = frame["channel"] != ""
    frame = frame.sort_values(
        ["_type_cases", "demand", "_all", "cases", "channel"],
        ascending=[False, True, True, False, True], kind="stable", ignore_index=True,
    )  # fmt: skip
    for column in ("cases", "variants", "variants_for_80pct"):
        frame[column] = frame[column].astype("int64")
    frame["median_e2e_s"] = frame["median_e2e_s"].astype("float64")
    return frame[SEGMENT_COLUMNS]


def _transitions(log: EventLog, templates: Templates, rules: DemandRules) -> Any:
    """Each event of a case with a template, with the next activity (``__end__`` after
    the last) and the previous (``__start__`` before the first)."""
    import ibis

    base = _base_expr(log, templates, rules)
    ev = ordered_events(log).select("case", "activity", "next_activity", "position")
    ev = ev.join(base.filter(base.template.notnull()).select("case", "template"), "case")
    return ev.mutate(
        next_activity=ev.next_activity.fill_null(_END),
        first=ev.position == ibis.literal(0),
    )


def _designed(template: Any) -> list[tuple[str, str]]:
    if template.steps is not None:
        return designed_paths(Automaton.of(template.steps))
    from journeymap.discovery.alignments import net_paths, template_net

    return net_paths(template_net(template))


def template_paths(
    log: EventLog, templates: Templates, rules: DemandRules | None = None
) -> pd.DataFrame:
    """Per template, the paths (directly-follows pairs, with ``__start__`` and
    ``__end__``) of its cases and of its design: ``template``, ``source``, ``target``,
    ``cases``, ``events`` (transitions) and ``designed`` (the template allows the pair).
    Designed paths no case takes have 0 cases. Sorted by template (file order), source
    and target.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> from journeymap.analysis.templates import Templates
    >>> from journeymap.template_model import parse_templates
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2"], "activity": ["a", "c", "a", "x"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
    ...                   "2024-01-02 10:00"]}))
    >>> spec = Templates(parse_templates([{"name": "t", "steps": ["a", "c"]}]))
    >>> template_paths(log, spec)[["source", "target", "cases", "designed"]]
          source   target  cases  designed
    0  __start__        a      2      True
    1          a        c      1      True
    2          a        x      1     False
    3          c  __end__      1      True
    4          x  __end__      1     False
    """
    rules = rules or DemandRules()
    ev = _transitions(log, templates, rules)
    inner = ev.group_by("template", source=ev.activity, target=ev.next_activity).aggregate(
        cases=ev.case.nunique(), events=ev.count()
    )
    first = ev.filter(ev.first)
    starts = first.group_by("template", target=first.activity).aggregate(
        cases=first.count(), events=first.count()
    )
    frame = pd.concat(
        [log.engine.fetch(inner), log.engine.fetch(starts).assign(source=_START)],
        ignore_index=True,
    )
    designed = {(t.name, a, b) for t in templates.templates for a, b in _designed(t)}
    frame["designed"] = [
        (t, a, b) in designed
        for t, a, b in zip(frame["template"], frame["source"], frame["target"], strict=True)
    ]
    taken = set(zip(frame["template"], frame["source"], frame["target"], strict=True))
    unused = [
        {"template": t, "source": a, "target": b, "cases": 0, "events": 0, "designed": True}
        for t, a, b in sorted(designed - taken)
    ]
    frame = pd.concat([frame, pd.DataFrame(unused, columns=frame.columns)], ignore_index=True)
    order = {t.name: i for i, t in enumerate(templates.templates)}
    frame["_order"] = frame["template"].map(order)
    frame = frame.sort_values(["_order", "source", "target"], kind="stable", ignore_index=True)
    for column in ("cases", "events"):
        frame[column] = frame[column].astype("int64")
    frame["designed"] = frame["designed"].astype(bool)
    return frame[["template", "source", "target", "cases", "events", "designed"]]


def template_activities(
    log: EventLog, templates: Templates, rules: DemandRules | None = None
) -> pd.DataFrame:
    """Per template, the activities of its cases and of its design: ``template``,
    ``activity``, ``cases``, ``events`` and ``designed`` (a step of the template).
    Designed activities no case does have 0 cases. Sorted by template (file order) and
    activity.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> from journeymap.analysis.templates import Templates
    >>> from journeymap.template_model import parse_templates
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1"], "activity": ["a", "x", "x"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00"]}))
    >>> spec = Templates(parse_templates([{"name": "t", "steps": ["a", "c"]}]))
    >>> template_activities(log, spec)[["activity", "cases", "events", "designed"]]
      activity  cases  events  designed
    0        a      1       1      True
    1        c      0       0      True
    2        x      1       2     False
    """
    rules = rules or DemandRules()
    ev = _transitions(log, templates, rules)
    grouped = ev.group_by("template", "activity").aggregate(
        cases=ev.case.nunique(), events=ev.count()
    )
    frame = log.engine.fetch(grouped)
    designed = {(t.name, a) for t in templates.templates for a in _designed_activities(t)}
    frame["designed"] = [
        (t, a) in designed for t, a in zip(frame["template"], frame["activity"], strict=True)
    ]
    taken = set(zip(frame["template"], frame["activity"], strict=True))
    unused = [
        {"template": t, "activity": a, "cases": 0, "events": 0, "designed": True}
        for t, a in sorted(designed - taken)
    ]
    frame = pd.concat([frame, pd.DataFrame(unused, columns=frame.columns)], ignore_index=True)
    order = {t.name: i for i, t in enumerate(templates.templates)}
    frame["_order"] = frame["template"].map(order)
    frame = frame.sort_values(["_order", "activity"], kind="stable", ignore_index=True)
    for column in ("cases", "events"):
        frame[column] = frame[column].astype("int64")
    frame["designed"] = frame["designed"].astype(bool)
    return frame[["template", "activity", "cases", "events", "designed"]]


def _designed_activities(template: Any) -> tuple[str, ...]:
    if template.steps is not None:
        return tuple(template.activities())
    from journeymap.discovery.alignments import template_net

    net = template_net(template)[0]
    return tuple(sorted({t.label for t in net.transitions if t.label is not None}))
