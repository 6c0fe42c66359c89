"""`journeymap mine`: files, exact tables on a tiny log, determinism, mistakes."""

from __future__ import annotations

import json
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


def test_tiny_log_tables_and_summary(tmp_path):
    log = tmp_path / "tiny.csv"
    log.write_text(TINY)
    out = tmp_path / "out"
    result = run_mine(str(log), "-o", str(out))
    assert result.stderr == ""  # quiet when not on a terminal
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
        "median_processing_s,lane,lane_share"
    )
    assert activities[1] == "Log,3,3,50.000,3,1,,Front,100.000"
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
                     "tables/activities.csv", "tables/variants.csv"):  # fmt: skip
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
