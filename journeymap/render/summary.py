"""``summary.json``: the findings' key numbers, with their statements in words."""

from __future__ import annotations

from typing import Any

from journeymap.analysis.capability import XmRChart
from journeymap.discovery.variants import variants_covering
from journeymap.findings import CheckFindings, Findings
from journeymap.jsonout import iso_utc
from journeymap.render.words import capability_statement, map_caption

__all__ = ["summary"]

_HANDOFF_KEYS = (
    "level", "total", "cases_with_handoff", "pingpong_total", "pingpong_cases",
    "wait_share", "e2e_by_handoffs", "spearman",
)  # fmt: skip


def summary(findings: Findings) -> dict[str, Any]:
    """The key numbers of the findings, as ``summary.json`` holds them."""
    log = findings.log
    chosen = findings.options.map
    rework = findings.rework_summary
    scope = findings.scope
    return {
        "source": log.source,
        "mapping": log.mapping.columns(),
        "timezone": log.timezone,
        "events": log.events,
        "cases": findings.case_count,
        "rejected_rows": log.rejected_rows,
        "activities": len(findings.activities),
        "variants": len(findings.variants),
        "variants_for_80pct": variants_covering(findings.variants, 80.0),
        "start": iso_utc(findings.start),
        "end": iso_utc(findings.end),
        "end_to_end": findings.end_to_end,
        "handoffs": (
            None
            if findings.handoff_summary is None
            else {k: findings.handoff_summary.get(k) for k in _HANDOFF_KEYS}
        ),
        "rework": (
            {k: rework[k] for k in ("events", "cases", "redo_events")}
            if rework is not None
            else None
        ),
        **(_check_block(findings.check) if findings.check is not None else {}),
        "map": {
            "lanes": findings.lanes,
            "activities_shown": scope.activities_shown,
            "paths_shown": scope.paths_shown,
            "paths": scope.paths_total,
            "events_shown_pct": scope.events_shown_pct,
            "caption": map_caption(scope),
        },
        "options": {
            "lanes": findings.lanes,
            "activities_pct": chosen.activities_pct,
            "paths_pct": chosen.paths_pct,
            "max_activities": chosen.max_activities,
            "model": chosen.model,
            "demand": chosen.demand,
            "by": chosen.by,
            "view": chosen.view,
            "measure": chosen.measure,
        },
    }


def _check_block(check: CheckFindings) -> dict[str, Any]:
    """The keys the check phase adds: the three percentages and ``capability``."""
    e2e = check.charts.get("capability_e2e")
    return {
        "failure_demand_pct": check.demand_summary["failure_demand_pct"],
        "one_stop_pct": check.flow_summary["one_stop_pct"],
        "clean_pct": check.flow_summary["clean_pct"],
        "single_handler_pct": check.flow_summary["single_handler_pct"],
        "demand_by_type": check.demand_summary["by_type"],
        "flow_by_demand_type": check.flow_summary["by_demand_type"],
        "flow_by_channel": check.flow_summary["by_channel"],
        "capability": None if e2e is None else _capability(e2e),
        "capability_by": {
            name.partition(":")[2]: _capability(chart)
            for name, chart in check.charts.items()
            if name.startswith("capability_e2e:")
        },
        "check_notes": check.notes,
    }


def _capability(chart: XmRChart) -> dict[str, Any]:
    return {
        "unit": "seconds",
        "basis": chart.basis,
        "centre": chart.centre,
        "unpl": chart.unpl,
        "lnpl": chart.lnpl,
        "predictable": chart.predictable,
        "signals": chart.signals,
        "statement": capability_statement(chart),
    }
