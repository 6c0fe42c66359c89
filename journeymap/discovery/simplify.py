"""Abstraction for readable maps: which activities and paths a journey map shows.

Like the activity and path sliders of commercial tools: keep the most frequent
activities (the map is then computed over their events only, so the neighbours of a
hidden activity become directly connected), then the most frequent paths, plus the
paths needed to keep every shown activity on a route from start to end.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from journeymap.discovery.dfg import END, START

__all__ = [
    "DEFAULT_MAX_ACTIVITIES",
    "MapScope",
    "choose_activities",
    "choose_paths",
    "default_max_activities",
]

#: Above this many activities the default map shows only the most frequent ones.
DEFAULT_MAX_ACTIVITIES = 40
#: A log of more activities than WIDE_LOG shows at most WIDE_MAX_ACTIVITIES by default:
#: with many rare activities, 40 boxes and their paths no longer fit one screen.
WIDE_LOG = 50
WIDE_MAX_ACTIVITIES = 25


def default_max_activities(total: int) -> int:
    """The most activities a default map shows of a log of ``total`` activities.

    Examples
    --------
    >>> default_max_activities(34), default_max_activities(600)
    (40, 25)
    """
    return DEFAULT_MAX_ACTIVITIES if total <= WIDE_LOG else WIDE_MAX_ACTIVITIES


@dataclass(frozen=True)
class MapScope:
    """What a map shows of the whole log (:func:`journeymap.render.captions.map_caption`
    says it in words)."""

    activities_shown: int
    activities_total: int
    paths_shown: int
    paths_total: int
    events_shown: int
    events_total: int
    #: What part of the log the map is drawn for, e.g. "failure demand"; None: all of it.
    subset: str | None = None

    @property
    def events_shown_pct(self) -> float:
        """Share of the log's events that belong to shown activities, %."""
        return 100 * self.events_shown / self.events_total if self.events_total else 100.0


def choose_activities(
    activities: pd.DataFrame,
    *,
    pct: float | None = None,
    max_activities: int | None = None,
) -> list[str]:
    """The activities to show: the most frequent ``pct`` % of them (by events, ties by
    name), or, when ``pct`` is None, all of them up to ``max_activities`` (default
    :func:`default_max_activities`). At least one.

    Examples
    --------
    >>> table = pd.DataFrame({"activity": ["a", "b", "c", "d"], "events": [5, 9, 5, 1]})
    >>> choose_activities(table, pct=50)
    ['b', 'a']
    >>> choose_activities(table, max_activities=3)
    ['b', 'a', 'c']
    """
    ranked = sorted(zip(activities["events"], activities["activity"], strict=True),
                    key=lambda r: (-r[0], r[1]))  # fmt: skip
    n = len(ranked)
    cap = default_max_activities(n) if max_activities is None else max_activities
    keep = math.ceil(n * pct / 100) if pct is not None else min(n, cap)
    return [name for _, name in ranked[: max(1, keep)]]


def default_max_paths(activities_shown: int) -> int:
    """How many paths a default map keeps for this many activities (readability)."""
    return max(20, int(1.5 * activities_shown) + 10)


def choose_paths(dfg: pd.DataFrame, *, pct: float | None = None) -> pd.DataFrame:
    """The edges to draw: the most frequent ``pct`` % (by events, ties by names) — or,
    when ``pct`` is None, up to :func:`default_max_paths` of them — plus, for every
    activity, the edges of its widest route from start and to end (the route whose
    least frequent edge is most frequent), so that the map stays connected.

    Examples
    --------
    >>> edges = pd.DataFrame({"source": ["__start__", "a", "a", "b", "c"],
    ...                       "target": ["a", "b", "c", "__end__", "__end__"],
    ...                       "events": [10, 9, 1, 9, 1]})
    >>> choose_paths(edges, pct=40)[["source", "target"]].values.tolist()
    [['__start__', 'a'], ['a', 'b'], ['a', 'c'], ['b', '__end__'], ['c', '__end__']]
    """
    rows = list(zip(dfg["source"], dfg["target"], dfg["events"], strict=True))
    ranked = sorted(range(len(rows)), key=lambda i: (-rows[i][2], rows[i][0], rows[i][1]))
    nodes = {s for s, _, _ in rows} | {t for _, t, _ in rows}
    activities = len(nodes - {START, END})
    keep_n = math.ceil(len(rows) * pct / 100) if pct is not None else default_max_paths(activities)
    keep = set(ranked[: max(1, keep_n)])
    keep |= _widest_tree(rows, START, forward=True)
    keep |= _widest_tree(rows, END, forward=False)
    return dfg.iloc[sorted(keep)].reset_index(drop=True)


def _widest_tree(rows: Sequence[tuple[str, str, int]], root: str, *, forward: bool) -> set[int]:
    """Edges of the widest (maximum-bottleneck) route from ``root`` to every node."""
    out: dict[str, list[tuple[str, int]]] = {}
    for i, (source, target, _) in enumerate(rows):
        a, b = (source, target) if forward else (target, source)
        out.setdefault(a, []).append((b, i))
    best: dict[str, int] = {root: math.inf}  # type: ignore[dict-item]
    via: dict[str, int] = {}
    heap: list[tuple[float, str]] = [(-math.inf, root)]
    done: set[str] = set()
    while heap:
        _, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for nxt, i in sorted(out.get(node, []), key=lambda e: (rows[e[1]][0], rows[e[1]][1])):
            width = min(best[node], rows[i][2])
            if nxt not in done and width > best.get(nxt, -1):
                best[nxt], via[nxt] = width, i
                heapq.heappush(heap, (-width, nxt))
    return set(via.values())
