"""Shared fixtures: tiny hand-checkable logs written to temporary files."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from postgres_server import PostgresServer


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
