"""Reading CSV exports: typing, validation, rejects, encodings, compression."""

from __future__ import annotations

import gzip
import zipfile

import pandas as pd
import pytest

import journeymap as jm

TICKETS = (
    "Ticket,Status,Changed,Owner\n"
    "T1,Open,2024-01-01 09:00,ann\n"
    "T01,Open,2024-01-01 09:30,bob\n"
    "001,Jan,2024-01-02 10:00,ann\n"
    "1,Mar,2024-01-03 11:00,\n"
)


def test_identifiers_stay_text_and_distinct(write_file):
    log = jm.read_log(str(write_file("t.csv", TICKETS)), timestamp="Changed")
    df = log.to_pandas()
    assert sorted(df["case"]) == ["001", "1", "T01", "T1"]
    assert log.cases == 4
    assert set(df["activity"]) == {"Open", "Jan", "Mar"}
    assert df["resource"].isna().sum() == 1  # an empty optional role is missing, not ""
    assert str(df["timestamp"].dt.tz) == "UTC"


def test_detects_roles_from_export_headers(write_file):
    log = jm.read_log(str(write_file("t.csv", TICKETS)), timestamp="Changed")
    assert log.mapping.columns() == {
        "case": "Ticket",
        "activity": "Status",
        "timestamp": "Changed",
        "resource": "Owner",
    }
    assert log.mapping.detected == {"case", "activity", "resource"}


def test_bad_rows_are_rejected_with_row_and_reason(write_file):
    path = write_file(
        "bad.csv",
        "case,activity,timestamp\n"
        "A,Open,2024-01-01T09:00:00Z\n"
        ",Open,2024-01-01T09:00:00Z\n"
        "B,,2024-01-01T10:00:00Z\n"
        "C,Open,garbage\n"
        "D,Open,\n"
        "E,Close,2024-01-02T09:00:00+01:00\n",
    )
    log = jm.read_log(str(path))
    assert (log.rows_read, log.events, log.rejected_rows) == (6, 2, 4)
    rejects = log.rejects()
    assert list(rejects["source_row"]) == [2, 3, 4, 5]
    assert list(rejects["reason"]) == [
        "no case id: column 'case' is empty",
        "no activity: column 'activity' is empty",
        "unreadable timestamp: 'garbage' in column 'timestamp' is not ISO 8601",
        "no timestamp: column 'timestamp' is empty",
    ]
    assert rejects.loc[2, "timestamp"] == "garbage"  # the raw values are kept
    ts = log.to_pandas().set_index("case")["timestamp"]
    assert ts["E"] == pd.Timestamp("2024-01-02 08:00", tz="UTC")  # +01:00 normalised


def test_strict_turns_rejects_into_an_error(write_file):
    path = write_file("bad.csv", "case,activity,timestamp\nA,Open,2024-01-01\nB,Open,nope\n")
    with pytest.raises(jm.RejectedRowsError, match=r"1 row\(s\) rejected .* row 2: unreadable"):
        jm.read_log(str(path), strict=True)


def test_malformed_lines_are_rejected_with_their_line(write_file):
    path = write_file(
        "short.csv",
        "case,activity,timestamp\nA,Open,2024-01-01\nB,Open\nC,Open,2024-01-02,extra\n"
        "D,Close,2024-01-03\n",
    )
    log = jm.read_log(str(path))
    assert (log.rows_read, log.events, log.rejected_rows) == (4, 2, 2)
    rejects = log.rejects()
    assert list(rejects["line"]) == [3, 4]
    assert rejects["reason"].str.startswith("too").all()
    # The good rows keep their record numbers: D is the fourth record.
    assert list(log.to_pandas()["source_row"]) == [1, 4]


