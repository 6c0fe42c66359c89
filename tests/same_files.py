"""For the tests that mine a log on two engines: the files of an output folder, and
which of the text outputs differ between two folders."""

from __future__ import annotations

import filecmp
from pathlib import Path

__all__ = ["files_in", "text_outputs_that_differ"]


def files_in(folder: Path) -> list[Path]:
    """Every file under ``folder``, relative to it, sorted."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def text_outputs_that_differ(one: Path, other: Path, files: list[Path]) -> list[str]:
    """The CSV, JSON, DOT and SVG files among ``files`` whose bytes differ between the
    folders ``one`` and ``other``."""
    return [
        str(p)
        for p in files
        if p.suffix in (".csv", ".json", ".dot", ".svg")
        and not filecmp.cmp(one / p, other / p, shallow=False)
    ]
