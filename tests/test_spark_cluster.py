"""Integration tests: a standalone Spark master and worker on 127.0.0.1, a log read
and profiled through them by the command line (``journeymap inspect``: every event
typed, cached on the executor and queried there), and a small log mined through them
(``journeymap mine``), each giving what DuckDB gives, and nothing left running
afterwards.

The inspect test takes one to two minutes on a two-core machine (more when it is busy):
the master, the worker, the driver and the executor are four Java processes, and each
query is a Spark job. Mining runs about a hundred queries, so even a 300-event log takes
about a minute and a half there: that test is marked slow (``make test-slow``). The
whole pipeline on Spark is also checked in-process (tests/test_spark_engine.py and the
contract suite), where a query costs far less.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from same_files import files_in, text_outputs_that_differ

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_logs" / "service_desk.csv"
JOURNEYMAP = Path(sys.executable).parent / "journeymap"

pytestmark = [pytest.mark.services, pytest.mark.spark]  # in CI: the issue asks for it there


def _inspect(*engine: str) -> str:
    argv = [str(JOURNEYMAP), "inspect", str(SAMPLE), *engine]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_a_log_inspected_on_a_standalone_cluster(spark_required, tmp_path):
    from spark_cluster import leftover_processes, start

    folder = tmp_path / "cluster"
    cluster = start(folder, cores=1, memory="1g")
    try:
        on_cluster = _inspect("--engine", "spark", "--spark-master", cluster.url, "--threads", "1")
        # The application ran on the cluster: the worker gave it an executor.
        assert list((folder / "work").glob("app-*/*/stderr"))
    finally:
        cluster.stop()
    assert all(p.poll() is not None for p in cluster.processes)
    assert leftover_processes(folder) == []
    assert on_cluster.splitlines()[1:4] == [
        "  rows read               8,035",
        "  accepted                8,035",
        "  rejected                    0",
    ]
    assert on_cluster == _inspect()


@pytest.mark.slow
def test_a_log_mined_on_a_standalone_cluster_gives_the_files_duckdb_gives(spark_required, tmp_path):
    from journeymap.synthetic import write_csv
    from spark_cluster import leftover_processes, start

    log = tmp_path / "small.csv"
    write_csv(log, events=300, seed=3)

    def mine(out: Path, *engine: str) -> list[Path]:
        argv = [str(JOURNEYMAP), "mine", str(log), "-o", str(out), "--no-report", *engine]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
        assert done.returncode == 0, done.stderr
        return files_in(out)

    folder = tmp_path / "cluster"
    cluster = start(folder, cores=1, memory="1g")
    try:
        spark = ["--engine", "spark", "--spark-master", cluster.url, "--threads", "1"]
        on_cluster = mine(tmp_path / "spark", *spark)
        assert list((folder / "work").glob("app-*/*/stderr"))  # an executor did the work
    finally:
        cluster.stop()
    assert all(p.poll() is not None for p in cluster.processes)
    assert leftover_processes(folder) == []
    on_duckdb = mine(tmp_path / "duckdb")
    assert on_cluster == on_duckdb
    assert Path("tables/handoffs.csv") in on_duckdb and Path("summary.json") in on_duckdb
    assert text_outputs_that_differ(tmp_path / "duckdb", tmp_path / "spark", on_duckdb) == []
