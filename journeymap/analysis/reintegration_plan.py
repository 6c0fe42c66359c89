"""A reintegration plan: groups of handlers that, working as one, would remove the most
hand-off waiting.

The reintegration candidates of :mod:`journeymap.analysis.reintegration` look at one
pair of handlers at a time. A plan looks at the whole hand-off network
(:func:`~journeymap.analysis.network.handoff_network`) and proposes disjoint groups of
handlers (teams, or people), each of at most ``max_group``:

- The wait between two handlers X and Y is the total wait of the hand-offs X -> Y plus
  that of Y -> X (MEASURES.md, "Breakdown and reintegration": the waiting that the split
  of work between X and Y costs the customers). Between two groups, it is the sum over
  their pairs of handlers; inside a group, the sum over the pairs within it.
- Grouping (:func:`propose_groups`), greedy and agglomerative: every handler with a
  hand-off starts as a group of its own. Repeatedly, of the joins of two groups that
  would make a group of at most ``max_group`` handlers, the one with the most wait
  between the two groups is made (ties: the joined group whose sorted names come first),
  provided that this wait is at least ``min_join_share`` of all the wait inside the
  joined group, so that no handler is added for a sliver of waiting; a join that fails
  this test is not tried again while its two groups stay as they are. It ends when no
  join with any wait between its groups is left.
- What a group would remove: the hand-offs between two of its handlers (``handoffs``,
  both directions), the ping-pongs among them (``pingpongs``), and their total wait
  (``total_wait_s``, the wait inside the group), also as a percentage of all the
  hand-off wait of the level (``wait_pct``). The cases affected are those with at least one
  such hand-off (``cases``).

The figures add up to the hand-off table: a group's ``handoffs`` and ``total_wait_s``
are the sums of ``count`` and ``total_wait_s`` of the rows of
:func:`~journeymap.analysis.handoffs.handoffs` between its handlers. A plan is a
hypothesis to study, not a reorganisation chart: it counts only the waiting at hand-offs
and assumes that it goes when the hand-off does.
"""

from __future__ import annotations

import heapq
import itertools
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from journeymap.analysis.handoffs import check_level, handler_sequence
from journeymap.analysis.network import NetworkParts, handoff_network_parts, network_edges
from journeymap.eventlog import EventLog
from journeymap.plan_rules import MAX_GROUP, MIN_JOIN_SHARE

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "MAX_GROUP",
    "MIN_JOIN_SHARE",
    "PLAN_COLUMNS",
    "SEPARATOR",
    "propose_groups",
    "reintegration_plan",
]

#: Between the handlers' names in the ``handlers`` column.
SEPARATOR = " + "
PLAN_COLUMNS = [
    "level",
    "group",
    "handlers",
    "size",
    "handoffs",
    "pingpongs",
    "cases",
    "total_wait_s",
    "wait_pct",
]


