"""Batch mining: inputs and names, the index against each log's summary.json, failures,
reruns that skip up-to-date logs, worker processes (including one that dies), and an
interrupted batch that a rerun finishes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from html import escape
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from journeymap.cli import cli
from journeymap.errors import SourceNotFoundError
from journeymap.pipeline.batch import BatchEvent, batch, engine_share
from journeymap.pipeline.batch_inputs import Skipped, find_inputs, find_logs, log_names
from journeymap.pipeline.run_record import run_record, up_to_date
from journeymap.render.capability_words import duration_limits

SMALL = (
    "case,activity,timestamp,team\n"
    "1,Log,2024-01-01 09:00,Front\n"
    "1,Fix,2024-01-01 10:00,Back\n"
    "1,Close,2024-01-01 12:00,Front\n"
    "2,Log,2024-01-02 09:00,Front\n"
    "2,Close,2024-01-02 09:30,Front\n"
    "3,Log,2024-01-03 09:00,Front\n"
    "3,Chase,2024-01-04 09:00,Front\n"
    "3,Close,2024-01-05 09:00,Back\n"
)
# The same log with other headers: a config's [[files]] pattern maps it.
RENAMED = SMALL.replace("case,activity,timestamp,team", "Ticket,Step,When,Group")


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "north.csv").write_text(SMALL)
    (folder / "south.csv").write_text(SMALL.replace("2024-01-0", "2024-02-0"))
    (folder / "east").mkdir()
    (folder / "east" / "east.csv").write_text(RENAMED)
    return folder


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "engagement.toml"
    path.write_text(
        "[output]\nreport = false\n\n"
        '[[files]]\npattern = "exports/east/*.csv"\n'
        '[files.mapping]\ncase = "Ticket"\nactivity = "Step"\ntimestamp = "When"\n'
        'team = "Group"\n'
    )
    return path


def run(*args: str) -> object:
    return CliRunner().invoke(cli, ["batch", *args])


def test_names_are_safe_unique_and_never_the_index():
    paths = ["a/may.csv", "b/may.xes.gz", 'c/<img src=x onerror="1">.csv', "d/MAY.CSV",
             "e/index.html.csv", "f/.hidden.csv", "g/...csv"]  # fmt: skip
    assert log_names(paths) == [
        "may", "may-2", "img-src-x-onerror-1", "MAY-3", "index.html-2", "hidden", "log",
    ]  # fmt: skip


def test_inputs_folders_globs_and_the_output_folder_left_out(logs, tmp_path):
    (logs / "notes.md").write_text("not a log")
    (logs / ".cache").mkdir()
    (logs / ".cache" / "old.csv").write_text(SMALL)
    (logs / "out").mkdir()
    (logs / "out" / "dfg.csv").write_text("written by an earlier batch")
    found = find_inputs([str(logs), str(logs / "*.csv")], exclude=logs / "out")
    assert [p.relative_to(logs).as_posix() for p in found] == [
        "east/east.csv",
        "north.csv",
        "south.csv",
    ]
    with pytest.raises(SourceNotFoundError, match="no file matches this pattern"):
        find_inputs([str(logs / "*.xlsx")])
    with pytest.raises(SourceNotFoundError, match="no such file or folder"):
        find_inputs([str(tmp_path / "missing.csv")])


def test_a_folder_leaves_out_notes_and_earlier_results(logs, tmp_path):
    """A .txt file is a log in a folder when its header looks like a table's; the
    folders of an earlier mine or batch are results, not logs (config check counted
    their tables). A file named on its own is taken whatever it holds."""
    (logs / "notes.txt").write_text("Exported on Monday, by Ann\nfrom the live system\n")
    (logs / "kickoff.txt").write_text("Kickoff, Tuesday, with the client\nAsk for the audit.\n")
    (logs / "west.txt").write_text(SMALL.replace(",", "\t"))
    (logs / "mined" / "tables").mkdir(parents=True)
    (logs / "mined" / "run.json").write_text("{}")
    (logs / "mined" / "tables" / "cases.csv").write_text(SMALL)
    (logs / "batch" / "east").mkdir(parents=True)
    for name in ("index.html", "index.csv", "index.json"):
        (logs / "batch" / name).write_text("")
    (logs / "batch" / "east" / "dfg.csv").write_text(SMALL)
    found, skipped = find_logs([str(logs)])
    assert [p.relative_to(logs).as_posix() for p in found] == [
        "east/east.csv", "north.csv", "south.csv", "west.txt",
    ]  # fmt: skip
    # The notes are named, with why; the results' folders are not (they are journeymap's).
    note = "a note, not a table: its first lines are not split by , ; tab or |"
    assert skipped == [Skipped(logs / "kickoff.txt", note), Skipped(logs / "notes.txt", note)]
    assert find_logs([str(logs / "notes.txt")]) == ([logs / "notes.txt"], [])
    # Named on its own as well as in its folder, it is mined, not passed over.
    assert find_logs([str(logs), str(logs / "notes.txt")])[1] == [skipped[0]]


def test_a_file_a_log_is_read_with_is_no_log_of_its_own(tmp_path):
    """Salesforce's Case.csv beside a CaseHistory export is read with it (channel and
    customer): in a folder it is not mined on its own (it failed, and failed the
    batch); named on its own it is taken."""
    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "CaseHistory.csv").write_text(
        "Id,CaseId,CreatedById,CreatedDate,Field,OldValue,NewValue\n"
        "h1,c1,u1,2024-05-10T09:00:00.000+0000,created,,\n"
        "h2,c1,u1,2024-05-10T10:00:00.000+0000,Status,New,Closed\n"
    )
    (folder / "Case.csv").write_text("Id,Origin,ContactId,CreatedDate\nc1,Phone,k1,2024-05-10\n")
    assert find_logs([str(folder)]) == (
        [folder / "CaseHistory.csv"],
        [Skipped(folder / "Case.csv", "read with CaseHistory.csv, not mined on its own")],
    )
    assert find_inputs([str(folder / "Case.csv")]) == [folder / "Case.csv"]


def test_a_folder_of_exports_gives_the_json_exports_a_reader_recognises(tmp_path):
    """JSON exports (Jira, ServiceNow's Table API, Zendesk) are logs in a folder too,
    named without their suffix; other JSON files there (a batch's own summaries, a
    settings file) are not."""
    from journeymap.synthetic.fixtures import write_exports

    fixtures = write_exports(tmp_path / "exports", cases=4, seed=5)
    (tmp_path / "exports" / "jira" / "summary.json").write_text('{"cases": 4}')
    (tmp_path / "exports" / "settings.json").write_text("[1, 2]")
    found, skipped = find_logs([str(tmp_path / "exports")])
    unknown = (
        "no system's reader recognises it (a Jira, ServiceNow or Zendesk JSON export, an "
        "OCEL 2.0 log); name it on its own to see why"
    )
    assert [(s.path.relative_to(tmp_path).as_posix(), s.why) for s in skipped] == [
        ("exports/jira/summary.json", unknown),
        ("exports/salesforce/Case.csv", "read with CaseHistory.csv, not mined on its own"),
        ("exports/settings.json", unknown),
    ]
    assert {f.path.resolve() for f in fixtures.values()} <= {p.resolve() for p in found}
    json_logs = [p for p in found if p.suffix == ".json"]
    assert {p.name for p in json_logs} == {
        f.path.name for f in fixtures.values() if f.path.suffix == ".json"
    }
    assert len(json_logs) >= 3  # Jira, Table API, Zendesk audits and ticket events
    assert all(not n.endswith(".json") for n in log_names(json_logs))


def test_one_path_is_one_input_not_its_characters(logs, tmp_path):
    """jm.batch("file.csv", out) took the string's characters as inputs, and '/' made it
    search the whole file system."""
    result = batch(str(logs / "north.csv"), tmp_path / "one")
    assert [r["name"] for r in result.rows] == ["north"]
    assert [r["name"] for r in batch(logs / "south.csv", tmp_path / "two").rows] == ["south"]


def test_the_files_not_mined_are_said_and_listed_in_the_index(logs, config, tmp_path):
    """A folder's notes are not mined; the batch says so on stderr (not with --quiet),
    and the index lists them with why (index.json's "skipped", a list on the page)."""
    (logs / "notes.txt").write_text("Exported on <Monday>, by Ann\nfrom the live system\n")
    out = tmp_path / "out"
    result = run(str(logs), "-o", str(out), "--config", str(config))
    assert result.exit_code == 0, result.output
    why = "a note, not a table: its first lines are not split by , ; tab or |"
    assert f"journeymap: not mined: {logs / 'notes.txt'}: {why}\n" in result.stderr
    index = json.loads((out / "index.json").read_text())
    assert index["skipped"] == [{"file": str(logs / "notes.txt"), "why": why}]
    assert len(index["logs"]) == 3
    page = (out / "index.html").read_text()
    assert "Not mined: 1 file in the folders searched." in page
    assert f"<li>{escape(str(logs / 'notes.txt'))}: {escape(why)}</li>" in page
    quiet = run(str(logs), "-o", str(out), "--config", str(config), "--quiet")
    assert quiet.exit_code == 0 and "not mined" not in quiet.stderr
    # A folder with notes only: the error names what was passed over, and why.
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "notes.txt").write_text("Exported on Monday, by Ann\n")
    with pytest.raises(SourceNotFoundError, match=r"ServiceNow, Zendesk, OCEL 2\.0\); "
                       r"notes\.txt: a note, not a table"):  # fmt: skip
        batch([tmp_path / "only"], tmp_path / "out2")


def test_engine_share_never_gives_more_threads_than_the_budget():
    from journeymap.options import Options

    shared = engine_share(Options().replace(engine={"threads": 2, "memory_limit": "3GB"}), 2)
    assert (shared.engine.threads, shared.engine.memory_limit) == (1, "1430MiB")
    assert engine_share(Options(), 1) == Options()


def test_index_rows_agree_with_each_summary_and_a_bad_log_fails_alone(logs, config, tmp_path):
    (logs / "broken.csv").write_bytes(b"\x00\x01 not a table\n")
    (logs / "empty.csv").write_bytes(b"")  # named as the others are: by its file name
    out = tmp_path / "out"
    result = run(str(logs), "-o", str(out), "--config", str(config))
    assert result.exit_code == 1, result.output
    reason = (
        "broken.csv: read as 1 column(s) ('\\x01 not a table'); an event log needs "
        "at least case, activity and timestamp columns; check sep"
    )
    assert result.stderr.splitlines() == [
        "journeymap: [1/5] broken: failed: " + reason,
        "journeymap: [2/5] east: mined, 3 cases",
        "journeymap: [3/5] empty: failed: empty.csv: the file is empty (0 bytes); export "
        "the log again",
        "journeymap: [4/5] north: mined, 3 cases",
        "journeymap: [5/5] south: mined, 3 cases",
        f"Wrote {out}/index.html (5 logs: 3 mined, 2 failed)",
        "Error: 2 of 5 logs failed: broken, empty",
    ]
    index = json.loads((out / "index.json").read_text())
    rows = {row["name"]: row for row in index["logs"]}
    assert list(rows) == ["broken", "east", "empty", "north", "south"]
    assert rows["broken"]["status"] == "failed" and rows["broken"]["error"] == reason
    assert not (out / "broken").exists()
    for name in ("east", "north", "south"):
        row, summary = rows[name], json.loads((out / name / "summary.json").read_text())
        assert row["status"] == "mined"
        assert (row["events"], row["cases"], row["rejected_rows"]) == (
            summary["events"], summary["cases"], summary["rejected_rows"],
        )  # fmt: skip
        for key in ("failure_demand_pct", "one_stop_pct", "clean_pct"):
            assert row[key] == summary[key]
        assert row["e2e_median_s"] == summary["end_to_end"]["median_s"]
        assert row["e2e_p90_s"] == summary["end_to_end"]["p90_s"]
        assert row["capability_unpl_s"] == summary["capability"]["unpl"]
        assert row["capability_lnpl_s"] == summary["capability"]["lnpl"]
        assert (row["capability_points"], row["capability_basis"]) == (3, "case")
        # 3 hand-offs (case 1 Front, Back, Front; case 3 Front, Back) over 3 cases with a team.
        assert row["handoffs_per_case"] == summary["handoffs"]["per_case"] == 1.0
        assert row["top_reintegration"] == (
            "Work passed from 'Chase' (Front) to 'Close' (Back) 1 time in 1 case and "
            "customers waited 1.0 day in total (median 1.0 day). That rests on 1 case "
            "only: too few to propose a change on; watch this hand-off for more."
        )
    # The [[files]] pattern mapped east's own headers; the others use the detected ones.
    assert json.loads((out / "east" / "summary.json").read_text())["mapping"]["case"] == "Ticket"
    # The index gives the limits in days, as each report's capability statement does.
    page = (out / "index.html").read_text()
    for name in ("east", "north", "south"):
        statement = json.loads((out / name / "summary.json").read_text())["capability"]
        low, high = duration_limits(statement["lnpl"], statement["unpl"])
        # 3 cases: provisional limits, as the report says ("rest on 3 cases only").
        verdict = "predictable" if statement["predictable"] else "not predictable"
        assert f"{low} to {high} days, {verdict} (on 3 cases only: provisional)" in page
        assert statement["points"] == 3
    # The top reintegration candidate is a sentence a click away under the log's name, not
    # a column that pushed the figures past the page's width.
    doc = lxml.html.fromstring(page)
    assert "Top reintegration candidate" not in doc.xpath("//thead")[0].text_content()
    first = {td.text: td for td in doc.xpath("//tbody/tr/td[1]")}  # the log's name
    plan = first["east"].xpath("./details[@class='plan']")[0]
    assert plan.xpath("./summary")[0].text_content() == "Top reintegration candidate"
    assert plan.xpath("./p")[0].text_content().startswith("Work passed from 'Chase' (Front)")
    csv_lines = (out / "index.csv").read_text().splitlines()
    assert csv_lines[0].startswith("name,source,status,error,doubts,events,cases,rejected_rows,")
    few = (  # the one doubt on three cases
        "the log holds 3 cases only: its shares, percentiles and rankings describe those "
        "cases, not how the service works; export more (20 cases or more) before showing "
        "them as findings"
    )
    assert csv_lines[4].startswith(f'north,{logs}/north.csv,mined,"","{few}",8,3,0,')


def test_the_index_words_each_figure_as_the_report_does(tmp_path):
    """Case 4 has no team: one-stop and hand-offs per case are of the 3 cases with one,
    the report's tiles say so, and so does the index under each figure, with the level
    the hand-offs are counted between (the index had shown bare figures)."""
    import lxml.html

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "desk.csv").write_text(SMALL + "4,Log,2024-01-06 09:00,\n")
    out = tmp_path / "out"
    assert run(str(folder), "-o", str(out)).exit_code == 0
    summary = json.loads((out / "desk" / "summary.json").read_text())
    figures = {f["label"]: f["value"] for f in summary["key_figures"]}
    assert figures["One-stop (of the 3 cases with a known team)"] == "33.3%"
    assert figures["Hand-offs per case (of the 3 cases with a known team)"] == "1.00"
    (row,) = lxml.html.fromstring((out / "index.html").read_text()).xpath("//tbody/tr")
    cells = [" ".join(" ".join(td.itertext()).split()) for td in row.xpath("./td")]
    assert cells[6] == "33.3% of the 3 cases with a known team"
    assert cells[-1] == "1.00 between teams of the 3 cases with a known team"
    (line,) = [r for r in (out / "index.csv").read_text().splitlines() if r.startswith("desk")]
    assert ",1,team,Work passed from " in line  # hand-offs per case, between teams


