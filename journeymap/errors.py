"""The journeymap exception hierarchy.

Every error the library raises on purpose is a :class:`JourneymapError`. Each class
also inherits the matching built-in exception, so callers that already catch
``ValueError`` or ``FileNotFoundError`` keep working. Messages say what is wrong,
what exists, and what to do.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConnectorNotFoundError",
    "EmptyLogError",
    "JourneymapError",
    "MappingError",
    "MissingDependencyError",
    "ModelError",
    "RejectedRowsError",
    "RenderError",
    "SourceError",
    "SourceNotFoundError",
]


class JourneymapError(Exception):
    """Base class of every error journeymap raises on purpose."""


class SourceNotFoundError(JourneymapError, FileNotFoundError):
    """The file or table to read does not exist."""


class SourceError(JourneymapError, ValueError):
    """The source exists but cannot be read as an event log (format, encoding, damage)."""


class EmptyLogError(SourceError):
    """The source holds no rows (an empty file, or a header with no data)."""


class MappingError(JourneymapError, ValueError):
    """A role is mapped to a column that does not exist, or cannot be detected."""


class ConfigError(JourneymapError, ValueError):
    """The TOML configuration file has an unknown key, a wrong type or a bad value."""


class ConnectorNotFoundError(JourneymapError, LookupError):
    """No connector is registered for the source's suffix, scheme or name."""


class MissingDependencyError(JourneymapError, ImportError):
    """An optional dependency of a connector is not installed."""


class RejectedRowsError(JourneymapError, ValueError):
    """Rows were rejected while ``strict=True`` was asked for."""


class RenderError(JourneymapError, RuntimeError):
    """Graphviz failed to draw a picture (an error from ``dot``, or a time-out)."""


class ModelError(JourneymapError, ValueError):
    """The graph given cannot be mined, or the model cannot be written as asked."""
