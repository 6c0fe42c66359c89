"""The config file as one place: [[files]] patterns, the template `config init` writes
and `config check`."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import cli
from journeymap.errors import ConfigError
from journeymap.options import Options
from journeymap.options_file import config_keys, load_options
from journeymap.render.config_template import config_template

LOG = "Ticket,Step,When,Group\nT1,Log,2024-01-01 09:00,Front\nT1,Close,2024-01-02 09:00,Back\n"
CONFIG = """
[mapping]
timezone = "Europe/London"

[[files]]
pattern = "exports/*.csv"
[files.read]
sep = ","
[files.mapping]
case = "Ticket"
activity = "Step"
timestamp = "When"
team = "Group"

[[files]]
pattern = "*.csv"
[files.mapping]
case = "case_id"
"""


def test_first_matching_pattern_gives_read_and_mapping_settings(tmp_path, monkeypatch):
    config = tmp_path / "engagement.toml"
    config.write_text(CONFIG)
    options = load_options(config)
    assert [p.pattern for p in options.files] == ["exports/*.csv", "*.csv"]
    monkeypatch.chdir(tmp_path)
    export = options.for_source("exports/may.csv")
    assert export.mapping == {"case": "Ticket", "activity": "Step", "timestamp": "When",
                              "team": "Group"}  # fmt: skip
    assert (export.read.sep, export.read.timezone) == (",", "Europe/London")
    elsewhere = options.for_source(tmp_path / "other" / "june.csv")  # by its file name
    assert elsewhere.mapping == {"case": "case_id"}
    assert options.for_source("may.xes") is options


def test_a_files_pattern_can_change_the_demand_rules_for_its_files(tmp_path, monkeypatch):
    """One export whose customer column names accounts: its repeat-contact rule is
    switched off there alone; the other files keep the top-level rules."""
    config = tmp_path / "engagement.toml"
    config.write_text(
        '[demand]\nextra_failure_activities = ["missed"]\nrepeat_contact_days = 10\n\n'
        '[[files]]\npattern = "helpdesk*"\n[files.demand]\nrepeat_contact_days = 0\n'
    )
    options = load_options(config)
    monkeypatch.chdir(tmp_path)
    helpdesk = options.for_source("helpdesk.xes.gz").demand
    assert helpdesk.repeat_days == 0
    assert helpdesk.failure_activities == options.demand.failure_activities  # kept
    assert options.demand.repeat_days == 10
    assert options.for_source("may.csv") is options
    shown = CliRunner().invoke(cli, ["config", "check", str(config)])
    # As the file writes them: a list in brackets, text in double quotes.
    assert "[[files]] 1: 'helpdesk*' (demand.extra_failure_activities = [\"missed\"], " in (
        shown.stdout
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[files]]\n[files.mapping]\ncase = 'x'\n", "c.toml: files[1] needs a pattern"),
        ("[[files]]\npattern = '*'\nmaping = {}\n", "unknown key files[1].maping (did you "
         "mean 'mapping'?); [[files]] takes: pattern, read, mapping, demand"),
        ("[[files]]\npattern = '*'\n[files.demand]\nrepeat_contact_days = 'x'\n",
         "c.toml: files[1].demand.repeat_contact_days must be"),
        ("[[files]]\npattern = '*'\n[files.demand]\nfailure_activities = ['(']\n",
         "c.toml: files[1].demand: demand.failure_activities"),
        ("[[files]]\npattern = '*'\n[files.mapping]\nteam = 3\n",
         "c.toml: files[1].mapping.team must be a string, not 3"),
        ("[[files]]\npattern = '*'\n[files.read]\nseparator = ';'\n",
         "unknown key files[1].read.separator"),
        ("files = 'x'\n", "c.toml: files must be a list of [[files]] tables"),
    ],
)  # fmt: skip
def test_files_errors_name_the_table_and_key(write_file, text, message):
    with pytest.raises(ConfigError) as info:
        load_options(write_file("c.toml", text))
    assert message in str(info.value)


def test_the_template_lists_every_key_and_gives_the_defaults(tmp_path):
    text = config_template()
    tomllib.loads(text)
    for key in config_keys():
        assert f"\n{key.name} =" in text or f"\n# {key.name} =" in text or key.name == "rule"
    path = tmp_path / "template.toml"
    path.write_text(text)
    loaded = load_options(path)
    defaults = Options()
    assert dataclasses.replace(loaded, source=None, demand=defaults.demand) == defaults
    assert loaded.demand.failure_activities == defaults.demand.failure_activities


def test_config_init_writes_the_template_once(tmp_path, monkeypatch):
    runner = CliRunner()
    printed = runner.invoke(cli, ["config", "init"])
    assert printed.exit_code == 0 and printed.stdout == config_template()
    monkeypatch.chdir(tmp_path)  # - is the standard output, not a file named "-"
    dash = runner.invoke(cli, ["config", "init", "-"])
    assert dash.exit_code == 0 and dash.stdout == config_template()
    assert not (tmp_path / "-").exists()
    target = tmp_path / "journeymap.toml"
    first = runner.invoke(cli, ["config", "init", str(target)])
    assert first.exit_code == 0
    assert first.stderr == (
        f"Wrote {target}: edit it, then check it with `journeymap config check {target}`\n"
    )
    assert target.read_text() == config_template()
    again = runner.invoke(cli, ["config", "init", str(target)])
    assert again.exit_code == 2
    assert again.stderr == (
        f"Error: {target}: exists already; give another name, or --force to replace it\n"
    )
    assert runner.invoke(cli, ["config", "init", str(target), "--force"]).exit_code == 0


def test_config_check_lists_the_files_each_pattern_matches(tmp_path):
    (tmp_path / "exports").mkdir()
    for name in ("exports/may.csv", "exports/june.csv", "legacy.csv", "old.xes"):
        (tmp_path / name).write_text(LOG)
    config = tmp_path / "engagement.toml"
    config.write_text(CONFIG)
    result = CliRunner().invoke(cli, ["config", "check", str(config)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{config}: valid; 2 [[files]] pattern(s), 4 log(s)",
        '[[files]] 1: \'exports/*.csv\' (sep = ",", case = "Ticket", activity = "Step", '
        'timestamp = "When", team = "Group") matches 2 file(s)',
        f"  {tmp_path}/exports/june.csv",
        f"  {tmp_path}/exports/may.csv",
        "[[files]] 2: '*.csv' (case = \"case_id\") matches 1 file(s)",
        f"  {tmp_path}/legacy.csv",
        "No pattern matches 1 file(s) (top-level settings):",
        f"  {tmp_path}/old.xes",
    ]
    data = json.loads(CliRunner().invoke(cli, ["config", "check", str(config), "--json"]).stdout)
    assert [len(f["matches"]) for f in data["files"]] == [2, 1]
    assert data["unmatched"] == [f"{tmp_path}/old.xes"]
    # No log beside the file: it says so, not that every file matches a pattern.
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "engagement.toml").write_text(CONFIG)
    result = CliRunner().invoke(cli, ["config", "check", str(alone / "engagement.toml")])
    assert result.stdout.splitlines()[-1] == (
        f"No log found in {alone}/ (FILE's folder) and below: give the logs as INPUTS to see "
        "the pattern each takes."
    )


def test_config_check_reports_an_invalid_file(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[[files]]\npattern = 3\n")
    result = CliRunner().invoke(cli, ["config", "check", str(config)])
    assert result.exit_code == 2
    assert result.stderr == (
        f'Error: {config}: files[1] needs a pattern, a glob such as "exports/*.csv"\n'
    )
    # With --json, the verdict where a script reads a valid file's (it printed nothing).
    as_json = CliRunner().invoke(cli, ["config", "check", str(config), "--json"])
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout) == {
        "config": str(config),
        "valid": False,
        "problems": [f'{config}: files[1] needs a pattern, a glob such as "exports/*.csv"'],
    }


def test_mine_takes_the_mapping_of_the_matching_pattern_and_flags_win(tmp_path):
    (tmp_path / "exports").mkdir()
    log = tmp_path / "exports" / "may.csv"
    log.write_text(LOG)
    config = tmp_path / "engagement.toml"
    config.write_text(CONFIG)
    out = tmp_path / "out"
    args = ["mine", str(log), "--config", str(config), "-o", str(out), "--no-report"]
    result = CliRunner().invoke(cli, [*args, "--team", "Step", "--activity", "Group"])
    assert result.exit_code == 0, result.output
    mapping = json.loads((out / "summary.json").read_text())["mapping"]
    assert mapping == {"case": "Ticket", "activity": "Group", "timestamp": "When", "team": "Step"}


def test_quiet_mine_prints_nothing(tmp_path):
    log = tmp_path / "may.csv"
    log.write_text(LOG)
    args = [
        "mine",
        str(log),
        "--case",
        "Ticket",
        "--timestamp",
        "When",
        "-o",
        str(tmp_path / "out"),
    ]
    args.append("--quiet")
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stderr, result.stdout) == (0, "", "")
    assert Path(tmp_path / "out" / "run.json").is_file()


def test_config_check_reports_every_problem_a_line_each(tmp_path):
    """Three typos and a bad value: one run names them all, in the sections' order, and
    later [[files]] tables keep their numbers when an earlier one is at fault."""
    config = tmp_path / "bad.toml"
    config.write_text(
        '[map]\nlanse = "team"\nview = "frequency"\nmax_activities = -3\npaths_pct = 0\n'
        '[check]\nmax_points = "x"\n[engine]\nmemory_limit = "lots"\n[read]\nsep = ";;"\n'
        '[mapping]\ntimezone = "Nowhere/X"\n'
        '[[files]]\npattern = 3\n[[files]]\npattern = "*.csv"\n[files.mapping]\nteem = "x"\n'
    )
    result = CliRunner().invoke(cli, ["config", "check", str(config)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {config}: check.max_points must be a whole number, not 'x'",
        f"Error: {config}: unknown key map.lanse (did you mean 'lanes'?); [map] takes: lanes, "
        "view, measure, activities_pct, paths_pct, max_activities, demand, by, model, "
        "template, journeys",
        f'Error: {config}: files[1] needs a pattern, a glob such as "exports/*.csv"',
        f"Error: {config}: unknown key files[2].mapping.teem (did you mean 'team'?); "
        "[files[2].mapping] takes: case, activity, timestamp, start_timestamp, resource, "
        "team, channel, customer, timestamp_format, timezone, activity_sep, end_activities",
        f"Error: {config}: memory_limit='lots': not a memory size; give one such as 2GB or 512MB",
        # a section's values after its keys, each named by its section; in the file's
        # words (sep=';;', as the file says it, not --sep); a doubled problem said once
        f"Error: {config}: map.paths_pct must be a percentage above 0 and at most 100, not 0",
        f"Error: {config}: map.max_activities must be 1 or more, not -3",
        f"Error: {config}: sep=';;': the delimiter must be one character, such as ',', ';', "
        "'|' or tab",
        f"Error: {config}: unknown time zone 'Nowhere/X'; give an IANA name such as "
        "Europe/London, Europe/Amsterdam, America/New_York or UTC",
    ]


def test_the_template_speaks_toml_and_its_lists_read_back(tmp_path):
    """The command line's "comma-separated" is a list in the file; what the template
    shows as an example is what the file accepts."""
    text = config_template()
    assert "comma-separated" not in text
    assert 'a list, e.g. ["Closed", "Resolved"]' in text
    config = tmp_path / "c.toml"
    config.write_text('[mapping]\nend_activities = ["Closed", "Resolved"]\n'
                      '[templates]\nmethod = "sequence_match"\n')  # fmt: skip
    options = load_options(config)
    assert options.read.end_activities == ("Closed", "Resolved")
    assert options.templates.method == "sequence match"  # as a TOML key would be written
