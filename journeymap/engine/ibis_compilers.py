"""Ibis's SQL compilers, each imported when it is first asked for.

Ibis's package of SQL compilers (``ibis.backends.sql.compilers``) imports all twenty of
them when it is imported, with the SQL dialect of each database: 0.15 s of every run,
where a run uses one compiler (DuckDB's, or its engine's). After :func:`load_on_demand`,
the package is imported without running its ``__init__``; its compilers are then found
as Ibis finds them, as attributes of the package (``compilers.duckdb``,
``compilers.DuckDBCompiler``), and each is imported on first use. Nothing of Ibis is
imported before it is needed (``journeymap --help`` does not load Ibis).

Nothing changes if the package was imported already, or if Ibis no longer keeps its
compilers as modules of one package; a name the package defines otherwise runs its
``__init__`` after all.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["PACKAGE", "load_on_demand"]

#: Ibis's package of SQL compilers: one module per database, named in lower case, each
#: defining ``<Database>Compiler`` (``duckdb``: ``DuckDBCompiler``).
PACKAGE = "ibis.backends.sql.compilers"


def load_on_demand() -> None:
    """Make Ibis's compilers load when first used instead of all at once: from when the
    package is first imported (nothing of Ibis is imported here)."""
    if PACKAGE in sys.modules or any(isinstance(f, _OnDemand) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _OnDemand())


class _OnDemand(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the package as Python would, and loads it without its ``__init__``."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != PACKAGE:
            return None
        found = importlib.machinery.PathFinder.find_spec(fullname, path)
        if found is None or found.submodule_search_locations is None:
            return found  # not a package of modules any more: imported as it is
        spec = importlib.machinery.ModuleSpec(fullname, self, origin=found.origin, is_package=True)
        spec.submodule_search_locations = found.submodule_search_locations
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # an empty module, with the package's __path__

    def exec_module(self, module: ModuleType) -> None:
        setattr(module, "__getattr__", _find_compiler)  # noqa: B010 (the module's own hook)


def _find_compiler(name: str) -> object:
    """The package's ``__getattr__``: a compiler's module or class, imported now; any
    other name its ``__init__`` would define (``__all__``, or what a later Ibis adds)
    after running that ``__init__``, which imports every compiler as Ibis does."""
    if name.startswith("__") and name != "__all__":
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")
    module_name = name.removesuffix("Compiler").lower()
    if module_name.isidentifier() and not name.startswith("_"):
        try:
            module = importlib.import_module(f"{PACKAGE}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{PACKAGE}.{module_name}":
                raise  # the compiler is there but needs something missing
        else:
            found = module if module_name == name else getattr(module, name, None)
            if found is not None:
                return found
    try:
        return _run_init().__dict__[name]
    except KeyError:
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}") from None


def _run_init() -> ModuleType:
    """The package with its own ``__init__`` run (once)."""
    package = sys.modules[PACKAGE]
    if not package.__dict__.get("_journeymap_ran_init"):
        package._journeymap_ran_init = True  # type: ignore[attr-defined]
        origin = package.__spec__.origin if package.__spec__ else None
        init = importlib.util.spec_from_file_location(PACKAGE, origin) if origin else None
        if init is not None and init.loader is not None:
            init.loader.exec_module(package)
    return package
