"""The Excel connector: tiny workbooks written with openpyxl in tmp_path."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap.connectors.values import unique_names, value_text
from journeymap.errors import as_keywords

openpyxl = pytest.importorskip("openpyxl")

HEADER = ["Case ID", "Activity", "Timestamp", "Amount", None, "Name", "Name", "Day"]
ROWS = [
    ["001", "Open", dt.datetime(2024, 1, 5, 9, 15), 1001.0, "x", "a", "b", dt.date(2024, 1, 5)],
    ["T01", "Open", "2024-01-05 10:15:00", 2.5, None, None, None, dt.datetime(2024, 1, 6)],
    [None] * 8,  # an empty row between records is a record (rejected: no case id)
    ["001", "Close", dt.datetime(2024, 1, 6, 17, 0, 30), 7, None, None, None, None],
]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def events_xlsx(tmp_path: Path) -> Path:
    trailing = [[None] * 8, [None] * 8]  # empty rows at the end are not records
    return workbook(
        tmp_path / "events.xlsx",
        {"Events": [HEADER, *ROWS, *trailing], "Other": [["Case", "Activity", "Time"]]},
    )


def test_sheet_values_become_text_as_excel_shows_them(events_xlsx):
    log = jm.read_log(str(events_xlsx))
    assert (log.rows_read, log.events, log.rejected_rows, log.cases) == (4, 3, 1, 2)
    df = log.to_pandas()
    assert list(df["source_row"]) == [1, 4, 2]
    assert list(df["case"]) == ["001", "001", "T01"]
    assert list(df["timestamp"]) == [
        pd.Timestamp("2024-01-05 09:15:00", tz="UTC"),
        pd.Timestamp("2024-01-06 17:00:30", tz="UTC"),
        pd.Timestamp("2024-01-05 10:15:00", tz="UTC"),
    ]
    assert list(df["Amount"]) == ["1001", "7", "2.5"]
    assert (df.loc[0, "Day"], df.loc[2, "Day"]) == ("2024-01-05", "2024-01-06 00:00:00")
    assert (df.loc[0, "column_5"], df.loc[0, "Name"], df.loc[0, "Name_1"]) == ("x", "a", "b")
    rejects = log.rejects()
    assert list(rejects["source_row"]) == [3]
    assert rejects.loc[0, "reason"] == "no case id: column 'Case ID' is empty"


def test_notes_say_which_sheet_was_read_and_which_headers_were_renamed(events_xlsx):
    notes = jm.read_log(str(events_xlsx)).notes
    assert (
        "the workbook has 2 sheets ('Events', 'Other'); 'Events', the first that holds a "
        "table, is read" in (notes[0])
    )
    assert "column 'Name' appears more than once in the header; column 7 is read as 'Name_1'" in (
        notes
    )


def test_naive_datetimes_are_read_in_the_given_time_zone(events_xlsx):
    log = jm.read_log(str(events_xlsx), timezone="Europe/Amsterdam")
    first = log.to_pandas().iloc[0]
    assert first["timestamp"] == pd.Timestamp("2024-01-05 08:15:00", tz="UTC")


@pytest.mark.parametrize("sheet", ["Second", "2"])
def test_a_sheet_is_chosen_by_name_or_number(tmp_path, sheet):
    path = workbook(
        tmp_path / "two.xlsx",
        {
            "First": [["Case", "Activity", "Time"], ["A", "x", "2024-01-01 00:00"]],
            "Second": [
                ["Case", "Activity", "Time"],
                ["B", "y", "2024-01-02 00:00"],
                ["C", "z", "2024-01-03 00:00"],
            ],
        },
    )
    log = jm.read_log(str(path), sheet=sheet)
    assert (log.events, list(log.to_pandas()["case"])) == (2, ["B", "C"])
    assert log.notes == ["timestamps in 'Time' carry no UTC offset; read as UTC time"]


@pytest.mark.parametrize("sheet", ["Missing", "3", "0"])
def test_an_unknown_sheet_lists_the_sheets(events_xlsx, sheet):
    with pytest.raises(jm.MappingError, match=r"has no sheet .*the sheets are: 'Events', 'Other'"):
        jm.read_log(str(events_xlsx), sheet=sheet)


def test_a_header_only_sheet_and_an_empty_sheet_are_empty(tmp_path):
    path = workbook(tmp_path / "empty.xlsx", {"Header": [["Case", "Activity"]], "Blank": []})
    with pytest.raises(jm.EmptyLogError, match=r"sheet 'Header': has a header but no data"):
        jm.read_log(str(path))
    with pytest.raises(jm.EmptyLogError, match=r"sheet 'Blank': is empty"):
        jm.read_log(str(path), sheet="Blank")


def test_values_right_of_the_header_get_columns(tmp_path):
    path = workbook(
        tmp_path / "wide.xlsx",
        {"S": [["Case", "Activity", "Time"], ["A", "x", "2024-01-01", None, "extra"]]},
    )
    log = jm.read_log(str(path))
    df = log.to_pandas()
    assert df.loc[0, "column_5"] == "extra"
    assert "column_4" not in df.columns  # neither a header nor a value
    assert log.notes[0] == (
        "wide.xlsx, sheet 'S': record 1 has values right of the header; they are read as 'column_5'"
    )


def test_leading_empty_rows_are_skipped_and_noted(tmp_path):
    path = workbook(
        tmp_path / "late.xlsx", {"S": [[], [], ["Case", "Activity", "Time"], ["A", "x", "2024"]]}
    )
    log = jm.read_log(str(path), timestamp_format="%Y")
    assert list(log.to_pandas()["source_row"]) == [1]
    assert any("the header is on row 3" in note for note in log.notes)


def test_a_file_that_is_not_a_workbook_is_an_error(tmp_path):
    (tmp_path / "fake.xlsx").write_text("Case,Activity,Time\n")
    with pytest.raises(jm.SourceError, match=r"fake\.xlsx: cannot be opened as an Excel workbook"):
        jm.read_log(str(tmp_path / "fake.xlsx"))


def test_value_text_writes_values_as_a_spreadsheet_shows_them():
    aware = dt.datetime(2024, 1, 5, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    values = [
        False, 12.0, 0.1, decimal.Decimal("1E+3"), dt.time(9, 15), aware,
        dt.timedelta(days=1, hours=2, seconds=3), b"\x01\xff",
    ]  # fmt: skip
    assert [value_text(v) for v in values] == [
        "FALSE", "12", "0.1", "1000", "09:15:00", "2024-01-05 09:15:00-05:00", "26:00:03", "01ff",
    ]  # fmt: skip


def test_unique_names_follow_duckdb_and_ignore_case():
    names, notes = unique_names(["A", "a", "", "__row", "A"])
    assert names == ["A", "a_1", "column_3", "__row_1", "A_2"]
    assert len(notes) == 3


def test_a_notes_sheet_first_is_passed_over_and_the_note_says_which_sheet_was_read(tmp_path):
    path = workbook(
        tmp_path / "notes-first.xlsx",
        {
            "Read me": [["Exported from the case system on 2 May"], [], ["Ask Sam for access"]],
            "Log": [["Case", "Activity", "Time"], ["1", "Open", "2024-01-05 09:00"]],
            "Lookup": [["code", "name"], ["A", "Alpha"]],
        },
    )
    log = jm.read_log(str(path))
    assert (log.rows_read, log.events) == (1, 1)
    assert as_keywords(log.notes[0]) == (
        "the workbook has 3 sheets ('Read me', 'Log', 'Lookup'); 'Log', the first that holds "
        "a table, is read (choose another with sheet)"
    )


def test_an_empty_sheet_chosen_by_name_lists_the_sheets(tmp_path):
    path = workbook(
        tmp_path / "two.xlsx",
        {"Log": [["Case", "Activity", "Time"], ["1", "Open", "2024-01-05"]], "Blank": []},
    )
    with pytest.raises(jm.EmptyLogError) as caught:
        jm.read_log(str(path), sheet="Blank")
    assert str(caught.value) == (
        "two.xlsx, sheet 'Blank': is empty; choose the sheet that holds the log with sheet "
        "(the sheets: 'Log', 'Blank')"
    )


def test_formula_cells_without_a_saved_value_are_reported(tmp_path):
    # openpyxl, like many scripts, writes formulas without calculating them.
    path = workbook(
        tmp_path / "formulas.xlsx",
        {
            "Log": [
                ["Case", "Activity", "Time", "Who"],
                ["1", "Open", "2024-01-05 09:00", '=CONCAT("A","nn")'],
                ["1", '=UPPER("close")', "2024-01-05 10:00", "Bo"],
            ]
        },
    )
    log = jm.read_log(str(path), resource="Who")
    assert (log.rows_read, log.events, log.rejected_rows) == (2, 1, 1)
    assert log.rejected_by_reason() == {"no activity": 1}
    assert (
        "formulas.xlsx, sheet 'Log': 2 formula cell(s) have no saved value (such as D2, B3) "
        "and read as empty; open the workbook in Excel or LibreOffice and save it, so their "
        "values are stored"
    ) in log.notes


def _with_sheet_xml(path: Path, change) -> Path:
    """A copy of the workbook at ``path`` with its first sheet's XML changed."""
    import zipfile

    changed = path.with_name("changed.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return changed


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda xml: xml[: len(xml) // 2], "the sheet's XML is damaged (unclosed token"),
        (
            lambda xml: (
                b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
                + xml.replace(b"<t>C0", b"<t>&e;C0", 1)
            ),
            "the sheet's XML declares entities, which a workbook never needs",
        ),
    ],
)
def test_a_damaged_sheet_is_a_clear_error(tmp_path, change, said):
    book = openpyxl.Workbook()
    book.active.append(["case", "activity", "timestamp"])
    for i in range(3):
        book.active.append([f"C{i}", "Open", "2024-01-01 09:00"])
    book.save(tmp_path / "book.xlsx")
    changed = _with_sheet_xml(tmp_path / "book.xlsx", change)
    with pytest.raises(jm.SourceError) as error:
        jm.read_log(str(changed))
    message = str(error.value)  # named when the sheet is chosen, or while it is read
    assert message.startswith("changed.xlsx") and said in message and "\n" not in message


