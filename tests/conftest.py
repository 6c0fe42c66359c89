"""Shared fixtures: tiny hand-checkable logs written to temporary files."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# The Java processes of the Spark tests (driver, cluster daemons, executors) run many
# small queries: compiling with the quick JIT tier only roughly halves their CPU time on
# a two-core machine. It changes no result.
os.environ.setdefault("JDK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1")

if TYPE_CHECKING:
    from journeymap.engine import Engine
    from postgres_server import PostgresServer

# `make test` runs the tests on several processes (pytest-xdist, `--dist loadgroup`).
# The tests that share a service run in one process, so that each service starts once
# per run rather than once per process: a Spark session is a Java process of about a
# gigabyte, started in some ten seconds.
SERVICE_GROUPS = {
    "spark": ("spark", "spark_required"),
    "postgres": ("postgres_server",),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for group, needs in SERVICE_GROUPS.items():
            if item.get_closest_marker(group) or fixtures.intersection(needs):
                item.add_marker(pytest.mark.xdist_group(group))
                break


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding, newline="")
        return path

    return write


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on 127.0.0.1, stopped and removed after the tests.

    Skips when PostgreSQL is not installed, unless ``JOURNEYMAP_REQUIRE_SERVICES=1``
    (as in CI), which makes it fail instead.
    """
    from postgres_server import ServiceMissing, start

    try:
        server = start()
    except ServiceMissing as exc:
        if os.environ.get("JOURNEYMAP_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{exc} (JOURNEYMAP_REQUIRE_SERVICES=1 asks for it)")
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


def require_spark() -> None:
    """Skip when PySpark or Java is missing, unless ``JOURNEYMAP_REQUIRE_SERVICES=1``
    (as in CI), which makes it fail instead."""
    from journeymap.engine.spark_session import check_pyspark
    from journeymap.errors import EngineError, MissingDependencyError

    try:
        check_pyspark()
    except (MissingDependencyError, EngineError) as exc:
        if os.environ.get("JOURNEYMAP_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{exc} (JOURNEYMAP_REQUIRE_SERVICES=1 asks for Spark)")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def spark_required() -> None:
    """Skip (or fail, in CI) unless PySpark and Java are installed."""
    require_spark()


@pytest.fixture(scope="session")
def spark() -> Iterator[Engine]:
    """A Spark engine on ``local[2]`` kept open for the whole run, so that every Spark
    engine the tests open (``connect("spark")``) shares its session: the Java process
    starts once."""
    require_spark()
    from journeymap.engine import connect

    with connect("spark") as engine:
        yield engine
