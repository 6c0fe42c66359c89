"""One pass over a delimited file's bytes (:mod:`journeymap.connectors.csv_records`
reads what it found): where its lines end, its quotes and its NUL bytes, and a survey of
its blanks and invisible direction controls.

The survey answers whether some value may start or end with a blank (a character
``str.strip()`` removes) and whether one may hold a direction control. Most files hold
neither, and an engine then reads their values as they are: trimming every value is a
third or more of DuckDB's reading. A large file is passed over by a thread per range.
"""

from __future__ import annotations

import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from journeymap.connectors.characters import BLANKS, DIRECTION_CONTROLS

__all__ = ["CR", "NL", "QUOTE", "SPACE", "TAB", "Layout", "layout", "survey"]

QUOTE, NL, CR, SPACE, TAB = 0x22, 0x0A, 0x0D, 0x20, 0x09


@dataclass
class Layout:
    """What one pass over a delimited file's bytes found."""

    buf: np.ndarray  # the file's bytes (over the memory map)
    starts: np.ndarray  # first byte of each line
    ends: np.ndarray  # the byte after each line's content (its newline, or the end)
    quotes: np.ndarray  # positions of quote characters
    odd: np.ndarray  # lines with an odd number of quotes
    nuls: np.ndarray  # positions of NUL bytes
    sep: int
    bom: int  # length of a UTF-8 byte-order mark
    blanks: _Blanks  # what the pass saw of blanks and direction controls


@dataclass
class _Blanks:
    """What one pass over a range of the bytes saw of blanks and direction controls."""

    edge: bool  # a blank beside a quote or a line end, or anywhere a rare one
    controls: bool  # a direction control
    beside_sep: np.ndarray  # delimiters with a space or a tab beside them


@dataclass
class _Range:
    """What one pass over the bytes ``[lo, hi)`` found."""

    newlines: np.ndarray
    quotes: np.ndarray
    quotes_before_newline: np.ndarray  # per newline, the range's quotes before it
    nuls: np.ndarray
    blanks: _Blanks


#: Files larger than this are passed over by several threads, one range each (NumPy's
#: comparisons release the GIL): 1.8 times faster on two cores. Not smaller files: the
#: threads' freed arrays stay resident in their allocator arenas, about 5 MB at 110 MB,
#: for 0.05 s saved (docs/benchmarks.md, twelfth round).
_PARALLEL_BYTES = 1 << 28


def layout(buf: np.ndarray, mapped: mmap.mmap, sep: int, bom: int, encoding: str) -> Layout:
    """Newlines, quotes and NUL bytes, and the blanks beside values' edges, found in one
    pass a megabyte at a time (in the CPU's cache), by a thread per range of a large
    file. ``sep`` is the delimiter's byte, ``bom`` the length of a byte-order mark."""
    n = len(buf)
    utf8 = encoding == "utf-8"
    look = _Look(
        sep=sep,
        quotes=mapped.find(b'"') >= 0,
        utf8=utf8,
        # most files hold none of these lead bytes: memchr tells, faster than a pass
        leads=[b for b in _WIDE_LEADS if mapped.find(bytes([b])) >= 0] if utf8 else [],
    )
    workers = min(os.cpu_count() or 1, 4) if n > _PARALLEL_BYTES else 1
    step = -(-n // workers // _SMALL_CHUNK) * _SMALL_CHUNK  # whole chunks per range
    bounds = [(lo, min(lo + step, n)) for lo in range(0, n, step)] if n else [(0, 0)]
    if len(bounds) == 1:
        ranges = [_pass(buf, *bounds[0], look)]
    else:
        with ThreadPoolExecutor(len(bounds)) as pool:
            ranges = list(pool.map(lambda b: _pass(buf, b[0], b[1], look), bounds))
    nl = np.concatenate([r.newlines for r in ranges])
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [n]))
    if starts[-1] == n:  # a final newline: no empty last line
        starts, ends = starts[:-1], ends[:-1]
    empty = np.empty(0, np.int64)
    if look.quotes:
        positions = np.concatenate([r.quotes for r in ranges])
        offsets = np.cumsum([0] + [len(r.quotes) for r in ranges[:-1]])
        before = np.concatenate(
            [[0]]
            + [r.quotes_before_newline + o for r, o in zip(ranges, offsets, strict=True)]
            + [[len(positions)]]
        )
        odd = np.flatnonzero(np.diff(before[: len(starts) + 1]) & 1)
    else:
        positions = odd = empty
    nul_positions = np.concatenate([r.nuls for r in ranges])
    edge = any(r.blanks.edge for r in ranges)
    # A range that saw a blank at an edge stopped looking for direction controls: then
    # any lead byte of one (0xE2 in UTF-8) anywhere may be one.
    unsure = edge and 0xE2 in look.leads
    blanks = _Blanks(
        edge=edge,
        controls=unsure or any(r.blanks.controls for r in ranges),
        beside_sep=np.concatenate([r.blanks.beside_sep for r in ranges]),
    )
    return Layout(buf, starts, ends, positions, odd, nul_positions, sep, bom, blanks)


