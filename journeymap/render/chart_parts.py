"""The parts every capability chart is drawn from, as SVG text: the plot frame, the
axes with their ticks, the limit lines and their labels, the series of points with
their signals, the header and text.

:mod:`journeymap.render.charts` draws an XmR chart from them, and
:mod:`journeymap.render.compare_chart` a chart of two periods, so that both look the same
and are as deterministic: coordinates are written with two decimals, every string passes
through :func:`_esc`.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import numpy.typing as npt

from journeymap.analysis.capability import XmRChart
from journeymap.render.text import visible

__all__ = [
    "AXIS", "CENTRE", "FONT", "HEIGHT", "LIMIT", "LINE", "MAX_ANNOTATIONS", "MAX_MARKERS",
    "MUTED", "SIGNAL", "STATEMENT_CHARS", "TEXT", "WIDTH", "Floats", "Frame", "axes",
    "duration_unit", "header", "limit_labels", "limit_lines", "nice_y_ticks", "plot_frame",
    "rule_numbers", "series", "svg_line", "svg_text", "text_width", "tick_texts",
    "value_text", "wrapped", "x_axis_of", "y_axis_label", "y_scale",
]  # fmt: skip

SIGNAL = "#c0392b"
LINE = "#34495e"
LIMIT = "#7f8c8d"
CENTRE = "#2c7a4b"
TEXT = "#222222"
MUTED = "#333333"
AXIS = "#444444"
FONT = "DejaVu Sans, Arial, sans-serif"
WIDTH, HEIGHT = 1000, 520
# Rule numbers are written next to each signal while they stay readable; beyond this
# many signals the red points and the legend say it.
MAX_ANNOTATIONS = 40
# Every point gets a marker up to this many points; beyond, only the line and signals.
MAX_MARKERS = 400
_UNITS = (("weeks", 604800.0), ("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0))
_SECONDS = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0, "weeks": 604800.0}
# Font sizes (px) and the room a line of text takes.
_TITLE, _STATEMENT, _LABEL, _TICK, _NOTE = 16.0, 13.0, 13.0, 12.0, 11.0
_LINE_HEIGHT = 16.0
_TICK_LENGTH = 5.0

Floats = npt.NDArray[np.float64]


def duration_unit(seconds: float) -> tuple[str, float]:
    """The unit to show a duration scale in: the largest one that ``seconds`` reaches
    twice (so the axis has at least two steps), up to days.

    Examples
    --------
    >>> duration_unit(41 * 86400), duration_unit(5 * 3600), duration_unit(30)
    (('days', 86400.0), ('hours', 3600.0), ('minutes', 60.0))
    """
    for name, size in _UNITS[1:]:
        if seconds >= 2 * size:
            return name, size
    return "minutes", 60.0


def _rules(row: Any) -> str:
    return ",".join(str(n) for n in (1, 2, 3) if row[f"rule{n}"])


def _nice_step(k: int) -> int:
    """A tick step of 1, 2 or 5 times a power of ten giving at most about 8 ticks."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if -(-k // (factor * magnitude)) <= 8:
                return factor * magnitude
        magnitude *= 10


def x_axis_of(chart: XmRChart) -> tuple[str, list[int], list[str]]:
    """The x-axis label, and a few tick positions with their labels (dates when known)."""
    p = chart.points
    step = _nice_step(len(p))
    if chart.basis == "case":
        # Case n sits at position n - 1; ticks at case 1 and at multiples of the step.
        ticks = [0, *range(step - 1, len(p), step)] if step > 1 else list(range(len(p)))
        if "time" in p.columns:
            labels = [f"{i + 1:,}\n{_date(p['time'].iloc[i])}" for i in ticks]
            return "Cases, in order of completion (case number, date completed)", ticks, labels
        return "Cases, in order of completion", ticks, [f"{i + 1:,}" for i in ticks]
    ticks = list(range(0, len(p), step))
    if "label" in p.columns:
        names = {"week": "Week starting", "daily mean": "Day (cases ending that day)"}
        return names.get(chart.basis, "Point"), ticks, [str(p["label"].iloc[i]) for i in ticks]
    return "Point", ticks, [f"{i + 1:,}" for i in ticks]


def _date(value: Any) -> str:
    """The date of a UTC timestamp as YYYY-MM-DD."""
    return str(value)[:10]


