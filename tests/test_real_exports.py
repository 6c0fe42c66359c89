"""The rules for real exports (MEASURES.md and docs/user-guide.md, "Real exports"), each
on a small log whose right answer can be counted by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import journeymap as jm
from journeymap.analysis.demand import demand_summary
from journeymap.analysis.period import complete_period
from journeymap.cli import cli
from journeymap.demand_rules import DemandRules
from journeymap.errors import as_keywords


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


# -- placeholders -----------------------------------------------------------------------


@pytest.fixture
def placeholder_log(tmp_path: Path) -> Path:
    return _csv(
        tmp_path / "placeholders.csv",
        "case,activity,timestamp,team,resource",
        [
            "1,Open,2024-01-01 09:00,Front,Ann",
            "1,Assess,2024-01-01 10:00,?,UNDEFINED",
            "1,Close,2024-01-01 11:00,Back,Bo",
            "2,Open,2024-01-02 09:00,(Blank),n/a",
            "2,Close,2024-01-02 10:00,Back,TBC",
            "3,Open,2024-01-03 09:00,--None--,Ann",  # Salesforce's empty picklist value
        ],
    )


def test_placeholders_are_missing_and_counted(placeholder_log):
    with jm.read_log(str(placeholder_log)) as log:
        frame = log.to_pandas()
        assert sorted(frame["team"].dropna().unique()) == ["Back", "Front"]
        assert log.placeholders == {"resource": 2, "team": 3}
        # '?' between Front and Back is no handler: one hand-off, Front -> Back.
        table = jm.handoffs(log, level="team")
        assert table[["from", "to", "count"]].values.tolist() == [["Front", "Back", 1]]


def test_the_placeholder_list_can_be_replaced_or_extended(placeholder_log):
    with jm.read_log(str(placeholder_log), extra_missing_values=("TBC",)) as log:
        assert log.placeholders["resource"] == 3
    with jm.read_log(str(placeholder_log), missing_values=("?",)) as log:
        assert log.placeholders == {"resource": 0, "team": 1}  # --None-- is a team now
        assert "(Blank)" in set(log.to_pandas()["team"])


# -- repeated states --------------------------------------------------------------------


def _snapshot_rows(cases: int) -> list[str]:
    """Each case: New (saved 3 times), In Progress by Desk (saved twice), then Resolved:
    6 rows, 5 transitions, 3 of them repeats."""
    rows = []
    for c in range(cases):
        day = f"2024-02-{1 + c % 28:02d}"
        rows += [
            f"INC{c},New,{day} 09:00,Desk",
            f"INC{c},New,{day} 09:05,Desk",
            f"INC{c},New,{day} 09:10,Desk",
            f"INC{c},In Progress,{day} 10:00,Desk",
            f"INC{c},In Progress,{day} 11:00,Desk",
            f"INC{c},Resolved,{day} 12:00,Field",
        ]
    return rows


def test_a_snapshot_export_is_collapsed_to_the_moments_states_were_entered(tmp_path):
    path = _csv(tmp_path / "snapshot.csv", "case,activity,timestamp,team", _snapshot_rows(12))
    with jm.read_log(str(path)) as log:
        # 72 rows, 60 transitions of which 36 repeat the state before: 60% >= 20%.
        assert (log.rows_read, log.accepted, log.events) == (72, 72, 36)
        assert (log.repeats.events, log.repeats.cases, log.repeats.transitions) == (36, 12, 60)
        assert log.repeats.collapsed and log.repeats.handler == "team"
        variants = jm.variants(log)
        assert variants["variant"].tolist() == ["New > In Progress > Resolved"]
        # The moment a state was entered is kept: Resolved waited 2 h after In Progress.
        dfg = jm.dfg(log).set_index(["source", "target"])
        assert dfg.loc[("In Progress", "Resolved"), "median_wait_s"] == 7200.0
        assert jm.rework(log)["cases"].sum() == 0
    with jm.read_log(str(path), collapse_repeats="no") as log:
        assert log.events == 72 and not log.repeats.collapsed
        assert jm.rework(log).set_index("activity").loc["New", "cases"] == 12


def test_a_few_repeats_in_an_ordinary_log_are_kept(tmp_path):
    rows = [f"{c},Open,2024-01-0{1 + c % 5} 09:00,T\n{c},Close,2024-01-0{1 + c % 5} 10:00,T"
            for c in range(30)]  # fmt: skip
    rows.append("30,Call,2024-01-05 09:00,T\n30,Call,2024-01-05 09:30,T")
    path = _csv(tmp_path / "calls.csv", "case,activity,timestamp,team", rows)
    with jm.read_log(str(path)) as log:
        assert (log.repeats.events, log.repeats.transitions) == (1, 31)
        assert not log.repeats.collapsed and log.events == 62
    with jm.read_log(str(path), collapse_repeats="yes") as log:
        assert log.events == 61


def test_inspect_says_what_was_collapsed(tmp_path):
    path = _csv(tmp_path / "snapshot.csv", "case,activity,timestamp,team", _snapshot_rows(12))
    result = CliRunner().invoke(cli, ["inspect", str(path), "--json"])
    profile = json.loads(result.stdout)
    assert (profile["rows_read"], profile["accepted"], profile["events"]) == (72, 72, 36)
    warning = next(w for w in profile["warnings"] if "repeat the state before them" in w)
    assert warning.startswith("36 events (60% of transitions, in 12 cases)")


# -- composite activities and classifiers -------------------------------------------------


def test_a_composite_activity_joins_its_parts_and_leaves_empty_ones_out(tmp_path):
    path = _csv(
        tmp_path / "composite.csv",
        "case,status,substatus,timestamp",
        ["1,Open,,2024-01-01", "1,Pending,Customer,2024-01-02", "1,Pending,Supplier,2024-01-03"],
    )
    with jm.read_log(str(path), activity="status,substatus") as log:
        assert log.to_pandas()["activity"].tolist() == [
            "Open", "Pending - Customer", "Pending - Supplier",
        ]  # fmt: skip
    with jm.read_log(str(path), activity="status,substatus", activity_sep=" / ") as log:
        assert log.to_pandas()["activity"].tolist()[1] == "Pending / Customer"


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <classifier name="Activity" keys="concept:name lifecycle:transition"/>
  <trace><string key="concept:name" value="1"/>
    <event><string key="concept:name" value="Fix"/><string key="lifecycle:transition"
      value="{first}"/><date key="time:timestamp" value="2024-01-01T09:00:00Z"/></event>
    <event><string key="concept:name" value="Fix"/><string key="lifecycle:transition"
      value="complete"/><date key="time:timestamp" value="2024-01-01T10:00:00Z"/></event>
  </trace>
</log>
"""


