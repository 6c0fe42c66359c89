"""The Salesforce preset: CaseHistory (with and without Case.csv), OpportunityHistory in
Windows-1252, and CaseHistory2, written here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from preset_checks import head, one_line_error, recognisers, rows

from journeymap.analysis.profile import profile
from journeymap.connectors.presets import PresetReject
from journeymap.connectors.presets.salesforce import SalesforcePreset
from journeymap.errors import EmptyLogError, SourceError

Write = Callable[..., Path]
PRESET = SalesforcePreset()
U1, U2 = "0055g00000AbCd1", "0055g00000AbCd2"  # users
Q1, Q2 = "00G5g00000XyZ01", "00G5g00000XyZ02"  # queues
ROLES = ("case", "activity", "timestamp", "resource", "team")

CASE_HISTORY = f"""\
"Id","CaseId","Field","OldValue","NewValue","DataType","CreatedById","CreatedDate","IsDeleted"
"0171","500A","created","","","Text","{U1}","2024-03-01 09:00:00","0"
"0172","500A","Owner","Tier 1","Ann Lee","Text","{U1}","2024-03-01 09:00:00","0"
"0173","500A","Owner","{Q1}","{U1}","EntityId","{U1}","2024-03-01 09:00:00","0"
"0174","500A","Status","New","Working","Text","{U1}","2024-03-01 10:00:00","0"
"0175","500A","Owner","{U1}","{Q2}","EntityId","{U1}","2024-03-01 11:00:00","0"
"0176","500A","Owner","Ann Lee","Tier 2","Text","{U1}","2024-03-01 11:00:00","0"
"0177","500A","Status","Working","Escalated","Text","{U1}","2024-03-01 11:00:00","0"
"0178","500A","Owner","{Q2}","{U2}","EntityId","{U2}","2024-03-01 12:00:00","0"
"0179","500A","Owner","Tier 2","Bo Chan","Text","{U2}","2024-03-01 12:00:00","0"
"0180","500A","Status","Escalated","Closed","Text","{U2}","2024-03-01 13:00:00","0"
"0181","500A","Status","Closed","Working","Text","{U2}","2024-03-01 13:30:00","1"
"0182","500B","Status","New","Closed","Text","{U1}","2024-03-02 08:00:00","0"
"0183","500B","Priority","Low","High","Text","{U1}","yesterday","0"
"""
#: The columns of a CaseHistory export without IsDeleted, for the histories written below.
HISTORY_HEADER = (
    '"Id","CaseId","Field","OldValue","NewValue","DataType","CreatedById","CreatedDate"'
)

# Owners are written twice, by id and by name: shown by name (Q1 is Tier 1, U1 Ann Lee).
CASE_500A = [
    ("500A", "New", "2024-03-01T09:00:00Z", "Ann Lee", "Tier 1"),
    ("500A", "Working", "2024-03-01T10:00:00Z", "Ann Lee", "Tier 1"),
    ("500A", "Escalated", "2024-03-01T11:00:00Z", None, "Tier 2"),
    ("500A", "Closed", "2024-03-01T13:00:00Z", "Bo Chan", "Tier 2"),
]


def test_case_history(write: Write) -> None:
    path = write("CaseHistory.csv", CASE_HISTORY)
    assert recognisers(path) == {"salesforce"}
    table = PRESET.read(path)
    assert rows(table, *ROLES) == [
        *CASE_500A,
        ("500B", "Closed", "2024-03-02T08:00:00Z", None, None),
    ]
    assert table.mapping == {role: role for role in ROLES}
    assert table.records == 13
    assert table.rejects == [
        PresetReject(
            13,
            14,
            "unreadable CreatedDate: 'yesterday' is not an ISO 8601 date-time, as Salesforce's "
            "exports write them (2024-05-10T09:00:00.000+0000)",
        )
    ]
    assert table.notes[:2] == [
        "rows marked IsDeleted, skipped: 1",
        "changes written twice, by id and by name (owner and other lookups): 3; the id rows "
        "are kept, their ids shown by the names given (4)",
    ]
    assert table.notes[-1] == "times without a zone are read as UTC (Salesforce writes GMT)"


def _with_cases(write: Write, cases: str) -> Path:
    """CASE_HISTORY in a folder with ``cases`` as the Case.csv beside it."""
    write("export/Case.csv", cases)
    return write("export/CaseHistory.csv", CASE_HISTORY)


def test_case_csv_next_to_it_gives_channel_customer_and_creation(write: Write) -> None:
    path = _with_cases(
        write,
        "Id,CaseNumber,ContactId,AccountId,Origin,Status,OwnerId,CreatedDate\n"
        f"500A,00001001,003C1,001A1,Phone,Closed,{U2},2024-03-01 09:00:00\n"
        f"500B,00001002,,001A2,Web,Closed,{Q1},2024-03-02 07:30:00\n",
    )
    table = PRESET.read(path)
    assert rows(table, *ROLES, "customer", "channel") == [
        *[(*event, "003C1", "Phone") for event in CASE_500A],
        ("500B", "New", "2024-03-02T07:30:00Z", None, "Tier 1", "001A2", "Web"),
        ("500B", "Closed", "2024-03-02T08:00:00Z", None, "Tier 1", "001A2", "Web"),
    ]
    assert (
        "Case.csv next to the file gives the channel (Origin) and customer (ContactId, else "
        "AccountId) of each case"
    ) in table.notes


def test_a_case_merged_into_another_is_no_case_of_its_own(write: Write) -> None:
    """500B was merged into 500A (MasterRecordId): its history is left out, and said."""
    path = _with_cases(
        write,
        "Id,IsDeleted,MasterRecordId,ContactId,Origin,Status,OwnerId,CreatedDate\n"
        f"500A,0,,003C1,Phone,Closed,{U2},2024-03-01 09:00:00\n"
        f"500B,1,500A,003C1,Web,Closed,{Q1},2024-03-02 07:30:00\n",
    )
    table = PRESET.read(path)
    assert {r[0] for r in rows(table, "case")} == {"500A"}
    assert (
        "cases marked deleted or merged into another in Case.csv (IsDeleted, MasterRecordId), "
        "left out: 1 (500B)"
    ) in table.notes


# The API's 18-character case ids; a report's Case export gives their first 15.
LONG_A, LONG_B = "5005g00000AbCdEAAQ", "5005g00000FgHiJAAU"
TWO_CASES = f"""\
{HISTORY_HEADER}
"0171","{LONG_A}","created","","","Text","{U1}","2024-03-01 09:00:00"
"0172","{LONG_A}","Status","New","Closed","Text","{U1}","2024-03-01 10:00:00"
"0173","{LONG_B}","created","","","Text","{U1}","2024-03-02 09:00:00"
"0174","{LONG_B}","Status","New","Closed","Text","{U1}","2024-03-02 10:00:00"
"""


def test_case_csv_with_15_character_ids_finds_the_historys_18_character_ones(
    write: Write,
) -> None:
    write("export/Case.csv", f"Id,ContactId,Origin\n{LONG_A[:15]},003C1,Phone\n")
    table = PRESET.read(write("export/CaseHistory.csv", TWO_CASES))
    assert rows(table, "case", "channel", "customer") == [
        (LONG_A, "Phone", "003C1"),
        (LONG_A, "Phone", "003C1"),
        (LONG_B, None, None),
        (LONG_B, None, None),
    ]
    # The case missing from Case.csv is said, as a data-quality warning.
    assert (
        f"warning: 1 of 2 cases of the history have no row in Case.csv (by Id; such as "
        f"{LONG_B}): their channel and customer are unknown; export Case for the same "
        "cases, with Id"
    ) in table.notes


def test_a_case_without_history_is_a_demand_when_opened_within_the_historys_span(
    write: Write,
) -> None:
    """500C was opened after the history's first change and never changed: one event at
    its creation, with its current status and owner. 500D is older than the whole
    history (exported for a later period): left out, and said."""
    path = _with_cases(
        write,
        "Id,Origin,Status,OwnerId,CreatedDate\n"
        f"500A,Phone,Closed,{U2},2024-03-01 09:00:00\n"
        f"500C,Web,New,{Q1},2024-03-01 12:30:00\n"
        f"500D,Web,New,{Q1},2024-02-01 08:00:00\n",
    )
    table = PRESET.read(path)
    assert [r for r in rows(table, *ROLES, "channel") if r[0] == "500C"] == [
        ("500C", "New", "2024-03-01T12:30:00Z", None, "Tier 1", "Web")
    ]
    assert "500D" not in {r[0] for r in rows(table, "case")}
    assert table.notes[4:6] == [
        "cases in Case.csv without a history row (opened and not changed since): an event "
        "each at its creation, with its current status: 1 (500C)",
        "cases in Case.csv without a history row, created before the history's first change "
        "(2024-03-01 09:00), left out: 1 (500D)",
    ]


def test_a_case_handed_back_to_the_queue_it_came_from_changes_no_team(write: Write) -> None:
    """Tier 1's queue -> Ann -> Tier 1's queue: the case never left Tier 1, so the return
    is no 'Assigned to group' event (it read as rework of a step nobody took)."""
    text = f"""\
{HISTORY_HEADER}
"0171","500A","created","","","Text","{U1}","2024-03-01 09:00:00"
"0172","500A","Owner","{Q1}","{U1}","EntityId","{U1}","2024-03-01 09:10:00"
"0173","500A","Owner","Tier 1","Ann Lee","Text","{U1}","2024-03-01 09:10:00"
"0174","500A","Owner","{U1}","{Q1}","EntityId","{U1}","2024-03-01 10:00:00"
"0175","500A","Owner","Ann Lee","Tier 1","Text","{U1}","2024-03-01 10:00:00"
"0176","500A","Owner","{Q1}","{Q2}","EntityId","{U1}","2024-03-01 10:30:00"
"0177","500A","Owner","Tier 1","Tier 2","Text","{U1}","2024-03-01 10:30:00"
"0178","500A","Status","New","Closed","Text","{U2}","2024-03-01 11:00:00"
"""
    table = PRESET.read(write("CaseHistory.csv", text))
    assert rows(table, "activity", "team") == [
        ("New", "Tier 1"),
        ("Assigned to group Tier 2", "Tier 2"),
        ("Closed", "Tier 2"),
    ]


def test_a_status_change_to_nothing_is_rejected_by_its_record(write: Write) -> None:
    """A Status row with no NewValue makes no event: rejected with its own record number
    and line (rejected later as an event, it took another row's number)."""
    text = CASE_HISTORY.replace('"Escalated","Closed"', '"Escalated",""')
    table = PRESET.read(write("CaseHistory.csv", text))
    assert table.rejects[:1] == [
        PresetReject(10, 11, "no activity: a Status change with no NewValue")
    ]
    assert [r[1] for r in rows(table, *ROLES) if r[0] == "500A"] == [
        "New", "Working", "Escalated",
    ]  # fmt: skip


def test_without_data_type_the_id_rows_are_kept(write: Write) -> None:
    lines = CASE_HISTORY.splitlines()
    no_type = [",".join(v for i, v in enumerate(line.split(",")) if i != 5) for line in lines]
    table = PRESET.read(write("CaseHistory.csv", "\n".join(no_type) + "\n"))
    assert rows(table, *ROLES)[:4] == CASE_500A


def test_opportunity_history_in_windows_1252(write: Write) -> None:
    text = (
        '"Id","OpportunityId","CreatedById","CreatedDate","StageName","Amount","IsDeleted"\n'
        f'"0081","006B","{U1}","2024-03-05 10:00:00","Negociación","500","0"\n'
        f'"0082","006A","{U1}","2024-03-01 09:00:00","Prospección","100","0"\n'
        f'"0083","006A","{U2}","2024-03-03 09:00:00","Negociación","120","0"\n'
        f'"0084","006A","{U2}","2024-03-02 09:00:00","Calificación","110","0"\n'
    )
    path = write("OpportunityHistory.csv", text, encoding="cp1252")
    assert PRESET.recognise(path, head(path)) is not None
    table = PRESET.read(path)
    assert rows(table, "case", "activity", "timestamp", "resource") == [
        ("006B", "Negociación", "2024-03-05T10:00:00Z", U1),
        ("006A", "Prospección", "2024-03-01T09:00:00Z", U1),
        ("006A", "Calificación", "2024-03-02T09:00:00Z", U2),
        ("006A", "Negociación", "2024-03-03T09:00:00Z", U2),
    ]
    assert table.options == {"collapse_repeats": "auto"}
    assert table.notes[0] == (
        "OpportunityHistory.csv is not UTF-8: it was read as Windows-1252 (cp1252)"
    )
    assert table.table.column("source_Amount").to_pylist() == ["500", "100", "110", "120"]
    with pytest.raises(SourceError) as error:
        PRESET.read(path, encoding="utf-8")
    one_line_error(error, path, "give the export's encoding, e.g. --encoding cp1252")


def test_a_wide_encoding_given_to_a_utf8_export_is_named(write: Write) -> None:
    # UTF-8 bytes read as UTF-16 decode without error, two bytes a character: the lines
    # run together, which would have read as "a header but no records".
    text = (
        "Id,CaseId,Field,OldValue,NewValue,CreatedDate,CreatedById\n"
        f"1,500A,Status,New,Working,2024-03-01T09:00:00.000Z,{U1}\n"
    )
    path = write("CaseHistory.csv", text + "\n" * (len(text.encode()) % 2))  # even: decodes
    with pytest.raises(SourceError) as error:
        PRESET.read(path, encoding="utf-16")
    one_line_error(error, path, "read as utf-16 its lines run together, so it is not in that "
                   "encoding; give the export's encoding with --encoding")  # fmt: skip


def test_case_history_2_snapshots(write: Write) -> None:
    path = write(
        "CaseHistory2.csv",
        "Id,CaseId,OwnerId,Status,PreviousUpdate,LastModifiedDate,LastModifiedById,IsDeleted\n"
        f"3,500A,{U1},Working,2,2024-03-01T11:00:00.000Z,{U1},false\n"
        f"1,500A,{Q1},New,,2024-03-01T09:00:00.000Z,{U1},false\n"
        f"2,500A,{U1},Working,1,2024-03-01T10:00:00.000Z,{U1},false\n",
    )
    assert recognisers(path) == {"salesforce"}
    table = PRESET.read(path)
    assert rows(table, *ROLES) == [
        ("500A", "New", "2024-03-01T09:00:00Z", None, Q1),
        ("500A", "Working", "2024-03-01T10:00:00Z", U1, Q1),
        ("500A", "Working", "2024-03-01T11:00:00Z", U1, Q1),
    ]
    assert table.options == {"collapse_repeats": "auto"}


def test_other_csv_is_refused(write: Write) -> None:
    path = write("history.csv", "CaseId,Field,When\n500A,Status,2024-03-01\n")
    assert PRESET.recognise(path, head(path)) is None
    with pytest.raises(SourceError) as error:
        PRESET.read(path)
    one_line_error(error, path, "export one of them with Data Loader or Data Export")


def test_history_without_status_changes_is_empty(write: Write) -> None:
    path = write(
        "CaseHistory.csv",
        "CaseId,Field,OldValue,NewValue,CreatedDate\n500A,Priority,Low,High,2024-03-01 09:00:00\n",
    )
    with pytest.raises(EmptyLogError) as error:
        PRESET.read(path)
    one_line_error(error, path, "track the Case Status field")


def test_a_case_reopened_gets_a_reopened_event_that_failure_demand_counts(
    write: Write,
) -> None:
    """500C is closed, then the customer's e-mail puts it back to Working: a Reopened
    event comes just before Working, and the default failure-demand rules (MEASURES.md:
    "reopened") count the case. 500D goes from "Closed - Duplicate" to Closed: no
    reopening (closed to closed)."""
    import journeymap as jm

    path = write(
        "CaseHistory.csv",
        f"{HISTORY_HEADER}\n"
        f'"1","500C","created","","","Text","{U1}","2024-03-01 09:00:00"\n'
        f'"2","500C","Status","New","Closed","Text","{U1}","2024-03-01 10:00:00"\n'
        f'"3","500C","Status","Closed","Working","Text","{U1}","2024-03-04 08:00:00"\n'
        f'"4","500C","Status","Working","Closed","Text","{U1}","2024-03-04 09:00:00"\n'
        f'"5","500D","created","","","Text","{U1}","2024-03-02 09:00:00"\n'
        f'"6","500D","Status","New","Closed - Duplicate","Text","{U1}","2024-03-02 09:30:00"\n'
        f'"7","500D","Status","Closed - Duplicate","Closed","Text","{U1}","2024-03-02 09:40:00"\n'
        # 500E's two changes at one time are a tie of the source's own
        f'"8","500E","Status","New","Working","Text","{U1}","2024-03-05 09:00:00"\n'
        f'"9","500E","Status","Working","Closed","Text","{U1}","2024-03-05 09:00:00"\n',
    )
    table = PRESET.read(path)
    assert [r[:2] for r in rows(table, "case", "activity")] == [
        ("500C", "New"), ("500C", "Closed"), ("500C", "Reopened"), ("500C", "Working"),
        ("500C", "Closed"), ("500D", "New"), ("500D", "Closed - Duplicate"), ("500D", "Closed"),
        ("500E", "Working"), ("500E", "Closed"),
    ]  # fmt: skip
    assert rows(table, "case", "activity", "timestamp")[2] == (
        "500C", "Reopened", "2024-03-04T08:00:00Z"
    )  # fmt: skip
    assert (
        "reopenings ('Status' back from a closed value to an open one) are events "
        "'Reopened' too, just before the value they went back to, so that failure demand "
        "counts them: 1"
    ) in table.notes
    with jm.read_log(str(path)) as log:
        found = jm.mine(log, lanes="none")
        demand = found.check.demand.to_pandas().set_index("case")["demand_type"].to_dict()
        # The Reopened event shares Working's time by the reader's doing: no tie in the
        # source, unlike 500E's.
        assert profile(log).cases_with_equal_timestamps == 1
    assert demand == {"500C": "failure_activity", "500D": "value", "500E": "value"}


def test_times_with_their_own_offsets_are_not_said_to_be_read_as_utc(write: Write) -> None:
    """Times that carry an offset (+0100, +02:00) are converted by it: the note that
    zoneless times are read as UTC is not given when no time is zoneless."""
    path = write(
        "CaseHistory.csv",
        f"{HISTORY_HEADER}\n"
        f'"1","500E","created","","","Text","{U1}","2024-03-30T09:00:00.000+0100"\n'
        f'"2","500E","Status","New","Closed","Text","{U1}","2024-03-31T10:00:00.000+02:00"\n',
    )
    table = PRESET.read(path)
    assert rows(table, "case", "activity", "timestamp") == [
        ("500E", "New", "2024-03-30T08:00:00Z"),
        ("500E", "Closed", "2024-03-31T08:00:00Z"),
    ]
    assert not any("without a zone" in note for note in table.notes)


def test_the_reports_columns_say_the_reader_made_them(write: Write, tmp_path: Path) -> None:
    """The roles' columns are the reader's ('activity'), not the export's: the report's
    table says so, rather than 'activity' reading as a column of the CaseHistory file."""
    import lxml.html

    import journeymap as jm

    with jm.read_log(str(write("CaseHistory.csv", CASE_HISTORY))) as log:
        jm.write_outputs(jm.mine(log), tmp_path / "out", report=True)
    doc = lxml.html.fromstring((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    captions = [c.text_content() for c in doc.xpath("//table/caption")]
    assert "Columns used: made by the salesforce reader from the export (see the notes)" in captions


def test_changes_in_one_second_pair_their_names_and_chain_their_values(write: Write) -> None:
    """A routing rule moves 500A from Ann to Tier 1's queue and on to Bo in one second:
    each id row takes the name row beside it in the file's order (they were paired
    crosswise: the queue shown as a person's name). 500B's two status changes in one
    second are written newest first: they are read in the order their values chain."""
    text = f"""\
{HISTORY_HEADER}
"1","500A","created","","","Text","{U1}","2024-03-01 09:00:00"
"2","500A","Owner","{U1}","{Q1}","EntityId","{U1}","2024-03-01 09:00:00"
"3","500A","Owner","Ann Lee","Tier 1","Text","{U1}","2024-03-01 09:00:00"
"4","500A","Owner","{Q1}","{U2}","EntityId","{U1}","2024-03-01 09:00:00"
"5","500A","Owner","Tier 1","Bo Chan","Text","{U1}","2024-03-01 09:00:00"
"6","500A","Status","New","Closed","Text","{U2}","2024-03-01 10:00:00"
"7","500B","created","","","Text","{U1}","2024-03-02 08:00:00"
"8","500B","Status","Working","Waiting on Customer","Text","{U1}","2024-03-02 08:30:00"
"9","500B","Status","New","Working","Text","{U1}","2024-03-02 08:30:00"
"10","500B","Status","Waiting on Customer","Closed","Text","{U1}","2024-03-02 09:30:00"
"""
    table = PRESET.read(write("CaseHistory.csv", text))
    assert rows(table, "case", "activity", "resource", "team") == [
        ("500A", "New", "Bo Chan", "Tier 1"),
        ("500A", "Closed", "Bo Chan", "Tier 1"),
        ("500B", "New", None, None),
        ("500B", "Working", None, None),
        ("500B", "Waiting on Customer", None, None),
        ("500B", "Closed", None, None),
    ]


def test_case_csv_owners_of_15_characters_are_the_historys_owners(write: Write) -> None:
    """500B's owner never changes: Case.csv gives it, by the 15-character id a report
    writes. It is the queue the history names by its 18-character id, so it is one team,
    "Tier 1", not a second lane named by its id."""
    queue, user = "00G5g000001BillEAC", "0055g00000BobJoAAJ"
    write(
        "export/Case.csv", f"Id,Status,OwnerId\n500A,Closed,{user[:15]}\n500B,Closed,{queue[:15]}\n"
    )
    history = f"""\
{HISTORY_HEADER}
"1","500A","created","","","Text","{U1}","2024-03-01 09:00:00"
"2","500A","Owner","{queue}","{user}","EntityId","{U1}","2024-03-01 09:10:00"
"3","500A","Owner","Tier 1","Bo Chan","Text","{U1}","2024-03-01 09:10:00"
"4","500A","Status","New","Closed","Text","{U1}","2024-03-01 10:00:00"
"5","500B","created","","","Text","{U1}","2024-03-02 09:00:00"
"6","500B","Status","New","Closed","Text","{U1}","2024-03-02 10:00:00"
"""
    table = PRESET.read(write("export/CaseHistory.csv", history))
    assert rows(table, "case", "activity", "resource", "team") == [
        ("500A", "New", None, "Tier 1"),
        ("500A", "Closed", "Bo Chan", "Tier 1"),
        ("500B", "New", None, "Tier 1"),
        ("500B", "Closed", None, "Tier 1"),
    ]
