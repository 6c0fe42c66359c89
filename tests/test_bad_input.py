"""Every bad input of the foundation and connector issues, through the command line: one clear line,
the right exit code, no traceback, and nothing read that must not be."""

from __future__ import annotations

import gzip

import pytest
from click.testing import CliRunner

import journeymap as jm
from journeymap.cli import cli

GOOD = "case,activity,timestamp\nA,Open,2024-01-01 09:00\nA,Close,2024-01-02 09:00\n"
XES_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
XES_BODY = (
    '<log xes.version="1.0"><trace><string key="concept:name" value="A"/>'
    '<event><string key="concept:name" value="Open"/>'
    '<date key="time:timestamp" value="2024-01-01T09:00:00+00:00"/></event>'
    "</trace></log>\n"
)


def bad_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    entity = (
        XES_HEAD
        + f'<!DOCTYPE log [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
        + XES_BODY.replace('value="Open"', 'value="&leak;"')
    )
    whole = gzip.compress(("case,activity,timestamp\n" + "A,Open,2024-01-01\n" * 4000).encode())
    return {
        "empty.csv": b"",
        "header.csv": b"case,activity,timestamp\n",
        "semicolons.csv": b"case;activity;timestamp\nA;Open;2024-01-01\n",
        "latin1.csv": "case,activity,timestamp\nA,Prüfung,2024-01-01\n".encode("latin-1"),
        "cut.csv.gz": whole[: len(whole) // 2],
        "broken.xes": (XES_HEAD + XES_BODY[:150]).encode(),
        "entity.xes": entity.encode(),
        # Exports of systems journeymap has no preset for, or of the wrong system.
        "freshdesk.json": b'[{"id": 1, "status": 2, "requester_id": 7, "created_at": "2024"}]',
        "tickets.xml": b'<?xml version="1.0"?>\n<!-- export -->\n<tickets><ticket/></tickets>',
        "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "ocel1.jsonocel": b'{"ocel:global-log": {}, "ocel:events": {}, "ocel:objects": {}}',
        "ocel1.xmlocel": b'<?xml version="1.0"?>\n<log>\n  <global scope="event">\n'
        b'    <string key="ocel:activity" value="__INVALID__"/>\n  </global>\n</log>\n',
        "ocel1.csv": b"ocel:eid,ocel:timestamp,ocel:activity,ocel:type:order\n"
        b"e1,2024-01-01 09:00:00,place order,['o1']\n",
        "audits.json": b'{"audits": [{"id": 1, "ticket_id": 5, "events": [], "via": {}}]}',
        "cut.json": b'{"issues": [{"key": "SUP-1", "self": "x", "fields": {"created": "2024',
    }


@pytest.mark.parametrize(
    ("name", "args", "code", "message"),
    [
        ("empty.csv", [], 1, "empty.csv: the file is empty (0 bytes)"),
        ("header.csv", [], 1, "header.csv: has a header but no data rows"),
        ("semicolons.csv", ["--sep", ","], 1, "delimiter seems to be ';'; try --sep ';'"),
        ("latin1.csv", [], 1, "line 2 is not valid utf-8; the file is in another encoding: "
                              "try --encoding cp1252 (or latin-1)"),
        ("cut.csv.gz", [], 1, "cut.csv.gz: the file is damaged or truncated"),
        ("broken.xes", [], 1, "broken.xes: is not well-formed XML"),
        ("entity.xes", [], 1, "entity.xes: declares XML entities"),
        ("good.csv", ["--team", "Team"], 2, "column 'Team' (given for team) does not exist"),
        ("good.csv", ["--case", "case", "--activity", "case"], 2,
         "column 'case' is given for two roles"),
        ("good.csv", ["--timestamp", "activity"], 2, "cannot tell which column is the "
         "activity; 'activity', the column it would be, is given for the timestamp; the "
         "columns are: "),
        ("missing.csv", [], 2, "missing.csv: no such file"),
        ("good.json", [], 2, "good.json: journeymap does not know this kind of file"),
        ("missing.json", [], 2, "missing.json: no such file; files there: "),
        ("*.json", [], 2, "*.json: no such file; a pattern names many files, and this "
         "command reads one: give one file's path, or mine each with `journeymap batch`"),
        ("freshdesk.json", [], 2, "freshdesk.json: looks like a JSON array of objects with "
         "keys 'id', 'status', 'requester_id', 'created_at', which no reader recognises; "
         "journeymap reads: csv, fieldchanges, jira, ocel, parquet, postgres, salesforce, "
         "servicenow, sql, xes, xlsx, zendesk. Export the events as CSV and map its "
         "columns with --case COLUMN, --activity COLUMN and --timestamp COLUMN"),
        ("tickets.xml", [], 2, "tickets.xml: looks like XML with root <tickets>, which no "
         "reader recognises"),
        ("old.xls", [], 2, "old.xls: looks like an old Excel workbook (.xls) or another "
         "Office file; save it as .xlsx or CSV"),
        ("ocel1.jsonocel", [], 2, "ocel1.jsonocel: looks like an OCEL 1.0 JSON log (keys "
         "'ocel:global-log', 'ocel:events'); journeymap reads OCEL 2.0: convert it with "
         "pm4py, pm4py.write_ocel2(pm4py.read_ocel(path), 'log.jsonocel'), and read that "
         "file (--object-type TYPE chooses the objects that are the cases)"),
        ("ocel1.xmlocel", [], 2, "ocel1.xmlocel: looks like an OCEL 1.0 XML log (root <log> "
         "with <global scope=...> and ocel: keys); journeymap reads OCEL 2.0: convert it"),
        ("ocel1.csv", [], 2, "ocel1.csv: looks like an OCEL 1.0 table (columns "
         "'ocel:activity', 'ocel:timestamp' and the object columns 'ocel:type:order', which "
         "hold lists of object ids, so no column is a case); journeymap reads OCEL 2.0"),
        ("audits.json", ["--connector", "jira"], 1, 'audits.json: is JSON but not Jira issues '
         '(no "issues" list and no issue with key and fields)'),
        ("cut.json", [], 1, "cut.json: is not valid JSON (line 1, column 65: Unterminated "
         "string starting at); the file is damaged or cut short; export it again"),
    ],
)  # fmt: skip
def test_bad_input_gives_one_clear_line(tmp_path, name, args, code, message):
    for file_name, content in bad_files(tmp_path).items():
        (tmp_path / file_name).write_bytes(content)
    (tmp_path / "good.csv").write_text(GOOD)
    (tmp_path / "good.json").write_text(GOOD)
    result = CliRunner().invoke(cli, ["inspect", str(tmp_path / name), *args])
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert "TOP-SECRET-VALUE" not in result.output


def test_garbage_rows_are_listed_with_reasons(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "case,activity,timestamp\nA,Open,2024-01-01 09:00\n,Open,2024-01-01 10:00\n"
        "B,Open,31/02/2024 10:00\nB,Close,not a date\nC,Open,2024-01-03 09:00\n"
    )
    rejects = tmp_path / "rejects.csv"
    result = CliRunner().invoke(cli, ["inspect", str(path), "--rejects", str(rejects)])
    assert result.exit_code == 0, result.output
    assert "! 3 of 5 rows rejected (2 unreadable timestamp, 1 no case id)" in result.stdout
    assert rejects.read_text().splitlines() == [
        "source_row,line,reason,case,activity,timestamp",
        "2,,no case id: column 'case' is empty,,Open,2024-01-01 10:00",
        "3,,unreadable timestamp: '31/02/2024 10:00' in column 'timestamp' is not ISO 8601,"
        "B,Open,31/02/2024 10:00",
        "4,,unreadable timestamp: 'not a date' in column 'timestamp' is not ISO 8601,"
        "B,Close,not a date",
    ]


def test_a_repeated_header_line_is_named_as_such(tmp_path):
    """Two exports joined: the second's header is a rejected row like any, but its reason
    says what it is, not that 'timestamp' is an unreadable timestamp."""
    path = tmp_path / "joined.csv"
    path.write_text(
        "case,activity,timestamp\nA,Open,2024-01-01 09:00\n case , activity,timestamp\n"
        "B,Open,2024-01-02 09:00\nB,Close,soon\n"
    )
    log = jm.read_log(str(path))
    assert log.rejected_by_reason() == {"a repeated header line": 1, "unreadable timestamp": 1}
    assert log.rejects()["source_row"].tolist() == [2, 4]
    # A pathlib.Path reads the same (it was a TypeError from deep in the registry).
    assert jm.read_log(path).rejected_by_reason() == log.rejected_by_reason()


def test_a_path_the_system_refuses_is_one_line_not_a_bug(tmp_path):
    name = str(tmp_path / ("a" * 300 + ".csv"))  # longer than a file name may be
    result = CliRunner().invoke(cli, ["mine", name, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output == f"Error: {name[:70]}…{name[-25:]}: File name too long\n"


def test_a_folder_mine_would_refuse_is_said_before_the_log_is_read(tmp_path):
    """The output folder holds the log: the one line says so, before the reading's
    warnings (which named a rejects file in that folder that was never written)."""
    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\nA,Open,2024-01-01 09:00\nB,Open,soon\n")
    result = CliRunner().invoke(cli, ["mine", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"Error: {tmp_path}: holds the log being read ({path}); choose another output folder"
    ]
