"""The main job: from an event log to a journey map, tables and a summary.

:func:`mine` computes the findings on the engine; :func:`write_outputs` writes them as
files. The CLI's ``journeymap mine`` is these two calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.analysis.cases import case_table_on_engine
from journeymap.analysis.demand_rules import DemandRules
from journeymap.analysis.handoffs import (
    LEVELS,
    default_level,
    handoff_summary,
    handoffs,
    pingpong,
)
from journeymap.analysis.reintegration import reintegration
from journeymap.analysis.rework import rework, rework_summary
from journeymap.analysis.time import case_times_expr, end_to_end_summary
from journeymap.check import CheckFindings, chart_path, check, write_check
from journeymap.config import Config
from journeymap.discovery.activities import LANE_ROLES, activity_stats
from journeymap.discovery.dfg import dfg
from journeymap.discovery.simplify import (
    DEFAULT_MAX_ACTIVITIES,
    MapScope,
    choose_activities,
    choose_paths,
)
from journeymap.discovery.variants import case_variant_ranks, variants, variants_covering
from journeymap.engine import EngineTable
from journeymap.errors import MappingError
from journeymap.eventlog import EventLog
from journeymap.jsonout import iso_day, iso_utc, write_json
from journeymap.safecsv import write_table

__all__ = ["MAP_FORMATS", "MODELS", "VIEWS", "Findings", "mine", "network_dot", "write_outputs"]

VIEWS = ("frequency", "performance", "handoffs")
MAP_FORMATS = ("svg", "png", "pdf")
MODELS = ("none", "inductive", "heuristics")

Progress = Callable[[str], None]


@dataclass
class Findings:
    """What :func:`mine` found. Tables are pandas DataFrames with documented columns:
    ``dfg`` (:func:`~journeymap.discovery.dfg.dfg`), ``activities``
    (:func:`~journeymap.discovery.activities.activity_stats`), ``variants``
    (:func:`~journeymap.discovery.variants.variants`); ``map_dfg`` and
    ``map_activities`` are what the journey map shows (see ``scope``). ``cases``
    (:func:`~journeymap.analysis.cases.case_table`) has a row per case and stays on the
    engine: ``findings.cases.to_pandas()`` brings it into pandas."""

    log: EventLog
    dfg: pd.DataFrame
    activities: pd.DataFrame
    variants: pd.DataFrame
    end_to_end: dict[str, float | None]
    map_dfg: pd.DataFrame
    map_activities: pd.DataFrame
    scope: MapScope
    lanes: str | None
    start: Any
    end: Any
    level: str | None = None
    handoffs: pd.DataFrame | None = None
    pingpong: pd.DataFrame | None = None
    reintegration: pd.DataFrame | None = None
    handoff_summary: dict[str, Any] | None = None
    rework: pd.DataFrame | None = None
    rework_summary: dict[str, Any] | None = None
    cases: EngineTable | None = None
    check: CheckFindings | None = None
    model: Any = None
    options: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The findings' key numbers, as written to ``summary.json``."""
        log = self.log
        return {
            "source": log.source,
            "mapping": log.mapping.columns(),
            "timezone": log.timezone,
            "events": log.events,
            "cases": int(self.variants["cases"].sum()),
            "rejected_rows": log.rejected_rows,
            "activities": len(self.activities),
            "variants": len(self.variants),
            "variants_for_80pct": variants_covering(self.variants, 80.0),
            "start": iso_utc(self.start),
            "end": iso_utc(self.end),
            "end_to_end": self.end_to_end,
            "handoffs": _handoff_block(self.handoff_summary),
            "rework": (
                {k: self.rework_summary[k] for k in ("events", "cases", "redo_events")}
                if self.rework_summary is not None
                else None
            ),
            **(self.check.summary() if self.check is not None else {}),
            "map": {
                "lanes": self.lanes,
                "activities_shown": self.scope.activities_shown,
                "paths_shown": self.scope.paths_shown,
                "paths": self.scope.paths_total,
                "events_shown_pct": self.scope.events_shown_pct,
                "caption": self.scope.caption(),
            },
            "options": self.options,
        }


