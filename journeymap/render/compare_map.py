"""The before/after journey map: one map of both periods, paths coloured by the change.

Each activity is a box with its cases before and after; each path an arrow. In the
``"cases"`` view an arrow is blue when a larger share of the period's cases follows it
after than before and orange when a smaller one (darker for a larger relative change;
shares, so that periods of different volume compare), labelled with the cases
``before → after``; in the
``"wait"`` view it is red when the median wait grew and blue when it shrank, labelled
with both medians. New paths (after only) are bold and dashed, vanished paths (before
only) grey and dotted. A legend under the map explains the marks drawn. Nothing is
computed here: the paths table of :func:`journeymap.compare` arrives ready-made.
Every log-derived name is escaped (:mod:`journeymap.render.style`); node ids are
generated; the same tables give the same DOT.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from journeymap.render import style
from journeymap.render.numbers import thousands, wait_text
from journeymap.render.report_html import pct
from journeymap.render.style import quoted
from journeymap.render.tables import number, records, scale, values

__all__ = ["COMPARE_VIEWS", "compare_dot"]

COMPARE_VIEWS = ("cases", "wait")
START, END = "__start__", "__end__"
MORE, FEWER, SAME = "#2166ac", "#b35806", "#6b7480"
LONGER, SHORTER = "#b2182b", "#2166ac"
NEW, GONE = "#5e3c99", "#9aa0a6"


def _tint(colour: str, change: float | None) -> str:
    """``colour`` from pale (no change) to full (a change of 100% or more)."""
    if change is None or change == 0:
        return SAME
    return style.mix("#c8ccd2", colour, min(1.0, 0.35 + 0.65 * min(abs(change), 1.0)))


def _relative(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    if before == 0:
        return None if after == 0 else math.copysign(1.0, after)
    return (after - before) / before


def _edge(row: dict[str, Any], view: str, share: float) -> str:
    before, after = int(row["cases_before"]), int(row["cases_after"])
    wait_b, wait_a = number(row["median_wait_before_s"]), number(row["median_wait_after_s"])
    terminal = row["source"] == START or row["target"] == END
    width = f"penwidth={1 + 5 * share:.2f}"
    if row["status"] == "new":
        label = quoted(f"  new: {thousands(after)}")
        return f'label={label}, color="{NEW}", fontcolor="{NEW}", style="dashed,bold", {width}'
    if row["status"] == "vanished":
        label = quoted(f"  gone: {thousands(before)}")
        return f'label={label}, color="{GONE}", fontcolor="#5f6368", style=dotted, penwidth=1.5'
    if view == "cases" or terminal:
        share_b, share_a = number(row["pct_before"]), number(row["pct_after"])
        change = _relative(share_b, share_a)
        colour = _tint(MORE if (share_a or 0) > (share_b or 0) else FEWER, change)
        if view != "cases":  # no wait to compare: grey, not a wait's colour
            colour = SAME
        label = f"{thousands(before)} → {thousands(after)}"
    else:
        change = _relative(wait_b, wait_a)
        colour = _tint(LONGER if (wait_a or 0) > (wait_b or 0) else SHORTER, change)
        label = f"{wait_text(wait_b)} → {wait_text(wait_a)}"
    return style.edge_attributes(label, colour, share, text=colour if colour != SAME else None)


def _legend(view: str, caption: str, labels: tuple[str, str]) -> str:
    steps = [0.0, 0.25, 0.5, 0.75, 1.0]
    if view == "cases":
        rows: list[style.LegendRow] = [
            ("arrow: cases following the path, before → after; wider = more", None, []),
            (
                "a larger share of the cases after (darker = larger change)",
                None,
                [_tint(MORE, s) for s in steps],
            ),
            ("a smaller share of the cases after", None, [_tint(FEWER, s) for s in steps]),
        ]
    else:
        rows = [
            ("arrow: median wait on the path, before → after; wider = more cases", None, []),
            ("longer wait after (darker = larger change)", None, [_tint(LONGER, s) for s in steps]),
            ("shorter wait after", None, [_tint(SHORTER, s) for s in steps]),
            ("grey: from start or to end, cases before → after (no wait)", None, [SAME]),
        ]
    rows += [
        (f"bold dashed: new path, only {style.html_text(labels[1])}", None, [NEW]),
        (f"grey dotted: vanished path, only {style.html_text(labels[0])}", None, [GONE]),
        ("box: activity, its cases before → after", None, []),
    ]
    return style.legend_table(rows, caption)


def compare_dot(
    paths: pd.DataFrame,
    activities: pd.DataFrame,
    *,
    view: str = "cases",
    labels: tuple[str, str] = ("before", "after"),
    caption: str = "",
    title: str = "",
) -> str:
    """The before/after map as Graphviz DOT.

    Parameters
    ----------
    paths : the paths of :class:`~journeymap.findings.Comparison` to draw (``source``,
        ``target``, ``cases_before``, ``cases_after``, ``pct_before``, ``pct_after``,
        ``median_wait_before_s``, ``median_wait_after_s``, ``status``); paths whose ends
        ``activities`` does not list are left out.
    activities : ``activity``, ``cases_before``, ``cases_after``: the boxes.
    view : "cases" (colour by the change in cases) or "wait" (by the change in median
        wait).
    labels, caption, title : the periods' names, the text under and above the map.

    Raises
    ------
    ValueError
        An unknown view.

    Examples
    --------
    >>> paths = pd.DataFrame({"source": ["a"], "target": ["<b>"], "cases_before": [3],
    ...     "cases_after": [0], "pct_before": [100.0], "pct_after": [0.0],
    ...     "median_wait_before_s": [60.0],
    ...     "median_wait_after_s": [None], "status": ["vanished"]})
    >>> boxes = pd.DataFrame({"activity": ["a", "<b>"], "cases_before": [3, 3],
    ...     "cases_after": [1, 0]})
    >>> dot = compare_dot(paths, boxes)
    >>> "gone: 3" in dot and "&lt;b&gt;" in dot and "<b>" not in dot.split("label=<")[1][:20]
    True
    """
    if view not in COMPARE_VIEWS:
        raise ValueError(f"unknown view {view!r}; choose from {', '.join(COMPARE_VIEWS)}")
    boxes = sorted(records(activities), key=lambda r: str(r["activity"]))
    ids = {str(r["activity"]): f"n{i}" for i, r in enumerate(boxes)}
    ids.update({START: "start", END: "end"})
    rows = [r for r in records(paths) if str(r["source"]) in ids and str(r["target"]) in ids]
    order = {START: 0, END: 2}
    rows.sort(key=lambda r: (order.get(r["source"], 1), order.get(r["target"], 1),
                             str(r["source"]), str(r["target"])))  # fmt: skip
    busiest = [max(r["cases_before"], r["cases_after"]) for r in rows]
    sizes = values(boxes, "cases_before") + values(boxes, "cases_after")
    lines = ["digraph comparison {", *style.graph_defaults()]
    body = []
    for r in boxes:
        name = str(r["activity"])
        count = f"{thousands(r['cases_before'])} → {thousands(r['cases_after'])} cases"
        share = scale(max(number(r["cases_before"]) or 0, number(r["cases_after"]) or 0), sizes)
        body.append(
            f"  {ids[name]} [label=<{style.node_html(name, count)}>, "
            f"{style.node_colours(share)}, tooltip={quoted(f'{name}: {count}')}];"
        )
    if any(r["source"] == START for r in rows):
        body.append(f"  start [{style.START_NODE}];")
    if any(r["target"] == END for r in rows):
        body.append(f"  end [{style.END_NODE}];")
    for r, most in zip(rows, busiest, strict=True):
        share = scale(most, busiest)
        ends = [
            {START: "(start)", END: "(end)"}.get(str(n), str(n)) for n in (r["source"], r["target"])
        ]
        tip = f"{ends[0]} → {ends[1]}: {thousands(r['cases_before'])} → "
        tip += f"{thousands(r['cases_after'])} cases ({pct(r['pct_before'])} → "
        tip += f"{pct(r['pct_after'])} of the period's cases)"
        body.append(
            f"  {ids[str(r['source'])]} -> {ids[str(r['target'])]} [{_edge(r, view, share)}, "
            f"weight={1 + round(9 * share**2)}, tooltip={quoted(tip)}];"
        )
    title_text = style.titled_body(body, title)
    lines += title_text
    lines.append(f"  label={_legend(view, caption, labels)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
