"""``index.html`` of a batch: the logs side by side, each linking its own report.

One self-contained page (inline style and script, no network), a sortable table with one
row per log: status, events, cases, rejected rows, failure demand, one-stop and clean
shares, median and 90th percentile end-to-end time, the capability limits, hand-offs per
case and the top reintegration candidate; a failed log shows its reason. Every text that
comes from a log or a file name is escaped; links are relative and percent-encoded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from journeymap.render.capability_words import SOFT_LIMITS, duration_limits
from journeymap.render.change_words import batch_summary
from journeymap.render.numbers import MISSING, counted, ratio_text, thousands, wait_text
from journeymap.render.report_assets import SCRIPT, STYLE
from journeymap.render.report_html import esc, pct

__all__ = ["INDEX_COLUMNS", "render_index"]

#: (key, header, kind) of the page's columns, in order.
INDEX_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "Log", "link"),
    ("status", "Status", "status"),
    ("events", "Events", "count"),
    ("cases", "Cases", "count"),
    ("rejected_rows", "Rejected rows", "count"),
    ("failure_demand_pct", "Failure demand", "pct"),
    ("one_stop_pct", "One-stop", "pct"),
    ("clean_pct", "Clean", "pct"),
    ("e2e_median_s", "End-to-end, median", "duration"),
    ("e2e_p90_s", "End-to-end, 90th percentile", "duration"),
    ("capability_unpl_s", "Capability (natural process limits)", "limits"),
    ("handoffs_per_case", "Hand-offs per case", "ratio"),
)
_NUM = ' class="num"'
_EXTRA_STYLE = """
td.failed { color: var(--warn); font-weight: 700; }
tbody td:first-child { min-width: 14rem; max-width: 20rem; }
td small, p.error { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
details.plan { margin: .3rem 0 0; font-size: .8rem; }
details.plan summary { cursor: pointer; }
details.plan p { margin: .3rem 0 0; }
p.error { color: var(--warn); margin: 0; font-size: .85rem; }
p.doubt, details.doubt { color: var(--warn); margin: .3rem 0 0; font-size: .8rem; }
details.doubt summary { cursor: pointer; }
details.doubt p { margin: .3rem 0 0; }
body { max-width: none; }
"""


def _number(value: Any) -> float | None:
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return found if math.isfinite(found) else None


def _num_cell(value: Any, text: str, note: str = "") -> str:
    number = _number(value)
    # Three decimals, as the CSV tables: a float summed in parallel can differ in its
    # last digits between runs, and the page must not.
    sort = "NaN" if number is None else repr(round(number, 3))
    return f'<td class="num" data-sort="{sort}">{esc(text)}{note}</td>'


#: Characters of a log's doubts shown in its row; the rest opens on a click.
DOUBT_CHARS = 140


def _doubts(doubts: str) -> str:
    """The doubts of a log, where its row names it: whole when short, else their start
    with the whole text a click away, so that one log's doubts do not make its row a
    page long."""
    if len(doubts) <= DOUBT_CHARS:
        return f'<p class="doubt">Check before you show it: {esc(doubts)}</p>'
    cut = doubts.rfind(" ", 0, DOUBT_CHARS)
    head = doubts[: cut if cut > 0 else DOUBT_CHARS]
    return (
        f'<details class="doubt"><summary>Check before you show it: {esc(head)} …</summary>'
        f"<p>{esc(doubts)}</p></details>"
    )


#: A hand-off level in the page's words.
_BETWEEN = {"team": "between teams", "resource": "between people"}


def _worded(row: dict[str, Any], header: str) -> str:
    """What the log's report says of the figure under ``header`` beside its value (what
    it is of, what puts it in doubt: "of the 1,348 cases with a known team"), as a note
    under the value; nothing when the report says nothing more."""
    for figure in row.get("key_figures") or ():
        label = str(figure.get("label", ""))
        if label.startswith(f"{header} (") and label.endswith(")"):
            return f'<br><small class="note">{esc(label[len(header) + 2 : -1])}</small>'
    return ""


def _cell(row: dict[str, Any], key: str, kind: str, header: str = "") -> str:
    value = row.get(key)
    if kind == "link":
        source = f'<br><small class="note">{esc(row.get("source") or "")}</small>'
        error = row.get("error") or ""
        error_text = f'<p class="error">{esc(error)}</p>' if error else ""
        doubts = row.get("doubts") or ""
        if doubts:  # shown where the log is named, before any of its figures is read
            error_text += _doubts(doubts)
        # A sentence, not a figure: a click away under the log's name, so that the
        # figures' columns fit the page side by side.
        plan = row.get("top_reintegration") or ""
        if plan:
            error_text += (
                '<details class="plan"><summary>Top reintegration candidate</summary>'
                f"<p>{esc(plan)}</p></details>"
            )
        if row.get("report"):
            href = esc(quote(str(row["report"])))
            return f'<td><a href="{href}">{esc(value)}</a>{source}{error_text}</td>'
        return f"<td>{esc(value)}{source}{error_text}</td>"
    if kind == "status":
        css = ' class="failed"' if value == "failed" else ""
        return f"<td{css}>{esc(value)}</td>"
    if kind == "count":
        return _num_cell(value, thousands(value))
    note = _worded(row, header)
    if kind == "pct":
        return _num_cell(value, pct(value), note)
    if kind == "duration":  # in days as the reports' tiles give them
        return _num_cell(value, wait_text(value), note)
    if kind == "ratio":  # hand-offs per case: between whom, then as the report words it
        level = _BETWEEN.get(str(row.get("handoff_level")), "")
        if level and _number(value) is not None:
            note = f'<br><small class="note">{esc(level)}</small>' + note
        return _num_cell(value, ratio_text(_number(value)), note)
    if kind == "limits":
        low, high = _number(row.get("capability_lnpl_s")), _number(value)
        if high is None:
            return _num_cell(None, MISSING)
        predictable = row.get("capability_predictable")
        verdict = "" if predictable is None else "predictable" if predictable else "not predictable"
        # In days, as the report's capability statement gives them.
        shown = duration_limits(low or 0.0, high)
        text = f"{shown[0]} to {shown[1]} days"
        text = f"{text}, {verdict}" if verdict else text
        points = row.get("capability_points")
        if isinstance(points, int) and points < SOFT_LIMITS:  # as the report says it
            each = "day" if row.get("capability_basis") == "daily mean" else "case"
            text += f" (on {counted(points, each)} only: provisional)"
        return _num_cell(high, text)
    raise ValueError(f"unknown index column kind {kind!r}")


def render_index(
    rows: list[dict[str, Any]], *, title: str = "", skipped: Sequence[dict[str, str]] = ()
) -> str:
    """The batch's index page for ``rows`` (the rows of
    :func:`journeymap.pipeline.batch_index.write_index`), in the order given, and the
    files of the folders searched that were not mined (``skipped``: ``file``, ``why``).

    Examples
    --------
    >>> page = render_index([{"name": "may", "source": "<b>may.csv", "status": "failed",
    ...                       "error": "bad <file>", "report": ""}])
    >>> "&lt;b&gt;may.csv" in page and "bad &lt;file&gt;" in page and "<b>may" not in page
    True
    >>> "<li>a/Case.csv: read with CaseHistory.csv</li>" in render_index(
    ...     [], skipped=[{"file": "a/Case.csv", "why": "read with CaseHistory.csv"}])
    True
    """
    heading = title or "Journey maps of a batch of logs"
    summary = batch_summary([str(r.get("status")) for r in rows])
    heads = "".join(
        f'<th scope="col"{"" if kind in ("link", "status") else _NUM}>'
        f'<button type="button">{esc(header)}</button></th>'
        for _, header, kind in INDEX_COLUMNS
    )
    body = "".join(
        "<tr>"
        + "".join(_cell(row, key, kind, header) for key, header, kind in INDEX_COLUMNS)
        + "</tr>"
        for row in rows
    )
    table = (
        '<table class="sortable"><caption>Click a heading to sort; click a log\'s name to '
        "open its report.</caption>"
        f"<thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>"
    )
    note = (
        "Failure demand found in a log is a hypothesis to check by listening to real "
        "demand, never a verdict. Capability: the natural process limits of end-to-end "
        "time; a log that is not predictable has signals on its chart."
    )
    passed = "".join(f"<li>{esc(s['file'])}: {esc(s['why'])}</li>" for s in skipped)
    if passed:
        count = f"{len(skipped)} file{'s' if len(skipped) != 1 else ''}"
        passed = f'<p class="note">Not mined: {count} in the folders searched.</p><ul>{passed}</ul>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(heading)}</title><style>{STYLE}{_EXTRA_STYLE}</style></head>\n"
        f"<body><header><h1>{esc(heading)}</h1>"
        f'<p class="statement">{esc(summary)}.</p></header>'
        f'<main><div class="scroll">{table}</div>{passed}<p class="note">{esc(note)}</p></main>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )
