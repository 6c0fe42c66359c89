"""pm4py as a first-class part: the events in pm4py's form (jm.to_pm4py), the DFG as
pm4py's object (Findings.pm4py_dfg), agreement with pm4py on them, and pm4py kept out of
start-up (`journeymap mine` does not import it)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from packaging.requirements import Requirement

import journeymap as jm
from journeymap import EventLog
from shared_datasets import dataset

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT / "sample_logs" / "service_desk.csv"


@pytest.fixture(scope="module")
def pm4py():
    import pm4py

    return pm4py


def test_to_pm4py_names_and_order():
    frame = pd.DataFrame({
        "case": ["B", "A", "A", "A"],
        "activity": ["x", "b", "a", "c"],
        "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 10:00",
                      "2024-01-01 11:00"],
        "start": ["2024-01-01 08:00", None, "2024-01-01 09:30", "2024-01-01 10:30"],
        "who": ["ann", "bob", "ann", "cy"],
        "group": ["X", "Y", "X", "Y"],
        "org:group": ["old", "old", "old", "old"],  # an attribute with pm4py's team name
        "cost": ["1", "2", "3", "4"],
    })  # fmt: skip
    log = EventLog.from_frame(
        frame, start_timestamp="start", resource="who", team="group", source="t.csv"
    )
    out = jm.to_pm4py(log)
    # Roles under pm4py's names first, then the attributes under their source names; the
    # attribute named like pm4py's team column keeps journeymap's name for it.
    assert list(out.columns[:5]) == [
        "case:concept:name", "concept:name", "time:timestamp", "start_timestamp",
        "org:resource",
    ]  # fmt: skip
    assert out.columns[5] == "org:group" and out["org:group"].tolist() == ["Y", "X", "Y", "X"]
    # The attribute "org:group" is also journeymap's name for it: it gets a "_".
    assert list(out.columns[6:]) == ["org:group_", "cost"] and "source_row" not in out
    assert out["org:group_"].tolist() == ["old"] * 4
    # Case order: A's events by time, the tie at 10:00 in source order (b before a).
    assert out["case:concept:name"].tolist() == ["A", "A", "A", "B"]
    assert out["concept:name"].tolist() == ["b", "a", "c", "x"]
    assert str(out["time:timestamp"].dtype) == "datetime64[us, UTC]"


def test_sample_dfg_agrees_with_pm4py(pm4py):
    with jm.read_log(str(SAMPLE)) as log:
        events = jm.to_pm4py(log)
        findings = jm.mine(log, lanes="none")
    inner, starts, ends = pm4py.discover_dfg(events)
    ours = findings.dfg
    counts = {(s, t): n for s, t, n in zip(ours["source"], ours["target"], ours["events"],
                                           strict=True)}  # fmt: skip
    assert inner == {e: n for e, n in counts.items() if "__start__" not in e and "__end__" not in e}
    assert starts == {t: n for (s, t), n in counts.items() if s == "__start__"}
    assert ends == {s: n for (s, t), n in counts.items() if t == "__end__"}
    # The sample has 13 cases with equal timestamps: pm4py keeps journeymap's order.
    obj = findings.pm4py_dfg()
    assert type(obj).__module__ == "pm4py.objects.dfg.obj"
    typed = pm4py.discover_dfg_typed(events)
    assert (obj.graph, obj.start_activities, obj.end_activities) == (
        typed.graph, typed.start_activities, typed.end_activities,
    )  # fmt: skip
    # A pm4py user continues in one line, and gets the model journeymap builds.
    from journeymap.discovery.models import inductive_model

    tree = pm4py.discover_process_tree_inductive(findings.pm4py_dfg())
    assert str(tree) == str(inductive_model(findings.dfg).tree)


@pytest.mark.datasets
@pytest.mark.parametrize(
    "name", ["receipt/receipt_env_permit.xes.gz", "pm4py_examples/running-example.xes"]
)
def test_to_pm4py_round_trips_an_xes_log(name, pm4py):
    path = dataset(name)
    with jm.read_log(str(path)) as log:
        ours = jm.to_pm4py(log)
    with warnings.catch_warnings():  # pm4py suggests a faster optional XES parser
        warnings.filterwarnings("ignore", "Install the optional requirement", UserWarning)
        theirs = pm4py.read_xes(str(path), show_progress_bar=False)
    assert pm4py.discover_dfg(ours) == pm4py.discover_dfg(theirs)
    for column in ("case:concept:name", "concept:name", "org:resource"):
        assert sorted(ours[column].astype(str)) == sorted(theirs[column].astype(str))


def test_pm4py_networkx_and_graphviz_are_core_dependencies():
    requirements = [Requirement(r) for r in importlib.metadata.requires("journeymap") or []]
    core = {r.name.lower() for r in requirements if r.marker is None}
    assert {"pm4py", "networkx", "graphviz", "pandas", "click"} <= core
    models = {r.name.lower() for r in requirements if r.marker and "models" in str(r.marker)}
    assert models == {"pm4py", "graphviz"}  # the old extra still installs


# `journeymap mine` on the sample, then what it imported: no pm4py (its import alone
# takes about 2 s) and no networkx (the report draws the hand-off network from its parts),
# while Graphviz is used; without the report, neither lxml (the report's SVG sanitiser)
# nor multiprocessing (batch's workers).
_MINE = """
import sys
from journeymap.cli import main
sys.argv[0] = "journeymap"
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
print(__import__("json").dumps({"code": code, "modules": sorted(
    m for m in ("pm4py", "networkx", "graphviz", "lxml", "multiprocessing")
    if m in sys.modules)}))
"""


@pytest.mark.parametrize(
    ("report", "modules"), [(True, ["graphviz", "lxml"]), (False, ["graphviz"])]
)
def test_mine_does_not_import_pm4py(tmp_path, report, modules):
    args = ["mine", str(SAMPLE), "--config", str(PROJECT / "sample_logs" / "service_desk.toml"),
            "-o", str(tmp_path / "out"), *([] if report else ["--no-report"])]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _MINE, *args], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "modules": modules}
    assert (tmp_path / "out" / "tables" / "reintegration_plan.csv").is_file()
