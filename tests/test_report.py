"""The HTML report: key numbers, views, self-containment, escaping, determinism, size."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import lxml.html
import pandas as pd
import pytest

import journeymap as jm
from journeymap.render.captions import map_caption
from journeymap.render.charts import xmr_svg
from journeymap.render.handoffs import handoff_network_dot
from journeymap.render.journey import journey_dot
from journeymap.render.numbers import thousands, wait_text
from journeymap.render.plan_words import PLAN_CAVEAT, plan_sentences
from journeymap.render.report import render_report
from journeymap.render.report_assets import HYPOTHESIS_NOTE, SCRIPT
from journeymap.render.report_svg import inline_svg
from journeymap.render.summary import summary

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` missing")

SAMPLE = Path(__file__).resolve().parent.parent / "sample_logs" / "service_desk.csv"
EVIL = "<script>alert(1)</script>"
QUOTED = '"quoted" & ampersand'


def _svg(dot_source: str) -> str:
    done = subprocess.run(
        ["dot", "-Tsvg"], input=dot_source, capture_output=True, text=True, check=True
    )
    return done.stdout


def _report(findings, chart_dir: Path, **options) -> str:
    views = {
        view: _svg(journey_dot(findings.map.dfg, findings.map.activities, view=view,
                               lanes=findings.lanes, caption=map_caption(findings.scope)))
        for view in ("frequency", "performance")
    }  # fmt: skip
    network = None
    if findings.network is not None:
        network = _svg(handoff_network_dot(findings.network))
    charts = {
        name: xmr_svg(chart, title=name, path=chart_dir / f"{name}.svg").read_text()
        for name, chart in findings.check.charts.items()
    }
    return render_report(
        findings, journey_svgs=views, network_svg=network, chart_svgs=charts, options=options
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    findings = jm.mine(jm.read_log(str(SAMPLE)))
    html = _report(findings, tmp_path_factory.mktemp("charts"), source_sha256="ab" * 32)
    return findings, html


@pytest.fixture(scope="module")
def evil(tmp_path_factory):
    df = pd.DataFrame({
        "case": ["C1", "C1", "C1", "C2", "C2", "C3", "C3"],
        "activity": ["Open", EVIL, QUOTED, "Open", EVIL, "Open", QUOTED],
        "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
                      "2024-01-03 09:00", "2024-01-04 12:00", "2024-01-05 09:00",
                      "2024-01-08 09:00"],
        "team": ["Desk", EVIL, QUOTED, "Desk", QUOTED, EVIL, "Desk"],
        "resource": ["ann", EVIL, QUOTED, "bob", EVIL, QUOTED, "ann"],
    })  # fmt: skip
    log = jm.EventLog.from_frame(df, source=f"{EVIL} {QUOTED}.csv")
    return _report(jm.mine(log), tmp_path_factory.mktemp("evil"), title=EVIL)


def test_key_numbers_present(sample):
    findings, html = sample
    s = summary(findings)
    cases = s["cases"]
    expected = [
        thousands(cases),
        f"{s['failure_demand_pct']:.1f}%",
        f"{s['one_stop_pct']:.1f}%",
        f"{s['clean_pct']:.1f}%",
        wait_text(s["end_to_end"]["median_s"]),
        wait_text(s["end_to_end"]["p90_s"]),
        f"{s['handoffs']['total'] / s['handoffs']['cases']:.2f}",
        f"{100 * s['rework']['cases'] / cases:.1f}%",
    ]
    # The end-to-end times in days, side by side (not 5.4 d beside 3.1 wk).
    assert expected == [
        "1,350", "27.3%", "26.9%", "64.4%", "5.4 days", "22 days", "1.55", "15.9%"
    ]  # fmt: skip
    numbers = lxml.html.fromstring(html).xpath("//dl[@class='numbers']//dd")
    assert [dd.text_content() for dd in numbers] == expected
    assert escape(s["capability"]["statement"]) in html  # "Customers' waits ..."
    assert f"{s['variants_for_80pct']} variants cover 80% of demand" in html


def test_failure_demand_tile_says_when_repeat_contact_is_in_doubt(tmp_path):
    """Twelve cases of two customers, ten of them a day apart for one (an account):
    the tile's label points at the note, which the Demand section shows; demand types
    are in words there."""
    from journeymap.render.report import key_numbers

    rows = [(f"a{i}", "A", f"2024-01-{i + 1:02d} 09:00") for i in range(10)]
    rows += [("b1", "B", "2024-01-01 09:00"), ("b2", "B", "2024-03-01 09:00")]
    frame = pd.DataFrame(rows, columns=["case", "customer", "timestamp"]).assign(activity="Call")
    with jm.EventLog.from_frame(frame, customer="customer") as log:
        found = jm.mine(log)
        labels = dict(key_numbers(found))
        jm.write_outputs(found, tmp_path / "out", report=True)
    assert labels["Failure demand (repeat contact in doubt: see Demand)"] == "75.0%"
    # One-stop and clean leave failure demand out: in doubt with it. Each case is a call
    # and a reply by one person, so the 3 value-demand cases of 12 are one-stop.
    replies = frame.assign(activity="Reply", timestamp=frame["timestamp"].str[:-5] + "10:00")
    both = pd.concat([frame, replies], ignore_index=True).assign(resource="ann")
    with jm.EventLog.from_frame(both, customer="customer") as log:
        labels = dict(key_numbers(jm.mine(log)))
    assert labels["One-stop (repeat contact in doubt: see Demand)"] == "25.0%"
    assert labels["Clean (repeat contact in doubt: see Demand)"] == "25.0%"
    doc = lxml.html.fromstring((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    demand = doc.xpath('//section[@id="demand"]')[0]
    warnings = [p.text_content() for p in demand.xpath('.//p[@class="warning"]')]
    assert warnings[0].startswith("Rule 'repeat_contact' matches 9 of 12 cases (75.0%)")
    assert warnings[1].startswith(
        "Repeat contact: 9 of 12 cases are counted as repeat contacts, but the customer "
        "column 'customer' gives 6.0 cases per customer"
    )
    types = [row.xpath("./td")[0].text_content() for row in demand.xpath(".//table[1]//tbody/tr")]
    assert types == [
        "failure demand: repeat contact",
        "value demand",
        "failure demand: a failure-demand activity",
    ]


def test_tiles_of_handlers_say_of_how_many_cases_when_some_have_no_handler():
    """Five cases, one (E) with no team on any event: the team is on 8 of 9 events (89%, not
    partial): one-stop is a share of the four with a team, and the tile says so, or a
    reader divides by the five cases of the demand tile."""
    from journeymap.render.report import key_numbers

    rows = [
        (c, a, f"2024-01-0{i + 1} 0{j + 8}:00", t)
        for i, c in enumerate("ABCD")
        for j, (a, t) in enumerate([("Log", "Desk"), ("Fix", "Desk" if c == "A" else "Field")])
    ]
    rows += [("E", "Log", "2024-01-06 08:00", None)]
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "team"])
    with jm.EventLog.from_frame(frame) as log:
        tiles = dict(key_numbers(jm.mine(log)))
    assert tiles["Demand (cases)"] == "5"
    assert tiles["One-stop (of the 4 cases with a known team)"] == "25.0%"
    assert tiles["Clean (of the 4 cases with a known team)"] == "100.0%"
    # B, C and D hand Log over to Fix: 3 hand-offs in the 4 cases with a team, not 5.
    assert tiles["Hand-offs per case (of the 4 cases with a known team)"] == "0.75"
    # Three cases of two events with no team: 8 of 14 events (57%), partial data, and
    # the denominator is said before the doubt, where it matters most.
    more = [
        (c, a, f"2024-01-1{i} 0{j + 8}:00", None)
        for i, c in enumerate("EFG")
        for j, a in enumerate(["Log", "Fix"])
    ]
    frame = pd.DataFrame(rows[:-1] + more, columns=frame.columns)
    with jm.EventLog.from_frame(frame) as log:
        tiles = dict(key_numbers(jm.mine(log)))
    assert tiles["One-stop (of the 4 cases with a known team; partial data: see Hand-offs)"] == (
        "25.0%"
    )
    label = "Hand-offs per case (of the 4 cases with a known team; partial data: see Hand-offs)"
    assert tiles[label] == "0.75"


def _fines(second_officer: bool) -> pd.DataFrame:
    """Four cases of Create, Send, Pay; the resource recorded on Create only (as a
    traffic-fine log records who issued the fine), and, with ``second_officer``, on
    case D's Pay too."""
    rows = []
    for case in ("A", "B", "C", "D"):
        payer = "Officer 2" if second_officer and case == "D" else None
        rows += [
            (case, "Create", "2024-01-01 09:00", "Officer 1"),
            (case, "Send", "2024-01-02 09:00", None),
            (case, "Pay", "2024-01-05 09:00", payer),
        ]
    return pd.DataFrame(rows, columns=["case", "activity", "timestamp", "resource"])


