"""Which lines of a delimited file a stray quote breaks, and which start records whose
quoted values span lines (step 2 of :mod:`csv_records`' scan).

Only the lines whose quotes are not in the plain RFC 4180 pattern are looked at (found
for the whole file at once with NumPy: :func:`_suspect_lines`), and only those are
tokenised, by the rules DuckDB's reader follows (:func:`tokenize`). A line that ends
inside a quoted value either starts a legitimate multi-line record (the value closes on
a later line, the record has the header's number of values, and no line it runs over is
a complete record by itself) or is *broken*: rejected alone, and reading resumes on the
next line. A line whose quotes close but with text after a closing quote (``"ab"c``) is
rejected too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeymap.connectors.csv_bytes import CR, NL, QUOTE, SPACE, Layout
from journeymap.errors import SourceError

__all__ = ["AFTER_QUOTE", "START", "RecordPlan", "plan_records", "tokenize"]

#: Why a line was taken out before reading, in the rejects file's words.
AFTER_QUOTE = "text after a closing quote (a quote inside a quoted value not doubled?)"

# The tokeniser's states, as far as quotes and line ends are concerned.
START, _SPACE1, _UNQUOTED, _QUOTED, _QUOTE_END = range(5)


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


def tokenize(data: bytes, sep: int, state: int) -> tuple[int, int, bool]:
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
                state, seps = START, seps + 1
            elif c not in (SPACE, CR, NL):
                state, error = _UNQUOTED, True
        elif c == sep:
            state, seps = START, seps + 1
        elif state == START:
            state = _QUOTED if c == QUOTE else _SPACE1 if c == SPACE else _UNQUOTED
        elif state == _SPACE1:
            state = _QUOTED if c == QUOTE else _UNQUOTED
        elif c == NL:  # within a multi-line record only: a record ends
            state = START
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
class RecordPlan:
    broken: dict[int, str]
    continuation: list[tuple[int, int]]  # closed ranges of continuation lines
    header_lines: int


def plan_records(lay: Layout, max_record_bytes: int, label: str) -> RecordPlan:
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
        _, seps, _ = tokenize(line_bytes(0), sep, START)
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
        state, seps, error = tokenize(line_bytes(i), sep, START)
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
            state, more, more_error = tokenize(line_bytes(j, position), sep, _QUOTED)
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
    return RecordPlan(broken, continuation, header_lines)