def test_an_xes_classifier_names_the_activity_and_a_constant_part_is_left_out(tmp_path):
    informative = tmp_path / "lifecycle.xes"
    informative.write_text(XES.format(first="start"))
    # The start and the completion after it are one event, with a start time
    # (journeymap.lifecycle); named, the classifier keeps every stage apart.
    with jm.read_log(str(informative), collapse_repeats="no") as log:
        events = log.to_pandas()
        assert events["activity"].tolist() == ["Fix"]
        assert events["start_timestamp"].dt.hour.tolist() == [9]
    named = "concept:name,lifecycle:transition"
    with jm.read_log(str(informative), activity=named, collapse_repeats="no") as log:
        assert log.to_pandas()["activity"].tolist() == ["Fix - start", "Fix - complete"]
    constant = tmp_path / "complete-only.xes"
    constant.write_text(XES.format(first="complete"))
    with jm.read_log(str(constant), collapse_repeats="no") as log:
        assert log.to_pandas()["activity"].tolist() == ["Fix", "Fix"]
        assert (
            "the log's classifier joins 'concept:name', 'lifecycle:transition'; "
            "'lifecycle:transition' holds one value throughout and is left out"
        ) in log.notes


# -- failure demand ---------------------------------------------------------------------


def test_failure_patterns_match_whole_words_only(tmp_path):
    path = _csv(
        tmp_path / "demand.csv",
        "case,activity,timestamp",
        [
            "1,Open,2024-01-01 09:00", "1,In Progress,2024-01-01 10:00",
            "2,Open,2024-01-02 09:00", "2,Complaint received,2024-01-02 10:00",
            "3,Open,2024-01-03 09:00", "3,Complainant details,2024-01-03 10:00",
            "4,Open,2024-01-04 09:00", "4,Re-opened,2024-01-04 10:00",
            "5,Open,2024-01-05 09:00", "5,Progress chase,2024-01-05 10:00",
            "6,Open,2024-01-06 09:00", "7,Open,2024-01-07 09:00", "8,Open,2024-01-08 09:00",
        ],
    )  # fmt: skip
    with jm.read_log(str(path)) as log:
        summary = demand_summary(log, DemandRules())
    assert summary["failure_cases"] == 3  # cases 2, 4 and 5 of 8
    assert summary["rule_cases"] == {"failure_activity": 3}
    assert not any(n.startswith("rule ") for n in summary["notes"])


