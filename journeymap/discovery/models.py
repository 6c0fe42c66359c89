"""Formal process models built by pm4py from the directly-follows graph.

This is the module of journeymap that runs pm4py (besides it, only
:func:`journeymap.discovery.model_graph.dfg_object` imports pm4py's DFG class). It is
given the aggregated graph of :func:`journeymap.discovery.dfg` (a DataFrame with
``source``, ``target`` and ``events``; start edges leave ``__start__``, end edges enter
``__end__``), never the events, so its cost depends on the number of activities, not on
the size of the log.
pm4py is imported on the first call only (the import alone takes about 2 s and 230 MB).

Two models:

- :func:`inductive_model`: pm4py's inductive miner on the DFG (its IMd variant), a
  block-structured process tree, also given as BPMN.
- :func:`heuristics_model`: pm4py's heuristics miner on the DFG, a heuristics net, also
  given as a Petri net and, when pm4py can convert it, as BPMN.

Written files are deterministic: pm4py names BPMN elements with random UUIDs and keeps
them in sets, so the model is copied in a canonical order (a traversal from the start
event; ties broken by the elements' type, name and neighbours) and every id is renumbered
in order of first appearance. Pictures are drawn by Graphviz from pm4py's DOT with its
random node names renumbered the same way. Activity names are escaped for DOT (a name
such as ``<b>x</b>`` is text, not an HTML label) and for XML.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from journeymap.discovery.model_graph import PM4PY_INSTALL, filter_noise, pm4py_dfg, read_dfg
from journeymap.dot import run_dot
from journeymap.errors import MissingDependencyError, ModelError

__all__ = ["DRAW_FORMATS", "ProcessModel", "heuristics_model", "inductive_model"]


#: Formats :meth:`ProcessModel.draw` writes (``dot`` is the Graphviz source itself).
DRAW_FORMATS = ("svg", "png", "pdf", "dot")
_BAD_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DOT_ID = r'"(?:[^"\\]|\\.)*"|[^\s"\[\]=;{}]+'
_DOT_STATEMENT = re.compile(
    rf"\t(?P<a>{_DOT_ID})(?: -> (?P<b>{_DOT_ID}))?(?P<rest>( \[.*)?\s*)", re.S
)
_REFERENCES = ("sourceRef", "targetRef", "bpmnElement", "processRef")


@dataclass(frozen=True, repr=False)
class ProcessModel:
    """A process model discovered by pm4py, with the pm4py objects it consists of.

    Attributes
    ----------
    kind : ``"inductive"`` or ``"heuristics"``.
    tree : the process tree (inductive models), else None.
    heuristics_net : the heuristics net (heuristics models), else None.
    petri_net : the accepting Petri net ``(net, initial_marking, final_marking)``.
    bpmn : the BPMN diagram, laid out by Graphviz, with ids ``n1, n2, ...`` (nodes) and
        ``f1, f2, ...`` (flows); None when pm4py cannot convert the heuristics net.
    dot : the Graphviz source of the picture: the BPMN diagram (inductive) or the
        heuristics net (heuristics), with node names ``n1, n2, ...``.
    """

    kind: Literal["inductive", "heuristics"]
    tree: Any
    heuristics_net: Any
    petri_net: tuple[Any, Any, Any]
    bpmn: Any
    dot: str

    def __repr__(self) -> str:
        if self.tree is not None:
            shape = str(self.tree)
        else:
            nodes = self.heuristics_net.nodes.values()
            arcs = sum(len(n.output_connections) for n in nodes)
            shape = f"{len(nodes)} activities, {arcs} arcs"
        return f"<ProcessModel {self.kind}: {shape if len(shape) < 70 else shape[:66] + ' ...'}>"

    def bpmn_xml(self) -> bytes:
        """The BPMN 2.0 XML of the model, with its diagram (BPMN DI).

        Raises
        ------
        ModelError : the model has no BPMN form (a heuristics net pm4py cannot convert).
        """
        if self.bpmn is None:
            raise ModelError(
                "pm4py could not convert this heuristics net to BPMN: draw() it, or use "
                "its Petri net (model.petri_net), or an inductive_model() for BPMN"
            )
        from pm4py.objects.bpmn.exporter import exporter

        return _tidy_bpmn_xml(exporter.serialize(self.bpmn))

    def save_bpmn(self, path: str | os.PathLike[str]) -> Path:
        """Write the model as a BPMN 2.0 XML file; return its path (raises as
        :meth:`bpmn_xml`)."""
        Path(path).write_bytes(self.bpmn_xml())
        return Path(path)

    def draw(self, path: str | os.PathLike[str], format: str = "svg") -> Path:
        """Draw the model with Graphviz into ``path``, in one of :data:`DRAW_FORMATS`;
        return the path.

        Raises
        ------
        ModelError : an unknown format.
        MissingDependencyError : Graphviz's ``dot`` is not installed.
        """
        if format not in DRAW_FORMATS:
            raise ModelError(f"cannot draw as {format!r}: choose one of {', '.join(DRAW_FORMATS)}")
        data = self.dot.encode() if format == "dot" else run_dot(self.dot, format, what="the model")
        Path(path).write_bytes(data)
        return Path(path)


def inductive_model(dfg: pd.DataFrame, *, noise_threshold: float = 0.0) -> ProcessModel:
    """Mine a process tree from the directly-follows graph with the inductive miner.

    pm4py's inductive miner on a DFG (IMd) splits the activities by the cuts it finds in
    the graph (sequence, exclusive choice, parallel, loop) until single activities
    remain, and falls back to a flower loop where no cut fits. With ``noise_threshold``
    t > 0, infrequent edges are dropped first: an edge a -> b (start and end edges
    included) is kept when its events are at least t times those of the most frequent
    edge leaving a; then dropped edges are added back, most frequent first, until every
    activity can be reached from the start and can reach the end. (This is close to the
    edge filter of pm4py's IMf, applied once to the whole graph: pm4py applies no noise
    filter to a DFG.)

    Parameters
    ----------
    dfg : the directly-follows graph, as :func:`journeymap.discovery.dfg` returns it.
    noise_threshold : t, between 0 and 1.

    Raises
    ------
    ModelError : a graph without the needed columns, edges, start or end edges.
    MissingDependencyError : pm4py, or Graphviz's ``dot`` (which lays out the BPMN
        diagram), is not installed.

    Examples
    --------
    >>> choice = pd.DataFrame({
    ...     "source": ["__start__", "A", "A", "B", "C", "D"],
    ...     "target": ["A", "B", "C", "D", "D", "__end__"],
    ...     "events": [5, 3, 2, 3, 2, 5]})
    >>> model = inductive_model(choice)
    >>> str(model.tree)
    "->( 'A', X( 'C', 'B' ), 'D' )"
    """
    if not 0.0 <= noise_threshold <= 1.0:
        raise ModelError(f"noise_threshold must be between 0 and 1, not {noise_threshold}")
    edges = read_dfg(dfg)
    if noise_threshold > 0:
        edges = filter_noise(edges, noise_threshold)
    pm4py = _pm4py()
    from pm4py.objects.dfg.obj import DFG

    tree = pm4py.discover_process_tree_inductive(DFG(*pm4py_dfg(edges)))
    bpmn, dot = _bpmn_form(pm4py.convert_to_bpmn(tree))
    net, initial, final = pm4py.convert_to_petri_net(tree)
    return ProcessModel("inductive", tree, None, (net, initial, final), bpmn, dot)


def heuristics_model(
    dfg: pd.DataFrame,
    *,
    dependency_threshold: float = 0.5,
    and_threshold: float = 0.65,
    min_act_count: int = 1,
    min_dfg_occurrences: int = 1,
) -> ProcessModel:
    """Mine a heuristics net from the directly-follows graph with the heuristics miner.

    pm4py's heuristics miner keeps an edge a -> b when a and b occur at least
    ``min_act_count`` times, the edge at least ``min_dfg_occurrences`` times, and its
    dependency (|a>b| - |b>a|) / (|a>b| + |b>a| + 1) (|a>a| / (|a>a| + 1) for a
    self-loop) is at least ``dependency_threshold``; ``and_threshold`` decides which
    splits and joins are parallel. An activity's occurrences are the events of the
    edges entering it (start edges included). Loops of length two (a b a) need counts
    of triples that a DFG does not hold, so they are not detected.

    Raises
    ------
    ModelError : a graph without the needed columns, edges, start or end edges.
    MissingDependencyError : pm4py, or Graphviz's ``dot`` (which lays out the BPMN
        diagram), is not installed.

    Examples
    --------
    >>> sequence = pd.DataFrame({
    ...     "source": ["__start__", "A", "B", "C"], "target": ["A", "B", "C", "__end__"],
    ...     "events": [4, 4, 4, 4]})
    >>> sorted(heuristics_model(sequence).heuristics_net.nodes)
    ['A', 'B', 'C']
    """
    edges, starts, ends = pm4py_dfg(read_dfg(dfg))
    occurrences: dict[str, int] = defaultdict(int, starts)
    for (_, target), count in edges.items():
        occurrences[target] += count
    pm4py = _pm4py()
    from pm4py.algo.discovery.heuristics.variants import classic

    p = classic.Parameters
    parameters = {
        p.DEPENDENCY_THRESH: dependency_threshold,
        p.AND_MEASURE_THRESH: and_threshold,
        p.MIN_ACT_COUNT: min_act_count,
        p.MIN_DFG_OCCURRENCES: min_dfg_occurrences,
    }
    net = classic.apply_heu_dfg(
        edges,
        activities=sorted(occurrences),
        activities_occurrences=dict(occurrences),
        start_activities=starts,
        end_activities=ends,
        parameters=parameters,
    )
    petri, initial, final = pm4py.convert_to_petri_net(net)
    try:
        converted = pm4py.convert_to_bpmn(petri, initial, final)
    except Exception:  # pm4py raises a bare Exception when the net does not convert
        converted = None
    bpmn = None if converted is None else _bpmn_form(converted)[0]
    return ProcessModel(
        "heuristics", None, net, (petri, initial, final), bpmn, _heuristics_dot(net)
    )


def _pm4py() -> Any:
    try:
        import pm4py
    except ImportError as exc:
        raise MissingDependencyError(
            f"process models need pm4py, which is not installed ({exc}): {PM4PY_INSTALL}"
        ) from exc
    return pm4py


# -- a canonical copy of pm4py's BPMN -----------------------------------------------
def _bpmn_form(bpmn: Any) -> tuple[Any, str]:
    """A copy of pm4py's ``bpmn`` built in a canonical order with ids n1.., f1.., and
    laid out by Graphviz; and the DOT of its picture."""
    from graphviz import escape
    from pm4py.objects.bpmn.obj import BPMN
    from pm4py.visualization.bpmn.variants import classic

    nodes, flows = _canonical_order(bpmn)
    copies = []  # one with the names (XML-safe), one with the names escaped for DOT
    for rename in (lambda s: _BAD_XML_CHARS.sub("\ufffd", s), escape):
        new = BPMN(process_id="process", name="journeymap")
        twins = {}
        for i, node in enumerate(nodes, 1):
            twins[node] = twin = _copy_node(BPMN, node, f"n{i}", rename(str(node.get_name())))
            new.add_node(twin)
        for i, flow in enumerate(flows, 1):
            new.add_flow(BPMN.SequenceFlow(twins[flow.source], twins[flow.target], id=f"f{i}"))
        for element in (*new.get_nodes(), *new.get_flows()):
            element.set_process("process")
        copies.append(new)
    gviz = classic.apply(copies[1], parameters={"format": "svg"})
    ids = {str(id(n)): n.get_id() for n in copies[1].get_nodes()}
    names = {new: ids[old] for old, new in _rename_dot_nodes(gviz).items() if old in ids}
    layout = run_dot(gviz.source, "plain", what="the BPMN diagram").decode()
    _apply_layout(copies[0], layout, names)
    return copies[0], str(gviz.source)


def _copy_node(BPMN: Any, node: Any, new_id: str, name: str) -> Any:
    cls = type(node)
    if isinstance(node, BPMN.Gateway):
        return cls(id=new_id, name=name, gateway_direction=node.get_gateway_direction())
    if isinstance(node, BPMN.StartEvent):
        return cls(
            id=new_id,
            name=name,
            isInterrupting=node.get_isInterrupting(),
            parallelMultiple=node.get_parallelMultiple(),
        )
    return cls(id=new_id, name=name)


def _canonical_order(bpmn: Any) -> tuple[list[Any], list[Any]]:
    """Nodes in breadth-first order from the start events, and flows by source."""
    nodes = list(bpmn.get_graph().nodes)
    index = {n: i for i, n in enumerate(nodes)}
    flows = sorted(bpmn.get_flows(), key=lambda f: (index[f.source], index[f.target]))
    succ: dict[Any, list[Any]] = {n: [] for n in nodes}
    pred: dict[Any, list[Any]] = {n: [] for n in nodes}
    for f in flows:
        succ[f.source].append(f.target)
        pred[f.target].append(f.source)
    # Colour refinement: a node's rank is its type and name, then the ranks of its
    # neighbours, until the ranks stop splitting. Ties left are (nearly always)
    # symmetric nodes, whose order does not change the written model.
    rank = _ranks({n: (type(n).__name__, str(n.get_name()), _direction(n)) for n in nodes})
    while True:
        signature = {
            n: (rank[n], sorted(rank[s] for s in succ[n]), sorted(rank[p] for p in pred[n]))
            for n in nodes
        }
        refined = _ranks(signature)
        if len(set(refined.values())) == len(set(rank.values())):
            break
        rank = refined
    key = {n: (rank[n], index[n]) for n in nodes}
    start_class = type(bpmn).StartEvent
    queue = deque(sorted((n for n in nodes if isinstance(n, start_class)), key=key.__getitem__))
    order: dict[Any, int] = {}
    while queue or len(order) < len(nodes):
        if not queue:  # nodes the start does not reach
            queue.append(min((n for n in nodes if n not in order), key=key.__getitem__))
        node = queue.popleft()
        if node in order:
            continue
        order[node] = len(order)
        queue.extend(sorted((s for s in succ[node] if s not in order), key=key.__getitem__))
    flows.sort(key=lambda f: (order[f.source], order[f.target]))
    return sorted(nodes, key=order.__getitem__), flows


def _direction(node: Any) -> str:
    getter = getattr(node, "get_gateway_direction", None)
    return str(getter().value) if getter else ""


def _ranks(labels: dict[Any, Any]) -> dict[Any, int]:
    distinct = {label: i for i, label in enumerate(sorted({repr(v) for v in labels.values()}))}
    return {n: distinct[repr(v)] for n, v in labels.items()}


# -- pictures and layout ------------------------------------------------------------
def _heuristics_dot(net: Any) -> str:
    import copy

    from graphviz import escape
    from pm4py.visualization.heuristics_net.variants import pydotplus_vis

    shown = copy.copy(net)  # the same net, its activity names escaped for DOT
    shown.nodes = {escape(name): node for name, node in net.nodes.items()}
    for side in ("start_activities", "end_activities"):
        setattr(shown, side, [{escape(a): c for a, c in d.items()} for d in getattr(net, side)])
    gviz = pydotplus_vis.get_graph(shown, parameters={"format": "svg"})
    _rename_dot_nodes(gviz)
    return str(gviz.source)


def _rename_dot_nodes(gviz: Any) -> dict[str, str]:
    """Rename the nodes of a graphviz Digraph n1, n2, ... in order of first appearance."""
    names: dict[str, str] = {}

    def new(token: str) -> str:
        old = token[1:-1].replace('\\"', '"') if token.startswith('"') else token
        return names.setdefault(old, f"n{len(names) + 1}")

    for i, line in enumerate(gviz.body):
        m = _DOT_STATEMENT.fullmatch(line)
        if not m or m["a"] in ("graph", "node", "edge"):
            continue
        head = f" -> {new(m['b'])}" if m["b"] else ""
        gviz.body[i] = f"\t{new(m['a'])}{head}{m['rest']}"
    return names


def _apply_layout(bpmn: Any, plain: str, names: dict[str, str]) -> None:
    """Set the BPMN diagram's bounds and waypoints from ``dot -Tplain`` output."""
    height = 0.0
    boxes: dict[str, tuple[float, float, float, float]] = {}  # centre x, y, half w, h
    paths: dict[tuple[str, str], list[list[tuple[float, float]]]] = defaultdict(list)
    for line in plain.splitlines():
        part = line.split()
        if part[:1] == ["graph"]:
            height = float(part[3]) * 72
        elif part[:1] == ["node"] and part[1] in names:
            x, y, w, h = (float(v) * 72 for v in part[2:6])
            boxes[names[part[1]]] = (x, height - y, w / 2, h / 2)
        elif part[:1] == ["edge"] and part[1] in names and part[2] in names:
            xy = [float(v) * 72 for v in part[4 : 4 + 2 * int(part[3])]]
            points = [(xy[j], height - xy[j + 1]) for j in range(0, len(xy), 6)]
            paths[(names[part[1]], names[part[2]])].append(points)
    for node in bpmn.get_nodes():
        x, y, hw, hh = boxes[node.get_id()]
        node.set_x(round(x - hw, 2))
        node.set_y(round(y - hh, 2))
        node.set_width(round(2 * hw, 2))
        node.set_height(round(2 * hh, 2))
    for flow in sorted(bpmn.get_flows(), key=lambda f: int(str(f.get_id())[1:])):
        source, target = flow.source.get_id(), flow.target.get_id()
        points = paths[(source, target)].pop(0)
        points[0] = _on_border(boxes[source], points[0])
        points[-1] = _on_border(boxes[target], points[-1])
        flow.del_waypoints()
        for px, py in points:
            flow.add_waypoint((round(px, 2), round(py, 2)))


