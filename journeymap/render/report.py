"""The findings of :func:`journeymap.mine` as one self-contained HTML report.

One file, no network: style, script and pictures are inline. Every text that comes from
the log is escaped; the inlined SVG is cleaned of anything active (see
:mod:`journeymap.render.report_svg`). The same findings and pictures give the same bytes:
the report holds no time of the run and lists everything in a fixed order.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from journeymap.discovery.variants import variants_covering
from journeymap.jsonout import iso_day
from journeymap.read_counts import ReadCounts
from journeymap.render.captions import map_caption
from journeymap.render.doubts import (
    extract_doubts,
    rejected_rows_doubt,
)
from journeymap.render.journeys import journeys_section
from journeymap.render.key_figures import key_numbers
from journeymap.render.numbers import (
    counted,
    thousands,
)
from journeymap.render.profile_text import history_doubt, quality_warnings
from journeymap.render.report_assets import (
    GLOSSARY,
    MORE_OF_THE_MAP,
    SCRIPT,
    STYLE,
    TEMPLATE_TERMS,
    ZOOM_HELP,
)
from journeymap.render.report_check import (
    TOP_ROWS,
    capability_section,
    demand_section,
    period_statement,
    rework_section,
)
from journeymap.render.report_handoffs import (
    handoffs_section,
    plan_section,
    reintegration_section,
)
from journeymap.render.report_html import (
    Column,
    coverage_curve,
    doubt_warning,
    esc,
    sortable_table,
)
from journeymap.render.summary import map_options, rule_options
from journeymap.render.template_report import template_section

__all__ = ["VIEW_ORDER", "key_numbers", "render_report"]

#: Journey map views in the order their buttons appear; other views follow by name.
VIEW_ORDER = ("frequency", "performance", "failure demand")


def _version() -> str:
    from journeymap.version import __version__

    return __version__


def _ordered_views(journey_svgs: dict[str, str]) -> list[str]:
    known = [v for v in VIEW_ORDER if v in journey_svgs]
    return known + sorted(v for v in journey_svgs if v not in VIEW_ORDER)


def _headline(findings: Any, title: str, purpose: str = "") -> str:
    numbers = "".join(
        f"<div><dt>{esc(label)}</dt><dd>{esc(text)}</dd></div>"
        for label, text in key_numbers(findings)
    )
    statement = period_statement(findings)
    period = f"{esc(iso_day(findings.start))} to {esc(iso_day(findings.end))}"
    # Before any figure they make hollow, partial or lean one way: a log of records, not
    # their history; many rows in no figure; an extract of the cases closed in a window;
    # what the reader found wrong with the export.
    history, rejected = history_doubt(findings.profile), rejected_rows_doubt(findings)
    parts = [
        f"<header><h1>{esc(title)}</h1>",
        f'<p class="purpose">{esc(purpose)}</p>' if purpose else "",
        f'<p class="note">{thousands(findings.log.events)} events, {period}.</p>',
        f'<p class="warning">{esc(history)}</p>' if history else "",
        doubt_warning(rejected) if rejected else "",
        *(doubt_warning(d) for d in extract_doubts(findings)),
        f'<p class="statement">{esc(statement)}</p>' if statement else "",
        f'<dl class="numbers">{numbers}</dl></header>',
    ]
    return "".join(parts)


def _journey(findings: Any, journey_svgs: dict[str, str], chosen: str | None = None) -> str:
    """The journey map's views, each behind a button; the one ``chosen`` (``--view``:
    "handoffs" is the view "hand-offs") shows first, else the first."""
    views = _ordered_views(journey_svgs)
    out = ['<section id="journey"><h2>The journey map</h2>']
    if not views:
        return out[0] + '<p class="note">No journey map was drawn.</p></section>'
    chosen = "hand-offs" if chosen == "handoffs" else chosen
    first = views.index(chosen) if chosen in views else 0
    caption = map_caption(findings.scope)
    buttons = "".join(
        f'<button type="button" data-view="{esc(v)}" '
        f'aria-pressed="{"true" if i == first else "false"}">{esc(v.capitalize())}</button>'
        for i, v in enumerate(views)
    )
    panes = "".join(
        f'<div class="view{" active" if i == first else ""}" data-view="{esc(v)}">'
        f'<div class="pan">'
        + _map_svg(journey_svgs[v], i, f"Journey map, {v} view: {_shown(findings, v, caption)}.")
        + "</div></div>"
        for i, v in enumerate(views)
    )
    out += [
        '<div data-views="">',
        f'<div class="views" role="group" aria-label="Journey map views">{buttons}'
        f"{ZOOM_HELP}</div>",
        f'<figure><div class="viewport" tabindex="0" aria-label="Journey map; '
        f'zoom with + and -, move with the arrow keys">{panes}{MORE_OF_THE_MAP}</div>',
        f"<figcaption>{esc(caption)}. Boxes are activities, arrows are transitions"
        f"{_LANES.get(findings.lanes, '')}.</figcaption></figure></div></section>",
    ]
    return "".join(out)


#: What the journey map's lanes are, by the role they show (none: no lanes drawn).
_LANES = {
    "team": "; lanes are the teams that did the work",
    "resource": "; lanes are the people who did the work",
    "channel": "; lanes are the channels the work came through",
}


def _shown(findings: Any, view: str, caption: str) -> str:
    """What the picture of a view shows: the failure-demand map and the hand-off network
    are not the journey map's scope."""
    if view == "failure demand" and findings.failure_map is not None:
        return map_caption(findings.failure_map.scope)
    if view == "hand-offs":
        return f"hand-offs between {findings.level or 'handler'}s"
    return caption


