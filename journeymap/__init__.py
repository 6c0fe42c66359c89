"""journeymap: customer-journey process mining for service organisations.

>>> import journeymap as jm
>>> log = jm.read_log("sample_logs/service_desk.csv")
>>> top = jm.handoffs(log, level="team").iloc[0]
>>> f"{top['from']} -> {top['to']}: {top['count']} hand-offs"
'Contact Centre -> Back Office: 738 hand-offs'
>>> findings = jm.mine(log)  # then jm.write_outputs(findings, "out")
>>> findings.scope.caption()
'All 34 activities, 64 of 159 paths'

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
from journeymap.discovery import activity_stats, dfg, variants
from journeymap.errors import (
    ConfigError,
    ConnectorNotFoundError,
    EmptyLogError,
    JourneymapError,
    MappingError,
    MissingDependencyError,
    RejectedRowsError,
    RenderError,
    SourceError,
    SourceNotFoundError,
)
from journeymap.eventlog import EventLog, read_log
from journeymap.mapping import ROLES, Mapping, ReadOptions
from journeymap.mining import mine, write_outputs

__version__ = "0.1.0"

__all__ = [
    "ROLES",
    "ConfigError",
    "ConnectorNotFoundError",
    "EmptyLogError",
    "EventLog",
    "JourneymapError",
    "Mapping",
    "MappingError",
    "MissingDependencyError",
    "ReadOptions",
    "RejectedRowsError",
    "RenderError",
    "SourceError",
    "SourceNotFoundError",
    "__version__",
    "activity_stats",
    "dfg",
    "fragmentation",
    "handoff_summary",
    "handoffs",
    "mine",
    "pingpong",
    "read_log",
    "reintegration",
    "rework",
    "variants",
    "write_outputs",
]
