"""The real logs in ../shared/datasets: exact events and cases, via `journeymap inspect`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from journeymap.cli import cli
from shared_datasets import dataset

pytestmark = pytest.mark.datasets

# (file, mapping options, events, cases) from shared/datasets/README.md; bpic2012 is in
# test_connector_xes.py, read once for several tests.
LOGS = [
    ("helpdesk/helpdesk_full.csv", [], 21_348, 4_580),
    ("bpic2013_closed_problems/BPI2013_closed.csv", ["--team", "organization involved"],
     6_660, 1_487),
    ("receipt/receipt.csv", [], 8_577, 1_434),
    ("sepsis/sepsis.csv", [], 15_214, 1_050),
    ("road_traffic_fines_sample/roadtraffic100traces.csv", [], 390, 100),
    ("pm4py_examples/running-example.csv", [], 42, 6),
    ("pm4py_examples/reviewing.csv", [], 3_730, 100),
    ("pm4py_examples/interval_event_log.csv", [], 8_109, 1_266),
    ("helpdesk/helpdesk.xes.gz", ["--team", "workgroup"], 21_348, 4_580),
    ("bpic2013_closed_problems/BPI_Challenge_2013_closed_problems.xes.gz",
     ["--team", "organization involved"], 6_660, 1_487),
    ("bpic2013_open_problems/BPI_Challenge_2013_open_problems.xes.gz", [], 2_351, 819),
    ("receipt/receipt_env_permit.xes.gz", [], 8_577, 1_434),
    ("sepsis/Sepsis_Cases_Event_Log.xes.gz", [], 15_214, 1_050),
    ("road_traffic_fines_sample/roadtraffic100traces.xes", [], 390, 100),
    ("road_traffic_fines_sample/roadtraffic50traces.xes", ["--timezone", "Europe/Rome"], 201, 51),
    ("pm4py_examples/running-example.xes", [], 42, 6),
    ("pm4py_examples/reviewing.xes", [], 3_730, 100),
    ("pm4py_examples/interval_event_log.xes", [], 8_109, 1_266),
]  # fmt: skip


# The closed-problems extract holds the problems closed from January to May 2012, some
# opened in 2006: the one log that looks like an extract of cases closed in a window. (The
# CSV's times have no offset and are read as UTC, the XES's have one: the days agree.)
CLOSED = {"cases": 825, "of": 1487, "first_end": "2012-01-02", "last_end": "2012-05-31"}


@pytest.mark.parametrize(("name", "options", "events", "cases"), LOGS)
def test_inspect_counts_match_the_dataset_readme(name, options, events, cases):
    result = CliRunner().invoke(cli, ["inspect", str(dataset(name)), "--json", *options])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # A step's start merged into its completion (journeymap.lifecycle) is a row read
    # and accepted, not an event of its own: reviewing's 1,452 (counted apart with
    # pandas: a start followed, within its case and activity, by a completion).
    merged = 1_452 if "reviewing" in name else 0
    assert (data["rows_read"], data["accepted"], data["cases"], data["rejected_rows"]) == (
        events,
        events,
        cases,
        0,
    )
    assert data["events"] == events - merged
    closed = {k: v[:10] if "end" in k else v for k, v in data["closed_window"].items()}
    assert closed == (CLOSED if "2013_closed" in name else {})


def test_helpdesk_csv_slashed_timestamps_and_duplicated_header():
    result = CliRunner().invoke(
        cli, ["inspect", str(dataset("helpdesk/helpdesk_full.csv")), "--json"]
    )
    data = json.loads(result.stdout)
    assert data["mapping"]["timestamp"] == "Complete Timestamp"
    assert (data["start"], data["end"]) == ("2010-01-13T08:40:25Z", "2014-01-03T13:20:58Z")
    assert data["cases_with_equal_timestamps"] == 129
    assert data["resources"] == 22
    assert any("'Variant' appears more than once" in n for n in data["notes"])


@pytest.mark.parametrize("suffix", ["csv", "xes"])
def test_road_fines_dates_are_the_dates_written(suffix):
    """The road-fines sample writes dates as local midnights (+01:00 in winter, +02:00 in
    summer): its first and last days are the file's 2000-03-15 and 2013-04-24, not the UTC
    instants of the evenings before (checked against the file with grep)."""
    name = f"road_traffic_fines_sample/roadtraffic100traces.{suffix}"
    result = CliRunner().invoke(cli, ["inspect", str(dataset(name)), "--json"])
    data = json.loads(result.stdout)
    assert (data["start"], data["end"]) == ("2000-03-15T00:00:00Z", "2013-04-24T00:00:00Z")
    assert any("all midnight in their own UTC offset (+01:00, +02:00)" in n for n in data["notes"])


def test_receipt_mixed_offsets_are_normalised_to_utc():
    result = CliRunner().invoke(cli, ["inspect", str(dataset("receipt/receipt.csv")), "--json"])
    data = json.loads(result.stdout)
    assert any("mix UTC offsets (+01:00, +02:00)" in n for n in data["notes"])
    # org:group "EMPTY" on 1,936 events is a placeholder, not a tenth team
    assert data["teams"] == 9 and data["resources"] == 48
    assert data["placeholders"]["team"] == 1936


@pytest.mark.slow  # pm4py reads the log too: about 20 s
def test_helpdesk_closes_tickets_on_a_timer():
    """Helpdesk's 'Closed' follows 'Resolve ticket' after exactly 15 days (to the hour)
    in 1,414 of 4,558 transitions: a timer, not the customer waiting. Counted here
    with pm4py's reading of the log and pandas."""
    import pm4py

    from journeymap.discovery.dfg import dfg, timed_transitions
    from journeymap.reader import read_log

    path = str(dataset("helpdesk/helpdesk.xes.gz"))
    frame = pm4py.read_xes(path).sort_values(["case:concept:name", "time:timestamp"], kind="stable")
    nxt = frame.groupby("case:concept:name").shift(-1)
    pair = (frame["concept:name"] == "Resolve ticket") & (nxt["concept:name"] == "Closed")
    waits = (nxt["time:timestamp"] - frame["time:timestamp"])[pair].dt.total_seconds()
    timed = int(((waits - 15 * 86400).abs() <= 1.5 * 3600).sum())  # the hour of 15 d, ±1 h
    assert (len(waits), timed) == (4_558, 1_414)
    with read_log(path, team="workgroup") as log:
        found = timed_transitions(log, dfg(log), log.cases)
    assert found == [{"source": "Resolve ticket", "target": "Closed", "events": 4_558,
                      "timed": 1_414, "wait_s": 15 * 86400.0}]  # fmt: skip