def _map_svg(svg: str, index: int, label: str) -> str:
    from journeymap.render.report_svg import inline_svg

    return inline_svg(svg, prefix=f"map{index}", label=label)


def _variants(findings: Any) -> str:
    table = findings.variants
    n = variants_covering(table, 80.0)
    columns = [
        Column("rank", "Rank", "count"),
        Column("variant", "Activities in order"),
        Column("cases", "Cases", "count"),
        Column("pct", "Share", "pct"),
        Column("cum_pct", "Cumulative", "pct"),
        Column("median_e2e_s", "Median end-to-end", "duration"),
    ]
    if len(table) == 1:  # no curve: one point covers everything
        statement, curve = "Every case followed the same variant.", ""
    else:
        statement = (
            f"{counted(n, 'variant')} cover{'s' if n == 1 else ''} 80% of demand "
            f"({counted(len(table), 'variant')} in all)."
        )
        curve = coverage_curve(table["cum_pct"].tolist(), n)
    return (
        '<section id="variants"><h2>Variants</h2>'
        f'<p class="statement">{statement}</p>'
        + _tied_variants(findings)
        + curve
        + sortable_table(table, columns, caption="The most common variants", limit=TOP_ROWS)
        + "</section>"
    )


#: From this share of cases with events at equal times, the variants say that the order
#: of those events, and so the variants, follows the source rows.
TIED_VARIANTS = 0.25


def _tied_variants(findings: Any) -> str:
    """The warning when many cases have events at equal times (sepsis's lab results
    taken in the same minute): their order, and so their variant, is the file's, and
    the count of variants rises with it."""
    profile = findings.profile
    if profile is None or not profile.cases:
        return ""
    tied = profile.cases_with_equal_timestamps
    if tied < TIED_VARIANTS * profile.cases:
        return ""
    return (
        f'<p class="warning">{counted(tied, "case")} ({100 * tied / profile.cases:.0f}%) '
        f"{'has' if tied == 1 else 'have'} events at equal times: their order, and so "
        "their variant, follows the rows of the source, so events recorded together can "
        "make variants that differ only in that order.</p>"
    )


