"""Find connectors by name, file suffix or URL scheme, through entry points."""

from __future__ import annotations

import functools
from importlib.metadata import entry_points
from pathlib import Path

from journeymap.connectors.base import Connector
from journeymap.connectors.sniff import OCEL1_JSON, OCEL1_XML, describe_file
from journeymap.connectors.textfiles import existing_file
from journeymap.errors import (
    ConnectorNotFoundError,
    SourceError,
    SourceNotFoundError,
    ocel1_advice,
    option,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "HEAD_BYTES",
    "available",
    "broken",
    "companions",
    "connector_for",
    "get_connector",
    "recognise",
]

ENTRY_POINT_GROUP = "journeymap.connectors"
#: How much of a file recognisers see: its first 64 KiB.
HEAD_BYTES = 1 << 16


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
        if cls.name == name or name in cls.aliases:
            return cls()
    names = ", ".join(c.name for c in available())
    raise ConnectorNotFoundError(f"no connector named {name!r}; the connectors are: {names}")


def companions(path: Path) -> list[Path]:
    """The files beside ``path`` that its reader reads with it (Salesforce's Case.csv
    beside a CaseHistory export), when a system's reader recognises ``path``."""
    found = recognise(path)
    if found is None:
        return []
    try:
        return found[0].companions(path)
    except Exception:  # a broken plug-in must not stop the batch: no companions
        return []


def recognise(path: Path) -> tuple[Connector, str] | None:
    """The connector that recognises the file ``path`` by its content, and why.

    Connectors that look into files of ``path``'s suffix (``looks_into``) are asked in
    order (``recognise_order``, then name) with the file's first :data:`HEAD_BYTES`;
    the first that recognises it wins. A recogniser that fails counts as not
    recognising: a broken plug-in must not stop the file from being read.
    """
    lowered = path.name.lower()
    candidates = sorted(
        (c for c in available() if c.looks_into and lowered.endswith(c.looks_into)),
        key=lambda c: (c.recognise_order, c.name),
    )
    if not candidates:
        return None
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError:
        return None
    for cls in candidates:
        connector = cls()
        try:
            reason = connector.recognise(path, head)
        except Exception:
            continue
        if reason:
            return connector, reason
    return None


def connector_for(source: str) -> Connector:
    """The connector for a path (by its content, else its suffix) or a URL (by its
    scheme).

    A file that a system's connector recognises by its content (see :func:`recognise`)
    goes to it: a ServiceNow list export is a ``.csv`` file too. Otherwise the longest
    matching suffix wins, so ``.xes.gz`` goes to XES and ``.csv.gz`` to CSV. A URL
    scheme such as ``postgresql+psycopg`` is matched by its part before ``+``.

    Raises
    ------
    ConnectorNotFoundError
        When nothing is registered for the suffix or scheme; for a file, the message
        says what it looks like (a JSON object with keys ..., XML with root <...>).

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
    path = Path(source).expanduser()
    if path.is_file():
        found = recognise(path)
        if found is not None:
            return found[0]
    lowered = source.lower()
    matches = [(len(s), cls) for cls in available() for s in cls.suffixes if lowered.endswith(s)]
    if not matches and not path.exists():
        if any(c in path.name for c in "*?["):
            raise SourceNotFoundError(
                f"{source}: no such file; a pattern names many files, and this command "
                "reads one: give one file's path, or mine each with `journeymap batch`"
            )
        existing_file(source)  # no such file: says so, with the files that are there
    if not matches:
        looks = describe_file(path) if path.is_file() else None
        if looks in (OCEL1_JSON, OCEL1_XML):
            raise ConnectorNotFoundError(f"{source}: looks like {looks}; {ocel1_advice()}")
        if looks is not None:
            names = ", ".join(c.name for c in available())
            raise ConnectorNotFoundError(
                f"{source}: looks like {looks}, which no reader recognises; journeymap "
                f"reads: {names}. Export the events as CSV "
                f"and map its columns with {option('case', 'COLUMN')}, "
                f"{option('activity', 'COLUMN')} and {option('timestamp', 'COLUMN')}"
            )
        suffixes = " ".join(sorted({s for c in available() for s in c.suffixes}))
        raise ConnectorNotFoundError(
            f"{source}: journeymap does not know this kind of file; it reads {suffixes}. "
            f"Rename the file or choose a reader with {option('connector', 'NAME')}"
        )
    return max(matches, key=lambda m: m[0])[1]()
