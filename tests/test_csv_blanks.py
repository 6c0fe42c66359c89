"""The record scan's survey of a CSV file's bytes: whether a value may start or end with
a blank (the engine then trims), and whether a value may hold a direction control (the
engine then counts them). A False must never be wrong; a True may be cautious."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeymap as jm
from journeymap.connectors.base import BLANKS, DIRECTION_CONTROLS
from journeymap.connectors.csv_records import scan_records

HEADER = b"case,activity,team\n"


def survey(tmp_path: Path, data: bytes, *, encoding: str = "utf-8") -> tuple[bool, bool]:
    path = tmp_path / "log.csv"
    path.write_bytes(data)
    records = scan_records(path, None, path.name, encoding=encoding)
    return records.edge_blanks, records.direction_controls


@pytest.mark.parametrize(
    ("rows", "blanks"),
    [
        (b"1,Call,Front\n2,Log call,Back office\n", False),  # spaces inside values only
        (b'1,"Call, urgent",Front\n', False),  # a delimiter and a space inside quotes
        (b'1,"A""B""",Front\n', False),  # doubled quotes, no blank beside them
        (b'1,"Call ""now""",Front\n', True),  # cautious: a blank beside a doubled quote
        (b"1,Call,Front\r\n2,Close,Back\r\n", False),  # CRLF line ends
        (b"1,Call,\r\n", False),  # an empty last value before CRLF
        (b"1,Caf\xc3\xa9 \xe2\x80\x99s,Front\n", False),  # letters, a curly apostrophe
        (b"1, Call,Front\n", True),  # after a delimiter
        (b"1,Call ,Front\n", True),  # before a delimiter
        (b"1,Call,Front \n", True),  # before a line end
        (b"1,Call,Front \r\n", True),  # before a CRLF line end
        (b" 1,Call,Front\n", True),  # at a line's start
        (b"1,Call,Front ", True),  # at the file's end, no final newline
        (b'1," Call",Front\n', True),  # inside quotes, at the start
        (b'1,"Call ",Front\n', True),  # inside quotes, at the end
        (b'1,"Call, ""urgent"" ",Front\n', True),
        (b"1,\tCall,Front\n", True),  # a tab
        (b"1,Call\xc2\xa0,Front\n", True),  # a no-break space, anywhere
        (b"1,Call\xe2\x80\x89now,Front\n", True),  # a thin space, anywhere
        (b"1,Call\x0b,Front\n", True),  # a vertical tab, anywhere
        (b"1,Call\rnow,Front\n", True),  # a carriage return that does not end a line
        (b'1,"Call\nnow",Front\n', True),  # a value over two lines
        (b"1,Call,Front\x00\n", True),  # a NUL byte (the engine reads a copy without it)
    ],
)
def test_blanks_at_a_values_edge_are_found(tmp_path, pieces, rows, blanks):
    assert survey(tmp_path, HEADER + rows)[0] is blanks


def test_a_header_blank_and_a_byte_order_mark(tmp_path):
    assert survey(tmp_path, b"\xef\xbb\xbf" + HEADER + b"1,Call,Front\n") == (False, False)
    assert survey(tmp_path, b"\xef\xbb\xbf case,activity\n1,Call\n")[0] is True
    assert survey(tmp_path, b"case, activity\n1,Call\n")[0] is True


def test_tab_separated_values(tmp_path, pieces):
    assert survey(tmp_path, b"case\tactivity\n1\tLog call\n2\tClose\n")[0] is False
    assert survey(tmp_path, b"case\tactivity\n1\tLog call \n")[0] is True
    # a quoted value could start with a tab, which the survey does not tell apart
    assert survey(tmp_path, b'case\tactivity\n1\t"Log call"\n')[0] is True


def test_semicolon_separated_values(tmp_path, pieces):
    header = b"case;activity;team\n"
    assert survey(tmp_path, header + b"1;Call, urgent;Front desk\n")[0] is False
    assert survey(tmp_path, header + b'1;"Call; urgent";Front\n')[0] is False
    assert survey(tmp_path, header + b"1;Call ;Front\n")[0] is True


def test_a_single_byte_encoding_has_its_own_blanks(tmp_path):
    assert survey(tmp_path, HEADER + b"1,Caf\xe9,Front\n", encoding="latin-1") == (False, False)
    assert survey(tmp_path, HEADER + b"1,Call\xa0,Front\n", encoding="latin-1")[0] is True
    # in UTF-8 the same byte is part of a letter ("\xc3\xa0" is a-grave)
    assert survey(tmp_path, HEADER + b"1,Voil\xc3\xa0,Front\n")[0] is False