def _read_sentence(counts: ReadCounts, events: int, merged: str) -> str:
    """What was read and rejected, and the events made, with ``merged`` (what became
    of the rest) after.

    Examples
    --------
    >>> _read_sentence(ReadCounts(27, 2), 25, "")
    '27 rows read, 2 rejected'
    >>> _read_sentence(ReadCounts(3, 1, 4), 2, "")
    '4 records read, 1 rejected, 2 events made of the rest'
    >>> _read_sentence(ReadCounts(160, 5, 67, 1), 150, ", 5 repeated states collapsed")
    ... # doctest: +NORMALIZE_WHITESPACE
    '67 records read, 1 rejected, 159 events made of the rest, 4 of them rejected,
     5 repeated states collapsed'
    """
    if counts.records_read is None:
        rows = counted(counts.rows_read, counts.row_noun)
        return f"{rows} read, {thousands(counts.rejected_rows)} rejected{merged}"
    read = counted(counts.records_read, "record")
    if not counts.gave_more:  # one event a record at most: a rejected event is its record's
        rejected, made, them = counts.rejected_rows, events, 0
    else:
        rejected, made, them = counts.records_rejected, counts.events_made, counts.events_rejected
    them_said = f", {thousands(them)} of them rejected" if them else ""
    made_said = f"{counted(made, 'event')} made of the rest{them_said}{merged}"
    return f"{read} read, {thousands(rejected)} rejected, {made_said}"


def _data_quality(findings: Any) -> str:
    log = findings.log
    out = ['<section id="data"><h2>Data quality</h2>']
    collapsed = log.accepted - log.events - log.merged_starts
    merged = (
        f", {thousands(log.merged_starts)} start events merged into their completions"
        if log.merged_starts
        else ""
    )
    merged += f", {thousands(collapsed)} repeated states collapsed" if collapsed else ""
    out.append(f"<p>{_read_sentence(log.read_counts, log.events, merged)}; "
               f"times in {esc(log.timezone)}.</p>")  # fmt: skip
    # Each warning once: what the header says before the figures is not said again here,
    # and the notes leave out what this list and the sections' doubts say.
    header = {*extract_doubts(findings), history_doubt(findings.profile)}
    listed = [] if findings.profile is None else quality_warnings(findings.profile)
    warnings = [w for w in listed if w not in header]
    if warnings:
        items = "".join(f"<li>{esc(w)}</li>" for w in warnings)
        out.append(f'<ul class="warnings">{items}</ul>')
    reasons = log.rejected_by_reason()
    if reasons:
        frame = pd.DataFrame({"reason": list(reasons), "rows": list(reasons.values())})
        columns = [Column("reason", "Reason"), Column("rows", "Rows", "count")]
        out.append(sortable_table(frame, columns, caption="Rows rejected, by reason"))
    mapping = sorted(log.mapping.columns().items())
    rows = "".join(f"<tr><td>{esc(r)}</td><td>{esc(c)}</td></tr>" for r, c in mapping)
    # A system's export is read into columns of the reader's making, named by role.
    caption, heading = "Columns used", "Source column"
    if log.preset is not None:
        caption = f"Columns used: made by the {log.preset} reader from the export (see the notes)"
        heading = "Column"
    out.append(
        f'<table><caption>{esc(caption)}</caption><thead><tr><th scope="col">Role</th>'
        f'<th scope="col">{heading}</th></tr></thead><tbody>{rows}</tbody></table>'
    )
    said = {*header, *listed, *([] if findings.check is None else findings.check.doubts)}
    notes = list(log.notes)
    notes += [] if findings.check is None else list(findings.check.notes)
    notes = [n for n in notes if n not in said]
    notes.append(f"Journey map: {map_caption(findings.scope)}.")
    items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    out.append(f"<h3>Notes and assumptions</h3><ul>{items}</ul>")
    return "".join(out) + "</section>"


