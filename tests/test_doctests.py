"""Run the Examples sections of every library module's docstrings.

Only modules whose docstrings hold examples are collected: a module without any would
pass without testing anything. test_most_modules_have_examples keeps that list honest.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import journeymap
import journeymap.connectors

_FINDER = doctest.DocTestFinder()


def _modules() -> list[str]:
    names = []
    for package in (journeymap, journeymap.connectors):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            names.append(info.name)
    return sorted(set(names))


def _examples(name: str) -> int:
    module = importlib.import_module(name)
    return sum(len(test.examples) for test in _FINDER.find(module))


_ALL = _modules()
_WITH_EXAMPLES = [name for name in _ALL if _examples(name)]


@pytest.mark.parametrize("name", _WITH_EXAMPLES)
def test_docstring_examples(name, monkeypatch, request):
    monkeypatch.chdir(request.config.rootpath)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"


def test_most_modules_have_examples():
    # Modules of glue (packages' __init__, the CLI, writers of files) may have none; the
    # library's functions have theirs.
    assert len(_WITH_EXAMPLES) >= 0.6 * len(_ALL), sorted(set(_ALL) - set(_WITH_EXAMPLES))
