"""Journey templates in words: deviations, what a template says of its cases, how
conformance was checked, the template map's caption and the suggestions of
``journeymap template suggest``."""

from __future__ import annotations

from typing import Any

from journeymap.render.numbers import (
    MISSING,
    _is_missing,
    _number,
    _round_half_up,
    counted,
    human_duration,
    thousands,
)

__all__ = [
    "deviation_text",
    "method_text",
    "suggestion_heading",
    "suggestion_text",
    "template_caption",
    "template_sentence",
]


def deviation_text(kind: str, activity: str) -> str:
    """One kind of deviation from a template, in words.

    Examples
    --------
    >>> [deviation_text(k, "Call") for k in ("inserted", "repeated", "skipped")]
    ["an extra 'Call'", "'Call' done again", "'Call' skipped"]
    """
    if kind == "inserted":
        return f"an extra '{activity}'"
    if kind == "repeated":
        return f"'{activity}' done again"
    if kind == "skipped":
        return f"'{activity}' skipped"
    raise ValueError(f"unknown kind of deviation {kind!r}")


def _share(value: float) -> str:
    """A share of cases as a whole percentage, rounded half up (``"71%"``); a share that
    would round to none or all of them, but is neither, says so.

    Examples
    --------
    >>> [_share(v) for v in (71.0, 0.0, 0.48, 99.52, 100.0)]
    ['71%', '0%', 'under 1%', 'over 99%', '100%']
    """
    value = float(value)
    if 0 < value < 0.5:
        return "under 1%"
    if 99.5 <= value < 100:
        return "over 99%"
    return f"{_round_half_up(value, 0):,}%"


#: Cases that went through as designed below which the extra time of a deviation (a
#: median against theirs) rests on too few to say much, and the sentence says so.
FEW_AS_DESIGNED = 20


def _longer(seconds: Any) -> str:
    if _is_missing(seconds):
        return ""
    value = float(seconds)
    word = "longer" if value >= 0 else "shorter"
    return f"; {human_duration(abs(value))} {word} end to end, median"


def template_sentence(name: str, summary: dict[str, Any], top: dict[str, Any] | None) -> str:
    """What a template says of its cases, in one or two sentences: the share that went
    through as designed, the share that could have (value demand that deviated), and
    the deviation most often among them, with its cases and extra end-to-end time.

    ``summary`` is the template's entry of
    :func:`~journeymap.analysis.template_measures.template_summary`; ``top`` the row
    of :func:`~journeymap.analysis.template_measures.template_deviations` with the most
    straightforward cases (``kind``, ``activity``, ``straightforward_cases``,
    ``extra_e2e_s``), or None.

    Examples
    --------
    >>> s = {"cases": 1208, "conforming_pct": 71.0, "straightforward_pct": 22.0}
    >>> top = {"kind": "inserted", "activity": "Request information",
    ...        "straightforward_cases": 140, "straightforward_extra_e2e_s": 354240.0}
    >>> template_sentence("Bulky collection", s, top)
    "Of 1,208 cases of 'Bulky collection', 71% went through as designed; 22% more could have: they were value demand but left the design, most often with an extra 'Request information' (140 cases; 4.1 d longer end to end, median)."

    When few cases went through as designed, the extra time says against how many:

    >>> s = {"cases": 1050, "conforming": 5, "conforming_pct": 0.476,
    ...      "straightforward_pct": 99.524}
    >>> top.update(straightforward_cases=860, straightforward_extra_e2e_s=293760.0)
    >>> template_sentence("All demand", s, top).partition("designed; ")[2]
    "over 99% more could have: they were value demand but left the design, most often with an extra 'Request information' (860 cases; 3.4 d longer end to end, median, against only 5 cases as designed)."
    """  # noqa: E501
    cases = int(summary["cases"])
    if cases == 0:
        return f"No case has the template '{name}'."
    head = f"Of {counted(cases, 'case')} of '{name}', "
    ok, straight = summary["conforming_pct"], summary["straightforward_pct"]
    if ok >= 100:
        return head + "all went through as designed."
    text = head + f"{_share(ok)} went through as designed"
    if straight <= 0:
        return text + "; the others were failure demand."
    text += f"; {_share(straight)} more could have: they were value demand but left the design"
    if top is None:
        return text + "."
    n = int(top["straightforward_cases"])
    extra = _longer(top.get("straightforward_extra_e2e_s"))
    few = summary.get("conforming")
    if extra and few is not None and few < FEW_AS_DESIGNED:
        extra += f", against only {counted(int(few), 'case')} as designed"
    detail = f"{counted(n, 'case')}{extra}"
    return text + f", most often with {deviation_text(top['kind'], top['activity'])} ({detail})."


