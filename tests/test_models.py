"""Process models built by pm4py from the DFG (journeymap.discovery.models).

Hand-made graphs whose models can be checked by hand, the files they are written to
(BPMN XML, pictures), determinism, escaping, errors; then agreement with pm4py on
public logs: the DFG, its median waits and the variants that journeymap computes on the
engine must be what pm4py computes from the events.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

import journeymap as jm
from journeymap.discovery.models import heuristics_model, inductive_model
from journeymap.errors import MissingDependencyError, ModelError
from shared_datasets import dataset

needs_pm4py = pytest.mark.skipif(
    importlib.util.find_spec("pm4py") is None, reason="pm4py is not installed"
)
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SVG = "{http://www.w3.org/2000/svg}"
NASTY = ["<script>alert(1)</script>", 'a & b "c"']


def graph(*edges: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(edges, columns=["source", "target", "events"])


SEQUENCE = graph(("__start__", "A", 4), ("A", "B", 4), ("B", "C", 4), ("C", "__end__", 4))
# A, then B (3 cases) or C (2 cases), then D
CHOICE = graph(
    ("__start__", "A", 5), ("A", "B", 3), ("A", "C", 2),
    ("B", "D", 3), ("C", "D", 2), ("D", "__end__", 5),
)  # fmt: skip
# A, then B and C in either order, then D
PARALLEL = graph(
    ("__start__", "A", 4), ("A", "B", 2), ("A", "C", 2), ("B", "C", 2),
    ("C", "B", 2), ("B", "D", 2), ("C", "D", 2), ("D", "__end__", 4),
)  # fmt: skip
# A B C in 99 cases, A C in one
SKIP = graph(
    ("__start__", "A", 100), ("A", "B", 99), ("A", "C", 1), ("B", "C", 99),
    ("C", "__end__", 100),
)  # fmt: skip


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, SAFE_XML)


def tasks(bpmn_xml: bytes) -> list[str]:
    return [t.get("name") for t in parse_xml(bpmn_xml).iter(f"{BPMN}task")]


# -- hand-checkable models ---------------------------------------------------------
@needs_pm4py
@pytest.mark.parametrize(
    ("dfg", "tree"),
    [
        (SEQUENCE, "->( 'A', 'B', 'C' )"),
        # pm4py orders the children of X and + by an MD5 hash of their labels: C, B
        (CHOICE, "->( 'A', X( 'C', 'B' ), 'D' )"),
        (PARALLEL, "->( 'A', +( 'C', 'B' ), 'D' )"),
        (SKIP, "->( 'A', X( tau, 'B' ), 'C' )"),
    ],
)
def test_inductive_model_tree(dfg, tree):
    model = inductive_model(dfg)
    assert model.kind == "inductive"
    assert str(model.tree) == tree


@needs_pm4py
def test_noise_threshold_drops_rare_edges():
    # A -> C has 1 event, A's most frequent edge 99: kept at t = 0.01, dropped at 0.1
    assert str(inductive_model(SKIP, noise_threshold=0.01).tree) == "->( 'A', X( tau, 'B' ), 'C' )"
    assert str(inductive_model(SKIP, noise_threshold=0.1).tree) == "->( 'A', 'B', 'C' )"


@needs_pm4py
def test_noise_threshold_keeps_every_activity_reachable():
    # R's only incoming edge (1 of A's 101) is under the threshold: it is added back,
    # otherwise pm4py's IMd fails on an activity that cannot be reached
    rare = graph(
        ("__start__", "A", 100), ("A", "B", 100), ("A", "R", 1), ("R", "B", 1),
        ("B", "__end__", 101),
    )  # fmt: skip
    assert str(inductive_model(rare, noise_threshold=0.5).tree) == "->( 'A', X( tau, 'R' ), 'B' )"


@needs_pm4py
def test_inductive_bpmn_is_the_choice(tmp_path):
    model = inductive_model(CHOICE)
    assert model.save_bpmn(tmp_path / "model.bpmn") == tmp_path / "model.bpmn"
    root = parse_xml((tmp_path / "model.bpmn").read_bytes())
    process = root.find(f"{BPMN}process")
    kinds = [etree.QName(el).localname for el in process if el.tag != f"{BPMN}sequenceFlow"]
    assert kinds == [
        "startEvent", "task", "exclusiveGateway", "task", "task", "exclusiveGateway",
        "task", "endEvent",
    ]  # fmt: skip
    names = {el.get("id"): el.get("name") for el in process}
    flows = [
        (names[f.get("sourceRef")], names[f.get("targetRef")])
        for f in process.iter(f"{BPMN}sequenceFlow")
    ]
    assert flows == [
        ("start", "A"), ("A", ""), ("", "B"), ("", "C"), ("B", ""), ("C", ""),
        ("", "D"), ("D", "end"),
    ]  # fmt: skip
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    shapes = {s.get("bpmnElement") for s in root.iter("{*}BPMNShape")}
    edges = {e.get("bpmnElement") for e in root.iter("{*}BPMNEdge")}
    assert shapes == {el.get("id") for el in process if el.tag != f"{BPMN}sequenceFlow"}
    assert edges == {f.get("id") for f in process.iter(f"{BPMN}sequenceFlow")}
    assert all(len(e.findall("{*}waypoint")) >= 2 for e in root.iter("{*}BPMNEdge"))


@needs_pm4py
def test_heuristics_model_dependencies():
    # dependency(a, b) = (|a>b| - |b>a|) / (|a>b| + |b>a| + 1)
    dfg = graph(
        ("__start__", "A", 10), ("A", "B", 10), ("B", "A", 1), ("A", "C", 1),
        ("B", "C", 9), ("C", "__end__", 10),
    )  # fmt: skip
    net = heuristics_model(dfg).heuristics_net
    arcs = {
        (a, b.node_name): edge.dependency_value
        for a, node in net.nodes.items()
        for b, edges in node.output_connections.items()
        for edge in edges
    }
    assert arcs == {("A", "B"): 9 / 12, ("A", "C"): 1 / 2, ("B", "C"): 9 / 10}
    assert {a: n.node_occ for a, n in net.nodes.items()} == {"A": 11, "B": 10, "C": 10}
    stricter = heuristics_model(dfg, dependency_threshold=0.6).heuristics_net
    assert sorted(stricter.nodes["A"].output_connections, key=str) == [stricter.nodes["B"]]


@needs_pm4py
def test_heuristics_model_files(tmp_path):
    model = heuristics_model(CHOICE)
    model.draw(tmp_path / "net.svg")
    texts = [t.text for t in parse_xml((tmp_path / "net.svg").read_bytes()).iter(f"{SVG}text")]
    assert {"A (5)", "B (3)", "C (2)", "D (5)"} <= set(texts)
    model.save_bpmn(tmp_path / "net.bpmn")
    assert sorted(tasks((tmp_path / "net.bpmn").read_bytes())) == ["A", "B", "C", "D"]


@needs_pm4py
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "dot"])
def test_draw_formats(tmp_path, fmt):
    path = tmp_path / f"model.{fmt}"
    assert inductive_model(CHOICE).draw(path, format=fmt) == path
    magic = {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF", "dot": b"digraph"}[fmt]
    assert path.read_bytes().startswith(magic)


# -- deterministic files -----------------------------------------------------------
def _files(dfg: pd.DataFrame, folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    for name, model in (("i", inductive_model(dfg)), ("h", heuristics_model(dfg))):
        model.save_bpmn(folder / f"{name}.bpmn")
        for fmt in ("svg", "pdf"):
            model.draw(folder / f"{name}.{fmt}", format=fmt)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@needs_pm4py
def test_same_graph_gives_the_same_bytes(tmp_path):
    shuffled = PARALLEL.sample(frac=1, random_state=3).reset_index(drop=True)
    assert _files(PARALLEL, tmp_path / "one") == _files(shuffled, tmp_path / "two")


FILES_SCRIPT = """
import sys
import warnings
from pathlib import Path
import pandas as pd
from journeymap.discovery.models import heuristics_model, inductive_model