def test_a_list_of_records_is_doubted_in_the_index(tmp_path):
    # One row per ticket as it stands: the index says so where it names the log.
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "list.csv").write_text(
        "case,activity,timestamp\nT1,Open,2024-01-01 09:00\nT2,Closed,2024-01-02 09:00\n"
        "T3,Open,2024-01-03 09:00\n"
    )
    (folder / "history.csv").write_text(SMALL)
    out = tmp_path / "out"
    assert run(str(folder), "-o", str(out)).exit_code == 0
    rows = {r["name"]: r for r in json.loads((out / "index.json").read_text())["logs"]}
    assert rows["history"]["doubts"].startswith("the log holds 3 cases only")
    assert rows["list"]["doubts"].startswith(
        "3 of 3 cases (100%) have a single event, as in a list of records as they stand"
    )
    summary = json.loads((out / "list" / "summary.json").read_text())
    # The list shows no failure demand either: the rules' doubt follows the list's.
    assert summary["doubts"][0].startswith("3 of 3 cases (100%) have a single event")
    assert summary["doubts"][1].startswith("the log holds 3 cases only")
    assert summary["doubts"][2].startswith("no failure demand found by the rules")
    assert rows["list"]["doubts"] == " / ".join(summary["doubts"])
    page = (out / "index.html").read_text()
    # Long doubts: their start in the row, the whole text a click away.
    assert (
        '<details class="doubt"><summary>Check before you show it: 3 of 3 cases (100%) have' in page
    )
    assert f"<p>{escape(rows['list']['doubts'])}</p></details>" in page