def test_ties_keep_source_order(write_file):
    path = write_file(
        "ties.csv",
        "case,activity,timestamp\nA,Second,2024-01-01 09:00\nA,First,2024-01-01 08:00\n"
        "A,Third,2024-01-01 09:00\n",
    )
    df = jm.read_log(str(path)).to_pandas()
    assert list(df["activity"]) == ["First", "Second", "Third"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2012/10/09 14:50:17.000", "2012-10-09 14:50:17"),
        ("25/12/2024 17:05", "2024-12-25 17:05"),
        ("12/25/2024 17:05", "2024-12-25 17:05"),
        ("2024-12-25T17:05:00Z", "2024-12-25 17:05"),
        ("25.12.2024 17:05:00", "2024-12-25 17:05"),
    ],
)
def test_detects_common_timestamp_formats(write_file, value, expected):
    path = write_file("f.csv", f"case,activity,timestamp\nA,Open,{value}\n")
    (ts,) = jm.read_log(str(path)).to_pandas()["timestamp"]
    assert ts == pd.Timestamp(expected, tz="UTC")


@pytest.mark.parametrize(
    ("values", "accepted", "rejected"),
    [
        # ISO 8601 reads most: it wins, the day-first value is rejected.
        (["2024-12-24T10:00:00Z", "2024-12-25T10:00:00Z", "2024-12-26T10:00:00Z",
          "27/12/2024 10:00"], [24, 25, 26], 1),
        # ISO 8601 reads only one: the day-first format wins, and the ISO value, which
        # cannot be misread, is read as such.
        (["2024-12-24T10:00:00Z", "25/12/2024 10:00", "26/12/2024 10:00",
          "27/12/2024 10:00"], [24, 25, 26, 27], 0),
        # A month-first value among day-first ones is not: it is rejected.
        (["24/12/2024 10:00", "25/12/2024 10:00", "26/12/2024 10:00",
          "12/27/2024 10:00"], [24, 25, 26], 1),
    ],
)  # fmt: skip
def test_a_column_of_mixed_formats_takes_the_one_that_reads_most(
    write_file, values, accepted, rejected
):
    rows = "".join(f"A,Step {i},{v}\n" for i, v in enumerate(values))
    log = jm.read_log(str(write_file("m.csv", "case,activity,timestamp\n" + rows)))
    assert [t.day for t in log.to_pandas()["timestamp"]] == accepted
    assert log.rejected_rows == rejected


def test_timezone_applies_to_naive_timestamps_only(write_file):
    path = write_file(
        "tz.csv",
        "case,activity,timestamp\nA,Open,2024-07-01 12:00\nA,Close,2024-07-01 12:00+00:00\n",
    )
    log = jm.read_log(str(path), timezone="Europe/London")
    assert list(log.to_pandas()["timestamp"]) == [
        pd.Timestamp("2024-07-01 11:00", tz="UTC"),
        pd.Timestamp("2024-07-01 12:00", tz="UTC"),
    ]
    assert "read as Europe/London time" in " ".join(log.notes)


#: A road fine's dates, written as local midnights in Italy's summer and winter offsets.
DATES_CSV = (
    "case,activity,timestamp\n"
    "F1,Create Fine,2005-03-23 00:00:00+01:00\n"
    "F1,Send Fine,2005-07-22T00:00:00.000+02:00\n"
    "F1,Payment,2005-10-31 00:00+01:00\n"
)


def test_local_midnights_are_read_as_the_dates_they_show(write_file):
    """Every value is midnight in its own offset: the column records dates, read as the
    dates written (as UTC midnights), not the UTC instants of the day before; the times
    between them are whole days, across the change of offset."""
    log = jm.read_log(str(write_file("fines.csv", DATES_CSV)), timezone="Europe/Rome")
    stamps = log.to_pandas()["timestamp"]
    assert [t.isoformat() for t in stamps] == [
        "2005-03-23T00:00:00+00:00", "2005-07-22T00:00:00+00:00", "2005-10-31T00:00:00+00:00",
    ]  # fmt: skip
    assert [d.days for d in stamps.diff().dropna()] == [121, 101]
    assert (stamps.diff().dropna() % pd.Timedelta(days=1) == pd.Timedelta(0)).all()
    (note,) = [n for n in log.notes if "midnight" in n]
    assert note == (
        "timestamps in 'timestamp' are all midnight in their own UTC offset (+01:00, "
        "+02:00): read as the dates they show, the offset left out, rather than as UTC "
        "instants, which would fall on another day"
    )


