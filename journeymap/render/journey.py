"""The journey map: a directly-follows graph as Graphviz DOT, and DOT as pictures.

:func:`journey_dot` turns the small tables the discovery code returns (the DFG edges
and the activities) into DOT source text; :func:`journeymap.render.pictures.draw` runs
Graphviz's ``dot`` on it.
Nothing here computes a measure: counts and waits arrive ready-made and are only
formatted, scaled to widths and shades, and laid out.

Every log-derived string (activity, lane, title, caption) is escaped for the DOT or
HTML-like label it lands in, and node ids are generated (``n0``, ``n1``, ...), so a
name such as ``<script>`` or ``"a" \\ b`` is drawn as text and never breaks the DOT.
The same tables always give byte-identical DOT.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from journeymap.render import overlays, style
from journeymap.render.numbers import human_duration, thousands
from journeymap.render.style import quoted
from journeymap.render.tables import number, records, require, scale, values

__all__ = ["END", "START", "journey_dot"]

#: Reserved node names of start and end edges in the DFG (MEASURES.md).
START, END = "__start__", "__end__"
_VIEWS = ("frequency", "performance")
_MEASURES = ("cases", "events")
_DIRECTIONS = ("TB", "LR")


#: In the performance view, a path is coloured by its median wait only when at least
#: this many cases take it; fewer are too few to judge a wait by, and are drawn grey.
MIN_WAIT_CASES = 5


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    row: dict[str, Any]

    @property
    def terminal(self) -> bool:
        return self.source == START or self.target == END

    @property
    def judged(self) -> bool:
        """Whether enough cases take the path to colour it by its wait."""
        cases = number(self.row.get("cases"))
        return cases is None or cases >= MIN_WAIT_CASES


def journey_dot(
    dfg: pd.DataFrame,
    activities: pd.DataFrame,
    *,
    view: str = "frequency",
    measure: str = "cases",
    lanes: str | None = None,
    caption: str = "",
    title: str = "",
    direction: str = "TB",
) -> str:
    """The journey map of a directly-follows graph as Graphviz DOT source text.

    Each activity is a box with its name and its count (the ``measure`` column of
    ``activities``), shaded darker the more often it happens. Each DFG edge is an
    arrow. In the ``"frequency"`` view the arrow is labelled with its count and is
    wider the more cases (or events) follow it. In the ``"performance"`` view it is
    labelled with the median wait between the two activities and is wider and redder
    the longer that wait, so slow paths stand out; start and end arrows are then thin
    and unlabelled. Widths and shades grow with the square root of the value's share
    of the largest value drawn. A legend and ``caption`` go under the
    map, ``title`` above it.

    With ``lanes`` (a label such as ``"team"``), activities are grouped into one
    swimlane per value of the ``lane`` column of ``activities``, largest lane first;
    activities without a lane go in a last, dashed lane "(no team recorded)". Work
    that passes between lanes then visibly crosses them.

    Hand-offs and rework are drawn when the tables carry them (see
    :mod:`journeymap.render.overlays`): an edge's ``handoffs`` count joins its label
    and paths where half or more of the transitions change hands turn purple; a
    hand-off path whose reverse is drawn and is a hand-off path too ends its label with
    ``⇄`` and gets a
    double line; self-loops (a -> a) are dashed
    burnt-orange loops marked ``↻``; an activity's ``rework_pct`` adds a line
    ``↻ 12% rework`` to its box, with a thick burnt-orange border from 10%. The legend
    explains only the marks drawn.

    Parameters
    ----------
    dfg : pandas.DataFrame
        One row per directly-follows edge: ``source``, ``target``, ``events``,
        ``cases``, ``mean_wait_s``, ``median_wait_s``, ``p90_wait_s``. Start edges have
        the source ``"__start__"``, end edges the target ``"__end__"``. Optional:
        ``handoffs`` (transitions that change handler; the back-and-forth mark follows
        from them).
    activities : pandas.DataFrame
        One row per activity to draw: ``activity``, ``events``, ``cases`` and, with
        ``lanes``, ``lane`` (None or NaN when unknown). Optional: ``rework_pct`` (the
        share of the activity's events that are rework, %). Other columns are ignored.
    view : {"frequency", "performance"}
    measure : {"cases", "events"}
        The count shown on boxes, and on arrows in the frequency view.
    lanes : str, optional
        What the lanes are (``"team"``, ``"resource"``, ``"channel"``); None draws
        no lanes.
    caption, title : str
        Text under and above the map.
    direction : {"TB", "LR"}
        The flow runs top to bottom (lanes then stand side by side; this suits
        reports and screens for 10 to 40 activities) or left to right (lanes are
        horizontal bands, like a classic swimlane chart, but the map gets wide).

    Returns
    -------
    str
        DOT source; the same inputs always give the same text.

    Raises
    ------
    ValueError
        For an unknown view, measure or direction, a missing column, an activity listed twice,
        or an edge between activities that ``activities`` does not list.

    Examples
    --------
    >>> dfg = pd.DataFrame({
    ...     "source": ["__start__", "Assess", "Decide"],
    ...     "target": ["Assess", "Decide", "__end__"],
    ...     "events": [3, 3, 3], "cases": [3, 3, 3],
    ...     "mean_wait_s": [None, 7200.0, None], "median_wait_s": [None, 5400.0, None],
    ...     "p90_wait_s": [None, 9000.0, None]})
    >>> acts = pd.DataFrame({"activity": ["Assess", "Decide"], "events": [3, 3],
    ...                      "cases": [3, 3], "lane": ["Back Office", None]})
    >>> dot = journey_dot(dfg, acts, view="performance", lanes="team")
    >>> dot.startswith("digraph journey {")
    True
    >>> 'n0 -> n1 [label="  1.5 h"' in dot, "(no team recorded)" in dot
    (True, True)
    """
    if view not in _VIEWS:
        raise ValueError(f"unknown view {view!r}; choose one of {', '.join(_VIEWS)}")
    if direction not in _DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; choose one of {', '.join(_DIRECTIONS)}")
    if measure not in _MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(_MEASURES)}")
    require(activities, "activities", ["activity", measure] + (["lane"] if lanes else []))
    require(dfg, "dfg", ["source", "target", measure, "median_wait_s"])

    nodes = _activity_rows(activities)
    ids = {name: f"n{i}" for i, name in enumerate(row["activity"] for row in nodes)}
    edges = _edge_rows(dfg, set(ids))
    ids[START], ids[END] = "start", "end"

    lines = [
        "digraph journey {",
        *style.graph_defaults(direction),
        f"  label={_legend_and_caption(nodes, edges, view, measure, lanes, caption)};",
    ]
    body = _node_lines(nodes, ids, measure, lanes) + _terminal_lines(edges)
    body += _edge_lines(edges, ids, view, measure) + _isolated_lines(nodes, edges, ids, lanes)
    lines += style.titled_body(body, title)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _activity_rows(activities: pd.DataFrame) -> list[dict[str, Any]]:
    rows = records(activities)
    for row in rows:
        row["activity"] = str(row["activity"])
        lane = row.get("lane")
        row["lane"] = None if lane is None or pd.isna(lane) else str(lane)
    names = [row["activity"] for row in rows]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"activities lists {', '.join(map(repr, twice))} more than once")
    # Sorted by name so that node ids, and hence the DOT, do not depend on row order.
    return sorted(rows, key=lambda row: row["activity"])


def _edge_rows(dfg: pd.DataFrame, known: set[str]) -> list[_Edge]:
    edges = []
    for row in records(dfg):
        source, target = str(row["source"]), str(row["target"])
        for name in (source, target):
            if name not in known and name not in (START, END):
                raise ValueError(
                    f"dfg has an edge {source!r} -> {target!r} but activities does not list "
                    f"{name!r}; give both tables from the same (filtered) map"
                )
        edges.append(_Edge(source, target, row))
    # Start edges first and end edges last: dot then lays the main flow out in order.
    order = {START: 0, END: 2}
    edges.sort(key=lambda e: (order.get(e.source, 1), order.get(e.target, 1), e.source, e.target))
    return edges


def _waits(edges: list[_Edge]) -> list[float]:
    """Median waits of the paths between activities that enough cases take to judge
    (start and end paths have none)."""
    return values([e.row for e in edges if not e.terminal and e.judged], "median_wait_s")


def _back_and_forth(edges: list[_Edge]) -> set[tuple[str, str]]:
    """The drawn hand-off paths a -> b whose reverse b -> a is a drawn hand-off path too."""
    paths = {
        (e.source, e.target)
        for e in edges
        if not e.terminal and e.source != e.target and overlays.is_handoff_path(e.row)
    }
    return {(a, b) for a, b in paths if (b, a) in paths}


def _node_lines(
    nodes: list[dict[str, Any]], ids: dict[str, str], measure: str, lanes: str | None
) -> list[str]:
    counts = values(nodes, measure)

    def node(row: dict[str, Any]) -> str:
        share = scale(number(row[measure]), counts)
        tip = f"{row['activity']}: {_counts_text(row)}{overlays.node_tip(row)}"
        note = overlays.node_note(row)
        label = style.node_html(row["activity"], thousands(row[measure]), note=note)
        return (
            f"{ids[row['activity']]} [label=<{label}>, {overlays.node_attributes(row, share)}, "
            f"tooltip={quoted(tip)}];"
        )

    if not lanes:
        return ["  " + node(row) for row in nodes]
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for row in nodes:
        groups.setdefault(row["lane"], []).append(row)

    def size(lane: str | None) -> tuple[int, float, str]:
        total = sum(number(row[measure]) or 0.0 for row in groups[lane])
        return (lane is None, -total, lane or "")

    lines = []
    for i, lane in enumerate(sorted(groups, key=size)):
        name = lane if lane is not None else f"(no {lanes} recorded)"
        attributes = style.lane_attributes(i, known=lane is not None)
        # The lane's title is a node of its own, held above the lane's activities by
        # invisible edges: Graphviz routes paths around nodes, but across a cluster's
        # label, so a title given as the label would be crossed by the paths.
        title = f"lane{i}"
        lines += [
            f"  subgraph cluster_lane{i} {{",
            f"    {attributes}",
            f"    {title} [label=<{style.lane_html(name)}>, {style.LANE_TITLE}];",
            *("    " + node(row) for row in groups[lane]),
            *(
                f"    {title} -> {ids[row['activity']]} [style=invis, weight=0];"
                for row in groups[lane]
            ),
            "  }",
        ]
    return lines


def _terminal_lines(edges: list[_Edge]) -> list[str]:
    # No rank=min/max: with clusters, dot 2.43's old ranking then fails ("trouble in
    # init_rank") and newrank ignores rank=max; start and end fall into place anyway.
    lines = []
    if any(e.source == START for e in edges):
        lines.append(f"  start [{style.START_NODE}];")
    if any(e.target == END for e in edges):
        lines.append(f"  end [{style.END_NODE}];")
    return lines


def _edge_lines(edges: list[_Edge], ids: dict[str, str], view: str, measure: str) -> list[str]:
    counts, waits = values([e.row for e in edges], measure), _waits(edges)
    both_ways = _back_and_forth(edges)
    lines = []
    for e in edges:
        count = number(e.row[measure])
        wait = number(e.row["median_wait_s"])
        # Heavier paths pull harder on the layout, so the main flow runs straight.
        weight = 1 + round(9 * scale(count, counts) ** 2)
        if view == "frequency":
            label, share = thousands(count), scale(count, counts)
            plain = style.frequency_edge(label, share)
        elif e.terminal:
            label, share, plain = "", 0.0, style.TERMINAL_EDGE
        elif not e.judged:
            label, share = human_duration(wait), 0.0
            plain = style.thin_evidence_edge(label)
        else:
            label, share = human_duration(wait), scale(wait, waits)
            plain = style.performance_edge(label, share)
        marked = None
        back = (e.source, e.target) in both_ways
        if not e.terminal:  # hand-offs and loops happen between activities
            marked = overlays.edge_attributes(
                e.source, e.target, e.row, view=view, label=label, share=share,
                back_and_forth=back, judged=e.judged,
            )  # fmt: skip
        attrs = marked or plain
        lines.append(
            f"  {ids[e.source]} -> {ids[e.target]} [{attrs}, weight={weight}, "
            f"tooltip={quoted(_edge_tip(e, back))}];"
        )
    return lines


def _isolated_lines(
    nodes: list[dict[str, Any]], edges: list[_Edge], ids: dict[str, str], lanes: str | None
) -> list[str]:
    # Activities with no drawn path would all sit side by side on the top rank, making
    # the map very wide; invisible edges stack them three abreast (per lane, so that
    # no invisible edge leaves its lane).
    linked = {e.source for e in edges} | {e.target for e in edges}
    groups: dict[str | None, list[str]] = {}
    for row in nodes:
        if row["activity"] not in linked:
            groups.setdefault(row["lane"] if lanes else None, []).append(ids[row["activity"]])
    lines = []
    for members in groups.values():
        lines += [
            f"  {a} -> {b} [style=invis];" for a, b in zip(members, members[3:], strict=False)
        ]
    return lines


def _counts_text(row: dict[str, Any]) -> str:
    """``"4,210 cases, 1 event"``: the counts a row has, for tooltips."""
    parts = []
    for column in _MEASURES:
        if column in row:
            shown = thousands(row[column])
            parts.append(f"{shown} {column[:-1] if shown == '1' else column}")
    return ", ".join(parts)


def _edge_tip(e: _Edge, back_and_forth: bool = False) -> str:
    names = {START: "(start)", END: "(end)"}
    text = f"{names.get(e.source, e.source)} → {names.get(e.target, e.target)}: "
    text += _counts_text(e.row)
    if not e.terminal:
        waits = [
            f"{what} {human_duration(e.row.get(col))}"
            for what, col in (("median", "median_wait_s"), ("mean", "mean_wait_s"))
            if col in e.row
        ]
        if "p90_wait_s" in e.row:
            waits.append(f"90% within {human_duration(e.row['p90_wait_s'])}")
        text += "\nwait: " + ", ".join(waits)
        text += overlays.edge_tip(e.row, back_and_forth=back_and_forth)
    return text


def _legend_and_caption(
    nodes: list[dict[str, Any]],
    edges: list[_Edge],
    view: str,
    measure: str,
    lanes: str | None,
    caption: str,
) -> str:
    counts = values(nodes, measure)
    node_span = (thousands(min(counts)), thousands(max(counts))) if counts else None
    if view == "frequency":
        drawn = values([e.row for e in edges], measure)
        span = (thousands(min(drawn)), thousands(max(drawn))) if drawn else None
    else:
        drawn = _waits(edges)
        span = (human_duration(min(drawn)), human_duration(max(drawn))) if drawn else None
    inner = [(e.source, e.target, e.row) for e in edges if not e.terminal]
    extra = overlays.legend_rows(
        nodes, inner, view=view, back_and_forth=bool(_back_and_forth(edges))
    )
    if view == "performance" and any(not e.judged for e in edges if not e.terminal):
        extra.append((
            f"grey dotted arrow: fewer than {MIN_WAIT_CASES} cases take the path, too few to "
            "judge its wait",
            None,
            [style.THIN_EVIDENCE],
        ))  # fmt: skip
    return style.legend_html(view, measure, lanes, caption, node_span, span, extra)