def test_rerun_skips_what_is_up_to_date_and_redoes_what_changed(logs, config, tmp_path):
    out = tmp_path / "out"
    assert run(str(logs), "-o", str(out), "--config", str(config)).exit_code == 0
    stamp = (out / "north" / "run.json").stat().st_mtime_ns
    (logs / "south.csv").write_text(SMALL.replace("Chase", "Chaser"))  # new bytes
    result = run(str(logs), "-o", str(out), "--config", str(config))
    assert result.exit_code == 0
    assert result.stderr.splitlines()[:3] == [
        "journeymap: [1/3] east: up to date, 3 cases",
        "journeymap: [2/3] north: up to date, 3 cases",
        "journeymap: [3/3] south: mined, 3 cases",
    ]
    assert (out / "north" / "run.json").stat().st_mtime_ns == stamp
    config.write_text(config.read_text() + '\n[flow]\ndirty_activities = ["Chase"]\n')
    result = run(str(logs), "-o", str(out), "--config", str(config), "--quiet")
    assert (result.exit_code, result.stderr) == (0, "")  # options changed: all mined again
    assert (out / "north" / "run.json").stat().st_mtime_ns != stamp
    result = run(str(logs / "north.csv"), "-o", str(out), "--config", str(config), "--force")
    assert result.stderr.splitlines()[0] == "journeymap: [1/1] north: mined, 3 cases"


