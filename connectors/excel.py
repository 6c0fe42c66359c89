"""Excel workbooks (.xlsx, .xlsm): one sheet read as a table of text.

The first row with three values or more is the header (rows of one or two values above
it hold a title, a band over merged cells or "key: value" lines: they are skipped, and
said); every later row is a record, except fully empty rows at the end, which
spreadsheets often report although they hold nothing.
Cell values become text the way Excel shows them: whole numbers without ``.0``, dates
and times in ISO 8601. Formulas give their last calculated value.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from journeymap.connectors.base import Connector, RawSource
from journeymap.connectors.textfiles import existing_file
from journeymap.connectors.values import text_batch, unique_names, value_text
from journeymap.errors import EmptyLogError, MappingError, SourceError, option
from journeymap.read_options import ReadOptions

__all__ = ["ExcelConnector"]

#: Rows per pyarrow batch handed to the engine.
BATCH_ROWS = 50_000
# Parts of an Excel number format that are not codes: quoted text, escapes, [colours].
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


class ExcelConnector(Connector):
    """Read one sheet of an Excel workbook (``.xlsx``, ``.xlsm``)."""

    name = "xlsx"
    aliases = ("excel",)
    description = "Excel workbooks (.xlsx, .xlsm), one sheet at a time"
    suffixes = (".xlsx", ".xlsm")
    requires = ("openpyxl",)
    extra = "excel"

    def read(self, source: str, *, options: ReadOptions) -> RawSource:
        self.check_dependencies()
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        path = existing_file(source)
        label = path.name
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise SourceError(
                f"{label}: cannot be opened as an Excel workbook ({exc}); open it in Excel "
                "and save it again as .xlsx"
            ) from exc
        try:
            sheet, notes = _choose_sheet(workbook, options.sheet, label)
            notes += _uncalculated_formulas(path, sheet.title, label)
        except ParseError as exc:
            workbook.close()
            raise _damaged(exc, label) from exc
        except BaseException:
            workbook.close()
            raise
        # The log is named by its sheet when the workbook has others.
        part = f"sheet {sheet.title!r}" if len(workbook.sheetnames) > 1 else None
        raw = RawSource(source=label, notes=notes, part=part)
        sheets = ", ".join(repr(n) for n in workbook.sheetnames)
        where = f"{label}, sheet {sheet.title!r}"
        raw.batches = _batches(workbook, sheet, where, raw, sheets)
        return raw


#: Rows of a sheet looked at to tell whether it holds a table.
_PEEK_ROWS = 20


def _holds_table(sheet: Any) -> bool:
    """Whether a sheet has a header of three or more values and a row below it."""
    if not hasattr(sheet, "iter_rows"):
        return False
    header = False
    for row in sheet.iter_rows(max_row=_PEEK_ROWS, values_only=True):
        filled = sum(v not in (None, "") for v in row)
        if header and filled:
            return True
        header = header or filled >= 3
    return False


def _choose_sheet(workbook: Any, sheet: str | None, label: str) -> tuple[Any, list[str]]:
    """The sheet asked for by name or 1-based number (default: the first that holds a
    table: a header of three or more values and rows below it)."""
    names: list[str] = list(workbook.sheetnames)
    shown = ", ".join(repr(n) for n in names)
    notes = []
    if sheet is None:
        tables = [n for n in names if _holds_table(workbook[n])]
        name = tables[0] if tables else names[0]
        if len(names) > 1:
            why = "the first that holds a table" if tables else "the first"
            notes.append(
                f"the workbook has {len(names)} sheets ({shown}); {name!r}, {why}, is "
                f"read (choose another with {option('sheet')})"
            )
    elif sheet in names:
        name = sheet
    elif sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        name = names[int(sheet) - 1]
    else:
        raise MappingError(
            f"{label}: has no sheet {sheet!r}; the sheets are: {shown}. Give "
            f"{option('sheet')} with one of these names or a number from 1 to {len(names)}"
        )
    chosen = workbook[name]
    if not hasattr(chosen, "iter_rows"):
        raise SourceError(f"{label}: sheet {name!r} is a chart, not a table; choose another")
    return chosen, notes


def _uncalculated_formulas(path: Path, title: str, label: str) -> list[str]:
    """A note on the formula cells of sheet ``title`` that have no saved value.

    A workbook written by a program that does not calculate (a script, some exports)
    stores formulas without their results; such cells read as empty. Only a sheet whose
    XML holds formulas is read a second time, for their text, to find them.
    """
    import openpyxl

    if not _has_formulas(path):
        return []
    missing: list[str] = []
    count = 0
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        pairs = zip(formulas[title].iter_rows(), values[title].iter_rows(), strict=False)
        for with_formulas, with_values in pairs:
            for f, v in zip(with_formulas, with_values, strict=False):
                text = f.value
                if isinstance(text, str) and text.startswith("=") and v.value is None:
                    count += 1
                    if len(missing) < 3:
                        missing.append(f.coordinate)
    finally:
        formulas.close()
        values.close()
    if not count:
        return []
    return [
        f"{label}, sheet {title!r}: {count:,} formula cell(s) have no saved value (such as "
        f"{', '.join(missing)}) and read as empty; open the workbook in Excel or "
        "LibreOffice and save it, so their values are stored"
    ]


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (an ``<f>`` element)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not name.startswith("xl/worksheets/") or not name.endswith(".xml"):
                    continue
                with archive.open(name) as part:
                    tail = b""
                    while chunk := part.read(1 << 20):
                        data = tail + chunk
                        if b"<f>" in data or b"<f " in data or b"<x:f" in data:
                            return True
                        tail = data[-4:]
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return False


def _batches(
    workbook: Any, sheet: Any, where: str, raw: RawSource, sheets: str = ""
) -> Iterator[Any]:
    """The sheet's rows as batches of text; fills ``raw.columns`` and ``raw.notes``.

    The first non-empty row is the header, after any title rows (:func:`_title_rows`).
    Values right of the header get columns named
    ``column_N``; columns with neither a header nor a value (cells that only carry
    formatting) are left out of ``raw.columns`` at the end. The workbook is closed when
    the batches are consumed (or abandoned).
    """
    try:
        # The size a file declares can be wrong; read the rows that are really there.
        sheet.reset_dimensions()
        yield from _sheet_batches(sheet.iter_rows(), where, raw, sheets)
    except ParseError as exc:
        raise _damaged(exc, where) from exc
    finally:
        workbook.close()


#: The fewest values a header row has: an event log's case, activity and timestamp.
_HEADER_VALUES = 3


def _title_rows(first: list[list[Any]]) -> int:
    """How many of a sheet's first rows come before its header because they hold a
    title (a report's name, a band over merged cells, a few "key: value" lines): the
    rows with one or two values (fewer than an event log's header has: case, activity
    and timestamp) before the first row with three or more. Empty rows among them
    count too; 0 when the first row with values is the header, or when no row has
    three values.

    Examples
    --------
    >>> header, record = ["Case", "Step", "When"], ["A", "Call", "2024-04-02"]
    >>> _title_rows([["Repairs"], [], ["Report", "June"], header, record, record])
    3
    >>> _title_rows([header, ["A", "Call", "2024-01-01", "extra", "more"]])
    0
    >>> _title_rows([["Team", "Cases"], ["Repairs", 12]])  # no log here: left as it is
    0
    """
    filled = [sum(v not in (None, "") for v in row) for row in first]
    header = next((i for i, n in enumerate(filled) if n >= _HEADER_VALUES), None)
    # Only rows with values are titles; leading empty rows alone are the loop's to skip.
    return header if header is not None and any(filled[:header]) else 0


def _damaged(exc: ParseError, where: str) -> SourceError:
    """The error for a sheet whose XML cannot be parsed: damaged, or declaring entities
    (which the parser never expands)."""
    if "entity" in str(exc):
        return SourceError(
            f"{where}: the sheet's XML declares entities, which a workbook never needs and "
            "journeymap never reads for safety; open the workbook in Excel and save it again"
        )
    return SourceError(
        f"{where}: the sheet's XML is damaged ({exc}); open the workbook in Excel and save it "
        "again as .xlsx"
    )


def _sheet_batches(
    rows: Iterable[Sequence[Any]], where: str, raw: RawSource, sheets: str = ""
) -> Iterator[Any]:
    columns: list[str] = []
    header_row = 0
    generated: set[str] = set()  # names made up for empty header cells
    filled: set[str] = set()  # generated names that hold a value somewhere
    batch: list[list[str | None]] = []
    written = 0
    pending_empty = 0  # empty rows not yet known to be followed by data
    long_numbers: dict[int, list[Any]] = {}  # column index: [count, first value]
    rows = iter(rows)
    peeked = list(itertools.islice(rows, _PEEK_ROWS))
    titles = _title_rows([[c.value for c in cells] for cells in peeked])
    titled = titles > 0
    for cells in itertools.chain(peeked, rows):
        if titles:  # a title or a band above the header
            titles -= 1
            header_row += 1
            continue
        # Text and empty cells, the most common, skip the conversion call.
        values = [
            v if (v := c.value) is None or type(v) is str else _cell_text(c, i, long_numbers)
            for i, c in enumerate(cells)
        ]
        if not columns:
            header_row += 1
            long_numbers.clear()  # the header's own cells are not values
            if any(v not in (None, "") for v in values):
                headers = [v.strip() if v else "" for v in values]
                columns, renamed = unique_names(headers)
                raw.notes.extend(renamed)
                generated = {c for c, h in zip(columns, headers, strict=True) if not h}
                if header_row > 1:
                    above = "hold a title, not columns" if titled else "are empty"
                    raw.notes.append(
                        f"{where}: the header is on row {header_row} (the rows above "
                        f"{above}); records are numbered from the row after it"
                    )
            continue
        last = max((i for i, v in enumerate(values) if v not in (None, "")), default=-1)
        if last < 0:
            pending_empty += 1
            continue
        if last >= len(columns):  # values beyond the header: give them columns too
            if batch:  # the batch so far has the narrower header
                yield text_batch(columns, batch)
                written, batch = written + len(batch), []
            extra = [f"column_{i + 1}" for i in range(len(columns), last + 1)]
            extra, _ = unique_names(extra, taken=columns)
            given = [n for i, n in enumerate(extra, len(columns)) if values[i] not in (None, "")]
            columns = [*columns, *extra]
            generated.update(extra)
            raw.notes.append(
                f"{where}: record {written + len(batch) + pending_empty + 1} has values right "
                f"of the header; they are read as {', '.join(repr(c) for c in given)}"
            )
        batch.extend([] for _ in range(pending_empty))
        pending_empty = 0
        row = values[: len(columns)]
        if generated:
            filled.update(c for c, v in zip(columns, row, strict=False) if v is not None)
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            yield text_batch(columns, batch)
            written, batch = written + len(batch), []
    listed = f" (the sheets: {sheets})" if sheets else ""
    if not columns:
        raise EmptyLogError(
            f"{where}: is empty; choose the sheet that holds the log with {option('sheet')}{listed}"
        )
    if batch:
        yield text_batch(columns, batch)
        written += len(batch)
    raw.warnings.extend(_long_numbers_warning(where, columns, long_numbers))
    if written == 0:
        raise EmptyLogError(
            f"{where}: has a header but no data rows; choose the sheet that holds the log "
            f"with {option('sheet')}{listed}"
        )
    raw.columns = [c for c in columns if c not in generated or c in filled]


#: Excel keeps 15 significant digits: a whole number of 16 digits or more may not be the
#: one that was typed or imported (an identifier's last digits become zeros).
_EXACT_DIGITS = 10**15


def _cell_text(cell: Any, column: int, long_numbers: dict[int, list[Any]]) -> str | None:
    """The cell's value as text; counts, by column, the whole numbers too long for Excel
    to hold exactly."""
    value = cell.value
    if type(value) in (int, float) and abs(value) >= _EXACT_DIGITS:
        seen = long_numbers.setdefault(column, [0, value_text(value)])
        seen[0] += 1
    # Excel stores dates as date-times; a date-only format means the user sees a date.
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        codes = _FORMAT_LITERALS.sub("", str(getattr(cell, "number_format", "") or "")).lower()
        if not any(code in codes for code in ("h", "s", "am/pm", "a/p")):
            return value.date().isoformat()
    return value_text(value)


def _long_numbers_warning(
    where: str, columns: list[str], long_numbers: dict[int, list[Any]]
) -> list[str]:
    """A warning per column holding numbers of 16 digits or more: stored as numbers,
    identifiers that long may have lost their last digits in Excel, and two of them may
    have become one.

    Examples
    --------
    >>> found = _long_numbers_warning("a.xlsx", ["Ticket"], {0: [2, "9007199254740992"]})
    >>> print(found[0][:87])
    a.xlsx: column 'Ticket' holds 2 numbers of 16 digits or more (such as 9007199254740992)
    """
    return [
        f"{where}: column {columns[i]!r} holds {count:,} number{'s' if count > 1 else ''} "
        f"of 16 digits or more (such as {example}); Excel keeps 15 significant digits, so "
        "identifiers stored as numbers may have lost their last digits and two may read as "
        "one: export that column as text"
        for i, (count, example) in sorted(long_numbers.items())
        if i < len(columns)
    ]
