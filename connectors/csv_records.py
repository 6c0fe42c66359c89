"""Where the records of a delimited file are, and which lines are broken, before any
engine reads it.

An engine's CSV reader fails on a stray quote in one of two ways: with its sniffer in
charge, one unclosed quote makes it turn quoting off for the whole file (and every
properly quoted value holding a delimiter, "Council tax discount, single person",
becomes "too many values"); with quoting forced on, the unclosed quote opens a value
that runs on to the next quote character, lines later, and the well-formed records it
swallowed appear nowhere. So the file is looked at here first, once, byte by byte:

1. NumPy finds the newlines, quote characters and NUL bytes (:mod:`csv_bytes`: 1 MiB at
   a time over a memory map; no Python per line), and here the lines whose quotes are
   not in the plain RFC 4180 pattern are marked: an odd number of quotes, or a quote
   that neither opens a value at its start nor closes one before a delimiter or the
   line's end. Nearly all files have none and are done.
2. Only the marked lines are tokenised, by the rules DuckDB's reader follows
   (:mod:`csv_quotes`). A line that ends inside a quoted value either starts a
   legitimate multi-line record or is *broken*: rejected alone, and reading resumes on
   the next line.

The same pass also surveys the bytes for blanks beside values' edges and for invisible
direction controls (:func:`csv_bytes.survey`): most files hold neither, and an engine
then reads their values as they are.

The engine then reads the file (a copy without the broken lines and the NUL bytes, when
there are any) with quoting on and no sniffing, and maps the lines it still cannot
split back to record numbers through :class:`CsvRecords`. Record numbers count data
records: blank lines and the continuation lines of multi-line values are not records,
so a reject's number is the record's position in the file.
"""

from __future__ import annotations

import codecs
import contextlib
import mmap
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from journeymap.connectors.csv_bytes import CR, Layout, layout, survey
from journeymap.connectors.csv_quotes import START, RecordPlan, plan_records, tokenize
from journeymap.errors import SourceError

__all__ = ["CsvRecords", "guess_sep", "scan_records"]

#: A quoted value that does not close within this many bytes is a broken line.
MAX_RECORD_BYTES = 2_000_000
_CHUNK = 1 << 22
_SEPARATORS = (",", ";", "\t", "|")


@dataclass
class CsvRecords:
    """The record layout of one delimited file (lines are 0-based here; the numbers
    shown to users are 1-based).

    Attributes
    ----------
    path : the file.
    sep : its delimiter.
    records : how many data records it holds (accepted + rejected, in the end).
    broken : lines found broken before reading, with the reason.
    multiline_records : records whose quoted values span lines.
    nul_bytes : NUL bytes in the file (removed from the values).
    nul_lines : the 1-based lines that had them.
    edge_blanks : whether a value may start or end with a blank (a character
        ``str.strip()`` removes). False only when the bytes rule it out: an engine may
        then read the values as they are, without trimming them.
    direction_controls : whether a value may hold an invisible direction control
        (U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069). False only when the
        bytes rule it out.
    mixed_line_ends : lines that end in CR LF beside others that end in LF alone (two
        exports joined, a file edited on two systems), which an engine's reader cannot
        split: it reads a copy whose lines all end in LF. 0 when they agree.
    """

    path: Path
    sep: str
    records: int
    broken: dict[int, str]
    multiline_records: int
    nul_bytes: int
    nul_lines: list[int]
    header_lines: int
    _starts: np.ndarray
    _ends: np.ndarray
    _continues: np.ndarray  # bool per line: continues a multi-line record
    _is_record: np.ndarray  # bool per line: starts a data record
    edge_blanks: bool = True
    direction_controls: bool = True
    mixed_line_ends: int = 0

    @property
    def lines(self) -> int:
        """Physical lines in the file."""
        return len(self._starts)

    def header(self) -> bytes:
        """The header record's bytes (all its lines), without a byte-order mark."""
        data = self._read(0, self.header_lines - 1)
        return data.removeprefix(codecs.BOM_UTF8)

    def record_number(self, line: int) -> int:
        """The record number (1-based) of the record starting on ``line``."""
        return int(np.count_nonzero(self._is_record[: line + 1]))

    def text(self, line: int, encoding: str) -> str:
        """The record starting on ``line`` as written (its lines, no final newline)."""
        last = line
        while last + 1 < self.lines and self._continues[last + 1]:
            last += 1
        return self._read(line, last).rstrip(b"\r").decode(encoding, errors="replace")

    def engine_lines(self, excluded: set[int]) -> np.ndarray:
        """The physical line of each line number an engine reports (its line ``n`` is
        element ``n - 1``) when reading the file without ``excluded``: engines count
        the header, the records and blank lines, not continuation lines."""
        counted = ~self._continues
        if excluded:
            counted = counted.copy()
            counted[sorted(excluded)] = False
        return np.flatnonzero(counted)

    def needs_copy(self, excluded: set[int]) -> bool:
        """Whether the engine must read a cleaned copy rather than the file."""
        return bool(excluded) or self.nul_bytes > 0 or self.mixed_line_ends > 0

    def write_copy(self, target: Path, excluded: set[int]) -> Path:
        """Write the file without the ``excluded`` lines and without NUL bytes, its lines
        all ending in LF when their ends were mixed."""
        cuts = sorted((int(self._starts[i]), int(self._ends[i]) + 1) for i in excluded)
        held = b""  # a CR at a chunk's end, until the next chunk says whether LF follows
        with open(self.path, "rb") as src, open(target, "wb") as dst:
            position = 0
            for start, end in [*cuts, (None, None)]:
                stop = start if start is not None else os.fstat(src.fileno()).st_size
                src.seek(position)
                remaining = stop - position
                while remaining > 0:
                    chunk = src.read(min(_CHUNK, remaining))
                    if not chunk:
                        break
                    remaining -= len(chunk)
                    if self.nul_bytes:
                        chunk = chunk.replace(b"\x00", b"")
                    if self.mixed_line_ends:
                        chunk = (held + chunk).replace(b"\r\n", b"\n")
                        held = b"\r" if chunk.endswith(b"\r") else b""
                        chunk = chunk[: len(chunk) - len(held)]
                    dst.write(chunk)
                if end is not None:
                    position = max(position, end)
            dst.write(held)
        return target

    def _read(self, first: int, last: int) -> bytes:
        start, end = int(self._starts[first]), int(self._ends[last])
        with open(self.path, "rb") as fh:
            fh.seek(start)
            return fh.read(end - start).replace(b"\x00", b"")


