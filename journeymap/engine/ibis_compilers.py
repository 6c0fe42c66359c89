"""Ibis's SQL compilers, each imported when it is first asked for.

Ibis's package of SQL compilers (``ibis.backends.sql.compilers``) imports all twenty of
them when it is imported, with the SQL dialect of each database: 0.15 s of every run,
where a run uses one compiler (DuckDB's, or its engine's). :func:`load_on_demand` puts
the package in place without running its ``__init__``; its compilers are then found as
Ibis finds them, as attributes of the package (``compilers.duckdb``,
``compilers.DuckDBCompiler``), and each is imported on first use.

Nothing changes if the package was imported already, or if Ibis no longer keeps its
compilers as modules of one package.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

__all__ = ["PACKAGE", "load_on_demand"]

#: Ibis's package of SQL compilers: one module per database, named in lower case, each
#: defining ``<Database>Compiler`` (``duckdb``: ``DuckDBCompiler``).
PACKAGE = "ibis.backends.sql.compilers"


def load_on_demand() -> None:
    """Make Ibis's compilers load when first used instead of all at once."""
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    setattr(package, "__getattr__", _find_compiler)  # noqa: B010 (a module's own hook)
    sys.modules[PACKAGE] = package
    parent, _, name = PACKAGE.rpartition(".")
    setattr(sys.modules[parent], name, package)


def _find_compiler(name: str) -> object:
    """The package's ``__getattr__``: a compiler's module or class, imported now."""
    module_name = name.removesuffix("Compiler").lower()
    if name.startswith("_") or not module_name.isidentifier():
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(f"{PACKAGE}.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{PACKAGE}.{module_name}":
            raise  # the compiler is there but needs something missing
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}") from None
    found = module if module_name == name else getattr(module, name, None)
    if found is None:
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")
    return found
