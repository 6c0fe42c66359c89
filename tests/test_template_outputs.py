"""Journey templates in `journeymap mine`'s outputs (tables, summary.json, the map of a
template, the report) and `journeymap template suggest`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import lxml.etree
import pandas as pd
import pytest
from click.testing import CliRunner

import journeymap as jm
from journeymap.cli import cli
from journeymap.options import load_templates
from shared_datasets import dataset

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` missing")

EVIL = "<script>alert(1)</script>"
LOG = (
    "case,activity,timestamp,channel,service\n"
    "1,Call,2024-01-01 09:00,phone,Bins\n"
    "1,Log,2024-01-01 10:00,phone,Bins\n"
    "1,Close,2024-01-01 11:00,phone,Bins\n"
    "2,Call,2024-01-02 09:00,web,Bins\n"
    f'2,"{EVIL}",2024-01-02 10:00,web,Bins\n'
    "2,Log,2024-01-02 11:00,web,Bins\n"
    "2,Close,2024-01-02 15:00,web,Bins\n"
    "3,Call,2024-01-03 09:00,phone,Bins\n"
    "3,Close,2024-01-03 09:30,phone,Bins\n"
    "4,Call,2024-01-04 09:00,phone,Other\n"
)
TEMPLATES = (
    '[templates]\ndemand_column = "service"\n\n'
    '[[template]]\nname = "Bins & <b>co</b>"\ndemand = "Bins"\n'
    'steps = ["Call", "Log", "Close"]\n'
)


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mined")
    (folder / "log.csv").write_text(LOG)
    (folder / "t.toml").write_text(TEMPLATES)
    for name in ("a", "b"):
        args = ["mine", str(folder / "log.csv"), "--templates", str(folder / "t.toml"),
                "--template", "Bins & <b>co</b>", "-o", str(folder / name)]  # fmt: skip
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
    return folder


def test_the_tables(mined):
    tables = mined / "a" / "tables"
    assert (tables / "conformance.csv").read_text().splitlines() == [
        "case,template,demand,channel,failure,conforming,straightforward,skipped,inserted,"
        "repeated,skipped_steps,inserted_steps,repeated_steps,e2e_s,variant_rank",
        '1,Bins & <b>co</b>,Bins,phone,false,true,false,0,0,0,"","","",7200.000,4',
        '2,Bins & <b>co</b>,Bins,web,false,false,true,0,1,0,"",<script>alert(1)</script>,'
        '"",21600.000,2',
        '3,Bins & <b>co</b>,Bins,phone,false,false,true,1,0,0,Log,"","",1800.000,3',
    ]
    deviations = pd.read_csv(tables / "deviations.csv")
    assert deviations[["kind", "activity", "cases", "extra_e2e_s"]].to_numpy().tolist() == [
        ["inserted", EVIL, 1, 14400.0], ["skipped", "Log", 1, -5400.0],
    ]  # fmt: skip
    segments = pd.read_csv(tables / "segments.csv", keep_default_na=False)
    assert segments[["demand", "channel", "cases"]].to_numpy().tolist() == [
        ["Bins", "", 3], ["Bins", "phone", 2], ["Bins", "web", 1],
        ["Other", "", 1], ["Other", "phone", 1],
    ]  # fmt: skip


def test_summary_json(mined):
    summary = json.loads((mined / "a" / "summary.json").read_text())
    block = summary["templates"]["Bins & <b>co</b>"]
    assert {k: block[k] for k in ("cases", "conforming_pct", "straightforward_pct",
                                  "median_extra_e2e_s", "method")} == {
        "cases": 3, "conforming_pct": 33.333, "straightforward_pct": 66.667,
        "median_extra_e2e_s": 4500, "method": "alignments",
    }  # fmt: skip
    assert block["statement"] == (
        "Of 3 cases of 'Bins & <b>co</b>', 33% went through as designed; 67% more could "
        "have: they were value demand but left the design, most often with an extra "
        f"'{EVIL}' (1 case; 4.0 h longer end to end, median, against only 1 case as "
        "designed)."
    )
    assert block["method_statement"] == (
        "Checked by pm4py's alignments (exact), as the template has 3 cases (alignments up "
        "to 5,000)."
    )
    assert summary["template_settings"]["demand_column"] == "service"
    assert summary["template_notes"] == [
        "1 case has no template (no template is for its type of demand); left out of the "
        "template measures"
    ]
    assert summary["options"]["template"] == "Bins & <b>co</b>"


def test_the_map_of_a_template_is_escaped_and_drawn(mined):
    dot = (mined / "a" / "journey.dot").read_text()
    # In labels as HTML-like text, in tooltips as a quoted string (see render/style.py).
    assert "label=<&lt;script&gt;alert(1)&lt;/script&gt;<br/>" in dot
    assert "Template &#x27;Bins &amp; &lt;b&gt;co&lt;/b&gt;&#x27;: 3 cases, 33% as designed" in dot
    assert "skipped in 1 case" in dot and "1 case, +4.0 h" in dot
    # the title counts the template's cases among the log's
    assert re.search(r"template &#x27;Bins &amp; &lt;b&gt;co&lt;/b&gt;&#x27;, 3 of \d+ cases", dot)
    svg = lxml.etree.fromstring((mined / "a" / "journey.svg").read_bytes())
    texts = " ".join(t for t in svg.itertext())
    assert EVIL in texts and "dashed box: an activity outside the design" in texts
    assert not svg.findall(".//{http://www.w3.org/2000/svg}script")


def test_the_report_has_a_section_per_template(mined):
    html = (mined / "a" / "report.html").read_text()
    assert '<section id="templates">' in html and '<a href="#templates">' in html
    assert "<h3>Bins &amp; &lt;b&gt;co&lt;/b&gt;</h3>" in html
    assert "33% went through as designed" in html
    assert EVIL not in html
    # The sentence gives the value-demand cases' extra time, the table both.
    for header in ("End to end against as designed (median)",
                   "Theirs against as designed (median)"):  # fmt: skip
        assert f">{header}</th>" in html or f">{header}<" in html
    assert "repeat-contact rule" not in html  # no customer, no such doubt
    # No activity names failure demand: "could have" rests on every case being value
    # demand, and the sentence says so.
    assert (
        "No failure demand was found by the rules, so every case counts as value demand "
        "here (see Demand)"
    ) in html


def test_a_template_of_several_types_names_each_row_by_its_type(tmp_path):
    """A template with no demand of its own takes every type of the demand column: its
    table names each row's type (it had shown "all channels" on three unnamed rows)."""
    import lxml.html

    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "t.toml").write_text(
        '[templates]\ndemand_column = "service"\n\n[[template]]\nname = "Any"\n'
        'steps = ["Call", "Log", "Close"]\n'
    )
    out = tmp_path / "out"
    args = ["mine", str(tmp_path / "log.csv"), "--templates", str(tmp_path / "t.toml"),
            "-o", str(out)]  # fmt: skip
    assert CliRunner().invoke(cli, args).exit_code == 0
    page = lxml.html.fromstring((out / "report.html").read_text())
    (table,) = page.xpath("//table[caption='By type of demand and channel']")
    rows = [[td.text_content() for td in tr.xpath("./td")][:3] for tr in table.xpath(".//tbody/tr")]
    assert rows[0] == ["Bins", "all channels", "3"] and ["Other", "all channels", "1"] in rows


