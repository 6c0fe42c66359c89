"""Reading export files for the presets: headers, CSV, JSON and XLSX as text frames.

Every preset starts the same way: it looks at the first bytes of a file to recognise it,
then reads it whole as text (pandas frames of ``str`` with missing values as NA) and
ends with an Arrow table of text columns. These helpers do those steps once, with the
same error messages everywhere: each names the file and says what to do.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from journeymap.connectors.presets import PresetReject, PresetTable
from journeymap.connectors.textfiles import existing_file
from journeymap.connectors.values import unique_names, value_text
from journeymap.errors import EmptyLogError, SourceError

__all__ = [
    "TIME_OFFSET",
    "CsvText",
    "copies_before",
    "csv_header",
    "csv_lines",
    "head_text",
    "iso_utc",
    "json_document",
    "listing",
    "lower_names",
    "missing_columns",
    "parse_in_zone",
    "parse_utc",
    "read_csv_text",
    "read_xlsx_text",
    "reference_values",
    "rejects",
    "repeated_headers",
    "text_table",
    "with_unread",
    "xlsx_header",
]

_DELIMITERS = ",;\t"
_XLSX_SUFFIXES = (".xlsx", ".xlsm")


def head_text(head: bytes) -> str:
    """The first bytes of a file as text (UTF-8, or Windows-1252 where that fails).

    Examples
    --------
    >>> head_text(b'\\xef\\xbb\\xbf{"result": []}')
    '{"result": []}'
    """
    head = head.removeprefix(b"\xef\xbb\xbf")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the head
            return head[: exc.start].decode("utf-8")
        return head.decode("cp1252", errors="replace")


def csv_header(head: bytes) -> list[str] | None:
    """The column names on the first line of a CSV head, or None if it is not CSV-like.

    The delimiter is the most frequent of comma, semicolon and tab on that line.

    Examples
    --------
    >>> csv_header(b'"Id","CaseId","Field"\\n1,2,3')
    ['Id', 'CaseId', 'Field']
    >>> csv_header(b'{"issues": []}') is None
    True
    """
    text = head_text(head)
    if not text or text.lstrip()[:1] in ("{", "[", "<") or head.startswith(b"PK\x03\x04"):
        return None
    line = text.splitlines()[0] if text.splitlines() else ""
    sep = max(_DELIMITERS, key=line.count)
    if line.count(sep) == 0:
        return None
    names = next(csv.reader([line], delimiter=sep))
    return [n.strip() for n in names]


def lower_names(names: Iterable[str]) -> dict[str, str]:
    """Column names by their lower-case spelling (the first one wins).

    Examples
    --------
    >>> lower_names(["CaseId", "Field"])
    {'caseid': 'CaseId', 'field': 'Field'}
    """
    found: dict[str, str] = {}
    for name in names:
        found.setdefault(name.strip().lower(), name)
    return found


def xlsx_header(path: Path, head: bytes) -> list[str] | None:
    """The first non-empty row of an XLSX workbook's first sheet, or None if not XLSX."""
    if not head.startswith(b"PK\x03\x04") or path.suffix.lower() not in _XLSX_SUFFIXES:
        return None
    try:
        rows = _xlsx_rows(path, limit=20)
    except SourceError:
        return None
    return next(([str(v or "").strip() for v in row] for row in rows if any(row)), None)


class CsvText(NamedTuple):
    """A CSV export read as text (:func:`read_csv_text`): its records (index = record
    number - 1, so the records left out leave gaps), notes, and the records left out
    with why (a line repeating the header, a record with more values than the header)."""

    frame: pd.DataFrame
    notes: list[str]
    unread: list[PresetReject]


