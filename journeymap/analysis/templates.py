"""Journey templates: does each case follow the journey designed for its type of demand?

Definitions (docs/measures.md, "Templates"):

- A case's type of demand is the value of the demand column (``[templates]
  demand_column``, such as the request type) on its first event that has one. Its
  template is the template for that type, else the template for all demand (one without
  ``demand``), else none: cases without a template are left out of the conformance
  measures.
- A case conforms (follows its template) when its activity sequence is one of the
  sequences the template allows, a word of the template's language; equivalently, its
  alignment with the template's Petri net has fitness 1.
- Where it does not, an optimal alignment says what it did differently: steps
  ``skipped``, and events ``inserted`` or ``repeated``
  (:func:`~journeymap.discovery.template_language.deviations`).
- ``straightforward`` (could have been straightforward): a case of value demand (no
  failure-demand rule matches it, :mod:`journeymap.analysis.demand`) that did not
  conform.
- Extra end-to-end time = the median end-to-end time of a template's deviating cases
  minus the median of its conforming cases
  (:func:`~journeymap.discovery.times.case_times`).

How conformance is checked, per template (the ``method``): ``sequence match`` matches
each distinct activity sequence against a regular expression compiled from the steps on
the engine, and aligns the sequences that do not match with the template's automaton;
``alignments`` runs pm4py's alignments on the template's Petri net; ``token replay``
runs pm4py's token-based replay (it cannot name skipped steps, and needs each activity
once in the model). ``auto`` (the default) takes alignments for a template of at most
``alignment_max_cases`` cases, else sequence match, or for a BPMN template (which has no
steps to match) token replay, or alignments when an activity is on two of its tasks.
Every method works on the distinct sequences (variants) of a template's cases, not on
each case.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from journeymap.analysis.demand import demand_expr
from journeymap.analysis.journeys import case_channel_expr
from journeymap.config import suggest
from journeymap.demand_rules import DemandRules
from journeymap.discovery.activities import activity_names_expr
from journeymap.discovery.template_language import (
    OTHER_CODE,
    Automaton,
    activity_codes,
    align,
    deviations,
    template_regex,
)
from journeymap.discovery.times import case_times_expr
from journeymap.discovery.variants import case_variants_expr, variants_expr
from journeymap.errors import ConfigError, expect, option
from journeymap.eventlog import EventLog
from journeymap.template_model import (
    ALIGNMENT_MAX_CASES,
    METHODS,
    Template,
    Templates,
)

__all__ = [
    "ALIGNMENT_MAX_CASES",
    "CONFORMANCE_COLUMNS",
    "METHODS",
    "Templates",
    "demand_column_of",
    "template_conformance",
    "template_conformance_expr",
    "template_methods",
    "template_notes",
    "unknown_activities",
]

CONFORMANCE_COLUMNS = [
    "case", "template", "demand", "channel", "failure", "conforming", "straightforward",
    "skipped", "inserted", "repeated", "skipped_steps", "inserted_steps",
    "repeated_steps", "e2e_s",
]  # fmt: skip


def demand_column_of(log: EventLog, spec: Templates) -> str | None:
    """The events-table column that holds the type of demand: ``demand_column`` itself,
    or the role it is the source column of (``customer_id`` mapped as customer).

    Raises
    ------
    ConfigError
        A template names a demand and no column is set, or the column is not in the log.
    """
    column = spec.demand_column
    columns = [c for c in log.table.columns if c != "source_row"]
    known = log.mapping.columns_text(columns)
    if column is None:
        demands = [t.name for t in spec.templates if t.demand is not None]
        if demands:
            raise ConfigError(
                f"{spec.source}: template {demands[0]!r} is for a type of demand, but "
                "[templates] demand_column does not say which column holds the types; set "
                f'demand_column = "..." (the log\'s columns are: {known})'
            )
        return None
    found = log.mapping.column_named(column, columns)
    if found is None:
        raise ConfigError(
            f"{spec.source}: templates.demand_column: the log has no column {column!r}; "
            f"its columns are: {known}"
        )
    return found


def _base_expr(log: EventLog, spec: Templates, rules: DemandRules) -> Any:
    """Per case that has ended: its type of demand, template, channel, failure demand,
    end-to-end time and variant rank (computed once per log, templates and rules). A
    case still open when the log was exported (the log knows its end activities) is left
    out: its steps to come are not skipped, and its time so far is no end-to-end time."""
    import ibis

    def build() -> Any:
        name = demand_column_of(log, spec)
        t = log.table
        per_case = case_times_expr(log)
        if "open" in per_case.columns:  # a journey not yet ended is no deviation
            per_case = per_case.filter(~per_case.open)
        per_case = per_case.select("case", "e2e_s")
        if name is not None:
            column = t[name].cast("string")
            first = column.first(order_by=[t.timestamp, t.source_row], include_null=False)
            per_case = per_case.join(t.group_by("case").aggregate(demand=first), "case")
        else:
            per_case = per_case.mutate(demand=ibis.null("string"))
        if log.has("channel"):
            per_case = per_case.join(case_channel_expr(log), "case")
        else:
            per_case = per_case.mutate(channel=ibis.null("string"))
        d = demand_expr(log, rules).select("case", "failure")
        v = case_variants_expr(log)
        per_case = per_case.join(d, "case").join(v, "case")
        named = [(per_case.demand == t.demand, t.name) for t in spec.templates if t.demand]
        fallback = next((t.name for t in spec.templates if t.demand is None), None)
        otherwise = ibis.literal(fallback, "string") if fallback else ibis.null("string")
        template = ibis.cases(*named, else_=otherwise) if named else otherwise
        return per_case.mutate(template=template)

    return log.derived(f"template_base_{spec.key()}_{abs(hash(rules)):x}", build)


def template_methods(
    log: EventLog, templates: Templates, rules: DemandRules | None = None
) -> dict[str, dict[str, Any]]:
    """Per template (in file order): ``cases`` (how many cases it is the template of)
    and ``method``, the way their conformance is checked (see the module's docstring).

    Raises
    ------
    ConfigError
        A template names a demand and no ``demand_column`` is set, or the column is
        not in the log.
    """
    base = _base_expr(log, templates, rules or DemandRules())
    counts = log.engine.fetch(base.group_by("template").aggregate(cases=base.count()))
    found = {str(k): int(n) for k, n in zip(counts["template"], counts["cases"], strict=True)}
    out: dict[str, dict[str, Any]] = {}
    for t in templates.templates:
        cases = found.get(t.name, 0)
        method = templates.method
        if method == "auto":
            method = _auto(t, cases <= templates.alignment_max_cases)
        out[t.name] = {"cases": cases, "method": method}
    return out


def _auto(template: Template, small: bool) -> str:
    """The method ``auto`` takes for a template: alignments on small logs; on large ones
    sequence match for steps, token replay for BPMN (alignments when an activity labels
    two of its tasks, which token replay cannot tell apart)."""
    if small:
        return "alignments"
    if template.steps is not None:
        return "sequence match"
    from journeymap.discovery.alignments import duplicate_labels, template_net

    return "alignments" if duplicate_labels(template_net(template)) else "token replay"


def _pairs_expr(log: EventLog, spec: Templates, rules: DemandRules) -> Any:
    """Per template and distinct activity sequence of its cases: whether the sequence
    conforms, and one row per kind of deviation and activity with its events (computed
    once; the replay runs on the distinct sequences, not on each case)."""

    def build() -> Any:
        base = _base_expr(log, spec, rules)
        methods = template_methods(log, spec, rules)
        pairs = base.filter(base.template.notnull()).select("template", "variant_rank").distinct()
        ranked = variants_expr(log).select(variant_rank="rank", sequence="sequence")
        pairs = pairs.join(ranked, "variant_rank")
        rows: list[dict[str, Any]] = []
        for t in spec.templates:
            chosen = pairs.filter(pairs.template == t.name)
            rows += _replayed(log, t, chosen, methods[t.name]["method"])
        frame = pd.DataFrame(
            rows, columns=["template", "variant_rank", "conforming", "kind", "activity", "events"]
        ).astype({"template": "str", "variant_rank": "int64", "conforming": "bool",
                  "kind": "object", "activity": "object", "events": "Int64"})  # fmt: skip
        uploaded = log.engine.table(log.engine.upload(frame, "template_pairs"))
        # Typed whatever the rows: a column of only missing values has no type.
        return uploaded.cast({"template": "string", "variant_rank": "int64",
                              "conforming": "boolean", "kind": "string",
                              "activity": "string", "events": "int64"})  # fmt: skip

    return log.derived(f"template_pairs_{spec.key()}_{abs(hash(rules)):x}", build)


def _replayed(log: EventLog, template: Template, pairs: Any, method: str) -> list[dict[str, Any]]:
    """The rows of :func:`_pairs_expr` for one template."""
    if method == "sequence match":
        assert template.steps is not None
        codes = activity_codes(template.activities())
        coded = pairs.sequence.map(lambda a: a.substitute(codes, else_=OTHER_CODE)).join("")
        pairs = pairs.mutate(conforming=coded.re_search(template_regex(template.steps, codes)))
        found = log.engine.fetch(pairs.select("variant_rank", "sequence", "conforming"))
        automaton = Automaton.of(template.steps)
        results = []
        for rank, sequence, ok in found.itertuples(index=False):
            moves = [] if ok else align(automaton, [str(a) for a in sequence])[1]
            results.append((int(rank), bool(ok), moves))
    else:
        from journeymap.discovery.alignments import replay, template_net

        found = log.engine.fetch(pairs.select("variant_rank", "sequence"))
        sequences = [[str(a) for a in s] for s in found["sequence"]]
        with warnings.catch_warnings():  # pm4py's own deprecations, not ours
            warnings.simplefilter("ignore")
            replayed = replay(template_net(template), sequences, method=method, template=template)
        # pm4py says which sequences conform and how far the others are; of the optimal
        # alignments of a template of steps, the one read out is the sequence match's
        # (the fewest steps skipped): pm4py's choice among equals varies, and read a
        # case that did Active and Resolved twice as skipping an optional step.
        steps = template.steps if method == "alignments" else None  # replay names no skip
        aligner = Automaton.of(steps) if steps is not None else None
        results = [
            (int(rank), r.conforming,
             list(r.moves) if r.conforming or aligner is None else align(aligner, s)[1])
            for rank, r, s in zip(found["variant_rank"], replayed, sequences, strict=True)
        ]  # fmt: skip
    rows: list[dict[str, Any]] = []
    for rank, ok, moves in sorted(results):
        found_deviations = [] if ok else deviations(moves)
        if not found_deviations:
            rows.append({"template": template.name, "variant_rank": rank, "conforming": ok,
                         "kind": None, "activity": None, "events": None})  # fmt: skip
        for kind, activity, events in found_deviations:
            rows.append({"template": template.name, "variant_rank": rank, "conforming": ok,
                         "kind": kind, "activity": activity, "events": events})  # fmt: skip
    return rows


def template_conformance_expr(
    log: EventLog, templates: Templates, rules: DemandRules | None = None
) -> Any:
    """:func:`template_conformance` as an Ibis table on the engine (computed once per
    log, templates and rules)."""
    import ibis

    rules = rules or DemandRules()

    def build() -> Any:
        base = _base_expr(log, templates, rules)
        pairs = _pairs_expr(log, templates, rules)
        counts: dict[str, Any] = {"conforming": pairs.conforming.max()}
        for kind in ("skipped", "inserted", "repeated"):
            hit = pairs.kind == kind
            counts[kind] = pairs.events.sum(where=hit).fill_null(0)
            counts[f"{kind}_steps"] = pairs.activity.group_concat(
                "; ", where=hit, order_by=pairs.activity
            )
        flags = pairs.group_by("template", "variant_rank").aggregate(**counts)
        cases = base.filter(base.template.notnull())
        joined = cases.join(flags, ["template", "variant_rank"])
        return joined.select(
            "case", "template", "demand", "channel", "failure", "conforming",
            straightforward=~joined.conforming & ~joined.failure,
            skipped=joined.skipped.cast("int64"), inserted=joined.inserted.cast("int64"),
            repeated=joined.repeated.cast("int64"),
            skipped_steps=joined.skipped_steps.fill_null(ibis.literal("")),
            inserted_steps=joined.inserted_steps.fill_null(ibis.literal("")),
            repeated_steps=joined.repeated_steps.fill_null(ibis.literal("")),
            e2e_s=joined.e2e_s, variant_rank=joined.variant_rank,
        )  # fmt: skip

    return log.derived(f"template_cases_{templates.key()}_{abs(hash(rules)):x}", build)


def template_conformance(
    log: EventLog, templates: Templates, rules: DemandRules | None = None
) -> pd.DataFrame:
    """Per case that has a template, sorted by case id: ``case``, ``template``,
    ``demand`` (its type of demand), ``channel``, ``failure`` (failure demand),
    ``conforming`` (its activity sequence follows the template), ``straightforward``
    (value demand that did not conform), ``skipped`` (steps skipped), ``inserted`` and
    ``repeated`` (events), the activities of each (``skipped_steps``, ...; joined by
    "; "), ``e2e_s`` (end-to-end time) and ``variant_rank``.

    Raises
    ------
    ConfigError
        A template names a demand but no demand column is set, or the column is not in
        the log; pm4py cannot read or align a BPMN template.
    MissingDependencyError
        A method that needs pm4py, and it is not installed.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> from journeymap.template_model import parse_templates
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2", "2"], "activity": ["a", "c", "a", "x", "c"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
    ...                   "2024-01-02 10:00", "2024-01-02 12:00"]}))
    >>> spec = Templates(parse_templates([{"name": "t", "steps": ["a", {"optional": "b"},
    ...                                    "c"]}]), method="sequence match")
    >>> template_conformance(log, spec)[["case", "conforming", "inserted_steps", "e2e_s"]]
      case  conforming inserted_steps    e2e_s
    0    1        True                  3600.0
    1    2       False              x  10800.0
    """
    expect(templates, Templates, "template_conformance()'s templates",
           "read a templates file with jm.load_templates(path)")  # fmt: skip
    frame = log.engine.fetch(template_conformance_expr(log, templates, rules))
    frame = frame.sort_values("case", kind="stable", ignore_index=True)
    for column in ("failure", "conforming", "straightforward"):
        frame[column] = frame[column].astype(bool)
    for column in ("skipped", "inserted", "repeated", "variant_rank"):
        frame[column] = frame[column].astype("int64")
    return frame


def unknown_activities(log: EventLog, templates: Templates) -> list[str]:
    """A sentence for each activity a template's steps name that no event of ``log`` has
    (a misspelt name, or another case): no case can then go through as designed. The
    closest activity of the log is suggested (:func:`journeymap.config.suggest`)."""
    named = {t.name: t.activities() for t in templates.templates}
    if not any(named.values()):
        return []
    known = sorted(str(a) for a in log.engine.fetch(activity_names_expr(log))["activity"].dropna())
    present = set(known)
    return [
        f"template {name!r}: no event has the activity {activity!r}"
        f"{suggest(activity, known)}, so no case can go through it as designed; check the "
        "step's spelling"
        for name, activities in named.items()
        for activity in activities
        if activity not in present
    ]


def template_notes(
    log: EventLog, templates: Templates, rules: DemandRules | None = None
) -> list[str]:
    """What the user should know about the templates on this log: a template whose type
    of demand no case has (with the closest value the demand column holds), cases that
    no template is for, and cases still open, left out (see also
    :func:`unknown_activities`)."""
    base = _base_expr(log, templates, rules or DemandRules())
    notes = []
    counts = template_methods(log, templates, rules)
    if any(counts[t.name]["cases"] == 0 for t in templates.templates):
        values = log.engine.fetch(base.select("demand").distinct().limit(10_000))["demand"]
        known = sorted(str(v) for v in values.dropna())
        for t in templates.templates:
            if counts[t.name]["cases"]:
                continue
            if t.demand is None:
                notes.append(f"template {t.name!r}: every case has a template of its own type")
                continue
            notes.append(
                f"template {t.name!r}: no case has {templates.demand_column} = "
                f"{t.demand!r}{suggest(t.demand, known)}"
            )
    left = int(log.engine.scalar(base.filter(base.template.isnull()).count()))
    if left:
        many = left != 1
        notes.append(
            f"{left:,} case{'s' if many else ''} {'have' if many else 'has'} no template "
            f"(no template is for {'their' if many else 'its'} type of demand); left out of "
            "the template measures"
        )
    times = case_times_expr(log)
    still = int(log.engine.scalar(times.open.sum()) or 0) if "open" in times.columns else 0
    if still:
        many = still != 1
        notes.append(
            f"{still:,} case{'s' if many else ''} {'were' if many else 'was'} still open when "
            "the log was exported; left out of the template measures (a journey that has "
            "not ended has skipped no step yet)"
        )
    elif "open" not in times.columns:
        notes += _unended(log, templates, base)
    return notes


def _unended(log: EventLog, templates: Templates, base: Any) -> list[str]:
    """A note when the log does not know its end activities and cases of a template of
    steps end with none of the activities it ends with: each counts as a deviation (its
    last steps skipped), though it may have been still open when the log was exported,
    which naming the end activities would leave out."""
    finals = {t.name: set(t.last_activities()) for t in templates.templates if t.steps}
    if not finals:
        return []
    cases = base.filter(base.template.isin(list(finals)))
    per = cases.group_by("template", "variant_rank").aggregate(cases=cases.count())
    ranked = variants_expr(log).select(variant_rank="rank", sequence="sequence")
    per = per.join(ranked, "variant_rank")
    rows = log.engine.fetch(per.select("template", "cases", last=per.sequence[-1]))
    ended = [a in finals[t] for t, a in zip(rows["template"], rows["last"], strict=True)]
    off = int(rows["cases"][[not e for e in ended]].sum())
    if not off:
        return []
    ends = sorted(set().union(*finals.values()))
    named = ", ".join(repr(a) for a in ends[:3]) + (", ..." if len(ends) > 3 else "")
    given = ",".join(ends) if len(ends) <= 3 else "ACTIVITY,..."
    return [
        f"{off:,} of the {int(rows['cases'].sum()):,} cases of the templates "
        f"{'ends' if off == 1 else 'end'} with none of their last steps ({named}) and "
        f"{'counts' if off == 1 else 'count'} as deviations: if they were still open "
        "when the log was exported, name the activities that finish a case with "
        f"{option('end_activities', given)} to leave them out"
    ]
