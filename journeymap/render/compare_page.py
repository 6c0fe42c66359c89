"""``compare.html``: a before/after comparison as one self-contained page.

The headline measures before, after and the change; the before/after journey map with a
view per change (cases, median wait), zoomable like the report's map; the end-to-end
capability chart across both periods; every path's change; and the notes that say
whether the two sides map and name things alike. Inline style, script and SVG; every
log-derived text escaped; the same comparison and pictures give the same bytes.
"""

from __future__ import annotations

import re
from typing import Any

from journeymap.render.change_words import change_text, named_sides
from journeymap.render.numbers import ratio_text, thousands, wait_text
from journeymap.render.report_assets import (
    HYPOTHESIS_NOTE,
    MORE_OF_THE_MAP,
    SCRIPT,
    STYLE,
    ZOOM_HELP,
)
from journeymap.render.report_html import Column, esc, figure, pct, sortable_table
from journeymap.render.report_svg import inline_svg
from journeymap.version import __version__

__all__ = ["render_comparison"]

TOP_PATHS = 100
_VIEW_NAMES = {"cases": "Change in cases", "wait": "Change in median wait"}


def _in_time(before: str, after: str) -> str:
    """The page's heading's first words: two periods, or two named logs."""
    return "Compared" if named_sides((before, after)) else "Before and after"


def _both(before: str, after: str) -> str:
    """What the measures table holds, in the sides' words."""
    if named_sides((before, after)):
        return f"on both sides, and the change ({after} less {before})"
    return "in both periods, and the change (after minus before)"


def _value(value: Any, kind: str) -> str:
    if kind == "count":
        return thousands(value)
    if kind == "pct":
        return pct(value)
    if kind == "duration":
        return wait_text(value)
    return ratio_text(value)


def _change(m: dict[str, Any]) -> str:
    """A measure's change in words; "not compared" where the comparison left it out
    (hand-offs counted at different levels on the two sides)."""
    if m["change"] is None or m["change"] != m["change"]:  # None, or NaN from pandas
        both = m["before"] is not None and m["after"] is not None
        if both and m["before"] == m["before"] and m["after"] == m["after"]:
            return "not compared"
    return change_text(m["before"], m["after"], m["kind"])


#: An ISO date in a label: a column heading breaks before it, never inside it.
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _heading(label: str) -> str:
    """A period's label for a column heading, escaped, its dates kept on one line
    ("cases starting before 2011-06-01" broke as "2011-" and "06-01").

    Examples
    --------
    >>> _heading("cases from 2011-06-01 <x>")
    'cases from <span class="nowrap">2011-06-01</span> &lt;x&gt;'
    """
    return _DATE.sub(lambda m: f'<span class="nowrap">{m.group()}</span>', esc(label))


def _measures(comparison: Any) -> str:
    before, after = comparison.labels
    rows = "".join(
        f'<tr><th scope="row">{esc(m["measure"])}</th>'
        f'<td class="num">{esc(_value(m["before"], m["kind"]))}</td>'
        f'<td class="num">{esc(_value(m["after"], m["kind"]))}</td>'
        f'<td class="num">{esc(_change(m))}</td></tr>'
        for m in comparison.measures.to_dict("records")
    )
    return (
        '<section id="measures"><h2>Headline measures</h2><table><caption>Each measure '
        f"{_both(before, after)}</caption><thead><tr>"
        f'<th scope="col">Measure</th><th scope="col" class="num">{_heading(before)}</th>'
        f'<th scope="col" class="num">{_heading(after)}</th>'
        f'<th scope="col" class="num">Change</th></tr></thead><tbody>{rows}</tbody></table>'
        f'<p class="hypothesis">{esc(HYPOTHESIS_NOTE)}</p></section>'
    )