def test_identifiers_too_long_for_excel_to_hold_are_a_warning(tmp_path):
    # 2**53 and 2**53 + 1 are one double: Excel (and the file) cannot tell them apart.
    rows = [
        ["Ticket", "Activity", "Time", "Amount"],
        [9007199254740992, "Open", "2024-01-01 09:00", 10**15 - 1],
        [9007199254740993, "Open", "2024-01-02 09:00", 2.5],
        [42, "Close", "2024-01-03 09:00", 3],
    ]
    log = jm.read_log(str(workbook(tmp_path / "ids.xlsx", {"Log": rows})))
    assert log.warnings == [
        "ids.xlsx, sheet 'Log': column 'Ticket' holds 2 numbers of 16 digits or more (such "
        "as 9007199254740992); Excel keeps 15 significant digits, so identifiers stored as "
        "numbers may have lost their last digits and two may read as one: export that "
        "column as text"
    ]
    assert log.cases == 2  # the two long ones read as one, which is why it is said


def test_title_rows_above_the_header_are_skipped_and_the_sheet_names_the_log(tmp_path):
    """A report's title and a band over merged cells sit above the header, as a council's
    workbook has them; the workbook has a cover sheet, so the log is named by its sheet."""
    rows = [
        ["Repairs contacts, April 2024"],
        ["Case", None, None, "Who / when"],
        ["Case ID", "Activity", "Handler", "Timestamp"],
        ["R1", "Call received", "Jo", "2024-04-02 09:00"],
        ["R1", "Repair done", "Lee", "2024-04-09 15:00"],
    ]
    path = workbook(
        tmp_path / "repairs.xlsx", {"Cover": [["Prepared for the council"]], "Log": rows}
    )
    with jm.read_log(str(path), sheet="Log") as log:
        assert log.source == "repairs.xlsx (sheet 'Log')"
        assert log.mapping.resource == "Handler"  # a service's word for who handles a case
        assert log.to_pandas()["source_row"].tolist() == [1, 2]
        assert (
            "repairs.xlsx, sheet 'Log': the header is on row 3 (the rows above hold a title, "
            "not columns); records are numbered from the row after it"
        ) in log.notes


