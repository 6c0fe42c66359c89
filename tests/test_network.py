"""The hand-off network as a networkx graph: exact nodes, edges and weights on a log you
can check by hand, agreement with the hand-off tables (sample log and the public logs),
and the renderer drawing from it."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import journeymap as jm
from journeymap import EventLog
from journeymap.analysis.handoffs import handler_sequence, handoffs, pingpong
from journeymap.analysis.network import (
    EDGE_ATTRIBUTES,
    handler_stats,
    handoff_network,
    handoff_network_parts,
    network_from_tables,
)
from journeymap.analysis.reintegration_plan import propose_groups, reintegration_plan
from journeymap.errors import MappingError
from journeymap.render.handoffs import handoff_network_dot
from shared_datasets import dataset

SAMPLE = Path(__file__).resolve().parent.parent / "sample_logs" / "service_desk.csv"
H = 3600.0
COLUMNS = ["case", "activity", "timestamp", "resource", "team"]

# Case 1: Front (ann) 09:00 -> Back (bob) 10:00 -> Front (ann) 13:00 -> Back (cy) 14:00.
# Case 2: Front (ann) 09:00 -> no team (dan) 10:00 -> Field (dan) 12:00.
# Case 3: Front (eve) alone.
ROWS = [
    ("1", "Log", "2024-01-01 09:00", "ann", "Front"),
    ("1", "Assess", "2024-01-01 10:00", "bob", "Back"),
    ("1", "Ask", "2024-01-01 13:00", "ann", "Front"),
    ("1", "Fix", "2024-01-01 14:00", "cy", "Back"),
    ("2", "Log", "2024-01-02 09:00", "ann", "Front"),
    ("2", "Note", "2024-01-02 10:00", "dan", None),
    ("2", "Visit", "2024-01-02 12:00", "dan", "Field"),
    ("3", "Log", "2024-01-03 09:00", "eve", "Front"),
]


@pytest.fixture(scope="module")
def log():
    return EventLog.from_frame(pd.DataFrame(ROWS, columns=COLUMNS))


def test_team_network_by_hand(log):
    g = handoff_network(log, level="team")
    assert isinstance(g, nx.DiGraph) and g.graph == {"level": "team"}
    # Front: case 1 twice, case 2, case 3 = 4 events in 3 cases; Back: 2 in case 1;
    # Field: 1 in case 2 (the event without a team is no node's).
    assert list(g.nodes(data=True)) == [
        ("Back", {"events": 2, "cases": 1}),
        ("Field", {"events": 1, "cases": 1}),
        ("Front", {"events": 4, "cases": 3}),
    ]
    # Front -> Back: case 1 at 09:00 -> 10:00 (1 h) and 13:00 -> 14:00 (1 h).
    # Back -> Front: case 1, 10:00 -> 13:00 (3 h). Front -> Field: case 2, 09:00 -> 12:00
    # (3 h, across the event without a team). Ping-pong: F B F (Front, Back) and
    # B F B (Back, Front), once each.
    assert list(g.edges(data=True)) == [
        ("Back", "Front", {"count": 1, "cases": 1, "median_wait_s": 3 * H,
                           "total_wait_s": 3 * H, "pingpong": 1, "pingpong_cases": 1,
                           "weight": 1}),
        ("Front", "Back", {"count": 2, "cases": 1, "median_wait_s": 1 * H,
                           "total_wait_s": 2 * H, "pingpong": 1, "pingpong_cases": 1,
                           "weight": 2}),
        ("Front", "Field", {"count": 1, "cases": 1, "median_wait_s": 3 * H,
                            "total_wait_s": 3 * H, "pingpong": 0, "pingpong_cases": 0,
                            "weight": 1}),
    ]  # fmt: skip
    assert all(set(data) == set(EDGE_ATTRIBUTES) for *_, data in g.edges(data=True))
    assert dict(g.in_degree(weight="count")) == {"Back": 2, "Field": 1, "Front": 1}


def test_resource_network_by_hand(log):
    g = handoff_network(log, level="resource")
    assert g.graph["level"] == "resource"
    # ann: 3 events in cases 1, 2; bob 1; cy 1; dan 2 in case 2; eve 1 in case 3.
    assert dict(g.nodes(data="events")) == {"ann": 3, "bob": 1, "cy": 1, "dan": 2, "eve": 1}
    assert dict(g.nodes(data="cases")) == {"ann": 2, "bob": 1, "cy": 1, "dan": 1, "eve": 1}
    # Case 1: ann -> bob (1 h), bob -> ann (3 h), ann -> cy (1 h); case 2: ann -> dan (1 h).
    assert sorted(g.edges(data="total_wait_s")) == [
        ("ann", "bob", 1 * H), ("ann", "cy", 1 * H), ("ann", "dan", 1 * H),
        ("bob", "ann", 3 * H),
    ]  # fmt: skip
    assert g.edges["ann", "bob"]["pingpong"] == 1  # ann bob ann
    assert g.edges["bob", "ann"]["pingpong"] == 0  # bob ann cy: not back to bob
    assert nx.has_path(g, "bob", "cy") and not nx.has_path(g, "cy", "ann")


def test_handler_stats_match_the_known_handler_sequence(log):
    stats = handler_stats(log, level="team")
    assert stats.values.tolist() == [
        ["team", "Back", 2, 1], ["team", "Field", 1, 1], ["team", "Front", 4, 3],
    ]  # fmt: skip
    known = len(log.engine.fetch(handler_sequence(log, level="team")))
    assert stats["events"].sum() == known == 7


def test_the_level_must_be_mapped():
    frame = pd.DataFrame(ROWS, columns=COLUMNS).drop(columns="team")
    with pytest.raises(MappingError, match="count hand-offs at level 'resource'"):
        handoff_network(EventLog.from_frame(frame), level="team")


def _assert_network_is_the_tables(log: EventLog, level: str) -> nx.DiGraph:
    g = handoff_network(log, level=level)
    table = handoffs(log, level=level)
    assert sorted(g.edges) == sorted(zip(table["from"], table["to"], strict=True))
    for row in table.itertuples(index=False):
        edge = g.edges[row[1], row[2]]
        assert (edge["count"], edge["cases"]) == (row.count, row.cases)
        assert edge["median_wait_s"] == row.median_wait_s
        assert edge["total_wait_s"] == row.total_wait_s
    pairs = pingpong(log, level=level)
    bounced = {(a, b): d for a, b, d in g.edges(data=True) if d["pingpong"]}
    assert sorted(bounced) == sorted(zip(pairs["a"], pairs["b"], strict=True))
    for row in pairs.itertuples(index=False):
        assert bounced[(row.a, row.b)]["pingpong"] == row.count
        assert bounced[(row.a, row.b)]["pingpong_cases"] == row.cases
    known = len(log.engine.fetch(handler_sequence(log, level=level)))
    assert sum(events for _, events in g.nodes(data="events")) == known
    return g


def test_sample_network_equals_the_tables():
    with jm.read_log(str(SAMPLE)) as log:
        for level in ("team", "resource"):
            _assert_network_is_the_tables(log, level)
        g = handoff_network(log, level="team")
        assert list(g) == sorted(g)  # nodes in order of their names
        # The busiest path of the sample: Contact Centre -> Back Office, 738 hand-offs.
        assert g.edges["Contact Centre", "Back Office"]["count"] == 738


# The public logs with a handler role, mapped as bench/same_outputs.py maps them.
PUBLIC = [
    ("helpdesk/helpdesk.xes.gz", {"team": "workgroup"}),
    ("helpdesk/helpdesk_full.csv", {}),
    ("bpic2013_closed_problems/BPI2013_closed.csv", {"team": "organization involved"}),
    ("bpic2013_open_problems/BPI_Challenge_2013_open_problems.xes.gz", {}),
    ("receipt/receipt.csv", {"team": "org:group"}),
    ("sepsis/Sepsis_Cases_Event_Log.xes.gz", {"team": "org:group"}),
    ("receipt/receipt_env_permit.xes.gz", {"team": "org:group"}),
    ("pm4py_examples/running-example.xes", {}),
    ("pm4py_examples/reviewing.xes", {}),
]


@pytest.mark.datasets
@pytest.mark.parametrize(("name", "mapping"), PUBLIC, ids=[p for p, _ in PUBLIC])
def test_public_log_networks_equal_the_tables(name, mapping):
    with jm.read_log(str(dataset(name)), **mapping) as log:
        levels = [level for level in ("team", "resource") if log.has(level)]
        assert levels, f"{name} has no handler role"
        for level in levels:
            g = _assert_network_is_the_tables(log, level)
            assert g.number_of_edges() > 0


def test_network_from_tables_checks_its_input():
    matrix = pd.DataFrame({"level": ["team"], "from": ["A"], "to": ["B"], "count": [1],
                           "cases": [1], "median_wait_s": [60.0],
                           "total_wait_s": [60.0]})  # fmt: skip
    pp = pd.DataFrame({"level": ["team"], "a": ["B"], "b": ["A"], "count": [1], "cases": [1]})
    with pytest.raises(ValueError, match="pingpong lists 'B' -> 'A' without a hand-off"):
        network_from_tables(matrix, pp)
    stats = pd.DataFrame({"level": ["team"], "handler": ["A"], "events": [1], "cases": [1]})
    with pytest.raises(ValueError, match="handlers does not list 'B', which hands off"):
        network_from_tables(matrix, None, stats)
    with pytest.raises(ValueError, match="matrix has no column 'cases'"):
        network_from_tables(matrix.drop(columns="cases"))
    # Rows of other levels are left out; without handler counts, nodes have no counts.
    g = network_from_tables(matrix, level="resource")
    assert g.number_of_nodes() == 0 and g.graph["level"] == "resource"
    assert dict(network_from_tables(matrix).nodes(data=True)) == {"A": {}, "B": {}}


def test_the_renderer_draws_the_graph(log):
    g = handoff_network(log, level="team")
    dot = handoff_network_dot(g, title="t")
    tables = network_from_tables(handoffs(log), pingpong(log), level="team")
    assert dot == handoff_network_dot(tables, title="t")
    assert dot == handoff_network_dot(handoff_network_parts(log, level="team"), title="t")
    # Handlers with no hand-off (none here) and the order of insertion change nothing.
    shuffled = nx.DiGraph(level="team")
    shuffled.add_node("Lonely", events=1, cases=1)
    shuffled.add_edges_from(reversed(list(g.edges(data=True))))
    assert handoff_network_dot(shuffled, title="t") == dot
    assert 'label="  2 · 1.0 h · ⇄ 1"' in dot  # Front -> Back: 2 hand-offs, median 1 h
    bare = nx.DiGraph(level="team")
    bare.add_edge("A", "B", count=1)
    with pytest.raises(ValueError, match="'A' -> 'B' has no 'cases'"):
        handoff_network_dot(bare)


def test_mine_keeps_the_network_as_parts_and_builds_the_graph_when_asked():
    """`mine` computes the reintegration plan from the network's parts, and the report
    draws the network from them: neither imports networkx. `findings.network` is then
    the graph of `handoff_network`."""
    import subprocess
    import sys

    code = (
        "import sys, tempfile, journeymap as jm\n"
        "from journeymap.analysis.network import handoff_network\n"
        "with jm.read_log('sample_logs/service_desk.csv') as log:\n"
        "    found = jm.mine(log)\n"
        "    with tempfile.TemporaryDirectory() as folder:\n"
        "        written = jm.write_outputs(found, folder + '/out', report=True)\n"
        "    print('networkx' in sys.modules, len(found.reintegration_plan),\n"
        "          any(p.name == 'report.html' for p in written))\n"
        "    g, h = found.network, handoff_network(log, level=found.level)\n"
        "    print(g is found.network, g.graph == h.graph,\n"
        "          list(g.nodes(data=True)) == list(h.nodes(data=True)),\n"
        "          list(g.edges(data=True)) == list(h.edges(data=True)), len(g.edges))\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert done.stdout.split("\n")[:2] == ["False 2 True", "True True True True 14"]


def test_the_plan_from_parts_is_the_plan_from_the_graph(log):
    parts = handoff_network_parts(log, level="team")
    from_parts = reintegration_plan(log, level="team", network=parts)
    from_graph = reintegration_plan(log, level="team", network=parts.graph())
    pd.testing.assert_frame_equal(from_parts, from_graph)
    assert propose_groups(parts, min_join_share=0.0) == propose_groups(
        parts.graph(), min_join_share=0.0
    )