def propose_groups(
    network: nx.DiGraph | NetworkParts,
    *,
    max_group: int = MAX_GROUP,
    min_join_share: float = MIN_JOIN_SHARE,
) -> list[tuple[str, ...]]:
    """Groups of handlers that, working as one, would remove the most hand-off wait.

    The greedy agglomeration of the module docstring on ``network`` (a
    :func:`~journeymap.analysis.network.handoff_network`, or its
    :class:`~journeymap.analysis.network.NetworkParts`, whose edges' ``total_wait_s``
    it reads). Returns the groups of two handlers or more, each as its sorted names,
    most wait inside first (ties by the names). The same graph always gives the same
    groups.

    Raises
    ------
    ValueError
        ``max_group`` is below 2, or ``min_join_share`` is not between 0 and 1.

    Examples
    --------
    Front and Back pass work back and forth with long waits; Back hands a little to
    Field; Desk hands to Post:

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_edge("Front", "Back", total_wait_s=40.0)
    >>> g.add_edge("Back", "Front", total_wait_s=30.0)
    >>> g.add_edge("Back", "Field", total_wait_s=1.0)
    >>> g.add_edge("Desk", "Post", total_wait_s=5.0)
    >>> propose_groups(g)  # Field would bring 1 of 71: under a tenth
    [('Back', 'Front'), ('Desk', 'Post')]
    >>> propose_groups(g, min_join_share=0.0)
    [('Back', 'Field', 'Front'), ('Desk', 'Post')]
    >>> propose_groups(g, max_group=2, min_join_share=0.0)
    [('Back', 'Front'), ('Desk', 'Post')]
    """
    if max_group < 2:
        raise ValueError(f"max_group must be 2 or more, not {max_group}")
    if not 0.0 <= min_join_share <= 1.0:
        raise ValueError(f"min_join_share must be between 0 and 1, not {min_join_share}")
    between = _pair_waits(network)
    names = sorted({name for pair in between for name in pair})
    members: dict[int, tuple[str, ...]] = {i: (name,) for i, name in enumerate(names)}
    inside: dict[int, float] = dict.fromkeys(members, 0.0)
    index = {name: i for i, name in enumerate(names)}
    links: dict[int, dict[int, float]] = {i: {} for i in members}
    for (a, b), wait in sorted(between.items()):
        links[index[a]][index[b]] = links[index[b]][index[a]] = wait

    def candidate(x: int, y: int) -> tuple[float, tuple[str, ...], int, int]:
        return (-links[x][y], tuple(sorted(members[x] + members[y])), x, y)

    fits = [(x, y) for x in links for y in links[x] if x < y]
    heap = [candidate(x, y) for x, y in fits if len(members[x]) + len(members[y]) <= max_group]
    heapq.heapify(heap)
    ids = itertools.count(len(names))  # ids for the joined groups
    while heap:
        negative, joined, x, y = heapq.heappop(heap)
        if x not in members or y not in members:
            continue  # one of the two has joined another group since
        wait = -negative
        if wait < min_join_share * (inside[x] + inside[y] + wait):
            continue
        new = next(ids)
        members[new], inside[new] = joined, inside[x] + inside[y] + wait
        links[new] = {}
        for old in (x, y):
            for other, w in sorted(links.pop(old).items()):
                links[other].pop(old, None)
                if other not in (x, y):
                    links[new][other] = links[new].get(other, 0.0) + w
            del members[old], inside[old]
        for other, w in sorted(links[new].items()):
            links[other][new] = w
            if len(joined) + len(members[other]) <= max_group and w > 0:
                heapq.heappush(heap, candidate(new, other))
    groups = [(inside[i], group) for i, group in members.items() if len(group) > 1]
    return [group for _, group in sorted(groups, key=lambda g: (-g[0], g[1]))]


def _pair_waits(network: nx.DiGraph | NetworkParts) -> dict[tuple[str, str], float]:
    """The wait between each pair of handlers (both directions), keyed by sorted names;
    pairs without wait are left out."""
    waits: dict[tuple[str, str], list[float]] = {}
    for (a, b), attributes in network_edges(network).items():
        wait = attributes.get("total_wait_s")
        if str(a) == str(b) or wait is None or not math.isfinite(float(wait)):
            continue
        key = (str(a), str(b)) if str(a) < str(b) else (str(b), str(a))
        waits.setdefault(key, []).append(float(wait))
    summed = {key: math.fsum(values) for key, values in waits.items()}
    return {key: wait for key, wait in summed.items() if wait > 0}


