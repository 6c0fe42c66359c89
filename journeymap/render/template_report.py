"""The journey templates in the report and in ``summary.json``.

Per template: the sentence of what it says of its cases
(:func:`~journeymap.render.template_words.template_sentence`), how conformance was checked, its
map, its most frequent deviations and its segments by channel. Every log-derived string
is escaped once (:func:`~journeymap.render.report_html.esc`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.analysis.demand import ACCOUNTS_DOUBT, NONE_FOUND
from journeymap.render.report_html import Column, esc, figure, sentence, sortable_table
from journeymap.render.template_words import method_text, template_sentence

__all__ = ["template_section", "templates_summary", "top_deviation"]

TOP_DEVIATIONS = 10
#: Said after a template's sentence when the value demand its "could have" counts rests
#: on a repeat-contact rule in doubt.
_REPEAT_DOUBT = (
    "Which cases are value demand rests on the repeat-contact rule, which is in doubt here "
    "(see Demand)."
)
#: Said instead when the demand rules found no failure demand at all: every case counts
#: as value demand, which says nothing of what the customers asked for.
_NONE_FOUND_DOUBT = (
    "No failure demand was found by the rules, so every case counts as value demand here "
    "(see Demand): check which deviations were failure demand before reading this as "
    "waste."
)


def top_deviation(deviations: pd.DataFrame, name: str) -> dict[str, Any] | None:
    """The deviation of template ``name`` that most cases of value demand had (ties:
    more cases in all, then kind and activity), or None when none had any."""
    rows = deviations[(deviations["template"] == name) & (deviations["straightforward_cases"] > 0)]
    if rows.empty:
        return None
    rows = rows.sort_values(
        ["straightforward_cases", "cases", "kind", "activity"],
        ascending=[False, False, True, True], kind="stable",
    )  # fmt: skip
    return dict(rows.iloc[0])


def _method(found: Any, name: str) -> str:
    spec = found.templates
    s = found.summary[name]
    return method_text(s["method"], s["cases"], spec.alignment_max_cases, spec.method == "auto")


def templates_summary(found: Any) -> dict[str, dict[str, Any]]:
    """The ``templates`` block of ``summary.json``: per template its type of demand,
    cases, conforming and straightforward shares, extra end-to-end time, the method and
    what it says in words."""
    out = {}
    for name, s in found.summary.items():
        out[name] = {
            "demand": s["demand"],
            "kind": s["kind"],
            "cases": s["cases"],
            "conforming": s["conforming"],
            "conforming_pct": s["conforming_pct"],
            "straightforward": s["straightforward"],
            "straightforward_pct": s["straightforward_pct"],
            "median_extra_e2e_s": s["median_extra_e2e_s"],
            "method": s["method"],
            "statement": template_sentence(name, s, top_deviation(found.deviations, name)),
            "method_statement": _method(found, name),
        }
    return out


_OVERVIEW_COLUMNS = [
    Column("template", "Template"),
    Column("demand", "Type of demand"),
    Column("cases", "Cases", "count"),
    Column("conforming_pct", "As designed", "pct"),
    Column("straightforward_pct", "Could have been", "pct"),
    Column("median_extra_e2e_s", "End to end, deviating against as designed (median)", "duration"),
    Column("method", "Checked by"),
]
# The sentence above the table gives the value-demand cases' extra time: the table
# gives both, so that the two figures of one deviation are seen side by side.
_DEVIATION_COLUMNS = [
    Column("kind", "Deviation"),
    Column("activity", "Activity"),
    Column("cases", "Cases", "count"),
    Column("extra_e2e_s", "End to end against as designed (median)", "duration"),
    Column("straightforward_cases", "Of them value demand", "count"),
    Column("straightforward_extra_e2e_s", "Theirs against as designed (median)", "duration"),
]
_SEGMENT_COLUMNS = [
    Column("channel", "Channel"),
    Column("cases", "Cases", "count"),
    Column("variants_for_80pct", "Variants for 80%", "count"),
    Column("conforming_pct", "As designed", "pct"),
    Column("straightforward_pct", "Could have been", "pct"),
    Column("failure_pct", "Failure demand", "pct"),
    Column("median_e2e_s", "End-to-end (median)", "duration"),
]


def template_section(findings: Any, svgs: dict[str, str]) -> str:
    """The report's section on the journey templates (empty without templates)."""
    found = findings.templates
    if found is None:
        return ""
    out = [
        '<section id="templates"><h2>Journey templates: designed and actual journeys</h2>',
        '<p class="note">Each type of demand is compared with the journey designed for it. '
        "A case went through as designed when its activities follow the template; one of "
        "value demand that did not could have.</p>",
    ]
    out += [f'<p class="note">{esc(sentence(n))}</p>' for n in found.notes]
    overview = pd.DataFrame(
        [{"template": name, **s} for name, s in found.summary.items()],
        columns=["template", "demand", "cases", "conforming_pct", "straightforward_pct",
                 "median_extra_e2e_s", "method"],
    )  # fmt: skip
    out.append(sortable_table(overview, _OVERVIEW_COLUMNS, caption="The templates"))
    segments = found.segments
    # "Could have" counts value demand: a repeat-contact rule in doubt (a customer column
    # of accounts) puts it in doubt too, as it does the one-stop and clean tiles.
    check = findings.check
    repeat = check is not None and any(d.startswith(ACCOUNTS_DOUBT) for d in check.doubts)
    none_found = check is not None and any(d.startswith(NONE_FOUND) for d in check.doubts)
    for i, (name, s) in enumerate(found.summary.items()):
        top = top_deviation(found.deviations, name)
        out.append(f"<h3>{esc(name)}</h3>")
        said = template_sentence(name, s, top)
        if repeat and s["straightforward"]:
            said += f" {_REPEAT_DOUBT}"
        elif none_found and s["straightforward"]:
            said += f" {_NONE_FOUND_DOUBT}"
        out.append(f'<p class="statement">{esc(said)}</p>')
        out.append(f'<p class="note">{esc(_method(found, name))}</p>')
        # Each template's detail folds away: a map per template makes a long page.
        out.append("<details><summary>Its map, deviations and channels</summary>")
        if name in svgs:
            out.append(
                figure(
                    svgs[name],
                    prefix=f"tpl{i}",
                    label=f"Map of the template {name}: designed steps and paths, and the "
                    "deviations of its cases.",
                    caption="The designed journey (solid) and what the cases did outside it "
                    "(dashed).",
                    css="chart",
                )
            )
        rows = found.deviations[found.deviations["template"] == name]
        if not rows.empty:
            out.append(
                sortable_table(
                    rows,
                    _DEVIATION_COLUMNS,
                    caption="Deviations, most cases first",
                    limit=TOP_DEVIATIONS,
                )
            )
        mine = segments[segments["template"] == name]
        if len(mine) > 1:
            shown = mine.assign(channel=mine["channel"].replace("", "all channels"))
            if mine["demand"].nunique() > 1:  # a template of several types: name each row's
                columns = [Column("demand", "Type of demand"), *_SEGMENT_COLUMNS]
                caption = "By type of demand and channel"
            else:
                columns, caption = _SEGMENT_COLUMNS, "By channel"
            out.append(sortable_table(shown, columns, caption=caption))
        out.append("</details>")
    others = segments[(segments["template"] == "") & (segments["channel"] == "")]
    if not others.empty:
        columns = [Column("demand", "Type of demand"), *_SEGMENT_COLUMNS[1:3],
                   *_SEGMENT_COLUMNS[5:]]  # fmt: skip
        out.append(sortable_table(others, columns, caption="Types of demand without a template"))
    return "".join(out) + "</section>"
