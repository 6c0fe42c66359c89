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
2. Only the marked lines are tokenised, by the rules DuckDB's reader follows. A line
   that ends inside a quoted value either starts a legitimate multi-line record (the
   value closes on a later line, the record has the header's number of values, and no
   line it runs over is a complete record by itself) or is *broken*: rejected alone,
   and reading resumes on the next line. A line whose quotes close but with text after
   a closing quote (``"ab"c``) is rejected too.

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

from journeymap.connectors.csv_bytes import CR, NL, QUOTE, SPACE, Layout, layout, survey
from journeymap.errors import SourceError

__all__ = ["CsvRecords", "guess_sep", "scan_records"]

#: A quoted value that does not close within this many bytes is a broken line.
MAX_RECORD_BYTES = 2_000_000
_CHUNK = 1 << 22
_SEPARATORS = (",", ";", "\t", "|")
#: Why a line was taken out before reading, in the rejects file's words.
AFTER_QUOTE = "text after a closing quote (a quote inside a quoted value not doubled?)"

# The tokeniser's states, as far as quotes and line ends are concerned.
_START, _SPACE1, _UNQUOTED, _QUOTED, _QUOTE_END = range(5)


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
        return bool(excluded) or self.nul_bytes > 0

    def write_copy(self, target: Path, excluded: set[int]) -> Path:
        """Write the file without the ``excluded`` lines and without NUL bytes."""
        cuts = sorted((int(self._starts[i]), int(self._ends[i]) + 1) for i in excluded)
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
                    dst.write(chunk.replace(b"\x00", b"") if self.nul_bytes else chunk)
                if end is not None:
                    position = max(position, end)
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
        plan = _plan(found, max_record_bytes, label)
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
        _, seps, _ = _tokenize(header, ord(candidate), _START)
        if seps > most:
            best, most = candidate, seps
    return best


def _boundaries(sep: int) -> tuple[np.ndarray, np.ndarray]:
    """Bytes a quote may follow when it opens a value, and precede when it closes one."""
    opens_after = np.zeros(256, dtype=bool)
    opens_after[[sep, NL, QUOTE]] = True
    closes_before = np.zeros(256, dtype=bool)
    closes_before[[sep, NL, CR, QUOTE]] = True
    return opens_after, closes_before


def _suspect_lines(lay: Layout) -> np.ndarray:
    """Lines whose quotes are not in the plain RFC 4180 pattern (vectorised).

    Toggling at every quote from the line's start, each opening quote must stand at a
    value's start or right after another quote (a doubled ``""``), each closing quote
    before a delimiter, the line's end or another quote, and the count must be even.
    Lines that pass read the same under any quoting rule and end outside quotes.
    Between two lines with an odd number of quotes, the opening quotes are every other
    quote of the file, so no quote needs its line number.
    """
    q, odd, buf, n = lay.quotes, lay.odd, lay.buf, len(lay.buf)
    if len(q) == 0:
        return odd
    opens_after, closes_before = _boundaries(lay.sep)
    bad: list[np.ndarray] = []
    if len(odd) > 2000:  # many multi-line values: one vectorised pass over all quotes
        opening = ((np.arange(len(q)) + np.searchsorted(lay.ends[odd], q)) & 1) == 0
        ok = np.where(
            opening,
            opens_after[buf[np.maximum(q - 1, 0)]] | (q == 0) | (q == lay.bom),
            closes_before[buf[np.minimum(q + 1, n - 1)]] | (q + 1 >= n),
        )
        bad.append(q[~ok])
    else:
        cuts = [*np.searchsorted(q, lay.ends[odd]).tolist(), len(q)]
        low = 0
        for flips, high in enumerate(cuts):  # quotes low..high-1 follow `flips` odd lines
            first = (low + flips) % 2
            o, c = q[low + first : high : 2], q[low + 1 - first : high : 2]
            ok = opens_after[buf[np.maximum(o - 1, 0)]] | (o == 0) | (o == lay.bom)
            bad.append(o[~ok])
            ok = closes_before[buf[np.minimum(c + 1, n - 1)]] | (c + 1 >= n)
            bad.append(c[~ok])
            low = high
    lines = np.searchsorted(lay.starts, np.concatenate(bad), side="right") - 1
    return _union(lines, odd)


