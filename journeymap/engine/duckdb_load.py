"""On DuckDB: a connector's source into one raw table with its records numbered.

Batches (Arrow, or pandas frames) are appended in order, adding columns as they appear.
Parquet files are scanned by DuckDB itself. Either way the raw table has ``__row`` (1 =
first record, in source order) and the source's columns, and nothing is lost before
validation.

A CSV file is not copied: typing reads it (:class:`CsvRead`), every column as text, in
the one pass that also types and validates it; lines DuckDB cannot split are kept as
reader rejects with their line number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from journeymap.connectors import csv as csv_connector
from journeymap.connectors.base import (
    FileScan,
    RawSource,
    ReaderReject,
    first_line,
    free_row_name,
    row_column,
)
from journeymap.connectors.csv_records import CsvRecords
from journeymap.connectors.parquet import unreadable
from journeymap.connectors.textfiles import remove_tree, scratch_dir
from journeymap.engine.duckdb_sql import copy_numbered, first_row, quote_identifier
from journeymap.errors import EmptyLogError, SourceError

__all__ = ["CsvRead", "Loaded", "load"]


#: Makes a table of a query's rows: ``create(query, params)`` runs the query (its rows
#: in the file's order) into a table and returns that table's name.
Create = Callable[[str, dict[str, object]], str]


@dataclass
class Loaded:
    """A source loaded into DuckDB.

    Attributes
    ----------
    table : the table or view with ``__row`` and the source columns; empty when
        ``csv`` is given.
    columns : the source column names in source order (without ``__row``).
    source : how to name the source in messages.
    rejects : a table of records the reader could not read (``__row``, ``line``,
        ``reason``), or None.
    notes : what the reader did that the user should know.
    backing : tables behind a ``table`` that is a view, dropped with it.
    renumber : whether the rows were numbered without the reader's rejects, which then
        take their record numbers among them (False for a preset's events).
    csv : a CSV file, read where its rows are typed (:meth:`CsvRead.read`), or None.
    scratch : files to remove once the source is read.
    """

    table: str
    columns: list[str]
    source: str
    rejects: str | None = None
    notes: list[str] = field(default_factory=list)
    backing: tuple[str, ...] = ()
    renumber: bool = True
    csv: CsvRead | None = None
    scratch: list[Path] = field(default_factory=list)

    def rows(self) -> tuple[str, dict[str, object]]:
        """SQL for the source's rows (a table, or a CSV file's scan that skips the lines
        it cannot split) in a FROM clause, and its parameters."""
        if self.csv is not None:
            return self.csv.scan()
        return self.table, {}

    def keep_rejects(
        self, con: duckdb.DuckDBPyConnection, name: str, rejects: list[ReaderReject]
    ) -> None:
        """Keep the records a reader could not read as the table ``name`` (``__row``,
        ``line``, ``reason``, and the values the reader gives of the source's columns):
        the connector's or the engine's, never both."""
        if self.rejects is not None:
            raise ValueError("a source has reader rejects from the connector and the engine")
        given = {c for r in rejects for c, _ in r.values}
        shown = [c for c in self.columns if c in given]
        columns = "".join(f", {quote_identifier(c)} VARCHAR" for c in shown)
        con.execute(
            f"CREATE TABLE {name} ({row_column} BIGINT, line BIGINT, reason VARCHAR{columns})"
        )
        marks = ", ".join(["?"] * (3 + len(shown)))
        rows = []
        for r in rejects:
            values = dict(r.values)
            rows.append((r.record, r.line, r.reason, *(values.get(c) for c in shown)))
        con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
        self.rejects = name

    def close(self) -> None:
        """Remove the scratch files (the connector's, and a CSV file's copy without its
        broken lines)."""
        if self.csv is not None:
            self.csv.close()
        for path in self.scratch:
            remove_tree(path)
        self.scratch = []


def load(con: duckdb.DuckDBPyConnection, raw: RawSource, table: str) -> Loaded:
    """Load ``raw`` into ``con`` as ``table`` (a table, or a view over a copy), or get a
    CSV file ready to be read (``Loaded.csv``); the caller closes what it returns, which
    removes the source's scratch files."""
    try:
        if raw.scan is not None:
            loaded = _scan(con, raw.scan, raw.source, table)
        elif raw.batches is not None:
            loaded = _append(con, raw, table)
        else:
            raise ValueError(f"{raw.source}: the connector gave neither batches nor a file")
        loaded.notes[:0] = raw.notes
        loaded.renumber = raw.rows_are_records
        if raw.rejects:
            loaded.keep_rejects(con, f"{table}_reader_rejects", raw.rejects)
    except BaseException:
        for path in raw.scratch:
            remove_tree(path)
        raise
    loaded.scratch = list(raw.scratch)
    return loaded


def _append(con: duckdb.DuckDBPyConnection, raw: RawSource, table: str) -> Loaded:
    """Append the batches in order, numbering records and adding columns as they come."""
    created: list[str] = []
    written = 0
    try:
        for batch in _non_empty(raw.batches or ()):
            view = f"{table}_batch"
            con.register(view, _numbered(batch, written + 1))
            try:
                kinds = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()[1:]
                numbered = f"SELECT {row_column}, * EXCLUDE ({row_column}) FROM {view}"
                if not created:
                    con.execute(f"CREATE TABLE {table} AS {numbered}")
                    created = [name for name, *_ in kinds]
                else:
                    for name, kind, *_ in kinds:
                        if name not in created:
                            con.execute(
                                f"ALTER TABLE {table} ADD COLUMN {quote_identifier(name)} {kind}"
                            )
                            created.append(name)
                    con.execute(f"INSERT INTO {table} BY NAME {numbered}")
                written += len(batch)
            finally:
                con.unregister(view)
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        raise
    if not created:
        raise EmptyLogError(f"{raw.source}: holds no rows; export it again")
    columns = raw.columns or created
    return Loaded(table=table, columns=list(columns), source=raw.name)


def _numbered(batch: Any, start: int) -> Any:
    """The batch (pyarrow, or a pandas frame) with ``__row`` first, from ``start``."""
    import pyarrow as pa

    numbers = range(start, start + len(batch))
    if isinstance(batch, pd.DataFrame):
        frame = batch.copy(deep=False)
        frame.insert(0, row_column, pd.Series(numbers, index=frame.index, dtype="int64"))
        return frame
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    return table.add_column(0, row_column, pa.array(numbers, pa.int64()))


def _non_empty(batches: Iterable[Any]) -> Iterable[Any]:
    for batch in batches:
        if len(batch):
            yield batch


def _scan(con: duckdb.DuckDBPyConnection, scan: FileScan, label: str, table: str) -> Loaded:
    if scan.kind == "csv":
        return _scan_csv(con, scan, label, table)
    return _scan_parquet(con, scan, label, table)


#: Reads of a CSV file before giving up on accounting for every record (a second read
#: happens only when a stray quote slipped past the record scan; none is known to).
_MAX_READS = 3
_RAN_ON = "an unclosed quote: the quoted value ran on over the lines after it"
#: Longest raw text of a rejected record kept in its reason.
_REJECT_TEXT = 1000


def _scan_csv(con: duckdb.DuckDBPyConnection, scan: FileScan, label: str, table: str) -> Loaded:
    """A CSV file, its columns named and checked, ready to be read where it is typed."""
    records = scan.records
    if records is None:  # pragma: no cover - the CSV connector always scans
        raise ValueError(f"{label}: a CSV file reached the engine without its record scan")
    columns = _header_columns(con, records.header(), records.sep, scan.encoding, label)
    csv_connector.check_columns(columns, label, scan.sep)
    notes = csv_connector.duplicate_header_notes(scan.path, columns, scan.encoding, scan.sep)
    read = CsvRead(scan, records, columns, label, f"{table}_errors")
    return Loaded(table="", columns=columns, source=label, notes=notes, csv=read)


class CsvRead:
    """The read of a CSV file: quoting on, no sniffing, every column as text, the broken
    lines the record scan found left out, and every record accounted for (read, or
    rejected with its line and reason).

    The rows are read into whatever table :meth:`read` is asked to make of them (the
    typed events), so that the file is read and typed in one pass, not copied first.
    """

    def __init__(
        self, scan: FileScan, records: CsvRecords, columns: list[str], label: str, errors: str
    ) -> None:
        self._scan, self._records, self._columns = scan, records, columns
        self._label, self._errors = label, errors
        self._excluded = dict(records.broken)
        self._copy: tuple[frozenset[int], Path] | None = None  # a copy without lines

    @property
    def edge_blanks(self) -> bool:
        """Whether a value may start or end with a blank: False when the record scan
        ruled it out from the file's bytes, and the values need no trimming."""
        return self._records.edge_blanks

    @property
    def direction_controls(self) -> bool:
        """Whether a value may hold an invisible direction control (the record scan
        rules it out for most files)."""
        return self._records.direction_controls

    def scan(self) -> tuple[str, dict[str, object]]:
        """A ``read_csv`` call for the file's rows (in a FROM clause) that skips the
        lines it cannot split, and its parameters: for a look at the rows (a sample of
        values, distinct counts) without accounting for them."""
        return f"read_csv({_READ_OPTIONS}, ignore_errors=true)", self._options()

    def read(self, con: duckdb.DuckDBPyConnection, create: Create) -> list[ReaderReject]:
        """Read the file with ``create`` (given the query and its parameters) into a
        table, and return the records that were not read.

        Raises
        ------
        SourceError
            When the records cannot all be accounted for, or an encoding error.
        """
        scan, records, label, errors = self._scan, self._records, self._label, self._errors
        text_encoding = "latin-1" if scan.encoding == "latin-1" else "utf-8"
        excluded = self._excluded
        for _ in range(_MAX_READS):
            query = (
                f"SELECT * FROM read_csv({_READ_OPTIONS}, store_rejects=true, "
                "rejects_table=$rt, rejects_scan=$rs)"
            )
            try:
                table = create(query, {**self._options(), "rt": errors, "rs": f"{errors}_scans"})
            except duckdb.Error as exc:
                raise _damaged(exc, label) from exc
            counted = records.engine_lines(set(excluded))
            found = con.execute(
                "SELECT line, list(DISTINCT CAST(error_type AS VARCHAR) ORDER BY "
                "CAST(error_type AS VARCHAR)), any_value(csv_line) "
                f"FROM {quote_identifier(errors)} GROUP BY line ORDER BY line"
            ).fetchall()
            con.execute(f"DROP TABLE IF EXISTS {quote_identifier(errors)}")
            con.execute(f"DROP TABLE IF EXISTS {quote_identifier(errors + '_scans')}")
            rejected: dict[int, str] = {}
            ran_on: list[int] = []
            for line, kinds, csv_line in found:
                physical = int(counted[int(line) - 1])
                if "INVALID ENCODING" in kinds:
                    con.execute(f"DROP TABLE IF EXISTS {table}")
                    raise csv_connector.encoding_error(label, physical + 1, scan.encoding)
                own = records.text(physical, text_encoding)
                if csv_line and csv_line.lstrip("\r\n").count("\n") > own.count("\n"):
                    ran_on.append(physical)  # it swallowed the lines after it
                kind = next((k for k in csv_connector.READER_REASONS if k in kinds), None)
                rejected[physical] = (
                    csv_connector.READER_REASONS[kind] if kind else "the line cannot be read"
                )
            (accepted,) = first_row(con, f"SELECT count(*) FROM {table}") or (0,)
            if not ran_on and int(accepted) + len(rejected) + len(excluded) == records.records:
                break
            con.execute(f"DROP TABLE IF EXISTS {table}")
            if not ran_on:
                raise SourceError(
                    f"{label}: {records.records:,} records in the file, but "
                    f"{int(accepted) + len(rejected) + len(excluded):,} read or rejected; "
                    "check the file's quotes around the rejected lines and read it again"
                )
            for physical in ran_on:
                excluded[physical] = _RAN_ON
        else:
            raise SourceError(
                f"{label}: stray quotes make the records impossible to tell apart; fix the "
                "quotes the rejects file points at and read it again"
            )
        return [
            ReaderReject(
                record=records.record_number(physical),
                line=physical + 1,
                reason=f"{why}: {_shortened(records.text(physical, text_encoding))}",
            )
            for physical, why in sorted({**excluded, **rejected}.items())
        ]

    def close(self) -> None:
        """Remove the copy of the file without its broken lines, if one was made."""
        if self._copy is not None:
            remove_tree(self._copy[1].parent)
            self._copy = None

    def _path(self) -> Path:
        """The file, or a copy of it without the lines left out and NUL bytes."""
        excluded = frozenset(self._excluded)
        if not self._records.needs_copy(set(excluded)):
            return self._scan.path
        if self._copy is None or self._copy[0] != excluded:
            self.close()
            folder = scratch_dir()
            path = self._records.write_copy(folder / "records.csv", set(excluded))
            self._copy = (excluded, path)
        return self._copy[1]

    def _options(self) -> dict[str, object]:
        """The parameters of :data:`_READ_OPTIONS` for the file (or its copy)."""
        return {
            "path": str(self._path()), "columns": {c: "VARCHAR" for c in self._columns},
            "sep": self._records.sep, "enc": self._scan.encoding,
        }  # fmt: skip


#: Quoting on and no sniffing: a sniffer that meets a stray quote turns quoting off for
#: the whole file, or gives up on it. DuckDB binds the parameters as literals.
_READ_OPTIONS = (
    "$path, header=true, auto_detect=false, columns=$columns, delim=$sep, quote='\"', "
    "escape='\"', encoding=$enc"
)


def _header_columns(
    con: duckdb.DuckDBPyConnection, header: bytes, sep: str, encoding: str, label: str
) -> list[str]:
    """The engine's names for the header's columns (it renames repeats and blanks)."""
    folder = scratch_dir()
    try:
        path = folder / "header.csv"
        path.write_bytes(header.rstrip(b"\r") + b"\n")
        relation = con.sql(
            "SELECT * FROM read_csv($path, header=true, all_varchar=true, delim=$sep, "
            "quote='\"', escape='\"', encoding=$enc)",
            params={"path": str(path), "sep": sep, "enc": encoding},
        )
        return list(relation.columns)
    except duckdb.Error as exc:
        raise _damaged(exc, label) from exc
    finally:
        remove_tree(folder)


def _shortened(text: str) -> str:
    return text if len(text) <= _REJECT_TEXT else text[: _REJECT_TEXT - 1] + "…"


def _damaged(exc: Exception, label: str) -> SourceError:
    """The user's version of an error DuckDB met while reading a CSV file."""
    if isinstance(exc, duckdb.IOException):
        return SourceError(
            f"{label}: the file is damaged or truncated ({first_line(exc)}); "
            "export or download it again"
        )
    return SourceError(
        f"{label}: cannot be read as delimited text ({first_line(exc)}); check that it is "
        "a CSV export, and its delimiter and line ends"
    )


def _scan_parquet(con: duckdb.DuckDBPyConnection, scan: FileScan, label: str, table: str) -> Loaded:
    params: dict[str, object] = {"path": str(scan.path)}
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet($path)", params)
        columns = [row[0] for row in described.fetchall()]
    except duckdb.Error as exc:
        raise unreadable(label, first_line(exc)) from exc
    # A source column named like the row number column keeps its data under a new name.
    names = [free_row_name(c, columns) if c.lower() == row_column else c for c in columns]
    notes = [
        f"column {c!r} is read as {n!r} ({row_column} numbers the records)"
        for c, n in zip(columns, names, strict=True)
        if c != n
    ]
    select = ", ".join(
        f"{quote_identifier(c)} AS {quote_identifier(n)}"
        for c, n in zip(columns, names, strict=True)
    )
    try:
        backing = copy_numbered(con, table, f"SELECT {select} FROM read_parquet($path)", params)
    except duckdb.Error as exc:
        con.execute(f"DROP TABLE IF EXISTS {table}_data")
        raise SourceError(
            f"{label}: cannot be read as Parquet ({first_line(exc)}); the file is "
            "damaged or truncated: export it again"
        ) from exc
    (rows,) = first_row(con, f"SELECT count(*) FROM {table}") or (0,)
    if rows == 0:
        con.execute(f"DROP VIEW {table}")
        con.execute(f"DROP TABLE {backing[0]}")
        raise EmptyLogError(f"{label}: the Parquet file holds no rows")
    return Loaded(table=table, columns=names, source=label, notes=notes, backing=backing)
