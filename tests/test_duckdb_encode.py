"""The events' activities, handlers and channels stored as enumerations on DuckDB
(journeymap.engine.duckdb_encode): nothing a user sees may change."""

from __future__ import annotations

import pandas as pd
import pytest

import journeymap as jm
from journeymap.engine import duckdb_encode
from journeymap.eventlog import EventLog

# Activities whose text order is not their order of appearance, with capitals, an
# accent, a formula and a value that sorts before the capitals.
ROWS = [
    ("1", "b close", "2024-01-01 09:00", "Zoe", "Team B"),
    ("1", "Ärger", "2024-01-01 10:00", "amy", "team a"),
    ("1", "=HYPERLINK(1)", "2024-01-01 11:00", "Zoe", "Team B"),
    ("2", "B close", "2024-01-02 09:00", "amy", None),
    ("2", "a open", "2024-01-02 10:00", "Bob", "team a"),
    ("3", "a open", "2024-01-03 09:00", "Bob", "Team B"),
]


def make_log(**kwargs):
    frame = pd.DataFrame(ROWS, columns=["case", "activity", "timestamp", "resource", "team"])
    return EventLog.from_frame(frame, **kwargs)


def column_types(log, name):
    con = log.engine.con
    relation = con.sql(f"SELECT * FROM {name} LIMIT 0")
    return {c: t.id for c, t in zip(relation.columns, relation.types, strict=True)}


def test_the_roles_with_few_values_are_enumerations_and_read_as_text():
    with make_log() as log:
        kinds = column_types(log, log.table_name)
        assert {r: kinds[r] for r in ("case", "activity", "resource", "team")} == {
            "case": "varchar",  # one value per case: not worth an enumeration
            "activity": "enum",
            "resource": "enum",
            "team": "enum",
        }
        stored = log.engine._stored[log.table_name]
        assert column_types(log, stored)["activity"] == "varchar"
        # Ibis sees text, and results come back as the same Python strings as a text
        # column's (not pandas categories)
        assert str(log.table.schema()["activity"]) == "string"
        t = log.table
        frame = log.engine.fetch(t.select("case", "activity").order_by("activity"))
        assert frame["activity"].dtype == frame["case"].dtype
        assert list(frame["activity"]) == sorted(a for _, a, *_ in ROWS)


def test_an_enumeration_sorts_and_compares_as_its_text():
    with make_log() as log:
        t = log.table
        groups = log.engine.fetch(
            t.group_by("activity")
            .aggregate(n=t.count(), first=t.team.min(), last=t.team.max())
            .order_by("activity")
        )
        assert list(groups["activity"]) == [
            "=HYPERLINK(1)",
            "B close",
            "a open",
            "b close",
            "Ärger",
        ]
        assert list(groups["n"]) == [1, 1, 2, 1, 1]
        # a value the log does not hold compares as text: no match, no error
        assert log.engine.scalar(t.filter(t.activity == "nowhere").count()) == 0
        assert log.engine.scalar(t.filter(t.activity.isin(["a open", "x"])).count()) == 2
        assert log.engine.scalar(t.filter(t.activity.lower() == "b close").count()) == 2
        sequences = log.engine.fetch(
            t.group_by("case")
            .aggregate(seq=t.activity.collect(order_by=[t.timestamp]))
            .order_by("case")
        )
        assert [list(s) for s in sequences["seq"]] == [
            ["b close", "Ärger", "=HYPERLINK(1)"],
            ["B close", "a open"],
            ["a open"],
        ]


def test_a_role_with_too_many_values_stays_text(monkeypatch):
    monkeypatch.setattr(duckdb_encode, "MAX_VALUES", 2)  # 3 people, 2 teams
    with make_log() as log:
        kinds = column_types(log, log.table_name)
        assert (kinds["resource"], kinds["team"], kinds["activity"]) == (
            "varchar",
            "enum",
            "varchar",
        )
        leftover = log.engine.con.execute(
            "SELECT count(*) FROM duckdb_types() WHERE type_name LIKE '%resource_values'"
        ).fetchall()
        assert leftover == [(0,)]


def test_nothing_to_encode_leaves_the_events_a_table(monkeypatch):
    monkeypatch.setattr(duckdb_encode, "MAX_VALUES", 0)
    with make_log() as log:
        assert log.engine._stored == {}
        found = log.engine.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = $n", {"n": log.table_name}
        ).fetchall()
        assert found == [(1,)]
        assert set(column_types(log, log.table_name).values()) <= {
            "varchar",
            "timestamp with time zone",
            "bigint",
        }


def test_encoded_text_is_neutralised_in_the_tables(tmp_path):
    """An activity a spreadsheet would run as a formula is written with an apostrophe,
    from an enumeration as from text."""
    with make_log() as log:
        log.write_rejects(str(tmp_path / "rejects.csv"))
        log.engine.write_csv(
            log.table.select("activity"), tmp_path / "a.csv", order_by=("activity",)
        )
    assert (tmp_path / "a.csv").read_text().splitlines()[:2] == ["activity", "'=HYPERLINK(1)"]


def test_dropping_the_events_drops_their_stored_table():
    with make_log() as log:
        engine, name = log.engine, log.table_name
        stored = engine._stored[name]
        engine.drop(name)
        left = engine.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = $n", {"n": stored}
        ).fetchall()
        assert left == [(0,)]


def test_mine_writes_the_same_tables_with_and_without_the_encoding(tmp_path, monkeypatch):
    """The encoding changes how the engine stores the text, nothing it writes."""
    frame = pd.DataFrame(ROWS, columns=["case", "activity", "timestamp", "resource", "team"])
    outputs = []
    for limit in (duckdb_encode.MAX_VALUES, 0):  # 0: every role stays text
        monkeypatch.setattr(duckdb_encode, "MAX_VALUES", limit)
        out = tmp_path / f"out{limit}"
        with EventLog.from_frame(frame) as log:
            assert bool(log.engine._stored) == (limit > 0)
            jm.write_outputs(jm.mine(log, lanes="none"), out)
        outputs.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*.csv")})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) > 5
    for name, data in outputs[0].items():
        assert data == outputs[1][name], name


@pytest.mark.parametrize("value", ["", " "])
def test_blank_and_missing_handlers_stay_missing(value):
    rows = [("1", "Log", "2024-01-01 09:00", value), ("1", "Fix", "2024-01-01 10:00", "A")]
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "team"])
    with EventLog.from_frame(frame) as log:
        t = log.table
        assert log.engine.scalar(t.team.isnull().sum()) == 1
