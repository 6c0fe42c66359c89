"""Analyses: functions of an EventLog that return small results, one measure family per
module, each implementing shared/MEASURES.md."""

from journeymap.analysis.time import case_times, end_to_end_summary

__all__ = ["case_times", "end_to_end_summary"]
