"""The bad-input battery: every kind of broken, odd or hostile input a user can give,
through the command line, with what must happen to each.

Each case is either refused with one ``Error:`` line and the right exit code (2: what
was typed is wrong; 1: the data is), or accepted with exact counts of rows read,
accepted and rejected (read = accepted + rejected). No case may print a traceback or
"This is a bug", and no secret may leak.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import cli
from journeymap.connectors import textfiles

SECRET = "TOP-SECRET-VALUE"
HEADER = "case,activity,timestamp\n"
GOOD = HEADER + "A,Open,2024-01-01 09:00\nA,Close,2024-01-02 09:00\nB,Open,2024-01-03 09:00\n"
XES_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
XES_BODY = (
    '<log xes.version="1.0"><trace><string key="concept:name" value="A"/>'
    '<event><string key="concept:name" value="Open"/>'
    '<date key="time:timestamp" value="2024-01-01T09:00:00+00:00"/></event>'
    "</trace></log>\n"
)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx_bytes() -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["case", "activity", "timestamp"])
    book.active.append(["A", "Open", "2024-01-01 09:00"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class Case:
    """One bad input: the file (name and bytes, or a builder given the folder), the
    command's extra arguments, and the outcome: ``code`` and ``message`` for a refusal,
    or ``counts`` (read, accepted, rejected) for an accepted log."""

    name: str
    content: bytes | Callable[[Path], None] | None
    args: list[str] = field(default_factory=list)
    code: int = 0
    message: str = ""
    counts: tuple[int, int, int] | None = None
    command: str = "inspect"
    small_bomb_limit: bool = False


def _entity_xes(where: Path) -> None:
    secret = where / "secret.txt"
    secret.write_text(SECRET)
    text = (
        XES_HEAD
        + f'<!DOCTYPE log [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
        + XES_BODY.replace('value="Open"', 'value="&leak;"')
    )
    (where / "entity.xes").write_text(text)


def _laughs_xes(where: Path) -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9))
    text = (
        XES_HEAD
        + f'<!DOCTYPE log [<!ENTITY l0 "lol">{lol}]>\n'
        + XES_BODY.replace('value="Open"', 'value="&l8;"')
    )
    (where / "laughs.xes").write_text(text)


def _user_folder(where: Path) -> None:
    (where / "good.csv").write_text(GOOD)
    (where / "mine").mkdir()
    (where / "mine" / "thesis.docx").write_text("my own work")


def _user_folder_with_a_summary(where: Path) -> None:
    """A folder of the user's own that happens to hold a summary.json: not a result."""
    _user_folder(where)
    (where / "mine" / "summary.json").write_text('{"my": "own summary"}')
    (where / "mine" / "data").mkdir()
    (where / "mine" / "data" / "keep.txt").write_text("x")


def _result_with_notes(where: Path) -> None:
    """A result folder the user has added a file to, inside tables/."""
    (where / "good.csv").write_text(GOOD)
    for name in ("summary.json", "run.json", "journey.dot", "tables/dfg.csv", "charts/x.svg"):
        (where / "mine" / name).parent.mkdir(parents=True, exist_ok=True)
        (where / "mine" / name).write_text("{}")
    (where / "mine" / "tables" / "client notes.xlsx").write_text("mine")


def _output_link(where: Path) -> None:
    (where / "good.csv").write_text(GOOD)
    (where / "elsewhere").mkdir()
    (where / "link").symlink_to(where / "elsewhere")


def _input_inside_output(where: Path) -> None:
    (where / "out").mkdir()
    (where / "out" / "summary.json").write_text("{}")
    (where / "out" / "good.csv").write_text(GOOD)


def _with_config(text: str) -> Callable[[Path], None]:
    def build(where: Path) -> None:
        (where / "good.csv").write_text(GOOD)
        (where / "j.toml").write_text(text)

    return build


_GZ_ZEROS = gzip.compress(HEADER.encode() + b"0" * 3_000_000)

