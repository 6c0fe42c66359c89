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
from journeymap.connectors.csv_prescan import ScanKey, take_scan
from journeymap.connectors.csv_records import scan_records
from journeymap.connectors.textfiles import (
    cr_to_lf,
    existing_file,
    first_bytes,
    gunzip,
    remove_tree,
    scratch_dir,
    transcode_to_utf8,
    unzip_single,
)
from journeymap.errors import MappingError, SourceError, option
from journeymap.read_options import ReadOptions

__all__ = [
    "READER_REASONS",
    "CsvConnector",
    "check_columns",
    "check_encoding",
    "duplicate_header_notes",
    "encoding_error",
]

# Encodings the engine decodes itself and in which ASCII bytes are ASCII characters
# (what the record scan needs); any other is transcoded to UTF-8 first.
_NATIVE_ENCODINGS = {
    "utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8",
    "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1",
}  # fmt: skip
#: Why the engine could not split a line, by DuckDB's error type, in the user's words;
#: when a line has several errors the first listed here is given.
READER_REASONS = {
    "UNQUOTED VALUE": "text after a closing quote (or a quote that does not close)",
    "INVALID STATE": "the line cannot be split into values",
    "TOO MANY COLUMNS": "too many values for the header",
    "MISSING COLUMNS": "too few values for the header",
    "LINE SIZE OVER MAXIMUM": "the line is longer than the maximum line size (2 MB)",
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
        given = (options.encoding or "").lower() or None
        if given is not None:
            check_encoding(given)
        scratch: list[Path] = []
        notes: list[str] = []

        def folder() -> Path:
            if not scratch:
                scratch.append(scratch_dir())
            return scratch[0]

        try:
            if path.suffix.lower() == ".zip":
                path = unzip_single(path, folder())
            encoding, by_mark = _chosen_encoding(path, given)
            if by_mark:
                notes.append(
                    f"read as {encoding.upper()} (the file starts with its byte-order mark)"
                    if given is None
                    else f"read as {encoding.upper()}, not {given} as given: the file starts "
                    f"with {encoding.upper()}'s byte-order mark"
                )
            if encoding not in _NATIVE_ENCODINGS:
                path = transcode_to_utf8(path, encoding, folder())
                encoding = "utf-8"
            elif path.name.lower().endswith(".gz"):
                path = gunzip(path, folder())
            encoding = _NATIVE_ENCODINGS[encoding]
            head = _check_start_decodes(path, label, encoding)
            if _cr_only(head):  # an old Mac file: its lines end in CR alone
                path = cr_to_lf(path, folder())
                notes.append("lines end in CR alone (old Mac style); read as if they ended in LF")
            sep = _delimiter(options, label)
            # The scan a child process made while the command imported, if it made this one.
            records = take_scan((path, sep, encoding)) or scan_records(
                path, sep, label, encoding=encoding
            )
        except BaseException:
            for path_ in scratch:
                remove_tree(path_)
            raise
        if records.nul_bytes:
            first = records.nul_lines[0]
            notes.append(
                f"{records.nul_bytes:,} NUL byte(s) removed from {len(records.nul_lines):,} "
                f"line(s) (first: line {first:,})"
            )
        if records.mixed_line_ends:
            notes.append(
                f"line ends are mixed: {records.mixed_line_ends:,} line(s) end otherwise than "
                "the rest (CR LF and LF, as when two exports are joined); read as if all "
                "ended in LF"
            )
        if records.multiline_records:
            notes.append(
                f"{records.multiline_records:,} record(s) have quoted values that span lines"
            )
        scan = FileScan("csv", path, encoding=encoding, sep=records.sep, records=records)
        return RawSource(source=label, scan=scan, scratch=scratch, notes=notes)


def _delimiter(options: ReadOptions, label: str) -> str | None:
    """The delimiter given (``\\t`` and ``tab`` are a tab; a .tsv file's is a tab), or
    None to guess it from the header."""
    sep = options.sep
    if sep is None and label.lower().removesuffix(".gz").endswith(".tsv"):
        sep = "\t"
    if sep in ("\\t", "tab"):
        sep = "\t"
    if sep is not None and len(sep) != 1:
        raise MappingError(
            f"{option('sep', sep)}: the delimiter must be one character, "
            "such as ',', ';', '|' or tab"
        )
    return sep


def plain_scan(source: str, options: ReadOptions) -> ScanKey | None:
    """The file, delimiter and encoding :meth:`CsvConnector.read` scans ``source``
    with when it scans the file as it is (not unpacked or transcoded first); None
    otherwise, or when reading it would fail before the scan."""
    path = Path(source).expanduser()
    lowered = path.name.lower()
    if lowered.endswith((".gz", ".zip")) or not path.is_file():
        return None
    encoding, _ = _chosen_encoding(path, (options.encoding or "").lower() or None)
    if encoding not in _NATIVE_ENCODINGS:
        return None
    try:
        return path, _delimiter(options, path.name), _NATIVE_ENCODINGS[encoding]
    except MappingError:
        return None


def check_encoding(name: str) -> str:
    """Return ``name`` if Python knows the encoding, else raise :class:`MappingError`.

    Examples
    --------
    >>> check_encoding("cp1252")
    'cp1252'
    """
    try:
        info = codecs.lookup(name)
    except LookupError as exc:
        raise MappingError(
            f"unknown encoding {name!r}; give one such as utf-8, cp1252, latin-1 or utf-16 "
            f"with {option('encoding')}"
        ) from exc
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib
        raise MappingError(
            f"{name!r} is not a text encoding; give one such as utf-8, cp1252, latin-1 or "
            f"utf-16 with {option('encoding')}"
        )
    return name


def _chosen_encoding(path: Path, given: str | None) -> tuple[str, bool]:
    """The encoding the file is read in, and whether its byte-order mark chose it.

    The mark decides when there is one (UTF-8, UTF-16, UTF-32): a file that starts with
    UTF-8's mark and is read as cp1252 garbles its header and every accented name, and
    nothing else would say so. Otherwise the encoding given, else UTF-8.
    """
    marked = _encoding_from_bom(path)
    if marked is None:
        return given or "utf-8", False
    if given is not None and _codec_name(given).startswith(marked):
        return given, False  # the mark's encoding, named as the user named it
    return marked, marked != "utf-8" or given is not None


def _codec_name(encoding: str) -> str:
    """Python's name for ``encoding``; the name itself when Python does not know it
    (the read refuses it with its own message)."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def _encoding_from_bom(path: Path) -> str | None:
    """``"utf-8"``, ``"utf-16"`` or ``"utf-32"`` when the file starts with that
    byte-order mark."""
    head = first_bytes(path, 4)
    if head is None:
        return None
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    return None


def check_columns(columns: list[str], label: str, sep: str | None) -> None:
    """An event log needs three columns at least; fewer means a wrong delimiter (or an
    encoding the file is not in).

    Raises
    ------
    SourceError
        Saying which delimiter the header seems to use, or that its encoding is not the
        one read.
    """
    if len(columns) >= 3:
        return
    header = columns[0] if len(columns) == 1 else ", ".join(columns)
    # In the names read, not in ``header``, whose ", " is this message's own.
    seen = [d for d in (",", ";", "\t", "|") if d != sep and any(d in c for c in columns)]
    # A header of many characters, none a plain letter, digit or delimiter: bytes read in
    # an encoding they are not in (a UTF-8 file read as UTF-16 pairs its bytes up).
    garbled = len(header) >= 8 and not any(ch.isascii() and ch.isalnum() for ch in header)
    if seen:
        hint = f"the delimiter seems to be {seen[0]!r}; try {option('sep', seen[0])}"
    elif garbled:
        hint = (
            "its header has no plain letter, so the file is not in the encoding it was read "
            f"in; give the export's encoding with {option('encoding')}, or leave it out"
        )
    else:
        hint = "an event log needs at least case, activity and timestamp columns; check " + (
            option("sep")
        )
    shown = header if len(header) <= 80 else header[:79] + "…"
    raise SourceError(f"{label}: read as {len(columns)} column(s) ({shown!r}); {hint}")


def encoding_error(label: str, line: int, encoding: str) -> SourceError:
    """The error for a line that is not in the encoding the file was read in. Windows
    exports (cp1252) are the likeliest: latin-1 is cp1252 without its € and quotes."""
    suggestion, other = ("cp1252", "latin-1") if encoding == "utf-8" else ("utf-8", "cp1252")
    return SourceError(
        f"{label}: line {line} is not valid {encoding}; the file is in another "
        f"encoding: try {option('encoding', suggestion)} (or {other})"
    )


#: The first bytes of files that are often renamed .csv by mistake.
_BINARY_KINDS = {
    b"PK\x03\x04": "a zip archive (an Excel workbook saved as .xlsx?)",
    b"\xd0\xcf\x11\xe0": "an old Excel or Word file (.xls/.doc)",
    b"%PDF": "a PDF document",
    b"SQLite format 3\x00": "an SQLite database",
    b"PAR1": "a Parquet file",
    b"\x1f\x8b": "gzip-compressed data (name it .csv.gz)",
    b"\x7fELF": "a program (an ELF executable)",
    b"\x89PNG": "a PNG image",
}
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _check_text(head: bytes, label: str) -> None:
    """Refuse a file that is not text, saying what it seems to be."""
    for magic, kind in _BINARY_KINDS.items():
        if head.startswith(magic):
            raise SourceError(f"{label}: is {kind}, not delimited text; export the log as CSV")
    if _looks_like_utf16(head) or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    # NUL bytes are removed from the values and counted; other control bytes are rare
    # in text and common in binary data.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES[1:]))
    if controls >= 8 and controls * 100 > len(head):
        raise SourceError(
            f"{label}: is not a text file ({controls:,} control bytes in its first "
            f"{len(head):,}); export the log as CSV, or give a file journeymap reads"
        )


def _looks_like_utf16(head: bytes) -> bool:
    r"""Text in UTF-16 without a byte-order mark: every other byte of ASCII text is 0,
    on one side only (binary data, a program say, has zeros on both).

    Examples
    --------
    >>> _looks_like_utf16("case,activity\n".encode("utf-16-le"))
    True
    >>> _looks_like_utf16(b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x03\x00>\x00\x01\x00\x00\x00")
    False
    """
    if len(head) < 8:
        return False
    even, odd = head[0::2], head[1::2]
    zeros = (even.count(0) / len(even), odd.count(0) / len(odd))
    return max(zeros) >= 0.5 and min(zeros) <= 0.05


def _cr_only(head: bytes) -> bool:
    """Whether the file's lines end in CR alone: its first 64 KiB (``head``) hold a CR
    and no LF."""
    return b"\r" in head and b"\n" not in head


def _check_start_decodes(path: Path, label: str, encoding: str) -> bytes:
    """Fail early, before the headers are trusted, when the file's first 64 KiB are not
    in ``encoding`` (bad bytes further on are found by the full scan); return them."""
    head = first_bytes(path, 1 << 16)
    if head is None:
        return b""  # the scan reports a damaged file in its own words
    _check_text(head, label)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_like_utf16(head):
        marked = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        given = "utf-16" if marked else "utf-16-be" if head[:1] == b"\x00" else "utf-16-le"
        raise SourceError(
            f"{label}: the file is in UTF-16, not {encoding}; read it with "
            f"{option('encoding', given)}"
        )
    try:
        codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise encoding_error(label, head[: exc.start].count(b"\n") + 1, encoding) from exc
    return head


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