def test_a_rule_that_marks_most_cases_is_called_out(tmp_path):
    rows = [f"{c},Chase up,2024-01-0{1 + c % 7} 09:00" for c in range(6)]
    rows += ["6,Open,2024-01-01 09:00", "7,Open,2024-01-02 09:00"]
    path = _csv(tmp_path / "chases.csv", "case,activity,timestamp", rows)
    with jm.read_log(str(path)) as log:
        summary = demand_summary(log, DemandRules())
    assert summary["failure_demand_pct"] == 75.0
    warning = next(n for n in summary["notes"] if n.startswith("rule "))
    assert warning.startswith("rule 'failure_activity' matches 6 of 8 cases (75.0%)")


# -- the complete period and implausible instants -----------------------------------------


def _arrivals(weekly: list[int], year: int = 2024) -> list[str]:
    """Cases arriving Monday 09:00 onwards of consecutive ISO weeks from 1 January 2024
    (a Monday), each closed an hour later."""
    rows = []
    start = pd.Timestamp(f"{year}-01-01 09:00")
    n = 0
    for week, count in enumerate(weekly):
        for i in range(count):
            t = start + pd.Timedelta(weeks=week, hours=i)
            rows += [
                f"{n},Open,{t:%Y-%m-%d %H:%M}",
                f"{n},Close,{t + pd.Timedelta(hours=1):%Y-%m-%d %H:%M}",
            ]
            n += 1
    return rows


def test_part_weeks_at_the_ends_are_left_out_of_the_period(tmp_path):
    path = _csv(tmp_path / "weeks.csv", "case,activity,timestamp", _arrivals([2, 10, 9, 11, 10, 3]))
    with jm.read_log(str(path)) as log:
        period = complete_period(log)
    # The 75th percentile of weekly arrivals is 10; half of it is 5: weeks 1 and 6 fall
    # short and are left out, the four between are kept.
    assert (str(period.start.date()), str(period.end.date())) == ("2024-01-08", "2024-02-05")
    assert period.weeks_left_out == (1, 1) and period.cases_in == 40 and period.cases == 45
    with jm.read_log(str(path)) as log:
        given = complete_period(log, given="2024-01-01..2024-01-14")
    assert given.basis == "given" and given.cases_in == 12


def test_an_impossible_year_is_counted_and_left_out_of_the_charts(tmp_path):
    rows = [*_arrivals([5, 5, 5, 5]), "99,Open,9999-12-30 09:00", "99,Close,9999-12-31 09:00"]
    path = _csv(tmp_path / "odd.csv", "case,activity,timestamp", rows)
    result = CliRunner().invoke(cli, ["inspect", str(path), "--json"])
    profile = json.loads(result.stdout)
    assert profile["implausible"]["events"] == 2 and profile["implausible"]["cases"] == 1
    with jm.read_log(str(path)) as log:
        period = complete_period(log)
    assert period.cases == 21 and period.cases_in == 20


# -- the report and summary say what inspect says -----------------------------------------


def test_summary_and_report_repeat_every_inspect_warning(tmp_path, placeholder_log):
    result = CliRunner().invoke(cli, ["inspect", str(placeholder_log), "--json"])
    warnings = json.loads(result.stdout)["warnings"]
    said = "placeholder values read as missing (see --missing-values LIST)"
    assert any(said in w for w in warnings)
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["mine", str(placeholder_log), "-o", str(out)]).exit_code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["data_quality"]["warnings"] == warnings
    assert summary["data_quality"]["placeholders"]["team"] == 3
    report = (out / "report.html").read_text()
    for warning in warnings:
        assert as_keywords(warning).replace("'", "&#x27;") in report