CASES = [
    # -- empty and nearly empty files
    Case("empty.csv", b"", code=1, message="empty.csv: the file is empty (0 bytes)"),
    Case("header.csv", HEADER.encode(), code=1, message="has a header but no data rows"),
    Case("blank-lines.csv", b"\n\n\n", code=1, message="blank-lines.csv"),
    Case("spaces.csv", b"   \n  \n", code=1, message="spaces.csv"),
    Case("one-column.csv", b"case\nA\n", code=1, message="read as 1 column(s)"),
    # Two columns split by ';': no other delimiter to suggest (the ", " is the message's)
    Case(
        "two-columns.csv",
        b"a;b\n1;2\n",
        code=1,
        message="two-columns.csv: read as 2 column(s) ('a, b'); an event log needs at least "
        "case, activity and timestamp columns",
    ),
    # -- the shape of the rows
    Case(
        "ragged.csv",
        (HEADER + "A,Open\nA,Close,2024-01-02,extra\nB,Open,2024-01-03\n").encode(),
        counts=(3, 1, 2),
    ),
    Case(
        "duplicate-header.csv",
        b"case,activity,timestamp,team,team\nA,Open,2024-01-01,T1,T2\n",
        counts=(1, 1, 0),
    ),
    Case(
        "wide.csv",
        (
            HEADER.strip()
            + ","
            + ",".join(f"c{i}" for i in range(5000))
            + "\n"
            + "A,Open,2024-01-01,"
            + ",".join("x" for _ in range(5000))
            + "\n"
        ).encode(),
        counts=(1, 1, 0),
    ),
    Case(
        "stray-quote.csv",
        (
            b"case,activity,timestamp,service\n"
            b'A,Open,2024-01-01,"Council tax discount, single person"\n'
            b'A,"Call received,2024-01-02,Billing\n'
            b'B,Open,2024-01-03,"Council tax discount, single person"\n'
            b"B,Close,2024-01-04,Billing\n"
        ),
        counts=(4, 3, 1),
    ),
    Case(
        "unterminated-last.csv",
        (GOOD + 'C,Open,2024-01-04,"never closed').encode(),
        counts=(4, 3, 1),
    ),
    Case(
        "quote-inside.csv",
        (HEADER + 'A,Call "received" now,2024-01-01\nA,24" tv,2024-01-02\n').encode(),
        counts=(2, 2, 0),
    ),
    Case(
        "text-after-quote.csv",
        (HEADER + 'A,"Open"ed,2024-01-01\nA,Close,2024-01-02\n').encode(),
        counts=(2, 1, 1),
    ),
    Case("crlf.csv", GOOD.replace("\n", "\r\n").encode(), counts=(3, 3, 0)),
    Case(  # two exports joined: CR LF, then LF alone
        "mixed-ends.csv",
        (
            GOOD.replace("\n", "\r\n") + "C,Open,2024-01-04 09:00\nC,Close,2024-01-05 09:00\n"
        ).encode(),
        counts=(5, 5, 0),
    ),
    Case("cr-only.csv", GOOD.replace("\n", "\r").encode(), counts=(3, 3, 0)),  # old Mac
    Case(
        "crlf-in-value.csv",
        b'case,activity,timestamp,note\r\nA,Open,2024-01-01,"two\r\nlines"\r\n'
        b"A,Close,2024-01-02,x\r\n",
        counts=(2, 2, 0),
    ),
    Case("nul.csv", GOOD.replace("Close", "Cl\x00ose").encode(), counts=(3, 3, 0)),
    Case("bom.csv", b"\xef\xbb\xbf" + GOOD.encode(), counts=(3, 3, 0)),
    Case("semicolons.csv", GOOD.replace(",", ";").encode(), counts=(3, 3, 0)),
    Case(
        "wrong-sep.csv",
        GOOD.replace(",", ";").encode(),
        args=["--sep", ","],
        code=1,
        message="delimiter seems to be ';'; try --sep ';'",
    ),
    # -- encodings and what is not text
    Case("utf16-bom.csv", GOOD.encode("utf-16"), counts=(3, 3, 0)),
    Case(
        "utf16-no-bom.csv",
        GOOD.encode("utf-16-le"),
        code=1,
        message="the file is in UTF-16, not utf-8; read it with --encoding utf-16-le",
    ),
    # as that advises, and with the encoding named without its byte order too
    Case(
        "utf16-le.csv", GOOD.encode("utf-16-le"), args=["--encoding", "utf-16-le"], counts=(3, 3, 0)
    ),
    Case(
        "utf16-named.csv", GOOD.encode("utf-16-be"), args=["--encoding", "utf-16"], counts=(3, 3, 0)
    ),
    Case(
        "latin1.csv",
        (HEADER + "A,Prüfung,2024-01-01\n").encode("latin-1"),
        code=1,
        message="line 2 is not valid utf-8; the file is in another encoding: "
        "try --encoding cp1252 (or latin-1)",
    ),
    Case(  # a Windows export with a euro sign: read as the advice says
        "euro.csv",
        (HEADER + "A,Café € paid,2024-01-01\n").encode("cp1252"),
        code=1,
        message="try --encoding cp1252 (or latin-1)",
    ),
    Case(
        "rot13.csv",
        GOOD.encode(),
        args=["--encoding", "rot13"],
        code=2,
        message="'rot13' is not a text encoding; give one such as utf-8, cp1252",
    ),
    Case(
        "wrong-utf16.csv",
        GOOD.encode(),
        args=["--encoding", "utf-16"],
        code=1,
        message="is not valid utf-16 at byte offset 97; check the file's encoding",
    ),
    Case(  # of even length: it decodes, two bytes a character, with no line break
        "wide-utf16.csv",
        GOOD.encode() + b"\n" * (len(GOOD.encode()) % 2),
        args=["--encoding", "utf-16"],
        code=1,
        message="its header has no plain letter, so the file is not in the encoding it was "
        "read in; give the export's encoding with --encoding, or leave it out",
    ),
    Case(
        "cp1252.csv",
        (HEADER + "A,Prüfung – ok,2024-01-01\n").encode("cp1252"),
        args=["--encoding", "cp1252"],
        counts=(1, 1, 0),
    ),
    Case("garbage.csv", bytes(range(256)) * 40, code=1, message="is not a text file"),
    Case("sheet.csv", b"PK\x03\x04" + b"\x00" * 200, code=1, message="is a zip archive"),
    Case("zipped.csv", gzip.compress(GOOD.encode()), code=1, message="name it .csv.gz"),
    Case("pdf.csv", b"%PDF-1.4\n" + b"x" * 100, code=1, message="is a PDF document"),
    # A program's first bytes: zeros on both sides of each pair, not UTF-16 text (which
    # it was read as, with advice to read it --encoding utf-16-le).
    Case(
        "program.csv",
        b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x03\x00>\x00\x01" + bytes(3000),
        code=1,
        message="is a program (an ELF executable), not delimited text",
    ),
    Case(
        "zeros.csv",
        b"\x01\x02" + bytes(3000) + b"\x01\x02\x03\x04\x05\x06\x07\x08" * 4,
        code=1,
        message="is not a text file",
    ),
    Case(
        "unknown-encoding.csv",
        GOOD.encode(),
        args=["--encoding", "klingon"],
        code=2,
        message="unknown encoding 'klingon'",
    ),
    # -- compressed files and archives
    Case("gz.csv.gz", gzip.compress(GOOD.encode()), counts=(3, 3, 0)),
    Case(
        "cut.csv.gz",
        _GZ_ZEROS[: len(_GZ_ZEROS) // 2],
        code=1,
        message="cut.csv.gz: the file is damaged or truncated",
    ),
    Case("bomb.csv.gz", _GZ_ZEROS, code=1, message="a decompression bomb?", small_bomb_limit=True),
    Case(
        "bomb.zip",
        _zip({"log.csv": HEADER.encode() + b"0" * 3_000_000}),
        code=1,
        message="a decompression bomb?",
        small_bomb_limit=True,
    ),
    Case(
        "two.zip",
        _zip({"a.csv": GOOD.encode(), "b.csv": GOOD.encode()}),
        code=1,
        message="a .zip must hold exactly one export file",
    ),
    Case("traversal.zip", _zip({"../../escaped.csv": GOOD.encode()}), counts=(3, 3, 0)),
    Case("not-a.zip", b"PK\x05\x06" + b"\x00" * 18 + b"junk", code=1, message="not-a.zip"),
    # -- XML
    Case("entity.xes", _entity_xes, code=1, message="entity.xes: declares XML entities"),
    Case("laughs.xes", _laughs_xes, code=1, message="laughs.xes: declares XML entities"),
    Case(
        "broken.xes",
        (XES_HEAD + XES_BODY[:150]).encode(),
        code=1,
        message="broken.xes: is not well-formed XML",
    ),
    # -- other formats
    Case("broken.parquet", b"PAR1" + b"\x00" * 64, code=1, message="broken.parquet"),
    Case("broken.xlsx", b"PK\x03\x04 not really", code=1, message="broken.xlsx"),
    Case(
        "book.xlsx",
        lambda w: (w / "book.xlsx").write_bytes(_xlsx_bytes()),
        args=["--sheet", "Nope"],
        code=2,
        message="has no sheet 'Nope'",
    ),
    # -- options that do not fit the data
    Case(
        "good.csv",
        GOOD.encode(),
        args=["--team", "Team"],
        code=2,
        message="column 'Team' (given for team) does not exist",
    ),
    Case(
        "good.csv",
        GOOD.encode(),
        args=["--case", "case", "--activity", "case"],
        code=2,
        message="column 'case' is given for two roles",
    ),
    Case(
        "good.csv",
        GOOD.encode(),
        args=["--timestamp-format", "%Q"],
        code=2,
        message="'%Q' is not a strptime code",
    ),
    Case(
        "good.csv",
        GOOD.encode(),
        args=["--timezone", "Mars/Olympus"],
        code=2,
        message="unknown time zone 'Mars/Olympus'",
    ),
    Case(
        "good.csv",
        GOOD.encode(),
        args=["--sep", ";;"],
        code=2,
        message="the delimiter must be one character",
    ),
    Case("missing.csv", None, code=2, message="missing.csv: no such file"),
    Case("folder", lambda w: (w / "folder").mkdir(), code=1, message="is a folder"),
    # -- values
    Case(
        "no-timestamps.csv",
        (HEADER + "A,Open,soon\nA,Close,later\n").encode(),
        code=2,
        message="does not look like timestamps",
    ),
    Case(
        "all-rejected.csv",
        (HEADER + ",Open,2024-01-01\nB,,2024-01-02\n").encode(),
        code=1,
        message="2 of 2 rows rejected (1 no activity, 1 no case id)",
    ),
    Case(
        "dst.csv",
        (HEADER + "A,Open,2024-03-31 01:30\nA,Close,2024-03-31 02:30\n").encode(),
        args=["--timezone", "Europe/London"],
        counts=(2, 1, 1),
    ),
    Case(
        "odd-dates.csv",
        (HEADER + "A,Open,1900-01-01 00:00\nA,Close,2024-01-02\nB,Open,2999-12-31\n").encode(),
        counts=(3, 3, 0),
    ),
    # -- configs
    Case(
        "good.csv",
        _with_config('[demand]\nfailure_activities = ["(unclosed"]\n'),
        args=["--config", "{dir}/j.toml"],
        code=2,
        message="not a valid regular expression",
    ),
    Case(
        "good.csv",
        _with_config("[map]\nlanez = 'team'\n"),
        args=["--config", "{dir}/j.toml"],
        code=2,
        message="did you mean 'lanes'",
    ),
    Case(
        "good.csv",
        _with_config("this is = = not toml"),
        args=["--config", "{dir}/j.toml"],
        code=2,
        message="j.toml",
    ),
    # -- where results and rejects go
    Case(
        "good.csv",
        GOOD.encode(),
        args=["--rejects", "{dir}/good.csv"],
        code=2,
        message="is the log being read",
    ),
    Case(
        "good.csv",
        _user_folder,
        args=["-o", "{dir}/mine"],
        code=2,
        command="mine",
        message="holds files journeymap did not write",
    ),
    Case(
        "good.csv",
        _user_folder_with_a_summary,
        args=["-o", "{dir}/mine"],
        code=2,
        command="mine",
        message="holds files journeymap did not write (data/, thesis.docx); move them out",
    ),
    Case(
        "good.csv",
        _result_with_notes,
        args=["-o", "{dir}/mine"],
        code=2,
        command="mine",
        message="holds files journeymap did not write (tables/client notes.xlsx)",
    ),
    Case(
        "good.csv",
        _output_link,
        args=["-o", "{dir}/link"],
        code=2,
        command="mine",
        message="is a symbolic link",
    ),
    Case(
        "good.csv",
        lambda w: (w / "good.csv").write_text(GOOD),
        args=["-o", "{dir}/good.csv"],
        code=2,
        command="mine",
        message="is a file",
    ),
    Case(
        "out/good.csv",
        _input_inside_output,
        args=["-o", "{dir}/out"],
        code=2,
        command="mine",
        message="holds the log being read",
    ),
]


def _ids() -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for case in CASES:
        key = case.name + (" " + " ".join(case.args) if case.args else "")
        seen[key] = seen.get(key, 0) + 1
        ids.append(key if seen[key] == 1 else f"{key} #{seen[key]}")
    return ids


def test_the_battery_is_big_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    if case.small_bomb_limit:  # the real floor is 1 GiB; the rule is the same
        monkeypatch.setattr(textfiles, "_BOMB_FLOOR", 1_000_000)
    if callable(case.content):
        case.content(folder)
    elif case.content is not None:
        (folder / case.name).write_bytes(case.content)
    args = [a.replace("{dir}", str(folder)) for a in case.args]
    if case.counts is not None:
        args.append("--json")
    result = CliRunner().invoke(cli, [case.command, str(folder / case.name), *args])
    said = result.output
    assert "Traceback" not in said and "This is a bug" not in said, said
    assert SECRET not in said
    assert result.exception is None or isinstance(result.exception, SystemExit), said
    if case.counts is None:
        assert result.exit_code == case.code, said
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith("Error: "), said
        assert case.message in lines[-1], said
        assert [line for line in lines if line.startswith("Error:")] == [lines[-1]]
        return
    assert result.exit_code == 0, said
    profile = json.loads(result.stdout)
    read, accepted, rejected = case.counts
    assert (profile["rows_read"], profile["accepted"], profile["rejected_rows"]) == case.counts
    assert read == accepted + rejected
    if rejected:  # said on stderr in one line, even though this is not a terminal
        assert f"{rejected:,} of {read:,} rows rejected" in result.stderr
    assert not (tmp_path / "escaped.csv").exists()  # a .zip member cannot climb out
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no staging left


def test_a_value_keeps_its_line_break_as_written(tmp_path):
    import journeymap as jm

    path = tmp_path / "crlf-in-value.csv"
    path.write_bytes(b'case,activity,timestamp,note\r\nA,Open,2024-01-01,"two\r\nlines"\r\n')
    with jm.read_log(str(path)) as log:
        assert log.to_pandas()["note"].tolist() == ["two\r\nlines"]


def test_a_nul_byte_is_removed_and_counted(tmp_path):
    import journeymap as jm

    path = tmp_path / "nul.csv"
    path.write_bytes(GOOD.replace("Close", "Cl\x00ose").encode())
    with jm.read_log(str(path)) as log:
        assert "Close" in set(log.to_pandas()["activity"])
        assert "1 NUL byte(s) removed from 1 line(s) (first: line 3)" in log.notes


@pytest.mark.parametrize("given", ["cp1252", "latin-1"])
def test_a_utf8_byte_order_mark_outranks_the_encoding_given(tmp_path, given):
    # Excel's "CSV UTF-8" starts with the mark; read as cp1252 the header would be
    # 'ï»¿case' and René would be RenÃ©, silently.
    import journeymap as jm

    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbf" + "case,activity,timestamp,resource\nA,Open,2024-01-01,René\n".encode()
    )
    with jm.read_log(str(path), encoding=given) as log:
        table = log.to_pandas()
        assert table["resource"].tolist() == ["René"]
        assert table["case"].tolist() == ["A"]
        assert (
            f"read as UTF-8, not {given} as given: the file starts with UTF-8's byte-order mark"
            in log.notes
        )


