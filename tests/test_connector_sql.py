"""The SQL connector, on SQLite databases made in tmp_path."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm

sqlalchemy = pytest.importorskip("sqlalchemy")

from journeymap.connectors.sql import safe_label  # noqa: E402 - needs sqlalchemy

ROWS = [
    ("001", "Open", "2024-01-05 09:15:00+01:00", 1001.0, 7),
    ("T01", "Open", "2024-01-05 10:00:00", 2.5, None),
    ("001", "Close", "2024-01-06 17:00:30", None, 3),
    (None, "Open", "2024-01-07 00:00:00", 0.0, 1),
]


@pytest.fixture
def cases_db(tmp_path: Path) -> Path:
    path = tmp_path / "cases.db"
    with sqlite3.connect(path) as db:
        db.execute(
            'CREATE TABLE "Service Events" ("Case ID" TEXT, activity TEXT, "time" TEXT, '
            "cost REAL, priority INTEGER)"
        )
        db.executemany('INSERT INTO "Service Events" VALUES (?, ?, ?, ?, ?)', ROWS)
        db.execute("CREATE TABLE teams (team TEXT, name TEXT)")
        db.execute("CREATE VIEW opened AS SELECT * FROM \"Service Events\" WHERE activity = 'Open'")
    return path


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_a_table_is_read_with_values_as_text(cases_db):
    log = jm.read_log(url(cases_db), table="Service Events", timestamp="time")
    assert (log.rows_read, log.events, log.rejected_rows, log.cases) == (4, 3, 1, 2)
    # Named with the table: two tables of one database are two logs in a report or index.
    assert log.source == "cases.db (table Service Events)"
    query = jm.read_log(url(cases_db), query='SELECT * FROM "Service Events"', timestamp="time")
    assert query.source == "cases.db (a query)"
    df = log.to_pandas()
    assert list(df["source_row"]) == [1, 3, 2]
    assert list(df["case"]) == ["001", "001", "T01"]
    assert list(df["timestamp"]) == [
        pd.Timestamp("2024-01-05 08:15:00", tz="UTC"),
        pd.Timestamp("2024-01-06 17:00:30", tz="UTC"),
        pd.Timestamp("2024-01-05 10:00:00", tz="UTC"),
    ]
    assert list(df["cost"].fillna("-")) == ["1001", "-", "2.5"]
    assert list(df["priority"].fillna("-")) == ["7", "3", "-"]
    rejects = log.rejects()
    assert list(rejects["source_row"]) == [4]
    assert rejects.loc[0, "reason"] == "no case id: column 'Case ID' is empty"


def test_table_names_match_ignoring_case_and_views_count(cases_db):
    assert jm.read_log(url(cases_db), table="service events", timestamp="time").events == 3
    assert jm.read_log(url(cases_db), table="opened", timestamp="time").rows_read == 3


def test_a_query_is_run_as_given(cases_db):
    log = jm.read_log(
        url(cases_db),
        query='SELECT "Case ID" AS ticket, activity, time FROM "Service Events" '
        'WHERE "Case ID" IS NOT NULL ORDER BY time DESC',
        case="ticket",
    )
    assert (log.rows_read, log.rejected_rows, log.cases) == (3, 0, 2)
    df = log.to_pandas()
    assert list(zip(df["source_row"], df["activity"], strict=True)) == [
        (3, "Open"),
        (1, "Close"),
        (2, "Open"),
    ]


def test_repeated_column_names_in_a_query_are_renamed(cases_db):
    log = jm.read_log(
        url(cases_db),
        query='SELECT "Case ID", activity, time, activity FROM "Service Events"',
        timestamp="time",
    )
    assert "activity_1" in log.attributes
    assert any("'activity'" in note and "'activity_1'" in note for note in log.notes)


def test_an_unknown_table_lists_the_tables(cases_db):
    with pytest.raises(
        jm.SourceError, match=r"cases\.db: has no table 'events'; the tables are: 'Service Events'"
    ) as caught:
        jm.read_log(url(cases_db), table="events")
    assert "'opened', 'teams'" in str(caught.value)


@pytest.mark.parametrize(
    ("options", "message", "on_the_command_line"),
    [
        (
            {},
            r"give table='NAME' \(the tables are: .*\) or query='SELECT ...'",
            r"give --table NAME \(the tables are: .*\) or --query 'SELECT ...'",
        ),
        (
            {"table": "teams", "query": "SELECT 1"},
            r"give either table or query, not both",
            r"give either --table or --query, not both",
        ),
    ],
)
def test_exactly_one_of_table_and_query_is_needed(cases_db, options, message, on_the_command_line):
    with pytest.raises(jm.SourceError, match=message) as caught:
        jm.read_log(url(cases_db), **options)
    assert re.search(on_the_command_line, caught.value.for_command_line())


def test_nothing_is_written_to_the_database(cases_db):
    with pytest.raises(jm.SourceError, match=r"readonly|read-only|no rows"):
        jm.read_log(url(cases_db), query='DELETE FROM "Service Events"')
    with sqlite3.connect(cases_db) as db:
        assert db.execute('SELECT count(*) FROM "Service Events"').fetchone() == (4,)


def test_a_bad_query_says_what_the_database_said(cases_db):
    with pytest.raises(jm.SourceError, match=r'cases\.db: the database refused: near "SELEC"'):
        jm.read_log(url(cases_db), query="SELEC oops")


def test_an_empty_table_is_empty(cases_db):
    with pytest.raises(jm.EmptyLogError, match=r"cases\.db: table 'teams' holds no rows"):
        jm.read_log(url(cases_db), table="teams")


def test_a_missing_sqlite_file_is_not_created(tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(jm.SourceNotFoundError, match=r"no such SQLite database file"):
        jm.read_log(url(missing), table="events")
    assert not missing.exists()


def test_labels_never_show_a_password():
    make_url = sqlalchemy.engine.make_url
    label = safe_label(make_url("postgresql://ann:s3cret@db.example.com:5432/crm?password=x"))
    assert label == "postgresql://ann:***@db.example.com:5432/crm"
    assert safe_label(make_url("sqlite:////srv/exports/cases.db")) == "cases.db"


def test_errors_from_a_server_url_never_show_the_password():
    # Port 1 on loopback: refused at once, or the driver is missing; either way an error.
    with pytest.raises(jm.JourneymapError) as caught:
        jm.read_log("postgresql://ann:s3cret@127.0.0.1:1/crm", table="events")
    assert "s3cret" not in str(caught.value)
    assert "ann:***@127.0.0.1:1/crm" in str(caught.value)
