"""Where the tests find the public event logs of ``../shared/datasets``.

The logs are not part of the project. Tests that read them call :func:`dataset`, which
skips the test when the logs are absent, unless ``JOURNEYMAP_REQUIRE_DATASETS=1`` asks
for them to be there (as CI does), in which case the test fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["dataset", "datasets_root"]

_PROJECT = Path(__file__).resolve().parent.parent


def datasets_root() -> Path:
    """``$JOURNEYMAP_DATASETS``, else ``<project>/../shared/datasets``."""
    given = os.environ.get("JOURNEYMAP_DATASETS")
    return Path(given).expanduser() if given else _PROJECT.parent / "shared" / "datasets"


def dataset(relpath: str) -> Path:
    """The path of one public log, such as ``"helpdesk/helpdesk.xes.gz"``.

    Skips the calling test when the file is missing, or fails it when the environment
    variable ``JOURNEYMAP_REQUIRE_DATASETS`` is ``1``.
    """
    path = datasets_root() / relpath
    if not path.is_file():
        message = (
            f"{path} not found: these tests read the public logs in ../shared/datasets "
            "(see shared/datasets/README.md), or in the folder named by JOURNEYMAP_DATASETS"
        )
        if os.environ.get("JOURNEYMAP_REQUIRE_DATASETS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path