def mine(
    log: EventLog,
    *,
    lanes: str | None = "auto",
    activities_pct: float | None = None,
    paths_pct: float | None = None,
    max_activities: int = DEFAULT_MAX_ACTIVITIES,
    model: str = "none",
    config: Config | None = None,
    demand_filter: str = "all",
    by: str | None = None,
    progress: Progress | None = None,
) -> Findings:
    """Discover how the work flows: the DFG, activities, variants, end-to-end times,
    the journey map's scope and, if asked, a formal model.

    Parameters
    ----------
    log : the event log.
    lanes : swimlanes of the map: "team", "resource", "channel", None, or "auto" (team
        when mapped, otherwise none).
    activities_pct, paths_pct : show the most frequent share of activities and paths
        (percent, 0 < pct <= 100); by default a map shows at most ``max_activities``
        activities and a readable number of paths.
    model : "none", "inductive" or "heuristics" (built by pm4py from the DFG).
    config : the TOML configuration; its ``[demand]`` and ``[flow]`` sections set the
        failure-demand rules and the dirty activities (MEASURES.md's defaults otherwise).
    demand_filter : "all", or "failure" / "value" to draw the journey map of the cases
        of that demand type only (tables and summary still cover every case).
    by : "demand_type" or "channel": also one end-to-end capability chart per group.
    progress : called with a short message before each step.

    Raises
    ------
    MappingError
        When the role asked for as lanes is not mapped.
    ValueError
        When ``lanes``, ``model`` or a percentage is out of range.
    """
    say = progress or (lambda message: None)
    lanes = _lanes(log, lanes)
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
    for name, pct in (("activities", activities_pct), ("paths", paths_pct)):
        if pct is not None and not 0 < pct <= 100:
            raise ValueError(f"--{name} must be a percentage above 0 and at most 100, not {pct}")

    say("directly-follows graph")
    full_dfg = dfg(log)
    say("activities")
    activities = activity_stats(log, lanes=lanes)
    say("variants")
    variant_table = variants(log)
    say("end-to-end times")
    e2e = end_to_end_summary(log)
    span = case_times_expr(log)
    bounds = log.engine.fetch(span.aggregate(start=span.start.min(), end=span.end.max())).iloc[0]

    # Per-case variant ranks are kept; the per-case activity sequences are not.
    case_variant_ranks(log)
    log.release("sequences")

    level = default_level(log)
    flows: dict[str, Any] = {}
    if level is not None:
        matrices, pairs = [], []
        for lv in (lv for lv in LEVELS if log.has(lv)):
            say(f"hand-offs and ping-pong ({lv} level)")
            matrices.append(handoffs(log, level=lv))
            pairs.append(pingpong(log, level=lv))
            if lv == level:
                flows["handoff_summary"] = handoff_summary(log, level=level)
                say("reintegration candidates")
                flows["reintegration"] = reintegration(log, level=level)
            # One level's known-handler sequence at a time on the engine.
            log.release(f"handlers_{lv}", f"pingpong_events_{lv}")
        flows["handoffs"] = pd.concat(matrices, ignore_index=True)
        flows["pingpong"] = pd.concat(pairs, ignore_index=True)
    say("rework")
    rework_table = rework(log)
    rework_totals = rework_summary(log)
    activities = _with_rework_share(activities, rework_table)
    say("cases")
    cases = case_table_on_engine(log, level=level)
    # What is left reads per-case tables: free the per-event ones.
    log.release("rework_flags", "ordered")
    say("demand, flow and capability")
    checked = check(log, config=config, by=by)

    rules = DemandRules.from_config(config) if config is not None else DemandRules()
    activities = _with_failure_flag(activities, rules)

    say("journey map")
    if demand_filter not in ("all", "failure", "value"):
        raise ValueError(f"demand_filter must be all, failure or value, not {demand_filter!r}")
    map_log, map_all_dfg, map_all_activities = log, full_dfg, activities
    if demand_filter != "all":
        wanted = checked.demand_cases(failure=demand_filter == "failure")
        map_log = log.only_cases(wanted, label=f"{demand_filter} demand")
        map_all_dfg = dfg(map_log)
        # Rework shares stay those of the whole log: rework is per activity, not per type.
        shares = activities.set_index("activity")[["rework_pct", "failure_activity"]]
        map_all_activities = activity_stats(map_log, lanes=lanes).join(shares, on="activity")
    shown = choose_activities(map_all_activities, pct=activities_pct, max_activities=max_activities)
    everything = len(shown) == len(map_all_activities)
    shown_dfg = map_all_dfg if everything else dfg(map_log, activities=shown)
    map_dfg = _with_pingpong(choose_paths(shown_dfg, pct=paths_pct), shown_dfg)
    map_activities = map_all_activities[map_all_activities["activity"].isin(shown)]
    map_activities = map_activities.reset_index(drop=True)
    scope = MapScope(
        activities_shown=len(shown),
        activities_total=len(map_all_activities),
        paths_shown=len(map_dfg),
        paths_total=len(map_all_dfg),
        events_shown=int(map_activities["events"].sum()),
        events_total=map_log.events,
        subset=None if demand_filter == "all" else f"{demand_filter} demand",
    )
    built = None
    if model != "none":
        say(f"{model} model (pm4py)")
        from journeymap.discovery.models import heuristics_model, inductive_model

        built = (inductive_model if model == "inductive" else heuristics_model)(full_dfg)
    options = {
        "lanes": lanes,
        "activities_pct": activities_pct,
        "paths_pct": paths_pct,
        "max_activities": max_activities,
        "model": model,
        "demand": demand_filter,
        "by": by,
    }
    return Findings(
        log=log,
        dfg=full_dfg,
        activities=activities,
        variants=variant_table,
        end_to_end=e2e,
        map_dfg=map_dfg,
        map_activities=map_activities,
        scope=scope,
        lanes=lanes,
        start=bounds["start"],
        end=bounds["end"],
        level=level,
        rework=rework_table,
        rework_summary=rework_totals,
        cases=cases,
        check=checked,
        model=built,
        options=options,
        **flows,
    )