def _mine(tmp_path, name, *options):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["mine", str(dataset(name)), "-o", str(out), "--no-report", *options]
    )
    return result, out


def test_open_problems_read_as_ended_are_doubted_and_a_misspelt_close_is_refused(tmp_path):
    """BPIC 2013's open problems: 463 of its 819 cases end in a state that closes none
    ('Accepted - In Progress', ...), 356 in 'Completed - Closed'. Read as ended, their
    times so far are whole waits: the doubt says so, and how to name the close. Named
    wrongly ('Closed', which no event has), every case would read as open: refused."""
    name = "bpic2013_open_problems/BPI_Challenge_2013_open_problems.xes.gz"
    result, out = _mine(tmp_path, name)
    assert result.exit_code == 0, result.output
    doubt = (
        "463 of 819 cases (57%) end with an activity that does not close a case "
        "('Accepted - In Progress' in 205, 'Queued - Awaiting Assignment' in 93, "
        "'Accepted - Assigned' in 87), and 356 with 'Completed - Closed': if those were "
        "still open when the log was exported, their end-to-end times are their times so "
        "far, read as whole waits; name the activities that finish a case, "
        "--end-activities 'Completed - Closed', to leave the open ones out"
    )
    assert f"check before you show it: {doubt}" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert doubt in summary["doubts"]  # the same words as the terminal's

    named, _ = _mine(tmp_path, name, "--end-activities", "Completed - Closed")
    assert named.exit_code == 0 and "does not close a case" not in named.output

    wrong, _ = _mine(tmp_path, name, "--end-activities", "Closed")
    assert wrong.exit_code == 2
    assert wrong.output.strip().splitlines()[-1] == (
        "Error: BPI_Challenge_2013_open_problems.xes.gz: no event has the end activities "
        "given ('Closed'), so every case would read as still open; the cases end most with "
        "'Completed - Closed' (356 cases), 'Accepted - In Progress' (205 cases), 'Queued - "
        "Awaiting Assignment' (93 cases): name the activities that finish a case with "
        "--end-activities ACTIVITY,..."
    )