def _plain_pairs(lay: Layout, columns: int) -> dict[int, int]:
    """Two-line records that need no tokenising: {first line: second line}.

    Two successive lines with an odd number of quotes make a record when all their
    quotes are in the plain pattern and they hold the header's number of values.
    """
    odd, q, buf, n = lay.odd, lay.quotes, lay.buf, len(lay.buf)
    first, last = odd[:-1], odd[1:]
    keep = (last == first + 1) & (first > 0)
    first, last = first[keep], last[keep]
    if len(first) == 0 or columns < 1:
        return {}
    a, b = lay.starts[first], lay.ends[last]  # each pair's bytes: [a, b)
    low, high = np.searchsorted(q, a), np.searchsorted(q, b)
    pair = np.repeat(np.arange(len(first)), high - low)
    index = _spans(low, high)
    pos = q[index]
    opening = ((index - low[pair]) & 1) == 0
    opens_after, closes_before = _boundaries(lay.sep)
    bad = np.where(
        opening,
        ~(opens_after[buf[np.maximum(pos - 1, 0)]] | (pos == 0)),
        ~(closes_before[buf[np.minimum(pos + 1, n - 1)]] | (pos + 1 >= n)),
    )
    clean = np.bincount(pair, weights=bad, minlength=len(first)) == 0
    # values = delimiters in the pair, less those inside its quoted values, plus one
    offsets = np.concatenate(([0], np.cumsum(b - a)))
    is_sep = buf[_spans(a, b)] == lay.sep
    before = np.concatenate(([0], np.cumsum(is_sep)))
    at_quote = before[offsets[pair] + (pos - a[pair])]
    quoted = np.bincount(pair, weights=np.where(opening, -at_quote, at_quote), minlength=len(first))
    values = before[offsets[1:]] - before[offsets[:-1]] - quoted + 1
    ok = clean & (values == columns)
    return dict(zip(first[ok].tolist(), last[ok].tolist(), strict=True))


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted distinct values of ``a`` and ``b``."""
    both = np.sort(np.concatenate((a, b)))
    return both[np.concatenate(([True], both[1:] != both[:-1]))] if len(both) else both


def _spans(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The integers of the half-open ranges ``[low, high)``, concatenated."""
    size = high - low
    total = int(size.sum())
    if total == 0:
        return np.empty(0, np.int64)
    return np.arange(total) + np.repeat(low - np.concatenate(([0], np.cumsum(size)[:-1])), size)


def _tokenize(data: bytes, sep: int, state: int) -> tuple[int, int, bool]:
    """Follow the quoting rules over ``data`` from ``state``: (state, delimiters, error).

    The rules (DuckDB's, with ``"`` as quote and escape): a quote opens a value at its
    start, also after exactly one space; elsewhere in an unquoted value it is a plain
    character; inside a quoted value ``""`` is a quote and ``"`` closes; after the
    closing quote only spaces, the delimiter or the line's end may follow (anything
    else is an error, and the value goes on unquoted).
    """
    seps = 0
    error = False
    for c in data:
        if state == _QUOTED:
            if c == QUOTE:
                state = _QUOTE_END
        elif state == _QUOTE_END:
            if c == QUOTE:
                state = _QUOTED
            elif c == sep:
                state, seps = _START, seps + 1
            elif c not in (SPACE, CR, NL):
                state, error = _UNQUOTED, True
        elif c == sep:
            state, seps = _START, seps + 1
        elif state == _START:
            state = _QUOTED if c == QUOTE else _SPACE1 if c == SPACE else _UNQUOTED
        elif state == _SPACE1:
            state = _QUOTED if c == QUOTE else _UNQUOTED
        elif c == NL:  # within a multi-line record only: a record ends
            state = _START
    return state, seps, error


