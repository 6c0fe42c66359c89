"""The Spark engine against the DuckDB engine: the whole pipeline writes the same bytes,
rejects and subsets are the same, errors are one line. The analyses one by one are in
tests/contract (parametrised by engine)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from same_files import files_in, text_outputs_that_differ

import journeymap as jm
from journeymap import EventLog
from journeymap.analysis.demand import demand
from journeymap.cli import cli
from journeymap.demand_rules import DemandRules
from journeymap.engine import connect
from journeymap.engine.spark_session import check_pyspark, spark_memory
from journeymap.errors import ConfigError, EngineError, MissingDependencyError
from journeymap.options_file import load_options
from journeymap.pipeline import open_log

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_logs" / "service_desk.csv"
SAMPLE_CONFIG = HERE.parent / "sample_logs" / "service_desk.toml"

spark_test = pytest.mark.spark


def _mine_sample(engine: str, out: Path) -> list[Path]:
    options = load_options(SAMPLE_CONFIG).replace(engine={"name": engine})
    with open_log(str(SAMPLE), options) as log:
        assert log.engine.name == engine
        findings = jm.mine(log, options)
        jm.write_outputs(findings, out, formats=["svg"], report=False)
    return files_in(out)


@spark_test
@pytest.mark.slow
def test_the_sample_log_gives_the_same_files_on_both_engines(spark, tmp_path):
    on_duckdb = _mine_sample("duckdb", tmp_path / "duckdb")
    on_spark = _mine_sample("spark", tmp_path / "spark")
    assert on_spark == on_duckdb
    tables = [p for p in on_duckdb if p.parts[0] == "tables"]
    assert len(tables) >= 10 and Path("summary.json") in on_duckdb
    assert text_outputs_that_differ(tmp_path / "duckdb", tmp_path / "spark", on_duckdb) == []


FRAME = pd.DataFrame(
    {
        "case": ["1", "1", "2", "", "3", "3"],
        "activity": ["Call", "Lärm gemeldet", "Call", "Call", "=cmd", "Fix"],
        "timestamp": [
            "2024-01-01 09:00:00.25", "2024-01-01 09:00:01", "2024-01-02 10:00",
            "2024-01-02 11:00", "not a time", "2024-01-03 12:00",
        ],
        "team": ["Front", "Back", "Front", "Front", "Back", "Back"],
    }
)  # fmt: skip


def _both(**kwargs: object) -> tuple[EventLog, EventLog]:
    duck = EventLog.from_frame(FRAME, source="frame.csv", **kwargs)  # type: ignore[arg-type]
    engine = connect("spark")
    spark = EventLog.from_frame(FRAME, source="frame.csv", engine=engine, **kwargs)  # type: ignore[arg-type]
    spark.owns_engine = True
    return duck, spark


@spark_test
def test_rejects_subsets_and_unicode_patterns_agree(spark, tmp_path):
    duck, on_spark = _both()
    with duck, on_spark:
        assert (on_spark.rows_read, on_spark.rejected_rows) == (6, 2)
        pd.testing.assert_frame_equal(on_spark.rejects(), duck.rejects())
        assert on_spark.rejected_by_reason() == duck.rejected_by_reason()
        duck.write_rejects(str(tmp_path / "duck.csv"))
        on_spark.write_rejects(str(tmp_path / "spark.csv"))
        assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "duck.csv").read_bytes()
        # A list of ids is uploaded to the engine; sub-second waits are kept.
        subsets = [log.only_cases(["1", "3"], label="two") for log in (duck, on_spark)]
        assert [s.events for s in subsets] == [3, 3]
        waits = [jm.dfg(s)["median_wait_s"].dropna().tolist() for s in subsets]
        assert waits == [[0.75], [0.75]]
        # (?i) on Spark folds ASCII only: the engine gives its own case-insensitive flag.
        rules = DemandRules(failure_activities=("LÄRM",))
        found = [demand(log, rules)["demand_type"].tolist() for log in subsets]
        assert found == [["failure_activity", "value"]] * 2


PLACEHOLDERS_CSV = (
    "case,status,substatus,timestamp,team,resource\n"
    "1,Open,,2024-01-01T09:00:00Z,?,ann\n"
    "1,Pending,Customer,2024-01-01T10:00:00Z,Front,UNDEFINED\n"
    "1,Pending,Supplier,2024-01-02T09:00:00Z, n/a ,bob\n"
    "2,Open,,2024-01-03T09:00:00Z,Back,\n"
    "2,,,2024-01-03T10:00:00Z,Back,ann\n"
    "3,Open,,not a time,Back,ann\n"
)


@spark_test
def test_reading_on_the_cluster_types_as_duckdb_does(spark, tmp_path):
    """Spark reading the file itself gives DuckDB's events, rejects and placeholder
    counts: placeholders are missing handlers, a composite activity joins its parts."""
    path = tmp_path / "export.csv"
    path.write_text(PLACEHOLDERS_CSV)
    given = {"activity": "status,substatus"}
    engine = connect("spark", read_on_cluster=True)
    with (
        jm.read_log(str(path), **given) as duck,
        jm.read_log(str(path), engine=engine, **given)._owning() as on_spark,
    ):
        assert (on_spark.rows_read, on_spark.rejected_rows) == (6, 2)
        assert on_spark.placeholders == duck.placeholders == {"resource": 1, "team": 2}
        events = [log.to_pandas().sort_values("source_row") for log in (duck, on_spark)]
        assert events[1]["activity"].tolist() == [
            "Open", "Pending - Customer", "Pending - Supplier", "Open"
        ]  # fmt: skip
        assert events[1]["team"].fillna("-").tolist() == ["-", "Front", "-", "Back"]
        pd.testing.assert_frame_equal(
            events[1].reset_index(drop=True), events[0].reset_index(drop=True)
        )
        assert on_spark.rejected_by_reason() == duck.rejected_by_reason()


@spark_test
def test_dates_at_local_midnight_read_on_the_cluster_as_on_duckdb(spark, tmp_path):
    """Dates written as local midnights (+01:00, +02:00) are the dates they show on both
    engines, not the UTC instants of the evenings before."""
    path = tmp_path / "fines.csv"
    path.write_text(
        "case,activity,timestamp\n"
        "F1,Create Fine,2005-03-23 00:00:00+01:00\n"
        "F1,Send Fine,2005-07-22T00:00:00.000+02:00\n"
    )
    engine = connect("spark", read_on_cluster=True)
    with jm.read_log(str(path)) as duck, jm.read_log(str(path), engine=engine)._owning() as on:
        for log in (duck, on):
            stamps = log.to_pandas()["timestamp"]
            assert [t.isoformat() for t in stamps] == [
                "2005-03-23T00:00:00+00:00", "2005-07-22T00:00:00+00:00",
            ]  # fmt: skip


@spark_test
def test_a_pattern_spark_cannot_run_is_one_line(spark):
    log = EventLog.from_frame(FRAME, engine=connect("spark"))._owning()
    # Python and RE2 name groups (?P<name>...); Java does not.
    with log, pytest.raises(ConfigError) as caught:
        demand(log, DemandRules(failure_activities=("(?P<word>chase)",)))
    message = str(caught.value)
    assert "not a regular expression the engine can run" in message
    assert "\n" not in message and "\tat " not in message


@spark_test
def test_another_master_in_the_same_process_is_refused(spark):
    with pytest.raises(EngineError, match=r"master 'local\[2\]' is running"):
        connect("spark", master="local[1]")


def test_spark_settings_need_the_spark_engine():
    with pytest.raises(ConfigError, match="(setting|settings) of the spark engine"):
        connect("duckdb", master="local[2]")
    with pytest.raises(ConfigError, match="(setting|settings) of the spark engine"):
        load_options(None).replace(engine={"master": "spark://127.0.0.1:7077"})
    with pytest.raises(ConfigError, match="name must be one of duckdb, postgres, spark"):
        load_options(None).replace(engine={"name": "polars"})


def test_the_command_line_refuses_a_master_without_spark():
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["inspect", str(SAMPLE), "--spark-master", "local[1]"])
    assert result.exit_code == 2
    assert "settings of the spark engine" in result.output
    assert "--engine spark" in result.output


def test_without_pyspark_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'journeymap\[spark\]'"):
        check_pyspark()


@pytest.mark.parametrize(
    ("size", "spark_size"),
    [("2GB", "2g"), ("512MB", "512m"), ("1.5GiB", "1536m"), ("100 kb", "100k"), ("3t", "3t")],
)
def test_memory_sizes_in_spark_notation(size, spark_size):
    assert spark_memory(size) == spark_size


def test_a_memory_size_spark_cannot_take_is_a_config_error():
    with pytest.raises(ConfigError, match="not a size for Spark"):
        spark_memory("80%")


def test_a_master_url_spark_does_not_take_is_one_error_line_before_java_starts():
    from click.testing import CliRunner

    argv = ["inspect", str(SAMPLE), "--engine", "spark", "--spark-master", "spark://head"]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2
    assert result.output == (
        "Error: 'spark://head' is not a Spark master URL; give local[N] or a cluster's "
        "spark://HOST:PORT (--spark-master, or master in [engine])\n"
    )


def test_without_pyspark_the_command_line_says_what_to_install(monkeypatch):
    from click.testing import CliRunner

    monkeypatch.setitem(sys.modules, "pyspark", None)
    result = CliRunner().invoke(cli, ["inspect", str(SAMPLE), "--engine", "spark"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: the spark engine needs PySpark (pyspark); install it with: "
        "pip install 'journeymap[spark]'\n"
    )


def test_an_unreachable_master_is_one_error_line_before_java_starts():
    # Spark itself retries a master that does not answer for about a minute.
    from click.testing import CliRunner

    from spark_cluster import free_port

    pytest.importorskip("pyspark")
    port = free_port()  # nothing listens on it
    argv = [
        "inspect",
        str(SAMPLE),
        "--engine",
        "spark",
        "--spark-master",
        f"spark://127.0.0.1:{port}",
    ]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot reach the Spark master at 127.0.0.1:{port} (Connection refused); "
        "check that the master is running and that --spark-master (or master in [engine]) "
        "gives its host and port\n"
    )
