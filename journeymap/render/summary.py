"""``summary.json``: the findings' key numbers, with their statements in words."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from journeymap.analysis.capability import XmRChart
from journeymap.analysis.period import Period
from journeymap.discovery.variants import variants_covering
from journeymap.findings import CheckFindings, Findings
from journeymap.jsonout import iso_utc
from journeymap.render.capability_words import capability_statement, period_text
from journeymap.render.captions import journey_sentences, map_caption
from journeymap.render.charts import chart_files
from journeymap.render.doubts import doubts
from journeymap.render.profile_text import quality_warnings
from journeymap.render.template_report import templates_summary

__all__ = ["map_options", "rule_options", "summary"]


_HANDOFF_KEYS = (
    "level", "cases", "total", "per_case", "cases_with_handoff", "pingpong_total",
    "pingpong_cases", "wait_share", "e2e_by_handoffs", "spearman",
)  # fmt: skip


def summary(findings: Findings) -> dict[str, Any]:
    """The key numbers of the findings, as ``summary.json`` holds them."""
    log = findings.log
    rework = findings.rework_summary
    scope = findings.scope
    read_as = {"preset": log.preset, "reason": log.preset_reason} if log.preset else None
    return {
        "source": log.source,
        # Only for a system's export read by its preset: plain logs' summaries are as before.
        **({"read_as": read_as} if read_as else {}),
        "mapping": log.mapping.columns(),
        "timezone": log.timezone,
        "rows_read": log.rows_read,
        # A system's export whose rows are not its records: how many records it had, and
        # how many of them its reader rejected (of rejected_rows).
        **(
            {"records_read": log.records_read, "records_rejected": log.records_rejected}
            if log.records_read is not None
            else {}
        ),
        "accepted": log.accepted,
        "events": log.events,
        "cases": findings.case_count,
        "rejected_rows": log.rejected_rows,
        "data_quality": _quality(findings),
        "doubts": doubts(findings),
        "activities": len(findings.activities),
        "variants": len(findings.variants),
        "variants_for_80pct": variants_covering(findings.variants, 80.0),
        "start": iso_utc(findings.start),
        "end": iso_utc(findings.end),
        "end_to_end": findings.end_to_end,
        # With start timestamps only: plain logs' summaries are as before.
        **({"work": findings.work} if findings.work is not None else {}),
        "handoffs": _handoffs_block(findings),
        "rework": (
            {k: rework[k] for k in ("events", "cases", "redo_events")}
            if rework is not None
            else None
        ),
        **(_check_block(findings.check) if findings.check is not None else {}),
        **(_templates_block(findings) if findings.templates is not None else {}),
        # Only with a customer mapped: other logs' summaries are as before.
        **({"customer_journeys": _journeys(findings)} if findings.journeys is not None else {}),
        "map": {
            "lanes": findings.lanes,
            "activities_shown": scope.activities_shown,
            "paths_shown": scope.paths_shown,
            "paths": scope.paths_total,
            "events_shown_pct": scope.events_shown_pct,
            "caption": map_caption(scope),
        },
        "options": map_options(findings),
        "rules": rule_options(findings),
    }


def map_options(findings: Findings) -> dict[str, Any]:
    """The map options a run used (summary.json's ``options``, the report's "How it was
    made")."""
    chosen = findings.options.map
    return {
        "lanes": findings.lanes,
        "activities_pct": chosen.activities_pct,
        "paths_pct": chosen.paths_pct,
        "max_activities": chosen.max_activities,
        "model": chosen.model,
        "demand": chosen.demand,
        "by": chosen.by,
        "view": chosen.view,
        "measure": chosen.measure,
        "template": chosen.template,
        **({"journeys": chosen.journeys} if chosen.journeys != "case" else {}),
    }


def rule_options(findings: Findings) -> dict[str, Any]:
    """The rules a run's figures rest on (summary.json's ``rules``, the report's "How it
    was made"): the failure-demand rules, the dirty activities of clean flow, and the
    charts' period and point limit. Changing any moves the headline figures."""
    chosen = findings.options
    rules = chosen.demand
    return {
        "failure_activities": list(rules.failure_activities),
        "repeat_contact_days": rules.repeat_days,
        "attribute_rules": [
            {k: v for k, v in dataclasses.asdict(rule).items() if v is not None}
            for rule in rules.attribute_rules
        ],
        "dirty_activities": list(chosen.flow.dirty_activities),
        "period": chosen.check.period,
        "max_points": chosen.check.max_points,
    }


def _templates_block(findings: Findings) -> dict[str, Any]:
    """``templates`` (per template) and how they were checked."""
    found = findings.templates
    assert found is not None
    spec = found.templates
    return {
        "templates": templates_summary(found),
        "template_settings": {
            "demand_column": spec.demand_column,
            "method": spec.method,
            "alignment_max_cases": spec.alignment_max_cases,
            "source": spec.source,
        },
        "template_notes": found.notes,
    }


def _journeys(findings: Findings) -> dict[str, Any]:
    """The customer journeys' figures and what they say."""
    assert findings.journeys is not None
    return {
        **findings.journeys.to_dict(),
        "statements": journey_sentences(findings.journeys),
    }


#: What says how hand-offs shape the work: nothing, where no hand-off can be seen.
_SHAPE_KEYS = ("per_case", "e2e_by_handoffs", "spearman", "wait_share")


def _handoffs_block(findings: Findings) -> dict[str, Any] | None:
    """summary.json's ``handoffs``: the hand-off summary and the handlers' coverage.
    Where no case has two events with a handler, no hand-off can be seen: the counts
    stay (none was counted), the figures that would read as "no hand-offs" are None."""
    if findings.handoff_summary is None:
        return None
    coverage = None if findings.check is None else findings.check.flow_summary.get("coverage")
    block = {k: findings.handoff_summary.get(k) for k in _HANDOFF_KEYS}
    if coverage and coverage["partial"] and not coverage["cases_seen"]:
        block.update(dict.fromkeys(_SHAPE_KEYS))
    return {**block, "coverage": coverage}


def _quality(findings: Findings) -> dict[str, Any]:
    """What was assumed of the data: placeholders read as missing, repeated states,
    implausible timestamps, and every data-quality warning ``inspect`` gives."""
    p = findings.profile
    if p is None:
        return {}
    return {
        "placeholders": p.placeholders,
        "repeated_states": p.repeats,
        "implausible_timestamps": p.implausible,
        "warnings": quality_warnings(p),
    }


def _check_block(check: CheckFindings) -> dict[str, Any]:
    """The keys the check phase adds: the three percentages and ``capability``."""
    e2e = check.charts.get("capability_e2e")
    files = chart_files(Path("charts"), list(check.charts))
    return {
        "failure_demand_pct": check.demand_summary["failure_demand_pct"],
        "failure_rule_cases": check.demand_summary["rule_cases"],
        "one_stop_pct": check.flow_summary["one_stop_pct"],
        "clean_pct": check.flow_summary["clean_pct"],
        "single_handler_pct": check.flow_summary["single_handler_pct"],
        "demand_by_type": check.demand_summary["by_type"],
        "flow_by_demand_type": check.flow_summary["by_demand_type"],
        "flow_by_channel": check.flow_summary["by_channel"],
        "flow_by_state": check.flow_summary["by_state"],
        "capability": None if e2e is None else _capability(e2e, check.period),
        "capability_by": {
            name.partition(":")[2]: {
                **_capability(chart, check.period),
                "file": files[name].as_posix(),  # which file holds this group's chart
            }
            for name, chart in check.charts.items()
            if name.startswith("capability_e2e:")
        },
        "period": None if check.period is None else _period(check.period),
        "check_notes": check.notes,
    }


def _capability(chart: XmRChart, period: Period | None) -> dict[str, Any]:
    statement = capability_statement(chart)
    if period is not None:
        statement += " " + period_text(period)
    return {
        "unit": "seconds",
        "basis": chart.basis,
        "centre": chart.centre,
        "unpl": chart.unpl,
        "lnpl": chart.lnpl,
        "predictable": chart.predictable,
        "signals": chart.signals,
        "points": len(chart.points),  # below SOFT_LIMITS the limits are provisional
        "statement": statement,
    }


def _period(period: Period) -> dict[str, Any]:
    return {
        "start": iso_utc(period.start),
        "end": iso_utc(period.end),
        "basis": period.basis,
        "weeks_left_out": list(period.weeks_left_out),
        "cases": period.cases_in,
        # Only when the log knows its end activities and some case had not ended.
        **({"open_cases_left_out": period.open_cases} if period.open_cases else {}),
        "statement": period_text(period),
    }