def read_csv_text(path: Path, encoding: str | None, *, cp1252_fallback: bool = False) -> CsvText:
    """Read a CSV export as text: every column ``str``, empty fields missing; the lines
    that repeat the header (an export pasted after another) and the records with more
    values than the header are left out, each named with its line and why, so that one
    bad line does not cost the file (give them to the table with :func:`with_unread`).

    Parameters
    ----------
    path : the file.
    encoding : the encoding the user gave; None reads UTF-8 (a byte order mark allowed).
    cp1252_fallback : when the file is not UTF-8 and no encoding was given, read it as
        Windows-1252 and say so (Salesforce exports often are).

    Returns
    -------
    The frame (columns in file order; duplicate names made unique as ``Name_1``), notes
    and the records left out.

    Raises
    ------
    SourceError
        The file cannot be decoded or split into columns.
    EmptyLogError
        The file holds a header and no records.
    """
    path = existing_file(str(path))
    data = path.read_bytes()
    notes: list[str] = []
    chosen = encoding or "utf-8-sig"
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError as exc:
        if encoding is not None or not cp1252_fallback:
            raise SourceError(
                f"{path.name}: is not valid {encoding or 'UTF-8'} at byte offset {exc.start}; give "
                "the export's encoding, e.g. --encoding cp1252"
            ) from exc
        text = data.decode("cp1252", errors="replace")
        notes.append(f"{path.name} is not UTF-8: it was read as Windows-1252 (cp1252)")
    except LookupError as exc:
        raise SourceError(f"unknown encoding {encoding!r}; try utf-8 or cp1252") from exc
    if "\n" not in text and b"\n" in data:  # a wide encoding given to a narrow file
        raise SourceError(
            f"{path.name}: read as {encoding} its lines run together, so it is not in "
            "that encoding; give the export's encoding with --encoding, or leave it out "
            "to read UTF-8"
        )
    first = text.split("\n", 1)[0]
    sep = max(_DELIMITERS, key=first.count)
    header = [n.strip() for n in next(csv.reader([first], delimiter=sep), [])]
    if not header:
        raise EmptyLogError(f"{path.name}: is empty; export the data again")
    names = unique_names(header)[0]
    unread: list[PresetReject] = []
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            header=0,
            names=names,
        )
    except pd.errors.ParserError:  # a record with more values than the header
        frame, unread = _split_records(text, sep, names)
    except (pd.errors.EmptyDataError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise SourceError(
            f"{path.name}: cannot be read as CSV ({reason}); export it again as CSV"
        ) from exc
    frame = frame.apply(lambda col: col.str.strip())
    again = (frame == pd.Series(header, index=frame.columns)).all(axis=1) & (len(header) > 1)
    if again.any():
        lines = csv_lines(frame)
        unread += [
            PresetReject(int(i) + 1, None if lines is None else int(lines[i]), _REPEATED_HEADER)
            for i in frame.index[again]
        ]
        unread.sort(key=lambda r: r.record)
        frame = frame[~again]
    if frame.empty:
        raise EmptyLogError(f"{path.name}: has a header but no records; export the data again")
    return CsvText(frame.mask(frame == ""), notes, unread)


_REPEATED_HEADER = "a repeated header line"


def _split_records(
    text: str, sep: str, names: list[str]
) -> tuple[pd.DataFrame, list[PresetReject]]:
    """The records of ``text`` (header first) split one by one, when a record has more
    values than the header: those are left out, named by record and line. A record with
    fewer values has the rest missing, as when the reading is not record by record."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    next(reader, None)
    kept, index, unread, record, line = [], [], [], 0, reader.line_num
    for values in reader:
        first, line = line + 1, reader.line_num
        if not values:
            continue  # a blank line is no record
        record += 1
        if len(values) > len(names):
            why = f"too many values for the header ({len(values)}, the header has {len(names)})"
            unread.append(PresetReject(record, first, why))
            continue
        kept.append(values + [""] * (len(names) - len(values)))
        index.append(record - 1)
    frame = pd.DataFrame(kept, columns=names, index=index, dtype=str)
    return frame, unread


def copies_before(frame: pd.DataFrame, rows: pd.Series, **values: Any) -> pd.DataFrame:
    """``frame`` with a copy of each row where ``rows`` is true, with ``values`` set,
    just before it (an event a reader adds, such as a reopening, in the events' order).

    Examples
    --------
    >>> frame = pd.DataFrame({"case": ["1", "1", "2"], "activity": ["New", "Open", "New"]})
    >>> copies_before(frame, frame["activity"].eq("Open"), activity="Reopened")
      case  activity
    0    1       New
    1    1  Reopened
    1    1      Open
    2    2       New
    """
    place = pd.Series(range(len(frame)), frame.index, dtype="float64")
    both = pd.concat([frame, frame[rows].assign(**values)])
    at = pd.concat([place, place[rows] - 0.5])
    return both.iloc[at.to_numpy().argsort(kind="stable")]


def with_unread(table: PresetTable, unread: list[PresetReject]) -> PresetTable:
    """``table`` with the records the CSV reading left out (:class:`CsvText`) counted
    among its records and listed among its rejects, in record order."""
    if unread:
        table.records += len(unread)
        table.rejects = sorted([*unread, *table.rejects], key=lambda r: r.record)
    return table


def read_xlsx_text(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Read the first sheet of an XLSX workbook as text (cells as Excel shows them).

    Opened with openpyxl in read-only mode, which never resolves external entities.

    Raises
    ------
    SourceError
        The workbook cannot be opened.
    EmptyLogError
        The sheet has no header or no records.
    """
    path = existing_file(str(path))
    rows = _xlsx_rows(path, limit=None)
    start = next((i for i, row in enumerate(rows) if any(v not in (None, "") for v in row)), None)
    if start is None:
        raise EmptyLogError(f"{path.name}: the first sheet is empty; export the list again")
    names, notes = unique_names([str(v or "").strip() for v in rows[start]])
    body = [row + [None] * (len(names) - len(row)) for row in rows[start + 1 :] if any(row)]
    if not body:
        raise EmptyLogError(f"{path.name}: has a header but no records; export the list again")
    frame = pd.DataFrame([row[: len(names)] for row in body], columns=names, dtype="str")
    return frame.mask(frame == ""), notes


def _xlsx_rows(path: Path, limit: int | None) -> list[list[str | None]]:
    """The first sheet's rows (up to ``limit``) as text, opened read-only."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(
            f"{path.name}: cannot be opened as an XLSX workbook ({exc}); save it again as .xlsx"
        ) from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_row=limit)
        return [[value_text(v) for v in row] for row in rows]
    finally:
        book.close()


def json_document(path: Path, encoding: str | None) -> Any:
    """The parsed JSON document of ``path``.

    Raises
    ------
    SourceError
        The file is not valid JSON (named with the line and column of the fault).
    """
    path = existing_file(str(path))
    try:
        text = path.read_bytes().decode(encoding or "utf-8-sig")
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{path.name}: is not valid {encoding or 'UTF-8'} at byte offset {exc.start}; "
            "export the JSON again"
        ) from exc
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{path.name}: is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg});"
            " the file is damaged or cut short; export it again"
        ) from exc


def parse_utc(text: pd.Series, fmt: str = "ISO8601") -> pd.Series:
    """Parse times to UTC (``datetime64[us, UTC]``); times without an offset are UTC.

    Values that do not parse become NaT.

    Examples
    --------
    >>> parse_utc(pd.Series(["2015-11-21T07:14:01.643-0500", "x"])).tolist()[0]
    Timestamp('2015-11-21 12:14:01.643000+0000', tz='UTC')
    """
    parsed = pd.to_datetime(text, format=fmt, utc=True, errors="coerce")
    return parsed.astype("datetime64[us, UTC]")


def parse_in_zone(text: pd.Series, timezone: str | None) -> tuple[pd.Series, int]:
    """Parse ISO 8601 times to UTC: those with an offset (or ``Z``) by it, those without
    in ``timezone`` (an IANA name; UTC when None); and how many of the times read had
    no offset. A local
    time that a clock change skips or repeats does not parse (NaT).

    Examples
    --------
    >>> at, zoneless = parse_in_zone(
    ...     pd.Series(["2024-07-01 10:00", "2024-07-01T10:00:00Z", None]), "Europe/London")
    >>> [str(t) for t in at], zoneless
    (['2024-07-01 09:00:00+00:00', '2024-07-01 10:00:00+00:00', 'NaT'], 1)
    """
    written = text.astype("string").str.strip()
    zoneless = written.notna() & ~written.str.contains(TIME_OFFSET, na=False)
    at = parse_utc(text)
    if timezone is not None and zoneless.any():
        local = pd.to_datetime(written.where(zoneless), format="ISO8601", errors="coerce")
        local = local.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
        at = at.mask(zoneless, local.dt.tz_convert("UTC").astype("datetime64[us, UTC]"))
    return at, int((zoneless & at.notna()).sum())


#: A time's own offset at its end (a regular expression): Z, +01:00, -0500.
TIME_OFFSET = r"(?:[Zz]|[+-]\d{2}:?\d{2})$"


def iso_utc(times: pd.Series) -> pd.Series:
    """UTC times written as ISO 8601 with ``Z``, with milliseconds when any value has them.

    Examples
    --------
    >>> iso_utc(parse_utc(pd.Series(["2024-01-01 10:00:00"]))).tolist()
    ['2024-01-01T10:00:00Z']
    >>> iso_utc(parse_utc(pd.Series(["2024-01-01T10:00:00.5Z", None]))).tolist()
    ['2024-01-01T10:00:00.500Z', nan]
    """
    if (times.dt.microsecond.fillna(0) != 0).any():
        text = times.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str.slice(0, 23) + "Z"
    else:
        text = times.dt.strftime("%Y-%m-%dT%H:%M:%S") + "Z"
    return text.where(times.notna())


def text_table(frame: pd.DataFrame) -> Any:
    """The frame as a pyarrow Table of string columns (missing values as NULL)."""
    import pyarrow as pa

    arrays = [
        pa.array(frame[name].astype(object).where(frame[name].notna(), None), pa.string())
        for name in frame.columns
    ]
    return pa.table(arrays, names=[str(n) for n in frame.columns])


def rejects(
    records: pd.Series,
    reasons: pd.Series,
    lines: pd.Series | None,
    values: pd.DataFrame | None = None,
) -> list[PresetReject]:
    """Rejected records (1-based numbers), their line when known, and why; with
    ``values`` (the records' rows, when the preset hands over rows of the same columns),
    their values as read."""
    line_list = [None] * len(records) if lines is None else lines.tolist()
    shown: list[tuple[tuple[str, str | None], ...]] = [()] * len(records)
    if values is not None:
        columns = [str(c) for c in values.columns]
        cells = values.astype(object).where(values.notna(), None).to_numpy().tolist()
        shown = [tuple(zip(columns, row, strict=True)) for row in cells]
    return [
        PresetReject(int(r), None if n is None else int(n), str(why), cells)
        for r, n, why, cells in zip(
            records.tolist(), line_list, reasons.tolist(), shown, strict=True
        )
    ]


def repeated_headers(rows: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    """Which rows repeat the header: each of ``columns`` holds its own name (an export
    pasted after another, or a report's page break).

    Examples
    --------
    >>> rows = pd.DataFrame({"number": ["INC1", "number"], "state": ["New", "state"]})
    >>> repeated_headers(rows, ["number", "state"]).tolist()
    [False, True]
    """
    header = pd.Series(True, rows.index)
    for name in columns:
        header &= rows[name].astype("string").str.strip().eq(name).fillna(False)
    return header


def csv_lines(frame: pd.DataFrame) -> pd.Series | None:
    """The line of each CSV record (header = line 1) of a frame of :func:`read_csv_text`
    (its index is the record's number - 1), or None when a value spans lines."""
    if any(frame[c].str.contains("\n", regex=False).any() for c in frame.columns):
        return None
    return pd.Series(frame.index + 2, index=frame.index)


def listing(values: Iterable[object], limit: int = 5) -> str:
    """Values shown in a note: ``a, b, c and 2 more``.

    Examples
    --------
    >>> listing(["a", "b", "c"], limit=2)
    'a, b and 1 more'
    """
    items = [str(v) for v in values]
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def missing_columns(label: str, missing: Iterable[str], what: str) -> SourceError:
    """The error for an export that lacks columns it needs."""
    return SourceError(f"{label}: has no {listing(repr(m) for m in missing)} column; {what}")


_REFERENCE_TEXT = re.compile(
    r"""^\{\s*['"]link['"]\s*:\s*['"][^'"]*['"]\s*,\s*['"]value['"]\s*:\s*['"]([^'"]*)['"]\s*\}$"""
)


def reference_values(column: pd.Series) -> pd.Series:
    """ServiceNow reference cells saved as text dicts (``{'link': ..., 'value': id}``) as the id.

    Examples
    --------
    >>> reference_values(pd.Series(["{'link': 'https://x/api', 'value': 'abc'}", "d"])).tolist()
    ['abc', 'd']
    """
    found = column.str.extract(_REFERENCE_TEXT, expand=False)
    return found.fillna(column).where(column.notna())
