"""The SQL connector against a real PostgreSQL server, started by the tests on 127.0.0.1.

The server is the session fixture ``postgres_server`` (tests/postgres_server.py): these
tests skip when PostgreSQL is not installed, and fail instead under
``JOURNEYMAP_REQUIRE_SERVICES=1`` (CI).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pandas as pd
import pytest
from click.testing import CliRunner

import journeymap as jm
from journeymap.cli import cli

pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg")

pytestmark = pytest.mark.services

EVENTS = [
    ("T1", "Open", "2024-01-05 09:15:00+01", "ann"),
    ("T1", "Assign", "2024-01-05 10:00:00+00", "bob"),
    ("T2", "Open", "2024-01-06 08:00:00+00", "ann"),
    ("T1", "Close", "2024-01-07 17:30:00+00", "bob"),
    ("T01", "Open", "2024-01-08 12:00:00+00", None),
]


@pytest.fixture(scope="module")
def pg(postgres_server: Any) -> Iterator[Any]:
    """The server, with the test tables in its database."""
    with contextlib.closing(postgres_server.connect()) as db:
        db.execute("CREATE TABLE events (case_id text, activity text, at timestamptz, agent text)")
        with db.cursor() as cursor:
            cursor.executemany("INSERT INTO events VALUES (%s, %s, %s, %s)", EVENTS)
        db.execute(
            'CREATE TABLE "Service ""Desk"" Events" ("Case ID" text, "Step" text, "When" timestamp)'
        )
        db.execute(
            'INSERT INTO "Service ""Desk"" Events" VALUES '
            "('C-1', 'Call', '2024-02-01 09:00'), ('C-1', 'Fix', '2024-02-01 09:30'), "
            "('C-2', 'Call', '2024-02-02 10:00')"
        )
        db.execute('CREATE SCHEMA crm; CREATE TABLE crm."Calls" (caller text, topic text, t text)')
        db.execute(
            "INSERT INTO crm.\"Calls\" VALUES ('K1', 'Billing', '2024-03-01T08:00:00Z'), "
            "('K1', 'Chase', '2024-03-02T08:00:00Z')"
        )
        db.execute("CREATE TABLE victims (id int); INSERT INTO victims VALUES (1), (2)")
    yield postgres_server


def password_spellings(password: str) -> list[str]:
    """The password as typed and as written in a URL."""
    return [password, quote(password, safe="")]


def assert_secret_free(text: str, *passwords: str) -> None:
    for password in passwords:
        for spelling in password_spellings(password):
            assert spelling not in text


# -- reading ----------------------------------------------------------------------------


def test_a_table_gives_exact_events_and_cases(pg):
    log = jm.read_log(pg.url(), table="events", case="case_id", timestamp="at", resource="agent")
    assert (log.rows_read, log.events, log.rejected_rows, log.cases) == (5, 5, 0, 3)
    assert log.source == (
        f"postgresql+psycopg://journeymap:***@127.0.0.1:{pg.port}/journeymap_test (table events)"
    )
    df = log.to_pandas()
    assert list(zip(df["case"], df["activity"], strict=True)) == [
        ("T01", "Open"),
        ("T1", "Open"),
        ("T1", "Assign"),
        ("T1", "Close"),
        ("T2", "Open"),
    ]
    # timestamptz arrives with its offset: 09:15+01 is 08:15 UTC.
    assert df["timestamp"].iloc[1] == pd.Timestamp("2024-01-05 08:15:00", tz="UTC")
    assert list(df["resource"].fillna("-")) == ["-", "ann", "bob", "bob", "ann"]


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_bare_schemes_read_through_psycopg(pg, scheme):
    log = jm.read_log(pg.url(driver=scheme), table="events", case="case_id", timestamp="at")
    assert (log.events, log.source) == (
        5,
        f"{scheme}://journeymap:***@127.0.0.1:{pg.port}/journeymap_test (table events)",
    )


def test_a_query_gives_exact_rows_in_its_order(pg):
    log = jm.read_log(
        pg.url(),
        query="SELECT case_id AS ticket, activity, at FROM events "
        "WHERE agent IS NOT NULL ORDER BY at DESC",
        case="ticket",
        timestamp="at",
    )
    assert (log.rows_read, log.events, log.cases) == (4, 4, 2)
    df = log.to_pandas()
    assert list(zip(df["source_row"], df["activity"], strict=True)) == [
        (4, "Open"),
        (3, "Assign"),
        (1, "Close"),
        (2, "Open"),
    ]


def test_a_query_keeps_its_percent_signs(pg):
    """psycopg read LIKE '%ss%' as a placeholder ("only '%s', '%b', '%t' are allowed")
    on the default engine, where SQLite and --engine postgres read it."""
    log = jm.read_log(
        pg.url(),
        query="SELECT case_id, activity, at FROM events WHERE activity LIKE '%ss%'",
        timestamp="at",
    )
    assert log.to_pandas()["activity"].tolist() == ["Assign"]


def test_quoted_upper_case_names_with_spaces_are_read(pg):
    log = jm.read_log(
        pg.url(), table='Service "Desk" Events', case="Case ID", activity="Step", timestamp="When"
    )
    assert (log.events, log.cases) == (3, 2)
    assert list(log.to_pandas()["activity"]) == ["Call", "Fix", "Call"]


def test_a_schema_qualified_table_is_read(pg):
    log = jm.read_log(pg.url(), table="crm.Calls", case="caller", activity="topic", timestamp="t")
    assert (log.events, log.cases) == (2, 1)
    assert list(log.to_pandas()["activity"]) == ["Billing", "Chase"]


@pytest.mark.parametrize(
    "name",
    [
        "victims; DROP TABLE victims; --",
        'victims" ; DROP TABLE victims; --',
        "public.victims; DROP TABLE victims",
    ],
)
def test_a_table_name_that_is_sql_is_refused_unrun(pg, name):
    with pytest.raises(jm.SourceError, match=r"has no table .*; the tables are: "):
        jm.read_log(pg.url(), table=name)
    with contextlib.closing(pg.connect()) as db:
        assert db.execute("SELECT count(*) FROM victims").fetchone() == (2,)


# -- passwords ----------------------------------------------------------------------------


def test_the_password_can_come_from_journeymap_db_password(pg, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("JOURNEYMAP_DB_PASSWORD", pg.password)
    log = jm.read_log(pg.url(password=""), table="events", case="case_id", timestamp="at")
    assert log.events == 5
    assert_secret_free(log.source, pg.password)


def test_the_password_can_come_from_pgpassword(pg, monkeypatch):
    monkeypatch.delenv("JOURNEYMAP_DB_PASSWORD", raising=False)
    monkeypatch.setenv("PGPASSWORD", pg.password)
    log = jm.read_log(pg.url(password=""), table="events", case="case_id", timestamp="at")
    assert log.events == 5


def test_a_url_password_wins_over_the_environment(pg, monkeypatch):
    monkeypatch.setenv("JOURNEYMAP_DB_PASSWORD", "not-the-password")
    assert jm.read_log(pg.url(), table="events", case="case_id", timestamp="at").events == 5


def test_no_password_anywhere_is_one_clear_line(pg, monkeypatch, tmp_path):
    monkeypatch.delenv("JOURNEYMAP_DB_PASSWORD", raising=False)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no.pgpass"))
    with pytest.raises(jm.SourceError, match=r"no password supplied") as caught:
        jm.read_log(pg.url(password=""), table="events")
    assert "\n" not in str(caught.value)


# -- bad input: one line each, never the password ------------------------------------------

WRONG = "Wr0ng:p@ss/word"


@pytest.mark.parametrize(
    ("kind", "error", "said"),
    [
        ("wrong password", jm.SourceError, r'password authentication failed for user "journeymap"'),
        ("closed port", jm.SourceError, r"Connection refused|connection failed"),
        ("missing database", jm.SourceError, r'database "no_such_db" does not exist'),
        ("missing table", jm.SourceError, r"has no table 'tickets'; the tables are: "),
        ("query error", jm.SourceError, r'syntax error at or near "SELEC"'),
        ("missing relation", jm.SourceError, r'relation "\*\*\*" does not exist'),
    ],
)
def test_bad_input_is_one_line_without_the_password(pg, kind, error, said):
    url, options = pg.url(), {"table": "events"}
    if kind == "wrong password":
        url = pg.url(password=WRONG)
    elif kind == "closed port":
        url = pg.url(port=_closed_port())
    elif kind == "missing database":
        url = pg.url(database="no_such_db")
    elif kind == "missing table":
        options = {"table": "tickets"}
    elif kind == "query error":
        options = {"query": f"SELEC '{pg.password}'"}
    else:  # a driver message that repeats the password has it replaced
        options = {"query": f'SELECT * FROM "{pg.password}"'}
    with pytest.raises(error, match=said) as caught:
        jm.read_log(url, **options)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("postgresql+psycopg://journeymap:***@127.0.0.1:")
    assert_secret_free(message, pg.password, WRONG)
    assert_secret_free(repr(caught.value), pg.password, WRONG)


def _closed_port() -> int:
    from postgres_server import free_port

    return free_port()  # free now: nothing listens there


def test_a_port_that_is_not_a_number_does_not_show_the_url(pg):
    with pytest.raises(jm.SourceError, match=r"a postgresql\+psycopg:// URL that cannot be read"):
        jm.read_log(f"postgresql+psycopg://journeymap:{pg.password}@127.0.0.1:pgport/db")


# -- the command line and the outputs -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--table", "events", "--case", "case_id", "--timestamp", "at"], 0),
        (["--table", "tickets"], 1),
        (["--query", "SELEC 1"], 1),
    ],
)
def test_inspect_never_prints_the_password(pg, args, code):
    result = CliRunner().invoke(cli, ["inspect", pg.url(), *args])
    assert result.exit_code == code, result.output
    assert_secret_free(result.output, pg.password)
    if code:
        assert result.stderr.startswith("Error: postgresql+psycopg://journeymap:***@")
        assert result.stderr.count("\n") == 1


def test_inspect_with_a_wrong_password_is_one_line_without_it(pg):
    result = CliRunner().invoke(cli, ["inspect", pg.url(password=WRONG), "--table", "events"])
    assert result.exit_code == 1
    assert "password authentication failed" in result.stderr
    assert result.stderr.count("\n") == 1
    assert_secret_free(result.output, WRONG, pg.password)


def test_mine_writes_no_password_anywhere(pg, tmp_path, monkeypatch):
    # Progress lines go to a terminal only; show them here too.
    monkeypatch.setattr("journeymap.cli._progress", lambda: lambda message: print(message))
    out = tmp_path / "out"
    roles = ["--case", "case_id", "--timestamp", "at", "--resource", "agent"]
    args = ["mine", pg.url(), "--table", "events", *roles, "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"reading postgresql+psycopg://journeymap:***@127.0.0.1:{pg.port}/" in result.output
    assert_secret_free(result.output, pg.password)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["source"] == (
        f"postgresql+psycopg://journeymap:***@127.0.0.1:{pg.port}/journeymap_test (table events)"
    )
    written = [p for p in out.rglob("*") if p.is_file()]
    assert out / "report.html" in written
    for path in written:
        assert_secret_free(path.read_bytes().decode("utf-8", errors="replace"), pg.password)


# -- a million rows, streamed ---------------------------------------------------------------

MILLION = 1_000_000
# Rows of 6 values, as the driver returns them: text, a timestamp and an integer.
BIG_TABLE = f"""
CREATE TABLE big AS
SELECT 'C' || lpad((i / 10)::text, 6, '0') AS case_id,
       (ARRAY['Open', 'Assign', 'Work', 'Resolve', 'Close'])[i % 5 + 1] AS activity,
       timestamp '2024-01-01' + i * interval '1 minute' AS at,
       'agent' || (i % 50) AS agent,
       'Team ' || (i % 7) AS team,
       i AS n
