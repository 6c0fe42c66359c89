"""The engine seam: where the events live and the per-event work runs.

An :class:`Engine` holds tables and runs Ibis expressions over them. Analyses and
discovery only ever see Ibis expressions (``engine.table(name)``) and hand results back
through :meth:`Engine.fetch`; everything that depends on the backend (reading files,
typing timestamps, writing CSV fast, its threads and memory) is the engine's. DuckDB,
embedded, is the first implementation (:mod:`journeymap.engine.duckdb_engine`).

Engines close what they open: use them (and the event logs that own them) as context
managers, or call :meth:`Engine.close`.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.connectors.base import RawSource
from journeymap.engine.timestamps import TimestampFormat
from journeymap.mapping import Mapping
from journeymap.read_options import ReadOptions

__all__ = ["CsvWrites", "Engine", "EngineSettings", "EngineTable", "Ingested"]

_names = itertools.count(1)


@dataclass(frozen=True)
class EngineSettings:
    """How much of the machine an engine may use.

    Attributes
    ----------
    threads : worker threads; None: every core.
    memory_limit : such as ``"2GB"``; None: the ``JOURNEYMAP_MEMORY_LIMIT`` environment
        variable, else the engine's default (DuckDB: 80% of RAM). Over it, work spills to
        disk.
    temp_directory : where work spills; None: the engine's own choice.
    """

    threads: int | None = None
    memory_limit: str | None = None
    temp_directory: str | None = None


@dataclass(frozen=True)
class Ingested:
    """What :meth:`Engine.ingest` made of a source.

    Attributes
    ----------
    events, rejects : names of the typed events table and the rejects table.
    mapping : the roles, as given and detected.
    attributes : events-table column -> source column, for the unmapped columns.
    formats : the timestamp format chosen per timestamp role.
    rows_read, rejected_rows : every record read, and those rejected (with a reason).
    notes : what the reader and the typing did that the user should know.
    placeholders : per optional role (resource, team, channel, customer), how many
        accepted events had a placeholder value ('?', 'n/a', ...), now missing.
    """

    events: str
    rejects: str
    mapping: Mapping
    attributes: dict[str, str]
    formats: dict[str, TimestampFormat]
    rows_read: int
    rejected_rows: int
    notes: list[str] = field(default_factory=list)
    placeholders: dict[str, int] = field(default_factory=dict)


class Engine(ABC):
    """Tables of events and what is derived from them, and the Ibis backend over them."""

    #: The engine's name, as ``--engine`` takes it.
    name: str = ""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self._tables: dict[str, Any] = {}
        self._closed = False

    # -- life cycle ----------------------------------------------------------------
    def close(self) -> None:
        """Release what the engine holds (memory, threads, temporary files). Calling it
        again does nothing."""
        if not self._closed:
            self._closed = True
            self._tables.clear()
            self._close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def _close(self) -> None: ...

    # -- tables and expressions ------------------------------------------------------
    @property
    @abstractmethod
    def ibis(self) -> Any:
        """The Ibis backend over the engine's tables."""

    def table(self, name: str) -> Any:
        """The Ibis table expression of the table ``name``. Its schema is looked up
        once (each lookup is a query, and analyses ask for the same tables often)."""
        found = self._tables.get(name)
        if found is None:
            found = self._tables[name] = self._lookup(name)
        return found

    def _lookup(self, name: str) -> Any:
        """The Ibis table expression of ``name``, its schema asked of the engine."""
        return self.ibis.table(name)

    def new_name(self, prefix: str) -> str:
        """A table name not used before in this process."""
        return f"{prefix}_{next(_names)}"

    def case_insensitive(self, pattern: str) -> str:
        """A regular expression that matches what ``pattern`` matches, ignoring the
        case of every letter (not only ASCII ones), in the engine's own syntax.

        Examples
        --------
        >>> from journeymap.engine import connect
        >>> with connect() as engine:
        ...     engine.case_insensitive("ärger")
        '(?i)ärger'
        """
        return f"(?i){pattern}"

    def collect_ordered(self, value: Any, order_by: Sequence[Any]) -> Any:
        """Ibis aggregate: the values of ``value`` in each group as an array, ordered by
        the ``order_by`` columns (which must not tie), in the form the engine runs.
        ``value`` must not be NULL in the rows collected (callers filter them out): the
        engine then need not (DuckDB's filter of NULLs took a third of the aggregate's
        time on the activity sequences).

        Examples
        --------
        >>> import ibis
        >>> from journeymap.engine import connect
        >>> t = ibis.memtable({"g": [1, 1, 1], "p": [3, 1, 2], "v": ["c", "a", "b"]})
        >>> with connect() as engine:
        ...     engine.ibis.execute(t.aggregate(s=engine.collect_ordered(t.v, [t.p])))["s"][0]
        ['a', 'b', 'c']
        """
        return value.collect(order_by=list(order_by), include_null=True)

    def previous_known(self, value: Any, *, group_by: Any, order_by: Sequence[Any]) -> Any:
        """Ibis expression: for each row, the last non-NULL ``value`` among the rows
        before it in its group (``group_by``) in ``order_by`` order, NULL when there is
        none; ``LAG(value IGNORE NULLS)``, in the same window as the other columns that
        follow that order. None on an engine that cannot skip NULLs in a window
        (PostgreSQL): the analyses then filter the rows with a value and look one row
        back in a window of their own.

        Examples
        --------
        >>> import ibis
        >>> from journeymap.engine import connect
        >>> t = ibis.memtable({"g": [1, 1, 1, 1], "p": [1, 2, 3, 4], "v": ["a", None, "b", None]})
        >>> with connect() as engine:
        ...     before = engine.previous_known(t.v, group_by=t.g, order_by=[t.p])
        ...     engine.ibis.execute(t.mutate(before=before).order_by("p"))["before"].tolist()
        [nan, 'a', 'a', 'b']
        """
        return None

    def compact(self) -> None:  # noqa: B027 - a step some engines take, others skip
        """Store the tables made so far in less memory, where the engine can: called
        once the events are read. Tables made later are stored as they are. Nothing on
        engines that keep their tables elsewhere (PostgreSQL, Spark)."""

    @abstractmethod
    def materialize(self, expr: Any, prefix: str = "derived", *, view: bool = False) -> str:
        """Compute an Ibis table expression once and keep its result as a table of this
        engine (or, with ``view``, keep the expression as a view, computed when read);
        return the table's name."""

    @abstractmethod
    def upload(self, frame: pd.DataFrame, prefix: str = "upload") -> str:
        """Copy a (small) pandas frame into the engine as a table; return its name."""

    def drop(self, name: str) -> None:
        """Drop the table ``name`` if it exists, and forget its expression."""
        self._tables.pop(name, None)
        self._drop(name)

    @abstractmethod
    def _drop(self, name: str) -> None: ...

    @abstractmethod
    def fetch(self, expr: Any) -> pd.DataFrame:
        """The result of an Ibis expression as pandas: the one way results leave the
        engine. A table gives its rows, a scalar a one-row frame with column ``value``."""

    def scalar(self, expr: Any) -> Any:
        """The value of an Ibis scalar expression (a count, a minimum)."""
        return self.fetch(expr.name("value").as_table())["value"].iloc[0]

    @abstractmethod
    def write_csv(
        self,
        data: Any,
        path: str | Path,
        *,
        order_by: Sequence[str] = (),
        decimals: int = 3,
    ) -> Path:
        """Write an Ibis table expression's result, or a pandas DataFrame, as CSV.

        Every engine writes the same bytes: rows ordered by ``order_by`` (a frame keeps
        its own order), text that a spreadsheet would run as a formula prefixed with an
        apostrophe, floats with ``decimals`` places (NaN as an empty cell), instants as
        ISO 8601 in UTC with a ``Z``.
        """

    def csv_writes(self) -> CsvWrites:
        """Writes of engine tables to CSV files, as a context manager: a table given to
        its ``add`` is written by the time the ``with`` block ends (DuckDB writes them
        beside the caller's own work; the others write each at once)."""
        return CsvWrites()

    # -- reading -------------------------------------------------------------------------
    @abstractmethod
    def ingest(
        self, raw: RawSource, mapping: dict[str, str | None], options: ReadOptions
    ) -> Ingested:
        """Load a connector's source, detect the roles the user did not map, type and
        validate it into an events table and a rejects table.

        Every source record ends up in exactly one of them: ``accepted + rejected = rows
        read``.
        """