def test_a_repeat_contact_rule_in_doubt_is_said_beside_could_have(tmp_path):
    """One customer, an account, with six cases a day apart: five are repeat contacts,
    and the rule is in doubt; case 1, value demand, deviated (an extra 'Fix')."""
    rows = ["case,activity,timestamp,customer"]
    for day in range(1, 7):
        steps = ["Call", "Fix", "Close"] if day == 1 else ["Call", "Close"]
        rows += [f"{day},{a},2024-01-0{day} 0{h}:00,acme" for h, a in enumerate(steps, 1)]
    (tmp_path / "log.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "t.toml").write_text('[[template]]\nname = "All"\nsteps = ["Call", "Close"]\n')
    args = ["mine", str(tmp_path / "log.csv"), "--templates", str(tmp_path / "t.toml"),
            "-o", str(tmp_path / "out"), "--customer", "customer"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "report.html").read_text()
    assert (
        "17% more could have: they were value demand but left the design, most often with "
        "an extra &#x27;Fix&#x27; (1 case; 1.0 h longer end to end, median, against only 5 "
        "cases as designed). Which cases are value demand rests on the repeat-contact rule, "
        "which is in doubt here (see Demand).</p>"
    ) in html


def test_outputs_are_byte_identical(mined):
    for relative in ("journey.dot", "summary.json", "report.html", "tables/conformance.csv",
                     "tables/deviations.csv", "tables/segments.csv"):  # fmt: skip
        assert (mined / "a" / relative).read_bytes() == (mined / "b" / relative).read_bytes()


def test_an_unknown_template_name_is_a_usage_error(mined, tmp_path):
    args = ["mine", str(mined / "log.csv"), "--templates", str(mined / "t.toml"),
            "--template", "Bin", "-o", str(tmp_path / "x")]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no template is called 'Bin'; the templates are: 'Bins & <b>co</b>'\n"
    )


