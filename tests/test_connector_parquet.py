"""The Parquet connector: tiny files written with pyarrow in tmp_path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import journeymap as jm

UTC_PLUS_1 = dt.timezone(dt.timedelta(hours=1))


def tiny_table() -> pa.Table:
    return pa.table(
        {
            "Case ID": ["001", "T01", "001", None],
            "Activity": ["Open", "Open", "Close", "Open"],
            "Timestamp": pa.array(
                [
                    dt.datetime(2024, 1, 5, 9, 15),
                    dt.datetime(2024, 1, 5, 10, 0),
                    dt.datetime(2024, 1, 6, 17, 0, 30, 250000),
                    dt.datetime(2024, 1, 7),
                ],
                pa.timestamp("us"),
            ),
            "Sent": pa.array(
                [dt.datetime(2024, 1, 5, 9, 0, tzinfo=UTC_PLUS_1)] * 4, pa.timestamp("us", "UTC")
            ),
            "Priority": pa.array([1, 2, None, 4], pa.int64()),
            "Cost": [1001.0, 2.5, None, 0.0],
        }
    )


@pytest.fixture
def events_parquet(tmp_path: Path) -> Path:
    path = tmp_path / "events.parquet"
    pq.write_table(tiny_table(), path)
    return path


def test_typed_columns_are_read_and_identifiers_stay_text(events_parquet):
    log = jm.read_log(str(events_parquet), start_timestamp="Sent")
    assert (log.rows_read, log.events, log.rejected_rows, log.cases) == (4, 3, 1, 2)
    df = log.to_pandas()
    assert list(df["source_row"]) == [1, 3, 2]
    assert list(df["case"]) == ["001", "001", "T01"]
    assert list(df["timestamp"]) == [
        pd.Timestamp("2024-01-05 09:15:00", tz="UTC"),
        pd.Timestamp("2024-01-06 17:00:30.250", tz="UTC"),
        pd.Timestamp("2024-01-05 10:00:00", tz="UTC"),
    ]
    assert df.loc[0, "start_timestamp"] == pd.Timestamp("2024-01-05 08:00:00", tz="UTC")
    assert df.loc[0, "Priority"] == "1"
    assert pd.isna(df.loc[1, "Priority"])
    assert rejects_of(log) == [(4, "no case id: column 'Case ID' is empty")]


def rejects_of(log: jm.EventLog) -> list[tuple[int, str]]:
    return [(int(r), str(why)) for r, why in log.rejects()[["source_row", "reason"]].values]


def test_naive_timestamps_are_read_in_the_given_time_zone(events_parquet):
    log = jm.read_log(str(events_parquet), timezone="America/New_York")
    first = log.to_pandas().sort_values("source_row").iloc[0]
    assert first["timestamp"] == pd.Timestamp("2024-01-05 14:15:00", tz="UTC")


def test_records_are_numbered_in_file_order_across_row_groups(tmp_path):
    n = 30_000
    table = pa.table(
        {
            "case": [f"C{i // 3:05d}" for i in range(n)],
            "activity": [f"A{i % 3}" for i in range(n)],
            "time": [f"2024-01-01 00:00:{i % 60:02d}" for i in range(n)],
            "seq": list(range(1, n + 1)),
        }
    )
    path = tmp_path / "many.pq"
    pq.write_table(table, path, row_group_size=1_000)
    log = jm.read_log(str(path))
    ((mismatches,),) = log.engine.con.execute(
        f"SELECT count(*) FROM {log.table_name} WHERE CAST(seq AS BIGINT) <> source_row"
    ).fetchall()
    assert (log.events, log.cases, mismatches) == (n, n // 3, 0)


def test_a_source_column_named_like_the_row_number_is_kept(tmp_path):
    table = tiny_table().append_column("__row", pa.array(["a", "b", "c", "d"]))
    pq.write_table(table, tmp_path / "rows.parquet")
    log = jm.read_log(str(tmp_path / "rows.parquet"))
    assert log.to_pandas().sort_values("source_row")["__row_1"].tolist() == ["a", "b", "c"]
    assert any("'__row' is read as '__row_1'" in note for note in log.notes)


def test_a_damaged_file_is_an_error(events_parquet, tmp_path):
    data = events_parquet.read_bytes()
    (tmp_path / "cut.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(jm.SourceError, match=r"cut\.parquet: cannot be read as Parquet"):
        jm.read_log(str(tmp_path / "cut.parquet"))


def test_a_file_without_rows_is_empty(tmp_path):
    pq.write_table(tiny_table().slice(0, 0), tmp_path / "empty.parquet")
    with pytest.raises(jm.EmptyLogError, match=r"empty\.parquet: the Parquet file holds no rows"):
        jm.read_log(str(tmp_path / "empty.parquet"))
