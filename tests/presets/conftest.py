"""Fixtures of the preset tests: every system's export written from the synthetic log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from journeymap.synthetic.exports import ExportFixture
from journeymap.synthetic.fixtures import write_exports


@pytest.fixture(scope="session")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ExportFixture]:
    """The generated exports (24 cases, seed 11), written once per test session."""
    return write_exports(tmp_path_factory.mktemp("exports"), cases=24, seed=11)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (UTF-8 unless told) or bytes to ``tmp_path / name``; return the path."""

    def write_file(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding, newline="")
        return path

    return write_file