_SMALL_CHUNK = 1 << 20  # a chunk's comparisons stay in the CPU's cache (1 MiB: fewest calls)


def _utf8_codes(text: str) -> np.ndarray:
    """Each character's UTF-8 bytes as one number, lead byte highest (two-byte
    characters padded with a zero byte): U+00A0 is 0xC2A000, U+202E 0xE280AE."""
    return np.array(
        [int.from_bytes(c.encode("utf-8").ljust(3, b"\0"), "big") for c in text], np.int64
    )


_UNICODE_BLANKS = _utf8_codes("".join(c for c in BLANKS if ord(c) > 0x7F))
_DIRECTION_CODES = _utf8_codes(DIRECTION_CONTROLS)
#: Their lead bytes in UTF-8 (U+0085 is 0xC2 0x85, U+202E is 0xE2 0x80 0xAE).
_WIDE_LEADS = sorted({int(c) >> 16 for c in (*_UNICODE_BLANKS, *_DIRECTION_CODES)})
#: The blanks beyond ASCII in a single-byte encoding: U+0085 and U+00A0.
_LATIN1_BLANKS = (0x85, 0xA0)
#: Delimiters that are blanks themselves: values are then trimmed as before.
_BLANK_SEPARATORS = (SPACE, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F)


@dataclass
class _Look:
    """What a pass looks for."""

    sep: int
    quotes: bool  # the file has a quote: find them
    utf8: bool  # else a single-byte encoding, where bytes 0x85 and 0xA0 are blanks
    leads: list[int]  # lead bytes of Unicode blanks and direction controls in the file


