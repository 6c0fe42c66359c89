"""Small HTML building blocks for the report: escaped text, tables, figures.

Every value that can come from a log passes through :func:`esc` (``html.escape`` with
``quote=True``) exactly once, here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from journeymap.render.numbers import MISSING, thousands, wait_text
from journeymap.render.text import visible

__all__ = [
    "Column",
    "coverage_curve",
    "doubt_warning",
    "esc",
    "figure",
    "pct",
    "sentence",
    "sortable_table",
]


def esc(value: Any) -> str:
    """Text for HTML: ``&``, ``<``, ``>``, ``"`` and ``'`` escaped, hidden characters
    (controls, direction overrides) shown as U+FFFD.

    Examples
    --------
    >>> esc('<script>alert(1)</script> "quoted" & more')
    '&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; more'
    >>> esc("Pay\u202egnp.exe")
    'Pay\ufffdgnp.exe'
    """
    return html.escape(visible(value), quote=True)


def sentence(text: str) -> str:
    """A note or a doubt (lower case, no full stop, as the terminal prints them) as a
    sentence of the page: its first letter capitalised, a full stop at its end.

    Examples
    --------
    >>> sentence("3 cases end with none of their last steps"), sentence("Done.")
    ('3 cases end with none of their last steps.', 'Done.')
    """
    stop = "" if text.endswith(".") else "."
    return f"{text[:1].upper()}{text[1:]}{stop}"


def doubt_warning(doubt: str) -> str:
    """A doubt (a sentence of :func:`journeymap.render.doubts.doubts`, lower case, no
    full stop) as the report's warning paragraph.

    Examples
    --------
    >>> doubt_warning("1 of 4 rows <rejected>")
    '<p class="warning">1 of 4 rows &lt;rejected&gt;.</p>'
    >>> doubt_warning("rule 'chaser' matches 9 of 12 cases (75.0%). Check it.")
    '<p class="warning">Rule &#x27;chaser&#x27; matches 9 of 12 cases (75.0%). Check it.</p>'
    """
    return f'<p class="warning">{esc(sentence(doubt))}</p>'


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def pct(value: Any) -> str:
    """A percentage with one decimal, ``"27.3%"``; missing values give an en dash. A
    share above nothing that rounds to nothing is ``"<0.1%"`` (1 case in 4,580 is not
    none); one below everything that rounds to all of it, ``">99.9%"``.

    Examples
    --------
    >>> pct(27.25925925925926), pct(None), pct(0.022), pct(0.0), pct(99.98)
    ('27.3%', '–', '<0.1%', '0.0%', '>99.9%')
    """
    number = _finite(value)
    if number is None:
        return MISSING
    if 0 < number < 0.05:
        return "<0.1%"
    if 99.95 <= number < 100:
        return ">99.9%"
    return f"{number:.1f}%"


@dataclass(frozen=True)
class Column:
    """A table column: the frame's ``key``, its header, and how a cell is shown.

    ``kind`` is ``"text"``, ``"count"`` (thousands), ``"pct"`` or ``"duration"``
    (seconds shown as the report's sentences and tiles show waits, in days from one day
    on: :func:`~journeymap.render.numbers.wait_text`, so a table never says weeks beside a
    headline in days); numbers sort numerically in the page.
    """

    key: str
    header: str
    kind: str = "text"


_FORMATS: dict[str, Callable[[Any], str]] = {
    "count": thousands,
    "pct": pct,
    "duration": wait_text,
}


_NUM = ' class="num"'


def _cell(value: Any, kind: str) -> str:
    if kind == "text":
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        return f"<td>{esc(MISSING if missing else value)}</td>"
    number = _finite(value)
    # Three decimals, as the CSV tables: a float summed in parallel can differ in its
    # last digits between runs, and the page must not.
    sort = "NaN" if number is None else repr(round(number, 3))
    return f'<td class="num" data-sort="{sort}">{esc(_FORMATS[kind](value))}</td>'


def sortable_table(
    frame: pd.DataFrame, columns: Sequence[Column], *, caption: str, limit: int | None = None
) -> str:
    """A table of the first ``limit`` rows of ``frame``, sortable by clicking a header;
    the caption says when rows were left out."""
    shown = frame if limit is None else frame.head(limit)
    note = caption
    if limit is not None and len(frame) > limit:
        note = f"{caption} (top {thousands(limit)} of {thousands(len(frame))} rows)"
    heads = "".join(
        f'<th scope="col"{"" if c.kind == "text" else _NUM}>'
        f'<button type="button">{esc(c.header)}</button></th>'
        for c in columns
    )
    rows = [
        "<tr>" + "".join(_cell(row.get(c.key), c.kind) for c in columns) + "</tr>"
        for row in shown.to_dict("records")
    ]
    return (
        f'<table class="sortable"><caption>{esc(note)}</caption>'
        f"<thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def figure(svg: str | None, *, prefix: str, label: str, caption: str, css: str = "chart") -> str:
    """A figure holding inlined SVG (made safe) with ``role="img"``, an ``aria-label``
    and a visible caption; without SVG, the caption says the picture is missing."""
    if not svg:
        return f'<p class="note">{esc(caption)} (picture not drawn).</p>'
    from journeymap.render.report_svg import inline_svg  # its sanitiser loads lxml

    body = inline_svg(svg, prefix=prefix, label=label)
    return f'<figure class="{css}">{body}<figcaption>{esc(caption)}</figcaption></figure>'


def coverage_curve(
    cum_pct: list[float], covering: int, *, width: int = 640, height: int = 220
) -> str:
    """An inline SVG of the coverage curve: cumulative share of cases over the number
    of variants, with the 80% line and the point where it is reached.

    Examples
    --------
    >>> svg = coverage_curve([50.0, 80.0, 100.0], 2)
    >>> svg.startswith('<figure class="coverage">') and "80%" in svg
    True
    """
    n = len(cum_pct)
    if n == 0:
        return ""
    left, right, top, bottom = 48, 12, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + plot_w * (i / max(n, 1))

    def y(pct: float) -> float:
        return top + plot_h * (1 - pct / 100)

    points = " ".join(f"{x(i + 1):.1f},{y(p):.1f}" for i, p in enumerate(cum_pct))
    mark_x, mark_y = x(covering), y(80.0)
    description = (
        f"Coverage curve: {covering:,} of {n:,} variants "
        f"cover{'s' if covering == 1 else ''} 80% of the cases."
    )
    return (
        '<figure class="coverage">'
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{esc(description)}">'
        f'<line x1="{left}" y1="{y(80.0):.1f}" x2="{width - right}" y2="{y(80.0):.1f}" '
        'stroke="#9aa5b1" stroke-dasharray="4 4"/>'
        f'<polyline points="{x(0):.1f},{y(0):.1f} {points}" fill="none" stroke="#1f4e79" '
        'stroke-width="2"/>'
        f'<circle cx="{mark_x:.1f}" cy="{mark_y:.1f}" r="4" fill="#b9470b"/>'
        f'<text x="{left - 6}" y="{y(80.0) + 4:.1f}" text-anchor="end" font-size="12">80%</text>'
        f'<text x="{left - 6}" y="{y(100.0) + 4:.1f}" text-anchor="end" font-size="12">100%</text>'
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" '
        f'font-size="12">variants, most common first ({n:,})</text>'
        f"</svg><figcaption>{esc(description)}</figcaption></figure>"
    )