def nice_y_ticks(low: float, high: float) -> list[float]:
    """Ticks 1, 2 or 5 times a power of ten apart, at most 7 steps, from at or below
    ``low`` to at or above ``high``; the axis runs from the first to the last.

    Examples
    --------
    >>> nice_y_ticks(0.0, 42.0)
    [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    >>> nice_y_ticks(-3.0, 4.5)
    [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0]
    """
    span = high - low
    if not span > 0:
        span = max(abs(high), 1.0)
        high = low + span
    magnitude = 10.0 ** np.floor(np.log10(span / 7))
    for factor in (1, 2, 5, 10, 20):
        step = float(factor * magnitude)
        first = int(np.floor(low / step + 1e-9))
        last = int(np.ceil(high / step - 1e-9))
        if last - first <= 7:
            return [k * step + 0.0 for k in range(first, last + 1)]
    raise AssertionError("unreachable: a step of 20 x span / 7 gives fewer than 7 steps")


def _esc(text: str) -> str:
    """Text for an SVG element: XML-escaped, hidden characters shown as U+FFFD, and
    cut at 200 characters."""
    return escape(visible(text, limit=200), quote=False)


def text_width(text: str, size: float) -> float:
    """About how wide a line of text is drawn, in px (DejaVu Sans is on the wide side)."""
    return len(text) * size * 0.62


def svg_text(
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    fill: str = TEXT,
    anchor: str = "start",
    bold: bool = False,
    line_height: float = _LINE_HEIGHT,
) -> str:
    """A ``<text>`` element at (x, y), the baseline of its first line; each further
    line of ``text`` (split at newlines) becomes a ``<tspan>`` ``line_height`` lower."""
    first, *more = text.split("\n")
    weight = ' font-weight="bold"' if bold else ""
    lines = "".join(
        f'<tspan x="{x:.2f}" dy="{line_height:.2f}">{_esc(line)}</tspan>' for line in more
    )
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" font-size="{size:g}" fill="{fill}" '
        f'text-anchor="{anchor}"{weight}>{_esc(first)}{lines}</text>'
    )


def svg_line(x1: float, y1: float, x2: float, y2: float, *, stroke: str, extra: str = "") -> str:
    return (
        f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" stroke="{stroke}"{extra}/>'
    )


@dataclass(frozen=True)
class Frame:
    """The plot area in px, and the data ranges it shows: x from -0.5 to n - 0.5 (a
    point per whole number), y from the first to the last y tick."""

    left: float
    top: float
    right: float
    bottom: float
    n: int
    y_low: float
    y_high: float

    def x(self, i: Floats) -> Floats:
        """The px x of point positions."""
        return self.left + (i + 0.5) * (self.right - self.left) / self.n

    def y(self, v: Floats) -> Floats:
        """The px y of values."""
        share = (v - self.y_low) / (self.y_high - self.y_low)
        return self.bottom - share * (self.bottom - self.top)

    def y1(self, v: float) -> float:
        return float(self.y(np.array([v]))[0])


def plot_frame(
    top: float, y_ticks: list[float], x_axis: Any, limits: XmRChart, scale: float, n: int
) -> Frame:
    """The plot area for ``n`` points: room on the left for the y ticks, on the right for
    the labels of ``limits``' lines, below for the x labels' lines."""
    tick_width = max(text_width(text, _TICK) for text in tick_texts(y_ticks))
    limit_width = max(
        text_width(f"{name} {value_text(v / scale)}", _TICK)
        for name, v in (("UNPL", limits.unpl), ("Centre", limits.centre), ("LNPL", limits.lnpl))
    )
    tick_lines = max(label.count("\n") for label in x_axis[2]) + 1 if x_axis[2] else 1
    return Frame(
        left=round(44 + tick_width),
        top=top,
        right=round(WIDTH - 16 - limit_width),
        bottom=HEIGHT - 52 - 14 * (tick_lines - 1),
        n=n,
        y_low=y_ticks[0],
        y_high=y_ticks[-1],
    )


def y_scale(chart: XmRChart, unit: str | None) -> tuple[float, str]:
    """What one unit on the y axis is worth in the chart's values, and its name."""
    if chart.kind == "duration":
        if unit:
            if unit not in _SECONDS:
                raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(_SECONDS)}")
            return _SECONDS[unit], unit
        name, size = duration_unit(chart.unpl)
        return size, name
    if chart.kind == "share":
        return 0.01, "%"
    return 1.0, ""