def scan_records(
    path: Path,
    sep: str | None,
    label: str,
    *,
    encoding: str = "utf-8",
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> CsvRecords:
    """Find the records and the broken lines of ``path``, an uncompressed file in an
    encoding where ASCII bytes mean ASCII characters (UTF-8, Latin-1, cp1252), and
    whether its values may start or end with blanks or hold direction controls
    (``encoding``: ``"utf-8"`` or a single-byte encoding).

    Raises
    ------
    SourceError
        When the header line has an unclosed quote.
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else None
    if mapped is None:
        raise SourceError(f"{label}: the file is empty (0 bytes); export the log again")
    try:
        buf = np.frombuffer(mapped, dtype=np.uint8)
        bom = 3 if bytes(mapped[:3]) == codecs.BOM_UTF8 else 0
        first_newline = mapped.find(b"\n")
        header = bytes(mapped[bom : first_newline if first_newline >= 0 else len(mapped)])
        found = layout(buf, mapped, ord(sep or guess_sep(header)), bom, encoding)
        plan = plan_records(found, max_record_bytes, label)
        records = _records(found, plan, path)
        plain = not (records.broken or records.multiline_records or records.nul_bytes)
        records.edge_blanks, records.direction_controls = survey(found, plain=plain)
        del buf, found
        return records
    finally:
        with contextlib.suppress(BufferError):  # an array may still hold the map
            mapped.close()


def guess_sep(header: bytes) -> str:
    """The delimiter that splits a header line most often, outside quotes.

    Examples
    --------
    >>> guess_sep(b'case;activity;"time, local"')
    ';'
    >>> guess_sep(b"case\\tactivity\\ttime")
    '\\t'
    """
    best, most = ",", 0
    for candidate in _SEPARATORS:
        _, seps, _ = tokenize(header, ord(candidate), START)
        if seps > most:
            best, most = candidate, seps
    return best


def _records(lay: Layout, plan: RecordPlan, path: Path) -> CsvRecords:
    lines = len(lay.starts)
    continues = np.zeros(lines, dtype=bool)
    for first, last in plan.continuation:
        continues[first : last + 1] = True
    length = lay.ends - lay.starts
    ends_cr = lay.buf[np.maximum(lay.ends - 1, 0)] == CR
    blank = ((length == 0) | ((length == 1) & ends_cr)) & ~continues
    is_record = ~continues & ~blank
    is_record[: plan.header_lines] = False
    nul_lines = (
        np.unique(np.searchsorted(lay.starts, lay.nuls, side="right") - 1) + 1
        if len(lay.nuls)
        else np.empty(0, np.int64)
    )
    # The last line may end the file without a line end: it says nothing either way.
    ended = ends_cr[:-1] if lines > 1 and lay.ends[-1] >= len(lay.buf) else ends_cr
    crlf = int(np.count_nonzero(ended))
    mixed = min(crlf, len(ended) - crlf)
    return CsvRecords(
        path=path,
        sep=chr(lay.sep),
        records=int(np.count_nonzero(is_record)),
        broken=plan.broken,
        multiline_records=len(plan.continuation) - (plan.header_lines > 1),
        nul_bytes=len(lay.nuls),
        nul_lines=[int(x) for x in nul_lines],
        header_lines=plan.header_lines,
        _starts=lay.starts,
        _ends=lay.ends,
        _continues=continues,
        _is_record=is_record,
        mixed_line_ends=mixed,
    )
