"""Find connectors by name, file suffix or URL scheme, through entry points."""

from __future__ import annotations

import functools
from importlib.metadata import entry_points
from pathlib import Path

from journeymap.connectors.base import Connector
from journeymap.errors import ConnectorNotFoundError, SourceError, option

__all__ = ["ENTRY_POINT_GROUP", "available", "broken", "connector_for", "get_connector"]

ENTRY_POINT_GROUP = "journeymap.connectors"


@functools.cache
def available() -> tuple[type[Connector], ...]:
    """Every registered connector class that loads, sorted by name.

    Loading a connector imports only its module; its optional dependencies are
    imported when it reads. Entry points that fail to load are listed by
    :func:`broken` instead of breaking every read.
    """
    classes = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            classes[ep.name] = ep.load()
        except Exception as exc:  # a broken plug-in must not stop the others
            _broken[ep.name] = f"{ep.value}: {type(exc).__name__}: {exc}"
    return tuple(classes[name] for name in sorted(classes))


_broken: dict[str, str] = {}


def broken() -> dict[str, str]:
    """Registered connectors that failed to load: ``{name: error}``."""
    available()
    return dict(sorted(_broken.items()))


def get_connector(name: str) -> Connector:
    """The connector registered under ``name``.

    Raises
    ------
    ConnectorNotFoundError
        When no connector has that name.
    """
    for cls in available():
        if cls.name == name:
            return cls()
    names = ", ".join(c.name for c in available())
    raise ConnectorNotFoundError(f"no connector named {name!r}; the connectors are: {names}")


def connector_for(source: str) -> Connector:
    """The connector for a path (by its suffix) or a URL (by its scheme).

    The longest matching suffix wins, so ``.xes.gz`` goes to XES and ``.csv.gz`` to CSV.
    A URL scheme such as ``postgresql+psycopg`` is matched by its part before ``+``.

    Raises
    ------
    ConnectorNotFoundError
        When nothing is registered for the suffix or scheme.

    Examples
    --------
    >>> connector_for("export.CSV.gz").name
    'csv'
    >>> connector_for("sqlite:///cases.db").name
    'sql'
    """
    if "://" in source:
        scheme = source.split("://", 1)[0].split("+", 1)[0].lower()
        for cls in available():
            if scheme in cls.schemes:
                return cls()
        schemes = ", ".join(sorted({s for c in available() for s in c.schemes}))
        raise ConnectorNotFoundError(
            f"no connector reads {scheme}:// URLs; the known schemes are: {schemes}"
        )
    if Path(source).is_dir():
        raise SourceError(f"{source}: is a folder; give the path of one export file")
    lowered = source.lower()
    matches = [(len(s), cls) for cls in available() for s in cls.suffixes if lowered.endswith(s)]
    if not matches:
        suffixes = " ".join(sorted({s for c in available() for s in c.suffixes}))
        raise ConnectorNotFoundError(
            f"{source}: journeymap does not know this kind of file; it reads {suffixes}. "
            f"Rename the file or choose a reader with {option('connector', 'NAME')}"
        )
    return max(matches, key=lambda m: m[0])[1]()