def y_axis_label(chart: XmRChart, y_label: str | None, unit_name: str) -> str:
    measure = y_label or chart.measure.capitalize()
    if chart.basis == "daily mean":
        return f"Daily mean {measure.lower()} ({unit_name})"
    return f"{measure} ({unit_name})" if unit_name else measure


#: A statement is wrapped to lines of at most this many characters: about a chart's
#: width in DejaVu Sans at the statement's size (7.3 px a character on average).
STATEMENT_CHARS = 125


def wrapped(statement: str) -> str:
    """``statement`` in lines (joined by newlines) that fit a chart's width."""
    return "\n".join(textwrap.wrap(statement, STATEMENT_CHARS, break_long_words=False))


def header(title: str, statement: str) -> tuple[list[str], float]:
    """The title (bold) and the statement lines under it; and where the plot can start."""
    parts = [svg_text(12, 24, title, size=_TITLE, bold=True)]
    parts.append(svg_text(12, 46, statement, size=_STATEMENT, fill=MUTED))
    last_baseline = 46 + _LINE_HEIGHT * statement.count("\n")
    return parts, last_baseline + 26


def limit_labels(chart: XmRChart, frame: Frame, scale: float) -> list[str]:
    """UNPL, Centre and LNPL right of the plot at their heights, pushed apart when they
    would overlap."""
    limits = (
        (chart.unpl, "UNPL", LIMIT),
        (chart.centre, "Centre", CENTRE),
        (chart.lnpl, "LNPL", LIMIT),
    )
    ys = [frame.y1(value / scale) for value, _, _ in limits]
    gap = 15.0
    for i in (1, 2):  # downwards first, then back up if the last leaves the plot
        ys[i] = max(ys[i], ys[i - 1] + gap)
    ys[2] = min(ys[2], frame.bottom + 4)
    for i in (1, 0):
        ys[i] = min(ys[i], ys[i + 1] - gap)
    return [
        svg_text(frame.right + 6, y + 4, f"{name} {value_text(value / scale)}", size=_TICK, fill=c)
        for (value, name, c), y in zip(limits, ys, strict=True)
    ]


def limit_lines(chart: XmRChart, frame: Frame, scale: float) -> list[str]:
    """The limits dashed grey, the centre line solid green, across the plot."""
    out = []
    for value, colour, dash in (
        (chart.unpl, LIMIT, ' stroke-dasharray="6 4"'),
        (chart.lnpl, LIMIT, ' stroke-dasharray="6 4"'),
        (chart.centre, CENTRE, ""),
    ):
        y = frame.y1(value / scale)
        out.append(svg_line(frame.left, y, frame.right, y, stroke=colour, extra=dash))
    return ['<g stroke-width="1.5">', *out, "</g>"]