@pytest.mark.parametrize(
    "values",
    [
        ["2005-03-23 00:00:00+01:00", "2005-03-24 09:30:00+01:00"],  # a time of day
        ["2005-03-23 00:00:00Z", "2005-03-24 00:00:00+00:00"],  # midnights in UTC itself
        ["2005-03-23 00:00:00", "2005-03-24 00:00:00+01:00"],  # one without an offset
        ["2005-03-23 00:00:00.5+01:00", "2005-03-24 00:00:00+01:00"],  # half a second on
    ],
)
def test_instants_stay_instants(write_file, values):
    rows = "".join(f"A,Step {i},{v}\n" for i, v in enumerate(values))
    log = jm.read_log(str(write_file("i.csv", "case,activity,timestamp\n" + rows)))
    first = log.to_pandas()["timestamp"][0]
    expected = "2005-03-22T23:00:00+00:00" if "+01:00" in values[0] else "2005-03-23T00:00:00+00:00"
    assert first.replace(microsecond=0).isoformat() == expected
    assert not any("midnight" in n for n in log.notes)


def test_ambiguous_day_month_is_noted(write_file):
    path = write_file("d.csv", "case,activity,timestamp\nA,Open,03/04/2024 10:00\n")
    log = jm.read_log(str(path))
    assert log.to_pandas()["timestamp"][0] == pd.Timestamp("2024-04-03 10:00", tz="UTC")
    assert any("read day first" in n for n in log.notes)
    us = jm.read_log(str(path), timestamp_format="%m/%d/%Y %H:%M")
    assert us.to_pandas()["timestamp"][0] == pd.Timestamp("2024-03-04 10:00", tz="UTC")


def test_a_given_format_reads_a_column_mostly_in_iso_8601(write_file):
    """The one row typed by hand in the user's format is read with it, and the ISO 8601
    rows as ISO 8601 (they were counted against the format and the column refused)."""
    path = write_file(
        "m.csv",
        "case,activity,timestamp\nA,Open,2024-04-02 09:00:00\nA,Chase,05/04/2024 10:00\n"
        "A,Close,2024-04-09 15:00:00\n",
    )
    log = jm.read_log(str(path), timestamp_format="%d/%m/%Y %H:%M")
    assert log.rejected_rows == 0
    assert log.to_pandas()["timestamp"].tolist() == [
        pd.Timestamp(t, tz="UTC")
        for t in ("2024-04-02 09:00", "2024-04-05 10:00", "2024-04-09 15:00")
    ]


def test_a_given_format_that_reads_few_values_says_so(write_file):
    path = write_file(
        "m.csv", "case,activity,timestamp\nA,Open,2024/04/02\nA,Chase,05/04/2024 10:00\nA,x,soon\n"
    )
    with pytest.raises(jm.MappingError) as caught:
        jm.read_log(str(path), timestamp_format="%d/%m/%Y %H:%M")
    assert str(caught.value) == (
        "m.csv: column 'timestamp': only 1 of 3 sampled values match timestamp_format="
        "'%d/%m/%Y %H:%M' (values such as '2024/04/02', '05/04/2024 10:00', 'soon'); check the "
        "format against the strptime codes in docs/user-guide.md, or map another column "
        "with timestamp='COLUMN'"
    )


def test_unknown_timezone_is_a_mapping_error(write_file):
    path = write_file("x.csv", "case,activity,timestamp\nA,Open,2024-01-01\n")
    with pytest.raises(jm.MappingError, match="unknown time zone 'Mars/Olympus'"):
        jm.read_log(str(path), timezone="Mars/Olympus")


def test_column_that_is_not_a_timestamp(write_file):
    path = write_file("x.csv", "case,activity,when\nA,Open,soon\nB,Open,later\n")
    with pytest.raises(jm.MappingError, match="column 'when' does not look like timestamps"):
        jm.read_log(str(path), timestamp="when")


