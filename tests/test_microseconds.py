"""Whole microseconds between instants (journeymap.engine.microseconds) on DuckDB: the
same numbers as Python's, whatever the session's time zone."""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis
import pytest

from journeymap.engine.microseconds import microseconds_between

UTC = dt.UTC
PAIRS = [
    # (later, earlier): a second and a half; across Europe/London's clocks going back;
    # a negative difference; a missing side.
    (dt.datetime(2024, 1, 1, 0, 0, 1, 500000, UTC), dt.datetime(2024, 1, 1, tzinfo=UTC)),
    (dt.datetime(2024, 10, 27, 1, 30, tzinfo=UTC), dt.datetime(2024, 10, 26, 23, 59, 59, 1, UTC)),
    (dt.datetime(2023, 12, 31, tzinfo=UTC), dt.datetime(2024, 1, 1, 0, 0, 0, 7, UTC)),
    (None, dt.datetime(2024, 1, 1, tzinfo=UTC)),
]


def _expected(later: dt.datetime | None, earlier: dt.datetime) -> int | None:
    if later is None:
        return None
    delta = later - earlier
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "Pacific/Chatham"])
def test_duckdb_counts_the_microseconds_python_counts(zone: str) -> None:
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{zone}'")
    con.execute("CREATE TABLE t (i INTEGER, later TIMESTAMPTZ, earlier TIMESTAMPTZ)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, *p) for i, p in enumerate(PAIRS)])
    backend = ibis.duckdb.from_connection(con)
    t = backend.table("t")
    sql = str(backend.compile(t.select("i", us=microseconds_between(t.later, t.earlier))))
    assert "EPOCH_US" in sql and "DATE_DIFF" not in sql
    found = dict(con.execute(f"{sql} ORDER BY i").fetchall())
    assert [found[i] for i in range(len(PAIRS))] == [_expected(*p) for p in PAIRS]
    assert found[0] == 1_500_000 and found[2] == -86_400_000_007 and found[3] is None
