"""journeymap: customer-journey process mining for service organisations.

>>> import journeymap as jm
>>> log = jm.read_log("sample_logs/service_desk.csv")
>>> top = jm.handoffs(log, level="team").iloc[0]
>>> f"{top['from']} -> {top['to']}: {top['count']} hand-offs"
'Contact Centre -> Back Office: 738 hand-offs'
>>> findings = jm.mine(log)  # then jm.write_outputs(findings, "out")
>>> findings.scope.activities_shown, findings.scope.paths_shown
(34, 64)
>>> log.close()

"""

# The flat facade (jm.read_log, jm.handoffs, jm.mine, ...): analyses and the main job.
from journeymap.analysis import (
    fragmentation,
    handoff_summary,
    handoffs,
    pingpong,
    reintegration,
    rework,
)
from journeymap.analysis.template_suggest import suggest_templates
from journeymap.analysis.templates import Templates, template_conformance
from journeymap.discovery import activity_stats, dfg, variants
from journeymap.errors import (
    ConfigError,
    ConnectorNotFoundError,
    EmptyLogError,
    JourneymapError,
    MappingError,
    MissingDependencyError,
    OutputError,
    RejectedRowsError,
    RenderError,
    SourceError,
    SourceNotFoundError,
)
from journeymap.eventlog import EventLog, read_log
from journeymap.findings import Findings
from journeymap.mapping import ROLES, Mapping, ReadOptions
from journeymap.options import Options, load_options, load_templates
from journeymap.pipeline import mine, write_outputs
from journeymap.version import __version__

__all__ = [
    "ROLES",
    "ConfigError",
    "ConnectorNotFoundError",
    "EmptyLogError",
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
    "dfg",
    "fragmentation",
    "handoff_summary",
    "handoffs",
    "load_options",
    "load_templates",
    "mine",
    "pingpong",
    "read_log",
    "reintegration",
    "rework",
    "suggest_templates",
    "template_conformance",
    "variants",
    "write_outputs",
]
