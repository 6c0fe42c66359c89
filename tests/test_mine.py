"""`journeymap mine`: files, exact tables on a tiny log, determinism, mistakes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_logs" / "service_desk.csv"
TINY = (
    "case,activity,timestamp,team\n"
    "1,Log,2024-01-01 09:00,Front\n"
    "1,Fix,2024-01-01 10:00,Back\n"
    "2,Log,2024-01-02 09:00,Front\n"
    "1,Close,2024-01-01 12:00,Front\n"
    "2,Close,2024-01-02 09:30,Front\n"
    "3,Log,2024-01-03 09:00,Front\n"
)


def run_mine(*args: str) -> object:
    result = CliRunner().invoke(cli, ["mine", *args])
    assert result.exit_code == 0, result.output
    return result


def assert_needs_a_role(tmp_path: Path, option: list[str], message: str) -> None:
    """``mine`` with ``option`` on a log of case, activity and timestamp only is a usage
    error (exit 2) that says ``<option> <message>``."""
    log = tmp_path / "roles_missing.csv"
    log.write_text("case,activity,timestamp\n1,a,2024-01-01\n1,b,2024-01-02\n")
    args = ["mine", str(log), "-o", str(tmp_path / "x"), *option]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert f"{' '.join(option)} {message}" in result.stderr


def test_tiny_log_tables_and_summary(tmp_path):
    log = tmp_path / "tiny.csv"
    log.write_text(TINY)
    out = tmp_path / "out"
    result = run_mine(str(log), "-o", str(out))
    # No progress when not on a terminal; a line says what was written, then what to
    # check before showing the figures (no activity here names failure demand).
    lines = result.stderr.splitlines()
    assert lines[0] == f"Wrote 20 files to {out}/ (All 3 activities and 6 paths)"
    assert lines[1].startswith("journeymap: check before you show it: the log holds 3 cases only")
    assert lines[2].startswith(
        "journeymap: check before you show it: no failure demand found by the rules: "
    )
    assert len(lines) == 3
    assert (out / "tables" / "dfg.csv").read_text().splitlines() == [
        "source,target,events,cases,mean_wait_s,median_wait_s,p90_wait_s,handoffs",
        "__start__,Log,3,3,,,,0",
        "Fix,Close,1,1,7200.000,7200.000,7200.000,1",
        "Log,Close,1,1,1800.000,1800.000,1800.000,0",
        "Log,Fix,1,1,3600.000,3600.000,3600.000,1",
        "Close,__end__,2,2,,,,0",
        "Log,__end__,1,1,,,,0",
    ]
    assert (out / "tables" / "variants.csv").read_text().splitlines() == [
        "rank,variant,cases,pct,cum_pct,median_e2e_s",
        "1,Log,1,33.333,33.333,0.000",
        "2,Log > Close,1,33.333,66.667,1800.000",
        "3,Log > Fix > Close,1,33.333,100.000,10800.000",
    ]
    activities = (out / "tables" / "activities.csv").read_text().splitlines()
    assert activities[0] == (
        "activity,events,cases,pct_events,first_in_cases,last_in_cases,"
        "median_processing_s,lane,lane_share,rework_pct,failure_activity"
    )
    assert activities[1] == "Log,3,3,50.000,3,1,,Front,100.000,0.000,false"
    summary = json.loads((out / "summary.json").read_text())
    assert {k: summary[k] for k in ("events", "cases", "activities", "variants")} == {
        "events": 6,
        "cases": 3,
        "activities": 3,
        "variants": 3,
    }
    assert summary["variants_for_80pct"] == 3
    assert (summary["start"], summary["end"]) == ("2024-01-01T09:00:00Z", "2024-01-03T09:00:00Z")
    assert summary["end_to_end"] == {"median_s": 1800, "mean_s": 4200, "p90_s": 9000}
    assert summary["map"]["caption"] == "All 3 activities and 6 paths"
    assert summary["map"]["lanes"] == "team"
    dot = (out / "journey.dot").read_text()
    assert "Front" in dot and "Back" in dot
    assert (out / "journey.svg").read_text().lstrip().startswith("<?xml")


def test_same_input_gives_identical_files(tmp_path):
    for name in ("a", "b"):
        run_mine(str(SAMPLE), "-o", str(tmp_path / name), "--view", "performance")
    for relative in ("journey.dot", "journey.svg", "summary.json", "tables/dfg.csv",
                     "tables/activities.csv", "tables/variants.csv", "report.html"):  # fmt: skip
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()


def test_abstraction_options_and_formats(tmp_path):
    out = tmp_path / "out"
    run_mine(str(SAMPLE), "-o", str(out), "--activities", "30", "--paths", "10",
             "--format", "svg,png,pdf", "--lanes", "none", "--measure", "events")  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["map"]["activities_shown"] == 11  # ceil(34 * 30%)
    assert summary["map"]["caption"].startswith("11 of 34 activities, ")
    assert summary["map"]["lanes"] is None
    assert (out / "journey.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "journey.pdf").read_bytes()[:4] == b"%PDF"


def test_default_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "calls.csv.gz").write_bytes(__import__("gzip").compress(TINY.encode()))
    run_mine("calls.csv.gz")
    assert (tmp_path / "calls-journeymap" / "summary.json").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--lanes", "resource"], 2, "--lanes resource: the resource role is not mapped"),
        (["--format", "svg,gif"], 2, "Invalid value for --format: 'gif': choose from"),
        (["--activities", "0"], 2, "Invalid value for '--activities'"),
        (["--view", "colour"], 2, "Invalid value for '--view'"),
    ],
)
def test_mistakes(tmp_path, args, code, message):
    log = tmp_path / "tiny.csv"
    log.write_text(TINY)
    result = CliRunner().invoke(cli, ["mine", str(log), "-o", str(tmp_path / "o"), *args])
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_tiny_log_flow_tables(tmp_path):
    log = tmp_path / "tiny.csv"
    log.write_text(TINY)
    out = tmp_path / "out"
    run_mine(str(log), "-o", str(out))
    tables = out / "tables"
    assert (tables / "handoffs.csv").read_text().splitlines() == [
        "level,from,to,count,cases,median_wait_s,total_wait_s",
        "team,Back,Front,1,1,7200.000,7200.000",
        "team,Front,Back,1,1,3600.000,3600.000",
    ]
    assert (tables / "pingpong.csv").read_text().splitlines() == [
        "level,a,b,count,cases",
        "team,Front,Back,1,1",
    ]
    assert (tables / "cases.csv").read_text().splitlines() == [
        "case_id,events,start,end,e2e_s,handoffs,pingpongs,rework_events,handlers,variant_rank",
        "1,3,2024-01-01T09:00:00Z,2024-01-01T12:00:00Z,10800.000,2,1,0,2,3",
        "2,2,2024-01-02T09:00:00Z,2024-01-02T09:30:00Z,1800.000,0,0,0,1,2",
        "3,1,2024-01-03T09:00:00Z,2024-01-03T09:00:00Z,0.000,0,0,0,1,1",
    ]
    reintegration = (tables / "reintegration.csv").read_text().splitlines()
    assert reintegration[1].startswith("team,Fix,Close,Back,Front,1,1,7200.000,7200.000,")
    summary = json.loads((out / "summary.json").read_text())
    assert {k: summary["handoffs"][k] for k in ("level", "total", "cases_with_handoff",
                                                "pingpong_total", "pingpong_cases")} == {
        "level": "team", "total": 2, "cases_with_handoff": 1, "pingpong_total": 1,
        "pingpong_cases": 1,
    }  # fmt: skip
    assert summary["handoffs"]["wait_share"] == 0.857  # 3 h of hand-off wait in 3.5 h
    assert summary["rework"] == {"events": 0, "cases": 0, "redo_events": None}  # no resource


def test_sample_log_recovers_the_planted_rates(tmp_path):
    import csv

    out = tmp_path / "out"
    run_mine(str(SAMPLE), "-o", str(out))
    summary = json.loads((out / "summary.json").read_text())
    with open(ROOT / "sample_logs" / "service_desk_truth.csv", newline="") as fh:
        truth = list(csv.DictReader(fh))
    assert summary["cases"] == len(truth)
    assert summary["handoffs"]["total"] == sum(int(t["handoffs"]) for t in truth)
    assert summary["handoffs"]["cases_with_handoff"] == sum(int(t["handoffs"]) > 0 for t in truth)
    assert summary["handoffs"]["pingpong_total"] == sum(int(t["pingpongs"]) for t in truth)
    assert summary["handoffs"]["pingpong_cases"] == sum(int(t["pingpongs"]) > 0 for t in truth)
    assert summary["rework"]["events"] == sum(int(t["rework_events"]) for t in truth)
    assert summary["rework"]["redo_events"] == sum(int(t["redo_events"]) for t in truth)
    assert summary["rework"]["cases"] == sum(int(t["rework_events"]) > 0 for t in truth)


def test_handoff_network_view(tmp_path):
    out = tmp_path / "net"
    result = run_mine(str(SAMPLE), "-o", str(out), "--view", "handoffs")
    assert result.stderr.endswith("(the hand-off network between teams: 14 paths)\n")
    dot = (out / "journey.dot").read_text()
    for team in ("Contact Centre", "Back Office", "Field Team"):
        assert team in dot
    assert_needs_a_role(tmp_path, ["--view", "handoffs"], "needs a team or resource column")


def test_check_measures_with_the_sample_config(tmp_path):
    out = tmp_path / "out"
    config = ROOT / "sample_logs" / "service_desk.toml"
    run_mine(str(SAMPLE), "-o", str(out), "--config", str(config))
    summary = json.loads((out / "summary.json").read_text())
    # Planted truth, sample_logs/README.md: 27.26% failure demand, 26.89% one-stop,
    # 57.11% clean.
    assert abs(summary["failure_demand_pct"] - 27.26) < 1
    assert abs(summary["one_stop_pct"] - 26.89) < 1
    assert abs(summary["clean_pct"] - 57.11) < 1
    assert summary["demand_by_type"] == {"failure_activity": 198, "repeat_contact": 170,
                                         "value": 982}  # fmt: skip
    capability = summary["capability"]
    assert capability["basis"] == "case" and capability["lnpl"] == 0
    # Over the complete period: the 26 weeks of 2024's first half in which new demand
    # arrived at its usual rate (the sample's later weeks bring only repeat contacts).
    assert capability["statement"].startswith(
        "Customers' waits for this service are not predictable: 196 signals"
    )
    assert "The limits these data give, 0 to 31 days, predict nothing" in capability["statement"]
    assert capability["statement"].endswith(
        "Cases that started and ended from 2024-01-01 to 2024-06-30, from the first to the last "
        "week in which new demand arrived at its usual rate (1,162 of 1,350 cases; 53 cases "
        "that started in it and ended after it, and 29 later weeks of fewer arrivals, are left "
        "out)."
    )
    assert summary["period"]["cases"] == 1162 and summary["period"]["basis"] == "detected"
    points = (out / "tables" / "capability_e2e.csv").read_text().splitlines()
    assert points[0] == "label,time,x,mr,centre,unpl,lnpl,url,rule1,rule2,rule3"
    assert len(points) == 1 + 1162
    assert (out / "tables" / "failure_pareto.csv").read_text().splitlines() == [
        "demand_type,cases,pct,cum_pct",
        "failure_activity,198,53.804,53.804",
        "repeat_contact,170,46.196,100.000",
    ]
    weeks = (out / "tables" / "demand_by_week.csv").read_text().splitlines()
    assert weeks[:2] == ["week,value,failure,failure_pct", "2024-01-01,38,5,11.628"]
    assert summary["flow_by_demand_type"]["value"]["one_stop_pct"] == 36.965
    assert sorted(summary["flow_by_channel"]) == ["branch", "e-mail", "letter", "phone", "web"]
    for chart in ("capability_e2e", "weekly_volume", "weekly_failure_demand"):
        assert (out / "charts" / f"{chart}.svg").read_text().lstrip().startswith("<?xml")


def test_bad_demand_config_names_the_key_and_file(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[demand]\nextra_failure_activities = ["chase("]\n')
    result = CliRunner().invoke(
        cli, ["mine", str(SAMPLE), "-o", str(tmp_path / "o"), "--config", str(config)]
    )
    assert result.exit_code == 2
    assert "bad.toml: demand.extra_failure_activities: 'chase(' is not a valid regular" in (
        result.stderr
    )


def test_map_of_failure_demand_only(tmp_path):
    out = tmp_path / "out"
    config = ROOT / "sample_logs" / "service_desk.toml"
    run_mine(str(SAMPLE), "-o", str(out), "--config", str(config), "--demand", "failure")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["map"]["caption"].startswith("Failure demand only: ")
    assert summary["cases"] == 1350  # the tables and summary still cover every case
    dot = (out / "journey.dot").read_text()
    assert "Chaser e-mail" in dot and "failure-demand activity" in dot
    # The title counts the cases drawn, not the log's.
    assert "service_desk.csv, failure demand: 368 cases, 2,580 events, 2024-01-01 to" in dot
    starts = sum(
        int(line.split(",")[2])
        for line in (out / "tables" / "dfg.csv").read_text().splitlines()[1:]
        if line.startswith("__start__,")
    )
    assert starts == 1350


def test_a_map_of_some_demand_shows_the_rework_of_its_own_cases(tmp_path):
    """The map of failure demand says how much of its own cases' work is done again:
    'Check' is done again in the two value cases (2 of its 5 events in the log, 40%),
    never in the failure case (0 of 1), whose 'Chase' is (1 of 2, 50%)."""
    log = tmp_path / "log.csv"
    value = ["Log", "Check", "Fix", "Check"]
    rows = [*(("v1", a) for a in value), *(("v2", a) for a in value),
            ("f1", "Log"), ("f1", "Chase"), ("f1", "Check"), ("f1", "Chase")]  # fmt: skip
    log.write_text("case,activity,timestamp\n" + "".join(
        f"{case},{activity},2024-01-01 {8 + i:02d}:00\n" for i, (case, activity) in enumerate(rows)
    ))  # fmt: skip
    run_mine(str(log), "-o", str(tmp_path / "all"), "--no-report")
    whole = (tmp_path / "all" / "journey.dot").read_text()
    assert "Check<br/>" in whole and "↻ 40% rework" in whole and "↻ 50% rework" in whole
    run_mine(str(log), "-o", str(tmp_path / "f"), "--no-report", "--demand", "failure")
    failure = (tmp_path / "f" / "journey.dot").read_text()
    assert "Check<br/>" in failure and "↻ 40%" not in failure
    assert failure.count("% rework<") == 1 and "↻ 50% rework" in failure


def test_capability_by_demand_type_and_channel(tmp_path):
    out = tmp_path / "out"
    config = ROOT / "sample_logs" / "service_desk.toml"
    run_mine(str(SAMPLE), "-o", str(out), "--config", str(config), "--by", "demand_type")
    summary = json.loads((out / "summary.json").read_text())
    assert sorted(summary["capability_by"]) == ["failure_activity", "repeat_contact", "value"]
    for group in ("failure-activity", "repeat-contact", "value"):
        assert (out / "charts" / f"capability_e2e_{group}.svg").exists()
    assert_needs_a_role(tmp_path, ["--by", "channel"], "needs the channel role")


def test_report_is_written_and_self_contained(tmp_path):
    import hashlib

    out = tmp_path / "out"
    run_mine(str(SAMPLE), "-o", str(out))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert hashlib.sha256(SAMPLE.read_bytes()).hexdigest() in html
    assert "Customers&#x27; waits for this service are not predictable: 196 signals" in html
    assert 'src="http' not in html and 'href="http' not in html
    run_mine(str(SAMPLE), "-o", str(tmp_path / "bare"), "--no-report")
    assert not (tmp_path / "bare" / "report.html").exists()


def test_the_rules_the_figures_rest_on_are_in_the_summary_and_the_report(tmp_path):
    """The sample's config makes 'Request information' dirty, which moves the clean share:
    the summary and the report's "How this report was made" say so, with the failure
    rules, so that a figure can be traced to what made it."""
    out = tmp_path / "out"
    config = SAMPLE.with_suffix(".toml")
    period = "2024-02-05..2025-05-31"
    run_mine(str(SAMPLE), "-o", str(out), "--config", str(config), "--period", period)
    rules = json.loads((out / "summary.json").read_text())["rules"]
    assert rules["dirty_activities"] == ["Request information"]
    assert rules["repeat_contact_days"] == 14
    assert rules["failure_activities"][:3] == ["chase", "chaser", "chasing"]
    assert (rules["attribute_rules"], rules["period"], rules["max_points"]) == ([], period, 5000)
    html = (out / "report.html").read_text(encoding="utf-8")
    made = html[html.index('<section id="made">') :]
    assert "&quot;dirty_activities&quot;: [\n      &quot;Request information&quot;" in made


def test_no_failure_demand_draws_no_weekly_failure_chart(tmp_path):
    # Twelve weeks of two-step cases that no failure rule matches: a chart of 0% a week
    # would say nothing, so there is none, and the report says why.
    rows = ["case,activity,timestamp"]
    for week in range(12):
        for n in range(3):
            day = (date(2024, 1, 1) + timedelta(days=7 * week + n)).isoformat()
            rows += [f"w{week}-{n},Order,{day}T09:00:00Z", f"w{week}-{n},Deliver,{day}T15:00:00Z"]
    log = tmp_path / "orders.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", str(log), "-o", str(out), "--format", "svg"])
    assert result.exit_code == 0, result.output
    charts = sorted(p.name for p in (out / "charts").iterdir())
    assert charts == ["capability_e2e.svg", "weekly_volume.svg"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert (
        '<h3>Failure demand per week</h3><p class="note">No weekly failure demand chart: no case '
        "of the period is failure demand by the rules.</p>"
    ) in report
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["failure_demand_pct"] == 0


def test_the_terminal_says_when_the_failure_demand_figure_is_in_doubt(tmp_path):
    # One customer with ten cases a day apart (an account) and another with two cases
    # two months apart: repeat contacts are most of the demand, which may be an accident.
    rows = ["case,activity,timestamp,customer"]
    rows += [f"a{i},Call,2024-01-{i + 1:02d}T09:00:00Z,A" for i in range(10)]
    rows += ["b1,Call,2024-01-01T09:00:00Z,B", "b2,Call,2024-03-01T09:00:00Z,B"]
    log = tmp_path / "calls.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    mapped = ["--customer", "customer"]  # detected by its name alone, it would be skipped
    result = run_mine(str(log), "-o", str(out), "--no-report", "--format", "svg", *mapped)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Wrote ")
    assert [line[:80] for line in lines[1:]] == [
        # Every case is one call: the history doubt first, then the failure-demand ones.
        "journeymap: check before you show it: 12 of 12 cases (100%) have a single event,",
        "journeymap: check before you show it: the log holds 12 cases only: its shares, p",
        "journeymap: check before you show it: rule 'repeat_contact' matches 9 of 12 case",
        "journeymap: check before you show it: repeat contact: 9 of 12 cases are counted ",
    ]
    quiet = CliRunner().invoke(cli, ["mine", str(log), "-o", str(out), "-q", "--no-report"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_a_map_graphviz_cannot_draw_is_named_and_leaves_no_folder(tmp_path, monkeypatch):
    # A `dot` that fails: the error names the journey map, not the folder being built
    # (gone by the time the message is read), and no output folder is left.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dot").write_text('#!/bin/sh\necho "Error: syntax error in line 3" >&2\nexit 1\n')
    (fake / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", str(SAMPLE), "-o", str(out), "--no-report"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Graphviz could not draw the journey map (journey.dot) as svg: "
        "Error: syntax error in line 3\n"
    )
    assert not out.exists()


def test_a_wait_set_by_a_timer_is_a_doubt(tmp_path):
    """24 tickets: 7 closed exactly 31 days after they were resolved, 17 the same day.
    The figures include that clock: mine says so with the rest of its doubts."""
    rows = ["case,activity,timestamp"]
    for d in range(1, 25):
        end = f"2024-02-{d:02d} 09:00" if d < 8 else f"2024-01-{d:02d} {10 + d % 8:02d}:00"
        rows += [f"T{d},Resolve,2024-01-{d:02d} 09:00", f"T{d},Closed,{end}"]
    path = tmp_path / "timer.csv"
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    said = (
        "7 of the 24 steps from 'Resolve' to 'Closed' (29%) take 31 days, to within an hour "
        "and a half: "
        "a rule, a schedule or a timer (such as an automatic close) may set that wait"
    )
    assert any(d.startswith(said) for d in json.loads((out / "summary.json").read_text())["doubts"])
    assert f"journeymap: check before you show it: {said}" in result.stderr
    # and the report says it where the end-to-end times are
    page = (out / "report.html").read_text(encoding="utf-8")
    capability = page[page.index('<section id="capability">') :].split("</section>")[0]
    assert f'<p class="warning">{said[0].upper()}{said[1:]}'.replace("'", "&#x27;") in capability


def test_charts_by_channel_get_a_file_each(tmp_path):
    """Channels that differ only in case (Phone, phone) and a channel of 300 characters:
    a chart file each, none longer than a file system allows, and summary.json says
    which file holds which channel's chart."""
    rows = ["case,activity,timestamp,channel"]
    long = "y" * 300
    for channel in ("Phone", "phone", long):
        for i in range(1, 4):
            rows += [f"{channel[:5]}{i},A,2024-01-0{i} 09:00,{channel}",
                     f"{channel[:5]}{i},B,2024-01-0{i} 1{i}:00,{channel}"]  # fmt: skip
    path = tmp_path / "channels.csv"
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", str(path), "-o", str(out), "--by", "channel"])
    assert result.exit_code == 0, result.output
    files = {k: v["file"] for k, v in json.loads((out / "summary.json").read_text())[
        "capability_by"].items()}  # fmt: skip
    assert files == {
        "Phone": "charts/capability_e2e_phone.svg",
        "phone": "charts/capability_e2e_phone-2.svg",
        long: f"charts/capability_e2e_{'y' * 60}.svg",
    }
    assert all((out / f).is_file() for f in files.values())
    assert (
        "Phone" in (out / files["Phone"]).read_text()
        and "phone" in (out / files["phone"]).read_text()
    )


