"""Package namespaces that import their members when first used.

``journeymap``, ``journeymap.analysis`` and ``journeymap.discovery`` offer their
functions flat (``jm.handoffs``) without importing every module up front, so that
``journeymap --help`` and the options start in a fraction of a second.
"""

from __future__ import annotations

import importlib
import threading
import types
from collections.abc import Callable
from typing import Any

__all__ = ["import_soon", "lazy_members", "lazy_module", "members_first"]


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


class _MembersFirst(types.ModuleType):
    """A package whose members share their names with its modules (the function
    ``mine`` of ``pipeline/mine.py``): importing the module does not rebind the name, which
    stays the member, as an eager ``from .mine import mine`` in the package leaves it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in self.__dict__["_MEMBERS"]:
            return  # the module is in sys.modules; the name stays the member's
        super().__setattr__(name, value)


def members_first(package: types.ModuleType) -> None:
    """Keep ``package``'s lazy members (its ``_MEMBERS``) from being rebound to its
    modules of the same name when those are imported."""
    package.__class__ = _MembersFirst


class _LazyModule(types.ModuleType):
    """Stands for a module until one of its attributes is read, then imports it."""

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attr)


def lazy_module(name: str) -> Any:
    """``name`` (``"pandas"``), imported when first used.

    The modules that read a log use pandas only for small frames once the log is read;
    until then it imports on a thread of its own (:func:`import_soon`) while the engine
    reads. Declare it as::

        if TYPE_CHECKING:
            import pandas as pd
        else:
            pd = lazy_module("pandas")

    >>> json = lazy_module("json")
    >>> json.dumps([1])
    '[1]'
    """
    return _LazyModule(name)


def import_soon(*names: str) -> threading.Thread:
    """Import the modules ``names`` on a thread while the caller goes on (reading a log:
    DuckDB releases the interpreter while it works), and return the thread. A module
    that fails to import is left for its first user, who gets the error."""

    def load() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:  # the first user imports it again and sees why
                continue

    thread = threading.Thread(target=load, name="journeymap-imports", daemon=True)
    thread.start()
    return thread