def reintegration_plan(
    log: EventLog,
    *,
    level: str = "team",
    max_group: int = MAX_GROUP,
    min_join_share: float = MIN_JOIN_SHARE,
    network: nx.DiGraph | NetworkParts | None = None,
) -> pd.DataFrame:
    """A reintegration plan: the groups of :func:`propose_groups`, with what each removes.

    One row per group, most wait removed first: ``level``; ``group`` (its rank, 1 =
    most wait); ``handlers`` (their names, sorted, joined by ``" + "``); ``size``;
    ``handoffs`` (hand-offs between two handlers of the group, both directions);
    ``pingpongs`` (ping-pongs between two of them); ``cases`` (distinct cases with at
    least one of those hand-offs); ``total_wait_s`` (the total wait of those
    hand-offs, seconds: the customers' waiting the group would remove) and
    ``wait_pct`` (its share of the total wait of all hand-offs of the level, %; NaN
    when that is 0). Groups are disjoint; handlers in no group are not listed.
    :func:`journeymap.render.plan_words.plan_sentence` says a row in plain words.

    Parameters
    ----------
    log : the event log.
    level : "team" or "resource".
    max_group : the most handlers in a group (at least 2).
    min_join_share : a join must bring at least this share of the wait inside the
        joined group (0..1).
    network : the log's :func:`~journeymap.analysis.network.handoff_network` at
        ``level`` (or its :class:`~journeymap.analysis.network.NetworkParts`), when
        already computed.

    Raises
    ------
    MappingError
        The role of ``level`` is not mapped.
    ValueError
        ``max_group`` below 2, or ``min_join_share`` out of 0..1.

    Examples
    --------
    Front and Back pass case 1 back and forth (2 h, then 1 d, then 2 h); case 2 goes
    from Desk to Post in 1 h:

    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1"] * 4 + ["2"] * 2, "activity": ["a", "b", "c", "d", "a", "b"],
    ...     "timestamp": ["2024-01-01 08:00", "2024-01-01 10:00", "2024-01-02 10:00",
    ...                   "2024-01-02 12:00", "2024-01-01 08:00", "2024-01-01 09:00"],
    ...     "team": ["Front", "Back", "Front", "Back", "Desk", "Post"]}))
    >>> plan = reintegration_plan(log)
    >>> plan[["group", "handlers", "handoffs", "pingpongs", "cases", "total_wait_s"]]
       group      handlers  handoffs  pingpongs  cases  total_wait_s
    0      1  Back + Front         3          2      1      100800.0
    1      2   Desk + Post         1          0      1        3600.0
    >>> plan["wait_pct"].round(2).tolist()  # of 104,400 s
    [96.55, 3.45]
    """
    check_level(log, level)
    if network is None:
        network = handoff_network_parts(log, level=level)
    groups = propose_groups(network, max_group=max_group, min_join_share=min_join_share)
    edges = network_edges(network)
    all_wait = math.fsum(float(e.get("total_wait_s", 0.0)) for e in edges.values())

    def inside(group: tuple[str, ...]) -> list[dict[str, Any]]:
        return [edges[a, b] for a in group for b in group if (a, b) in edges]

    # Ranked by the wait summed exactly (math.fsum), as the table shows it.
    waits = {group: math.fsum(float(e["total_wait_s"]) for e in inside(group)) for group in groups}
    groups.sort(key=lambda group: (-waits[group], group))
    rows = []
    for rank, group in enumerate(groups, 1):
        within, wait = inside(group), waits[group]
        rows.append(
            {
                "level": level,
                "group": rank,
                "handlers": SEPARATOR.join(group),
                "size": len(group),
                "handoffs": sum(int(e["count"]) for e in within),
                "pingpongs": sum(int(e.get("pingpong", 0)) for e in within),
                "total_wait_s": wait,
                "wait_pct": 100 * wait / all_wait if all_wait > 0 else math.nan,
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in PLAN_COLUMNS if c != "cases"])
    frame["cases"] = _cases(log, level, groups)
    for column in ("group", "size", "handoffs", "pingpongs", "cases"):
        frame[column] = frame[column].astype("int64")
    for column in ("total_wait_s", "wait_pct"):
        frame[column] = frame[column].astype("float64")
    return frame.reindex(columns=PLAN_COLUMNS)


def _cases(log: EventLog, level: str, groups: list[tuple[str, ...]]) -> list[int]:
    """Per group, the distinct cases with a hand-off between two of its handlers: the
    groups go to the engine as a small table, joined to the hand-offs there."""
    if not groups:
        return []
    frame = pd.DataFrame(
        [(name, rank) for rank, group in enumerate(groups, 1) for name in group],
        columns=["member", "group_rank"],
    )
    engine = log.engine
    name = engine.upload(frame, "plan_groups")
    try:
        table = engine.table(name)
        seq = handler_sequence(log, level=level)
        moves = seq.filter(seq.handoff)
        first = table.select(giver=table.member, giver_group=table.group_rank)
        second = table.select(taker=table.member, taker_group=table.group_rank)
        joined = moves.join(first, moves.prev_handler == first.giver).join(
            second, moves.handler == second.taker
        )
        inside = joined.filter(joined.giver_group == joined.taker_group)
        counted = engine.fetch(
            inside.group_by(rank=inside.giver_group).aggregate(cases=inside.case.nunique())
        )
    finally:
        engine.drop(name)
    found: dict[Any, Any] = dict(zip(counted["rank"], counted["cases"], strict=True))
    return [int(found.get(rank, 0)) for rank in range(1, len(groups) + 1)]