def _glossary(findings: Any) -> str:
    """The terms the report uses: those of journey templates only when it has some."""
    templates = findings.templates is not None
    items = "".join(
        f"<dt>{esc(t)}</dt><dd>{esc(d)}</dd>"
        for t, d in GLOSSARY
        if templates or t not in TEMPLATE_TERMS
    )
    return f'<section id="glossary"><h2>Glossary</h2><dl class="glossary">{items}</dl></section>'


def _made(findings: Any, options: dict[str, Any]) -> str:
    sha = options.get("source_sha256")
    shown = {k: v for k, v in options.items() if k != "source_sha256"}
    mining = map_options(findings)
    settings = json.dumps(
        {"mining": mining, "rules": rule_options(findings), "report": shown},
        sort_keys=True,
        indent=2,
        default=str,
    )
    source = f"<p>Source: <code>{esc(findings.log.source)}</code>"
    source += f", SHA-256 <code>{esc(sha)}</code>.</p>" if sha else ".</p>"
    return (
        '<section id="made"><h2>How this report was made</h2>'
        f"<p>journeymap {esc(_version())} (AGPL-3.0-or-later).</p>{source}"
        f"<pre>{esc(settings)}</pre></section>"
    )


_TOC = (("journey", "Journey map"), ("handoffs", "Hand-offs"),
        ("reintegration", "Reintegration"), ("plan", "Reintegration plan"),
        ("rework", "Rework"), ("demand", "Demand"), ("capability", "Capability"),
        ("templates", "Templates"), ("variants", "Variants"), ("data", "Data quality"),
        ("glossary", "Glossary"), ("made", "How it was made"))  # fmt: skip


def render_report(
    findings: Any,
    *,
    journey_svgs: dict[str, str],
    network_svg: str | None,
    chart_svgs: dict[str, str],
    options: dict[str, Any],
    template_svgs: dict[str, str] | None = None,
) -> str:
    """The findings as one self-contained HTML document (inline style, script and SVG).

    Parameters
    ----------
    findings : journeymap.findings.Findings
    journey_svgs : dict of str to str
        SVG text of the journey map per view (``"frequency"``, ``"performance"``,
        ``"failure demand"``, ...); the first view is shown, buttons switch.
    network_svg : str or None
        SVG text of the hand-off network.
    chart_svgs : dict of str to str
        SVG text of the XmR charts by their name in ``findings.check.charts``.
    options : dict
        Settings to record under "How this report was made"; ``purpose`` (what the
        service is for, in the client's words) is shown under the heading; ``title`` replaces the
        log's name as the heading, ``source_sha256`` is shown as the source's checksum.
    template_svgs : dict of str to str, optional
        SVG text of each journey template's map, by the template's name.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When a picture is not well-formed SVG.
    """
    title = str(options.get("title") or findings.log.source)
    sections: tuple[tuple[str, str], ...] = tuple(
        (k, t) for k, t in _TOC if k != "templates" or findings.templates is not None
    )
    if findings.journeys is not None:  # after Demand
        at = [k for k, _ in sections].index("demand") + 1
        sections = (*sections[:at], ("journeys", "Customer journeys"), *sections[at:])
    toc = "".join(f'<li><a href="#{k}">{esc(t)}</a></li>' for k, t in sections)
    body = [
        _headline(findings, title, str(options.get("purpose") or "")),
        f'<nav class="toc" aria-label="Contents"><ul>{toc}</ul></nav><main>',
        _journey(findings, journey_svgs, options.get("view")),
        handoffs_section(findings, network_svg, zoomable="hand-offs" in journey_svgs),
        reintegration_section(findings),
        plan_section(findings),
        rework_section(findings),
        demand_section(findings, chart_svgs),
        "" if findings.journeys is None else journeys_section(findings.journeys),
        capability_section(findings, chart_svgs),
        template_section(findings, template_svgs or {}),
        _variants(findings),
        _data_quality(findings),
        _glossary(findings),
        _made(findings, options),
        "</main>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}: journey report</title><style>{STYLE}</style></head>\n"
        f"<body>{''.join(body)}<script>{SCRIPT}</script></body></html>\n"
    )