dfg = pd.DataFrame(eval(sys.argv[2]), columns=["source", "target", "events"])
for name, model in (("i", inductive_model(dfg)), ("h", heuristics_model(dfg))):
    model.save_bpmn(Path(sys.argv[1], name + ".bpmn"))
    model.draw(Path(sys.argv[1], name + ".svg"))
"""


@needs_pm4py
def test_same_bytes_in_other_processes(tmp_path):
    # pm4py keeps BPMN elements in sets of objects hashed by random UUIDs, and
    # Python's string hashing changes per process: run twice with other seeds
    both = pd.concat([PARALLEL, SKIP.replace({"A": "E", "B": "F", "C": "G"})])
    edges = repr(list(both.itertuples(index=False, name=None)))
    for seed in ("1", "2"):
        (tmp_path / seed).mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-c", FILES_SCRIPT, str(tmp_path / seed), edges]
        subprocess.run(command, check=True, env=env)
    one, two = (sorted((tmp_path / s).iterdir()) for s in ("1", "2"))
    assert [p.name for p in one] == ["h.bpmn", "h.svg", "i.bpmn", "i.svg"]
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]


# -- names are text ---------------------------------------------------------------
@needs_pm4py
def test_activity_names_are_escaped(tmp_path):
    dfg = graph(
        ("__start__", NASTY[0], 2), (NASTY[0], NASTY[1], 2), (NASTY[1], "__end__", 2)
    )  # fmt: skip
    for model in (inductive_model(dfg), heuristics_model(dfg)):
        model.save_bpmn(tmp_path / "m.bpmn")
        data = (tmp_path / "m.bpmn").read_bytes()
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in data
        assert b"<script" not in data
        assert b"a &amp; b &quot;c&quot;" in data
        assert sorted(tasks(data)) == sorted(NASTY)
        model.draw(tmp_path / "m.svg")
        svg = parse_xml((tmp_path / "m.svg").read_bytes())
        assert not list(svg.iter("{*}script"))
        texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
        assert all(name in texts for name in NASTY)


# -- errors and lazy import --------------------------------------------------------
@pytest.mark.parametrize(
    ("dfg", "message"),
    [
        (pd.DataFrame({"from": ["a"], "to": ["b"]}), "no column source, target, events"),
        (graph(("A", "B", 1)), "no start or no end edges"),
        (graph(("__start__", "A", 1.5), ("A", "__end__", 1)), "whole numbers"),
        (graph(("__start__", "__end__", 1)), "__start__ -> __end__"),
    ],
)
def test_bad_graphs(dfg, message):
    with pytest.raises(ModelError, match=message):
        inductive_model(dfg)


def test_bad_noise_threshold():
    with pytest.raises(ModelError, match="between 0 and 1"):
        inductive_model(SEQUENCE, noise_threshold=1.5)


@needs_pm4py
def test_bad_draw_format(tmp_path):
    with pytest.raises(ModelError, match="choose one of svg, png, pdf, dot"):
        inductive_model(SEQUENCE).draw(tmp_path / "x.gif", format="gif")


def test_missing_pm4py(monkeypatch):
    monkeypatch.setitem(sys.modules, "pm4py", None)  # import pm4py raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'pm4py>=2.7.23,<2.8'"):
        inductive_model(SEQUENCE)


@needs_pm4py
def test_missing_graphviz(monkeypatch, tmp_path):
    model = inductive_model(SEQUENCE)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` there
    with pytest.raises(MissingDependencyError, match="Debian/Ubuntu: `apt-get install graphviz`"):
        model.draw(tmp_path / "x.svg")


def test_pm4py_is_imported_only_for_a_model():
    code = "import sys, journeymap.discovery.models; print('pm4py' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# -- agreement with pm4py on public logs ---------------------------------------------
LOGS = [
    "helpdesk/helpdesk.xes.gz",
    "receipt/receipt_env_permit.xes.gz",
    "sepsis/Sepsis_Cases_Event_Log.xes.gz",
]


@pytest.fixture(scope="module")
def pm4py():
    return pytest.importorskip("pm4py")


@pytest.fixture(scope="module", params=LOGS, ids=lambda p: p.split("/")[0])
def both(request, pm4py):
    """One public log, read by journeymap and by pm4py (each once per module)."""
    from journeymap.discovery import dfg, variants

    path = dataset(request.param)
    log = jm.read_log(str(path))
    with warnings.catch_warnings():  # pm4py suggests a faster optional XES parser
        warnings.filterwarnings("ignore", "Install the optional requirement", UserWarning)
        events = pm4py.read_xes(str(path), show_progress_bar=False)
    return dfg(log), variants(log), events


@pytest.mark.datasets
class TestAgreementWithPm4py:
    def test_dfg_counts(self, both, pm4py):
        ours, _, events = both
        inner, starts, ends = pm4py.discover_dfg(events)
        rows = ours[["source", "target", "events"]].itertuples(index=False)
        counts = {(source, target): n for source, target, n in rows}
        assert {e: n for e, n in counts.items() if "__start__" not in e and "__end__" not in e} == (
            inner
        )
        assert {t: n for (s, t), n in counts.items() if s == "__start__"} == starts
        assert {s: n for (s, t), n in counts.items() if t == "__end__"} == ends

    def test_median_waits(self, both, pm4py):
        ours, _, events = both
        performance = pm4py.discover_performance_dfg(events)[0]
        inner = ours[(ours.source != "__start__") & (ours.target != "__end__")]
        assert len(inner) == len(performance)
        for source, target, median in zip(
            inner["source"], inner["target"], inner["median_wait_s"], strict=True
        ):
            assert median == pytest.approx(performance[(source, target)]["median"], abs=1e-6)

    def test_variant_counts(self, both, pm4py):
        _, ours, events = both
        theirs = {
            " > ".join(variant): count if isinstance(count, int) else len(count)
            for variant, count in pm4py.get_variants(events).items()
        }
        assert dict(zip(ours["variant"], ours["cases"], strict=True)) == theirs

    def test_inductive_model(self, both, pm4py):
        from pm4py.objects.dfg.obj import DFG

        ours, _, events = both
        theirs = pm4py.discover_process_tree_inductive(DFG(*pm4py.discover_dfg(events)))
        assert str(inductive_model(ours).tree) == str(theirs)
