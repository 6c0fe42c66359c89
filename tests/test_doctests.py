"""Run the Examples sections of every library module's docstrings."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import journeymap
import journeymap.connectors


def _modules() -> list[str]:
    names = []
    for package in (journeymap, journeymap.connectors):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            names.append(info.name)
    return sorted(set(names))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name, monkeypatch, request):
    monkeypatch.chdir(request.config.rootpath)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"
