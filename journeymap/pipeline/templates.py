"""The journey templates of a log, as part of :func:`journeymap.mine`.

Each case is checked against the template of its type of demand; the per-case table
stays on the engine, the summaries, deviations and segments come back as small tables.
The paths and activities of each template's cases, for its map, are computed only when
a map of a template is drawn (``--template NAME`` or the report).
"""

from __future__ import annotations

from journeymap.analysis.template_measures import (
    demand_segments,
    template_activities,
    template_deviations,
    template_paths,
    template_summary,
)
from journeymap.analysis.templates import (
    template_conformance_expr,
    template_notes,
    unknown_activities,
)
from journeymap.engine import EngineTable
from journeymap.eventlog import EventLog
from journeymap.findings import TemplateFindings
from journeymap.options import Options

__all__ = ["check_templates"]


def check_templates(log: EventLog, options: Options) -> TemplateFindings | None:
    """The templates' findings of ``log`` (None when the options have no templates).

    Raises
    ------
    ConfigError
        The demand column is missing, ``--template`` names no template, or pm4py cannot
        read or align a BPMN template.
    """
    spec, rules = options.templates, options.demand
    if not spec.templates:
        if options.map.template is not None:
            spec.named(options.map.template)  # says there are none
        return None
    if options.map.template is not None:
        spec.named(options.map.template)  # a wrong name is a mistake to say at once
    conformance = EngineTable(log.engine, template_conformance_expr(log, spec, rules), ("case",))
    drawn = options.output.report or options.map.template is not None
    unknown = unknown_activities(log, spec)
    return TemplateFindings(
        templates=spec,
        summary=template_summary(log, spec, rules),
        conformance=conformance,
        deviations=template_deviations(log, spec, rules),
        segments=demand_segments(log, spec, rules),
        paths=template_paths(log, spec, rules) if drawn else None,
        activities=template_activities(log, spec, rules) if drawn else None,
        notes=[*unknown, *template_notes(log, spec, rules)],
        unknown_activities=unknown,
    )