def test_direction_controls_are_found(tmp_path, pieces):
    assert survey(tmp_path, HEADER + "1,Call\u202eback,Front\n".encode())[1] is True
    assert survey(tmp_path, HEADER + "1,Call,Ba\u2066ck\n".encode())[1] is True
    # dashes and quotes share the controls' lead byte
    text = "1,Call \u2013 \u201cfront\u201d,Front\n".encode()
    assert survey(tmp_path, HEADER + text) == (False, False)
    assert survey(tmp_path, HEADER + b"1,Call,Front\n", encoding="latin-1")[1] is False


@pytest.fixture(params=["whole", "in pieces"])
def pieces(request, monkeypatch):
    """The survey as it runs on a small file, and as on a large one: in chunks of a few
    bytes, each range of the file on a thread of its own."""
    if request.param == "in pieces":
        from journeymap.connectors import csv_bytes

        monkeypatch.setattr(csv_bytes, "_SMALL_CHUNK", 8)
        monkeypatch.setattr(csv_bytes, "_PARALLEL_BYTES", 0)
    return request.param


def test_in_pieces_the_layout_is_the_same(tmp_path, monkeypatch):
    from journeymap.connectors import csv_bytes

    data = (
        b"\xef\xbb\xbfcase,activity,note\r\n"
        b'1,Call,"a, b"\r\n'
        b'2,Call,"two\r\nlines"\r\n'
        b'3,Call,broken "quote\r\n'
        b"\r\n"
        b"4,Call\x00,x\r\n"
        b'5,"Call ""x""",y'
    )
    path = tmp_path / "log.csv"
    path.write_bytes(data)
    whole = scan_records(path, None, path.name)
    monkeypatch.setattr(csv_bytes, "_SMALL_CHUNK", 8)
    monkeypatch.setattr(csv_bytes, "_PARALLEL_BYTES", 0)
    pieces = scan_records(path, None, path.name)
    for name in ("records", "broken", "multiline_records", "nul_bytes", "nul_lines"):
        assert getattr(pieces, name) == getattr(whole, name), name
    assert (whole.records, whole.multiline_records, whole.nul_bytes) == (5, 1, 1)
    assert list(pieces.engine_lines(set())) == list(whole.engine_lines(set()))
    assert [pieces.text(i, "utf-8") for i in range(pieces.lines)] == [
        whole.text(i, "utf-8") for i in range(whole.lines)
    ]


def test_across_the_surveys_chunks(tmp_path, monkeypatch):
    """A blank and its edge on either side of a chunk boundary."""
    from journeymap.connectors import csv_bytes

    monkeypatch.setattr(csv_bytes, "_SMALL_CHUNK", 16)
    rows = b"".join(b"%d,Call,Front\n" % i for i in range(20))
    assert survey(tmp_path, HEADER + rows)[0] is False
    for at in range(len(HEADER) + 1, len(HEADER) + 40):
        data = HEADER + rows
        if data[at - 1 : at] == b"," or data[at : at + 1] == b",":
            dirty = data[:at] + b" " + data[at:]
            assert survey(tmp_path, dirty)[0] is True, at


VALUES = st.text(
    alphabet=st.sampled_from(
        ["a", "b", " ", "\t", ",", '"', "\u00a0", "\u2019", "\u2009", "\u202e", "\r", "\n"]
    ),
    max_size=6,
)


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(VALUES, min_size=3, max_size=3), min_size=1, max_size=6),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_a_false_answer_is_never_wrong(tmp_path, pieces, rows, quoting, newline):
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator=newline).writerows([["c", "a", "t"], *rows])
    text = out.getvalue()
    blanks, controls = survey(tmp_path, text.encode("utf-8"))
    # the values as a reader reads them (an unquoted "\r" before "\n" ends the line)
    values = [v for row in csv.reader(io.StringIO(text, newline="")) for v in row]
    if not blanks:
        assert all(v == v.strip(BLANKS) for v in values), values
    if not controls:
        assert not any(c in DIRECTION_CONTROLS for v in values for c in v), values


def test_reading_trims_only_what_needs_it(tmp_path):
    """Both ways, the values read are the same as Python's strip() gives."""
    clean = tmp_path / "clean.csv"
    clean.write_text(
        "case,activity,timestamp,team\n"
        '1,Call,2024-01-01 09:00,"Front, desk"\n'
        "1,Close,2024-01-01 10:00,Back office\n",
        encoding="utf-8",
    )
    dirty = tmp_path / "dirty.csv"
    dirty.write_text(
        "case,activity,timestamp,team\r\n"
        '1, Call,2024-01-01 09:00 ,"Front, desk\u00a0"\r\n'
        "1,Close\t,2024-01-01 10:00,Back office \r\n",
        encoding="utf-8",
    )
    for path, blanks in ((clean, False), (dirty, True)):
        assert scan_records(path, None, path.name).edge_blanks is blanks
        with jm.read_log(str(path)) as log:
            frame = log.to_pandas()
        assert list(frame["activity"]) == ["Call", "Close"], path.name
        assert list(frame["team"]) == ["Front, desk", "Back office"], path.name
        assert log.rejected_rows == 0
