"""Package namespaces that import their members when first used.

``journeymap``, ``journeymap.analysis`` and ``journeymap.discovery`` offer their
functions flat (``jm.handoffs``) without importing every module up front, so that
``journeymap --help`` and the options start in a fraction of a second.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_members"]


def lazy_members(
    package: str, namespace: dict[str, Any], members: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: each name in ``members`` is
    imported from its module the first time it is asked for, then kept in
    ``namespace`` (the package's globals)."""

    def get(name: str) -> Any:
        module = members.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def names() -> list[str]:
        return sorted({*namespace.get("__all__", ()), *members})

    return get, names
