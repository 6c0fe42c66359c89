"""The systems-thinking "check" measures of a log, for ``journeymap mine``.

Demand (value and failure), flow (single handler, one-stop, clean) and capability (XmR
charts of end-to-end time, weekly demand and weekly failure demand), computed with the
analyses of :mod:`journeymap.analysis` and written as tables, charts and a summary block.
Failure demand found in a log is a hypothesis to check by listening to real demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.analysis.capability import (
    XmRChart,
    capability_e2e,
    capability_statement,
    weekly_share,
    weekly_volume,
)
from journeymap.analysis.demand import demand, demand_summary
from journeymap.analysis.demand_rules import DemandRules
from journeymap.analysis.flow import dirty_activities_from, flow, flow_summary
from journeymap.config import Config
from journeymap.eventlog import EventLog
from journeymap.safecsv import write_table

__all__ = ["CheckFindings", "check", "write_check"]

_POINT_COLUMNS = ["x", "mr", "centre", "unpl", "lnpl", "url", "rule1", "rule2", "rule3"]


@dataclass
class CheckFindings:
    """Demand and flow per case, their summaries, and the capability charts."""

    demand: pd.DataFrame
    demand_summary: dict[str, Any]
    flow: pd.DataFrame
    flow_summary: dict[str, Any]
    charts: dict[str, XmRChart] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def demand_cases(self, *, failure: bool) -> list[str]:
        """The ids of the cases of failure (or value) demand."""
        return self.demand.loc[self.demand["failure"] == failure, "case"].astype(str).tolist()

    def summary(self) -> dict[str, Any]:
        """The keys ``summary.json`` gets: the three percentages and ``capability``."""
        e2e = self.charts.get("capability_e2e")
        return {
            "failure_demand_pct": self.demand_summary["failure_demand_pct"],
            "one_stop_pct": self.flow_summary["one_stop_pct"],
            "clean_pct": self.flow_summary["clean_pct"],
            "single_handler_pct": self.flow_summary["single_handler_pct"],
            "demand_by_type": self.demand_summary["by_type"],
            "capability": None if e2e is None else _capability_block(e2e),
            "check_notes": self.notes,
        }


def check(log: EventLog, *, config: Config | None = None) -> CheckFindings:
    """Demand, flow and capability of ``log``, with the rules of ``config``'s
    ``[demand]`` and ``[flow]`` sections (MEASURES.md's defaults otherwise).

    Raises
    ------
    ConfigError
        A rule in the configuration is invalid.
    MappingError
        The configuration asks for repeat contacts but no customer is mapped.
    """
    rules = DemandRules.from_config(config) if config is not None else DemandRules()
    dirty = dirty_activities_from(config) if config is not None else ()
    per_case_demand = demand(log, rules)
    demand_totals = demand_summary(log, rules)
    charts: dict[str, XmRChart] = {}
    notes = list(demand_totals.get("notes", []))
    for name, build in (
        ("capability_e2e", lambda: capability_e2e(log)),
        ("weekly_volume", lambda: weekly_volume(log)),
        (
            "weekly_failure_demand",
            lambda: weekly_share(
                per_case_demand.rename(columns={"failure": "flag"})[["start", "flag"]],
                measure="failure demand",
            ),
        ),
    ):
        try:
            charts[name] = build()
        except ValueError as exc:  # fewer than two points: no chart to draw
            notes.append(f"no {name.replace('_', ' ')} chart: {exc}")
    return CheckFindings(
        demand=per_case_demand,
        demand_summary=demand_totals,
        flow=flow(log, rules, dirty),
        flow_summary=flow_summary(log, rules, dirty),
        charts=charts,
        notes=notes,
    )


def write_check(findings: CheckFindings, outdir: str | Path) -> list[Path]:
    """Write ``tables/demand.csv``, ``tables/flow.csv``, ``tables/capability_e2e.csv``
    (one row per point: x, mr, centre, unpl, lnpl, url, rule1, rule2, rule3) and the
    charts as ``charts/<name>.svg``; return the paths."""
    from journeymap.render.charts import xmr_svg

    out = Path(outdir)
    written = [
        write_table(findings.demand, out / "tables" / "demand.csv"),
        write_table(findings.flow, out / "tables" / "flow.csv"),
    ]
    e2e = findings.charts.get("capability_e2e")
    if e2e is not None:
        points = e2e.points
        front = [c for c in ("label", "time") if c in points.columns]
        written.append(
            write_table(points[front + _POINT_COLUMNS], out / "tables" / "capability_e2e.csv")
        )
    titles = {
        "capability_e2e": "End-to-end time",
        "weekly_volume": "Demand per week",
        "weekly_failure_demand": "Failure demand per week",
    }
    charts_dir = out / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    for name, chart in findings.charts.items():
        written.append(xmr_svg(chart, title=titles[name], path=charts_dir / f"{name}.svg"))
    return written


def _capability_block(chart: XmRChart) -> dict[str, Any]:
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
