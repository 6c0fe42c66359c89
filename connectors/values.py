"""Turning source values into the text rows connectors hand over.

Shared by the connectors that read values in Python (Excel, SQL, XES): one spelling of
values as text, one way of making column names unique, one way of making a batch.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from typing import Any

from journeymap.connectors.base import row_column

__all__ = ["text_batch", "unique_names", "value_text"]


def text_batch(columns: Sequence[str], rows: Sequence[Sequence[str | None]]) -> Any:
    """A pyarrow RecordBatch of text columns from rows of values (short rows padded with
    NULL), for :attr:`~journeymap.connectors.base.RawSource.batches`.

    Examples
    --------
    >>> text_batch(["a", "b"], [["1", "x"], ["2"]]).to_pydict()
    {'a': ['1', '2'], 'b': ['x', None]}
    """
    import pyarrow as pa

    width = len(columns)
    padded = [row if len(row) == width else [*row, *[None] * (width - len(row))] for row in rows]
    arrays = [pa.array(list(values), pa.string()) for values in zip(*padded, strict=True)]
    if not rows:
        arrays = [pa.array([], pa.string()) for _ in columns]
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def unique_names(names: Sequence[str], taken: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """Column names made unique as DuckDB does (``Name``, ``Name_1``), ignoring case.

    Empty names become ``column_N`` (N = 1-based position). Returns the names and a
    note for each renamed duplicate.

    Examples
    --------
    >>> unique_names(["Name", "", "name", "Name"])[0]
    ['Name', 'column_2', 'name_1', 'Name_2']
    """
    used = {n.lower() for n in taken} | {row_column}
    result, notes = [], []
    for i, name in enumerate(names, 1):
        base = name if name else f"column_{i}"
        unique, n = base, 0
        while unique.lower() in used:
            n += 1
            unique = f"{base}_{n}"
        if unique != base:
            clash = (
                "appears more than once in the header"
                if base in names[: i - 1]
                else "clashes with another column's name (names ignore upper/lower case)"
            )
            notes.append(f"column {base!r} {clash}; column {i} is read as {unique!r}")
        used.add(unique.lower())
        result.append(unique)
    return result, notes


def value_text(value: Any) -> str | None:
    """A cell or database value as text, written as a spreadsheet shows it.

    Examples
    --------
    >>> [value_text(v) for v in (None, "001", 7, 1001.0, 2.5, True)]
    [None, '001', '7', '1001', '2.5', 'TRUE']
    >>> value_text(dt.datetime(2024, 1, 5, 9, 15)), value_text(dt.date(2024, 1, 5))
    ('2024-01-05 09:15:00', '2024-01-05')
    >>> value_text(dt.datetime(2024, 1, 5, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    '2024-01-05 09:15:00+01:00'
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _duration(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def _duration(value: dt.timedelta) -> str:
    """A duration as ``[-]H:MM:SS[.ffffff]``, hours not wrapped at a day (as ``[h]:mm:ss``)."""
    sign = "-" if value < dt.timedelta(0) else ""
    micro = abs(value) // dt.timedelta(microseconds=1)
    seconds, fraction = divmod(micro, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    text = f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return text + (f".{fraction:06d}" if fraction else "")
