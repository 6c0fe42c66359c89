"""The contract suite: every analysis through the Engine interface, on every engine.

Each test gets an event log built on one engine (the ``log`` fixture is parametrised by
engine name); the expected values are computed by hand in contract_log.py. An engine
joins the suite by joining :data:`ENGINES_UNDER_TEST`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from journeymap import EventLog
from journeymap.engine import connect

from .contract_log import CONTRACT_FRAME

#: The engines the contract suite runs on (postgres on the throwaway server the tests
#: start on 127.0.0.1, spark on local[2] in this process, one session for the run).
ENGINES_UNDER_TEST = [
    "duckdb",
    pytest.param("postgres", marks=pytest.mark.services),
    pytest.param("spark", marks=pytest.mark.spark),
]


@pytest.fixture(params=ENGINES_UNDER_TEST, scope="module")
def engine_name(request: pytest.FixtureRequest) -> str:
    if request.param == "spark":
        request.getfixturevalue("spark")  # one session for the run; skips without Spark
    return str(request.param)


@pytest.fixture(scope="module")
def log(engine_name: str, request: pytest.FixtureRequest) -> Iterator[EventLog]:
    url = None
    if engine_name == "postgres":
        url = request.getfixturevalue("postgres_server").url()
    with connect(engine_name, url=url) as engine:
        yield EventLog.from_frame(
            CONTRACT_FRAME,
            engine=engine,
            source="contract.csv",
            team="team",
            resource="resource",
            channel="channel",
            customer="customer",
        )
