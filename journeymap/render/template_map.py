"""The map of a journey template: the designed journey as the backbone, and what the
template's cases did outside it.

:func:`template_dot` draws, from the tables of
:mod:`journeymap.analysis.template_measures` for one template: each designed step as a
box (with how many cases did it, and how many skipped it) and each designed path as a
solid arrow (with its cases; grey and dotted when no case took it); the activities and
paths outside the design as dashed boxes and arrows in the deviation colour, with their
cases and the extra end-to-end time of those cases. The busiest deviations are drawn,
the caption says how many. Nothing is computed here; every log-derived string is
escaped (:mod:`journeymap.render.style`). The same tables give the same DOT.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.render import style
from journeymap.render.numbers import counted, human_duration, thousands
from journeymap.render.style import quoted
from journeymap.render.tables import number, records, scale
from journeymap.render.template_words import template_caption

__all__ = ["DEVIATION", "template_dot"]

#: The colour of what the cases did outside the design.
DEVIATION = "#c2185b"
_DESIGNED = "#34495e"
_UNUSED = "#9aa5b1"
_START, _END = "__start__", "__end__"


def _extra(seconds: Any) -> str:
    value = number(seconds)
    if value is None:
        return ""
    sign = "+" if value >= 0 else "−"
    return f", {sign}{human_duration(abs(value))}"


def template_dot(
    name: str,
    paths: pd.DataFrame,
    activities: pd.DataFrame,
    deviations: pd.DataFrame,
    summary: dict[str, Any],
    *,
    title: str = "",
    max_activities: int = 15,
    max_paths: int = 25,
) -> str:
    """The map of template ``name`` as Graphviz DOT source text.

    Parameters
    ----------
    name : the template.
    paths, activities, deviations : the template's rows of
        :func:`~journeymap.analysis.template_measures.template_paths`,
        :func:`~journeymap.analysis.template_measures.template_activities` and
        :func:`~journeymap.analysis.template_measures.template_deviations` (rows of
        other templates are ignored).
    summary : the template's entry of
        :func:`~journeymap.analysis.template_measures.template_summary`.
    title : text above the map.
    max_activities, max_paths : the most activities and paths outside the design to
        draw (the busiest, by cases; ties by name).

    Examples
    --------
    >>> paths = pd.DataFrame({"template": "t", "source": ["__start__", "a", "a", "x"],
    ...     "target": ["a", "b", "x", "__end__"], "cases": [3, 2, 1, 1],
    ...     "events": [3, 2, 1, 1], "designed": [True, True, False, False]})
    >>> acts = pd.DataFrame({"template": "t", "activity": ["a", "b", "x"],
    ...     "cases": [3, 2, 1], "events": [3, 2, 1], "designed": [True, True, False]})
    >>> devs = pd.DataFrame({"template": "t", "kind": ["inserted", "skipped"],
    ...     "activity": ["x", "b"], "cases": [1, 1], "extra_e2e_s": [7200.0, 7200.0]})
    >>> dot = template_dot("t", paths, acts, devs, {"cases": 3, "conforming_pct": 66.7})
    >>> "skipped in 1 case" in dot, "1 case, +2.0 h" in dot, "style=dashed" in dot
    (True, True, True)
    >>> elsewhere = pd.concat([devs, pd.DataFrame({"template": ["t"], "kind": ["inserted"],
    ...     "activity": ["b"], "cases": [1], "extra_e2e_s": [0.0]})])
    >>> "out of its place in 1" in template_dot("t", paths, acts, elsewhere, {"cases": 3})
    True
    """
    nodes = [r for r in records(activities) if r["template"] == name]
    edges = [r for r in records(paths) if r["template"] == name]
    devs = [r for r in records(deviations) if r["template"] == name]
    designed = sorted((r for r in nodes if r["designed"]), key=lambda r: str(r["activity"]))
    outside = sorted(
        (r for r in nodes if not r["designed"] and int(r["cases"]) > 0),
        key=lambda r: (-int(r["cases"]), str(r["activity"])),
    )
    shown_outside = outside[:max_activities]
    shown = {str(r["activity"]) for r in designed + shown_outside}
    ids = {a: f"n{i}" for i, a in enumerate(sorted(shown))}
    ids[_START], ids[_END] = "start", "end"
    kept = [e for e in edges if e["source"] in ids and e["target"] in ids]
    off = sorted(
        (e for e in kept if not e["designed"]),
        key=lambda e: (-int(e["cases"]), str(e["source"]), str(e["target"])),
    )
    all_off = [e for e in edges if not e["designed"]]
    drawn = [e for e in kept if e["designed"]] + off[:max_paths]
    counts = [float(e["cases"]) for e in drawn] or [0.0]

    lines = ["digraph template {", *style.graph_defaults("TB")]
    caption = template_caption(
        name, summary, (len(shown_outside), len(outside)), (min(len(off), max_paths), len(all_off))
    )
    lines.append(f"  label={_legend(caption)};")
    body = [f"  start [{style.START_NODE}];", f"  end [{style.END_NODE}];"]
    by_kind = {(str(d["kind"]), str(d["activity"])): d for d in devs}
    top = max((int(r["cases"]) for r in nodes), default=0)
    for row in designed:
        body.append(_designed_node(row, ids, by_kind, top))
    for row in shown_outside:
        body.append(_outside_node(row, ids, by_kind))
    for e in sorted(drawn, key=lambda e: (str(e["source"]), str(e["target"]))):
        body.append(_edge(e, ids, scale(float(e["cases"]), counts)))
    lines += style.titled_body(body, title)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _designed_node(
    row: dict[str, Any], ids: dict[str, str], by_kind: dict[tuple[str, str], Any], top: int
) -> str:
    activity = str(row["activity"])
    cases = int(row["cases"])
    notes = []
    skipped = by_kind.get(("skipped", activity))
    if skipped is not None:
        n = int(skipped["cases"])
        notes.append(f"skipped in {counted(n, 'case')}")
    again = by_kind.get(("repeated", activity))
    if again is not None:
        n = int(again["cases"])
        notes.append(f"done again in {thousands(n)}{_extra(again.get('extra_e2e_s'))}")
    # Done, but away from its place: counted among the cases that did it and the skipped
    # (helpdesk: 4,285 did 'Take in charge ticket', 296 skipped it, one of them both).
    elsewhere = by_kind.get(("inserted", activity))
    if elsewhere is not None:
        notes.append(f"out of its place in {thousands(int(elsewhere['cases']))}")
    label = style.node_html(activity, counted(cases, "case"), note="\n".join(notes))
    fill = style.mix(style.BOX_LIGHT, style.BOX_DARK, scale(cases, [float(top)]))
    return (
        f'  {ids[activity]} [label=<{label}>, fillcolor="{fill}", color="{_DESIGNED}", '
        f"penwidth=2, tooltip={quoted(f'{activity}: a designed step')}];"
    )


def _outside_node(
    row: dict[str, Any], ids: dict[str, str], by_kind: dict[tuple[str, str], Any]
) -> str:
    activity = str(row["activity"])
    cases = int(row["cases"])
    found = by_kind.get(("inserted", activity)) or by_kind.get(("repeated", activity))
    extra = _extra(found.get("extra_e2e_s")) if found is not None else ""
    label = style.node_html(activity, f"{counted(cases, 'case')}{extra}")
    tip = f"{activity}: not in the design; {counted(cases, 'case')}"
    return (
        f'  {ids[activity]} [label=<{label}>, fillcolor="#fdf0f5", color="{DEVIATION}", '
        f'fontcolor="{style.TEXT}", style="rounded,filled,dashed", penwidth=1.5, '
        f"tooltip={quoted(tip)}];"
    )


def _edge(e: dict[str, Any], ids: dict[str, str], share: float) -> str:
    cases = int(e["cases"])
    label = thousands(cases)
    names = {_START: "(start)", _END: "(end)"}
    tip = f"{names.get(e['source'], e['source'])} → {names.get(e['target'], e['target'])}: "
    if not e["designed"]:
        attrs = style.edge_attributes(label, DEVIATION, share, text=DEVIATION) + ", style=dashed"
        tip += f"{counted(cases, 'case')}, outside the design"
    elif cases == 0:
        attrs = f'color="{_UNUSED}", fontcolor="{style.MUTED}", penwidth=1.00, style=dotted'
        tip += "designed, no case took it"
    else:
        attrs = style.edge_attributes(label, _DESIGNED, share, thinnest=1.5)
        tip += f"{counted(cases, 'case')}, as designed"
    weight = 10 if e["designed"] else 1
    return (
        f"  {ids[e['source']]} -> {ids[e['target']]} [{attrs}, weight={weight}, "
        f"tooltip={quoted(tip)}];"
    )


def _legend(caption: str) -> str:
    rows: list[style.LegendRow] = [
        ("● start and ◎ end of the cases", None, []),
        ("solid box: a designed step and its cases; darker = more", None,
         [style.mix(style.BOX_LIGHT, style.BOX_DARK, s / 4) for s in range(5)]),
        ("solid arrow: a designed path and its cases; wider = more", None, [_DESIGNED]),
        ("grey dotted arrow: a designed path no case took", None, [_UNUSED]),
        (f'<font color="{DEVIATION}">dashed box: an activity outside the design, its cases '
         "and their extra end-to-end time (median)</font>", None, [DEVIATION]),
        (f'<font color="{DEVIATION}">dashed arrow: a path outside the design and its cases'
         "</font>", None, [DEVIATION]),
    ]  # fmt: skip
    return style.legend_table(rows, caption)
