"""The systems-thinking "check" measures of a log, for ``journeymap mine``.

Demand (value and failure), flow (single handler, one-stop, clean) and capability (XmR
charts of end-to-end time, weekly demand and weekly failure demand), computed with the
analyses of :mod:`journeymap.analysis` and written as tables, charts and a summary block.
Failure demand found in a log is a hypothesis to check by listening to real demand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.analysis.capability import (
    XmRChart,
    capability_e2e,
    capability_on_engine,
    capability_statement,
    weekly_share_of_counts,
    weekly_volume,
)
from journeymap.analysis.demand import (
    demand_by_week,
    demand_on_engine,
    demand_summary,
    failure_pareto,
)
from journeymap.analysis.demand_rules import DemandRules
from journeymap.analysis.flow import dirty_activities_from, flow_on_engine, flow_summary
from journeymap.analysis.time import case_times_expr
from journeymap.config import Config
from journeymap.engine import EngineTable
from journeymap.errors import MappingError
from journeymap.eventlog import EventLog
from journeymap.safecsv import write_table

__all__ = ["BY_GROUPS", "CheckFindings", "chart_path", "chart_title", "check", "write_check"]

#: What ``--by`` can split the end-to-end capability chart by.
BY_GROUPS = ("demand_type", "channel")

_POINT_COLUMNS = ["x", "mr", "centre", "unpl", "lnpl", "url", "rule1", "rule2", "rule3"]


@dataclass
class CheckFindings:
    """Demand and flow per case (kept on the engine: ``.demand.to_pandas()``), their
    summaries, and the capability charts."""

    demand: EngineTable
    demand_summary: dict[str, Any]
    demand_by_week: pd.DataFrame
    failure_pareto: pd.DataFrame
    flow: EngineTable
    flow_summary: dict[str, Any]
    charts: dict[str, XmRChart] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def demand_cases(self, *, failure: bool) -> Any:
        """The cases of failure (or value) demand: an Ibis table of their ``case`` ids,
        on the engine (for :meth:`~journeymap.eventlog.EventLog.only_cases`)."""
        d = self.demand.expr
        return d.filter(d.failure == failure).select("case")

    def summary(self) -> dict[str, Any]:
        """The keys ``summary.json`` gets: the three percentages and ``capability``."""
        e2e = self.charts.get("capability_e2e")
        return {
            "failure_demand_pct": self.demand_summary["failure_demand_pct"],
            "one_stop_pct": self.flow_summary["one_stop_pct"],
            "clean_pct": self.flow_summary["clean_pct"],
            "single_handler_pct": self.flow_summary["single_handler_pct"],
            "demand_by_type": self.demand_summary["by_type"],
            "flow_by_demand_type": self.flow_summary["by_demand_type"],
            "flow_by_channel": self.flow_summary["by_channel"],
            "capability": None if e2e is None else _capability_block(e2e),
            "capability_by": {
                name.partition(":")[2]: _capability_block(chart)
                for name, chart in self.charts.items()
                if name.startswith("capability_e2e:")
            },
            "check_notes": self.notes,
        }


def check(log: EventLog, *, config: Config | None = None, by: str | None = None) -> CheckFindings:
    """Demand, flow and capability of ``log``, with the rules of ``config``'s
    ``[demand]`` and ``[flow]`` sections (MEASURES.md's defaults otherwise).

    With ``by`` = "demand_type" or "channel", an end-to-end capability chart is also
    made for each group with at least two cases (``capability_e2e:<group>``).

    Raises
    ------
    ConfigError
        A rule in the configuration is invalid.
    MappingError
        The configuration asks for repeat contacts but no customer is mapped.
    """
    rules = DemandRules.from_config(config) if config is not None else DemandRules()
    dirty = dirty_activities_from(config) if config is not None else ()
    per_case_demand = demand_on_engine(log, rules)
    demand_totals = demand_summary(log, rules)
    weeks = demand_by_week(log, rules)
    charts: dict[str, XmRChart] = {}
    notes = list(demand_totals.get("notes", []))
    for name, build in (
        ("capability_e2e", lambda: capability_e2e(log)),
        ("weekly_volume", lambda: weekly_volume(log)),
        (
            "weekly_failure_demand",
            lambda: weekly_share_of_counts(
                weeks["week"],
                weeks["failure"].to_numpy(),
                (weeks["value"] + weeks["failure"]).to_numpy(),
                measure="failure demand",
            ),
        ),
    ):
        try:
            charts[name] = build()
        except ValueError as exc:  # fewer than two points: no chart to draw
            notes.append(f"no {name.replace('_', ' ')} chart: {exc}")
    per_case_flow = flow_on_engine(log, rules, dirty)
    if by is not None:
        charts.update(_charts_by(log, by, per_case_demand, per_case_flow, notes))
    return CheckFindings(
        demand=per_case_demand,
        demand_summary=demand_totals,
        demand_by_week=weeks,
        failure_pareto=failure_pareto(log, rules),
        flow=per_case_flow,
        flow_summary=flow_summary(log, rules, dirty),
        charts=charts,
        notes=notes,
    )


def _charts_by(
    log: EventLog, by: str, demand: EngineTable, flow: EngineTable, notes: list[str]
) -> dict[str, XmRChart]:
    """One end-to-end chart per group of cases (demand type or channel)."""
    if by not in BY_GROUPS:
        raise ValueError(f"by must be one of {', '.join(BY_GROUPS)}, not {by!r}")
    source = (demand if by == "demand_type" else flow).expr
    if by not in source.columns:
        raise MappingError("--by channel needs the channel role: map it with --channel COLUMN")
    times = case_times_expr(log)
    cases = times.join(source.select("case", group=source[by]), "case")
    charts: dict[str, XmRChart] = {}
    groups = log.engine.fetch(cases.select("group").distinct())["group"].dropna()
    for group in sorted(str(g) for g in groups):
        members = cases.filter(cases.group == group)
        try:
            charts[f"capability_e2e:{group}"] = capability_on_engine(log, members)
        except ValueError:
            notes.append(f"no end-to-end chart for {by} {group!r}: fewer than two cases")
    return charts


def write_check(findings: CheckFindings, outdir: str | Path) -> list[Path]:
    """Write ``tables/demand.csv``, ``tables/demand_by_week.csv`` (week, value, failure,
    failure_pct), ``tables/failure_pareto.csv`` (demand_type, cases, pct, cum_pct),
    ``tables/flow.csv``, ``tables/capability_e2e.csv``
    (one row per point: x, mr, centre, unpl, lnpl, url, rule1, rule2, rule3) and the
    charts as ``charts/<name>.svg``; return the paths."""
    from journeymap.render.charts import xmr_svg

    out = Path(outdir)
    written = [
        findings.demand.write_csv(out / "tables" / "demand.csv"),
        write_table(findings.demand_by_week, out / "tables" / "demand_by_week.csv"),
        write_table(findings.failure_pareto, out / "tables" / "failure_pareto.csv"),
        findings.flow.write_csv(out / "tables" / "flow.csv"),
    ]
    e2e = findings.charts.get("capability_e2e")
    if e2e is not None:
        points = e2e.points
        front = [c for c in ("label", "time") if c in points.columns]
        written.append(
            write_table(points[front + _POINT_COLUMNS], out / "tables" / "capability_e2e.csv")
        )
    charts_dir = out / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    for name, chart in findings.charts.items():
        written.append(xmr_svg(chart, title=chart_title(name), path=chart_path(charts_dir, name)))
    return written


_TITLES = {
    "capability_e2e": "End-to-end time",
    "weekly_volume": "Demand per week",
    "weekly_failure_demand": "Failure demand per week",
}


def chart_title(name: str) -> str:
    """The title of a chart of :attr:`CheckFindings.charts` by its name."""
    base, _, group = name.partition(":")
    return _TITLES[base] + (f": {group}" if group else "")


def chart_path(folder: Path, name: str) -> Path:
    """Where :func:`write_check` writes the chart called ``name``."""
    base, _, group = name.partition(":")
    return folder / (base + (f"_{_slug(group)}" if group else "") + ".svg")


def _slug(text: str) -> str:
    """A file-name-safe form of a group's name (letters, digits, dashes)."""
    slug = re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-").lower()
    return slug or "group"


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
