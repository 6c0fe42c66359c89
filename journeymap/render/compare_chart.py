"""The end-to-end capability chart across two periods: one XmR segment per period.

Each period keeps its own limits (computed from its own points: the voice of the
process before and after), drawn over its part of the chart only, with the periods
side by side on one scale and a line between them. Built from the parts in
:mod:`journeymap.render.chart_parts`, as the other charts are, so it looks like them
and is as deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from journeymap.analysis.capability import XmRChart
from journeymap.render import chart_parts as parts
from journeymap.render.capability_words import capability_statement
from journeymap.render.chart_parts import AXIS, CENTRE, FONT, HEIGHT, LIMIT, MUTED, WIDTH, Frame

__all__ = ["two_period_svg"]

_TICK, _SMALL = 12.0, 11.0


def _signals(chart: XmRChart) -> np.ndarray:
    p = chart.points
    return (p["rule1"] | p["rule2"] | p["rule3"]).to_numpy(dtype=bool)


def _joined(before: XmRChart, after: XmRChart) -> XmRChart:
    """Both periods' points as one chart, for the x axis only (limits unused)."""
    basis = before.basis if before.basis == after.basis else "value"
    keep = [c for c in ("label", "time") if c in before.points and c in after.points]
    columns = [*keep, "x"]
    points = pd.concat([before.points[columns], after.points[columns]], ignore_index=True)
    return XmRChart(0.0, 0.0, 0.0, 0.0, 0.0, points, basis, before.kind, before.measure)


def _left_labels(chart: XmRChart, frame: Frame, scale: float) -> list[str]:
    """The first period's limits, at the right end of its segment just above each line,
    pushed apart when they would overlap."""
    limits = (("UNPL", chart.unpl), ("Centre", chart.centre), ("LNPL", chart.lnpl))
    ys = [frame.y1(v / scale) - 4 for _, v in limits]
    for i in (1, 2):
        ys[i] = max(ys[i], ys[i - 1] + 13)
    words = [f"{name} {parts.value_text(v / scale)}" for name, v in limits]
    texts = [
        parts.svg_text(frame.right - 4, y, text, size=_SMALL,
                       fill=CENTRE if name == "Centre" else LIMIT, anchor="end")
        for (name, _), text, y in zip(limits, words, ys, strict=True)
    ]  # fmt: skip
    # A white band behind each keeps it readable over the points at the split (a halo
    # alone left them among the points' dots), and hides no more of them than its text.
    bands = [
        f'<rect x="{frame.right - 6 - len(w) * _SMALL * 0.6:.1f}" y="{y - _SMALL + 1:.1f}" '
        f'width="{len(w) * _SMALL * 0.6 + 4:.1f}" height="{_SMALL + 2:.1f}" fill="#ffffff" '
        'fill-opacity="0.85"/>'
        for w, y in zip(words, ys, strict=True)
    ]
    return [*bands, '<g stroke="#ffffff" stroke-width="3" paint-order="stroke">', *texts, "</g>"]


def two_period_svg(
    before: XmRChart,
    after: XmRChart,
    *,
    labels: tuple[str, str] = ("before", "after"),
    title: str = "End-to-end time, before and after",
) -> str:
    """SVG text of the two periods' XmR charts side by side on one scale.

    Each period's centre line and natural process limits are drawn over its own
    points; the statement under the title gives each period's capability in words.

    Examples
    --------
    >>> from journeymap.analysis.capability import xmr
    >>> a = xmr([86400.0 * d for d in (5, 7, 6, 9)], kind="duration", basis="case",
    ...         measure="end-to-end time")
    >>> b = xmr([86400.0 * d for d in (2, 3, 2, 4)], kind="duration", basis="case",
    ...         measure="end-to-end time")
    >>> svg = two_period_svg(a, b, labels=("before <x>", "after"))
    >>> svg.count("Centre"), "before &lt;x&gt;" in svg
    (2, True)
    """
    scale, unit = parts.y_scale(after if after.unpl > before.unpl else before, None)
    unit_words = unit if before.kind == "duration" else "days"
    statements = [
        f"{label.capitalize()}: {capability_statement(chart, unit=unit_words)}"
        for label, chart in zip(labels, (before, after), strict=True)
    ]
    header, top = parts.header(title, "\n".join(parts.wrapped(s) for s in statements))
    charts = (before, after)
    ys = [c.points["x"].to_numpy(dtype="float64") / scale for c in charts]
    low = min(0.0, *(float(y.min()) for y in ys), *(c.lnpl / scale for c in charts))
    high = max(*(float(y.max()) for y in ys), *(c.unpl / scale for c in charts))
    y_ticks = parts.nice_y_ticks(low, high + 0.05 * (high - low))
    joined = _joined(before, after)
    x_axis = parts.x_axis_of(joined)
    whole = parts.plot_frame(top + 18, y_ticks, x_axis, after, scale, len(joined.points))
    step = (whole.right - whole.left) / whole.n
    split = whole.left + step * len(before.points)
    segments = [
        Frame(whole.left, whole.top, split, whole.bottom, len(before.points),
               whole.y_low, whole.y_high),
        Frame(split, whole.top, whole.right, whole.bottom, len(after.points),
               whole.y_low, whole.y_high),
    ]  # fmt: skip
    body = [f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>', *header]
    for chart, frame in zip(charts, segments, strict=True):
        body += parts.limit_lines(chart, frame, scale)
    body += parts.axes(whole, y_ticks, x_axis, parts.y_axis_label(after, None, unit))
    for chart, frame, values, label in zip(charts, segments, ys, labels, strict=True):
        body += parts.series(frame, values, _signals(chart))
        body += parts.rule_numbers(chart, frame, values)
        body.append(
            parts.svg_text((frame.left + frame.right) / 2, whole.top - 6, label, size=_SMALL,
                           fill=MUTED, anchor="middle", bold=True)
        )  # fmt: skip
    body.append(
        f'<line x1="{split:.2f}" y1="{whole.top - 16:.2f}" x2="{split:.2f}" '
        f'y2="{whole.bottom:.2f}" stroke="{AXIS}" stroke-dasharray="2 3"/>'
    )
    body += _left_labels(before, segments[0], scale)
    body += parts.limit_labels(after, segments[1], scale)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}">\n'
        + "\n".join(body)
        + "\n</svg>\n"
    )