def axes(
    frame: Frame, y_ticks: list[float], x_axis: tuple[str, list[int], list[str]], y_text: str
) -> list[str]:
    """The left and bottom spines with outward ticks and their labels, and the axis
    labels (the y one turned upright)."""
    label, ticks, tick_labels = x_axis
    out = ['<g stroke-width="1">']
    out.append(svg_line(frame.left, frame.top, frame.left, frame.bottom, stroke=AXIS))
    out.append(svg_line(frame.left, frame.bottom, frame.right, frame.bottom, stroke=AXIS))
    ys = frame.y(np.array(y_ticks, dtype="float64")).tolist()
    xs = frame.x(np.array(ticks, dtype="float64")).tolist()
    out += [svg_line(frame.left - _TICK_LENGTH, y, frame.left, y, stroke=AXIS) for y in ys]
    out += [svg_line(x, frame.bottom, x, frame.bottom + _TICK_LENGTH, stroke=AXIS) for x in xs]
    out.append("</g>")
    out += [
        svg_text(frame.left - _TICK_LENGTH - 3, y + 4, text, size=_TICK, anchor="end")
        for text, y in zip(tick_texts(y_ticks), ys, strict=True)
    ]
    below = frame.bottom + _TICK_LENGTH + 13
    out += [
        svg_text(x, below, text, size=_TICK, anchor="middle", line_height=14)
        for x, text in zip(xs, tick_labels, strict=True)
    ]
    centre_x, centre_y = (frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2
    out.append(svg_text(centre_x, HEIGHT - 14, label, size=_LABEL, anchor="middle"))
    out.append(
        f'<g transform="translate(24.00,{centre_y:.2f}) rotate(-90)">'
        + svg_text(0, 0, y_text, size=_LABEL, anchor="middle")
        + "</g>"
    )
    return out


def _reduce(px: Floats, py: Floats) -> tuple[Floats, Floats]:
    """The points of a polyline that matter at one px per column: in each column the
    first, the lowest, the highest and the last, in their order along the line."""
    column = np.floor(px).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    ends = np.r_[starts[1:], len(column)] - 1
    group = np.repeat(np.arange(len(starts)), ends - starts + 1)
    keep = [starts, ends]
    for extreme in (np.minimum, np.maximum):
        # The first point of each column that reaches the column's extreme.
        hits = np.flatnonzero(py == extreme.reduceat(py, starts)[group])
        first = np.r_[True, group[hits][1:] != group[hits][:-1]]
        keep.append(hits[first])
    kept = np.unique(np.concatenate(keep))
    return px[kept], py[kept]


def _pairs(xs: Floats, ys: Floats) -> str:
    pair = "{:.2f},{:.2f}".format
    return " ".join([pair(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)])


def series(frame: Frame, ys: Floats, signal: npt.NDArray[np.bool_]) -> list[str]:
    """The line through the points, markers on every point while there are few (red
    for signals), else red markers on the signals only, one per px."""
    px = frame.x(np.arange(len(ys), dtype="float64"))
    py = frame.y(ys)
    dense = len(ys) > frame.right - frame.left
    lx, ly = _reduce(px, py) if dense else (px, py)
    out = [
        f'<polyline points="{_pairs(lx, ly)}" fill="none" stroke="{LINE}" '
        'stroke-width="1.4" stroke-linejoin="round"/>'
    ]
    if len(ys) <= MAX_MARKERS:
        out.append(f'<g fill="{LINE}">{_circles(px[~signal], py[~signal], 2.2, 2)}</g>')
    if signal.any():
        sx, sy, digits = px[signal], py[signal], 2
        if dense:  # markers on the same px look like one: drawn once, on whole px
            cells = np.unique(np.round(sx) * 4096 + np.round(sy))
            sx, sy, digits = np.floor_divide(cells, 4096), np.mod(cells, 4096), 0
        out.append(f'<g fill="{SIGNAL}">{_circles(sx, sy, 3.3, digits)}</g>')
    return out


def _circles(xs: Floats, ys: Floats, r: float, digits: int) -> str:
    """Circles of radius ``r`` at (xs, ys), the centres written with ``digits`` decimals."""
    circle = f'<circle cx="{{:.{digits}f}}" cy="{{:.{digits}f}}" r="{r:g}"/>'.format
    return "".join([circle(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)])


def rule_numbers(chart: XmRChart, frame: Frame, ys: Floats) -> list[str]:
    """The rules each signal breaks, above it, while there are at most MAX_ANNOTATIONS."""
    p = chart.points
    at = np.flatnonzero((p["rule1"] | p["rule2"] | p["rule3"]).to_numpy())
    if len(at) == 0 or len(at) > MAX_ANNOTATIONS:
        return []
    xs = frame.x(at.astype("float64")).tolist()
    heights = frame.y(ys[at]).tolist()
    texts = []
    last: tuple[str, float] | None = None  # the label drawn last, and where
    for i, x, y in zip(at.tolist(), xs, heights, strict=True):
        label = _rules(p.iloc[i])
        # Neighbouring signals of the same rules (a run that breaks rule 3) share the
        # first one's label, which the next would overlap.
        if last is not None and last[0] == label and x - last[1] < _LABEL_GAP:
            continue
        texts.append(svg_text(x, y - 7, label, size=_NOTE, fill=SIGNAL, anchor="middle"))
        last = (label, x)
    return ["<g>", *texts, "</g>"]


#: Pixels between the labels of two signals of the same rules, under which the second
#: is not labelled.
_LABEL_GAP = 16.0


def tick_texts(ticks: list[float]) -> list[str]:
    """Y tick labels, all with the decimals their step needs (none from a step of 1).

    Examples
    --------
    >>> tick_texts([0.0, 10.0, 20.0]), tick_texts([0.0, 0.5, 1.0]), tick_texts([0.0, 2000.0])
    (['0', '10', '20'], ['0.0', '0.5', '1.0'], ['0', '2,000'])
    """
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = 0 if step >= 1 else min(6, -math.floor(math.log10(step) + 1e-9))
    return [f"{v:,.{decimals}f}" for v in ticks]


def value_text(v: float) -> str:
    """Axis and limit numbers: thousands separators, one decimal below 10."""
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.1f}"
