"""An integration test: a standalone Spark master and worker on 127.0.0.1, a log mined
through them by the command line, the same files as on DuckDB, and nothing left running
afterwards.

About three to five minutes on a busy two-core machine: the master, the worker, the
driver and the executor are four Java processes, and each query is a Spark job.
"""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_logs" / "service_desk.csv"
JOURNEYMAP = Path(sys.executable).parent / "journeymap"

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.spark]


def _mine(out: Path, *engine: str) -> list[Path]:
    argv = [str(JOURNEYMAP), "mine", str(SAMPLE), "-o", str(out), "--no-report", *engine]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    assert "Exception" not in done.stderr and "WARN" not in done.stderr, done.stderr
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def test_a_log_mined_on_a_standalone_cluster(spark_required, tmp_path):
    from spark_cluster import leftover_processes, start

    folder = tmp_path / "cluster"
    cluster = start(folder, cores=1, memory="1g")
    try:
        on_cluster = _mine(tmp_path / "spark", "--engine", "spark", "--spark-master", cluster.url)
        # The application ran on the cluster: the worker gave it an executor.
        assert list((folder / "work").glob("app-*/*/stderr"))
    finally:
        cluster.stop()
    assert all(p.poll() is not None for p in cluster.processes)
    assert leftover_processes(folder) == []
    on_duckdb = _mine(tmp_path / "duckdb")
    assert on_cluster == on_duckdb
    different = [
        str(p)
        for p in on_duckdb
        if not filecmp.cmp(tmp_path / "duckdb" / p, tmp_path / "spark" / p, shallow=False)
    ]
    assert different == []