def test_figures_that_rest_on_few_known_handlers_say_so():
    """The resource is recorded on 5 of 12 events, 41.7%, under MEASURES.md's 80%, and
    on two events in one case of four, the only one where a hand-off can be seen. The
    handler-based tiles point at the Hand-offs section, and the doubt is one of those
    every output gives."""
    from journeymap.render.doubts import doubts
    from journeymap.render.report import key_numbers

    with jm.EventLog.from_frame(_fines(second_officer=True)) as log:
        found = jm.mine(log)
        tiles = key_numbers(found)
        said = doubts(found)
    assert [label for label, _ in tiles[2:4]] == [
        "One-stop (partial data: see Hand-offs)",
        "Clean (partial data: see Hand-offs)",
    ]
    assert tiles[6] == ("Hand-offs per case (partial data: see Hand-offs)", "0.25")
    assert said[-1] == (
        "hand-offs, one-stop and clean cases rest on partial data: the resource is recorded "
        "on 41.7% of events and in 100.0% of cases, on two events or more (where a hand-off "
        "can be seen) in 25.0%, and a case's other events may have had other handlers; map "
        "a column recorded on more events (--team, --resource)"
    )


def test_no_hand_off_can_be_seen_with_one_handler_event_a_case():
    """The resource on Create only: no case has two events with one, so no hand-off can
    be seen, and 'one-stop 100%' and '0 hand-offs per case' would say what the log
    cannot (the road-fines sample)."""
    from journeymap.render.doubts import doubts
    from journeymap.render.report import key_numbers
    from journeymap.render.summary import summary

    with jm.EventLog.from_frame(_fines(second_officer=False)) as log:
        found = jm.mine(log)
        tiles = key_numbers(found)
        said = doubts(found)
        said_json = summary(found)
        html = render_report(found, journey_svgs={}, network_svg=None, chart_svgs={}, options={})
    # summary.json (and the batch index, compare) say no more: none counted, no rate.
    handoffs = said_json["handoffs"]
    assert (handoffs["total"], handoffs["per_case"], handoffs["e2e_by_handoffs"]) == (0, None, None)
    assert said_json["one_stop_pct"] is None
    unseen = " (no hand-off can be seen: see Hand-offs)"
    assert tiles[2] == ("One-stop" + unseen, "–")
    assert tiles[3] == ("Clean" + unseen, "–")  # no ping-pong can be seen either
    assert tiles[6] == ("Hand-offs per case" + unseen, "–")
    assert said[-1] == (
        "no hand-off can be seen: no case has two events with a recorded resource (it is "
        "recorded on 33.3% of events), so the hand-off, one-stop and clean figures say "
        "nothing of how work passes between handlers; map a column recorded on more events "
        "(--team, --resource)"
    )
    assert (
        "No hand-off can be seen in this log: no case has two events with a recorded "
        "resource" in html
    )


def test_a_team_column_that_never_changes_while_people_do_is_doubted(tmp_path):
    """Each case keeps one team while its work passes between two people (a helpdesk's
    "workgroup"): 0 team hand-offs in 10 cases, 20 between people. mine says so, and
    so does the Hand-offs section; a team that does change is not doubted."""
    from journeymap.render.doubts import doubts
    from journeymap.render.report import key_numbers

    rows = [
        (f"c{i}", activity, f"2024-01-{i + 1:02d} {hour:02d}:00", "Desk", person)
        for i in range(10)
        for hour, activity, person in (
            (9, "Open", "ann"),
            (10, "Work", "bob"),
            (11, "Close", "ann"),
        )
    ]
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "team", "resource"])
    with jm.EventLog.from_frame(frame) as log:
        found = jm.mine(log)
        said = doubts(found)
        jm.write_outputs(found, tmp_path / "out", report=True)
    expected = (
        "hand-offs are counted between teams ('team'), which change 0 times in 10 cases "
        "(0.00 per case), while the resource ('resource') changes 20 times (2.00 per "
        "case): if 'team' is not the team that does the work, name that column with "
        "--team, or count hand-offs between people with --team ''; tables/handoffs.csv "
        "has them too"
    )
    assert said[-1] == expected
    doc = lxml.html.fromstring((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    section = doc.xpath('//section[@id="handoffs"]')[0]
    warnings = [p.text_content() for p in section.xpath('.//p[@class="warning"]')]
    assert warnings == [expected[0].upper() + expected[1:] + "."]
    # A network of many handlers is too small to read at the page's width: the caption
    # says where it can be zoomed, as the journey map's Hand-offs view draws it too.
    assert doc.xpath('//div[@class="views"]/button[@data-view="hand-offs"]')
    assert (
        section.xpath(".//figcaption")[0]
        .text_content()
        .endswith("To read its labels, zoom into it in the journey map's Hand-offs view.")
    )
    # the tiles copied onto a slide carry it too
    labels = [label for label, _ in key_numbers(found)]
    assert labels[2] == "One-stop (teams hardly change: see Hand-offs)"
    assert labels[6] == "Hand-offs per case (teams hardly change: see Hand-offs)"
    moved = frame.assign(team=frame["resource"].map({"ann": "Desk", "bob": "Back"}))
    with jm.EventLog.from_frame(moved) as log:
        assert not any(d.startswith("hand-offs are counted") for d in doubts(jm.mine(log)))
    # An org line that changes in one case of ten (0.2 per case, people 10 times as often,
    # as BPIC 2013's 'org:group' does 8 times less than its people): doubted too.
    once = frame.assign(team=frame["team"].where(frame.index != 1, "Back"))
    with jm.EventLog.from_frame(once) as log:
        said = [d for d in doubts(jm.mine(log)) if d.startswith("hand-offs are counted")]
    assert said == [expected.replace("change 0 times", "change 2 times").replace(
        "(0.00 per case)", "(0.20 per case)")]  # fmt: skip


def test_a_log_of_one_case_is_described_in_the_singular(tmp_path):
    """One customer's one case (a single issue's history, as a Jira export of one
    issue gives): the map's title, the journeys and the variants say "1 case", not
    "1 cases", and a missing chart's note ends with one full stop."""
    frame = pd.DataFrame(
        {
            "case": ["T1", "T1"],
            "activity": ["Open", "Resolved"],
            "timestamp": ["2024-01-03 09:00", "2024-03-20 09:00"],
            "customer": ["C1", "C1"],
        }
    )
    with jm.EventLog.from_frame(frame) as log:
        jm.write_outputs(jm.mine(log), tmp_path / "out", report=True)
    doc = lxml.html.fromstring((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    for code in doc.xpath("//script|//style"):
        code.drop_tree()
    text = " ".join(doc.text_content().split())
    assert "data frame: 1 case, 2 events, 2024-01-03 to 2024-03-20" in text
    assert "The one customer needed one case." in text
    assert "The customer's 1 case" not in text  # one case is one journey: said once
    assert "Every case followed the same variant." in text
    # "1 of 1 cases" is English; "1 cases" alone is not, nor a sentence ending "..".
    assert not re.search(r"(?<!of )\b1 (cases|events|journeys|variants)\b", text)
    assert not re.search(r"[^.]\.\.(?!\.)", text)
    notes = [p.text_content() for p in doc.xpath('//p[@class="note"]')]
    assert any(n.startswith("No weekly volume chart: no new case in any of the") for n in notes)
    assert all(not n.endswith("..") for n in notes)
    # no team or resource: hand-offs are not measured, which is not "none found"
    assert "No hand-offs can be measured: the log has no team or resource" in text
    assert "No hand-offs were found" not in text


def test_a_few_hand_offs_in_many_cases_do_not_read_as_none():
    """One hand-off in 400 cases: 0.0025 per case, not 0.00."""
    from journeymap.render.report import key_numbers

    rows = [(f"c{i}", "Call", "2024-01-01 09:00", "Desk") for i in range(400)]
    rows.append(("c0", "Fix", "2024-01-01 10:00", "Field"))
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "team"])
    with jm.EventLog.from_frame(frame) as log:
        labels = dict(key_numbers(jm.mine(log)))
    # (399 of the 400 cases have a single event, which the label also says)
    assert labels["Hand-offs per case (many single events: see above)"] == "0.0025"


def test_view_buttons_and_svgs(sample):
    _, html = sample
    doc = lxml.html.fromstring(html)
    buttons = doc.xpath("//button[@data-view]")
    assert [b.get("data-view") for b in buttons] == ["frequency", "performance"]
    assert [b.get("aria-pressed") for b in buttons] == ["true", "false"]
    views = doc.xpath("//div[@data-view and contains(@class, 'view')]")
    assert [v.get("data-view") for v in views] == ["frequency", "performance"]
    for view in views:
        (svg,) = view.xpath(".//*[local-name()='svg']")
        assert svg.get("role") == "img" and svg.get("aria-label").startswith("Journey map")
    # network + 3 charts + 2 views + the variants' coverage curve, every figure described
    svgs = doc.xpath("//*[local-name()='svg']")
    assert len(svgs) == 7
    assert all(s.get("aria-label") for s in svgs)
    ids = [e.get("id") for e in doc.xpath("//*[@id]")]
    assert len(ids) == len(set(ids))  # pictures' ids do not clash


@pytest.mark.parametrize(("view", "shown"), [("performance", "performance"),
                                             ("handoffs", "hand-offs")])  # fmt: skip
def test_the_report_opens_on_the_view_asked_for(view, shown):
    """--view performance opens the report's map on its performance view; --view
    handoffs on the hand-off network (the view "hand-offs")."""
    findings = jm.mine(jm.read_log(str(SAMPLE)))
    network = _svg(handoff_network_dot(findings.network))
    views = {"frequency": network, "performance": network, "hand-offs": network}
    html = render_report(
        findings, journey_svgs=views, network_svg=None, chart_svgs={}, options={"view": view}
    )
    doc = lxml.html.fromstring(html)
    pressed = {b.get("data-view"): b.get("aria-pressed") for b in doc.xpath("//button[@data-view]")}
    assert pressed == {v: "true" if v == shown else "false" for v in views}
    active = doc.xpath("//div[contains(@class, 'view') and contains(@class, 'active')]")
    assert [v.get("data-view") for v in active] == [shown]


def test_self_contained(sample):
    _, html = sample
    doc = lxml.html.fromstring(html)
    for element in doc.iter():
        for name, value in element.attrib.items():
            if name.rpartition("}")[2] in ("src", "href"):
                assert not value.strip().startswith(("http://", "https://", "//")), value
    assert not doc.xpath("//link | //iframe | //img[@src]")
    assert "ab" * 32 in html  # the source's checksum is recorded


def test_headings_in_order(sample):
    _, html = sample
    doc = lxml.html.fromstring(html)
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_glossary_has_hypothesis_note(sample):
    _, html = sample
    (glossary,) = lxml.html.fromstring(html).xpath("//*[@id='glossary']")
    text = glossary.text_content()
    assert HYPOTHESIS_NOTE in text
    for term in ("Case", "Hand-off", "Ping-pong", "Failure demand", "Value demand",
                 "One-stop", "Clean", "End-to-end time", "Variant"):  # fmt: skip
        assert term in text


def test_reintegration_plan_section(sample, evil):
    findings, html = sample
    doc = lxml.html.fromstring(html)
    (section,) = doc.xpath("//section[@id='plan']")
    assert PLAN_CAVEAT in section.text_content()
    assert "up to 3 teams a group" in section.text_content()
    items = [li.text_content() for li in section.xpath(".//ol/li")]
    assert items == plan_sentences(findings.reintegration_plan)
    assert items[0].startswith("Back Office, Contact Centre and Field Team, working as one")
    assert doc.xpath("//nav//a[@href='#plan']")[0].text_content() == "Reintegration plan"
    # Handler names from the log are text in the plan's sentences too.
    (plan,) = lxml.html.fromstring(evil).xpath("//section[@id='plan']")
    assert EVIL in plan.text_content() and not plan.xpath(".//script")


def test_size_bound(sample):
    _, html = sample
    assert len(html.encode("utf-8")) < 5_000_000


def test_escaping(evil):
    doc = lxml.html.fromstring(evil)
    scripts = doc.xpath("//script")
    assert len(scripts) == 1 and scripts[0].text == SCRIPT
    assert "<script>alert" not in evil.replace(SCRIPT, "")
    assert "alert(1)" not in scripts[0].text
    assert not [e for e in doc.iter() if any(a.lower().startswith("on") for a in e.attrib)]
    text = doc.text_content()
    assert EVIL in text and QUOTED in text  # shown as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil
    assert "&quot;quoted&quot; &amp; ampersand" in evil
    assert doc.findtext(".//title").startswith(EVIL)
    assert doc.findtext(".//h1") == EVIL


def test_deterministic(tmp_path):
    df = pd.DataFrame({
        "case": ["C1", "C1", "C2", "C2", "C2"],
        "activity": ["Open", "Close", "Open", "Chase", "Close"],
        "timestamp": ["2024-01-01 09:00", "2024-01-02 09:00", "2024-01-01 10:00",
                      "2024-01-03 10:00", "2024-01-04 10:00"],
        "team": ["A", "B", "A", "A", "B"],
    })  # fmt: skip

    def once(n: int) -> str:
        findings = jm.mine(jm.EventLog.from_frame(df, source="tiny.csv"))
        return _report(findings, tmp_path / str(n))

    first = once(1)
    assert first == once(2)
    assert "1 variant cover" not in first and "2 variants cover 80% of demand" in first


def test_inline_svg_drops_active_content():
    svg = (
        '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="10pt" height="10pt" viewBox="0 0 10 10"><!-- c --><script>alert(1)</script>'
        '<g id="g1" onclick="alert(2)" ONMOUSEOVER="alert(3)"><a xlink:href="https://x.org">'
        '<text clip-path="url(#g1)">&lt;b&gt;</text></a><use href="#g1"/></g></svg>'
    )
    out = inline_svg(svg, prefix="p", label='a "map"')
    assert out == (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 10 10" role="img" aria-label="a &quot;map&quot;"><g id="p-g1"><a>'
        '<text clip-path="url(#p-g1)">&lt;b&gt;</text></a><use href="#p-g1"/></g></svg>'
    )
    with pytest.raises(ValueError, match="not well-formed"):
        inline_svg("<svg", prefix="p", label="x")


def test_sort_values_do_not_carry_a_float_sums_last_digits():
    """A wait summed in parallel can differ in its last digits between runs; the page
    sorts on three decimals, as the CSV tables hold them, so it stays byte-identical."""
    from journeymap.render.report_html import Column, sortable_table

    frame = pd.DataFrame({"wait": [1234567.8912345001, 1234567.8912345009]})
    html = sortable_table(frame, [Column("wait", "Wait", "duration")], caption="Waits")
    assert html.count('data-sort="1234567.891"') == 2


def test_redos_need_a_resource(sample, tmp_path):
    """Rework by other hands cannot be told without a resource: no column of zeros, a
    note saying what to map instead."""
    _, html = sample  # the sample has resources
    rework = lxml.html.fromstring(html).xpath('//section[@id="rework"]')[0]
    assert "Redo (other hands)" in rework.text_content()
    rows = [("1", "Log", "2024-01-01 09:00", "Desk"), ("1", "Log", "2024-01-02 09:00", "Desk"),
            ("2", "Log", "2024-01-03 09:00", "Field")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "team"])
    with jm.EventLog.from_frame(frame) as log:
        teams_only = _report(jm.mine(log), tmp_path)
    rework = lxml.html.fromstring(teams_only).xpath('//section[@id="rework"]')[0]
    headers = [th.text_content() for th in rework.xpath(".//th")]
    assert headers == ["Activity", "Rework events", "Cases", "Self-loops", "Total wait into rework"]
    assert "map a resource column (--resource) to count them" in rework.text_content()


def test_the_failure_demand_map_is_abstracted_and_labelled_as_its_own(sample, tmp_path):
    """The report's failure-demand map keeps the busiest paths as the journey map does,
    and its picture is described by its own scope."""
    findings, _ = sample
    failure = findings.failure_map
    scope = failure.scope
    assert (failure.cases, scope.paths_shown, scope.paths_total) == (368, 66, 144)
    assert len(failure.dfg) == 66
    jm.write_outputs(findings, tmp_path / "out", report=True)
    doc = lxml.html.fromstring((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    maps = doc.xpath('//section[@id="journey"]//svg')
    labels = [svg.get("aria-label") for svg in maps]
    # The map's views carry journey.*'s title, so they are laid out as journey.* is.
    title = "service_desk.csv: 1,350 cases, 8,035 events, 2024-01-01 to 2025-06-10"
    assert [title in svg.text_content() for svg in maps] == [True, True, False, False]
    assert labels == [
        "Journey map, frequency view: All 34 activities, 64 of 159 paths.",
        "Journey map, performance view: All 34 activities, 64 of 159 paths.",
        "Journey map, failure demand view: Failure demand only: all 34 activities, 66 of 144 "
        "paths.",
        "Journey map, hand-offs view: hand-offs between teams.",
    ]


def test_reintegration_says_how_many_cases_and_which_hand_offs_feed_failure_demand(sample):
    """The ranking says how many cases had a hand-off at all, and a hand-off into a
    chaser is not offered as work for one team: the wait caused the chaser."""
    findings, html = sample
    section = lxml.html.fromstring(html).xpath('//section[@id="reintegration"]')[0]
    intro = section.xpath("./p")[0].text_content()
    assert intro.endswith("Hand-offs happened in 927 of the 1,350 cases (69%).")
    assert findings.handoff_summary["cases_with_handoff"] == 927
    items = [li.text_content() for li in section.xpath(".//li")]
    chaser = [i for i in items if "to 'Progress chase call'" in i]
    assert len(chaser) == 1 and chaser[0].endswith(
        "'Progress chase call' looks like failure demand: the customer came back while "
        "waiting, so the wait, not the hand-off, is what to remove."
    )
    assert "Progress chase call" in findings.failure_activities
    others = [i for i in items if i not in chaser and "Chaser e-mail" not in i]
    assert others and all(
        i.endswith("One team doing both would remove that hand-off.") for i in others
    )


@pytest.mark.parametrize(
    ("lanes", "words"),
    [
        ("team", "; lanes are the teams that did the work."),
        ("resource", "; lanes are the people who did the work."),
        ("channel", "; lanes are the channels the work came through."),
        ("none", "."),
    ],
)
def test_the_map_caption_says_what_its_lanes_are(tmp_path, lanes, words):
    log = jm.EventLog.from_frame(
        pd.DataFrame(
            {
                "case": ["1", "1", "2", "2"],
                "activity": ["Open", "Close", "Open", "Close"],
                "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00"] * 2,
                "team": ["Desk", "Back", "Desk", "Back"],
                "resource": ["ann", "bob", "ann", "cy"],
                "channel": ["web", "web", "phone", "phone"],
            }
        )
    )
    html = _report(jm.mine(log, lanes=lanes), tmp_path)
    (caption,) = lxml.html.fromstring(html).xpath("//section[@id='journey']//figcaption")
    assert caption.text_content().endswith("Boxes are activities, arrows are transitions" + words)


def test_a_handler_that_looks_like_a_placeholder_is_doubted(tmp_path):
    """BPIC 2013's "!DO NOT USE!" support team: not in MEASURES.md's placeholder list, so
    it stays a team, but every output says so and how to read it as not recorded. Case
    c0 and c1: Desk -> !DO NOT USE! -> Back, two hand-offs each; c2: Desk -> Back."""
    from journeymap.render.doubts import doubts

    rows = [
        (case, activity, f"2024-01-0{day} {hour:02d}:00", team)
        for case, day, teams in (
            ("c0", 1, ("Desk", "!DO NOT USE!", "Back")),
            ("c1", 2, ("Desk", "!DO NOT USE!", "Back")),
            ("c2", 3, ("Desk", "Back", "Back")),
        )
        for hour, activity, team in zip((9, 10, 11), ("Open", "Work", "Close"), teams, strict=True)
    ]
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "team"])
    expected = (
        "1 team ('!DO NOT USE!') looks like a placeholder rather than a team, and takes "
        "part in 4 hand-offs: to read it as not recorded, add --extra-missing-values "
        "'!DO NOT USE!'"
    )
    with jm.EventLog.from_frame(frame) as log:
        found = jm.mine(log)
        assert doubts(found)[-1] == expected
        jm.write_outputs(found, tmp_path / "out", report=True)
    doc = lxml.html.fromstring((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    section = doc.xpath('//section[@id="handoffs"]')[0]
    warnings = [p.text_content() for p in section.xpath('.//p[@class="warning"]')]
    assert warnings == [expected[0].upper() + expected[1:] + "."]
    frame.to_csv(tmp_path / "log.csv", index=False)
    with jm.read_log(str(tmp_path / "log.csv"), extra_missing_values=("!DO NOT USE!",)) as log:
        assert not any("placeholder" in d for d in doubts(jm.mine(log)))
    # pm4py's reviewing log names a resource '__INVALID__': a word between underscores.
    from journeymap.render.doubts import PLACEHOLDER_LIKE

    assert PLACEHOLDER_LIKE.search("__INVALID__") and not PLACEHOLDER_LIKE.search("Invalidation")


def test_a_plan_on_hand_offs_in_few_cases_says_how_few():
    """Hand-offs between teams in 1 of 30 cases (3%, under 5%): the plan's share of the
    waiting is a share of that case's; with 2 of 30 (7%) the warning goes."""
    from journeymap.render.report_handoffs import plan_section

    def log(moved: int):
        rows = []
        for i in range(30):
            teams = ("Desk", "Back") if i < moved else ("Desk", "Desk")
            rows += [(f"c{i}", "Open", f"2024-01-{i % 28 + 1:02d} 09:00", teams[0]),
                     (f"c{i}", "Close", f"2024-01-{i % 28 + 1:02d} 12:00", teams[1])]  # fmt: skip
        return jm.EventLog.from_frame(
            pd.DataFrame(rows, columns=["case", "activity", "timestamp", "team"])
        )

    with log(1) as one:
        section = lxml.html.fromstring(plan_section(jm.mine(one)))
    warnings = [p.text_content() for p in section.xpath('.//p[@class="warning"]')]
    assert warnings == [
        "Hand-offs between teams happen in 1 of 30 cases (3.3%): this plan rests on those "
        "alone, and its shares are shares of their waiting."
    ]
    with log(2) as two:
        section = lxml.html.fromstring(plan_section(jm.mine(two)))
    assert not section.xpath('.//p[@class="warning"]')


def test_many_rejected_rows_are_a_doubt_everywhere(tmp_path):
    """1 of 4 rows (25%) rejected for its timestamp: summary.json's doubts say so first,
    and the report above its figures; 1 of 20 (5%) too, 1 of 21 (under 5%) not."""
    import json

    from click.testing import CliRunner

    from journeymap.cli import cli

    def doubts_of(rows: int, *report: str) -> list[str]:
        lines = ["case,activity,timestamp"]
        lines += [f"{i // 2},{'ab'[i % 2]},2024-01-01 {9 + i % 2:02d}:00" for i in range(rows - 1)]
        lines.append("x,a,not a date")
        path = tmp_path / f"log{rows}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = tmp_path / f"out{rows}"
        result = CliRunner().invoke(cli, ["mine", str(path), "-o", str(out), *report])
        assert result.exit_code == 0, result.output
        return json.loads((out / "summary.json").read_text(encoding="utf-8"))["doubts"]

    few = (
        "The log holds 2 cases only: its shares, percentiles and rankings describe those "
        "cases, not how the service works; export more (20 cases or more) before showing "
        "them as findings."
    )
    said = (
        "1 of 4 rows (25%) was rejected (1 unreadable timestamp) and is in no figure: "
        "tables/rejects.csv gives each with its reason; fix the export and mine it again"
    )
    assert doubts_of(4, "--quiet")[0] == said
    page = lxml.html.fromstring((tmp_path / "out4" / "report.html").read_text(encoding="utf-8"))
    (header,) = page.xpath("//header")
    warnings = [p.text_content() for p in header.xpath("./p[@class='warning']")]
    # after "1 of 2 cases has a single", before the doubt on so few cases
    assert warnings[-2:] == [said[0].upper() + said[1:] + ".", few]
    assert header.xpath("./dl[@class='numbers']")  # the figures come after it
    assert doubts_of(20, "--no-report")[0].startswith("1 of 20 rows (5%) was rejected")
    assert not any("rejected" in d for d in doubts_of(21, "--no-report"))


def test_the_weekly_charts_say_which_period_they_cover_in_whole_sentences(sample):
    _, html = sample
    (section,) = lxml.html.fromstring(html).xpath("//section[@id='demand']")
    notes = [p.text_content() for p in section.xpath(".//p[@class='note']")]
    (said,) = [n for n in notes if n.startswith("The weekly charts")]
    assert said.startswith(
        "The weekly charts cover the weeks of the capability chart's period. Cases that "
        "started and ended from 2024-01-01 to 2024-06-30,"
    )


def test_a_capability_chart_is_captioned_with_how_to_read_it_not_its_statement_again(sample):
    from journeymap.render.report_check import XMR_HOW

    findings, html = sample
    (section,) = lxml.html.fromstring(html).xpath("//section[@id='capability']")
    (caption,) = section.xpath(".//figure//figcaption")
    assert caption.text_content() == XMR_HOW
    from journeymap.render.capability_words import capability_statement

    statement = capability_statement(findings.check.charts["capability_e2e"])
    (label,) = section.xpath(".//figure//*[@aria-label]/@aria-label")
    assert label == f"XmR chart, End-to-end time. {statement}"


def test_rules_that_find_no_failure_demand_are_said_once_in_the_demand_section(tmp_path):
    """No activity name has a failure word and no customer is mapped: the Demand section
    warns once, as a sentence, and has no second note saying the patterns matched
    nothing (a Jira issue's report had both)."""
    from journeymap.render.report_check import demand_section

    frame = pd.DataFrame(
        [("T1", "Open", "2024-01-01 09:00"), ("T1", "Closed", "2024-01-02 09:00")],
        columns=["case", "activity", "timestamp"],
    )
    with jm.EventLog.from_frame(frame) as log:
        section = lxml.html.fromstring(demand_section(jm.mine(log), {}))
    warnings = [p.text_content() for p in section.xpath('.//p[@class="warning"]')]
    assert [w[:49] for w in warnings] == ["No failure demand found by the rules: no activity"]
    assert "No activity name matched" not in section.text_content()


def test_the_tiles_that_need_a_history_say_so_for_a_list_of_records():
    """Three tickets as they stand, one row each (a ServiceNow list): the tiles that
    need a history point at the banner above them; demand and failure demand do not."""
    from journeymap.render.report import key_numbers

    frame = pd.DataFrame(
        [("T1", "Open", "2024-01-01 09:00", "ann"), ("T2", "Closed", "2024-01-02 09:00", "bob"),
         ("T3", "Open", "2024-01-03 09:00", "ann")],
        columns=["case", "activity", "timestamp", "resource"],
    )  # fmt: skip
    with jm.EventLog.from_frame(frame) as log:
        labels = [label for label, _ in key_numbers(jm.mine(log))]
    assert labels == [
        "Demand (cases)",
        "Failure demand (none found by the rules: see Demand)",
        "One-stop (many single events: see above)",
        "Clean (many single events: see above)",
        "End-to-end, median (many single events: see above)",
        "End-to-end, 90th percentile (many single events: see above)",
        "Hand-offs per case (many single events: see above)",
        "Cases with rework (many single events: see above)",
    ]


def test_variants_say_when_many_cases_have_events_at_equal_times(tmp_path):
    """Two of four cases record two steps in the same minute: their order is the file's,
    and so are their variants (sepsis's lab results); the Variants section says so."""
    rows = []
    for case, tied in (("A", True), ("B", True), ("C", False), ("D", False)):
        second = "2024-01-01 09:00" if tied else "2024-01-01 09:30"
        rows += [(case, "Triage", "2024-01-01 09:00"), (case, "Lab", second),
                 (case, "Discharge", "2024-01-02 09:00")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp"])
    with jm.EventLog.from_frame(frame) as log:
        jm.write_outputs(jm.mine(log), tmp_path / "out", report=True)
    doc = lxml.html.fromstring((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    section = doc.xpath('//section[@id="variants"]')[0]
    warnings = [" ".join(p.text_content().split()) for p in section.xpath('.//p[@class="warning"]')]
    assert warnings == [
        "2 cases (50%) have events at equal times: their order, and so their variant, "
        "follows the rows of the source, so events recorded together can make variants "
        "that differ only in that order."
    ]


def test_the_reach_of_hand_offs_is_over_the_cases_with_a_handler(tmp_path):
    """Two of three cases have a team; one of them a hand-off: 1 of the 2 cases with a
    recorded team (50%), as the tiles count, not 1 of 3."""
    frame = pd.DataFrame(
        [("A", "Log", "2024-01-01 09:00", "Front"), ("A", "Fix", "2024-01-01 10:00", "Back"),
         ("B", "Log", "2024-01-02 09:00", "Front"), ("B", "Fix", "2024-01-02 10:00", "Front"),
         ("C", "Log", "2024-01-03 09:00", None), ("C", "Fix", "2024-01-03 10:00", None)],
        columns=["case", "activity", "timestamp", "team"],
    )  # fmt: skip
    with jm.EventLog.from_frame(frame) as log:
        jm.write_outputs(jm.mine(log), tmp_path / "out", report=True)
    doc = lxml.html.fromstring((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    intro = doc.xpath('//section[@id="reintegration"]/p')[0].text_content()
    assert intro.endswith("Hand-offs happened in 1 of the 2 cases with a recorded team (50%).")


def test_the_demand_section_shows_flow_by_channel(sample):
    """With a channel mapped, the report shows each channel's cases and flow measures
    (summary.json's flow_by_channel), most cases first; without one, no such table."""
    findings, html = sample
    doc = lxml.html.fromstring(html)
    (table,) = doc.xpath("//section[@id='demand']//table[caption='Flow by channel']")
    rows = [
        [c.text_content().strip() for c in tr.xpath("./td")] for tr in table.xpath(".//tbody/tr")
    ]
    by_channel = findings.check.flow_summary["by_channel"]
    ranked = sorted(by_channel, key=lambda k: (-by_channel[k]["cases"], k))
    assert [r[0] for r in rows] == ranked
    assert [int(r[1].replace(",", "")) for r in rows] == [by_channel[k]["cases"] for k in ranked]
    assert rows[0][3] == f"{by_channel[ranked[0]]['one_stop_pct']:.1f}%"
    rows_no_channel = [("1", "Call", "2024-01-01 09:00"), ("1", "Fix", "2024-01-01 10:00")]
    frame = pd.DataFrame(rows_no_channel, columns=["case", "activity", "timestamp"])
    with jm.EventLog.from_frame(frame) as log:
        plain = render_report(
            jm.mine(log), journey_svgs={}, network_svg=None, chart_svgs={}, options={}
        )
    assert "Flow by channel" not in plain


def test_flow_by_channel_shows_the_cases_its_shares_are_of():
    """Web: case 1 (team A throughout: one-stop) and case 2 (no team: unknown), so its
    shares are of 1 case; phone: case 3, A then B (a hand-off: clean, not one-stop). The
    column of cases with a known team is shown, and the note says what the shares are of;
    with no hand-off to be seen anywhere, a note replaces a table of dashes."""
    rows = [("1", "Call", "09:00", "web", "A"), ("1", "Close", "10:00", "web", "A"),
            ("2", "Call", "09:00", "web", None), ("2", "Close", "10:00", "web", None),
            ("3", "Call", "09:00", "phone", "A"), ("3", "Fix", "10:00", "phone", "B")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "channel", "team"])
    frame["timestamp"] = "2024-01-0" + frame["case"] + " " + frame["timestamp"]

    def section(data: pd.DataFrame) -> lxml.html.HtmlElement:
        with jm.EventLog.from_frame(data) as log:
            html = render_report(
                jm.mine(log), journey_svgs={}, network_svg=None, chart_svgs={}, options={}
            )
        return lxml.html.fromstring(html).xpath("//section[@id='demand']")[0]

    demand = section(frame)
    (table,) = demand.xpath(".//table[caption='Flow by channel']")
    assert [th.text_content() for th in table.xpath(".//th")] == [
        "Channel", "Cases", "With a known team", "Single handler", "One-stop", "Clean"
    ]  # fmt: skip
    cells = [[td.text_content() for td in tr.xpath("./td")] for tr in table.xpath(".//tbody/tr")]
    assert cells == [["web", "2", "1", "100.0%", "100.0%", "100.0%"],
                     ["phone", "1", "1", "0.0%", "0.0%", "100.0%"]]  # fmt: skip
    assert "The shares are of the cases with a known team." in demand.text_content()
    one_team_each = frame.assign(team=["A", None, "B", None, "A", None])  # one per case
    demand = section(one_team_each)
    assert not demand.xpath(".//table[caption='Flow by channel']")
    assert "Flow by channel: no shares are given, as no hand-off can be seen" in (
        demand.text_content()
    )


def test_with_start_times_the_report_shows_the_work_at_each_step():
    """Start times mapped: the Capability section lists each activity's median time from
    start to completion (Fix: 30 and 90 min, median 1.0 h; Call: 5 min); without start
    times there is no such table."""
    rows = [
        ("1", "Call", "2024-01-01 09:00", "2024-01-01 09:05"),
        ("1", "Fix", "2024-01-01 10:00", "2024-01-01 10:30"),
        ("2", "Call", "2024-01-02 09:00", "2024-01-02 09:05"),
        ("2", "Fix", "2024-01-02 10:00", "2024-01-02 11:30"),
    ]
    frame = pd.DataFrame(rows, columns=["case", "activity", "start", "timestamp"])
    for given, shown in ((frame, True), (frame.drop(columns="start"), False)):
        with jm.EventLog.from_frame(given) as log:
            html = render_report(
                jm.mine(log), journey_svgs={}, network_svg=None, chart_svgs={}, options={}
            )
        doc = lxml.html.fromstring(html)
        tables = doc.xpath("//section[@id='capability']//table")
        if not shown:
            assert tables == []
            continue
        (table,) = tables
        cells = [[c.text_content().strip() for c in tr.xpath("./td")]
                 for tr in table.xpath(".//tbody/tr")]  # fmt: skip
        assert cells == [["Call", "2", "5 min"], ["Fix", "2", "1.0 h"]]


def test_redo_where_few_events_name_their_resource_says_so():
    """The resource on one event in four (road fines: only on Create Fine): a redo needs
    both occurrences' resources, so Payment's redos are unknown (–, not 0); the column
    says 'where recorded' and a warning gives the share. With every resource recorded,
    not, and Payment's redos are 0."""
    rows = [(c, a, f"2024-01-0{c} {h:02d}:00", r)
            for c in (1, 2)
            for a, h, r in (("Create", 9, "ann"), ("Payment", 10, None), ("Payment", 11, None),
                            ("Close", 12, None))]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "resource"])

    def rework_section_of(data):
        with jm.EventLog.from_frame(data) as log:
            found = jm.mine(log)
            html = render_report(
                found, journey_svgs={}, network_svg=None, chart_svgs={}, options={}
            )
        (section,) = lxml.html.fromstring(html).xpath("//section[@id='rework']")
        cells = [td.text_content() for td in section.xpath(".//tbody/tr[1]/td")]
        assert cells[:4] == ["Payment", "2", "2", redos]
        return [th.text_content() for th in section.xpath(".//th")], [
            p.text_content() for p in section.xpath(".//p[@class='warning']")
        ]

    redos = "–"
    headers, warnings = rework_section_of(frame)
    assert "Redo (other hands, where recorded)" in headers
    # Payment twice in every case (as road fines' instalments): a step that recurs.
    assert warnings.pop(0).startswith(
        "An activity occurs more than once in most cases ('Payment' in 2 cases (100%))"
    )
    assert warnings == [
        "The resource is recorded on 25.0% of events: a redo is counted only where both "
        "occurrences of the activity have one, so the redos are at least these, and an "
        "activity whose events have none shows –."
    ]
    redos = "0"
    headers, warnings = rework_section_of(frame.assign(resource="ann"))
    assert "Redo (other hands)" in headers and len(warnings) == 1  # the recurring step


def test_a_report_says_what_it_has_not_rather_than_showing_empty_tables():
    """No activity done again: a sentence, not a table of headers; no journey templates:
    no template terms in the glossary."""
    frame = pd.DataFrame({
        "case": ["1", "1", "2"], "activity": ["Call", "Close", "Call"],
        "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00"]})  # fmt: skip
    with jm.EventLog.from_frame(frame) as log:
        found = jm.mine(log)
        html = render_report(found, journey_svgs={}, network_svg=None, chart_svgs={}, options={})
    doc = lxml.html.fromstring(html)
    (rework,) = doc.xpath("//section[@id='rework']")
    assert not rework.xpath(".//table")
    assert rework.text_content().endswith("No activity was done again in any case.")
    terms = [dt.text_content() for dt in doc.xpath("//section[@id='glossary']//dt")]
    assert "Variant" in terms and "Journey template" not in terms