def test_run_record_is_the_same_for_the_same_input_and_options(logs, tmp_path):
    from journeymap.options import Options

    for name in ("a", "b"):
        result = CliRunner().invoke(
            cli, ["mine", str(logs / "north.csv"), "-o", str(tmp_path / name), "--no-report"]
        )
        assert result.exit_code == 0
    assert (tmp_path / "a" / "run.json").read_bytes() == (tmp_path / "b" / "run.json").read_bytes()
    record = json.loads((tmp_path / "a" / "run.json").read_text())
    assert record["input"]["size"] == len(SMALL)
    assert "engine" not in record["options"]
    same = run_record(logs / "north.csv", Options().replace(output={"report": False}))
    assert up_to_date(tmp_path / "a", same)
    assert not up_to_date(tmp_path / "a", run_record(logs / "north.csv", Options()))


def test_a_renamed_config_with_the_same_templates_is_up_to_date(tmp_path):
    """The templates' file name was in the run record: renaming the config made a batch
    mine every log again."""
    from journeymap.options_file import load_options

    text = '[templates]\ndemand_column = "service"\n[[template]]\nname = "All"\nsteps = ["a"]\n'
    (tmp_path / "eng.toml").write_text(text)
    (tmp_path / "renamed.toml").write_text(text)
    records = [run_record(None, load_options(tmp_path / n)) for n in ("eng.toml", "renamed.toml")]
    assert records[0] == records[1]
    assert records[0]["options"]["templates"]["templates"][0]["name"] == "All"


