"""journeymap: customer-journey process mining for service organisations.

>>> import journeymap as jm
>>> log = jm.read_log("sample_logs/service_desk.csv")  # doctest: +SKIP
"""

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
    "read_log",
]
