"""How journey maps look: fonts, colours, widths, escaping and the legend, in one place.

Colours and widths are functions of a share on 0..1 that the caller has scaled; they
return fixed-precision text (hex colours, two-decimal widths) so that DOT is stable.
Text that comes from a log only enters DOT through :func:`html_text` (HTML-like
labels) or :func:`quoted` (quoted attributes such as tooltips).
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable
from typing import Any

from journeymap.render.text import visible

__all__ = [
    "END_NODE",
    "FONT",
    "HANDOFF",
    "REWORK",
    "START_NODE",
    "TERMINAL_EDGE",
    "LegendRow",
    "contrast_ratio",
    "edge_attributes",
    "frequency_colour",
    "frequency_edge",
    "graph_defaults",
    "html_text",
    "lane_attributes",
    "lane_html",
    "legend_html",
    "legend_table",
    "mix",
    "node_colours",
    "node_html",
    "performance_colour",
    "performance_edge",
    "quoted",
    "readable",
    "title_html",
    "titled_body",
]

#: A font list every SVG viewer resolves; Graphviz (fontconfig) picks the first it has.
FONT = "Helvetica,Arial,sans-serif"
TEXT = "#111111"
MUTED = "#555555"
# Boxes go from nearly white to a mid blue; dark text stays readable on both ends
# (contrast ratio above 7:1, WCAG AAA), so the text never has to switch colour.
BOX_LIGHT, BOX_DARK = "#f2f6fb", "#7aa6d6"
EDGE_LIGHT, EDGE_DARK = "#b9c0c8", "#34495e"
# Performance: quick paths fade to grey, slow ones go amber then red.
FAST, MIDDLE, SLOW = "#b0b6bd", "#e8950c", "#c0392b"
TERMINAL = "#8d969f"
# Accents for what goes wrong in a journey: purple where work changes hands, burnt orange
# where it is done again. Neither is on the frequency or performance scales.
HANDOFF, REWORK = "#8e44ad", "#b9470b"
START_NODE = (
    'shape=circle, style=filled, fillcolor="#3d4a56", color="#3d4a56", fontcolor=white, '
    'fontsize=10, width=0.55, fixedsize=true, label="start", tooltip="start of a case"'
)
END_NODE = (
    'shape=doublecircle, style=filled, fillcolor="#3d4a56", color="#3d4a56", '
    'fontcolor=white, fontsize=10, width=0.5, fixedsize=true, label="end", '
    'tooltip="end of a case"'
)
TERMINAL_EDGE = f'color="{TERMINAL}", penwidth=1.00, arrowsize=0.6, style=dashed'
#: A path too few cases take to judge its wait, in the performance view.
THIN_EVIDENCE = "#b8bec6"
_WRAP = 24  # characters per line of an activity name: boxes stay compact
#: The longest name shown in a box or lane title (four wrapped lines), and tooltip.
NAME_LIMIT = 96
TIP_LIMIT = 600


def html_text(text: Any, *, wrap: int | None = None, limit: int | None = None) -> str:
    r"""``text`` for an HTML-like label: entities escaped, newlines as line breaks.

    Graphviz expands ``\N``, ``\G`` and friends even in HTML-like labels, so each
    backslash is doubled. With ``wrap``, lines longer than ``wrap`` characters are
    broken between words (a word longer than ``wrap`` is cut, so a box stays
    narrow). Hidden characters show as U+FFFD; with ``limit``, the text is cut to that
    many characters with an ellipsis (see :func:`~journeymap.render.text.visible`).

    Examples
    --------
    >>> print(html_text('<script>"hi" & \\N {x|y}</script>'))
    &lt;script&gt;&quot;hi&quot; &amp; \\N {x|y}&lt;/script&gt;
    >>> html_text("Request information from the customer", wrap=24)
    'Request information from<br/>the customer'
    """
    lines = visible(text, limit=limit).split("\n")
    if wrap:
        lines = [part for line in lines for part in _wrapped(line, wrap)]
    escaped = (html.escape(line, quote=True).replace("\\", "\\\\") for line in lines)
    return "<br/>".join(escaped)


def _wrapped(line: str, width: int) -> list[str]:
    """``line`` broken between words into lines of about ``width`` characters; a word
    of more than twice that is cut into pieces."""
    words = [
        word[i : i + width] if len(word) > 2 * width else word
        for word in line.split(" ")
        for i in (range(0, len(word), width) if len(word) > 2 * width else [0])
    ]
    return textwrap.wrap(" ".join(words), width, break_long_words=False) or [""]


def quoted(text: Any) -> str:
    r"""``text`` as a DOT quoted string, for tooltips and edge labels.

    Quotes are escaped and newlines become ``\n``. Graphviz (2.43) expands
    backslash sequences in tooltips twice, so a literal backslash is written as four;
    it also reads entities there, so ``&`` is written ``&amp;``.

    Examples
    --------
    >>> print(quoted('say "hi" \\ back & &amp;'))
    "say \"hi\" \\\\ back &amp; &amp;amp;"
    """
    text = visible(text, limit=TIP_LIMIT).replace("&", "&amp;").replace("\\", "\\\\\\\\")
    text = text.replace('"', '\\"')
    return '"' + text.replace("\n", "\\n") + '"'


def mix(a: str, b: str, share: float) -> str:
    """The colour ``share`` of the way from ``a`` to ``b`` (``#rrggbb``).

    Examples
    --------
    >>> mix("#000000", "#ffffff", 0.5)
    '#808080'
    """
    share = min(1.0, max(0.0, share))
    channels = [
        round(int(a[i : i + 2], 16) * (1 - share) + int(b[i : i + 2], 16) * share)
        for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{c:02x}" for c in channels)


def _luminance(colour: str) -> float:
    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21).

    Examples
    --------
    >>> round(contrast_ratio("#000000", "#ffffff"), 1)
    21.0
    """
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(colour: str, background: str = "#ffffff") -> str:
    """``colour``, darkened until text in it reads on ``background`` (4.5:1, WCAG AA)."""
    for step in range(11):
        darker = mix(colour, "#000000", step / 10)
        if contrast_ratio(darker, background) >= 4.5:
            return darker
    return "#000000"  # pragma: no cover - black always passes


#: Fill of failure-demand activities (chasers, complaints, reopens), light to dark.
FAILURE_LIGHT, FAILURE_DARK = "#fbe4e1", "#e59a90"


def node_colours(share: float, *, border: str | None = None, failure: bool = False) -> str:
    """Fill and border attributes of an activity box, darker for larger ``share``.

    ``border`` draws a thick border of that colour instead of the fill's darker shade;
    ``failure`` fills the box in the failure-demand red instead of blue.
    """
    light, dark = (FAILURE_LIGHT, FAILURE_DARK) if failure else (BOX_LIGHT, BOX_DARK)
    fill = mix(light, dark, share)
    if border:
        return f'fillcolor="{fill}", color="{border}", penwidth=2.5'
    return f'fillcolor="{fill}", color="{mix(fill, "#000000", 0.35)}"'


def node_html(name: str, count: str, *, note: str = "") -> str:
    """The label of an activity box: the (wrapped) name over its count and ``note``."""
    small = html_text(count) + (f"<br/>{html_text(note)}" if note else "")
    shown = html_text(name, wrap=_WRAP, limit=NAME_LIMIT)
    return f'{shown}<br/><font point-size="11">{small}</font>'


def title_html(title: str) -> str:
    """The map's title, large, above the map."""
    return f'<font point-size="18">{html_text(title)}</font>'


def lane_html(name: str) -> str:
    """The label of a swimlane: its name in bold."""
    return f"<b>{html_text(name, wrap=2 * _WRAP, limit=NAME_LIMIT)}</b>"


def lane_attributes(index: int, *, known: bool) -> str:
    """Attributes of a swimlane: alternate pale backgrounds; the no-lane lane dashed."""
    fill = ("#edf1f6", "#f5f2ec")[index % 2]
    border = 'style="filled,rounded"' if known else 'style="filled,rounded,dashed"'
    return f'label=""; {border}; fillcolor="{fill}"; pencolor="#9aa5b1"; margin=12;'


#: The title of a swimlane: a borderless node at the lane's top.
LANE_TITLE = f'shape=plaintext, style="", fontsize=13, fontcolor="{MUTED}", margin="0.02,0.02"'


def frequency_colour(share: float) -> str:
    """Line colour of a path in the frequency view."""
    return mix(EDGE_LIGHT, EDGE_DARK, share)


def _edge_label(label: str) -> str:
    # dot puts the label right of the line; the spaces keep wide lines off the digits.
    return quoted("  " + label)


def edge_attributes(
    label: str, colour: str, share: float, *, text: str | None = None, thinnest: float = 1.0
) -> str:
    """Attributes of a labelled path in ``colour`` (a colour, or ``a:b`` for parallel
    lines), from ``thinnest`` to 6 points wide as ``share`` grows; the label in
    ``text``, else in a readable shade of the first colour."""
    text = readable(text or colour.split(":")[0])
    return (
        f'label={_edge_label(label)}, color="{colour}", fontcolor="{text}", '
        f"penwidth={thinnest + (6 - thinnest) * share:.2f}"
    )


def frequency_edge(label: str, share: float) -> str:
    """Attributes of a path in the frequency view: wider and darker for more."""
    return edge_attributes(label, frequency_colour(share), share, text=EDGE_DARK)


def performance_colour(share: float) -> str:
    """Line colour of a path in the performance view: grey, amber, red."""
    if share <= 0.5:
        return mix(FAST, MIDDLE, share * 2)
    return mix(MIDDLE, SLOW, share * 2 - 1)


def performance_edge(label: str, share: float) -> str:
    """Attributes of a path in the performance view: wider and redder for longer waits."""
    return edge_attributes(label, performance_colour(share), share)


def thin_evidence_edge(label: str) -> str:
    """Attributes of a path in the performance view that too few cases take to judge its
    wait: thin, grey and dotted, its wait in grey."""
    return (
        f'label={_edge_label(label)}, color="{THIN_EVIDENCE}", fontcolor="{MUTED}", '
        "penwidth=1.00, style=dotted"
    )


def graph_defaults(direction: str = "TB") -> list[str]:
    """Graph, node and edge defaults: flow in ``direction`` (TB or LR), readable fonts."""
    # newrank: dot 2.43's old ranking can fail on clusters with labelled edges between
    # them ("trouble in init_rank"); it failed on BPIC 2012 with resource lanes.
    return [
        f'  graph [rankdir={direction}, newrank=true, fontname="{FONT}", fontsize=12, '
        f'fontcolor="{TEXT}", bgcolor=white, pad=0.3, nodesep=0.3, ranksep=0.45, '
        "labelloc=b, labeljust=c, outputorder=edgesfirst];",
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=13, '
        f'fontcolor="{TEXT}", penwidth=1, margin="0.14,0.06"];',
        f'  edge [fontname="{FONT}", fontsize=11, arrowsize=0.7];',
    ]


def _swatches(colours: list[str]) -> str:
    cells = "".join(f'<td bgcolor="{c}" width="14" height="10"></td>' for c in colours)
    return f'<table border="0" cellspacing="0" cellpadding="0"><tr>{cells}</tr></table>'


#: A legend row: its (HTML) text, the lowest and highest value drawn, and the swatches.
LegendRow = tuple[str, tuple[str, str] | None, list[str]]


def legend_html(
    view: str,
    measure: str,
    lanes: str | None,
    caption: str,
    node_span: tuple[str, str] | None,
    edge_span: tuple[str, str] | None,
    extra: list[LegendRow] | None = None,
) -> str:
    """The label under the map: the caption, then a small legend for ``view``.

    The legend has one row per kind of mark (start and end, boxes, arrows, lanes, then
    the ``extra`` rows), each with the scale's lowest and highest value drawn, so it
    stays narrow.
    """
    steps = [i / 4 for i in range(5)]
    boxes = [mix(BOX_LIGHT, BOX_DARK, s) for s in steps]
    if view == "frequency":
        arrow = f"arrow: {measure} going straight on to the next activity; wider = more"
        colours = [frequency_colour(s) for s in steps]
    else:
        arrow = "arrow: median wait before the next activity; wider and redder = longer"
        colours = [performance_colour(s) for s in steps]
    rows: list[LegendRow] = [
        ("● start and ◎ end of the cases", None, []),
        (f"box: activity and its {measure}; darker = more", node_span, boxes),
        (arrow, edge_span, colours),
    ]
    if lanes:
        rows.append((f"lane: the {html_text(lanes)} that does the activity most often", None, []))
    return legend_table(rows + list(extra or []), caption)


def _legend_gap(texts: Iterable[str]) -> int:
    """Points between a legend's text and its scales: 12, and a tenth of its longest
    text's width more. Graphviz sizes the text with its own font's widths, and a browser
    that draws it in a wider font (DejaVu Sans for Helvetica) runs a long line on by
    about that much.

    Examples
    --------
    >>> _legend_gap(["short"]), _legend_gap(["x" * 95, "<b>a</b>"])
    (15, 65)
    """
    longest = max((len(html.unescape(re.sub(r"<[^>]*>", "", t))) for t in texts), default=0)
    return 12 + round(0.1 * longest * 5.6)


def legend_table(rows: list[LegendRow], caption: str = "") -> str:
    """An HTML-like graph label: ``caption`` (escaped here) over a legend of ``rows``.

    Each row's text is HTML already; a scale row shows its lowest value, the swatches
    and its highest value; a row without a span shows its swatches alone.
    """
    cells = []
    gap = _legend_gap(text for text, _, _ in rows)
    for text, span, swatches in rows:
        if span:
            scale = (
                f'<td align="right">{html_text(span[0])}</td><td>{_swatches(swatches)}</td>'
                f'<td align="left">{html_text(span[1])}</td>'
            )
        elif swatches:
            scale = f"<td></td><td>{_swatches(swatches)}</td><td></td>"
        else:
            scale = '<td colspan="3"></td>'
        # The empty cell keeps the scale's lowest value off the text.
        cells.append(f'<tr><td align="left">{text}</td><td width="{gap}"></td>{scale}</tr>')
    legend = (
        f'<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{"".join(cells)}</table>'
    )
    parts = []
    if caption:
        parts.append(f'<tr><td><font point-size="13">{html_text(caption)}</font></td></tr>')
    parts.append(f'<tr><td><font point-size="10" color="{MUTED}">{legend}</font></td></tr>')
    return f'<<table border="0" cellspacing="6" cellpadding="0">{"".join(parts)}</table>>'


def titled_body(body: list[str], title: str) -> list[str]:
    """The graph's statements, wrapped when there is a title in a borderless cluster
    that carries it on top, so that the graph's own label stays free for the caption
    and legend at the bottom."""
    if not title:
        return body
    return [
        "  subgraph cluster_title {",
        f"    label=<{title_html(title)}>; labelloc=t; peripheries=0;",
        *("  " + line for line in body),
        "  }",
    ]
