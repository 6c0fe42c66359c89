"""The journey map renderer: units, DOT text, escaping, determinism and drawing."""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from journeymap.dot import DotRuns
from journeymap.errors import JourneymapError, MissingDependencyError, RenderError
from journeymap.render import DRAW_FORMATS, draw, human_duration, journey_dot, style, thousands
from journeymap.render.pictures import start_drawing

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
NAN = float("nan")


# -- units ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (0.4, "0 s"),
        (0.5, "1 s"),  # half up, not to even
        (45, "45 s"),
        (59.4, "59 s"),
        (59.5, "1 min"),  # rounding reaches the next unit
        (60, "1 min"),
        (89, "1 min"),
        (90, "2 min"),
        (720, "12 min"),
        (3569, "59 min"),
        (3570, "1.0 h"),
        (5400, "1.5 h"),
        (8100, "2.3 h"),  # 2.25 h: half up on the decimal, not binary 2.2
        (18000, "5.0 h"),
        (86_399, "1.0 d"),
        (276_480, "3.2 d"),
        (601_344, "1.0 wk"),  # 6.96 d
        (3_689_280, "6.1 wk"),
        (31_536_000, "52.1 wk"),  # weeks are the largest unit
        (-90, "-2 min"),
        (None, "–"),
        (NAN, "–"),
        (math.inf, "–"),
    ],
)
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (999, "999"), (4210, "4,210"), (1_234_567, "1,234,567"), (4210.0, "4,210"),
     (2.5, "3"), (-1234, "-1,234"), (None, "–"), (NAN, "–")],
)  # fmt: skip
def test_thousands(n, text):
    assert thousands(n) == text


# -- a tiny hand-made map -----------------------------------------------------------
# Node ids follow the sorted names: Approve n0, Assess request n1, Call customer n2.
def _dfg() -> pd.DataFrame:
    rows = [
        ("__start__", "Assess request", 1200, 1200, NAN, NAN, NAN),
        ("Assess request", "Approve", 1000, 1000, 7200.0, 5400.0, 9000.0),
        ("Assess request", "Call customer", 230, 200, 300_000.0, 276_480.0, 400_000.0),
        ("Call customer", "Assess request", 30, 25, 50.0, 45.0, 59.0),
        ("Approve", "__end__", 1000, 1000, NAN, NAN, NAN),
        ("Call customer", "__end__", 200, 200, NAN, NAN, NAN),
    ]
    columns = ["source", "target", "events", "cases", "mean_wait_s", "median_wait_s", "p90_wait_s"]
    return pd.DataFrame(rows, columns=columns)


def _activities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "activity": ["Assess request", "Approve", "Call customer"],
            "events": [1500, 1000, 230],
            "cases": [1200, 1000, 200],
            "lane": ["Back Office", "Back Office", "Contact Centre"],
        }
    )


def _line(dot: str, head: str) -> str:
    """The statement of node or edge ``head`` (e.g. ``"n1 -> n0"``)."""
    found = [s.strip() for s in dot.splitlines() if s.strip().startswith(head + " [")]
    assert len(found) == 1, f"{head}: {found}"
    return found[0]


def _clusters(dot: str) -> dict[str, list[str]]:
    """Lane label -> node ids in that lane, read from the DOT text."""
    lanes: dict[str, list[str]] = {}
    current = None
    for raw in dot.splitlines():
        line = raw.strip()
        if line.startswith("subgraph cluster_lane"):
            current = ""
        elif current == "" and re.match(r"lane\d+ \[label=<<b>", line):
            # the lane's title is a borderless node at its top
            current = line[line.index("<<b>") + 4 : line.index("</b>>")]
            lanes[current] = []
        elif current and line == "}":
            current = None
        elif current and re.match(r"n\d+ \[", line):
            lanes[current].append(line.split(" ", 1)[0])
    return lanes


def test_frequency_view_labels_and_widths():
    dot = journey_dot(_dfg(), _activities())
    assert 'label="  1,000"' in _line(dot, "n1 -> n0")
    assert "penwidth=5.56" in _line(dot, "n1 -> n0")  # 1 + 5 * sqrt(1000 / 1200)
    assert 'label="  25"' in _line(dot, "n2 -> n1")
    assert 'label="  1,200"' in _line(dot, "start -> n1")
    assert "penwidth=6.00" in _line(dot, "start -> n1")  # the largest count drawn
    assert 'label=<Assess request<br/><font point-size="11">1,200</font>>' in _line(dot, "n1")
    assert 'tooltip="Assess request: 1,200 cases, 1,500 events"' in _line(dot, "n1")

    by_events = journey_dot(_dfg(), _activities(), measure="events")
    assert 'label="  230"' in _line(by_events, "n1 -> n2")
    assert ">1,500</font>" in _line(by_events, "n1")


def test_performance_view_labels_colours_and_widths():
    dot = journey_dot(_dfg(), _activities(), view="performance")
    slow = _line(dot, "n1 -> n2")
    assert 'label="  3.2 d"' in slow
    assert f'color="{style.SLOW}"' in slow and "penwidth=6.00" in slow
    assert 'label="  1.5 h"' in _line(dot, "n1 -> n0")
    assert "penwidth=1.70" in _line(dot, "n1 -> n0")  # 1 + 5 * sqrt(5400 / 276480)
    assert 'label="  45 s"' in _line(dot, "n2 -> n1")
    for terminal in ("start -> n1", "n0 -> end", "n2 -> end"):
        assert "label=" not in _line(dot, terminal)
        assert "penwidth=1.00" in _line(dot, terminal)
    tip = "Assess request → Call customer: 200 cases, 230 events\\n"
    tip += "wait: median 3.2 d, mean 3.5 d, 90% within 4.6 d"
    assert f'tooltip="{tip}"' in slow
    # Boxes still show the count, not a time.
    assert ">1,200</font>" in _line(dot, "n1")


def test_start_and_end_nodes_have_their_own_shapes():
    dot = journey_dot(_dfg(), _activities())
    assert "shape=circle" in _line(dot, "start") and 'label="start"' in _line(dot, "start")
    assert "shape=doublecircle" in _line(dot, "end") and 'label="end"' in _line(dot, "end")
    inner = _dfg().query("source != '__start__' and target != '__end__'")
    bare = journey_dot(inner, _activities())
    assert "start [" not in bare and "end [" not in bare


def test_node_ids_are_generated_and_shades_follow_counts():
    dot = journey_dot(_dfg(), _activities())
    ids = re.findall(r"^\s*(\w+) \[label=<", dot, flags=re.MULTILINE)
    assert ids == ["n0", "n1", "n2"]
    fills = {i: re.search(r'fillcolor="(#\w+)"', _line(dot, i)).group(1) for i in ids}
    assert fills["n1"] == style.BOX_DARK  # the most frequent box is the darkest
    # Lighter boxes are closer to the white page.
    assert style.contrast_ratio(fills["n2"], "#ffffff") < style.contrast_ratio(
        fills["n1"], "#ffffff"
    )


def test_text_stays_readable_on_every_shade():
    for i in range(11):
        box = style.mix(style.BOX_LIGHT, style.BOX_DARK, i / 10)
        assert style.contrast_ratio(box, style.TEXT) >= 7  # WCAG AAA
        for edge in (style.frequency_edge("1", i / 10), style.performance_edge("1 s", i / 10)):
            colour = re.search(r'fontcolor="(#\w+)"', edge).group(1)
            assert style.contrast_ratio(colour, "#ffffff") >= 4.5


def test_lanes_group_activities_largest_first():
    acts = pd.concat(
        [_activities(), pd.DataFrame([{"activity": "Write letter", "events": 9, "cases": 9}])]
    )
    dfg = pd.concat(
        [_dfg(), pd.DataFrame([{"source": "Call customer", "target": "Write letter",
                                "events": 9, "cases": 9, "median_wait_s": 60.0}])]
    )  # fmt: skip
    dot = journey_dot(dfg, acts, lanes="team")
    assert _clusters(dot) == {
        "Back Office": ["n0", "n1"],
        "Contact Centre": ["n2"],
        "(no team recorded)": ["n3"],
    }
    assert 'style="filled,rounded,dashed"' in dot  # the unknown lane looks different
    assert "lane: the team that does the activity most often" in dot
    assert "subgraph cluster_lane" not in journey_dot(dfg, acts)


def test_legend_and_caption():
    dot = journey_dot(_dfg(), _activities(), caption="3 of 3 activities", title="Loans")
    assert "arrow: cases going straight on to the next activity; wider = more" in dot
    assert "box: activity and its cases; darker = more" in dot
    assert "● start and ◎ end of the cases" in dot
    assert '<td align="right">25</td>' in dot and '<td align="left">1,200</td>' in dot
    assert '<font point-size="13">3 of 3 activities</font>' in dot
    assert '<font point-size="18">Loans</font>' in dot
    perf = journey_dot(_dfg(), _activities(), view="performance")
    assert "arrow: median wait before the next activity; wider and redder = longer" in perf
    assert '<td align="right">45 s</td>' in perf and '<td align="left">3.2 d</td>' in perf


def test_same_input_gives_the_same_dot_whatever_the_row_order():
    dot = journey_dot(_dfg(), _activities(), lanes="team", caption="c", title="t")
    again = journey_dot(_dfg(), _activities(), lanes="team", caption="c", title="t")
    shuffled = journey_dot(
        _dfg().sample(frac=1, random_state=3),
        _activities().iloc[::-1],
        lanes="team",
        caption="c",
        title="t",
    )
    assert dot == again == shuffled


def test_isolated_activities_are_stacked_three_abreast():
    acts = pd.DataFrame({"activity": list("abcdefg"), "events": 1, "cases": 1})
    dot = journey_dot(_dfg().iloc[:0], acts)
    invisible = re.findall(r"(n\d+) -> (n\d+) \[style=invis\]", dot)
    assert invisible == [("n0", "n3"), ("n1", "n4"), ("n2", "n5"), ("n3", "n6")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"view": "speed"}, "unknown view 'speed'"),
        ({"measure": "people"}, "unknown measure 'people'"),
        ({"direction": "BT"}, "unknown direction 'BT'"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        journey_dot(_dfg(), _activities(), **kwargs)


def test_tables_that_do_not_match():
    with pytest.raises(ValueError, match="activities does not list 'Approve'"):
        journey_dot(_dfg(), _activities().query("activity != 'Approve'"))
    with pytest.raises(ValueError, match="'Approve' more than once"):
        journey_dot(_dfg(), pd.concat([_activities(), _activities().iloc[[1]]]))
    with pytest.raises(ValueError, match="activities has no column 'lane'"):
        journey_dot(_dfg(), _activities().drop(columns="lane"), lanes="team")


# -- escaping -----------------------------------------------------------------------
NASTY = ["<script>alert(1)</script>", 'say "hi" \\ back', "{x|y} &amp; ]]> \\N \\G", "two\nlines"]


def _nasty_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    acts = pd.DataFrame(
        {"activity": NASTY, "events": [1, 2, 3, 4], "cases": [1, 2, 3, 4],
         "lane": ['Billing & <Payments>', '"q" \\', None, "}"]}
    )  # fmt: skip
    dfg = pd.DataFrame(
        {"source": ["__start__", *NASTY], "target": [*NASTY, "__end__"],
         "events": [1, 2, 3, 4, 5], "cases": [1, 2, 3, 4, 5],
         "median_wait_s": [NAN, 60.0, 60.0, 60.0, NAN]}
    )  # fmt: skip
    return dfg, acts


@needs_dot
def test_log_text_is_escaped_and_drawn_as_text(tmp_path):
    dfg, acts = _nasty_tables()
    dot = journey_dot(dfg, acts, lanes="team", title='<b>"T"</b> \\G', caption="a & <i>b</i>")
    svg_path = draw(dot, tmp_path / "nasty", ["svg"])[1]
    svg = svg_path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = ET.fromstring(svg)  # well-formed XML
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1].lower() == "script"]
    texts = [el.text for el in root.iter(SVG + "text")]
    for shown in ["<script>alert(1)</script>", 'say "hi" \\ back', "{x|y} &amp; ]]> \\N \\G",
                  "two", "lines", "Billing & <Payments>", '"q" \\', "}", "(no team recorded)",
                  '<b>"T"</b> \\G', "a & <i>b</i>"]:  # fmt: skip
        assert shown in texts, shown
    tips = {el.get(XLINK_TITLE) for el in root.iter() if el.get(XLINK_TITLE)}
    assert 'say "hi" \\ back: 2 cases, 2 events' in tips
    assert "{x|y} &amp; ]]> \\N \\G: 3 cases, 3 events" in tips
    # Raw names never become node ids.
    nodes = [g.find(SVG + "title").text for g in root.iter(SVG + "g") if g.get("class") == "node"]
    assert sorted(n for n in nodes if not n.startswith("lane")) == [
        "end", "n0", "n1", "n2", "n3", "start",
    ]  # fmt: skip
    assert all(re.fullmatch(r"lane\d+", n) for n in nodes if n.startswith("lane"))


# -- drawing ------------------------------------------------------------------------
@needs_dot
def test_draw_writes_every_format(tmp_path):
    dot = journey_dot(_dfg(), _activities(), lanes="team", title="Loans")
    files = draw(dot, tmp_path / "out" / "map.v2", ["svg", "png", "pdf", "svg"])
    assert [f.name for f in files] == ["map.v2.dot", "map.v2.svg", "map.v2.png", "map.v2.pdf"]
    assert files[0].read_text(encoding="utf-8") == dot
    assert files[1].read_bytes().startswith(b"<?xml")
    assert files[2].read_bytes().startswith(b"\x89PNG")
    assert files[3].read_bytes().startswith(b"%PDF")
    assert draw(dot, tmp_path / "only", []) == [tmp_path / "only.dot"]
    assert draw(dot, tmp_path / "one", "svg") == [tmp_path / "one.dot", tmp_path / "one.svg"]
    assert DRAW_FORMATS == ("svg", "png", "pdf")


@needs_dot
def test_drawing_twice_gives_the_same_svg_and_png(tmp_path):
    dot = journey_dot(_dfg(), _activities(), view="performance", lanes="team", title="t")
    first = draw(dot, tmp_path / "a", ["svg", "png"])
    second = draw(dot, tmp_path / "b", ["svg", "png"])
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name


@needs_dot
def test_a_drawing_started_early_writes_what_draw_writes(tmp_path):
    # Started while other work goes on, written when the caller is ready.
    dot = journey_dot(_dfg(), _activities(), lanes="team", title="t")
    with DotRuns() as runs:
        drawing = start_drawing(dot, tmp_path / "early", ["svg", "png"], runs)
        assert not (tmp_path / "early.dot").exists()
        files = drawing.finish()
    direct = draw(dot, tmp_path / "now", ["svg", "png"])
    assert [f.name for f in files] == ["early.dot", "early.svg", "early.png"]
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in direct]


def test_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="cannot draw format 'gif'"):
        draw("digraph {}", tmp_path / "m", ["svg", "gif"])
    with DotRuns() as runs, pytest.raises(ValueError, match="cannot draw format 'gif'"):
        start_drawing("digraph {}", tmp_path / "m", ["gif"], runs)


def test_missing_dot_says_how_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(MissingDependencyError, match="apt-get install graphviz") as caught:
        draw("digraph { a -> b }", tmp_path / "m", ["svg"])
    assert isinstance(caught.value, JourneymapError)
    assert (tmp_path / "m.dot").exists()  # the DOT source is kept for later
    assert not (tmp_path / "m.svg").exists()


@needs_dot
def test_dot_failure_is_a_journeymap_error(tmp_path):
    with pytest.raises(RenderError, match="Graphviz could not draw .* as svg"):
        draw("digraph { a -> }", tmp_path / "bad", ["svg"])
    assert not (tmp_path / "bad.svg").exists()


def test_left_to_right(tmp_path):
    dot = journey_dot(_dfg(), _activities(), direction="LR")
    assert "rankdir=LR" in dot