def _pass(buf: np.ndarray, lo: int, hi: int, look: _Look) -> _Range:
    """Newlines, quotes and NUL bytes of ``buf[lo:hi]``, and blanks beside edges.

    A value's edges are the file's start and end, line ends, quotes, and delimiters
    outside quoted values. Whether a delimiter is inside quotes is told later, from the
    quotes of the whole file: here the delimiters with a space or a tab beside them are
    only collected. A quote beside a blank counts as an edge even when it is a doubled
    quote inside a value: the survey may then say a file needs trimming when it does
    not, never the reverse. A control character other than a line end, a tab or the
    carriage return of a line end (the rarer ASCII blanks among them), and a Unicode
    blank anywhere, count as a blank at an edge too.

    Each chunk's bytes below 0x20 are counted first: when they are its newlines alone,
    as in most chunks of most files, it holds no tab, carriage return or NUL byte.
    """
    sep, n = look.sep, len(buf)
    newlines, quotes, before, nuls, beside_sep = [], [], [], [], []
    edge_seen = controls = False
    size = min(_SMALL_CHUNK, hi - lo) + 1
    blank, edge, scratch = np.empty(size, bool), np.empty(size, bool), np.empty(size, bool)
    after_edge, before_edge = np.empty(size, bool), np.empty(size, bool)
    seen = 0
    for at in range(lo, hi, _SMALL_CHUNK):
        own = buf[at : min(at + _SMALL_CHUNK, hi)]
        mine = len(own)
        nl = np.flatnonzero(own == NL)
        newlines.append(nl + at)
        if look.quotes:
            q = np.flatnonzero(own == QUOTE)
            quotes.append(q + at)
            before.append(np.searchsorted(q, nl) + seen)
            seen += len(q)
        # Control characters: line ends; tabs, carriage returns ending lines, NUL bytes.
        tm = scratch[:mine]
        np.less(own, 0x20, out=tm)
        tabs = crs = False
        if int(np.count_nonzero(tm)) != len(nl):
            where = np.flatnonzero(tm)
            kinds = own[where]
            nuls.append(where[kinds == 0] + at)
            tabs, crs = bool((kinds == TAB).any()), bool((kinds == CR).any())
            stray = np.isin(kinds, (NL, TAB, CR, 0), invert=True).any()
            cr = where[kinds == CR] + at + 1
            if stray or (crs and (cr.max() >= n or (buf[cr] != NL).any())):
                edge_seen = True  # a rare blank, or a carriage return inside a line
        if edge_seen:
            continue  # the file will be trimmed; only its layout is still wanted
        # Characters beyond ASCII: a Unicode blank anywhere; direction controls.
        if look.utf8:
            for lead in look.leads:
                pos = np.flatnonzero(own == lead) + at
                if len(pos) == 0:
                    continue
                code = (lead << 16) | (buf[np.minimum(pos + 1, n - 1)].astype(np.int64) << 8)
                if lead >= 0xE0:
                    code |= buf[np.minimum(pos + 2, n - 1)]
                edge_seen = edge_seen or bool(np.isin(code, _UNICODE_BLANKS).any())
                controls = controls or bool(np.isin(code, _DIRECTION_CODES).any())
        elif ((own == _LATIN1_BLANKS[0]) | (own == _LATIN1_BLANKS[1])).any():
            edge_seen = True
        if edge_seen:
            continue
        # Spaces and tabs beside an edge (the byte after the chunk included).
        part = buf[at : at + size]
        k = len(part)
        bl, ed, tm = blank[:k], edge[:k], scratch[:k]
        af, be = after_edge[: k - 1], before_edge[: k - 1]
        if k > mine:
            tabs, crs = tabs or part[-1] == TAB, crs or part[-1] == CR
        np.equal(part, SPACE, out=bl)
        if tabs and sep != TAB:
            np.equal(part, TAB, out=tm)
            bl |= tm
        np.equal(part, sep, out=ed)
        np.equal(part, NL, out=tm)
        ed |= tm
        np.equal(part, QUOTE, out=tm)
        ed |= tm
        if crs:
            np.equal(part, CR, out=tm)
            ed |= tm
        np.logical_and(ed[:-1], bl[1:], out=af)  # a blank at i + 1 just after an edge at i
        np.logical_and(bl[:-1], ed[1:], out=be)  # a blank at i just before an edge at i + 1
        if not (af.any() or be.any()):
            continue
        at_edge = np.concatenate((np.flatnonzero(af), np.flatnonzero(be) + 1)) + at
        if (buf[at_edge] != sep).any():
            edge_seen = True  # beside a quote or a line end
        else:
            beside_sep.append(at_edge)
    empty = np.empty(0, np.int64)

    def joined(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else empty

    return _Range(
        newlines=joined(newlines),
        quotes=joined(quotes),
        quotes_before_newline=joined(before),
        nuls=joined(nuls),
        blanks=_Blanks(edge=edge_seen, controls=controls, beside_sep=joined(beside_sep)),
    )


def survey(lay: Layout, *, plain: bool) -> tuple[bool, bool]:
    """Whether some value may start or end with a blank, and whether some value may
    hold a direction control: False only when the file's bytes rule it out.

    ``plain``: every quote of the file is in the plain pattern, no value spans lines and
    the file has no NUL byte (else the first answer is True). A delimiter is then inside
    quotes exactly when an odd number of quotes come before it in the file.
    """
    sep, buf, n, quotes, seen = lay.sep, lay.buf, len(lay.buf), lay.quotes, lay.blanks
    if seen.edge or not plain or sep in _BLANK_SEPARATORS:
        return True, seen.controls
    if sep == TAB and len(quotes):
        return True, seen.controls  # a quoted value may start with a tab
    if n and (buf[min(lay.bom, n - 1)] in (SPACE, TAB) or buf[n - 1] in (SPACE, TAB)):
        return True, seen.controls  # the first value starts, or the last ends, blank
    beside = seen.beside_sep
    if len(beside) and (len(quotes) == 0 or (np.searchsorted(quotes, beside) % 2 == 0).any()):
        return True, seen.controls  # beside a delimiter outside quotes
    return False, seen.controls
