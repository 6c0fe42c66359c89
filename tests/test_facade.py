"""Modules imported when first used: the flat facades, pandas on the reading path, and
the imports done beside the reading."""

from __future__ import annotations

import subprocess
import sys

from journeymap.facade import import_soon, lazy_module


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_reading_a_log_does_not_need_pandas():
    """The modules that read and order a log (engine, connectors, presets) load without
    pandas, which is imported beside the reading and used once the log is ordered."""
    code = (
        "import sys\n"
        "import journeymap.pipeline.reading, journeymap.engine.duckdb_engine\n"
        "import journeymap.connectors.registry, journeymap.connectors.presets.servicenow\n"
        "import journeymap.connectors.presets.jira, journeymap.connectors.presets.salesforce\n"
        "print(sorted(m for m in ('pandas', 'journeymap.analysis') if m in sys.modules))"
    )
    assert _run(code) == "[]"


def test_pipeline_members_are_the_functions_even_after_their_modules_load():
    """``pipeline/mine.py`` defines ``mine``: importing the module first does not turn
    ``journeymap.pipeline.mine`` (or ``jm.mine``) into the module."""
    code = (
        "import sys, types\n"
        "import journeymap.pipeline.mine, journeymap.pipeline.batch, journeymap.pipeline.compare\n"
        "import journeymap as jm\n"
        "import journeymap.pipeline as p\n"
        "from journeymap.pipeline import batch, compare, mine\n"
        "found = (mine, batch, compare, p.mine, jm.mine)\n"
        "print([isinstance(f, types.FunctionType) for f in found])\n"
        "print(mine is sys.modules['journeymap.pipeline.mine'].mine)"
    )
    assert _run(code).splitlines() == ["[True, True, True, True, True]", "True"]


def test_a_lazy_module_imports_on_first_use(tmp_path, monkeypatch):
    (tmp_path / "jm_probe_lazy.py").write_text("VALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "jm_probe_lazy", raising=False)
    probe = lazy_module("jm_probe_lazy")
    assert "jm_probe_lazy" not in sys.modules
    assert probe.VALUE == 7
    assert "jm_probe_lazy" in sys.modules


def test_import_soon_imports_beside_the_caller_and_leaves_failures_to_the_user(
    tmp_path, monkeypatch
):
    (tmp_path / "jm_probe_soon.py").write_text("VALUE = 3\n")
    (tmp_path / "jm_probe_broken.py").write_text("raise ImportError('needs a driver')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("jm_probe_soon", "jm_probe_broken"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    import_soon("jm_probe_broken", "jm_probe_soon").join(timeout=30)
    assert sys.modules["jm_probe_soon"].VALUE == 3  # the failure before it did not stop it
    assert "jm_probe_broken" not in sys.modules
    try:
        import jm_probe_broken  # noqa: F401
    except ImportError as exc:
        assert str(exc) == "needs a driver"  # the user sees the error
    else:
        raise AssertionError("the broken module imported")
