"""The directly-follows graph in the form pm4py's miners take, checked and filtered.

Pure Python on the small aggregated graph; :mod:`journeymap.discovery.models` hands the
result to pm4py, and :func:`dfg_object` wraps it in pm4py's DFG class (the one pm4py
name used here, imported when it is called).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from journeymap.discovery.dfg import END, START
from journeymap.errors import MissingDependencyError, ModelError

__all__ = ["Edges", "dfg_object", "filter_noise", "pm4py_dfg", "read_dfg"]

Edges = dict[tuple[str, str], int]
#: What to run when pm4py, one of journeymap's dependencies, is missing.
PM4PY_INSTALL = "pip install 'pm4py>=2.7.23,<2.8' (journeymap depends on it)"


def read_dfg(dfg: pd.DataFrame) -> Edges:
    """Events per edge, start and end edges included, in sorted order."""
    missing = [c for c in ("source", "target", "events") if c not in dfg.columns]
    if missing:
        raise ModelError(
            f"the directly-follows graph has no column {', '.join(missing)} (it has "
            f"{', '.join(map(str, dfg.columns))}): pass the table that "
            "journeymap.discovery.dfg() returns"
        )
    counts = pd.to_numeric(dfg["events"], errors="coerce")
    if counts.isna().any() or (counts < 0).any() or (counts % 1 != 0).any():
        raise ModelError("the directly-follows graph's events must be whole numbers >= 0")
    edges: Edges = defaultdict(int)
    rows = zip(dfg["source"].tolist(), dfg["target"].tolist(), counts.tolist(), strict=True)
    for source, target, count in sorted((str(s), str(t), int(c)) for s, t, c in rows if c > 0):
        edges[(source, target)] += count
    if (START, END) in edges:
        raise ModelError("the directly-follows graph has an edge __start__ -> __end__")
    if {s for s, _ in edges}.isdisjoint([START]) or {t for _, t in edges}.isdisjoint([END]):
        raise ModelError(
            "the directly-follows graph has no start or no end edges (__start__ -> a, "
            "a -> __end__): it is empty, or not the full graph of a log"
        )
    return dict(edges)


def pm4py_dfg(edges: Edges) -> tuple[Edges, dict[str, int], dict[str, int]]:
    """pm4py's form: the graph between activities, start and end activities."""
    inner = {(s, t): c for (s, t), c in edges.items() if s != START and t != END}
    starts = {t: c for (s, t), c in edges.items() if s == START}
    return inner, starts, {s: c for (s, t), c in edges.items() if t == END}


def dfg_object(dfg: pd.DataFrame) -> Any:
    """The directly-follows graph as pm4py's DFG object (``pm4py.objects.dfg.obj.DFG``).

    Its ``graph`` holds the events of each edge between two activities, its
    ``start_activities`` and ``end_activities`` those of the start and end edges. pm4py's
    discovery functions take it in place of a log
    (``pm4py.discover_process_tree_inductive(obj)``); those that take the triple are
    given ``obj.graph, obj.start_activities, obj.end_activities``. Importing pm4py
    takes about 2 s.

    Raises
    ------
    ModelError
        ``dfg`` is not the full graph of a log (see :func:`read_dfg`).
    MissingDependencyError
        pm4py is not installed.

    Examples
    --------
    >>> obj = dfg_object(pd.DataFrame({"source": ["__start__", "a", "b"],
    ...                                "target": ["a", "b", "__end__"], "events": [2, 2, 2]}))
    >>> dict(obj.graph), dict(obj.start_activities), dict(obj.end_activities)
    ({('a', 'b'): 2}, {'a': 2}, {'b': 2})
    """
    edges = read_dfg(dfg)
    try:
        from pm4py.objects.dfg.obj import DFG
    except ImportError as exc:
        raise MissingDependencyError(f"pm4py cannot be imported ({exc}): {PM4PY_INSTALL}") from exc
    return DFG(*pm4py_dfg(edges))


def filter_noise(edges: Edges, threshold: float) -> Edges:
    most: dict[str, int] = defaultdict(int)
    for (source, _), count in edges.items():
        most[source] = max(most[source], count)
    kept = {e for e, c in edges.items() if c >= threshold * most[e[0]]}
    # pm4py's IMd fails on a graph whose activities cannot all be reached from the
    # start, or cannot all reach the end: add back the most frequent edges that fix it.
    nodes = {n for e in edges for n in e}
    for forward in (True, False):
        while (reached := _reach(kept, START if forward else END, forward)) != nodes:
            way = [e for e in edges if e[0 if forward else 1] in reached]
            way = [e for e in way if e[1 if forward else 0] not in reached]
            kept.add(min(way, key=lambda e: (-edges[e], e)))
    return {e: c for e, c in edges.items() if e in kept}


def _reach(edges: set[tuple[str, str]], root: str, forward: bool) -> set[str]:
    step: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        step[a if forward else b].append(b if forward else a)
    seen, todo = {root}, [root]
    while todo:
        for n in step[todo.pop()]:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen
