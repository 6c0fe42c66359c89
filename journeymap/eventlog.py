"""The canonical event log: events with the roles of shared/MEASURES.md, on an engine."""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd

from journeymap.connectors.base import RawSource
from journeymap.engine import Engine, connect
from journeymap.engine.timestamps import TimestampFormat
from journeymap.errors import EngineError
from journeymap.event_order import events_in_order
from journeymap.lifecycle import (
    lifecycle_column,
    merged_note,
    pairable,
    paired_starts,
    unpaired_stages,
)
from journeymap.mapping import ROLES, Mapping
from journeymap.read_counts import ReadCounts
from journeymap.read_options import ReadOptions, check_timezone
from journeymap.repeats import Repeats, collapsed, count_repeats

__all__ = ["EventLog"]

#: Derived tables (:meth:`EventLog.derived`) whose every column is computed within its
#: case: a subset of whole cases (:meth:`EventLog.only_cases`) filters them.
_WITHIN_CASE = ("ordered", "rework_flags")


@dataclass
class EventLog:
    """Events of a log, typed and validated, held as a table on an engine.

    The table has the column ``source_row`` (the record's number in the source, 1 =
    first data record), one column per mapped role (``case``, ``activity``,
    ``timestamp`` in UTC, and any of ``start_timestamp``, ``resource``, ``team``,
    ``channel``, ``customer``) and every other source column as a text attribute.
    Identifiers are text. Within a case, events are ordered by timestamp, ties by
    ``source_row``.

    Build one with :func:`read_log` or :meth:`EventLog.from_frame`. A log that opened
    its engine closes it when closed (``with read_log(...) as log:``).
    """

    engine: Engine
    table_name: str
    rejects_name: str
    mapping: Mapping
    source: str
    rows_read: int
    rejected_rows: int
    attributes: dict[str, str] = field(default_factory=dict)
    timestamp_formats: dict[str, TimestampFormat] = field(default_factory=dict)
    timezone: str = "UTC"
    notes: list[str] = field(default_factory=list)
    #: Per optional role, how many accepted events had a placeholder value (now missing).
    placeholders: dict[str, int] = field(default_factory=dict)
    #: Start events merged into the completion that follows each, as its start time
    #: (:mod:`journeymap.lifecycle`).
    merged_starts: int = 0
    #: Consecutive events of a case that repeat the state before them
    #: (:mod:`journeymap.repeats`), and whether they were collapsed into the first.
    repeats: Repeats | None = None
    #: The preset that read the source (``servicenow``, ``jira``...) and why it
    #: recognised the file; None for plain formats.
    preset: str | None = None
    preset_reason: str | None = None
    #: What the reader found wrong with the source (a truncated history): data-quality
    #: warnings.
    warnings: list[str] = field(default_factory=list)
    #: For a source whose rows are not its records (a system's export read by its preset:
    #: a field-change log gives one event per status change), how many records it had;
    #: None when each row read is one record. See :attr:`read_counts`.
    records_read: int | None = None
    #: Of the rows rejected, the records the preset's reader could not read (counted
    #: apart from the events the engine rejected when records gave several events).
    records_rejected: int = 0
    #: What one row read is, in the user's words: ``row``, or ``event`` for an XES log.
    row_noun: str = "row"
    #: The activities that finish a case (:attr:`ReadOptions.end_activities`): a case
    #: whose last event is none of them is still open. None: every case is finished.
    end_activities: tuple[str, ...] | None = None
    #: Activities the reader added just before another event, at its time (a
    #: reopening's ``Reopened``): their equal timestamps are not the source's.
    added_activities: tuple[str, ...] = ()
    #: Whether closing the log closes its engine (it opened the engine itself).
    owns_engine: bool = False
    #: The read options and the roles :func:`read_log` was given (before what the source
    #: implies), so that :func:`journeymap.mine` can tell settings the log was not read
    #: with; None for a log made another way.
    read_with: tuple[ReadOptions, dict[str, str]] | None = None
    #: Tables derived from the events once and reused by several analyses.
    _derived: dict[str, str] = field(default_factory=dict, repr=False)
    #: The number of cases, counted where the events were first ordered, and the events
    #: table it was counted on.
    _case_count: tuple[str, int] | None = field(default=None, repr=False)
    #: Views of a derived table (by key) made for subsets: each subset and its view.
    _borrowers: dict[str, list[tuple[weakref.ref[EventLog], str]]] = field(
        default_factory=dict, repr=False
    )

    # -- building ----------------------------------------------------------------
    @classmethod
    def from_source(
        cls,
        raw: RawSource,
        engine: Engine | None = None,
        *,
        mapping: dict[str, str | None] | None = None,
        options: ReadOptions | None = None,
    ) -> EventLog:
        """Detect the mapping, type and validate a connector's source on ``engine``
        (without one, on a new DuckDB engine that the log closes when it is closed).

        Read options the source implies (a preset's timestamp format, or collapsing the
        repeated states of a snapshot export) apply where ``options`` leaves the default.
        """
        options = _with_implied(options or ReadOptions(), raw.options)
        check_timezone(options.timezone)
        if engine is None:
            opened = connect()
            try:
                return cls.from_source(raw, opened, mapping=mapping, options=options)._owning()
            except BaseException:
                opened.close()
                raise
        done = engine.ingest(raw, dict(mapping or {}), options)
        return (
            cls(
                engine=engine,
                table_name=done.events,
                rejects_name=done.rejects,
                mapping=done.mapping,
                source=raw.name,
                rows_read=done.rows_read,
                rejected_rows=done.rejected_rows,
                attributes=done.attributes,
                timestamp_formats=done.formats,
                timezone=options.timezone,
                notes=done.notes,
                placeholders=done.placeholders,
                preset=raw.preset,
                preset_reason=raw.preset_reason,
                warnings=list(raw.warnings),
                records_read=raw.records,
                records_rejected=len(raw.rejects) if raw.records is not None else 0,
                row_noun=raw.row_noun,
                end_activities=options.end_activities,
                added_activities=raw.added_activities,
            )
            ._without_empty_team()
            ._with_paired_starts(given=mapping or {})
            ._settle_repeats(options.collapse_repeats)
        )

    def _owning(self) -> EventLog:
        self.owns_engine = True
        return self

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        timestamp_format: str | None = None,
        timezone: str = "UTC",
        strict: bool = False,
        source: str = "data frame",
        engine: Engine | None = None,
        end_activities: Iterable[str] | None = None,
        **mapping: str | None,
    ) -> EventLog:
        """Build an event log from a pandas DataFrame (which is not modified).

        Every column is read as text, exactly as :func:`read_log` reads a CSV file;
        datetime columns keep their instant (naive ones are read in ``timezone``).
        Role keyword arguments name the column of each role (``case="Ticket"``);
        roles not given are detected from the column names. ``end_activities`` are the
        activities that finish a case (:attr:`ReadOptions.end_activities`).

        Examples
        --------
        >>> df = pd.DataFrame({
        ...     "case": ["T1", "T01", "T1"],
        ...     "activity": ["Open", "Open", "Close"],
        ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00"],
        ... })
        >>> log = EventLog.from_frame(df)
        >>> log.events, log.cases
        (3, 2)
        """
        frame = df.copy(deep=False)
        frame.columns = pd.Index([str(c) for c in df.columns])
        raw = RawSource(source=source, batches=[frame], columns=list(frame.columns))
        options = ReadOptions(
            timestamp_format=timestamp_format,
            timezone=timezone,
            strict=strict,
            end_activities=None if end_activities is None else tuple(end_activities),
        )
        return cls.from_source(raw, engine, mapping=mapping, options=options)

    def _with_paired_starts(self, *, given: dict[str, str | None]) -> EventLog:
        """Pair each step's start with its completion when the activity is XES's
        classifier that the source implied (:func:`journeymap.lifecycle.pairable`)."""
        parts = pairable(self.engine, self.table, self.mapping, self.attributes, given=given)
        if parts is None:
            if given.get("activity"):  # the user's activity: it may leave the stages out
                said = unpaired_stages(self.engine, self.table, self.mapping, self.attributes)
                self.warnings += [said] if said else []
            return self
        paired = self.engine.materialize(paired_starts(self.table, *parts), "events")
        old, self.table_name = self.table_name, paired
        self.engine.drop(old)
        self.merged_starts = self.accepted - int(self.engine.scalar(self.table.count()))
        self.mapping = dataclasses.replace(self.mapping, start_timestamp=self.mapping.timestamp)
        self.notes.append(merged_note(self.merged_starts, *parts))
        return self

    def _without_empty_team(self) -> EventLog:
        """Leave the handler to the resource when the team column holds no value at all
        (an export whose team field is never filled, such as a Jira project without
        components): MEASURES.md takes the team when it is mapped, and a team that is
        never recorded would leave every event without a handler. Said in the notes."""
        team, resource = self.mapping.team, self.mapping.resource
        if team is None or resource is None:
            return self
        t = self.table
        if len(self.engine.fetch(t.filter(t.team.notnull()).select("team").limit(1))):
            return self  # one value is enough: the scan stops there
        self.mapping = dataclasses.replace(self.mapping, team=None)
        self.notes.append(
            f"the team column {team!r} holds no value (or only placeholders): hand-offs "
            f"are counted between resources ({resource!r})"
        )
        return self

    def _settle_repeats(self, mode: str | bool) -> EventLog:
        """Count repeated states (:mod:`journeymap.repeats`) and collapse them when
        ``mode`` says so ("yes", or "auto" and the log looks like a snapshot export).

        They are counted on the events in case order, which every analysis reads next:
        the log is ordered once. Collapsing them orders it again (snapshot exports only).
        """
        handler = self.mapping.handler_role
        found, cases = count_repeats(self.engine, self.ordered(), handler=handler, mode=str(mode))
        if mode == "auto" and found.looks_like_snapshot:
            lifecycle = lifecycle_column(self.engine, self.table, self.attributes)
            if lifecycle is not None:
                found = dataclasses.replace(found, lifecycle=lifecycle)
        # Collapsing repeated states leaves every case at least its first event.
        self._case_count = (self.table_name, cases)
        collapse = mode == "yes" or (mode == "auto" and found.looks_like_snapshot)
        if collapse and found.events:
            kept = collapsed(self.table, handler)
            old, self.table_name = self.table_name, self.engine.materialize(kept, "events")
            self._case_count = (self.table_name, cases)
            self.engine.drop(old)
            self.release("ordered")  # of the events before they were collapsed
            found = dataclasses.replace(found, collapsed=True)
        self.repeats = found
        return self

    def ordered(self) -> Any:
        """The ``"ordered"`` table: the events in case order (:meth:`in_order`),
        computed once and kept (as made: with the activities and handlers coded, it is
        scanned faster uncompressed than compressing it costs; docs/benchmarks.md,
        tenth round)."""
        return self.derived("ordered", self.in_order)

    def in_order(self) -> Any:
        """Ibis expression: the events in case order, as the ``"ordered"`` table holds
        them (:func:`journeymap.discovery.ordering.ordered_events` is the analyses' way
        in: computed once, kept)."""
        return events_in_order(
            self.table,
            handler=self.mapping.handler_role,
            has=self.has,
            previous_known=self.engine.previous_known,
        )

    # -- life cycle ------------------------------------------------------------------
    def close(self) -> None:
        """Close the engine if this log opened it (its tables go with it)."""
        if self.owns_engine:
            self.engine.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what it holds ----------------------------------------------------------
    @property
    def table(self) -> Any:
        """The events as an Ibis table expression."""
        self.check_open()
        return self.engine.table(self.table_name)

    def check_open(self) -> None:
        """Raise :class:`~journeymap.errors.EngineError` when the log's engine was
        closed (its ``with`` block ended, or :meth:`close` was called): its events, and
        the findings mined from it, are gone with it."""
        if self.engine.closed:
            raise EngineError(
                "the log was closed (its `with` block ended, or close() was called), and its "
                "events with it: mine it, and write and compare what it gives, before it is "
                "closed"
            )

    @property
    def roles(self) -> tuple[str, ...]:
        """The mapped roles, in the order of MEASURES.md."""
        return tuple(r for r in ROLES if getattr(self.mapping, r) is not None)

    def has(self, role: str) -> bool:
        """Whether ``role`` is mapped."""
        return role in self.roles

    @property
    def accepted(self) -> int:
        """Number of rows accepted (read and not rejected)."""
        return self.rows_read - self.rejected_rows

    @property
    def read_counts(self) -> ReadCounts:
        """What was read and rejected, counted as the user counts them: rows, or an
        export's records and the events made of them (:class:`ReadCounts`)."""
        return ReadCounts(
            self.rows_read,
            self.rejected_rows,
            self.records_read,
            self.records_rejected,
            row_noun=self.row_noun,
        )

    @property
    def events(self) -> int:
        """Number of events: the rows accepted, less the start events merged into their
        completions and the repeated states collapsed."""
        collapsed = self.repeats.events if self.repeats and self.repeats.collapsed else 0
        return self.accepted - self.merged_starts - collapsed

    @property
    def cases(self) -> int:
        """Number of distinct cases (counted once per events table)."""
        if self._case_count is None or self._case_count[0] != self.table_name:
            self._case_count = (self.table_name, int(self.engine.scalar(self.table.case.nunique())))
        return self._case_count[1]

    def to_pandas(self) -> pd.DataFrame:
        """All events in log order (case, timestamp, source row), as a new DataFrame."""
        t = self.table
        return self.engine.fetch(t.order_by([t.case, t.timestamp, t.source_row]))

    def rejects(self) -> pd.DataFrame:
        """Rejected rows: ``source_row``, ``line`` (for unreadable lines), ``reason`` and
        the row's values as read, ordered by source row."""
        self.check_open()
        r = self.engine.table(self.rejects_name)
        return self.engine.fetch(r.order_by([r.source_row, r.line]))

    def rejected_by_reason(self) -> dict[str, int]:
        """Rejected rows per reason (the reason's words before any ``:`` detail), most
        first, ties by reason."""
        if not self.rejected_rows:
            return {}
        self.check_open()
        r = self.engine.table(self.rejects_name)
        why = r.reason.split(":")[0]
        counts = self.engine.fetch(r.group_by(why=why).aggregate(n=r.count()))
        rows = sorted(zip(counts["why"], counts["n"], strict=True), key=lambda x: (-x[1], x[0]))
        return {str(w): int(n) for w, n in rows}

    def write_rejects(self, path: str) -> int:
        """Write the rejected rows to a CSV file; return how many were written.

        Text that a spreadsheet would run as a formula is prefixed with an apostrophe.
        """
        self.check_open()
        r = self.engine.table(self.rejects_name)
        self.engine.write_csv(r, path, order_by=("source_row", "line"))
        return self.rejected_rows

    def derived(self, key: str, build: Any) -> Any:
        """A table derived from the events, computed once and kept on the engine.

        ``build`` is called with no arguments the first time ``key`` is asked for and
        returns an Ibis expression; its result is stored as a table of the engine, which
        later calls return. Analyses use it for intermediate results that several of
        them read (events in case order, per-case times).
        """
        self.check_open()
        name = self._derived.get(key)
        if name is None:
            name = self._derived[key] = self.engine.materialize(build(), f"derived_{key}")
        return self.engine.table(name)

    def release(self, *keys: str) -> None:
        """Drop derived tables (see :meth:`derived`) that are no longer needed, to free
        the engine's memory. A table asked for again later is computed again.
        Unknown or never-built keys are ignored. A subset's table that is a view of
        this one (:meth:`only_cases`) is released with it."""
        for key in keys:
            for borrower, view in self._borrowers.pop(key, []):  # views of it go first
                subset = borrower()
                if subset is not None and subset._derived.get(key) == view:
                    del subset._derived[key]
                self.engine.drop(view)
            name = self._derived.pop(key, None)
            if name is not None:
                self.engine.drop(name)

    def only_cases(self, cases: Iterable[str] | Any, *, label: str) -> EventLog:
        """The events of some cases, as a log on the same engine (a view: no copy of the
        events). The result's source is
        this log's with ``label`` added; the tables it derives for analyses are its own.

        ``cases`` is case ids, or an Ibis table on this log's engine with a ``case``
        column (the ids then never leave the engine).

        Examples
        --------
        >>> log = EventLog.from_frame(pd.DataFrame({"case": ["1", "2", "2"],
        ...     "activity": ["a", "a", "b"], "timestamp": ["2024-01-01"] * 3}))
        >>> log.only_cases(["2"], label="case 2").events
        2
        """

        t = self.table
        if isinstance(cases, ibis.Table):
            keys = self.engine.materialize(cases.select("case").distinct(), "subset_cases")
        else:
            ids = pd.Series(list(cases), dtype=object).astype(str).drop_duplicates()
            keys = self.engine.upload(pd.DataFrame({"case": ids}), "subset_cases")
        # A view: the subset's events are not copied.
        name = self.engine.materialize(
            t.semi_join(self.engine.table(keys), "case"), "subset", view=True
        )
        subset = self.engine.table(name)
        events = int(self.engine.scalar(subset.count()))
        part = EventLog(
            engine=self.engine,
            table_name=name,
            rejects_name=self.rejects_name,
            mapping=self.mapping,
            source=f"{self.source} ({label})",
            rows_read=events,
            rejected_rows=0,
            attributes=self.attributes,
            timestamp_formats=self.timestamp_formats,
            timezone=self.timezone,
            notes=list(self.notes),
            preset=self.preset,
            preset_reason=self.preset_reason,
            warnings=list(self.warnings),
            end_activities=self.end_activities,
            added_activities=self.added_activities,
            row_noun=self.row_noun,
        )
        for key in _WITHIN_CASE:
            kept = self._derived.get(key)
            if kept is None:
                continue
            # Whole cases are kept, and every column of these tables is computed within
            # its case: the subset's are this log's, filtered (a view).
            view = part._derived[key] = self.engine.materialize(
                self.engine.table(kept).semi_join(self.engine.table(keys), "case"),
                f"subset_{key}",
                view=True,
            )
            self._borrowers.setdefault(key, []).append((weakref.ref(part), view))
        return part

    def __repr__(self) -> str:
        return (
            f"<EventLog {self.source!r}: {self.events:,} events, "
            f"{self.rejected_rows:,} rejected, roles {', '.join(self.roles)}>"
        )


def _with_implied(options: ReadOptions, implied: dict[str, Any]) -> ReadOptions:
    """``options`` with the values the source implies where they are the defaults.

    Examples
    --------
    >>> _with_implied(ReadOptions(), {"collapse_repeats": "yes"}).collapse_repeats
    'yes'
    >>> given = ReadOptions(collapse_repeats="no")
    >>> _with_implied(given, {"collapse_repeats": "yes"}).collapse_repeats
    'no'
    """
    defaults = ReadOptions()
    changes = {
        k: v
        for k, v in implied.items()
        if k in ReadOptions.names() and getattr(options, k) == getattr(defaults, k)
    }
    return dataclasses.replace(options, **changes) if changes else options
