"""Check journeymap's import contracts (pyproject's [tool.importlinter]) with import-linter.

``journeymap.connectors`` lives in the top-level ``connectors/`` folder (pyproject's
package-dir), where grimp, which finds a package's modules on disk, does not look. This
runs import-linter on a copy of the sources in which ``connectors/`` sits inside
``journeymap/``, so the contracts see every module. Run it as ``make lint`` does:

    .venv/bin/python scripts/lint_imports.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import grimp
from importlinter import cli, configuration
from importlinter.adapters.building import GraphBuilder
from importlinter.application.app_config import settings

PROJECT = Path(__file__).resolve().parent.parent


class MirrorGraphBuilder(GraphBuilder):
    """Builds the import graph from a copy of journeymap/ with connectors/ inside it."""

    def build(
        self,
        root_package_names: list[str],
        cache_dir: str | None,
        include_external_packages: bool = False,
        exclude_type_checking_imports: bool = False,
    ) -> Any:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        with tempfile.TemporaryDirectory(prefix="journeymap-imports-") as scratch:
            mirror = Path(scratch) / "journeymap"
            shutil.copytree(PROJECT / "journeymap", mirror, ignore=ignore)
            shutil.copytree(PROJECT / "connectors", mirror / "connectors", ignore=ignore)
            sys.path.insert(0, scratch)
            try:
                return grimp.build_graph(
                    *root_package_names,
                    include_external_packages=include_external_packages,
                    exclude_type_checking_imports=exclude_type_checking_imports,
                    cache_dir=None,
                )
            finally:
                sys.path.remove(scratch)


def main() -> int:
    configuration.configure()
    settings.configure(GRAPH_BUILDER=MirrorGraphBuilder())
    return cli.lint_imports(config_filename=str(PROJECT / "pyproject.toml"))


if __name__ == "__main__":
    sys.exit(main())