def test_semicolons_with_sep_and_latin1(write_file):
    text = "Fall;Tätigkeit;Zeit\nF1;Prüfung;01.02.2024 10:00\n"
    path = write_file("de.csv", text.encode("latin-1"))
    with pytest.raises(jm.SourceError, match="not valid utf-8.*try encoding='cp1252'") as caught:
        jm.read_log(str(path), case="Fall", activity="Tätigkeit", timestamp="Zeit")
    assert "try --encoding cp1252 (or latin-1)" in caught.value.for_command_line()
    log = jm.read_log(
        str(path), encoding="latin-1", sep=";", case="Fall", activity="Tätigkeit",
        timestamp="Zeit",
    )  # fmt: skip
    assert log.to_pandas()["activity"][0] == "Prüfung"


def test_cp1252_is_transcoded(write_file):
    path = write_file("w.csv", "case,activity,timestamp\nA,Open – ok,2024-01-01\n".encode("cp1252"))
    log = jm.read_log(str(path), encoding="cp1252")
    assert log.to_pandas()["activity"][0] == "Open – ok"


def test_wrong_delimiter_says_which_to_use(write_file):
    path = write_file("semi.csv", "case;activity;timestamp\nA;Open;2024-01-01\n")
    with pytest.raises(jm.SourceError, match=r"delimiter seems to be ';'; try sep=';'") as caught:
        jm.read_log(str(path), sep=",")
    assert caught.value.for_command_line().endswith("try --sep ';'")


def test_gzip_zip_and_tsv(write_file, tmp_path):
    text = "case\tactivity\ttimestamp\nA\tOpen\t2024-01-01\nA\tClose\t2024-01-02\n"
    assert jm.read_log(str(write_file("a.tsv", text))).events == 2
    assert jm.read_log(str(write_file("a.csv.gz", gzip.compress(text.encode())))).events == 2
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.writestr("export/a.tsv", text)
    assert jm.read_log(str(tmp_path / "a.zip"), sep="\t").events == 2


