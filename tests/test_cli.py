"""The command line, driven through click's CliRunner: exit codes and exact output."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from journeymap.cli import cli

LOG = (
    "Case ID,Activity,Complete Timestamp,Resource\n"
    "C1,Register,2024/01/01 09:00:00.000,ann\n"
    "C1,Resolve,2024/01/02 09:00:00.000,bob\n"
    "C2,Register,2024/01/03 09:00:00.000,ann\n"
    ",Register,2024/01/03 10:00:00.000,ann\n"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_is_documented():
    def walk(group: click.Group):
        for name, command in group.commands.items():
            assert command.help and len(command.help) > 20, name
            for param in command.params:
                if isinstance(param, click.Option):
                    assert param.help, f"{name} {param.opts}"
            if isinstance(command, click.Group):
                walk(command)

    walk(cli)


def test_end_activities_tell_the_cases_still_open(runner, write_file, tmp_path):
    """C2 ends with Register, no end activity: still open, and left out of the
    end-to-end figures; from the command line and from a config file alike."""
    path = write_file("log.csv", LOG)
    result = runner.invoke(cli, ["inspect", str(path), "--end-activities", "Resolve"])
    assert result.exit_code == 0, result.output
    assert "  still open                  1  when exported" in result.stdout.splitlines()
    config = write_file("ends.toml", '[mapping]\nend_activities = ["Resolve", "Closed"]\n')
    out = tmp_path / "out"
    result = runner.invoke(cli, ["mine", str(path), "-o", str(out), "--no-report",
                                 "--config", str(config)])  # fmt: skip
    assert result.exit_code == 0, result.output
    e2e = json.loads((out / "summary.json").read_text())["end_to_end"]
    assert e2e == {"median_s": 86400.0, "mean_s": 86400.0, "p90_s": 86400.0, "open_cases": 1}
    cases = (out / "tables" / "cases.csv").read_text().splitlines()
    assert [line.rsplit(",", 1)[1] for line in cases] == ["open", "false", "true"]


def test_inspect_json(runner, write_file):
    path = write_file("log.csv", LOG)
    result = runner.invoke(cli, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("rows_read", "events", "cases", "rejected_rows")} == {
        "rows_read": 4,
        "events": 3,
        "cases": 2,
        "rejected_rows": 1,
    }
    assert data["activities"] == 2
    assert data["top_activities"] == [
        {"activity": "Register", "events": 2},
        {"activity": "Resolve", "events": 1},
    ]
    assert (data["resources"], data["teams"]) == (2, None)
    assert (data["start"], data["end"]) == ("2024-01-01T09:00:00Z", "2024-01-03T09:00:00Z")
    assert data["events_per_case"] == {"min": 1, "median": 1.5, "max": 2}
    assert data["rejected_by_reason"] == {"no case id": 1}
    assert result.stderr.startswith("Mapping: case='Case ID' (detected)")


def test_inspect_text_and_rejects_file(runner, write_file, tmp_path):
    path = write_file("log.csv", LOG)
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(cli, ["inspect", str(path), "--rejects", str(rejects)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "rows read                   4" in out
    assert "rejected                    1" in out
    assert "! 1 of 4 rows rejected (1 no case id)" in out
    # one line on stderr, also when not on a terminal, saying where the rejects are
    said = f"journeymap: log.csv: 1 of 4 rows rejected (1 no case id); see {rejects}\n"
    assert result.stderr == said
    assert rejects.read_text().splitlines()[1].startswith("4,,no case id: column 'Case ID'")


def test_inspect_with_config_file(runner, write_file):
    path = write_file("log.csv", "a;b;c\nX1;Open;01/02/2024 10:00\n")
    config = write_file(
        "jm.toml",
        '[read]\nsep = ";"\n[mapping]\ncase = "a"\nactivity = "b"\ntimestamp = "c"\n'
        'timestamp_format = "%m/%d/%Y %H:%M"\n',
    )
    result = runner.invoke(cli, ["inspect", str(path), "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["start"] == "2024-01-02T10:00:00Z"
    # An option on the command line wins over the config file.
    result = runner.invoke(
        cli, ["inspect", str(path), "--config", str(config), "--json", "--activity", "a"]
    )
    assert result.exit_code == 2
    assert "column 'a' is given for two roles" in result.stderr


def test_a_missing_column_named_in_the_config_file_says_where(runner, write_file):
    path = write_file("log.csv", "Case ID,Activity,Timestamp\nX1,Open,2024-01-02 10:00\n")
    config = write_file("jm.toml", '[mapping]\nteam = "Group"\n')
    result = runner.invoke(cli, ["inspect", str(path), "--config", str(config)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: log.csv: column 'Group' (given for team) does ")
    assert result.stderr.endswith(f"(team is named in {config} [mapping])\n")
    patterns = write_file("p.toml", '[[files]]\npattern = "*.csv"\nmapping = {customer = "C"}\n')
    result = runner.invoke(cli, ["inspect", str(path), "--config", str(patterns)])
    assert result.stderr.endswith(f"(customer is named in {patterns} [[files]] '*.csv')\n")
    # Given on the command line, the role is no longer the config file's.
    result = runner.invoke(cli, ["inspect", str(path), "--config", str(config), "--team", "G"])
    assert result.exit_code == 2
    assert "named in" not in result.stderr
    assert "column 'G' (given for team) does not exist" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--case", "Nope"], 2, "column 'Nope' (given for case) does not exist"),
        (["--timezone", "Nowhere/City"], 2, "unknown time zone 'Nowhere/City'"),
        (["--strict"], 1, "1 row(s) rejected and --strict was given: row 4: no case id"),
        (["--sep", ";"], 1, "read as 1 column(s)"),
    ],
)
def test_mistakes_give_one_line_and_exit_code(runner, write_file, args, code, message):
    path = write_file("log.csv", LOG)
    result = runner.invoke(cli, ["inspect", str(path), *args])
    assert result.exit_code == code
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_file_and_bad_config(runner, tmp_path, write_file):
    result = runner.invoke(cli, ["inspect", str(tmp_path / "none.csv")])
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        f"Error: {tmp_path / 'none.csv'}: no such file",
    )
    config = write_file("bad.toml", "[mapping]\ncse = 'x'\n")
    result = runner.invoke(cli, ["inspect", str(write_file("l.csv", LOG)), "--config", str(config)])
    assert result.exit_code == 2
    assert "unknown key mapping.cse (did you mean 'case'?)" in result.stderr


def test_connectors_lists_every_builtin(runner):
    result = runner.invoke(cli, ["connectors", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [c["name"] for c in data["connectors"]] == [
        "csv", "fieldchanges", "jira", "ocel", "parquet", "postgres", "salesforce",
        "servicenow", "sql", "xes", "xlsx", "zendesk",
    ]  # fmt: skip
    assert data["broken"] == {}
    assert all(c["description"] for c in data["connectors"])
    text = runner.invoke(cli, ["connectors"]).stdout.splitlines()
    assert text[0] == "csv          .csv .tsv .txt .csv.gz .tsv.gz .txt.gz .zip"
    assert "servicenow   exports in .csv .xlsx .json, by their content" in text
    assert "postgres     postgresql:// postgres://" in text


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("journeymap, version ")


def test_cli_reference_is_current(request):
    from journeymap.cli_reference import cli_reference

    committed = (request.config.rootpath / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == cli_reference(), (
        "regenerate: python -m journeymap.cli_reference > docs/cli.md"
    )


def test_generate_writes_a_log_inspect_reads(runner, tmp_path):
    out, truth = tmp_path / "g.csv", tmp_path / "truth.csv"
    result = runner.invoke(
        cli, ["generate", str(out), "--events", "2000", "--seed", "3", "--truth", str(truth)]
    )
    assert result.exit_code == 0, result.output
    rows = out.read_text().count("\n") - 1
    assert f"Wrote {out}: {rows:,} events in" in result.stderr
    data = json.loads(runner.invoke(cli, ["inspect", str(out), "--json"]).stdout)
    assert data["events"] == rows
    assert data["cases"] == truth.read_text().count("\n") - 1


def test_generate_never_replaces_a_file_unasked(runner, tmp_path):
    """A slip of the shell history must not overwrite the client's export with a
    synthetic log: an existing file needs --force, and a link is never written through."""
    export = tmp_path / "export.csv"
    export.write_text("the client's export\n")
    result = runner.invoke(cli, ["generate", str(export), "--events", "100"])
    assert result.exit_code == 2
    assert (
        result.stderr == f"Error: {export}: exists; give --force to replace it, or another name\n"
    )
    link = tmp_path / "link.csv"
    link.symlink_to(export)
    result = runner.invoke(cli, ["generate", str(link), "--events", "100", "--force"])
    assert result.exit_code == 2 and "is a symbolic link" in result.stderr
    assert export.read_text() == "the client's export\n"
    result = runner.invoke(cli, ["generate", str(export), "--events", "100", "--force"])
    assert result.exit_code == 0 and export.read_text().startswith("case_id,")


def test_generate_refuses_unknown_suffix(runner, tmp_path):
    result = runner.invoke(cli, ["generate", str(tmp_path / "g.json")])
    assert result.exit_code == 2
    assert "Invalid value for OUTPUT: must end in .csv, .csv.gz or .xes" in result.stderr


def test_the_command_line_starts_without_the_engine_or_pandas():
    """`journeymap --help` and argument mistakes answer at once: the command line loads
    pandas, the engine and the analyses only when a command needs them."""
    import subprocess
    import sys

    code = (
        "import sys, journeymap, journeymap.cli\n"
        "print(sorted(m for m in ('pandas', 'duckdb', 'ibis', 'pm4py') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("code", "status", "stderr"),
    [("None", 0, ""), ("3", 3, ""), ("'Error: no such file'", 1, "Error: no such file\n")],
)
def test_the_console_script_leaves_as_system_exit_would(code, status, stderr):
    """The console script ends the process without tearing the interpreter down (an
    object's finaliser at teardown does not run), but with SystemExit's exit status and
    message, after the exit handlers, with its output flushed."""
    import subprocess
    import sys

    script = (
        "import atexit, sys\n"
        "from journeymap.command import leave\n"
        "atexit.register(lambda: print('exit handler ran'))\n"
        "class Kept:\n"
        "    def __del__(self): print('torn down')\n"
        "kept = Kept()\n"
        "sys.stdout.write('unflushed')\n"
        f"leave({code})\n"
        "print('not reached')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (
        status,
        "unflushedexit handler ran\n",
        stderr,
    )


def test_the_console_script_waits_for_a_running_thread():
    """A thread that is not a daemon still running: the process ends the ordinary way,
    after it."""
    import subprocess
    import sys

    script = (
        "import threading, time\n"
        "from journeymap.command import leave\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()\n"
        "leave(4)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (4, "thread done\n")


def test_the_console_script_collects_garbage_less_often():
    """The console script runs Python's youngest-generation collection every
    YOUNG_OBJECTS new objects, not every 700, and keeps the older generations'."""
    import gc
    import subprocess
    import sys

    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.get_threshold()))\n"
        "sys.argv = ['journeymap', '--version']\n"
        "from journeymap.command import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    default = gc.get_threshold()
    assert done.stdout.splitlines()[-1] == str((10_000, *default[1:]))