# -- template suggest ---------------------------------------------------------------------------
def test_suggest_writes_a_file_that_mine_reads(mined, tmp_path):
    out = tmp_path / "suggested.toml"
    args = ["template", "suggest", str(mined / "log.csv"), "-o", str(out),
            "--demand-column", "service"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    # Bins: three cases, three journeys; none was taken twice, so the commonest (by rank)
    assert result.stdout.splitlines() == [
        "'Bins' is followed by 1 of its 3 cases (33.3%); it is the journey of 1 of the 3 "
        "cases of value demand; no journey was taken by two of them, so this is one case's: "
        "check it",
        "'Other' is followed by 1 of its 1 case (100.0%); it is the journey of 1 of the 1 "
        "case of value demand",
    ]
    templates = load_templates(out)
    assert [(t.name, t.demand, t.toml_steps()) for t in templates.templates] == [
        ("Bins", "Bins", ["Call", "<script>alert(1)</script>", "Log", "Close"]),
        ("Other", "Other", ["Call"]),
    ]  # fmt: skip
    assert templates.demand_column == "service"
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2
    assert again.stderr == f"Error: {out}: exists; give --force to replace it, or another file\n"
    assert CliRunner().invoke(cli, [*args, "--force"]).exit_code == 0


def test_suggest_writes_multi_line_activity_names_that_mine_reads(tmp_path):
    """An activity typed in a spreadsheet cell with Alt+Enter holds a line break (and a
    Windows one): the suggested file holds it, and mine reads the file back and finds
    the journey followed (the checker had refused the name it was given). Reading
    writes the line break inside the value as one newline."""
    log = tmp_path / "cells.csv"
    log.write_bytes(
        b"case,activity,timestamp\n"
        b'1,Call,2024-01-01 09:00\n1,"Visit\nsite\r\nand fix",2024-01-01 10:00\n'
        b'2,Call,2024-01-02 09:00\n2,"Visit\nsite\r\nand fix",2024-01-02 10:00\n'
    )
    out = tmp_path / "suggested.toml"
    result = CliRunner().invoke(cli, ["template", "suggest", str(log), "-o", str(out)])
    assert result.exit_code == 0, result.output
    (template,) = load_templates(out).templates
    assert template.toml_steps() == ["Call", "Visit\nsite\nand fix"]
    mined = tmp_path / "out"
    args = ["mine", str(log), "--templates", str(out), "-o", str(mined), "--no-report"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((mined / "summary.json").read_text())
    checked = summary["templates"]["All demand"]
    assert (checked["cases"], checked["conforming"]) == (2, 2)


def _follows(sequence: list[str], steps: list) -> bool:
    """Whether a sequence follows suggested steps (names, and {repeat = name})."""
    pattern = ""
    for step in steps:
        name = step["repeat"] if isinstance(step, dict) else step
        pattern += f"(?:{re.escape(name)}\x1f)" + ("+" if isinstance(step, dict) else "")
    return re.fullmatch(pattern, "".join(f"{a}\x1f" for a in sequence)) is not None


@pytest.mark.datasets
@pytest.mark.parametrize("column", [None, "service_type"])
def test_suggest_reports_the_coverage_it_has_on_helpdesk(tmp_path, column):
    path = dataset("helpdesk/helpdesk_full.csv")
    out = tmp_path / "helpdesk.toml"
    args = ["template", "suggest", str(path), "-o", str(out)]
    result = CliRunner().invoke(cli, args + (["--demand-column", column] if column else []))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    reported = re.findall(r"# '(.+)' is followed by ([\d,]+) of its ([\d,]+) cases", text)
    templates = load_templates(out).templates
    assert [r[0] for r in reported] == [t.name for t in templates]
    # Recomputed here, plainly: each case's activities in order (ties by file row), and
    # its type of demand on its first event.
    events = pd.read_csv(path, dtype=str).reset_index()
    events["at"] = pd.to_datetime(events["Complete Timestamp"], format="%Y/%m/%d %H:%M:%S.%f")
    events = events.sort_values(["Case ID", "at", "index"], kind="stable")
    cases = events.groupby("Case ID").agg(
        sequence=("Activity", list), demand=(column or "Activity", "first")
    )
    for (_, covered, total), template in zip(reported, templates, strict=True):
        mine = cases if column is None else cases[cases["demand"] == template.demand]
        follows = sum(_follows(s, template.toml_steps()) for s in mine["sequence"])
        assert (int(covered.replace(",", "")), int(total.replace(",", ""))) == (follows, len(mine))
    if column is None:
        assert reported == [("All demand", "2,366", "4,580")]
        assert templates[0].toml_steps() == [
            "Assign seriousness", "Take in charge ticket", "Resolve ticket", "Closed"
        ]  # fmt: skip


def test_suggest_from_python():
    with jm.EventLog.from_frame(pd.read_csv(__import__("io").StringIO(LOG), dtype=str)) as log:
        found = jm.suggest_templates(log, demand_column="service", min_share=50)
    assert [(s.template.name, s.covered, s.cases, round(s.coverage_pct, 1)) for s in found] == [
        ("Bins", 1, 3, 33.3), ("Other", 1, 1, 100.0),
    ]  # fmt: skip


def test_suggest_refuses_a_column_of_cases_or_customers(tmp_path):
    """The sample's customer_id has 939 values in 1,350 cases: a template per customer
    is no design. Its service column (7 types) is what the command wants."""
    sample = Path(__file__).resolve().parent.parent / "sample_logs" / "service_desk.csv"
    args = ["template", "suggest", str(sample), "-o", str(tmp_path / "t.toml")]
    result = CliRunner().invoke(cli, [*args, "--demand-column", "customer_id"])
    assert result.exit_code == 2 and not (tmp_path / "t.toml").exists()
    assert result.stderr == (
        "Error: 'customer_id' has 939 values among its 1,350 cases (1.4 cases each): it "
        "names cases or customers, not types of demand; give a column that sorts the demand "
        "into a few types (a service, a category) with --demand-column COLUMN, or none for "
        "one template\n"
    )
    assert CliRunner().invoke(cli, [*args, "--demand-column", "service"]).exit_code == 0


def test_suggest_passes_over_one_event_cases_and_journeys_cut_short():
    """Three calls that stop at once (one event) and two that stop after the logging are
    more often cases cut short by the export than the design: the suggestion is the
    journey of two or more events that ends where most such journeys end (Close), not
    the shortest variant that 5% follow (the lone Call, as before)."""
    rows = ["case,activity,timestamp"]
    journeys = {"A": ["Call", "Log", "Close"], "B": ["Call"], "C": ["Call", "Log"]}
    for kind, n in (("A", 4), ("B", 3), ("C", 2)):
        for i in range(n):
            rows += [
                f"{kind}{i},{a},2024-01-0{i + 1} 0{h}:00" for h, a in enumerate(journeys[kind])
            ]
    frame = pd.read_csv(__import__("io").StringIO("\n".join(rows)), dtype=str)
    with jm.EventLog.from_frame(frame) as log:
        (found,) = jm.suggest_templates(log)
    assert found.template.toml_steps() == ["Call", "Log", "Close"]
    assert (found.covered, found.cases) == (4, 9)


def test_suggest_says_when_no_journey_reaches_the_share():
    """Sepsis: no journey is followed by 5% of the cases; the suggestion had been the
    most common (3 cases that stop at a triage) without a word. It is now the most
    common of those that end where most end, and it says that none reached 5%."""
    from journeymap.pipeline.suggest import suggestion_words

    rows = [("T0", "Open"), ("T0", "Triage"), ("T1", "Open"), ("T1", "Triage"),
            ("T2", "Open"), ("T2", "Triage")]  # fmt: skip
    for i in range(96):  # 48 journeys of two cases each (2%), ending with Done
        rows += [(f"U{i:02d}", "Open"), (f"U{i:02d}", f"Step {i // 2:02d}"), (f"U{i:02d}", "Done")]
    frame = pd.DataFrame(rows, columns=["case", "activity"])
    frame["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(range(len(frame)), "h")
    with jm.EventLog.from_frame(frame) as log:
        (found,) = jm.suggest_templates(log)
    assert found.most_common and found.template.toml_steps()[-1] == "Done"
    assert suggestion_words(found, 5.0).endswith(
        "no journey was followed by 5% of them (the journeys vary widely), so this is the "
        "most common of those that end where most end: design the template with the service"
    )


def test_the_sample_templates_file_is_current():
    # sample_logs/service_desk_templates.toml is written by make_samples.py from the
    # generator's designed journeys (tests/test_synthetic.py checks the bytes).
    templates = load_templates(Path(__file__).parent.parent / "sample_logs"
                               / "service_desk_templates.toml")  # fmt: skip
    assert len(templates.templates) == 7 and templates.demand_column == "service"


def test_suggest_says_when_the_value_demand_it_follows_is_in_doubt(tmp_path):
    """Twelve cases over two customers (accounts): repeat contacts take nine, and the
    suggestion, which follows value demand, says the doubt mine would say."""
    log = tmp_path / "accounts.csv"
    lines = ["case,activity,timestamp,customer"]
    for i in range(10):
        lines += [
            f"a{i},Call,2024-01-{i + 1:02d} 09:00,A",
            f"a{i},Close,2024-01-{i + 1:02d} 10:00,A",
        ]
    lines += ["b1,Call,2024-01-01 09:00,B", "b1,Close,2024-01-01 10:00,B",
              "b2,Call,2024-03-01 09:00,B", "b2,Close,2024-03-01 10:00,B"]  # fmt: skip
    log.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        cli, ["template", "suggest", str(log), "-o", str(tmp_path / "t.toml"), "--customer",
              "customer"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if line.startswith("journeymap: check")]
    assert len(said) == 2
    assert said[0].startswith(
        "journeymap: check before you use them: they follow value demand, and rule "
        "'repeat_contact' matches 9 of 12 cases (75.0%)"
    )
    assert said[1].startswith(
        "journeymap: check before you use them: they follow value demand, and repeat "
        "contact: 9 of 12 cases are counted as repeat contacts"
    )