def test_truncated_gzip(write_file):
    data = gzip.compress(("case,activity,timestamp\n" + "A,Open,2024-01-01\n" * 5000).encode())
    path = write_file("cut.csv.gz", data[: len(data) // 2])
    with pytest.raises(jm.SourceError, match="cut.csv.gz: the file is damaged or truncated"):
        jm.read_log(str(path))


def test_zip_with_two_files(tmp_path):
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("a.csv", "x")
        archive.writestr("b.csv", "y")
    with pytest.raises(jm.SourceError, match="must hold exactly one export file.*a.csv, b.csv"):
        jm.read_log(str(tmp_path / "two.zip"))


def test_empty_and_header_only_files(write_file):
    with pytest.raises(jm.EmptyLogError, match="empty.csv: the file is empty"):
        jm.read_log(str(write_file("empty.csv", "")))
    with pytest.raises(jm.EmptyLogError, match="head.csv: has a header but no data rows"):
        jm.read_log(str(write_file("head.csv", "case,activity,timestamp\n")))


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(jm.SourceNotFoundError, match="nope.csv: no such file"):
        jm.read_log(str(tmp_path / "nope.csv"))
    (tmp_path / "log.dat").write_text("case activity timestamp\n")
    with pytest.raises(jm.ConnectorNotFoundError, match="does not know this kind of file"):
        jm.read_log(str(tmp_path / "log.dat"))
    (tmp_path / "log.json").write_text("{}")
    with pytest.raises(jm.ConnectorNotFoundError, match="log.json: looks like an empty JSON"):
        jm.read_log(str(tmp_path / "log.json"))


def test_mapping_to_a_missing_column(write_file):
    path = write_file("x.csv", "case,activity,timestamp\nA,Open,2024-01-01\n")
    with pytest.raises(jm.MappingError, match="column 'Team' \\(given for team\\) does not exist"):
        jm.read_log(str(path), team="Team")


def test_undetectable_roles_say_which_option(write_file):
    path = write_file("x.csv", "a,b,c\n1,2,2024-01-01\n")
    with pytest.raises(jm.MappingError, match="case, activity, timestamp.*case='COLUMN'") as caught:
        jm.read_log(str(path))
    assert caught.value.for_command_line().endswith(
        "Name it with --case COLUMN --activity COLUMN --timestamp COLUMN"
    )


def test_duplicate_headers_are_noted(write_file):
    path = write_file("d.csv", "case,activity,timestamp,x,x\nA,Open,2024-01-01,1,2\n")
    log = jm.read_log(str(path))
    assert "column 'x' appears more than once" in log.notes[0]
    assert log.to_pandas()[["x", "x_1"]].values.tolist() == [["1", "2"]]


def test_attribute_named_like_a_role_is_kept(write_file):
    path = write_file("c.csv", "Ticket,Status,time:timestamp,case\nT1,Open,2024-01-01,keep me\n")
    log = jm.read_log(str(path), case="Ticket", activity="Status")
    assert log.to_pandas()["attribute:case"][0] == "keep me"


def test_rejects_file(write_file, tmp_path):
    path = write_file("bad.csv", "case,activity,timestamp\nA,Open,2024-01-01\nB,Open,x\n")
    log = jm.read_log(str(path))
    out = tmp_path / "rejects.csv"
    assert log.write_rejects(str(out)) == 1
    assert out.read_text().splitlines() == [
        "source_row,line,reason,case,activity,timestamp",
        "2,,unreadable timestamp: 'x' in column 'timestamp' is not ISO 8601,B,Open,x",
    ]


def test_from_frame_does_not_modify_the_frame():
    df = pd.DataFrame(
        {
            "id": [1, 2],
            "step": ["a", "b"],
            "at": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00"]),
        }
    )
    before = df.copy()
    log = jm.EventLog.from_frame(df, case="id", activity="step", timestamp="at")
    pd.testing.assert_frame_equal(df, before)
    got = log.to_pandas()
    assert list(got["case"]) == ["1", "2"]
    assert got["timestamp"][1] == pd.Timestamp("2024-01-01 11:00", tz="UTC")


def test_rejects_file_neutralises_formulas(write_file, tmp_path):
    path = write_file(
        "evil.csv",
        'case,activity,timestamp,=HYPERLINK("x")\n=cmd(),"@SUM(A1)",=1+1,a\n-x,Open,2024-01-01,b\n',
    )
    log = jm.read_log(str(path))
    out = tmp_path / "rejects.csv"
    log.write_rejects(str(out))
    lines = out.read_text().splitlines()
    # the source's own column names are cells too: a header formula is neutralised
    assert lines[0].endswith(""",timestamp,"'=HYPERLINK(""x"")\"""")
    assert lines[1].endswith(",'=cmd(),'@SUM(A1),'=1+1,a")
    assert log.to_pandas()["case"][0] == "-x"  # the log itself keeps the exact value


def test_from_frame_float_ids_with_gaps_read_as_whole_numbers():
    df = pd.DataFrame(
        {
            "case": [1001.0, None, 1002.0],
            "activity": ["a", "b", "c"],
            "timestamp": ["2024-01-01"] * 3,
        }
    )
    log = jm.EventLog.from_frame(df)
    assert list(log.to_pandas()["case"]) == ["1001", "1002"]
    assert log.rejects()["case"].isna().tolist() == [True]


def test_record_numbers_follow_the_file_across_parallel_chunks(tmp_path):
    # About 20 MB: DuckDB reads it in several chunks on several threads. A record's
    # number (source_row) must still be its place in the file, and the rejected rows'
    # numbers with it.
    n = 400_000
    path = tmp_path / "big.csv"
    rows = [
        f"C{i // 4},step {i % 4},{'not a time' if i % 100_003 == 0 else '2024-01-01 09:00'},{i + 1}"
        for i in range(n)
    ]
    path.write_text("case,activity,timestamp,n\n" + "\n".join(rows) + "\n")
    log = jm.read_log(str(path))
    events = log.to_pandas()
    assert (events["source_row"].astype("int64") == events["n"].astype("int64")).all()
    assert list(log.rejects()["source_row"]) == [1, 100_004, 200_007, 300_010]
    assert log.events + log.rejected_rows == n


def test_record_numbers_around_a_line_the_reader_cannot_split(tmp_path):
    # The file is read and typed in one pass: the rows read are numbered by their place
    # in the typed table, and a line the reader rejects (one value too many) keeps its
    # record number, the rows after it theirs.
    n = 300_000
    path = tmp_path / "big.csv"
    rows = [
        f"C{i // 4},step {i % 4},2024-01-01 09:00,{i + 1}" + (",extra" if i == 250_000 else "")
        for i in range(n)
    ]
    path.write_text("case,activity,timestamp,n\n" + "\n".join(rows) + "\n")
    log = jm.read_log(str(path))
    events = log.to_pandas()
    assert events["source_row"].dtype == "int64"  # numbers beyond 2**31 rows too
    assert (events["source_row"] == events["n"].astype("int64")).all()
    rejects = log.rejects()
    assert list(rejects["source_row"]) == [250_001]
    assert list(rejects["line"]) == [250_002]
    assert log.events == n - 1


def test_a_timestamp_column_empty_at_first_is_read_in_its_own_format(write_file):
    # The format is chosen from the first values the column has, wherever they start.
    rows = [f"C{i},a,2024-01-01 09:00,\n" for i in range(5)]
    rows += [f"C{i},b,2024-01-02 09:00,31/01/2024 08:{i:02d}\n" for i in range(5, 8)]
    path = write_file("sparse.csv", "case,activity,timestamp,start\n" + "".join(rows))
    log = jm.read_log(str(path), start_timestamp="start")
    assert log.rejected_rows == 0
    starts = log.to_pandas().sort_values("source_row")["start_timestamp"]
    assert starts.isna().tolist() == [True] * 5 + [False] * 3
    assert str(starts.iloc[5]) == "2024-01-31 08:05:00+00:00"


def test_table_cells_written_as_printf_and_the_formula_pattern_would(tmp_path):
    """The fast paths of the CSV writer (first character's code point, whole numbers
    without printf) give the bytes of the plain rule: printf for every float, a regular
    expression for every text cell."""
    import duckdb

    from journeymap.engine.duckdb_csv import write_frame

    floats = [-0.0, 0.0, 5.0, -7.0, 2.5, 0.0005, 123.4567, 1e20, 1e15, 999999999999999.0,
              float("nan"), None, -1e-9, 2.0**53]  # fmt: skip
    texts = ["x", "=a", "-1", "\tb", "", None, "é=", "@", "\r", "+", "'=", " =", "12"]
    size = max(len(floats), len(texts))
    frame = pd.DataFrame({
        "f": (floats * 2)[:size], "s": (texts * 2)[:size], "n": range(size),
    })  # fmt: skip
    con = duckdb.connect()
    con.register("frame", frame)
    for decimals in (0, 1, 3):
        path = write_frame(con, frame, tmp_path / f"t{decimals}.csv", decimals=decimals)
        expected = con.execute(
            f"SELECT CASE WHEN f IS NULL OR isnan(f) THEN NULL "
            f"ELSE printf('%.{decimals}f', f) END AS f, "
            "CASE WHEN regexp_matches(s, '^[=+\\-@\\t\\r]') THEN '''' || s ELSE s END AS s, "
            "n FROM frame ORDER BY n"
        ).df()
        want = tmp_path / f"want{decimals}.csv"
        con.register("expected", expected)
        con.execute("COPY expected TO $p (HEADER, DELIMITER ',')", {"p": str(want)})
        assert path.read_bytes() == want.read_bytes()


def test_instants_in_tables_are_iso_8601_in_utc_with_a_z(tmp_path):
    """Tables write an instant as DuckDB's own text for it in UTC, with a T and a Z:
    fractions only when present, years before 1000 with four digits, and instants
    without a date (infinity) as DuckDB names them."""
    import duckdb

    from journeymap.engine.duckdb_csv import copy_to_csv

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE t (n INTEGER, instant TIMESTAMPTZ, naive TIMESTAMP)")
    con.execute(
        "INSERT INTO t VALUES (1, '2024-01-01 09:00:00+00', '2024-01-01 09:00:00'), "
        "(2, '2024-03-31 01:30:00.25+01', '2024-03-31 00:30:00.25'), "
        "(3, '0044-03-15 12:00:00.000001+00', '0044-03-15 12:00:00.000001'), "
        "(4, 'infinity', '-infinity'), (5, NULL, NULL)"
    )
    path = tmp_path / "t.csv"
    copy_to_csv(con, "t", path, order_by="n")
    assert path.read_text().splitlines() == [
        "n,instant,naive",
        "1,2024-01-01T09:00:00Z,2024-01-01T09:00:00Z",
        "2,2024-03-31T00:30:00.25Z,2024-03-31T00:30:00.25Z",
        "3,0044-03-15T12:00:00.000001Z,0044-03-15T12:00:00.000001Z",
        "4,infinity,-infinity",
        "5,,",
    ]


def test_invisible_direction_controls_are_counted_per_role(tmp_path):
    path = tmp_path / "bidi.csv"
    path.write_text(
        "case,activity,timestamp,team\n"
        "1,Call\u202eback,2024-01-01 09:00,Front\n"
        "1,Close,2024-01-01 10:00,Ba\u2066ck\n"
        "2,Call,2024-01-02 09:00,Front\n",
        encoding="utf-8",
    )
    said = "value(s) hold invisible direction controls (such as U+202E, which reverses text)"
    with jm.read_log(str(path)) as log:
        assert [n.split(";")[0] for n in log.notes if "direction" in n] == [
            f"1 activity {said}",
            f"1 team {said}",
        ]
    clean = tmp_path / "clean.csv"
    clean.write_text(  # letters beyond ASCII, and dashes and quotes near the controls
        "case,activity,timestamp\n1,Call Siân \u2013 \u201cfront\u201d,2024-01-01 09:00\n",
        encoding="utf-8",
    )
    with jm.read_log(str(clean)) as log:
        assert not [n for n in log.notes if "direction" in n]


def test_an_xes_log_exported_as_a_table_takes_the_standard_classifier(write_file):
    # concept:name + lifecycle:transition, when the lifecycle tells something: counted
    # over the whole file, which typing reads in the same pass as ever.
    header = "case:concept:name,concept:name,lifecycle:transition,time:timestamp\n"
    told = header + "1,Fix,schedule,2024-01-01T09:00:00Z\n1,Fix,complete,2024-01-01T10:00:00Z\n"
    with jm.read_log(str(write_file("told.csv", told)), collapse_repeats="no") as log:
        assert log.to_pandas()["activity"].tolist() == ["Fix - schedule", "Fix - complete"]
        assert any("XES's standard classifier" in note for note in log.notes)
    # A start and the completion after it are one event (journeymap.lifecycle).
    paired = told.replace("schedule", "start")
    with jm.read_log(str(write_file("paired.csv", paired)), collapse_repeats="no") as log:
        assert log.to_pandas()["activity"].tolist() == ["Fix"]
        assert (log.rows_read, log.merged_starts, log.events) == (2, 1, 1)
    same = header + "1,Fix,complete,2024-01-01T09:00:00Z\n1,Fix,complete,2024-01-01T10:00:00Z\n"
    with jm.read_log(str(write_file("same.csv", same)), collapse_repeats="no") as log:
        assert log.to_pandas()["activity"].tolist() == ["Fix", "Fix"]
        assert not any("classifier" in note for note in log.notes)


def test_scratch_copies_are_removed_once_read(write_file, tmp_path, monkeypatch):
    # A gzip is decompressed, and a file with a NUL byte copied without it, into private
    # folders in the temporary directory: gone once the log is read, or fails to be.
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    text = "case,activity,timestamp\n1,a,2024-01-01 09:00\n2,b\x00,2024-01-01 10:00\n"
    packed = tmp_path / "log.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    with jm.read_log(str(packed)) as log:
        assert log.events == 2
    with pytest.raises(jm.JourneymapError, match="time"):  # no such column
        jm.read_log(str(packed), timestamp="time")
    assert list((tmp_path / "tmp").iterdir()) == []


def test_format_sample_reads_further_only_when_the_first_rows_repeat_themselves(tmp_path):
    """sample_values: the first SAMPLE_VALUES distinct values among the first SAMPLE_ROWS
    non-empty ones, in order of first appearance, whether they are found in the first
    2 * SAMPLE_VALUES rows (one short read) or only further on."""
    import duckdb

    from journeymap.engine.duckdb_sql import sample_values
    from journeymap.engine.timestamps import SAMPLE_ROWS, SAMPLE_VALUES

    con = duckdb.connect()
    # Distinct from the start: the short read holds them all.
    con.execute(
        "CREATE TABLE a AS SELECT range + 1 AS __row, "
        "CASE WHEN range % 3 = 0 THEN NULL ELSE 't' || (20000 - range) END AS v "
        f"FROM range({3 * SAMPLE_VALUES})"
    )
    found = sample_values(con, "a", "v")
    expected = [f"t{20000 - i}" for i in range(3 * SAMPLE_VALUES) if i % 3][:SAMPLE_VALUES]
    assert found == expected
    # One value repeated through the first 2 * SAMPLE_VALUES rows, then new ones: read on.
    repeated = 2 * SAMPLE_VALUES + 7
    con.execute(
        "CREATE TABLE b AS SELECT range + 1 AS __row, "
        f"CASE WHEN range < {repeated} THEN 'same' ELSE 'new' || range END AS v "
        f"FROM range({repeated + 10})"
    )
    assert sample_values(con, "b", "v") == ["same"] + [
        f"new{i}" for i in range(repeated, repeated + 10)
    ]
    # Beyond SAMPLE_ROWS nothing is read, however few the values.
    con.execute(
        "CREATE TABLE c AS SELECT range + 1 AS __row, "
        f"CASE WHEN range < {SAMPLE_ROWS} THEN 'same' ELSE 'late' END AS v "
        f"FROM range({SAMPLE_ROWS + 5})"
    )
    assert sample_values(con, "c", "v") == ["same"]
    # A short column, blanks trimmed and empty values skipped, in order of appearance.
    con.execute(
        "CREATE TABLE d AS SELECT * FROM "
        "(VALUES (1, ' b '), (2, ''), (3, 'a'), (4, 'b')) t(__row, v)"
    )
    assert sample_values(con, "d", "v") == ["b", "a"]


def test_an_old_mac_file_with_lines_ending_in_cr_alone_is_read(write_file):
    """Lines that end in CR alone (classic Mac OS) had made one long line: a copy with
    LF is read, a quoted value's CR becomes a line break, and a note says so."""
    path = write_file(
        "mac.csv",
        b'case,activity,timestamp\r1,Call,2024-01-01 09:00\r1,"Fix\rit",2024-01-01 10:00\r'
        b"2,Call,2024-01-02 09:00\r",
    )
    log = jm.read_log(str(path))
    assert (log.rows_read, log.events, log.rejected_rows) == (3, 3, 0)
    assert log.to_pandas()["activity"].tolist() == ["Call", "Fix\nit", "Call"]
    assert "lines end in CR alone (old Mac style); read as if they ended in LF" in log.notes


def test_a_column_of_times_some_with_offsets_says_which_are_read_in_the_zone(write_file):
    """Times with and without a UTC offset in one column: the note says the ones without
    are read in the zone, not that the column carries none."""
    path = write_file(
        "mixed.csv",
        "case,activity,timestamp\nC1,A,2024-01-02 09:00\nC1,B,2024-01-02T10:00:00+01:00\n"
        "C2,A,2024-01-03T09:00:00Z\n",
    )
    with jm.read_log(str(path)) as log:
        assert log.notes == [
            "some timestamps in 'timestamp' carry no UTC offset (1 of 3 looked at); those are "
            "read as UTC time, the others by their offset",
            "timestamps in 'timestamp' mix UTC offsets (+01:00, Z); all are stored in UTC",
        ]
        times = log.to_pandas()["timestamp"].dt.strftime("%H:%M").tolist()
    assert times == ["09:00", "09:00", "09:00"]
