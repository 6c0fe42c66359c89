"""Ibis's SQL compilers imported on demand (journeymap.engine.ibis_compilers): a run on
DuckDB loads DuckDB's compiler only, and every compiler is still found as Ibis finds it.

Each check runs in a fresh interpreter, since the test session has imported Ibis
already."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_duckdb_run_loads_duckdbs_compiler_only() -> None:
    out = _run(
        """
        import sys
        import journeymap as jm

        log = jm.read_log("sample_logs/service_desk.csv")
        print(len(jm.variants(log)))
        log.close()
        prefix = "ibis.backends.sql.compilers."
        loaded = sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix))
        print(",".join(name for name in loaded if not name.startswith("_")))
        """
    )
    count, loaded = out.splitlines()
    assert int(count) > 0
    assert loaded == "base,duckdb"


def test_every_compiler_is_found_as_ibis_finds_it() -> None:
    out = _run(
        """
        import ibis
        import journeymap.engine
        from ibis.backends.sql import compilers

        t = ibis.table({"a": "int64"}, name="t")
        print(ibis.to_sql(t.limit(2), dialect="mssql").split()[1])  # TOP, not LIMIT
        print(compilers.PostgresCompiler.__name__, compilers.sqlite.compiler.dialect.__name__)
        try:
            ibis.to_sql(t, dialect="nosuch")
        except ValueError as exc:
            print(exc)
        try:
            compilers.NoSuchCompiler
        except AttributeError:
            print("no NoSuchCompiler")
        """
    )
    assert out.splitlines() == [
        "TOP",
        "PostgresCompiler SQLite",
        "Unknown dialect nosuch",
        "no NoSuchCompiler",
    ]


def test_other_names_run_the_packages_own_init() -> None:
    """``__all__`` (a star import), or a name a later Ibis might add, runs the package's
    ``__init__``: every compiler is then loaded, as without journeymap."""
    out = _run(
        """
        import sys
        import journeymap.engine
        from ibis.backends.sql import compilers

        prefix = "ibis.backends.sql.compilers."
        print("trino" in compilers.__dict__, f"{prefix}trino" in sys.modules)
        names = {}
        exec("from ibis.backends.sql.compilers import *", names)
        print("TrinoCompiler" in names, "DuckDBCompiler" in compilers.__all__)
        try:
            compilers.no_such_thing
        except AttributeError:
            print("no no_such_thing")
        """
    )
    assert out.splitlines() == ["False False", "True True", "no no_such_thing"]


def test_a_package_imported_already_is_left_as_it_is() -> None:
    out = _run(
        """
        import ibis.backends.sql.compilers as before
        from journeymap.engine.ibis_compilers import load_on_demand

        load_on_demand()
        import ibis.backends.sql.compilers as after
        print(after is before, "TrinoCompiler" in vars(after))
        """
    )
    assert out == "True True"
