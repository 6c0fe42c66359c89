"""Hand-offs, ping-pong, self-loops and rework, drawn over the journey map.

:func:`~journeymap.render.journey.journey_dot` draws these marks when its tables carry
the optional columns (MEASURES.md, "Handler, hand-offs, ping-pong" and "Rework"):

- ``handoffs`` on DFG edges: the edge's transitions whose two events both have a known
  handler and the handlers differ. Their share of the path's transitions is added to
  the edge's label (``"1,204 · 74% hand-offs"``), so the label never mixes cases with
  transitions. A **hand-off path**, one where at least half of the transitions change
  hands, is drawn in purple (frequency view) or gets a purple line beside its wait
  colour (performance view, which keeps its colours for waits).
- **back and forth**: a hand-off path a -> b whose reverse b -> a is drawn and is a
  hand-off path too: work is handed back and forth between the two activities'
  handlers. The label ends with ``⇄`` (not before its count, which the hand-off
  network's ``⇄ n`` would make a count of back and forth) and the line is doubled.
- self-loops (source equals target) are always marked: a dashed burnt-orange loop
  labelled ``↻``: the activity done again straight away.
- ``failure_activity`` on activities (booleans): the activity's name matches a
  failure-demand rule; the box is shaded red instead of blue.
- ``rework_pct`` on activities: the share of the activity's events that are rework.
  The box gets a line ``↻ 12% rework``; from 10% on, a thick burnt-orange border.

Nothing here computes a measure; values only decide colours, labels and the legend
rows, and the legend explains only the marks that are drawn.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.render import style
from journeymap.render.numbers import thousands
from journeymap.render.tables import number

__all__ = [
    "HANDOFF_SHARE",
    "HIGH_REWORK_PCT",
    "edge_attributes",
    "edge_tip",
    "is_handoff_path",
    "legend_rows",
    "node_attributes",
    "node_note",
    "node_tip",
    "pct_text",
]

#: A path whose transitions change hands at least this often is a hand-off path.
HANDOFF_SHARE = 0.5
#: From this share of rework events (%), an activity's box gets the rework border.
HIGH_REWORK_PCT = 10.0


def _handoffs(row: dict[str, Any]) -> float:
    return number(row.get("handoffs")) or 0.0


def is_handoff_path(row: dict[str, Any]) -> bool:
    """Whether at least :data:`HANDOFF_SHARE` of a path's transitions change hands."""
    events = number(row.get("events"))
    handoffs = _handoffs(row)
    return handoffs > 0 and (events is None or handoffs >= HANDOFF_SHARE * events)


def edge_attributes(
    source: str,
    target: str,
    row: dict[str, Any],
    *,
    view: str,
    label: str,
    share: float,
    back_and_forth: bool = False,
    judged: bool = True,
) -> str | None:
    """The attributes of a marked path (label, colour, width, style), or None when the
    path carries no mark and keeps the view's plain style.

    ``label`` is the view's label (the count or the median wait) and ``share`` the
    width's share on 0..1, as the plain style would use them; ``back_and_forth`` says
    that the path and its reverse are both hand-off paths on this map. In the
    performance view, a path that too few cases take to judge its wait (not ``judged``)
    keeps its mark but is drawn as such paths are: thin, grey and dotted.
    """
    loop, handoffs, pingpong = source == target, _handoffs(row), back_and_forth
    if not (loop or handoffs or pingpong):
        return None
    text = ("↻ " if loop else "") + label
    if handoffs:
        text += f" · {_handoffs_text(handoffs, number(row.get('events')))}"
    if pingpong:  # after the figures: "⇄ 791" would read as 791 times back and forth
        text += " ⇄"
    if view != "frequency" and not judged:  # too few cases: its wait is no finding
        marked = is_handoff_path(row) or pingpong
        accent = style.REWORK if loop else style.HANDOFF if marked else None
        lines = f"{style.THIN_EVIDENCE}:{accent}" if accent else style.THIN_EVIDENCE
        return style.edge_attributes(text, lines, 0.0, text=style.MUTED) + ", style=dotted"
    if view == "frequency":
        colour = style.frequency_colour(share)
    else:
        colour = style.performance_colour(share)
    if loop:
        return style.edge_attributes(text, style.REWORK, share) + ", style=dashed"
    if not (is_handoff_path(row) or pingpong):
        return style.edge_attributes(text, colour, share, text=style.EDGE_DARK)
    accent = style.HANDOFF
    if view == "frequency":
        lines = f"{accent}:white:{accent}" if pingpong else accent
    else:  # the wait keeps its colour; the hand-off runs beside it
        lines = f"{colour}:{accent}:{accent}" if pingpong else f"{colour}:{accent}"
    if view == "frequency" and not pingpong:
        return style.edge_attributes(text, lines, share, text=accent)
    # Each parallel line gets the pen width: thinner lines keep the pair as wide as a
    # plain path, and the minimum keeps each of them visible.
    return style.edge_attributes(text, lines, share * 0.4, text=accent, thinnest=1.5)