class CsvWrites:
    """Engine tables written to CSV files (see :meth:`Engine.csv_writes`): each at once,
    here; an engine may write them beside its caller's work, and then the ``with`` block's
    end waits for them and raises the first failure."""

    def add(self, table: EngineTable, path: str | Path) -> Path:
        """Write ``table`` to ``path`` (see :meth:`EngineTable.write_csv`); return the path,
        whose file is complete when the ``with`` block ends."""
        return table.write_csv(path)

    def __enter__(self) -> CsvWrites:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        return None


@dataclass(frozen=True)
class EngineTable:
    """A result with a row per case (or more), kept on the engine: written to CSV by the
    engine and brought into pandas only when asked for, so that a log of millions of
    cases never holds them in Python.

    Attributes
    ----------
    engine : the engine that holds it.
    expr : the Ibis table expression.
    order_by : the columns that order its rows (text by code point).
    """

    engine: Engine
    expr: Any
    order_by: tuple[str, ...]

    def to_pandas(self) -> pd.DataFrame:
        """The rows as pandas, in ``order_by`` order."""
        frame = self.engine.fetch(self.expr)
        # Python's sort: text by code point, the order used everywhere else.
        return frame.sort_values(list(self.order_by), kind="stable", ignore_index=True)

    def write_csv(self, path: str | Path) -> Path:
        """Write the rows to ``path`` (see :meth:`Engine.write_csv`)."""
        return self.engine.write_csv(self.expr, path, order_by=self.order_by)