@pytest.mark.parametrize(("given", "expected"), [(None, "0 False"), ("1", "1 True")])
def test_the_console_script_asks_numpy_for_no_huge_pages(given, expected):
    """NumPy's arrays do not ask for transparent huge pages in the console script
    (NUMPY_MADVISE_HUGEPAGE=0, read when NumPy is imported), unless the user said
    otherwise."""
    import os
    import subprocess
    import sys

    script = (
        "import atexit, os, sys\n"
        "def shown():\n"
        "    import numpy._core.multiarray as m\n"
        "    print(os.environ['NUMPY_MADVISE_HUGEPAGE'], m._get_madvise_hugepage())\n"
        "atexit.register(shown)\n"
        "sys.argv = ['journeymap', 'mine', '--help']\n"
        "from journeymap.command import main\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if given is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = given
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == expected


SHORT_DATES = (
    "case,activity,timestamp\n"
    "C1,A,03/04/24 09:00\nC1,B,04/04/24 10:00\nC2,A,05/04/24 09:00\nC2,B,06/04/24 11:00\n"
)


def test_short_dates_are_day_first_two_digit_years(runner, write_file, tmp_path):
    """03/04/24 is 3 April 2024, not the year 3 (nor 24): a four-digit-year format
    reads only four-digit years. The advice names the option as each output names
    options: a flag on the terminal, a keyword in JSON and the report."""
    path = write_file("short.csv", SHORT_DATES)
    result = runner.invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "  time span        2024-04-03T09:00:00Z to 2024-04-06T11:00:00Z" in result.stdout
    advice = "if they are month first give --timestamp-format '%m/%d/%y %H:%M'"
    assert advice in result.stdout
    data = json.loads(runner.invoke(cli, ["inspect", str(path), "--json"]).stdout)
    assert any("give --timestamp-format '%m/%d/%y %H:%M'" in n for n in data["notes"])
    out = tmp_path / "out"
    assert runner.invoke(cli, ["mine", str(path), "-o", str(out), "-q"]).exit_code == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "give --timestamp-format &#x27;%m/%d/%y %H:%M&#x27;" in page
    for name in ("report.html", "summary.json"):
        text = (out / name).read_text(encoding="utf-8")
        assert "\x1e" not in text and "\ufffd" not in text and "\\u001e" not in text


def test_a_short_date_in_a_four_digit_year_column_is_rejected(runner, write_file):
    """One 03/04/24 among ISO dates: unreadable (rejected), not an event in the year 3."""
    path = write_file("mixed.csv", "case,activity,timestamp\nC1,A,2024-04-03 09:00\n"
                                   "C1,B,03/04/24 10:00\nC2,A,2024-04-05 09:00\n")  # fmt: skip
    data = json.loads(runner.invoke(cli, ["inspect", str(path), "--json"]).stdout)
    assert (data["rows_read"], data["rejected_rows"], data["start"]) == (
        3, 1, "2024-04-03T09:00:00Z")  # fmt: skip
    assert data["rejected_by_reason"] == {"unreadable timestamp": 1}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--period", "2024-01-01.."], "period: '2024-01-01..' is not a period; write --period"),
        (["--period", "..2024-01-01"], "period: '..2024-01-01' is not a period; write --period"),
        (["--memory-limit", "lots"], "--memory-limit lots: not a memory size; give one such as"),
        (["--memory-limit", "1KB"], "--memory-limit 1KB: too little for the engine; give at least"),
        (["--timezone", "Nowhere/X"], "unknown time zone 'Nowhere/X'; give an IANA name"),
    ],
)
def test_bad_settings_are_said_in_one_line(runner, write_file, tmp_path, args, said):
    path = write_file("short.csv", SHORT_DATES)
    result = runner.invoke(cli, ["mine", str(path), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {said}"), lines
    assert "bug" not in result.stderr and not (tmp_path / "out").exists()


def test_config_check_finds_bad_values(runner, write_file, monkeypatch):
    """What mine would refuse, config check refuses first, naming the file."""
    for body, said in [
        ('[check]\nperiod = "2024-01-01.."\n', "period: '2024-01-01..' is not a period"),
        ('[engine]\nmemory_limit = "lots"\n', "memory_limit='lots': not a memory size"),
        ('[mapping]\ntimezone = "Nowhere/X"\n', "unknown time zone 'Nowhere/X'"),
    ]:
        config = write_file("bad.toml", body)
        result = runner.invoke(cli, ["config", "check", str(config)])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"Error: {config}: {said}")
    monkeypatch.setenv("JOURNEYMAP_MEMORY_LIMIT", "banana")
    result = runner.invoke(cli, ["inspect", str(write_file("short.csv", SHORT_DATES))])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: JOURNEYMAP_MEMORY_LIMIT='banana': not a memory size")


def test_a_compact_format_with_a_four_digit_year_reads(runner, write_file):
    """%Y%m%d: the year's four digits run straight on into the month's."""
    path = write_file("compact.csv", "case,activity,timestamp\nC1,A,20240102 0930\n"
                                     "C1,B,20240103 1030\n")  # fmt: skip
    result = runner.invoke(cli, ["inspect", str(path), "--json", "--timestamp-format",
                                 "%Y%m%d %H%M"])  # fmt: skip
    data = json.loads(result.stdout)
    assert (data["accepted"], data["rejected_rows"], data["start"]) == (
        2, 0, "2024-01-02T09:30:00Z")  # fmt: skip


def test_the_console_script_collects_seldom_while_it_imports_then_as_usual():
    import gc

    from journeymap.cli_common import imported, importing

    default, frozen = gc.get_threshold(), gc.get_freeze_count()
    imported()  # a program running the commands itself keeps its collector as it was
    assert (gc.get_threshold(), gc.get_freeze_count()) == (default, frozen)
    try:
        importing()
        assert gc.get_threshold() == (10_000, *default[1:])
        imported()
        assert gc.get_threshold() == default
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*default)


def test_inspect_gives_an_activitys_sliver_of_the_events_as_under_a_tenth(runner, tmp_path):
    """One event in 2,001: not "0.0%" (a count that reads as none), but "under 0.1%",
    in the column of the others' shares."""
    rows = ["case,activity,timestamp"]
    rows += [f"c{i // 2},{'ab'[i % 2]},2024-01-01 {9 + i % 2:02d}:00" for i in range(2000)]
    rows.append("c0,rare,2024-01-01 11:00")
    (tmp_path / "log.csv").write_text("\n".join(rows) + "\n")
    result = runner.invoke(cli, ["inspect", str(tmp_path / "log.csv")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    top = lines[lines.index("Top 3 activities:") + 1 :][:3]
    assert [line.split()[-1] for line in top[:2]] == ["50%", "50%"]
    assert top[-1].endswith("1  under 0.1%")
    assert len({len(line) for line in top}) == 1  # the shares end in one column
