"""Analyses: functions of an EventLog that return small results, one measure family per
module, each implementing shared/MEASURES.md."""

from journeymap.analysis.handoffs import handoff_summary, handoffs, handoffs_per_case, pingpong
from journeymap.analysis.reintegration import fragmentation, reintegration
from journeymap.analysis.rework import rework, rework_per_case, rework_summary
from journeymap.analysis.time import case_times, end_to_end_summary

__all__ = [
    "case_times",
    "end_to_end_summary",
    "fragmentation",
    "handoff_summary",
    "handoffs",
    "handoffs_per_case",
    "pingpong",
    "reintegration",
    "rework",
    "rework_per_case",
    "rework_summary",
]
