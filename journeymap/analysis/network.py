"""The hand-off network: handlers and the hand-offs between them, as a networkx graph.

Definitions (shared/MEASURES.md, "Handler, hand-offs, ping-pong"), on the known-handler
sequence of :mod:`journeymap.analysis.handoffs`:

- A node is a handler (a team, or a resource, per ``level``) with at least one event:
  ``events`` (its events) and ``cases`` (distinct cases with one of its events).
- An edge X -> Y is a pair of handlers with at least one hand-off from X to Y: the row
  X -> Y of the hand-off table (``count``, ``cases``, ``median_wait_s``,
  ``total_wait_s``), and the ping-pongs X -> Y -> X (``pingpong``, ``pingpong_cases``;
  0 when there are none).

Per handler, also the hand-offs that reach it within a second (:func:`instant_handoffs`):
how fast a system, rather than a person, answers.

The per-event work runs on the engine (the hand-off and ping-pong tables, and the
handlers' counts); only the small aggregated graph is built in networkx. It is what
:mod:`journeymap.render.handoffs` draws, and the way to take the network further:
centrality, paths, communities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from journeymap.analysis.handoffs import (
    HANDOFF_COLUMNS,
    PINGPONG_COLUMNS,
    handler_sequence,
    handoffs,
    pingpong,
)
from journeymap.eventlog import EventLog

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "EDGE_ATTRIBUTES",
    "HANDLER_COLUMNS",
    "NODE_ATTRIBUTES",
    "NetworkParts",
    "handler_stats",
    "handoff_network",
    "handoff_network_parts",
    "instant_handoffs",
    "network_edges",
    "network_from_tables",
    "network_level",
    "network_parts",
]

HANDLER_COLUMNS = ["level", "handler", "events", "cases"]
#: The attributes of every node of :func:`handoff_network`.
NODE_ATTRIBUTES = ("events", "cases")
#: The attributes of every edge of :func:`handoff_network`.
EDGE_ATTRIBUTES = (
    "count",
    "cases",
    "median_wait_s",
    "total_wait_s",
    "pingpong",
    "pingpong_cases",
    "weight",
)


def handler_stats(log: EventLog, *, level: str = "team") -> pd.DataFrame:
    """Every known handler of the level: ``level``, ``handler``, ``events`` (its events)
    and ``cases`` (distinct cases with at least one of its events), ordered by handler.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "2"], "activity": ["a", "b", "c", "a"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00",
    ...                   "2024-01-02 09:00"],
    ...     "team": ["X", "Y", "X", None]}))
    >>> handler_stats(log)
      level handler  events  cases
    0  team       X       2      1
    1  team       Y       1      1
    """
    seq = handler_sequence(log, level=level)
    grouped = seq.group_by("handler").aggregate(events=seq.count(), cases=seq.case.nunique())
    frame = log.engine.fetch(grouped)
    # Names by code point in Python: the same order on every engine.
    frame = frame.assign(handler=frame["handler"].astype(str))
    frame = frame.sort_values("handler", kind="stable", ignore_index=True)
    frame.insert(0, "level", level)
    for column in ("events", "cases"):
        frame[column] = frame[column].astype("int64")
    return frame.reindex(columns=HANDLER_COLUMNS)


def instant_handoffs(log: EventLog, *, level: str = "team") -> pd.DataFrame:
    """Per handler that receives hand-offs: ``handler``, ``handoffs`` (to it) and
    ``instant``, those that reach it more than 0 and less than a second after the event
    before. A system answers that fast; a person does not (BPIC 2012's '112'). A wait of
    exactly 0 is left out: in a log that records only the day (pm4py's reviewing), or
    events written together, it says nothing of who answered.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "2", "2"], "activity": ["a", "b", "c", "a", "b"],
    ...     "timestamp": ["2024-01-01 09:00:00", "2024-01-01 09:00:00.4", "2024-01-01 12:00",
    ...                   "2024-01-02 09:00", "2024-01-02 09:00"],
    ...     "resource": ["ann", "sys", "bob", "ann", "sys"]}))
    >>> instant_handoffs(log, level="resource")
      handler  handoffs  instant
    0     bob         1        0
    1     sys         2        1
    """
    seq = handler_sequence(log, level=level)
    moves = seq.filter(seq.handoff)
    quick = (moves.wait_s > 0) & (moves.wait_s < 1)
    grouped = moves.group_by(handler=moves.handler).aggregate(
        handoffs=moves.count(), instant=quick.ifelse(1, 0).cast("int64").sum()
    )
    frame = log.engine.fetch(grouped)
    frame["handler"] = frame["handler"].astype(str)
    for column in ("handoffs", "instant"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame.sort_values("handler", kind="stable", ignore_index=True)


def handoff_network(log: EventLog, *, level: str = "team") -> nx.DiGraph:
    """The hand-off network of one level as a directed networkx graph.

    Nodes are the handlers with at least one known event, with ``events`` and
    ``cases`` (:func:`handler_stats`). Each edge X -> Y is a pair of handlers with
    hand-offs from X to Y, with ``count`` (hand-offs), ``cases`` (distinct cases with
    at least one), ``median_wait_s`` and ``total_wait_s`` (of their waits, seconds),
    ``pingpong`` (ping-pongs X -> Y -> X) and ``pingpong_cases`` (cases with one), and
    ``weight``, the count again: the attribute networkx's functions read by default
    (a strength, as in weighted degree or PageRank; name another, or none, for path
    lengths). ``graph.graph["level"]`` is the level. Nodes are inserted by name,
    edges by their two names, so the same log always gives the same graph.

    The edges are the rows of :func:`~journeymap.analysis.handoffs.handoffs`, and
    ``pingpong`` the counts of :func:`~journeymap.analysis.handoffs.pingpong`.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.

    Examples
    --------
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "1", "2", "2"], "activity": ["a", "b", "c", "a", "b"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 12:00",
    ...                   "2024-01-02 09:00", "2024-01-02 09:30"],
    ...     "team": ["X", "Y", "X", "X", "Y"]}))
    >>> g = handoff_network(log)
    >>> dict(g.nodes(data=True))
    {'X': {'events': 3, 'cases': 2}, 'Y': {'events': 2, 'cases': 2}}
    >>> g.edges["X", "Y"]
    {'count': 2, 'cases': 2, 'median_wait_s': 2700.0, 'total_wait_s': 5400.0, 'pingpong': 1, 'pingpong_cases': 1, 'weight': 2}
    >>> import networkx as nx
    >>> dict(g.in_degree(weight="count"))  # hand-offs each handler received
    {'X': 1, 'Y': 2}
    """  # noqa: E501
    return handoff_network_parts(log, level=level).graph()


def handoff_network_parts(log: EventLog, *, level: str = "team") -> NetworkParts:
    """The nodes and edges of :func:`handoff_network`, without networkx.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.
    """
    return network_parts(
        handoffs(log, level=level),
        pingpong(log, level=level),
        handler_stats(log, level=level),
        level=level,
    )


@dataclass(frozen=True)
class NetworkParts:
    """The hand-off network's nodes and edges with their attributes, as plain
    dictionaries (:func:`network_parts`): what the reintegration plan reads, without
    importing networkx (0.2 s); :meth:`graph` builds the networkx graph.

    ``nodes`` maps each handler's name to its attributes (``events`` and ``cases``, or
    none), ``edges`` each pair ``(from, to)`` to the edge's :data:`EDGE_ATTRIBUTES`;
    both in the order of their names.
    """

    level: str
    nodes: dict[str, dict[str, int]]
    edges: dict[tuple[str, str], dict[str, Any]]

    def graph(self) -> nx.DiGraph:
        """The network as a networkx ``DiGraph`` (:func:`handoff_network`): nodes
        inserted by name, edges by their two names."""
        import networkx as nx  # when a graph is asked for: its import takes 0.2 s

        graph = nx.DiGraph(level=self.level)
        for name, attributes in self.nodes.items():
            graph.add_node(name, **attributes)
        for (source, target), attributes in self.edges.items():
            graph.add_edge(source, target, **attributes)
        return graph


def network_edges(network: nx.DiGraph | NetworkParts) -> dict[tuple[str, str], dict[str, Any]]:
    """The edges of a network (the graph or its parts), each pair ``(from, to)`` with
    its attributes, in the graph's order."""
    if isinstance(network, NetworkParts):
        return network.edges
    return {(a, b): attributes for a, b, attributes in network.edges(data=True)}