FROM generate_series(0, {MILLION - 1}) AS i
"""
# Peak RSS growth of read_log in a fresh interpreter, after a first small read has
# imported and warmed up everything. DuckDB's memory is capped (JOURNEYMAP_MEMORY_LIMIT)
# so that what is measured is journeymap's own: one batch of rows in Python at a time.
MEASURE = """
import json, resource, sys
import journeymap as jm

def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

url = sys.argv[1]
jm.read_log(url, query="SELECT * FROM big LIMIT 1000", case="case_id", timestamp="at")
before = peak_kb()
log = jm.read_log(url, table="big", case="case_id", timestamp="at", resource="agent")
print(json.dumps({"events": log.events, "cases": log.cases, "growth": (peak_kb() - before) * 1024}))
"""


def _python_size(row: tuple[Any, ...]) -> int:
    """Bytes of one row held as Python objects: the tuple and each value."""
    return sys.getsizeof(row) + sum(sys.getsizeof(value) for value in row)


@pytest.mark.slow
def test_a_million_rows_stream_in_bounded_memory(pg, tmp_path):
    with contextlib.closing(pg.connect()) as db:
        db.execute(BIG_TABLE)
        # The rows fully materialised: a list of tuples, sized from a sample of 10,000.
        sample = db.execute("SELECT * FROM big ORDER BY n LIMIT 10000").fetchall()
    try:
        per_row = sum(_python_size(row) for row in sample) / len(sample) + 8  # + list slot
        materialised = per_row * MILLION
        # 64 MB: reading orders the events once, and the ordering window (with the
        # last known handler per level) does not fit in 32 MB.
        env = {**os.environ, "JOURNEYMAP_MEMORY_LIMIT": "64MB"}
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(MEASURE), pg.url()],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,  # where DuckDB spills
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        measured = json.loads(done.stdout)
        assert (measured["events"], measured["cases"]) == (MILLION, MILLION // 10)
        # The bound: less than half of the rows held in Python at once (about 380 MB for
        # these rows; the read measured about 120 MB, most of it one 50,000-row batch).
        print(f"peak RSS growth {measured['growth'] / 2**20:.0f} MiB; "
              f"rows as Python objects {materialised / 2**20:.0f} MiB")  # fmt: skip
        assert measured["growth"] < materialised / 2
    finally:
        with contextlib.closing(pg.connect()) as db:
            db.execute("DROP TABLE big")