def test_road_fines_cases_outlast_the_weeks_of_arrivals(tmp_path):
    """The road-fines sample: 41 cases start in the three weeks of usual arrivals, and 37
    of them end a year or two later. A chart of the 4 that ended within those weeks said
    'predictable, 0 to 19 days'; there is none, and the note names the period that
    charts them all, which shows waits of a year and more, not predictable."""
    name = "road_traffic_fines_sample/roadtraffic50traces.xes"
    result, out = _mine(tmp_path, name)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["capability"] is None
    assert (
        "no capability e2e chart: 37 of the 41 cases that started from 2007-03-05 to "
        "2007-03-25 ended after it, so a chart of the 4 that ended within it would show only "
        "the quickest waits, not how long customers wait; give a period that covers their "
        "ends: --period 2007-03-05..2009-03-30"
    ) in summary["check_notes"]
    longer, out = _mine(tmp_path, name, "--period", "2007-03-05..2009-03-30")
    assert longer.exit_code == 0, longer.output
    capability = json.loads((out / "summary.json").read_text())["capability"]
    assert capability["points"] == 45 and not capability["predictable"]
    assert capability["centre"] > 300 * 86400


def test_receipt_single_event_cases_are_named_beside_the_median(tmp_path):
    """Receipt: 116 of 1,434 cases are a single event ('Confirmation of receipt' alone),
    0 s each: they pull the median end-to-end time from 3.0 h to 48 min. Counted here
    with pandas from the CSV."""
    import pandas as pd

    frame = pd.read_csv(dataset("receipt/receipt.csv"), usecols=["case:concept:name",
                        "time:timestamp"])  # fmt: skip
    frame["t"] = pd.to_datetime(frame["time:timestamp"], utc=True, format="ISO8601")
    cases = frame.groupby("case:concept:name")["t"].agg(["min", "max", "count"])
    e2e = (cases["max"] - cases["min"]).dt.total_seconds()
    single = int((cases["count"] == 1).sum())
    result, out = _mine(tmp_path, "receipt/receipt.csv")
    assert result.exit_code == 0, result.output
    found = json.loads((out / "summary.json").read_text())["end_to_end"]
    assert (single, found["single_event_cases"]) == (116, 116)
    assert found["median_s"] == pytest.approx(e2e.median(), abs=1e-3)
    without = e2e[cases["count"] > 1].median()
    assert found["median_s_without_single_events"] == pytest.approx(without, abs=1e-3)
    assert "116 of 1,434 cases (8.1%) have a single event" in result.output


def test_the_interval_log_says_how_much_of_the_time_was_work(tmp_path):
    """pm4py's interval example, start times mapped: 134 days of work in the 30,844 days
    its cases took (checked by a pandas script over the file: every event's completion
    less its start, summed; every case's last completion less its first start), and 58
    of its 6,843 transitions start before the step before them completed."""
    out = tmp_path / "out"
    path = str(dataset("pm4py_examples/interval_event_log.csv"))
    args = ["mine", path, "--start-timestamp", "start_timestamp", "-o", str(out), "--quiet"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    work = json.loads((out / "summary.json").read_text())["work"]
    assert work == {"work_s": 11_612_139, "e2e_s": 2_664_945_738, "overlapping": 58,
                    "transitions": 6_843}  # fmt: skip
    page = (out / "report.html").read_text()
    assert (
        "The steps took 134 days of work in all, 0.4% of the 30,844 days the cases took from "
        "first start to last completion: the rest was waiting. 58 of the 6,843 steps"
    ) in page
