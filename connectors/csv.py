"""Delimited text exports: CSV, TSV and TXT, plain, gzipped or alone in a .zip.

DuckDB reads the file, every column as text (``all_varchar``), so that identifiers such
as ``T01`` and ``001`` keep their exact spelling; only mapped timestamp columns are
parsed later. Lines DuckDB cannot split into the header's columns are kept as rejects
with their line number.
"""

from __future__ import annotations

import codecs
import csv as stdcsv
import gzip
import itertools
from pathlib import Path

import duckdb

from journeymap.connectors.base import (
    Connector,
    RawTable,
    copy_numbered,
    first_line,
    first_row,
    quote_identifier,
)
from journeymap.connectors.textfiles import (
    existing_file,
    remove_tree,
    scratch_dir,
    transcode_to_utf8,
    unzip_single,
)
from journeymap.errors import SourceError
from journeymap.mapping import ReadOptions

__all__ = ["CsvConnector"]

# Encodings DuckDB decodes itself; any other is transcoded to UTF-8 first.
_NATIVE_ENCODINGS = {
    "utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "utf16": "utf-16",
    "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1",
}  # fmt: skip
_REASONS = {
    "MISSING COLUMNS": "too few values for the header",
    "TOO MANY COLUMNS": "too many values for the header",
    "UNQUOTED VALUE": "a quote character inside an unquoted value",
    "LINE SIZE OVER MAXIMUM": "the line is longer than the maximum line size",
    "INVALID STATE": "the line cannot be split (an unclosed quote?)",
    "CAST": "a value cannot be read",
}
_counter = itertools.count(1)


class CsvConnector(Connector):
    """Read CSV, TSV and TXT files (also .gz, and a .zip holding one file)."""

    name = "csv"
    description = "delimited text exports (CSV, TSV, TXT; .gz; a .zip holding one file)"
    suffixes = (
        ".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz", ".zip",
    )  # fmt: skip

    def read(
        self, source: str, *, con: duckdb.DuckDBPyConnection, options: ReadOptions
    ) -> RawTable:
        path = existing_file(source)
        label = path.name
        scratch = None
        try:
            if path.suffix.lower() == ".zip":
                scratch = scratch_dir()
                path = unzip_single(path, scratch)
            encoding = (options.encoding or "utf-8").lower()
            if encoding not in _NATIVE_ENCODINGS:
                scratch = scratch or scratch_dir()
                path = transcode_to_utf8(path, encoding, scratch)
                encoding = "utf-8"
            return self._load(path, label, con, options, _NATIVE_ENCODINGS[encoding])
        finally:
            if scratch is not None:
                remove_tree(scratch)

    def _load(
        self,
        path: Path,
        label: str,
        con: duckdb.DuckDBPyConnection,
        options: ReadOptions,
        encoding: str,
    ) -> RawTable:
        n = next(_counter)
        table, errors = f"raw_csv_{n}", f"raw_csv_{n}_errors"
        sep = options.sep
        if sep is None and path.name.lower().removesuffix(".gz").endswith(".tsv"):
            sep = "\t"
        params: dict[str, object] = {
            "path": str(path), "enc": encoding, "rt": errors, "rs": f"raw_csv_{n}_scans",
        }  # fmt: skip
        sep_option = ""
        if sep is not None:
            sep_option = ", delim=$sep"
            params["sep"] = "\t" if sep in ("\\t", "tab") else sep
        # DuckDB binds the parameters as properly quoted literals.
        scan = (
            "SELECT * FROM read_csv($path, header=true, all_varchar=true, encoding=$enc, "
            f"store_rejects=true, rejects_table=$rt, rejects_scan=$rs{sep_option})"
        )
        try:
            relation = con.sql(scan, params=params)  # reads the header, not the rows
            columns = list(relation.columns)
            # Cheap checks first: a wrong encoding or delimiter says so before the scan.
            _check_start_decodes(path, label, encoding)
            _check_columns(columns, label, params.get("sep"))
            backing = copy_numbered(con, table, scan, params)
        except duckdb.Error as exc:
            raise describe_error(exc, label) from exc
        notes = _duplicate_header_notes(path, columns, encoding, params.get("sep"))
        _check_encoding(con, errors, label, encoding)
        rejects = _reader_rejects(con, errors, f"raw_csv_{n}_reader_rejects")
        return RawTable(
            table=table,
            columns=columns,
            source=label,
            rejects=rejects,
            notes=notes,
            backing=backing,
        )


