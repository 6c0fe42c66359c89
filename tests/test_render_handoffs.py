"""The hand-off network renderer: labels, ping-pong, the top-N cut, escaping, determinism.

The renderer draws the networkx graph of journeymap.analysis.network; the tests build it
from hand-written tables with network_from_tables."""

from __future__ import annotations

import itertools
import re
import shutil
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from journeymap.analysis.network import network_from_tables
from journeymap.render import draw, handoff_network_dot, style

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
COLUMNS = ["level", "from", "to", "count", "cases", "median_wait_s", "total_wait_s"]


# Node ids follow the sorted names: Back h0, Field h1, Front h2.
def _matrix() -> pd.DataFrame:
    rows = [
        ("team", "Front", "Back", 120, 100, 7200.0, 900_000.0),
        ("team", "Back", "Front", 30, 28, 86_400.0, 2_600_000.0),
        ("team", "Back", "Field", 60, 60, 172_800.0, 10_000_000.0),
        ("resource", "ann", "bob", 7, 7, 60.0, 420.0),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _pingpong() -> pd.DataFrame:
    return pd.DataFrame(
        [("team", "Front", "Back", 12, 11), ("resource", "ann", "bob", 1, 1)],
        columns=["level", "a", "b", "count", "cases"],
    )


def _dot(matrix, pingpong=None, *, level="team", **options) -> str:
    return handoff_network_dot(network_from_tables(matrix, pingpong, level=level), **options)


def _line(dot: str, head: str) -> str:
    found = [s.strip() for s in dot.splitlines() if s.strip().startswith(head + " [")]
    assert len(found) == 1, f"{head}: {found}"
    return found[0]


def test_handlers_and_handoffs_with_counts_and_waits():
    dot = _dot(_matrix())
    assert dot.startswith("digraph handoffs {")
    assert re.findall(r"^\s*(h\d+) \[label=<", dot, flags=re.MULTILINE) == ["h0", "h1", "h2"]
    # Back receives 120 and passes on 30 + 60.
    assert 'label=<Back<br/><font point-size="11">in 120 · out 90</font>>' in _line(dot, "h0")
    assert "in 60 · out 0" in _line(dot, "h1") and "in 30 · out 120" in _line(dot, "h2")
    assert style.BOX_DARK in _line(dot, "h0")  # the busiest handler is the darkest
    main = _line(dot, "h2 -> h0")
    assert 'label="  120 · 2.0 h"' in main and "penwidth=6.00" in main
    assert (
        'tooltip="Front → Back: 120 hand-offs in 100 cases\\nwait: median 2.0 h, total 1.5 wk"'
        in main
    )
    assert 'label="  60 · 2.0 d"' in _line(dot, "h0 -> h1")
    assert "ann" not in dot  # another level
    assert "ping-pong" not in dot  # nothing to explain


def test_ping_pong_pairs_are_bold_purple_both_ways():
    dot = _dot(_matrix(), _pingpong())
    there, back = _line(dot, "h2 -> h0"), _line(dot, "h0 -> h2")
    assert 'label="  120 · 2.0 h · ⇄ 12"' in there
    assert 'label="  30 · 1.0 d"' in back  # no ping-pong starts on it: no count, no ⇄
    for path in (there, back):
        assert f'color="{style.HANDOFF}"' in path
        assert "ping-pong Front → Back → Front: 12 times in 11 cases" in path
    assert style.HANDOFF not in _line(dot, "h0 -> h1")
    assert "bold purple: ping-pong, work went back and forth between the two · ⇄ n: n " in dot


def test_resource_level():
    dot = _dot(_matrix(), _pingpong(), level="resource", caption="People")
    assert 'label="  7 · 1 min · ⇄ 1"' in _line(dot, "h0 -> h1")
    assert "Front" not in dot and "a resource, with the hand-offs" in dot
    assert '<font point-size="13">People</font>' in dot


def test_only_the_largest_paths_are_drawn_and_the_caption_says_so():
    dot = _dot(_matrix(), max_edges=2, caption="Loans")
    assert len(re.findall(r" -> ", dot)) == 2 and "Back → Front" not in dot  # 30, the least
    assert "Loans — showing the 2 largest of 3 hand-off paths</font>" in dot
    one = _dot(_matrix(), max_edges=1)
    assert len(re.findall(r" -> ", one)) == 1 and "Field" not in one  # only on paths cut
    assert (
        "largest of 3 hand-off paths; 1 of 3 teams, found only on the paths not shown, are left out"
        in one
    )
    assert "in 120 · out 90" in one  # totals still count every hand-off of the level
    assert "showing" not in _dot(_matrix(), max_edges=3)


def test_ties_in_the_cut_are_broken_by_name():
    rows = [("team", a, b, 5, 5, 60.0, 300.0) for a, b in [("b", "c"), ("a", "c"), ("a", "b")]]
    dot = _dot(pd.DataFrame(rows, columns=COLUMNS), max_edges=2)
    assert "label=<c<br/>" in dot and "h0 -> h1" in dot and "h0 -> h2" in dot
    assert len(re.findall(r" -> ", dot)) == 2  # a->b and a->c, not b->c


def test_same_input_gives_the_same_dot_whatever_the_row_order():
    dot = _dot(_matrix(), _pingpong(), title="t", caption="c")
    again = _dot(
        _matrix().sample(frac=1, random_state=2), _pingpong().iloc[::-1], title="t", caption="c"
    )
    assert dot == again


def test_no_handoffs_at_this_level():
    dot = _dot(_matrix().iloc[:0])
    assert "no hand-offs between team handlers" in dot and "->" not in dot


def test_bad_input():
    with pytest.raises(ValueError, match="matrix has no column 'median_wait_s'"):
        _dot(_matrix().drop(columns="median_wait_s"))
    with pytest.raises(ValueError, match="pingpong has no column 'b'"):
        _dot(_matrix(), _pingpong().drop(columns="b"))
    with pytest.raises(ValueError, match="'Front' -> 'Back' more than once"):
        _dot(pd.concat([_matrix(), _matrix().iloc[[0]]]))
    with pytest.raises(ValueError, match="max_edges must be at least 1"):
        _dot(_matrix(), max_edges=0)


@needs_dot
def test_handler_names_are_escaped_and_drawn_as_text(tmp_path):
    nasty = ["<script>alert(1)</script>", 'say "hi" \\ back', "{x|y} &amp; \\N", "two\nlines"]
    pairs = enumerate(itertools.pairwise(nasty))
    rows = [("team", a, b, i + 1, 1, 60.0, 60.0) for i, (a, b) in pairs]
    matrix = pd.DataFrame(rows, columns=COLUMNS)
    pingpong = pd.DataFrame([("team", nasty[0], nasty[1], 1, 1)], columns=_pingpong().columns)
    dot = _dot(matrix, pingpong, title="<b>T</b>", caption="a & <i>b</i>")
    svg = draw(dot, tmp_path / "network", ["svg"])[1].read_text(encoding="utf-8")
    root = ET.fromstring(svg)  # well-formed XML
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1].lower() == "script"]
    texts = [el.text for el in root.iter(SVG + "text")]
    for shown in [*nasty[:3], "two", "lines", "<b>T</b>", "a & <i>b</i>"]:
        assert shown in texts, shown
    tips = {el.get(XLINK_TITLE) for el in root.iter() if el.get(XLINK_TITLE)}
    assert "<script>alert(1)</script> (team): 0 hand-offs received, 1 passed on" in tips
    nodes = [g.find(SVG + "title").text for g in root.iter(SVG + "g") if g.get("class") == "node"]
    assert sorted(nodes) == ["h0", "h1", "h2", "h3"]


@needs_dot
def test_drawing_twice_gives_the_same_png(tmp_path):
    dot = _dot(_matrix(), _pingpong(), title="t")
    first = draw(dot, tmp_path / "a", ["svg", "png"])
    second = draw(dot, tmp_path / "b", ["svg", "png"])
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
