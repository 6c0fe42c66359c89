"""Capability (XmR) charts as SVG, written by hand: no plotting library.

A chart is a standalone SVG 1.1 document of fixed size (WIDTH x HEIGHT px): the title and
the capability statement at the top, the points joined by one line, the centre line and
the natural process limits with their values on the right, signals in red. Text stays
text (``<text>`` elements), and every string is escaped (the chart's parts are drawn by
:mod:`journeymap.render.chart_parts`).

Drawing is deterministic: the same chart gives the same bytes (coordinates are written
with two decimals, nothing depends on the clock). A long series is drawn in one
polyline reduced to the first, lowest, highest and last point of each pixel column, which
looks the same; signal markers that fall on the same pixel are drawn once.
"""

from __future__ import annotations

import re
from pathlib import Path

from journeymap.analysis.capability import XmRChart
from journeymap.render import chart_parts as parts
from journeymap.render.capability_words import capability_statement
from journeymap.render.chart_parts import FONT, HEIGHT, WIDTH

__all__ = ["chart_files", "xmr_svg", "xmr_svg_text"]


def xmr_svg(
    chart: XmRChart,
    *,
    title: str,
    y_label: str | None = None,
    path: str | Path,
    unit: str | None = None,
) -> Path:
    """Draw an XmR chart as SVG: the points joined by a line, the centre line, the
    natural process limits dashed, signals in red with their rule numbers, and the
    capability statement under the title.

    Durations are shown in days, hours or minutes (``unit``, or chosen from UNPL), counts
    with thousands separators, shares as percentages. The y axis runs from the lowest of
    0, the points and LNPL to above the highest of the points and UNPL, in steps of 1, 2
    or 5 times a power of ten.

    Parameters
    ----------
    chart : XmRChart
    title : str
    y_label : str, optional
        The measure, without unit (the unit is added); default the chart's measure.
    path : str or Path
        Where to write, ending in ``.svg``; folders are created.
    unit : str, optional
        Duration unit: "minutes", "hours", "days" or "weeks".

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        A suffix other than .svg, or an unknown ``unit``.
    """
    target = Path(path)
    if target.suffix.lower() != ".svg":
        raise ValueError(f"cannot draw a chart as {target.suffix or 'no suffix'!r}; use .svg")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_document(chart, title=title, y_label=y_label, unit=unit), "utf-8")
    return target


def xmr_svg_text(
    chart: XmRChart, *, title: str, y_label: str | None = None, unit: str | None = None
) -> str:
    """The SVG text :func:`xmr_svg` writes."""
    return _document(chart, title=title, y_label=y_label, unit=unit)


def _document(chart: XmRChart, *, title: str, y_label: str | None, unit: str | None) -> str:
    """The SVG text of :func:`xmr_svg`."""
    scale, unit_name = parts.y_scale(chart, unit)
    statement = capability_statement(chart, unit=unit_name if chart.kind == "duration" else "days")
    header, top = parts.header(title, parts.wrapped(statement) + _rules_note(chart))
    p = chart.points
    ys = p["x"].to_numpy(dtype="float64") / scale
    signal = (p["rule1"] | p["rule2"] | p["rule3"]).to_numpy(dtype=bool)
    low = min(0.0, float(ys.min()), chart.lnpl / scale)
    high = max(float(ys.max()), chart.unpl / scale)
    headroom = 0.05 * (high - low)
    y_ticks = parts.nice_y_ticks(low - headroom if low < 0 else low, high + headroom)
    x_axis = parts.x_axis_of(chart)

    frame = parts.plot_frame(top, y_ticks, x_axis, chart, scale, len(p))
    body = [
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        *header,
        *parts.limit_lines(chart, frame, scale),
        *parts.axes(frame, y_ticks, x_axis, parts.y_axis_label(chart, y_label, unit_name)),
        *parts.series(frame, ys, signal),
        *parts.rule_numbers(chart, frame, ys),
        *parts.limit_labels(chart, frame, scale),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}">\n'
        + "\n".join(body)
        + "\n</svg>\n"
    )


def _rules_note(chart: XmRChart) -> str:
    if chart.predictable:
        return ""
    return (
        "\nRed: signals (numbered by rule when few). Rule 1: outside the limits;"
        "\n2: eight or more in a row on one side of the centre; 3: three of four beyond"
        " halfway to a limit."
    )


def chart_files(folder: Path, names: list[str]) -> dict[str, Path]:
    """Where each chart of ``names`` is written: ``capability_e2e:<group>`` charts get
    the group's name in a file-name-safe form of at most 60 characters, numbered where
    two groups' forms meet (``Phone`` and ``phone``: ``_phone`` and ``_phone-2``, in
    the order of ``names``), so that no chart overwrites another.

    Examples
    --------
    >>> names = ["capability_e2e", "capability_e2e:Phone", "capability_e2e:phone"]
    >>> [p.name for p in chart_files(Path("charts"), names).values()]
    ['capability_e2e.svg', 'capability_e2e_phone.svg', 'capability_e2e_phone-2.svg']
    """
    taken: set[str] = set()
    files = {}
    for name in names:
        base, _, group = name.partition(":")
        stem = base + (f"_{_slug(group)}" if group else "")
        found, n = stem, 1
        while found in taken:
            n += 1
            found = f"{stem}-{n}"
        taken.add(found)
        files[name] = folder / f"{found}.svg"
    return files


def _slug(text: str) -> str:
    """A file-name-safe form of a group's name (letters, digits, dashes; 60 at most)."""
    slug = re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-").lower()[:60].rstrip("-")
    return slug or "group"