def describe_error(exc: Exception, label: str) -> SourceError:
    """The user's version of an error DuckDB met while reading the file."""
    if isinstance(exc, duckdb.IOException):
        return SourceError(
            f"{label}: the file is damaged or truncated ({first_line(exc)}); "
            "export or download it again"
        )
    return SourceError(f"{label}: cannot be read as CSV: {first_line(exc)}")


def _check_columns(columns: list[str], label: str, sep: object) -> None:
    """An event log needs three columns at least; fewer means a wrong delimiter."""
    if len(columns) >= 3:
        return
    header = columns[0] if len(columns) == 1 else ", ".join(columns)
    seen = [d for d in (",", ";", "\t", "|") if d in header and d != sep]
    hint = (
        f"the delimiter seems to be {seen[0]!r}; try --sep {_shell(seen[0])}"
        if seen
        else "an event log needs at least case, activity and timestamp columns; check --sep"
    )
    raise SourceError(f"{label}: read as {len(columns)} column(s) ({header!r}); {hint}")


def _check_start_decodes(path: Path, label: str, encoding: str) -> None:
    """Fail early, before the headers are trusted, when the file's first 64 KiB are not
    in ``encoding`` (bad bytes further on are found by the full scan)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(1 << 16)
    except (OSError, EOFError):
        return  # the scan reports a damaged file in its own words
    try:
        codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        suggestion = "latin-1" if encoding == "utf-8" else "utf-8"
        raise SourceError(
            f"{label}: line {line} is not valid {encoding}; the file is in another "
            f"encoding: try --encoding {suggestion} (or cp1252)"
        ) from exc


def _check_encoding(con: duckdb.DuckDBPyConnection, errors: str, label: str, encoding: str) -> None:
    (line,) = first_row(
        con,
        f"SELECT min(line) FROM {quote_identifier(errors)} WHERE error_type = 'INVALID ENCODING'",
    ) or (None,)
    if line is not None:
        suggestion = "latin-1" if encoding == "utf-8" else "utf-8"
        raise SourceError(
            f"{label}: line {line} is not valid {encoding}; the file is in another "
            f"encoding: try --encoding {suggestion} (or cp1252)"
        )


def _reader_rejects(con: duckdb.DuckDBPyConnection, errors: str, rejects: str) -> str:
    """DuckDB's reader errors as rejects: one row per unreadable line.

    A rejected line's record number is its line number less the header's. (In a file
    whose quoted values contain line breaks, numbers after such a value are estimates;
    the rejects also give the exact line.)
    """
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in _REASONS.items())
    con.execute(
        f"CREATE TABLE {rejects} AS SELECT DISTINCT ON (line) "
        f"CAST(line - 1 AS BIGINT) AS __row, CAST(line AS BIGINT) AS line, "
        f"(CASE CAST(error_type AS VARCHAR) {cases} ELSE 'unreadable line' END) "
        f"|| ': ' || coalesce(csv_line, '') AS reason "
        f"FROM {quote_identifier(errors)} ORDER BY line"
    )
    return rejects


def _duplicate_header_notes(
    path: Path, columns: list[str], encoding: str, sep: object
) -> list[str]:
    """Say which header names were repeated and what the reader renamed them to."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        with opener(path, "rt", encoding=python_encoding, newline="") as fh:
            first = fh.readline()
        delimiter = str(sep) if sep else stdcsv.Sniffer().sniff(first, ",;\t|").delimiter
        header = next(stdcsv.reader([first], delimiter=delimiter))
    except (OSError, EOFError, UnicodeDecodeError, stdcsv.Error, StopIteration):
        return []
    if len(header) != len(columns):
        return []
    return [
        f"column {name!r} appears more than once in the header; "
        f"column {i + 1} is read as {renamed!r}"
        for i, (name, renamed) in enumerate(zip(header, columns, strict=True))
        if name != renamed and name in header[:i]
    ]


def _shell(sep: str) -> str:
    return "'\\t'" if sep == "\t" else repr(sep)
