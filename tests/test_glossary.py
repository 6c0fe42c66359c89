"""docs/measures.md names one function per measure, and every measure function is there."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import journeymap.analysis
import journeymap.discovery

GLOSSARY = Path(__file__).resolve().parent.parent / "docs" / "measures.md"
#: Functions of the analysis and discovery packages that compute no measure of their own.
NOT_MEASURES = {
    "journeymap.analysis.handoffs.check_level",  # checks an argument
    "journeymap.demand_rules.check_pattern",
    "journeymap.demand_rules.rules_from_config",  # reads the config's [demand]
    "journeymap.analysis.demand.demand_notes",  # notes on rules that do not apply
    "journeymap.analysis.network.network_from_tables",  # the network from its tables
    "journeymap.analysis.network.network_parts",  # its nodes and edges, without networkx
    "journeymap.analysis.network.network_edges",  # a network's edges, graph or parts
    "journeymap.analysis.network.network_level",  # a network's level, graph or parts
    "journeymap.analysis.network.handoff_network_parts",
    "journeymap.discovery.model_graph.dfg_object",  # the DFG as pm4py's object
    "journeymap.discovery.model_graph.filter_noise",  # the DFG as pm4py takes it
    "journeymap.discovery.model_graph.pm4py_dfg",
    "journeymap.discovery.model_graph.read_dfg",
    "journeymap.discovery.simplify.choose_activities",  # what a map shows, not a measure
    "journeymap.discovery.simplify.choose_paths",
    "journeymap.discovery.simplify.default_max_activities",
    "journeymap.discovery.times.seconds_between",  # arithmetic on instants
    "journeymap.discovery.instants.seconds_between",
    # one group-by by case for two measures named apart: variants and case_times
    "journeymap.discovery.times.case_sequences_expr",
    # one group-by by case for a case's customer and its channel, named apart
    "journeymap.analysis.journeys.case_contacts_expr",
    "journeymap.discovery.activities.activity_names_expr",  # the distinct names, kept
    # the DFG's and the activity table's cases from the rework flags (their counts are
    # those measures' own)
    "journeymap.discovery.rework_events.repeated_transitions",
    "journeymap.discovery.rework_events.rework_events_per_activity",
    "journeymap.discovery.times.iso_week",
    "journeymap.discovery.portable.count_where",  # a count every engine gives alike
    "journeymap.discovery.portable.median_where",
    "journeymap.discovery.models.inductive_model",  # process models, built by pm4py
    "journeymap.discovery.models.heuristics_model",
    "journeymap.discovery.pm4py_log.to_pm4py",  # the events in pm4py's form
    # journey templates: reading them, and the forms the measures use
    "journeymap.analysis.templates.template_notes",
    "journeymap.analysis.templates.unknown_activities",
    "journeymap.analysis.templates.demand_column_of",
    "journeymap.template_model.parse_templates",
    "journeymap.discovery.template_language.activity_codes",
    "journeymap.discovery.template_language.template_regex",
    "journeymap.discovery.alignments.template_net",
    "journeymap.discovery.alignments.duplicate_labels",
}


def _named() -> list[str]:
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    table = "\n".join(line for line in lines if line.startswith("|"))
    return re.findall(r"\| `(journeymap(?:\.\w+)+)`", table)


def _measure_functions() -> set[str]:
    found = set()
    for package in (journeymap.analysis, journeymap.discovery):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for name in getattr(module, "__all__", []):
                thing = getattr(module, name)
                if inspect.isfunction(thing) and thing.__module__ == module.__name__:
                    found.add(f"{module.__name__}.{name}")
    return found


def test_every_named_function_exists():
    for path in _named():
        module, _, name = path.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), path


def test_each_measure_is_named_once():
    named = _named()
    assert len(named) == len(set(named)), [n for n in named if named.count(n) > 1]


def test_every_measure_function_is_in_the_glossary():
    # X_expr(log) is X(log) kept on the engine: the glossary names X (or X_expr when
    # there is no pandas form).
    named = set(_named())
    missing = sorted(
        f
        for f in _measure_functions() - NOT_MEASURES
        if f not in named and f.removesuffix("_expr") not in named
    )
    assert not missing, f"add these to docs/measures.md: {missing}"