def _handoffs_text(handoffs: float, events: float | None) -> str:
    """The hand-offs as a share of the path's transitions: a share, so that the label
    does not set a count of transitions beside a count of cases."""
    if events is None or events <= 0:
        shown = thousands(handoffs)
        return f"{shown} hand-off{'' if shown == '1' else 's'}"
    if handoffs >= events:
        return "all hand-offs"
    return f"{pct_text(100 * handoffs / events)}% hand-offs"


def edge_tip(row: dict[str, Any], *, back_and_forth: bool = False) -> str:
    """Tooltip lines about hand-offs ("" when the path has none)."""
    lines = []
    handoffs, events = _handoffs(row), number(row.get("events"))
    if handoffs:
        share = f" ({pct_text(100 * handoffs / events)}% of the transitions)" if events else ""
        noun = "transition" if handoffs == 1 else "transitions"
        lines.append(f"hand-offs: {thousands(handoffs)} {noun}{share}")
    if back_and_forth:
        lines.append("back and forth: the reverse path is a hand-off path too")
    return "".join("\n" + line for line in lines)


def pct_text(pct: float) -> str:
    """A percentage for a label: whole numbers from 1 on, one decimal below.

    Examples
    --------
    >>> [pct_text(p) for p in (0.04, 0.45, 1.5, 12.49, 100)]
    ['<0.1', '0.5', '2', '12', '100']
    """
    if pct < 0.05:
        return "<0.1"
    if pct < 0.95:
        return f"{round(pct + 1e-9, 1):.1f}"
    return str(int(pct + 0.5))


def _rework_pct(row: dict[str, Any]) -> float | None:
    pct = number(row.get("rework_pct"))
    return pct if pct is not None and pct > 0 else None


def _high(pct: float | None) -> bool:
    # Compared as shown (rounded half up), so that a box reading "10%" has the border.
    return pct is not None and pct + 0.5 >= HIGH_REWORK_PCT


def node_note(row: dict[str, Any]) -> str:
    """The extra line of an activity box: ``"↻ 12% rework"``, or "" without rework."""
    pct = _rework_pct(row)
    return "" if pct is None else f"↻ {pct_text(pct)}% rework"


def node_tip(row: dict[str, Any]) -> str:
    """Tooltip line about the activity's rework ("" without rework)."""
    pct = _rework_pct(row)
    return "" if pct is None else f"\n{pct_text(pct)}% of its events are rework"


def _failure(row: dict[str, Any]) -> bool:
    value = row.get("failure_activity")
    return False if value is None or pd.isna(value) else bool(value)


def node_attributes(row: dict[str, Any], share: float) -> str:
    """Fill and border of an activity box: red shades for a failure-demand activity, a
    rework border from ``HIGH_REWORK_PCT``."""
    high = _high(_rework_pct(row))
    border = style.REWORK if high else None
    return style.node_colours(share, border=border, failure=_failure(row))


def legend_rows(
    nodes: list[dict[str, Any]],
    inner: list[tuple[str, str, dict[str, Any]]],
    *,
    view: str,
    back_and_forth: bool = False,
) -> list[style.LegendRow]:
    """Legend rows for the marks drawn on this map, in a fixed order.

    ``nodes`` are the activities' rows, ``inner`` the (source, target, row) of the paths
    between activities (start and end paths carry no marks); ``back_and_forth`` says a
    double line is drawn.
    """
    rows: list[style.LegendRow] = []
    if any(_handoffs(row) for _, _, row in inner):
        purple = "purple" if view == "frequency" else "a purple line beside it"
        text = (
            "· n% hand-offs: the path's transitions where the handler changes; "
            f"{purple} when half or more do"
        )
        rows.append((text, None, [style.HANDOFF]))
    if back_and_forth:
        rows.append(("⇄ double line: hand-off paths both ways, work handed back and forth",
                     None, []))  # fmt: skip
    if any(s == t for s, t, _ in inner):
        rows.append(("↻ dashed loop: the activity done again straight away", None, [style.REWORK]))
    if any(_failure(row) for row in nodes):
        text = "red box: failure-demand activity (chaser, complaint, reopen): a hypothesis to check"
        rows.append((text, None, [style.FAILURE_DARK]))
    pcts = [p for p in (_rework_pct(row) for row in nodes) if p is not None]
    if pcts:
        text = "↻ % rework: share of the activity's events that repeat it"
        high = any(_high(p) for p in pcts)
        if high:
            text += f"; thick border from {HIGH_REWORK_PCT:g}%"
        rows.append((text, None, [style.REWORK] if high else []))
    return rows