def network_level(network: nx.DiGraph | NetworkParts) -> str:
    """The handler level of a network (the graph or its parts): "team" or "resource";
    a graph without one is taken as "team"."""
    if isinstance(network, NetworkParts):
        return network.level
    return str(network.graph.get("level", "team"))


def network_from_tables(
    matrix: pd.DataFrame,
    pairs: pd.DataFrame | None = None,
    handlers: pd.DataFrame | None = None,
    *,
    level: str = "team",
) -> nx.DiGraph:
    """The hand-off network of :func:`handoff_network`, from tables already computed
    (:func:`network_parts` says what they must hold).

    Examples
    --------
    >>> matrix = pd.DataFrame({"level": "team", "from": ["Front"], "to": ["Back"],
    ...     "count": [12], "cases": [10], "median_wait_s": [7200.0],
    ...     "total_wait_s": [90000.0]})
    >>> sorted(network_from_tables(matrix).edges(data="total_wait_s"))
    [('Front', 'Back', 90000.0)]
    """
    return network_parts(matrix, pairs, handlers, level=level).graph()


def network_parts(
    matrix: pd.DataFrame,
    pairs: pd.DataFrame | None = None,
    handlers: pd.DataFrame | None = None,
    *,
    level: str = "team",
) -> NetworkParts:
    """The nodes and edges of the hand-off network, from tables already computed.

    ``matrix`` is a hand-off table (:data:`~journeymap.analysis.handoffs.HANDOFF_COLUMNS`),
    ``pairs`` a ping-pong table (:data:`~journeymap.analysis.handoffs.PINGPONG_COLUMNS`)
    and ``handlers`` a :func:`handler_stats` table; rows of other levels are ignored.
    Without ``handlers``, the nodes are the handlers of the edges, without ``events`` and
    ``cases``.

    Raises
    ------
    ValueError
        A table lacks a column or lists a pair (or handler) twice, or a ping-pong pair
        has no hand-off.

    Examples
    --------
    >>> matrix = pd.DataFrame({"level": "team", "from": ["Front"], "to": ["Back"],
    ...     "count": [12], "cases": [10], "median_wait_s": [7200.0],
    ...     "total_wait_s": [90000.0]})
    >>> parts = network_parts(matrix)
    >>> parts.nodes
    {'Back': {}, 'Front': {}}
    >>> parts.edges[("Front", "Back")]["pingpong"]
    0
    """
    edges = _rows(matrix, "matrix", HANDOFF_COLUMNS, ("from", "to"), level)
    bounces = {} if pairs is None else _rows(pairs, "pingpong", PINGPONG_COLUMNS, ("a", "b"), level)
    lonely = sorted(set(bounces) - set(edges))
    if lonely:
        raise ValueError(f"pingpong lists {lonely[0][0]!r} -> {lonely[0][1]!r} without a hand-off")
    names = {name for pair in edges for name in pair}
    nodes: dict[str, dict[str, int]]
    if handlers is None:
        nodes = {name: {} for name in sorted(names)}
    else:
        stats = _rows(handlers, "handlers", HANDLER_COLUMNS, ("handler",), level)
        nodes = {
            name: {"events": int(row["events"]), "cases": int(row["cases"])}
            for (name,), row in sorted(stats.items())
        }
        unknown = sorted(names - set(nodes))
        if unknown:
            raise ValueError(f"handlers does not list {unknown[0]!r}, which hands off")
    attributes: dict[tuple[str, str], dict[str, Any]] = {}
    for (source, target), row in sorted(edges.items()):
        bounce = bounces.get((source, target), {})
        attributes[(source, target)] = {
            "count": int(row["count"]),
            "cases": int(row["cases"]),
            "median_wait_s": float(row["median_wait_s"]),
            "total_wait_s": float(row["total_wait_s"]),
            "pingpong": int(bounce.get("count", 0)),
            "pingpong_cases": int(bounce.get("cases", 0)),
            "weight": int(row["count"]),
        }
    return NetworkParts(level, nodes, attributes)


def _rows(
    frame: pd.DataFrame, name: str, columns: list[str], keys: tuple[str, ...], level: str
) -> dict[tuple[str, ...], dict[str, Any]]:
    """The rows of ``level``, by their key columns (as text); each key at most once."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} has no column {', '.join(map(repr, missing))}; "
            f"its columns are {', '.join(map(str, frame.columns))}"
        )
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for record in frame[frame["level"].astype(str) == level].to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        key = tuple(str(row[k]) for k in keys)
        if key in found:
            shown = " -> ".join(map(repr, key))
            raise ValueError(f"{name} lists {shown} more than once for level {level!r}")
        found[key] = row
    return found