def test_a_utf16_byte_order_mark_outranks_the_encoding_given(tmp_path):
    import journeymap as jm

    path = tmp_path / "utf16.csv"
    path.write_bytes(GOOD.encode("utf-16"))
    with jm.read_log(str(path), encoding="cp1252") as log:
        assert len(log.to_pandas()) == 3
        assert any(n.startswith("read as UTF-16, not cp1252 as given:") for n in log.notes)


def test_dst_rule_rejects_the_skipped_hour_and_reads_the_repeated_one_as_summer_time(tmp_path):
    import pandas as pd

    import journeymap as jm

    path = tmp_path / "dst.csv"
    path.write_text(
        HEADER
        + "A,Open,2024-03-31 01:30\nA,Close,2024-03-31 02:30\n"
        + "B,Open,2024-10-27 01:30\nB,Close,2024-10-27 02:30\n"
        + "C,Open,2024-10-27T01:30:00+00:00\n"
    )
    with jm.read_log(str(path), timezone="Europe/London") as log:
        times = dict(zip(log.to_pandas()["source_row"], log.to_pandas()["timestamp"], strict=True))
        assert times == {
            2: pd.Timestamp("2024-03-31 01:30", tz="UTC"),  # 02:30 BST
            3: pd.Timestamp("2024-10-27 00:30", tz="UTC"),  # the first 01:30 (BST)
            4: pd.Timestamp("2024-10-27 02:30", tz="UTC"),  # 02:30 GMT
            5: pd.Timestamp("2024-10-27 01:30", tz="UTC"),  # its own offset: as written
        }
        assert log.rejected_by_reason() == {"a local time that never happened": 1}
        assert any("1 timestamp(s) in 'timestamp' fall in the hour" in n for n in log.notes)


def test_a_workbook_renamed_csv_is_named_for_what_it_is(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(_xlsx_bytes())
    result = CliRunner().invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: export.csv: is a zip archive (an Excel workbook saved as .xlsx?), not "
        "delimited text; export the log as CSV"
    )


def test_rejects_are_written_atomically_and_never_through_a_link(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(HEADER + ",Open,2024-01-01\nB,Open,2024-01-02\n")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "rejects.csv"
    link.symlink_to(victim)
    result = CliRunner().invoke(cli, ["inspect", str(log), "--rejects", str(link)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "keep me"  # the link was replaced, not followed
    assert not link.is_symlink()
    assert link.read_text().splitlines()[0] == "source_row,line,reason,case,activity,timestamp"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert os.access(link, os.R_OK)