def _complete_line(lay: Layout, first: int, stop: int, columns: int) -> int:
    """The first of lines ``first..stop-1`` (which hold no quote) with the header's
    number of values, a record of its own, or -1: a quoted value that would run over
    such a line is taken for a stray quote, not a multi-line value."""
    for line in range(first, stop):
        chunk = lay.buf[int(lay.starts[line]) : int(lay.ends[line])]
        if len(chunk) and int(np.count_nonzero(chunk == lay.sep)) == columns - 1:
            return line
    return -1


@dataclass
class _Plan:
    broken: dict[int, str]
    continuation: list[tuple[int, int]]  # closed ranges of continuation lines
    header_lines: int


def _plan(lay: Layout, max_record_bytes: int, label: str) -> _Plan:
    """For the suspect lines only: which are broken, which start multi-line records."""
    starts, ends, quotes, buf, sep = lay.starts, lay.ends, lay.quotes, lay.buf, lay.sep

    def line_bytes(i: int, start: int | None = None) -> bytes:
        first = int(starts[i]) + (lay.bom if i == 0 else 0) if start is None else start
        return buf[first : int(ends[i])].tobytes()

    broken: dict[int, str] = {}
    continuation: list[tuple[int, int]] = []
    suspects = _suspect_lines(lay)
    columns = 0
    plain: dict[int, int] = {}
    if len(suspects) == 0 or suspects[0] != 0:
        _, seps, _ = _tokenize(line_bytes(0), sep, _START)
        columns = seps + 1
        plain = _plain_pairs(lay, columns)
    skip_to = -1
    for i in suspects.tolist():
        if i <= skip_to:
            continue
        if i in plain:
            skip_to = plain[i]
            continuation.append((i + 1, skip_to))
            continue
        state, seps, error = _tokenize(line_bytes(i), sep, _START)
        if state != _QUOTED:
            if i == 0:
                columns = seps + 1
            elif error:  # DuckDB may both reject such a line and return a row for it
                broken[i] = AFTER_QUOTE
            continue
        # A quoted value runs past the end of line i: follow it to where it closes.
        j, why = i, None
        while True:
            k = int(np.searchsorted(quotes, ends[j], side="right"))
            if k == len(quotes):
                why = "an unclosed quote: the quoted value never ends (runs to the end of the file)"
                break
            position = int(quotes[k])
            j2 = int(np.searchsorted(starts, position, side="right")) - 1
            if ends[j2] - starts[i] > max_record_bytes:
                why = (
                    "an unclosed quote: the quoted value does not end within "
                    f"{max_record_bytes:,} bytes"
                )
                break
            whole = _complete_line(lay, j + 1, j2, columns) if i else -1
            if whole >= 0:
                why = (
                    "an unclosed quote: the quoted value would run on over line "
                    f"{whole + 1}, a complete record"
                )
                break
            j = j2
            state, more, more_error = _tokenize(line_bytes(j, position), sep, _QUOTED)
            seps, error = seps + more, error or more_error
            if state != _QUOTED:
                break
        if why is None:
            if i == 0:
                columns = seps + 1
            elif error or seps + 1 != columns:
                why = (
                    f"an unclosed quote: the quoted value ends {j - i} line(s) later "
                    "without making a record of the header's values"
                )
        if why is None:
            continuation.append((i + 1, j))
            skip_to = j
        elif i == 0:
            raise SourceError(
                f"{label}: the header line has an unclosed quote; fix the header's "
                'quotes (every opening " needs a closing one) and read it again'
            )
        else:
            broken[i] = why
    header_lines = 1 + (continuation[0][1] if continuation and continuation[0][0] == 1 else 0)
    return _Plan(broken, continuation, header_lines)


def _records(lay: Layout, plan: _Plan, path: Path) -> CsvRecords:
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
    )