def test_fail_fast_stops_at_the_first_failure(logs, tmp_path):
    (logs / "aaa.csv").write_text("nothing here\n")
    out = tmp_path / "out"
    result = run(str(logs), "-o", str(out), "--fail-fast", "--quiet")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: 1 of 4 logs failed: aaa; 3 of 4 logs were not run: east, north, south"
    )
    rows = json.loads((out / "index.json").read_text())["logs"]
    assert [(r["name"], r["status"]) for r in rows] == [
        ("aaa", "failed"), ("east", "not run"), ("north", "not run"), ("south", "not run"),
    ]  # fmt: skip
    assert rows[1]["error"] == "stopped at the first failure"


def test_json_prints_the_index(logs, config, tmp_path):
    out = tmp_path / "out"
    result = run(str(logs / "north.csv"), "-o", str(out), "--config", str(config), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads((out / "index.json").read_text())


def test_two_jobs_write_what_one_job_writes(logs, config, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert run(str(logs), "-o", str(one), "--config", str(config)).exit_code == 0
    result = run(str(logs), "-o", str(two), "--config", str(config), "--jobs", "2")
    assert result.exit_code == 0, result.output
    for name in ("east", "north", "south"):
        for file in ("summary.json", "run.json", "journey.dot", "tables/dfg.csv"):
            assert (one / name / file).read_bytes() == (two / name / file).read_bytes()


def test_jobs_beyond_the_engines_threads_are_said(logs, tmp_path):
    """Three jobs asked for, one engine thread allowed: one log at a time, and the
    terminal says why rather than silently running fewer."""
    config = tmp_path / "one-thread.toml"
    config.write_text("[output]\nreport = false\n\n[engine]\nthreads = 1\n")
    result = run(str(logs / "north.csv"), str(logs / "south.csv"), "-o", str(tmp_path / "a"),
                 "--config", str(config), "--jobs", "3")  # fmt: skip
    assert result.exit_code == 0, result.output
    said = "journeymap: mining 1 log at once, not 3: one per engine thread ([engine] threads = 1)"
    assert said in result.stderr.splitlines()
    # as many logs as jobs, or fewer: nothing to say
    quiet = run(str(logs / "north.csv"), "-o", str(tmp_path / "b"), "--config", str(config),
                "--jobs", "3")  # fmt: skip
    assert "at once" not in quiet.stderr


def _workers() -> list[int]:
    """Process ids of this process's grandchildren: the batch's workers, forked by the
    fork server that this process started."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    children = {pid for pid, parent in parents.items() if parent == os.getpid()}
    return [pid for pid, parent in parents.items() if parent in children]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_a_worker_that_dies_fails_only_its_log(logs, config, tmp_path):
    """The worker mining 'north' is killed (as the kernel kills a process that runs out
    of memory) every time it starts: north fails with a reason, the others complete."""

    def progress(event: BatchEvent) -> None:
        if event.kind == "stage" and event.name == "north" and event.message == "reading":
            for pid in _workers():
                os.kill(pid, signal.SIGKILL)

    from journeymap.options_file import load_options

    result = batch([logs], tmp_path / "out", load_options(config), jobs=2, progress=progress)
    statuses = {row["name"]: (row["status"], row["error"]) for row in result.rows}
    assert statuses["north"][0] == "failed"
    assert statuses["north"][1].startswith("the process mining this log stopped")
    assert statuses["east"] == statuses["south"] == ("mined", "")
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".partial")]


def _journeymap() -> str:
    return str(Path(sys.executable).parent / "journeymap")


def _stubborn(ready: str) -> dict[str, str]:
    """A worker's task that ignores interrupts, as a worker stuck on a lock would; it
    writes ``ready`` once it does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Path(ready).touch()
    time.sleep(600)
    return {"status": "mined"}


def test_a_worker_that_does_not_stop_is_ended_after_the_grace(tmp_path, monkeypatch):
    """On an interrupt, a worker still busy after WORKER_GRACE seconds is killed and the
    folder it was writing removed: the batch ends instead of waiting on it for ever."""
    import importlib
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from journeymap.options import Options
    from journeymap.pipeline.batch_worker import LogTask

    batch_module = importlib.import_module("journeymap.pipeline.batch")  # not the function

    monkeypatch.setattr(batch_module, "WORKER_GRACE", 1.0)
    task = LogTask("slow", str(tmp_path / "slow.csv"), str(tmp_path / "out" / "slow"), Options())
    staged = tmp_path / "out" / ".slow.x1y2.partial"
    staged.mkdir(parents=True)
    (tmp_path / "out" / ".other.x1y2.partial").mkdir()  # another log's: kept
    others = set(multiprocessing.active_children())
    executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    ready = tmp_path / "ready"
    future = executor.submit(_stubborn, str(ready))
    deadline = time.monotonic() + 120
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    run = batch_module._Run([task], {}, lambda event: None, fail_fast=False)
    started = time.monotonic()
    run._interrupt({future: task}, others)
    executor.shutdown(wait=True)
    assert time.monotonic() - started < 30
    assert run.stop and run.rows == {}
    assert batch_module._workers(others) == []
    assert not staged.exists()
    assert (tmp_path / "out" / ".other.x1y2.partial").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_interrupted_batch_is_finished_by_a_rerun(tmp_path, jobs):
    """SIGINT after the first log is done: the unfinished log's folder is removed, the
    index lists what finished, exit 130; the rerun mines only the rest."""
    source = tmp_path / "in"
    source.mkdir()
    made = CliRunner().invoke(cli, ["generate", str(source / "log1.csv"), "--events", "500"])
    assert made.exit_code == 0
    for i in range(2, 6):
        (source / f"log{i}.csv").write_bytes((source / "log1.csv").read_bytes())
    out = tmp_path / "out"
    argv = [_journeymap(), "batch", str(source), "-o", str(out), "--jobs", jobs]
    process = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("[!.]*/run.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 130, stderr
    assert stderr.splitlines()[-1] == "Error: interrupted"
    assert "Traceback" not in stderr
    rows = json.loads((out / "index.json").read_text())["logs"]
    done = {r["name"] for r in rows if r["status"] == "mined"}
    assert done and len(done) < 5
    assert {r["status"] for r in rows if r["name"] not in done} == {"not run"}
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert {p.parent.name for p in out.glob("*/run.json")} == done

    rerun = subprocess.run(argv, stderr=subprocess.PIPE, text=True, timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr
    lines = [line for line in rerun.stderr.splitlines() if line.startswith("journeymap: [")]
    skipped = {line.split("] ")[1].split(":")[0] for line in lines if "up to date" in line}
    mined = {line.split("] ")[1].split(":")[0] for line in lines if ": mined" in line}
    assert skipped == done
    assert mined == {f"log{i}" for i in range(1, 6)} - done


def test_a_folder_with_an_index_of_its_own_is_refused(logs, tmp_path):
    """A shared folder's own index.html is not replaced by the batch's index."""
    out = tmp_path / "shared"
    out.mkdir()
    (out / "index.html").write_text("<h1>the team's own index</h1>")
    result = run(str(logs / "north.csv"), "-o", str(out))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"Error: {out}: holds index.html that journeymap did not write; a batch writes its "
        "index there: move them out or choose another folder"
    )
    assert (out / "index.html").read_text() == "<h1>the team's own index</h1>"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    # a batch's own index is replaced by the next batch's
    (out / "index.html").unlink()
    assert run(str(logs / "north.csv"), "-o", str(out)).exit_code == 0
    assert run(str(logs / "south.csv"), "-o", str(out)).exit_code == 0
