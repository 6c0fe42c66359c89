"""journeymap: customer-journey process mining for service organisations.

>>> import journeymap as jm
>>> log = jm.read_log("sample_logs/service_desk.csv")
>>> top = jm.handoffs(log, level="team").iloc[0]
>>> f"{top['from']} -> {top['to']}: {top['count']} hand-offs"
'Contact Centre -> Back Office: 738 hand-offs'
>>> sorted(jm.handoff_network(log, level="team"))[:2]  # a networkx graph
['Back Office', 'Billing & Payments']
>>> findings = jm.mine(log)  # then jm.write_outputs(findings, "out")
>>> findings.scope.activities_shown, findings.scope.paths_shown
(34, 64)
>>> log.close()

"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.errors import (
    ConfigError,
    ConnectorNotFoundError,
    EmptyLogError,
    EngineError,
    JourneymapError,
    MappingError,
    MissingDependencyError,
    OutputError,
    RejectedRowsError,
    RenderError,
    SourceError,
    SourceNotFoundError,
)
from journeymap.facade import lazy_members
from journeymap.version import __version__

# The flat facade (jm.read_log, jm.handoffs, jm.mine, ...), imported when first used:
# the command line starts without loading the engine, pandas and the analyses.
_FACADE = {
    "fragmentation": "journeymap.analysis",
    "handoff_network": "journeymap.analysis",
    "reintegration_plan": "journeymap.analysis",
    "to_pm4py": "journeymap.discovery",
    "handoff_summary": "journeymap.analysis",
    "handoffs": "journeymap.analysis",
    "pingpong": "journeymap.analysis",
    "reintegration": "journeymap.analysis",
    "rework": "journeymap.analysis",
    "activity_stats": "journeymap.discovery",
    "dfg": "journeymap.discovery",
    "variants": "journeymap.discovery",
    "EventLog": "journeymap.eventlog",
    "read_log": "journeymap.reader",
    "Comparison": "journeymap.findings",
    "Findings": "journeymap.findings",
    "ROLES": "journeymap.mapping",
    "Mapping": "journeymap.mapping",
    "ReadOptions": "journeymap.read_options",
    "Options": "journeymap.options",
    "load_options": "journeymap.options_file",
    "load_templates": "journeymap.options",
    "Templates": "journeymap.template_model",
    "suggest_templates": "journeymap.analysis.template_suggest",
    "template_conformance": "journeymap.analysis.templates",
    "batch": "journeymap.pipeline",
    "compare": "journeymap.pipeline",
    "compare_split": "journeymap.pipeline",
    "mine": "journeymap.pipeline",
    "open_log": "journeymap.pipeline",
    "split_log": "journeymap.pipeline",
    "write_comparison": "journeymap.pipeline",
    "write_outputs": "journeymap.pipeline",
}

if TYPE_CHECKING:
    from journeymap.analysis import (
        fragmentation,
        handoff_network,
        handoff_summary,
        handoffs,
        pingpong,
        reintegration,
        reintegration_plan,
        rework,
    )
    from journeymap.analysis.template_suggest import suggest_templates
    from journeymap.analysis.templates import template_conformance
    from journeymap.discovery import activity_stats, dfg, to_pm4py, variants
    from journeymap.eventlog import EventLog
    from journeymap.findings import Comparison, Findings
    from journeymap.mapping import ROLES, Mapping
    from journeymap.options import Options, load_templates
    from journeymap.options_file import load_options
    from journeymap.pipeline import (
        batch,
        compare,
        compare_split,
        mine,
        open_log,
        split_log,
        write_comparison,
        write_outputs,
    )
    from journeymap.read_options import ReadOptions
    from journeymap.reader import read_log
    from journeymap.template_model import Templates


__getattr__, __dir__ = lazy_members(__name__, globals(), _FACADE)

__all__ = [
    "ROLES",
    "Comparison",
    "ConfigError",
    "ConnectorNotFoundError",
    "EmptyLogError",
    "EngineError",
    "EventLog",
    "Findings",
    "JourneymapError",
    "Mapping",
    "MappingError",
    "MissingDependencyError",
    "Options",
    "OutputError",
    "ReadOptions",
    "RejectedRowsError",
    "RenderError",
    "SourceError",
    "SourceNotFoundError",
    "Templates",
    "__version__",
    "activity_stats",
    "batch",
    "compare",
    "compare_split",
    "dfg",
    "fragmentation",
    "handoff_network",
    "handoff_summary",
    "handoffs",
    "load_options",
    "load_templates",
    "mine",
    "open_log",
    "pingpong",
    "read_log",
    "reintegration",
    "reintegration_plan",
    "rework",
    "split_log",
    "suggest_templates",
    "template_conformance",
    "to_pm4py",
    "variants",
    "write_comparison",
    "write_outputs",
]