def _journey(map_svgs: dict[str, str], caption: str) -> str:
    views = [v for v in ("cases", "wait") if v in map_svgs]
    if not views:
        return '<section id="journey"><p class="note">No map was drawn.</p></section>'
    buttons = "".join(
        f'<button type="button" data-view="{esc(v)}" '
        f'aria-pressed="{"true" if i == 0 else "false"}">{esc(_VIEW_NAMES[v])}</button>'
        for i, v in enumerate(views)
    )
    panes = "".join(
        f'<div class="view{" active" if i == 0 else ""}" data-view="{esc(v)}"><div class="pan">'
        + inline_svg(map_svgs[v], prefix=f"map{i}", label=f"Journey map, {_VIEW_NAMES[v]}.")
        + "</div></div>"
        for i, v in enumerate(views)
    )
    return (
        '<section id="journey"><h2>The journey map, before and after</h2><div data-views="">'
        f'<div class="views" role="group" aria-label="Map views">{buttons}'
        f"{ZOOM_HELP}</div>"
        '<figure><div class="viewport" tabindex="0" aria-label="Journey map before and '
        f'after; zoom with + and -, move with the arrow keys">{panes}{MORE_OF_THE_MAP}</div>'
        f"<figcaption>{esc(caption)}</figcaption></figure></div></section>"
    )


_PATH_COLUMNS = [
    Column("source", "From"),
    Column("target", "To"),
    Column("cases_before", "Cases before", "count"),
    Column("cases_after", "Cases after", "count"),
    Column("cases_change", "Change in cases", "count"),
    Column("pct_before", "Share of cases before", "pct"),
    Column("pct_after", "Share of cases after", "pct"),
    Column("median_wait_before_s", "Median wait before", "duration"),
    Column("median_wait_after_s", "Median wait after", "duration"),
    Column("median_wait_change_s", "Change in median wait", "duration"),
    Column("status", "Path"),
]


def _paths(comparison: Any) -> str:
    names = {"__start__": "(start)", "__end__": "(end)"}
    table = comparison.paths.replace({"source": names, "target": names})
    table = table.assign(
        status=table["status"].map({"both": "in both", "new": "new", "vanished": "vanished"})
    )
    return (
        '<section id="paths"><h2>Every path</h2>'
        + sortable_table(
            table,
            _PATH_COLUMNS,
            caption="Paths between activities, busiest first; new paths are only after, "
            "vanished ones only before",
            limit=TOP_PATHS,
        )
        + "</section>"
    )


def render_comparison(
    comparison: Any,
    *,
    map_svgs: dict[str, str],
    chart_svg: str | None,
    title: str = "",
    sources: tuple[str, str] = ("", ""),
    caption: str = "",
) -> str:
    """The comparison (:class:`~journeymap.findings.Comparison`) as one HTML document.

    ``map_svgs`` holds the before/after map per view ("cases", "wait"); ``chart_svg``
    the two-period capability chart; ``sources`` the two sides' sources, shown with
    their labels; ``caption`` goes under the map.

    Raises
    ------
    ValueError
        When a picture is not well-formed SVG.
    """
    before, after = comparison.labels
    # Two logs keep the default labels: the heading names the logs, not "before and after".
    named = sources if (before, after) == ("before", "after") and all(sources) else (before, after)
    heading = title or f"{_in_time(before, after)}: {named[0]} and {named[1]}"
    notes = "".join(f"<li>{esc(n)}</li>" for n in comparison.notes)
    sides = "".join(
        f"<li><strong>{esc(label.capitalize())}</strong>: {esc(source)}</li>"
        for label, source in zip(comparison.labels, sources, strict=True)
    )
    chart = figure(
        chart_svg,
        prefix="cap",
        label="XmR chart of end-to-end time, one segment per period with its own limits.",
        caption="End-to-end time of each case in order of completion; each period's "
        "centre line and natural process limits come from its own points.",
    )
    body = [
        f"<header><h1>{esc(heading)}</h1><ul>{sides}</ul>",
        f'<h2 id="notes">Read this first</h2><ul class="notes">{notes}</ul></header><main>',
        _measures(comparison),
        _journey(map_svgs, caption),
        '<section id="capability"><h2>Capability: end-to-end time in each period</h2>',
        chart,
        "</section>",
        _paths(comparison),
        f'<section id="made"><h2>How this comparison was made</h2><p>journeymap '
        f"{esc(__version__)} (AGPL-3.0-or-later). Each side was mined on its own with the "
        "same options; changes are after minus before.</p></section></main>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(heading)}</title><style>{STYLE}.nowrap {{ white-space: nowrap; }}"
        "</style></head>\n"
        f"<body>{''.join(body)}<script>{SCRIPT}</script></body></html>\n"
    )
