"""The connector contract shared by every source.

A connector knows a file format or a source system; it hands the engine the source's
rows and never analyses them. It returns a :class:`RawSource`, which is one of:

- Arrow record batches of text columns, in source order (XES, Excel, databases,
  presets), read by the connector itself and streamed, so memory stays one batch; or
- a :class:`FileScan`, a file the engine reads itself, fast and in parallel (CSV,
  Parquet), after the connector has checked, unpacked or re-encoded it.

The engine numbers the records from 1 in source order. Records the reader cannot split
into columns become rejects with their line number and reason, so that nothing is lost
before validation. Connectors import no engine: the same connector serves every engine.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from journeymap.connectors.characters import BLANKS, DIRECTION_CONTROLS
from journeymap.errors import MissingDependencyError
from journeymap.read_options import ReadOptions

if TYPE_CHECKING:
    from journeymap.connectors.csv_records import CsvRecords

__all__ = [
    "BLANKS",
    "DIRECTION_CONTROLS",
    "Connector",
    "FileScan",
    "RawSource",
    "ReaderReject",
    "first_line",
    "free_row_name",
    "row_column",
]

#: Name of the column that numbers source records (1 = first data record).
row_column = "__row"


def free_row_name(name: str, columns: list[str]) -> str:
    """A new name for a source column called like :data:`row_column` (any case):
    ``name_1``, or the first of ``name_2``, ... that no column has.

    Examples
    --------
    >>> free_row_name("__row", ["__row", "__ROW_1", "case"])
    '__row_2'
    """
    taken = {c.lower() for c in columns}
    n = 1
    while f"{name}_{n}".lower() in taken:
        n += 1
    return f"{name}_{n}"


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (drivers add pages of context).

    Examples
    --------
    >>> first_line(ValueError("bad value\\nmore detail"))
    'bad value'
    """
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass(frozen=True)
class FileScan:
    """A file for the engine to read itself.

    Attributes
    ----------
    kind : ``"csv"`` (delimited text, every column read as text) or ``"parquet"``.
    path : the file to read (perhaps a scratch copy: unzipped, decompressed or
        re-encoded).
    encoding : for CSV, ``"utf-8"`` or ``"latin-1"`` (others are re-encoded to UTF-8
        by the connector first).
    sep : for CSV, the delimiter.
    records : for CSV, where the file's records are and which lines are broken (see
        :mod:`~journeymap.connectors.csv_records`): the engine reads with quoting on,
        no sniffing, and maps the lines it cannot split to record numbers through it.
    """

    kind: Literal["csv", "parquet"]
    path: Path
    encoding: str = "utf-8"
    sep: str | None = None
    records: CsvRecords | None = None


@dataclass(frozen=True)
class ReaderReject:
    """A record the reader could not read: its number among the source's records
    (1 = first), its line in a text file (None otherwise) and the reason; and, when the
    reader has them, the record's values as read (column, value), which the rejects
    table shows in the columns of those names."""

    record: int
    line: int | None
    reason: str
    values: tuple[tuple[str, str | None], ...] = field(default=(), compare=False)