def test_a_period_that_holds_no_case_is_a_doubt(tmp_path):
    """A year typed wrong in --period: no capability chart, and mine says why."""
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", str(SAMPLE), "-o", str(out), "--no-report",
                                      "--period", "2030-01-01..2030-02-01"])  # fmt: skip
    assert result.exit_code == 0, result.output
    said = (
        "the period asked for, 2030-01-01 to 2030-02-01, holds none of the log's cases, "
        "which run from 2024-01-01 to 2025-06-10: there are no capability charts; check the "
        "dates given with --period START..END"
    )
    assert f"journeymap: check before you show it: {said}" in result.stderr
    assert json.loads((out / "summary.json").read_text())["doubts"][-1].startswith(
        "the period asked for, 2030-01-01 to 2030-02-01, holds none"
    )


def test_end_activities_that_end_no_case_are_refused(tmp_path):
    """'Resolved' is a step the cases go on from (to 'Closed', automatically): given as
    the end activity, every case would read as still open, and no end-to-end time be
    given. Refused, with what the cases end with; 'Closed' is accepted."""
    import pandas as pd

    import journeymap as jm
    from journeymap.errors import ConfigError

    rows = [(c, a, f"2024-03-0{d} 09:00") for c, d in (("1", 1), ("2", 2))
            for a in ("New", "Resolved", "Closed")]  # fmt: skip
    rows = [(c, a, t.replace("09", str(9 + i))) for i, (c, a, t) in enumerate(rows)]
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp"])
    with (
        jm.EventLog.from_frame(frame, end_activities=["Resolved"]) as log,
        pytest.raises(ConfigError) as refused,
    ):
        jm.mine(log)
    assert str(refused.value) == (
        "data frame: no case ends with the end activities given ('Resolved'), so every case "
        "would read as still open (an end activity is the last event of a finished case; a "
        "case that goes on after it has not ended there); the cases end most with 'Closed' "
        "(2 cases): name the activities that finish a case with end_activities='ACTIVITY,...'"
    )
    with jm.EventLog.from_frame(frame, end_activities=["Closed"]) as log:
        assert jm.mine(log).end_to_end["open_cases"] == 0
    # A misspelt name beside a right one is doubted, with the closest activity.
    with jm.EventLog.from_frame(frame, end_activities=["Closed", "Clsoed"]) as log:
        said = [d for d in jm.mine(log).check.doubts if d.startswith("end activit")]
    assert said == [
        "end activity 'Clsoed' is no activity of this log (did you mean 'Closed'?), so it "
        "ends no case; check the name given with \x1eend_activities\x1fACTIVITY,...\x1e"
    ]
    # End activities that leave most cases open: the figures rest on the few that ended.
    third = pd.DataFrame(
        [("3", "New", "2024-03-03 09:00"), ("3", "Resolved", "2024-03-03 10:00")],
        columns=["case", "activity", "timestamp"],
    )
    both = pd.concat([frame, third], ignore_index=True)
    with jm.EventLog.from_frame(both, end_activities=["Resolved"]) as log:
        found = jm.mine(log)
        said = [d for d in found.check.doubts if d.startswith("end activit")]
        jm.write_outputs(found, tmp_path / "out", formats=(), report=True)
    # In the report, under Capability (end-to-end times), not under Demand.
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    capability = page[page.index('<section id="capability">') :]
    demand = page[page.index('<section id="demand">') : page.index('<section id="capability">')]
    assert "End activities given (&#x27;Resolved&#x27;): 2 of 3 cases" in capability
    assert "End activities given" not in demand
    assert said == [
        "end activities given ('Resolved'): 2 of 3 cases read as still open, as their last "
        "event is none of them, and the end-to-end figures rest on the 1 that ended; the "
        "cases end most with 'Closed' (2 cases), 'Resolved' (1 case): if any of those also "
        "finishes a case, add it to the end activities given"
    ]
