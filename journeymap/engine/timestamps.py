"""Recognising timestamp columns: the formats journeymap knows, and choosing one.

Only the columns mapped to ``timestamp`` and ``start_timestamp`` are parsed; every other
column stays text. A column's format is chosen once, from a sample of its values, among
ISO 8601 and common export formats; the same format then parses every row (on the
engine), and a value it cannot read rejects that row. Values without a UTC offset are
read in the assumed time zone; everything is stored in UTC. A column whose values all
show midnight in their own offset records dates (a road fine created on 23 March,
``2005-03-23T00:00:00+01:00``): each is read as the date and clock it shows, its offset
left out, so that the date stays the one written rather than falling on the day before.

The engine samples the values and counts how many each format reads (its parser is the
one that will read them); the choice and what it tells the user are made here, the same
for every engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from journeymap.errors import MappingError, option

__all__ = [
    "FORMATS",
    "ISO_8601",
    "ISO_DATE",
    "SAMPLE_ROWS",
    "SAMPLE_VALUES",
    "TimestampFormat",
    "check_format",
    "detect_format",
    "local_dates_note",
    "year_pattern",
]

#: Pseudo-format: ISO 8601 (``2024-03-04 09:15:00``, ``T`` separator, fractions, offsets).
ISO_8601 = "ISO 8601"

# Tried in this order; on a tie the earlier wins, so day-first beats month-first.
FORMATS = (
    ISO_8601,
    "%Y/%m/%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%d/%m/%Y %H:%M:%S.%f", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S.%f", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p",
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y",
    # Two-digit years (a spreadsheet's short date): 21/03/24 is 21 March 2024.
    "%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M", "%d/%m/%y",
    "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%y", "%m/%d/%y %I:%M %p",
    "%d-%m-%y %H:%M", "%d-%m-%y", "%d.%m.%y %H:%M", "%d.%m.%y",
)  # fmt: skip
#: A column's format is chosen from its first SAMPLE_VALUES distinct values among its
#: first SAMPLE_ROWS non-empty ones.
SAMPLE_VALUES = 5000
SAMPLE_ROWS = 100_000
_OFFSET = re.compile(r"(?:Z|[+-]\d\d(?::?\d\d)?)$", re.IGNORECASE)
_TIME_BEFORE_OFFSET = re.compile(r"\d[T ]\d\d:\d\d")
#: A value that starts as ISO 8601 does (a four-digit year, month and day, then a time
#: or nothing): read as ISO 8601 in a column of any format, as it cannot be misread.
ISO_DATE = r"^\d{4}-\d\d-\d\d([T ]\d|$)"
#: An ISO 8601 value at midnight in its own offset (seconds and fractions zero).
_LOCAL_MIDNIGHT = re.compile(
    r"\s*\d{4}-\d\d-\d\d[T ]00:00(?::00(?:[.,]0+)?)?\s*(?:Z|[+-]\d\d(?::?\d\d)?)\s*",
    re.IGNORECASE,
)
#: The offsets that are UTC itself.
_UTC_OFFSET = re.compile(r"Z|[+-]00(?::?00)?", re.IGNORECASE)


@dataclass(frozen=True)
class TimestampFormat:
    """The format chosen for one column, and what the user should know about it."""

    column: str
    format: str
    detected: bool
    notes: tuple[str, ...] = ()
    #: The values are dates, each at midnight in its own UTC offset: read each as the
    #: date and clock it shows, its offset left out (ISO 8601 only).
    local_dates: bool = False


def detect_format(
    values: list[str],
    count_parsed: Callable[[list[str], tuple[str, ...]], list[int]],
    column: str,
    *,
    given: str | None,
    timezone: str,
    source: str,
) -> TimestampFormat:
    """Choose the format of a timestamp column from a sample of its distinct values (in
    order of first appearance); ``count_parsed(values, formats)`` says how many values
    each format reads, as the engine's parser reads them.

    Raises
    ------
    MappingError
        When no known format reads at least half of the sampled values; the message
        shows example values and says how to give the timestamp format.
    """
    if given:
        check_format(given)
    if not values:
        return TimestampFormat(column, given or ISO_8601, detected=given is None)
    candidates = (given,) if given else FORMATS
    # The first candidate wins ties, so when it reads every value no other can win.
    # ISO 8601 is the first of FORMATS and what most systems export: that spares
    # trying the other formats on the sample (0.2 s on every read).
    counts = count_parsed(values, candidates[:1])
    if counts[0] < len(values) and len(candidates) > 1:
        counts = count_parsed(values, candidates)
    best = max(range(len(counts)), key=lambda i: (counts[i], -i))
    fmt, parsed = candidates[best], counts[best]
    examples = ", ".join(repr(v) for v in values[:3])
    if given and parsed == 0:
        raise MappingError(
            f"{source}: column {column!r}: no value matches {option('timestamp_format', given)} "
            f"(values look like {examples}); see the strptime codes in docs/user-guide.md"
        )
    readable = parsed
    if given and parsed * 2 < len(values) and given != ISO_8601:
        # ISO 8601 values are read in a column of any format (rows edited by hand or by
        # another system): they are readable too.
        iso = [v for v in values if re.search(ISO_DATE, v)]
        readable = min(len(values), parsed + (count_parsed(iso, (ISO_8601,))[0] if iso else 0))
    if given and readable * 2 < len(values):
        raise MappingError(
            f"{source}: column {column!r}: only {parsed:,} of {len(values):,} sampled values "
            f"match {option('timestamp_format', given)} (values such as {examples}); check "
            f"the format against the strptime codes in docs/user-guide.md, or map another "
            f"column with {option('timestamp', 'COLUMN')}"
        )
    if readable * 2 < len(values) and _spreadsheet_serials(values):
        raise MappingError(
            f"{source}: column {column!r} holds numbers such as {examples}, which look like "
            "a spreadsheet's date serial numbers (days since 1899-12-30): format the column "
            "as a date and time in the spreadsheet (Format Cells, Date) and save or export "
            f"it again, or map another column with {option('timestamp', 'COLUMN')}"
        )
    if readable * 2 < len(values):
        raise MappingError(
            f"{source}: column {column!r} does not look like timestamps: values such as "
            f"{examples} match no known format. Map another column with "
            f"{option('timestamp', 'COLUMN')}, or give the format with "
            f"{option('timestamp_format', '%d/%m/%Y %H:%M')}"
        )
    notes = []
    twin = _month_first_twin(fmt)
    if not given and twin is not None and counts[candidates.index(twin)] == parsed:
        notes.append(
            f"dates in {column!r} such as {values[0]!r} read day first ({fmt}); "
            f"if they are month first give {option('timestamp_format', twin)}"
        )
    naive = sum(1 for v in values if not _has_offset(v, fmt))
    if naive == len(values):
        notes.append(f"timestamps in {column!r} carry no UTC offset; read as {timezone} time")
    elif naive:  # the others carry theirs: say which are read in the zone
        notes.append(
            f"some timestamps in {column!r} carry no UTC offset ({naive:,} of {len(values):,} "
            f"looked at); those are read as {timezone} time, the others by their offset"
        )
    offsets = sorted(
        {m.group(0) for v in values if (m := _OFFSET.search(v)) and _has_offset(v, fmt)}
    )
    dates = fmt == ISO_8601 and local_dates_note(column, values)
    if dates:
        notes.append(dates)
    elif len(offsets) > 1:
        shown = ", ".join(offsets[:4])
        notes.append(f"timestamps in {column!r} mix UTC offsets ({shown}); all are stored in UTC")
    return TimestampFormat(
        column, fmt, detected=given is None, notes=tuple(notes), local_dates=bool(dates)
    )


_NUMBER = re.compile(r"\s*\d+(?:\.\d+)?\s*")


def _spreadsheet_serials(values: list[str]) -> bool:
    """Whether most of ``values`` are numbers that a spreadsheet would show as dates
    from October 1954 to January 2119 (its date serials, 20,000 to 80,000 days after
    1899-12-30): a date column formatted as a number, or saved from such a column.

    Examples
    --------
    >>> _spreadsheet_serials(["45292.5", "45293.25", "45300"])
    True
    >>> _spreadsheet_serials(["1", "2", "3"]), _spreadsheet_serials(["20240102"])
    (False, False)
    """
    serials = [v for v in values if _NUMBER.fullmatch(v) and 20_000 <= float(v) <= 80_000]
    return len(serials) * 2 > len(values)


def local_dates_note(column: str, values: list[str]) -> str | None:
    """What to tell the user when the ISO 8601 ``values`` (a sample of a column's) are
    dates: every one midnight in its own UTC offset, not all in UTC itself; else None.
    Such a column is read as the dates it shows (:class:`TimestampFormat`'s
    ``local_dates``).

    Examples
    --------
    >>> local_dates_note("t", ["2005-03-23 00:00:00+01:00", "2005-07-22T00:00+02:00"])
    "timestamps in 't' are all midnight in their own UTC offset (+01:00, +02:00): read as the dates they show, the offset left out, rather than as UTC instants, which would fall on another day"
    >>> local_dates_note("t", ["2005-03-23 00:00:00Z"]), local_dates_note("t", [])
    (None, None)
    """  # noqa: E501
    if not values or not all(_LOCAL_MIDNIGHT.fullmatch(v) for v in values):
        return None
    offsets = sorted({m.group(0) for v in values if (m := _OFFSET.search(v.strip()))})
    if all(_UTC_OFFSET.fullmatch(o) for o in offsets):
        return None
    return (
        f"timestamps in {column!r} are all midnight in their own UTC offset "
        f"({', '.join(offsets[:4])}): read as the dates they show, the offset left out, "
        "rather than as UTC instants, which would fall on another day"
    )


#: The strptime codes the engines read (C's, with ``%-d`` style unpadded numbers).
_CODES = re.compile(r"%-?([aAwdbBhmyYHIpMSgfnzZjUWcxXGVuT%])")


def check_format(fmt: str) -> str:
    """Return ``fmt`` if every ``%`` code in it is one the engines read.

    Raises
    ------
    MappingError
        Naming the first unknown code.

    Examples
    --------
    >>> check_format("%d/%m/%Y %H:%M")
    '%d/%m/%Y %H:%M'
    """
    rest = _CODES.sub("", fmt)
    if "%" in rest:
        bad = rest[rest.index("%") : rest.index("%") + 2]
        raise MappingError(
            f"{option('timestamp_format', fmt)}: {bad!r} is not a strptime code; use codes "
            "such as %d/%m/%Y %H:%M:%S (see docs/user-guide.md)"
        )
    return fmt


def _month_first_twin(fmt: str) -> str | None:
    for day_first in ("%d/%m/%Y", "%d/%m/%y"):
        if fmt.startswith(day_first):
            return "%m/%d/" + day_first[-2:] + fmt.removeprefix(day_first)
    return None


#: Codes that read digits, and codes that read a name (a month, a weekday, AM/PM).
_DIGIT_CODES = set("dmHIMSjUWeVGu")
_NAME_CODES = set("bBaAhp")


def year_pattern(fmt: str) -> str | None:
    """A regular expression a value must match for ``fmt`` to read its year: four digits
    where the format has ``%Y`` (ISO 8601's year too). The engines' parsers read one to
    four digits there, so a short date, ``21/03/24``, would be the year 21 (or 24) rather
    than an unreadable value. None when the format has no ``%Y``.

    Examples
    --------
    >>> import re
    >>> [bool(re.search(year_pattern("%d/%m/%Y"), v)) for v in ("21/03/2024", "21/03/24")]
    [True, False]
    >>> bool(re.search(year_pattern(ISO_8601), "03/04/24 09:00")), year_pattern("%d/%m/%y")
    (False, None)
    >>> bool(re.search(year_pattern("%Y%m%d"), "20240102"))  # the month follows at once
    True
    """
    if fmt == ISO_8601:
        return r"^\s*\d{4}(\D|$)"
    if "%Y" not in fmt:
        return None
    head, parts, i = fmt[: fmt.index("%Y")], [r"^\s*"], 0
    while i < len(head):
        if head[i] == "%" and i + 1 < len(head):
            code = head[i + 2] if head[i + 1] == "-" and i + 2 < len(head) else head[i + 1]
            i += 3 if head[i + 1] == "-" else 2
            parts.append(
                r"\d{1,3}"
                if code in _DIGIT_CODES
                else r"[^\W\d_]+"
                if code in _NAME_CODES
                else ".*?"
            )
        else:
            parts.append(r"\s+" if head[i].isspace() else re.escape(head[i]))
            i += 1
    # Four digits, then no fifth: unless the format goes straight on to another number
    # (``%Y%m%d``), where the next digits are the month's.
    after = fmt[fmt.index("%Y") + 2 :]
    return "".join(parts) + (r"\d{4}" if after.startswith("%") else r"\d{4}(\D|$)")


def _has_offset(value: str, fmt: str) -> bool:
    if fmt != ISO_8601:
        return "%z" in fmt
    return bool(_TIME_BEFORE_OFFSET.search(value) and _OFFSET.search(value))
