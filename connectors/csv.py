"""Delimited text exports: CSV, TSV and TXT, plain, gzipped or alone in a .zip.

The connector finds the file, unpacks a .zip, re-encodes encodings the engine does not
decode itself, checks that the start of the file is in the encoding given, and hands
the engine a :class:`~journeymap.connectors.base.FileScan`. The engine reads every
column as text, so that identifiers such as ``T01`` and ``001`` keep their exact
spelling (only mapped timestamp columns are parsed later); lines it cannot split into
the header's columns are kept as rejects with their line number. The checks the engine
runs on what it read (too few columns: a wrong delimiter; bytes not in the encoding;
repeated header names) are the functions of this module, so every engine says the same.
"""

from __future__ import annotations

import codecs
import csv as stdcsv
import gzip
from pathlib import Path

from journeymap.connectors.base import Connector, FileScan, RawSource
from journeymap.connectors.textfiles import (
    existing_file,
    remove_tree,
    scratch_dir,
    transcode_to_utf8,
    unzip_single,
)
from journeymap.errors import SourceError, option
from journeymap.mapping import ReadOptions

__all__ = [
    "READER_REASONS",
    "CsvConnector",
    "check_columns",
    "duplicate_header_notes",
    "encoding_error",
]

# Encodings the engine decodes itself; any other is transcoded to UTF-8 first.
_NATIVE_ENCODINGS = {
    "utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "utf16": "utf-16",
    "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1",
}  # fmt: skip
#: Why the engine could not split a line, by DuckDB's error type, in the user's words.
READER_REASONS = {
    "MISSING COLUMNS": "too few values for the header",
    "TOO MANY COLUMNS": "too many values for the header",
    "UNQUOTED VALUE": "a quote character inside an unquoted value",
    "LINE SIZE OVER MAXIMUM": "the line is longer than the maximum line size",
    "INVALID STATE": "the line cannot be split (an unclosed quote?)",
    "CAST": "a value cannot be read",
}


class CsvConnector(Connector):
    """Read CSV, TSV and TXT files (also .gz, and a .zip holding one file)."""

    name = "csv"
    description = "delimited text exports (CSV, TSV, TXT; .gz; a .zip holding one file)"
    suffixes = (
        ".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz", ".zip",
    )  # fmt: skip

    def read(self, source: str, *, options: ReadOptions) -> RawSource:
        path = existing_file(source)
        label = path.name
        scratch: list[Path] = []
        try:
            if path.suffix.lower() == ".zip":
                scratch.append(scratch_dir())
                path = unzip_single(path, scratch[0])
            encoding = (options.encoding or "utf-8").lower()
            if encoding not in _NATIVE_ENCODINGS:
                if not scratch:
                    scratch.append(scratch_dir())
                path = transcode_to_utf8(path, encoding, scratch[0])
                encoding = "utf-8"
            encoding = _NATIVE_ENCODINGS[encoding]
            _check_start_decodes(path, label, encoding)
        except BaseException:
            for folder in scratch:
                remove_tree(folder)
            raise
        sep = options.sep
        if sep is None and path.name.lower().removesuffix(".gz").endswith(".tsv"):
            sep = "\t"
        if sep in ("\\t", "tab"):
            sep = "\t"
        scan = FileScan("csv", path, encoding=encoding, sep=sep)
        return RawSource(source=label, scan=scan, scratch=scratch)


def check_columns(columns: list[str], label: str, sep: str | None) -> None:
    """An event log needs three columns at least; fewer means a wrong delimiter.

    Raises
    ------
    SourceError
        Saying which delimiter the header seems to use.
    """
    if len(columns) >= 3:
        return
    header = columns[0] if len(columns) == 1 else ", ".join(columns)
    seen = [d for d in (",", ";", "\t", "|") if d in header and d != sep]
    hint = (
        f"the delimiter seems to be {seen[0]!r}; try {option('sep', seen[0])}"
        if seen
        else "an event log needs at least case, activity and timestamp columns; check "
        + option("sep")
    )
    raise SourceError(f"{label}: read as {len(columns)} column(s) ({header!r}); {hint}")


def encoding_error(label: str, line: int, encoding: str) -> SourceError:
    """The error for a line that is not in the encoding the file was read in."""
    suggestion = "latin-1" if encoding == "utf-8" else "utf-8"
    return SourceError(
        f"{label}: line {line} is not valid {encoding}; the file is in another "
        f"encoding: try {option('encoding', suggestion)} (or cp1252)"
    )


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
        raise encoding_error(label, head[: exc.start].count(b"\n") + 1, encoding) from exc


def duplicate_header_notes(
    path: Path, columns: list[str], encoding: str, sep: str | None
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