def method_text(method: str, cases: int, alignment_max_cases: int, chosen: bool = True) -> str:
    """How a template's conformance was checked, and why that way (``chosen``: the
    method ``auto`` chose).

    Examples
    --------
    >>> method_text("alignments", 1208, 5000)
    "Checked by pm4py's alignments (exact), as the template has 1,208 cases (alignments up to 5,000)."
    """  # noqa: E501
    how = {
        "alignments": "pm4py's alignments (exact)",
        "sequence match": "matching each variant against the steps on the engine and "
        "aligning those that differ with the steps (exact)",
        "token replay": "pm4py's token replay (fast; it cannot say which steps were skipped)",
    }[method]
    if not chosen:
        return f"Checked by {how}, as the configuration asks."
    size = counted(cases, "case")
    limit = thousands(alignment_max_cases)
    why = f"alignments up to {limit}" if method == "alignments" else f"more than {limit}"
    return f"Checked by {how}, as the template has {size} ({why})."


def template_caption(
    name: str, summary: dict[str, Any], shown: tuple[int, int], paths: tuple[int, int]
) -> str:
    """The caption of a template's map: its cases, the share as designed, and how many
    of the activities and paths outside the design are drawn.

    Examples
    --------
    >>> template_caption("Bins", {"cases": 12, "conforming_pct": 75.0}, (3, 5), (4, 4))
    "Template 'Bins': 12 cases, 75% as designed; 3 of 5 activities and 4 of 4 paths outside the design drawn"
    """  # noqa: E501
    cases = int(summary["cases"])
    ok = summary.get("conforming_pct")
    share = f", {_share(ok)} as designed" if ok is not None else ""
    return (
        f"Template '{name}': {counted(cases, 'case')}{share}; "
        f"{shown[0]:,} of {shown[1]:,} activities and {paths[0]:,} of {paths[1]:,} paths "
        "outside the design drawn"
    )


def suggestion_text(
    name: str,
    covered: int,
    cases: int,
    variant_value: int,
    value: int,
    *,
    short_of: float | None = None,
) -> str:
    """What a suggested template covers, for its comment in the file and the command's
    output; with ``short_of`` (the share asked for, %), that no journey reached it, so
    this is the most common one.

    Examples
    --------
    >>> suggestion_text("Bins", 123, 327, 98, 240)
    "'Bins' is followed by 123 of its 327 cases (37.6%); it is the journey of 98 of the 240 cases of value demand"
    >>> suggestion_text("Bulky", 1, 3, 1, 3)
    "'Bulky' is followed by 1 of its 3 cases (33.3%); it is the journey of 1 of the 3 cases of value demand; no journey was taken by two of them, so this is one case's: check it"
    >>> suggestion_text("Chasers", 4, 4, 0, 0)
    "'Chasers' is followed by 4 of its 4 cases (100.0%); none of them is value demand"
    >>> suggestion_text("All demand", 5, 1050, 5, 1050, short_of=5.0).partition("demand; ")[2]
    'no journey was followed by 5% of them (the journeys vary widely), so this is the most common of those that end where most end: design the template with the service'
    """  # noqa: E501
    share = f"{_round_half_up(100 * covered / cases, 1)}%" if cases else MISSING
    head = (
        f"'{name}' is followed by {thousands(covered)} of its {thousands(cases)} "
        f"case{'s' if cases != 1 else ''} ({share})"
    )
    if not value:
        return f"{head}; none of them is value demand"
    one = (
        "; no journey was taken by two of them, so this is one case's: check it"
        if variant_value == 1 and value > 1
        else ""
    )
    varied = (
        f"; no journey was followed by {short_of:g}% of them (the journeys vary widely), so "
        "this is the most common of those that end where most end: design the template "
        "with the service"
        if short_of is not None and not one
        else ""
    )
    return (
        f"{head}; it is the journey of {thousands(variant_value)} of the "
        f"{thousands(value)} case{'s' if value != 1 else ''} of value demand{one}{varied}"
    )


def suggestion_heading(source: str, demand_column: str | None, min_share: float) -> list[str]:
    """The comment at the top of a file of suggested templates."""
    per = f"per type of demand (column {demand_column!r})" if demand_column else "for all demand"
    return [
        f"Journey templates suggested by journeymap from {source}, {per}:",
        f"the shortest variant that at least {_number(min_share)}% of the value-demand cases, "
        "and two or more, follow (else the most common).",
        "Edit each into the journey you designed: steps are activity names, lists, and",
        '{optional = ...}, {repeat = ...}, {one_of = [...]}, {any_order = ["A", "B"]}',
        "(see the user guide). Then: journeymap mine LOG --templates THIS_FILE",
    ]
