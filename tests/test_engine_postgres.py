"""``--engine postgres``: the analyses inside PostgreSQL, on the throwaway server the tests
start on 127.0.0.1, give the files DuckDB gives. (Every analysis on the contract log runs
on both engines in tests/contract.)"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

import journeymap as jm
from journeymap.cli import cli
from journeymap.engine import connect

pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg")

pytestmark = pytest.mark.services

ROWS = [
    ("T1", "Call received", "2024-01-01 09:00:00+00", "ann", "Front", "phone", "C1"),
    ("T1", "Assess", "2024-01-01 10:00:00+00", "bob", "Back", "phone", "C1"),
    ("T1", "Chase call", "2024-01-03 09:00:00+00", "ann", "Front", "phone", "C1"),
    ("T1", "Close", "2024-01-04 09:00:00+00", "bob", "Back", "phone", "C1"),
    ("T2", "Form", "2024-01-05 09:00:00+00", None, None, "web", "C1"),
    ("T2", "Assess", "2024-01-05 11:00:00+00", "bob", "Back", "web", "C1"),
    ("T2", "Close", "2024-01-06 09:00:00+00", "bob", "Back", "web", "C1"),
    ("T3", "Call received", "2024-01-09 09:00:00+00", "ann", "Front", "phone", "C2"),
    ("T3", "Close", "2024-01-09 09:30:00+00", "ann", "Front", "phone", "C2"),
    ("T4", "Form", "2024-01-16 08:00:00+00", None, "?", "web", "C3"),
    ("T4", "Assess", "2024-01-16 12:00:00+00", "cat", "Back", "web", "C3"),
    ("T4", "Assess", "2024-01-17 12:00:00+00", "bob", "Back", "web", "C3"),
    ("T4", "Close", "2024-01-18 12:00:00+00", "cat", "Back", "web", "C3"),
    (None, "Close", "2024-01-18 13:00:00+00", "cat", "Back", "web", "C3"),
]
COLUMNS = (
    "case_id text, activity text, at timestamptz, agent text, team text, channel text, "
    "customer text"
)


@pytest.fixture(scope="module")
def pg(postgres_server: Any) -> Iterator[Any]:
    with contextlib.closing(postgres_server.connect()) as db:
        db.execute(f"CREATE TABLE service_events ({COLUMNS})")
        with db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO service_events VALUES (%s, %s, %s, %s, %s, %s, %s)", ROWS
            )
        db.execute(
            "CREATE TABLE text_times AS SELECT 'T1' AS case_id, 'Open' AS activity, "
            "'01/02/2024 09:00' AS at"
        )
    yield postgres_server


ROLES = ["--case", "case_id", "--timestamp", "at", "--resource", "agent"]


def test_read_inside_postgres_gives_the_events_and_rejects(pg):
    with connect("postgres", url=pg.url()) as engine:
        log = jm.read_log(pg.url(), table="service_events", case="case_id", timestamp="at",
                          resource="agent", engine=engine)  # fmt: skip
        assert (log.rows_read, log.rejected_rows, log.events, log.cases) == (14, 1, 13, 4)
        assert log.placeholders == {"resource": 0, "team": 1, "channel": 0, "customer": 0}
        assert "typed and analysed inside PostgreSQL (--engine postgres)" in log.notes
        rejects = log.rejects()
        assert rejects[["source_row", "reason"]].values.tolist() == [
            [14, "no case id: column 'case_id' is empty"]
        ]


def test_mine_on_postgres_writes_what_duckdb_writes(pg, tmp_path):
    outputs = {}
    for engine in ("duckdb", "postgres"):
        out = tmp_path / engine
        args = ["mine", pg.url(), "--table", "service_events", *ROLES, "--engine", engine,
                "-o", str(out), "--no-report"]  # fmt: skip
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        outputs[engine] = out
    duck, post = (json.loads((outputs[e] / "summary.json").read_text()) for e in outputs)
    assert duck.pop("data_quality") == post.pop("data_quality")
    assert duck == post
    assert duck["cases"] == 4 and duck["customer_journeys"]["cross_channel"] == 1
    for table in sorted((outputs["duckdb"] / "tables").iterdir()):
        assert table.read_bytes() == (outputs["postgres"] / "tables" / table.name).read_bytes(), (
            table.name
        )
    assert (outputs["duckdb"] / "journey.dot").read_bytes() == (
        outputs["postgres"] / "journey.dot"
    ).read_bytes()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--table", "tickets"], "has no table 'tickets'; the tables are: "),
        (["--query", "SELEC 1"], "syntax error at or near"),
        (["--table", "text_times", *ROLES[:4]],
         "column 'at' holds '01/02/2024 09:00': the postgres engine reads ISO 8601 text "
         "and timestamp columns only; use --engine duckdb"),
        (["--table", "text_times", *ROLES[:4], "--timestamp-format", "%d/%m/%Y %H:%M"],
         "the postgres engine reads ISO 8601 text and timestamp columns only, not "
         "--timestamp-format '%d/%m/%Y %H:%M'; use --engine duckdb"),
    ],
)  # fmt: skip
def test_bad_input_on_postgres_is_one_line_without_the_password(pg, args, said):
    result = CliRunner().invoke(cli, ["inspect", pg.url(), *args, "--engine", "postgres"])
    assert result.exit_code in (1, 2), result.output
    assert said in result.stderr
    if "--table" in args and "tickets" in args:  # the server's tables, listed
        assert "'service_events', 'text_times'" in result.stderr
    assert result.stderr.count("\n") == 1
    assert pg.password not in result.output


def test_the_postgres_engine_needs_a_postgres_log(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\nA,Open,2024-01-01\n")
    result = CliRunner().invoke(cli, ["inspect", str(path), "--engine", "postgres"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --engine postgres runs the analyses inside the PostgreSQL database the log "
        "is read from: give a postgresql:// URL as the log\n"
    )


def test_dates_at_local_midnight_inside_postgres_as_on_duckdb(pg):
    """Text dates written as local midnights (+01:00, +02:00) are the dates they show
    inside PostgreSQL as on DuckDB, not the UTC instants of the evenings before."""
    with contextlib.closing(pg.connect()) as db:
        db.execute(
            "CREATE TABLE fines AS SELECT * FROM (VALUES "
            "('F1', 'Create Fine', '2005-03-23 00:00:00+01:00'), "
            "('F1', 'Send Fine', '2005-07-22T00:00:00.000+02:00')) AS t(case_id, activity, at)"
        )
    given = {"table": "fines", "case": "case_id", "timestamp": "at"}
    with connect("postgres", url=pg.url()) as engine:
        for log in (jm.read_log(pg.url(), **given), jm.read_log(pg.url(), engine=engine, **given)):
            with log:
                stamps = log.to_pandas()["timestamp"]
                assert [t.isoformat() for t in stamps] == [
                    "2005-03-23T00:00:00+00:00", "2005-07-22T00:00:00+00:00",
                ]  # fmt: skip
                assert any("all midnight in their own UTC offset" in n for n in log.notes)
