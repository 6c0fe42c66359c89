"""Analyses: functions of an EventLog that return small results, one measure family per
module, each implementing shared/MEASURES.md."""

from journeymap.analysis.capability import capability_e2e, weekly_volume, xmr
from journeymap.analysis.demand import demand, demand_summary
from journeymap.analysis.demand_tables import failure_pareto
from journeymap.analysis.flow import flow, flow_summary
from journeymap.analysis.handoffs import handoff_summary, handoffs, handoffs_per_case, pingpong
from journeymap.analysis.network import handler_stats, handoff_network
from journeymap.analysis.profile import profile
from journeymap.analysis.reintegration import fragmentation, reintegration
from journeymap.analysis.reintegration_plan import reintegration_plan
from journeymap.analysis.rework import rework, rework_per_case, rework_summary
from journeymap.discovery.times import case_times, end_to_end_summary

__all__ = [
    "capability_e2e",
    "case_times",
    "demand",
    "demand_summary",
    "end_to_end_summary",
    "failure_pareto",
    "flow",
    "flow_summary",
    "fragmentation",
    "handler_stats",
    "handoff_network",
    "handoff_summary",
    "handoffs",
    "handoffs_per_case",
    "pingpong",
    "profile",
    "reintegration",
    "reintegration_plan",
    "rework",
    "rework_per_case",
    "rework_summary",
    "weekly_volume",
    "xmr",
]
