"""DuckDB writes the per-case tables beside the rest of the output
(journeymap.engine.duckdb_writes): the same bytes as written at once, tables it cannot
see from its cursors written at once, failures raised when the block ends."""

from __future__ import annotations

import contextlib

import duckdb
import pandas as pd
import pytest

from journeymap.engine import EngineTable, connect, duckdb_writes
from journeymap.engine.base import CsvWrites


@pytest.fixture
def engine():
    with connect("duckdb") as opened:
        frame = pd.DataFrame(
            {
                "case": [f"C{i:03d}" for i in range(300)][::-1],
                "when": pd.date_range("2024-01-01 09:00", periods=300, freq="37min", tz="UTC"),
                "wait": [i / 7 for i in range(300)],
                "note": ["=SUM(A1)" if i % 50 == 0 else f"n{i}" for i in range(300)],
            }
        )
        name = opened.upload(frame)
        opened.con.execute(f"CREATE TABLE kept AS SELECT * FROM {name}")  # the database's
        yield opened


def _written(engine, table, path, writes):
    with writes:
        assert writes.add(table, path) == path
    return path.read_bytes()


def test_written_beside_are_the_bytes_written_at_once(engine, tmp_path):
    table = EngineTable(engine, engine.table("kept").filter(lambda t: t.wait > 1), ("case",))
    beside = _written(engine, table, tmp_path / "a" / "t.csv", engine.csv_writes())
    at_once = _written(engine, table, tmp_path / "b" / "t.csv", CsvWrites())
    assert beside == at_once
    lines = beside.decode().splitlines()
    assert lines[0] == "case,when,wait,note"
    assert lines[1] == "C000,2024-01-09T01:23:00Z,42.714,n299"  # row 299: 09:00 + 299 x 37 min
    assert "C249,2024-01-02T15:50:00Z,7.143,'=SUM(A1)" in lines  # formulas neutralised
    assert len(lines) == 1 + 292  # rows 8 to 299 wait more than 1


def test_only_tables_the_cursors_can_see_go_beside(engine, tmp_path, monkeypatch):
    went: list[str] = []
    original = duckdb_writes.WritesBeside._write

    def spy(self, sql, view, target, order):
        went.append(target.name)
        original(self, sql, view, target, order)

    monkeypatch.setattr(duckdb_writes.WritesBeside, "_write", spy)
    temporary = engine.materialize(engine.table("kept").select("case", "wait"), view=True)
    kept = EngineTable(engine, engine.table("kept").select("case", "wait"), ("case",))
    hidden = EngineTable(engine, engine.table(temporary), ("case",))
    unordered = EngineTable(engine, engine.table("kept"), ())
    with engine.csv_writes() as writes:
        for name, table in (("kept", kept), ("hidden", hidden), ("unordered", unordered)):
            writes.add(table, tmp_path / f"{name}.csv")
    assert went == ["kept.csv"]
    assert (tmp_path / "hidden.csv").read_bytes() == (tmp_path / "kept.csv").read_bytes()
    assert len((tmp_path / "unordered.csv").read_text().splitlines()) == 301


def test_a_failed_write_is_raised_when_the_block_ends(engine, tmp_path):
    table = EngineTable(engine, engine.table("kept"), ("case",))
    (tmp_path / "t.csv").mkdir()  # a folder where the file should go
    writes = engine.csv_writes()
    with pytest.raises(duckdb.IOException, match="t.csv"), writes:
        writes.add(table, tmp_path / "t.csv")  # returns: the write fails on its thread


def test_an_error_in_the_block_leaves_no_write_running(engine, tmp_path):
    table = EngineTable(engine, engine.table("kept"), ("case",))
    writes = engine.csv_writes()
    with pytest.raises(KeyboardInterrupt), writes:
        for i in range(6):
            writes.add(table, tmp_path / f"t{i}.csv")
        raise KeyboardInterrupt
    assert writes._pool is not None and writes._pool._shutdown
    assert all(f.done() for f in writes._pending)
    # The engine still works after it.
    assert int(engine.scalar(engine.table("kept").count())) == 300


def _threads(engine) -> int:
    return int(engine.con.execute("SELECT current_setting('threads')").fetchall()[0][0])


@pytest.mark.parametrize("fails", [False, True])
def test_the_writes_run_one_thread_each_and_the_setting_comes_back(engine, tmp_path, fails):
    engine.con.execute("SET threads = 3")
    table = EngineTable(engine, engine.table("kept"), ("case",))
    if fails:
        (tmp_path / "t.csv").mkdir()  # a folder where the file should go
    seen = []
    writes = engine.csv_writes()
    with pytest.raises(duckdb.IOException) if fails else contextlib.nullcontext(), writes:
        seen.append(_threads(engine))  # no write yet: as set
        writes.add(table, tmp_path / "t.csv")
        seen.append(_threads(engine))
    assert seen == [3, 1]
    assert _threads(engine) == 3
