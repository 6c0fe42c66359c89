"""Hand-offs, ping-pong, self-loops and rework drawn on the journey map
(journeymap.render.overlays, through journey_dot)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
from test_render_journey import (
    NASTY,
    SVG,
    XLINK_TITLE,
    _activities,
    _dfg,
    _line,
    _nasty_tables,
    needs_dot,
)

from journeymap.render import draw, journey_dot, style
from journeymap.render.overlays import pct_text


def _marked() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tiny map with hand-offs both ways, a self-loop and rework.

    Assess -> Call: 200 of 230 transitions change hands (87%: a hand-off path); Call ->
    Assess: all 30 do; both directions are hand-off paths, so work goes back and forth.
    Assess -> Approve: 100 of 1,000 (10%: labelled, not purple). Assess -> Assess: a loop.
    """
    dfg = _dfg()
    dfg["handoffs"] = [0, 100, 200, 30, 0, 0]
    loop = {"source": "Assess request", "target": "Assess request", "events": 40, "cases": 35,
            "mean_wait_s": 60.0, "median_wait_s": 30.0, "p90_wait_s": 90.0,
            "handoffs": 0}  # fmt: skip
    dfg = pd.concat([dfg, pd.DataFrame([loop])], ignore_index=True)
    acts = _activities().assign(rework_pct=[12.0, 0.0, 3.2])
    return dfg, acts


def test_handoff_paths_are_purple_and_labelled_with_their_share():
    dot = journey_dot(*_marked())
    path = _line(dot, "n1 -> n2")
    # 200 cases; 200 of the path's 230 transitions change hands: a share, not a count of
    # transitions beside a count of cases.
    assert 'label="  200 · 87% hand-offs ⇄"' in path
    assert f'color="{style.HANDOFF}:white:{style.HANDOFF}"' in path  # both ways: doubled
    back = _line(dot, "n2 -> n1")
    assert 'label="  25 · all hand-offs ⇄"' in back  # 30 of 30 transitions
    few = _line(dot, "n1 -> n0")  # 100 of 1,000: labelled, but keeps its plain colour
    assert 'label="  1,000 · 10% hand-offs"' in few
    assert style.HANDOFF not in few and f'color="{style.EDGE_DARK}"' in few
    assert "hand-offs: 100 transitions (10% of the transitions)" in few
    assert "back and forth: the reverse path is a hand-off path too" in path
    for terminal in ("start -> n1", "n0 -> end", "n2 -> end"):
        assert "hand-off" not in _line(dot, terminal) and style.HANDOFF not in _line(dot, terminal)


def test_a_handoff_path_whose_reverse_is_not_one_has_one_line():
    dfg, acts = _marked()
    dfg.loc[3, "handoffs"] = 14  # Call -> Assess: 14 of 30 change hands, under half
    dot = journey_dot(dfg, acts)
    path = _line(dot, "n1 -> n2")
    assert f'color="{style.HANDOFF}"' in path and 'label="  200 · 87% hand-offs"' in path
    assert "⇄" not in dot and "double line" not in dot


def test_performance_view_keeps_the_wait_colour_beside_the_handoff():
    dot = journey_dot(*_marked(), view="performance")
    path = _line(dot, "n1 -> n2")
    assert f'color="{style.SLOW}:{style.HANDOFF}:{style.HANDOFF}"' in path
    assert 'label="  3.2 d · 87% hand-offs ⇄"' in path
    assert "a purple line beside it when half or more do" in dot


def test_a_handoff_path_too_few_cases_take_is_dotted_in_the_performance_view():
    """A hand-off path of 3 cases (under the 5 that judge a wait) keeps its hand-off
    line and label, but is thin, grey and dotted, as the legend says such paths are;
    a loop of 3 cases likewise. The tooltip says '1 transition'."""
    dfg, acts = _marked()
    dfg.loc[2, ["cases", "events", "handoffs"]] = [3, 3, 3]  # Assess -> Call
    dfg.loc[6, ["cases", "events"]] = [3, 3]  # the loop on Assess
    dfg.loc[3, ["handoffs", "events"]] = [1, 1]  # Call -> Assess: 1 of 1
    dot = journey_dot(dfg, acts, view="performance")
    path = _line(dot, "n1 -> n2")
    assert f'color="{style.THIN_EVIDENCE}:{style.HANDOFF}"' in path
    assert "penwidth=1.00, style=dotted" in path and "all hand-offs" in path
    loop = _line(dot, "n1 -> n1")
    assert f'color="{style.THIN_EVIDENCE}:{style.REWORK}"' in loop and "style=dotted" in loop
    assert "hand-offs: 1 transition (100% of the transitions)" in _line(dot, "n2 -> n1")
    frequency = _line(journey_dot(dfg, acts), "n1 -> n2")
    assert "dotted" not in frequency and style.THIN_EVIDENCE not in frequency