@dataclass
class RawSource:
    """What a connector hands to the engine.

    Attributes
    ----------
    source : how to name the source in messages (a file name, never a password).
    batches : pyarrow RecordBatches of text (string) columns, in source order; a later
        batch may bring new columns. Consumed once, by the engine.
    scan : a file for the engine to read itself (exactly one of ``batches`` and
        ``scan`` is given).
    columns : the source's column names in source order. For ``batches`` this list is
        complete once the batches are consumed (a streamed source learns its columns as
        it goes); columns a batch brought that are not in it at the end are dropped.
        For ``scan`` the engine fills it.
    rejects : records the connector could not read.
    notes : what the reader did that the user should know (renamed headers, ...),
        complete once the batches are consumed.
    mapping : roles the source implies (``{"case": "number", ...}``): a preset's
        mapping, used where the user names no column.
    options : read options the source implies, by :class:`ReadOptions` field name.
    scratch : temporary files or folders to remove once the engine has loaded the source.
    preset, preset_reason : the preset that read the source (``servicenow``, ``jira``,
        ...) and why it recognised it, for ``inspect``; None for plain formats.
    warnings : what the reader found wrong with the source that the user must know (a
        truncated history), repeated among the data-quality warnings.
    rows_are_records : whether each row of ``batches`` is one source record (then
        ``rejects`` are renumbered among them). A preset's rows are the events it made
        from the records (a field-change log gives one event per status change), so its
        rejects keep the record number and line they have in the source.
    records : with ``rows_are_records`` false, how many records the source had (every
        one turned into events, skipped with a counted reason, or in ``rejects``): the
        rows of the export, which the user counts reading by. None otherwise.
    part : what was read of the source, when it holds more than one log (a database's
        ``table events``, ``a query``): the log's name says it after ``source``.
    added_activities : activities the reader added just before another event and at its
        time (a reopening's ``Reopened``): their equal timestamps are the reader's doing,
        not the source's, and are not counted as such.
    row_noun : what one row of the source is, in its user's words: ``row`` (a table's),
        or ``event`` (an XES log's events, which no one counts as rows).
    """

    source: str
    batches: Iterable[Any] | None = None
    scan: FileScan | None = None
    columns: list[str] = field(default_factory=list)
    rejects: list[ReaderReject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    scratch: list[Path] = field(default_factory=list)
    preset: str | None = None
    preset_reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    rows_are_records: bool = True
    records: int | None = None
    part: str | None = None
    added_activities: tuple[str, ...] = ()
    row_noun: str = "row"

    @property
    def name(self) -> str:
        """The log's name: ``source``, and ``part`` after it when there is one
        (``cases.db (table events)``, ``book.xlsx (sheet 'Log')``)."""
        return self.source if self.part is None else f"{self.source} ({self.part})"


class Connector:
    """Base class of connectors.

    Subclasses set the class attributes and implement :meth:`read`. Heavy or optional
    dependencies are imported inside :meth:`read`, after :meth:`check_dependencies`, so
    that listing connectors stays cheap.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]] = ()
    schemes: ClassVar[tuple[str, ...]] = ()
    #: Python modules the connector needs beyond journeymap's core dependencies.
    requires: ClassVar[tuple[str, ...]] = ()
    #: The pip extra that installs ``requires``.
    extra: ClassVar[str | None] = None
    #: Files whose content the connector looks at to recognise its exports (a preset
    #: reads ``.csv`` or ``.json`` exports of one system): see :meth:`recognise`.
    looks_into: ClassVar[tuple[str, ...]] = ()
    #: Recognisers are asked in this order, then by name: specific systems (0) before
    #: generic shapes (1, the field-change log).
    recognise_order: ClassVar[int] = 0
    #: Other names ``connector=`` accepts (an old name).
    aliases: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def missing_dependencies(cls) -> list[str]:
        """The modules in ``requires`` that cannot be imported."""
        return [m for m in cls.requires if importlib.util.find_spec(m) is None]

    @classmethod
    def check_dependencies(cls) -> None:
        """Raise :class:`MissingDependencyError` naming the extra to install."""
        missing = cls.missing_dependencies()
        if missing:
            hint = f"pip install 'journeymap[{cls.extra}]'" if cls.extra else "pip install"
            raise MissingDependencyError(
                f"the {cls.name} connector needs {', '.join(missing)}; install it with: {hint}"
            )

    def recognise(self, path: Path, head: bytes) -> str | None:
        """Why the file ``path``, whose first bytes are ``head``, is this connector's to
        read (a system's export, known by its headers or JSON keys), or None. Only
        connectors with ``looks_into`` are asked, and only for those files; it must be
        cheap and never fail."""
        return None

    def companions(self, path: Path) -> list[Path]:
        """Files beside ``path`` that reading it reads too (a system's export of related
        records): they are part of this log, not logs of their own."""
        return []

    def read(self, source: str, *, options: ReadOptions) -> RawSource:
        """Open ``source`` and describe its rows for the engine."""
        raise NotImplementedError