def write_outputs(
    findings: Findings,
    outdir: str | Path,
    *,
    view: str = "frequency",
    measure: str = "cases",
    formats: Sequence[str] = ("svg",),
    report: bool = True,
    source_path: str | None = None,
    report_options: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the journey map, the tables, ``summary.json`` and ``report.html`` (unless
    ``report`` is False) into ``outdir``.

    Files: ``journey.dot`` and ``journey.<format>`` for each format; ``tables/dfg.csv``,
    ``tables/activities.csv``, ``tables/variants.csv``; ``summary.json``; and with a
    model, ``model.bpmn`` (inductive) and ``model.svg``. The same findings and options
    give byte-identical DOT, tables and JSON. Returns the paths written.
    """
    from journeymap.render.journey import draw, journey_dot

    say = progress or (lambda message: None)
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    unknown = sorted(set(formats) - set(MAP_FORMATS))
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r}; choose from {', '.join(MAP_FORMATS)}")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    say("tables")
    tables = out / "tables"
    written.append(write_table(findings.dfg, tables / "dfg.csv"))
    written.append(write_table(findings.activities, tables / "activities.csv"))
    written.append(write_table(findings.variants, tables / "variants.csv"))
    for name in ("handoffs", "pingpong", "reintegration", "rework"):
        table = getattr(findings, name)
        if table is not None:
            written.append(write_table(table, tables / f"{name}.csv"))
    if findings.cases is not None:
        written.append(findings.cases.write_csv(tables / "cases.csv"))

    say("drawing the journey map")
    log = findings.log
    title = (
        f"{log.source}: {int(findings.variants['cases'].sum()):,} cases, "
        f"{log.events:,} events, {iso_day(findings.start)} to {iso_day(findings.end)}"
    )
    if view == "handoffs":
        dot_source = network_dot(findings, title)
    else:
        dot_source = journey_dot(
            findings.map_dfg,
            findings.map_activities,
            view=view,
            measure=measure,
            lanes=findings.lanes,
            caption=findings.scope.caption(),
            title=title,
        )
    written += draw(dot_source, out / "journey", [f for f in MAP_FORMATS if f in formats])
    if findings.model is not None:
        say("drawing the model")
        if findings.model.kind == "inductive":
            written.append(findings.model.save_bpmn(out / "model.bpmn"))
        written.append(findings.model.draw(out / "model.svg", format="svg"))
    if findings.check is not None:
        say("capability charts")
        written += write_check(findings.check, out)
    summary = findings.summary()
    summary["options"] = {**summary["options"], "view": view, "measure": measure}
    written.append(write_json(summary, out / "summary.json"))
    if report:
        say("writing the report")
        from journeymap.reporting import write_report

        charts = findings.check.charts if findings.check is not None else {}
        files = {name: chart_path(out / "charts", name) for name in charts}
        written.append(
            write_report(
                findings,
                out,
                chart_files=files,
                source_path=source_path,
                options={**(report_options or {}), "view": view, "measure": measure},
            )
        )
    return written


def network_dot(findings: Findings, title: str = "") -> str:
    """The hand-off network of the findings' level as DOT (``--view handoffs``)."""
    from journeymap.render.handoffs import handoff_network_dot

    if findings.level is None or findings.handoffs is None:
        raise MappingError(
            "--view handoffs needs a team or resource column: map one with --team COLUMN "
            "or --resource COLUMN"
        )
    level = findings.level
    matrix = findings.handoffs[findings.handoffs["level"] == level]
    pairs = None
    if findings.pingpong is not None:
        pairs = findings.pingpong[findings.pingpong["level"] == level]
    return handoff_network_dot(matrix, pairs, level=level, title=title)


def _handoff_block(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    keys = ("level", "total", "cases_with_handoff", "pingpong_total", "pingpong_cases",
            "wait_share", "e2e_by_handoffs", "spearman")  # fmt: skip
    return None if summary is None else {k: summary.get(k) for k in keys}


def _with_rework_share(activities: pd.DataFrame, rework_table: pd.DataFrame) -> pd.DataFrame:
    """Activities with ``rework_pct``: the share of their events that are rework, %."""
    repeats = rework_table.set_index("activity")["repeat_events"]
    out = activities.copy()
    out["rework_pct"] = [
        100 * repeats.get(a, 0) / n if n else 0.0
        for a, n in zip(out["activity"], out["events"], strict=True)
    ]
    return out


def _with_failure_flag(activities: pd.DataFrame, rules: DemandRules) -> pd.DataFrame:
    """Activities with ``failure_activity``: the name matches a failure-demand pattern."""
    patterns = [re.compile(p, re.IGNORECASE) for p in rules.failure_activities]
    out = activities.copy()
    out["failure_activity"] = [any(p.search(a) for p in patterns) for a in out["activity"]]
    return out


def _with_pingpong(edges: pd.DataFrame, graph: pd.DataFrame) -> pd.DataFrame:
    """Mark map edges a -> b that carry hand-offs while b -> a does too in ``graph``:
    work bouncing between the two activities and their handlers."""
    out = edges.copy()
    if "handoffs" not in out.columns:
        return out
    carrying = {(a, b) for a, b, n in zip(graph["source"], graph["target"], graph["handoffs"],
                                          strict=True) if n > 0}  # fmt: skip
    out["pingpong"] = [(b, a) in carrying and (a, b) in carrying and a != b
                       for a, b in zip(out["source"], out["target"], strict=True)]  # fmt: skip
    return out


def _lanes(log: EventLog, lanes: str | None) -> str | None:
    if lanes == "auto":
        return "team" if log.has("team") else None
    if lanes in (None, "none"):
        return None
    if lanes not in LANE_ROLES:
        raise ValueError(f"lanes must be one of auto, {', '.join(LANE_ROLES)}, none")
    if not log.has(lanes):
        raise MappingError(
            f"--lanes {lanes}: the {lanes} role is not mapped; map it with "
            f"--{lanes} COLUMN or choose another lane"
        )
    return lanes