def test_a_mapping_error_names_the_sheet_it_read(tmp_path):
    summary = [["Team", "Cases", "Median days"], ["Repairs", 12, 3.5]]
    path = workbook(tmp_path / "book.xlsx", {"Summary": summary, "Events": [HEADER, *ROWS]})
    with pytest.raises(jm.MappingError, match=r"^book\.xlsx \(sheet 'Summary'\): cannot tell"):
        jm.read_log(str(path))


def test_a_two_value_title_above_a_three_column_log_is_a_title(tmp_path):
    rows = [
        ["Report", "June 2024"],
        ["Prepared by", "Ann"],
        ["Case", "Activity", "Time"],
        ["A", "Call", "2024-06-03 09:00"],
    ]
    with jm.read_log(str(workbook(tmp_path / "june.xlsx", {"Log": rows}))) as log:
        assert (log.mapping.case, log.events) == ("Case", 1)
        assert any("the header is on row 3 (the rows above hold a title" in n for n in log.notes)


def test_dates_stored_as_serial_numbers_say_how_to_mend_the_sheet(tmp_path):
    rows = [["Case", "Activity", "Date"], ["C1", "Open", 45292.5], ["C1", "Close", 45293.75]]
    path = workbook(tmp_path / "serial.xlsx", {"Log": rows})
    with pytest.raises(jm.MappingError) as caught:
        jm.read_log(path)
    assert str(caught.value) == (
        "serial.xlsx: column 'Date' holds numbers such as '45292.5', '45293.75', which look "
        "like a spreadsheet's date serial numbers (days since 1899-12-30): format the "
        "column as a date and time in the spreadsheet (Format Cells, Date) and save or "
        "export it again, or map another column with timestamp='COLUMN'"
    )