def test_self_loops_are_dashed_rework_loops():
    dot = journey_dot(*_marked())
    loop = _line(dot, "n1 -> n1")
    assert 'label="  ↻ 35"' in loop and "style=dashed" in loop
    assert f'color="{style.REWORK}"' in loop
    perf = journey_dot(*_marked(), view="performance")
    assert 'label="  ↻ 30 s"' in _line(perf, "n1 -> n1")


def test_rework_share_is_shown_on_boxes_with_a_border_when_high():
    dot = journey_dot(*_marked())
    assess, approve, call = _line(dot, "n1"), _line(dot, "n0"), _line(dot, "n2")
    assert '<font point-size="11">1,200<br/>↻ 12% rework</font>' in assess
    assert f'color="{style.REWORK}", penwidth=2.5' in assess
    assert "12% of its events are rework" in assess
    assert "rework" not in approve  # 0%: nothing to show
    assert "↻ 3% rework" in call and style.REWORK not in call
    # The border follows the rounded share shown: 9.6% reads "10%".
    dfg, acts = _marked()
    acts["rework_pct"] = [9.4, None, 9.6]
    dot = journey_dot(dfg, acts)
    assert style.REWORK not in _line(dot, "n1") and style.REWORK in _line(dot, "n2")


def test_the_legend_explains_only_what_is_drawn():
    plain = journey_dot(_dfg(), _activities())
    for mark in ("hand-offs:", "double line", "dashed loop", "% rework"):
        assert mark not in plain
    dot = journey_dot(*_marked())
    assert "· n% hand-offs: the path's transitions where the handler changes; purple" in dot
    assert "⇄ double line: hand-off paths both ways, work handed back and forth" in dot
    assert "↻ dashed loop: the activity done again straight away" in dot
    assert "↻ % rework: share of the activity's events that repeat it; thick border" in dot
    dfg, acts = _marked()
    dfg["handoffs"] = pd.array([pd.NA] * 7, dtype="Int64")  # unknown: not drawn
    acts["rework_pct"] = [2.0, 0.0, 1.0]
    dot = journey_dot(dfg.query("source != target"), acts)
    assert "double line" not in dot and "dashed loop" not in dot and "thick border" not in dot
    assert "↻ % rework" in dot


def test_marked_map_is_the_same_whatever_the_row_order():
    dfg, acts = _marked()
    dot = journey_dot(dfg, acts, lanes="team")
    shuffled = journey_dot(dfg.sample(frac=1, random_state=5), acts.iloc[::-1], lanes="team")
    assert dot == shuffled


def test_percentages_read_as_whole_numbers_from_one():
    assert [pct_text(p) for p in (0.01, 0.05, 0.44, 0.95, 9.49, 9.5, 100)] == [
        "<0.1", "0.1", "0.4", "1", "9", "10", "100"
    ]  # fmt: skip


@needs_dot
def test_marks_keep_log_text_escaped(tmp_path):
    dfg, acts = _nasty_tables()
    dfg["handoffs"] = [0, 2, 3, 1, 0]
    loop = {"source": NASTY[0], "target": NASTY[0], "events": 2, "cases": 1,
            "median_wait_s": 5.0, "handoffs": 1}  # fmt: skip
    dfg = pd.concat([dfg, pd.DataFrame([loop])], ignore_index=True)
    acts["rework_pct"] = [50.0, 0.0, 0.4, None]
    dot = journey_dot(dfg, acts, lanes="team")
    svg = draw(dot, tmp_path / "nasty", ["svg"])[1].read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1].lower() == "script"]
    texts = [el.text.strip(" \xa0") for el in root.iter(SVG + "text")]
    for shown in ["<script>alert(1)</script>", "↻ 50% rework", "↻ 0.4% rework",
                  "2 · all hand-offs", "4 · 25% hand-offs", "↻ 1 · 50% hand-offs"]:  # fmt: skip
        assert shown in texts, shown
    tips = {el.get(XLINK_TITLE) for el in root.iter() if el.get(XLINK_TITLE)}
    assert "<script>alert(1)</script>: 1 case, 1 event\n50% of its events are rework" in tips
