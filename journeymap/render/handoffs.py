"""The hand-off network: who passes work to whom, as Graphviz DOT.

:func:`handoff_network_dot` draws the hand-off network of the analyses
(:func:`journeymap.analysis.network.handoff_network`, a networkx graph, or its parts,
:class:`~journeymap.analysis.network.NetworkParts`; MEASURES.md,
"Handler, hand-offs, ping-pong"): each handler (a team or a person) is a box, each pair
of handlers with hand-offs an arrow. Ping-pong pairs, where work goes back and forth,
are drawn in bold purple both ways. Like the journey map, nothing is computed here but
shares for widths and shades; log text is escaped, node ids are generated, and the same
graph always gives the same DOT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap.analysis.network import NetworkParts, network_edges, network_level
from journeymap.errors import MappingError, option
from journeymap.render import style
from journeymap.render.numbers import human_duration, thousands
from journeymap.render.style import quoted
from journeymap.render.tables import number, scale, values

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["handoff_network_dot", "network_dot"]


def handoff_network_dot(
    network: nx.DiGraph | NetworkParts,
    *,
    max_edges: int = 60,
    caption: str = "",
    title: str = "",
) -> str:
    """The hand-off network of one level (``network.graph["level"]``, ``"team"`` or
    ``"resource"``) as DOT text.

    Each handler with hand-offs is a box with its name and its hand-offs received and
    passed on (``"in 1,204 · out 980"``, over all hand-offs of the level), darker the
    more it has. Each edge ``from -> to`` is an arrow, wider and darker the more
    hand-offs it carries (``count``), labelled with the count and the median wait
    between the two events (``"412 · 1.2 d"``). When work goes back and forth between
    a and b (``pingpong`` above 0 on a -> b or b -> a), both arrows between a and b are
    bold purple, and the arrow a -> b shows the number of ping-pongs a -> b -> a
    (``"· ⇄ 37"``) when there are any.

    To stay legible, only the ``max_edges`` largest paths are drawn (by count, ties by
    the names), with the handlers they join; the caption then says how many paths and
    handlers are left out.

    Parameters
    ----------
    network : networkx.DiGraph or NetworkParts
        The hand-off network, as :func:`~journeymap.analysis.network.handoff_network`
        (or :func:`~journeymap.analysis.network.handoff_network_parts`, which draws the
        same without networkx) returns it: edges with ``count``, ``cases``, ``median_wait_s``,
        ``total_wait_s``, ``pingpong`` and ``pingpong_cases``.
    max_edges : int
        The most paths drawn (at least 1).
    caption, title : str
        Text under and above the network.

    Returns
    -------
    str
        DOT source; the same graph always gives the same text.

    Raises
    ------
    ValueError
        For an edge without one of those attributes, or ``max_edges`` below 1.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeymap.analysis.network import network_from_tables
    >>> matrix = pd.DataFrame({
    ...     "level": "team", "from": ["Front", "Back"], "to": ["Back", "Front"],
    ...     "count": [12, 5], "cases": [10, 5], "median_wait_s": [7200.0, 86400.0],
    ...     "total_wait_s": [90000.0, 400000.0]})
    >>> pp = pd.DataFrame({"level": ["team"], "a": ["Front"], "b": ["Back"],
    ...                    "count": [4], "cases": [4]})
    >>> dot = handoff_network_dot(network_from_tables(matrix, pp))
    >>> 'h1 -> h0 [label="  12 · 2.0 h · ⇄ 4"' in dot, "in 12 · out 5" in dot
    (True, True)
    """
    if max_edges < 1:
        raise ValueError(f"max_edges must be at least 1, not {max_edges}")
    level = network_level(network)
    edges = [_edge_row(a, b, data) for (a, b), data in network_edges(network).items()]
    pairs = {
        (row["from"], row["to"]): {"count": row["pingpong"], "cases": row["pingpong_cases"]}
        for row in edges
        if (number(row["pingpong"]) or 0) > 0
    }
    edges.sort(key=lambda r: (-(number(r["count"]) or 0.0), r["from"], r["to"]))
    shown = edges[:max_edges]
    names = sorted({r["from"] for r in shown} | {r["to"] for r in shown})
    ids = {name: f"h{i}" for i, name in enumerate(names)}
    totals = _totals(edges)
    bouncing = {(a, b) for a, b in pairs} | {(b, a) for a, b in pairs}

    lines = [
        "digraph handoffs {",
        *style.graph_defaults("LR"),
        "  graph [nodesep=0.5, ranksep=1.1];",
        f"  label={_legend(level, shown, totals, names, bouncing, caption, len(edges))};",
    ]
    body = _node_lines(names, ids, totals, level) + _edge_lines(shown, ids, pairs, bouncing)
    lines += style.titled_body(body, title)
    lines.append("}")
    return "\n".join(lines) + "\n"


_EDGE_KEYS = ("count", "cases", "median_wait_s", "total_wait_s", "pingpong", "pingpong_cases")


def _edge_row(source: Any, target: Any, data: dict[str, Any]) -> dict[str, Any]:
    missing = [key for key in _EDGE_KEYS if key not in data]
    if missing:
        raise ValueError(
            f"the hand-off {str(source)!r} -> {str(target)!r} has no "
            f"{', '.join(map(repr, missing))}: draw the graph handoff_network() returns"
        )
    return {"from": str(source), "to": str(target), **{k: data[k] for k in _EDGE_KEYS}}


def _totals(edges: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """Hand-offs received and passed on, per handler, over all paths of the level."""
    received: dict[str, float] = {}
    passed: dict[str, float] = {}
    for row in edges:
        count = number(row["count"]) or 0.0
        passed[row["from"]] = passed.get(row["from"], 0.0) + count
        received[row["to"]] = received.get(row["to"], 0.0) + count
    return {
        name: (received.get(name, 0.0), passed.get(name, 0.0))
        for name in sorted(set(received) | set(passed))
    }


def _node_lines(
    names: list[str], ids: dict[str, str], totals: dict[str, tuple[float, float]], level: str
) -> list[str]:
    sizes = [sum(totals[name]) for name in names]
    lines = []
    for name in names:
        received, passed = totals[name]
        share = scale(received + passed, sizes)
        counts = f"in {thousands(received)} · out {thousands(passed)}"
        tip = f"{name} ({level}): {thousands(received)} hand-offs received, "
        tip += f"{thousands(passed)} passed on"
        lines.append(
            f"  {ids[name]} [label=<{style.node_html(name, counts)}>, "
            f"{style.node_colours(share)}, tooltip={quoted(tip)}];"
        )
    return lines


def _edge_lines(
    shown: list[dict[str, Any]],
    ids: dict[str, str],
    pairs: dict[tuple[str, str], dict[str, Any]],
    bouncing: set[tuple[str, str]],
) -> list[str]:
    counts = values(shown, "count")
    lines = []
    # Sorted by the drawn names, not by count, so that the layout is stable.
    for row in sorted(shown, key=lambda r: (r["from"], r["to"])):
        pair = (row["from"], row["to"])
        share = scale(number(row["count"]), counts)
        label = f"{thousands(row['count'])} · {human_duration(row['median_wait_s'])}"
        tip = f"{row['from']} → {row['to']}: {thousands(row['count'])} hand-offs in "
        tip += f"{thousands(row['cases'])} cases\nwait: median "
        tip += (
            f"{human_duration(row['median_wait_s'])}, total {human_duration(row['total_wait_s'])}"
        )
        if pair in bouncing:
            if pair in pairs:  # ping-pongs start on this path (on the reverse only: no count)
                label += f" · ⇄ {thousands(pairs[pair]['count'])}"
            attrs = style.edge_attributes(label, style.HANDOFF, share, thinnest=2.5)
            for a, b in (pair, pair[::-1]):
                if (a, b) in pairs:
                    pp = pairs[(a, b)]
                    tip += f"\nping-pong {a} → {b} → {a}: {thousands(pp['count'])} times "
                    tip += f"in {thousands(pp['cases'])} cases"
        else:
            attrs = style.frequency_edge(label, share)
        weight = 1 + round(9 * share**2)
        lines.append(
            f"  {ids[row['from']]} -> {ids[row['to']]} [{attrs}, weight={weight}, "
            f"tooltip={quoted(tip)}];"
        )
    return lines


def _legend(
    level: str,
    shown: list[dict[str, Any]],
    totals: dict[str, tuple[float, float]],
    names: list[str],
    bouncing: set[tuple[str, str]],
    caption: str,
    paths: int,
) -> str:
    steps = [i / 4 for i in range(5)]
    sizes = [sum(totals[name]) for name in names]
    counts = values(shown, "count")
    what = style.html_text(level)
    rows: list[style.LegendRow] = [
        (
            f"box: a {what}, with the hand-offs it receives and passes on; darker = more",
            (thousands(min(sizes)), thousands(max(sizes))) if sizes else None,
            [style.mix(style.BOX_LIGHT, style.BOX_DARK, s) for s in steps],
        ),
        (
            f"arrow: hand-offs from one {what} to the next · median wait; wider = more",
            (thousands(min(counts)), thousands(max(counts))) if counts else None,
            [style.frequency_colour(s) for s in steps],
        ),
    ]
    if any((r["from"], r["to"]) in bouncing for r in shown):
        text = (
            "bold purple: ping-pong, work went back and forth between the two · ⇄ n: n times "
            "it went this way and straight back"
        )
        rows.append((text, None, [style.HANDOFF]))
    notes = [caption] if caption else []
    if not shown:
        notes.append(f"no hand-offs between {level} handlers")
    elif len(shown) < paths:
        left = len(totals) - len(names)
        notes.append(
            f"showing the {len(shown)} largest of {paths:,} hand-off paths"
            + (
                f"; {left:,} of {len(totals):,} {level}s, found only on the paths not shown, "
                "are left out"
                if left
                else ""
            )
        )
    return style.legend_table(rows, " — ".join(notes))


def network_dot(findings: Any, title: str = "") -> str:
    """The hand-off network of the findings' handler level as DOT (the ``handoffs`` view).

    Raises
    ------
    MappingError
        The log has no team or resource role.
    """
    if findings.level is None or findings.network_parts is None:
        raise MappingError(
            f"{option('view', 'handoffs')} needs a team or resource column: map one with "
            f"{option('team', 'COLUMN')} or {option('resource', 'COLUMN')}"
        )
    return handoff_network_dot(findings.network_parts, title=title)