def _on_border(
    box: tuple[float, float, float, float], p: tuple[float, float]
) -> tuple[float, float]:
    """Where the line from the box's centre towards ``p`` leaves the box."""
    cx, cy, hw, hh = box
    dx, dy = p[0] - cx, p[1] - cy
    if dx == 0 and dy == 0:
        return p
    scale = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return (cx + dx * scale, cy + dy * scale)


def _tidy_bpmn_xml(raw: bytes) -> bytes:
    """Sort pm4py's BPMN XML in the canonical order and renumber its ids."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    root = etree.fromstring(raw, parser)

    def position(el: Any) -> tuple[int, int]:
        ref = el.get("id") if el.get("bpmnElement") is None else el.get("bpmnElement")
        m = re.fullmatch(r"(id)?([nf])(\d+)(_gui)?", ref or "")
        return (0, 0) if m is None else ((1 if m[2] == "n" else 2), int(m[3]))

    for parent in list(root.iter()):
        parent[:] = sorted(parent, key=position)
    ids: dict[str, str] = {}
    for el in root.iter():
        if (old := el.get("id")) is not None:
            el.set("id", ids.setdefault(old, f"{etree.QName(el).localname}_{len(ids) + 1}"))
    for el in root.iter():
        for attribute in _REFERENCES:
            if (ref := el.get(attribute)) in ids:
                el.set(attribute, ids[str(ref)])
        if etree.QName(el).localname in ("incoming", "outgoing") and el.text in ids:
            el.text = ids[str(el.text)]
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
