"""Connectors: one module per source format or system, and the registry.

Connectors are found through the ``journeymap.connectors`` entry-point group, by name,
file suffix or URL scheme. Built-in connectors register the same way as third-party
ones. A connector only reads: it returns a :class:`RawSource` (batches of text columns, or
a file for the engine to scan) and never analyses.
"""

from journeymap.connectors.base import Connector, FileScan, RawSource, row_column
from journeymap.connectors.registry import available, connector_for, get_connector

__all__ = [
    "Connector",
    "FileScan",
    "RawSource",
    "available",
    "connector_for",
    "get_connector",
    "row_column",
]
