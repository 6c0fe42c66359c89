"""Before and after: `journeymap compare` on two logs and on one log split at a date,
with exact counts checked against pandas on the receipt log."""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter

import pandas as pd
import pytest
from click.testing import CliRunner

import journeymap as jm
from journeymap.cli import cli
from journeymap.render.compare_map import compare_dot
from shared_datasets import dataset

BEFORE = (
    "case,activity,timestamp,team\n"
    "1,Log,2024-01-01 09:00,Front\n"
    "1,Fix,2024-01-01 10:00,Back\n"
    "1,Close,2024-01-01 12:00,Front\n"
    "2,Log,2024-01-15 09:00,Front\n"
    "2,Close,2024-01-16 09:00,Front\n"
)
AFTER = (
    "id,step,when,group\n"
    "3,Log,2024-02-01 09:00,Front\n"
    "3,Close,2024-02-01 09:30,Front\n"
    "4,Log,2024-02-08 09:00,Front\n"
    "4,<Check>,2024-02-08 09:10,Front\n"
    "4,Close,2024-02-08 10:00,Front\n"
)


def test_two_logs_paths_measures_and_naming_notes(tmp_path):
    (tmp_path / "before.csv").write_text(BEFORE)
    (tmp_path / "after.csv").write_text(AFTER)
    with (
        jm.read_log(str(tmp_path / "before.csv")) as one,
        jm.read_log(
            str(tmp_path / "after.csv"), case="id", activity="step", timestamp="when", team="group"
        ) as two,
    ):
        result = jm.compare(jm.mine(one), jm.mine(two))
    paths = result.paths.set_index(["source", "target"])
    assert paths.loc[("Log", "Fix"), ["cases_before", "cases_after", "status"]].tolist() == [
        1, 0, "vanished",
    ]  # fmt: skip
    assert paths.loc[("Log", "<Check>"), "status"] == "new"
    assert paths.loc[("Log", "Close"), ["cases_before", "cases_after", "status"]].tolist() == [
        1, 1, "both",
    ]  # fmt: skip
    assert paths.loc[("Log", "Close"), "median_wait_change_s"] == 1800.0 - 86400.0
    assert paths.loc[("__start__", "Log"), ["pct_before", "pct_after"]].tolist() == [100, 100]
    measures = result.measures.set_index("key")
    assert measures.loc["cases", ["before", "after", "change"]].tolist() == [2, 2, 0]
    # the same count arriving over two weeks and over one: the rate says which had more
    assert measures.loc["cases_per_week", ["before", "after"]].tolist() == [1.0, 2.0]
    assert measures.loc["e2e_median_s", ["before", "after"]].tolist() == [
        (3 * 3600 + 86400) / 2, (1800 + 3600) / 2,
    ]  # fmt: skip
    assert result.notes == [
        "The two logs map roles to different columns (activity: 'activity' before, 'step' "
        "after; case: 'case' before, 'id' after; team: 'team' before, 'group' after; "
        "timestamp: 'timestamp' before, 'when' after): a change in hand-offs or lanes may "
        "come from the mapping, not the service.",
        "1 activity appears only before ('Fix') and 1 activity appears only after "
        "('<Check>'): check whether they were renamed before reading a change in their "
        "paths as real.",
        # cases start 01-01 and 01-15 at 09:00, two weeks; 02-01 and 02-08, one
        "Demand arrived over, first case start to last: before, 2.0 weeks (2 cases, 1.0 "
        "a week); after, 1.0 weeks (2 cases, 2.0 a week). Compare rates and shares, not "
        "counts.",
        # each side's doubts (what mine says to check), one both share said once
        "Both: the log holds 2 cases only: its shares, percentiles and rankings describe "
        "those cases, not how the service works; export more (20 cases or more) before "
        "showing them as findings",
        "Both: " + result.before.check.doubts[0],
    ]
    assert result.notes[-1].startswith("Both: no failure demand found by the rules")


def test_hand_offs_counted_at_different_levels_are_not_compared(tmp_path):
    """One log with a team column, one without (hand-offs between people): 1.56 -> 2.48
    hand-offs per case had been shown as a change. They are shown, not compared, and a
    note says why, first."""
    (tmp_path / "before.csv").write_text(BEFORE.replace(",team\n", ",team\n", 1))
    after = BEFORE.replace("team", "resource").replace("2024-01", "2024-02")
    (tmp_path / "after.csv").write_text(after)
    with (
        jm.read_log(str(tmp_path / "before.csv")) as one,
        jm.read_log(str(tmp_path / "after.csv")) as two,
    ):
        result = jm.compare(jm.mine(one), jm.mine(two))
        jm.write_comparison(result, tmp_path / "out", sources=("before.csv", "after.csv"))
    measures = result.measures.set_index("key")
    for key in ("one_stop_pct", "clean_pct", "single_handler_pct", "handoffs_per_case"):
        assert measures.loc[key, "change"] is None
    assert measures.loc["handoffs_per_case", ["before", "after"]].tolist() == [1.0, 1.0]
    assert measures.loc["cases", "change"] == 0
    assert result.notes[0] == (
        "Hand-offs are counted between teams before and between resources after (one log "
        "maps no team): one-stop, clean, single handler and hand-offs per case are shown "
        "side by side but not compared."
    )
    page = (tmp_path / "out" / "compare.html").read_text(encoding="utf-8")
    assert (
        '<th scope="row">Hand-offs per case</th><td class="num">1.00</td><td class="num">' in page
    )
    assert page.count(">not compared</td>") == 4
    # Two logs under the default labels: the heading names them ("before and after" had).
    assert "<h1>Before and after: before.csv and after.csv</h1>" in page


def test_a_customer_column_doubted_on_one_side_is_doubted_on_the_other():
    """Helpdesk split at 2011: 9.9 cases per customer after (doubted as accounts), 4.8
    before (under the threshold of 5), from the same column; the page had read as if
    only one period's repeat contacts were in doubt."""

    def log(customers: int, per_customer: int, month: int) -> jm.EventLog:
        rows = []
        for c in range(customers):
            for k in range(per_customer):
                case, day = f"{month}-{c}-{k}", 1 + 2 * k
                rows += [(case, "Log", f"2024-{month:02d}-{day:02d} 09:00", f"K{c}"),
                         (case, "Close", f"2024-{month:02d}-{day:02d} 10:00", f"K{c}")]  # fmt: skip
        frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "customer"])
        return jm.EventLog.from_frame(frame, customer="customer")

    with log(3, 4, 1) as few, log(2, 6, 3) as many:
        result = jm.compare(jm.mine(few), jm.mine(many), labels=("January", "March"))
    assert not any(d.startswith("repeat contact:") for d in result.before.check.doubts)
    assert any(d.startswith("repeat contact:") for d in result.after.check.doubts)
    assert result.notes[-1] == (
        "January: its customer column, 'customer', is the one doubted for March (it may "
        "name accounts, not people): its repeat contacts share that doubt, with fewer cases "
        "per customer."
    )


def test_the_map_marks_new_and_vanished_paths_and_escapes_names(tmp_path):
    (tmp_path / "before.csv").write_text(BEFORE)
    (tmp_path / "after.csv").write_text(
        AFTER.replace("id,step,when,group", "case,activity,timestamp,team")
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["compare", str(tmp_path / "before.csv"), str(tmp_path / "after.csv"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    said = result.stderr.splitlines()
    assert said[0] == f"Wrote 9 files to {out}/ (before: 2 cases, after: 2 cases)"
    # Each side's doubts, as mine prints them; one both sides share, once.
    assert said[1].startswith("journeymap: check before you show it (both): the log holds 2")
    assert said[2].startswith(
        "journeymap: check before you show it (both): no failure demand found by the rules"
    )
    assert all(line.startswith("journeymap: check before you show it (") for line in said[1:])
    dot = (out / "compare.dot").read_text()
    assert 'label="  new: 1", color="#5e3c99"' in dot and 'style="dashed,bold"' in dot
    assert 'label="  gone: 1", color="#9aa0a6"' in dot and "style=dotted" in dot
    assert "&lt;Check&gt;" in dot  # in the box's label; DOT tooltips are quoted strings
    svg = (out / "compare.svg").read_text()
    assert "&lt;Check&gt;" in svg and "<Check>" not in svg
    assert "bold dashed: new path, only after" in dot
    wait = (out / "compare_wait.dot").read_text()
    assert "1.0 day → 30 min" in wait  # Log -> Close: median wait before and after
    # Arrows from start and to the end have no wait: grey with their cases, not in the
    # blue that means a shorter wait (they had been coloured by their share of cases).
    starts = [line for line in wait.splitlines() if line.strip().startswith("start -> ")]
    assert starts and all('color="#6b7480"' in line for line in starts)
    assert "grey: from start or to end, cases before → after (no wait)" in wait
    page = (out / "compare.html").read_text()
    assert "&lt;Check&gt;" in page and "<Check>" not in page
    summary = json.loads((out / "compare.json").read_text())
    assert summary["paths"] == {"total": 7, "new": 2, "vanished": 2}
    assert summary["labels"] == ["before", "after"]


def test_end_activities_known_on_one_side_only_are_named(tmp_path):
    """The same export read twice, with end activities on one side only (a config's
    [[files]] pattern for the CSV, none for the XES): the end-to-end change comes from
    the cases left out as open, and the notes say so."""
    (tmp_path / "log.csv").write_text(BEFORE + "3,Log,2024-01-20 09:00,Front\n")
    path = str(tmp_path / "log.csv")
    with jm.read_log(path) as one, jm.read_log(path, end_activities=["Close"]) as two:
        result = jm.compare(jm.mine(one), jm.mine(two))
    (said,) = [n for n in result.notes if "end activities" in n]
    assert said.startswith(
        "The two logs know different end activities (before: none given, so every case "
        "counts as finished; after: 'Close'): the end-to-end figures leave out"
    )
    measures = result.measures.set_index("key")
    # Case 3 (Log only) is finished at 0 s before, open and left out after.
    assert measures.loc["e2e_median_s", ["before", "after"]].tolist() == [3 * 3600, 13.5 * 3600]


def test_two_logs_can_be_named_rather_than_called_before_and_after(tmp_path):
    """Two logs that are not two periods (closed and open problems): --labels names the
    sides in the heading, the table, the notes and the terminal."""
    (tmp_path / "closed.csv").write_text(BEFORE)
    (tmp_path / "open.csv").write_text(BEFORE.replace("Fix", "Wait"))
    out = tmp_path / "out"
    args = ["compare", str(tmp_path / "closed.csv"), str(tmp_path / "open.csv"), "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--labels", "closed problems, open problems"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        f"Wrote 9 files to {out}/ (closed problems: 2 cases, open problems: 2 cases)"
    )
    page = (out / "compare.html").read_text()
    assert "<h1>Compared: closed problems and open problems</h1>" in page
    assert (
        "<caption>Each measure on both sides, and the change (open problems less closed "
        "problems)</caption>"
    ) in page
    assert "1 activity appears only in closed problems (&#x27;Fix&#x27;)" in page
    assert json.loads((out / "compare.json").read_text())["labels"] == [
        "closed problems", "open problems",
    ]  # fmt: skip
    wrong = CliRunner().invoke(cli, [*args, "--labels", "closed"])
    assert wrong.exit_code == 2
    assert "--labels takes two different names, comma-separated" in wrong.stderr


def test_each_sides_rejected_rows_are_written_where_the_doubt_says(tmp_path):
    """1 of 6 rows of AFTER has no timestamp: the comparison's folder holds it in
    tables/rejects_after.csv, which the doubt names (it named tables/rejects.csv, which
    compare does not write); BEFORE has none, and no file."""
    (tmp_path / "before.csv").write_text(BEFORE)
    after = AFTER.replace("id,step,when,group", "case,activity,timestamp,team")
    (tmp_path / "after.csv").write_text(after + "4,Reopen,,Front\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["compare", str(tmp_path / "before.csv"), str(tmp_path / "after.csv"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "tables").iterdir()) == [
        "measures.csv", "paths.csv", "rejects_after.csv",
    ]  # fmt: skip
    rejected = list(csv.DictReader((out / "tables" / "rejects_after.csv").open()))
    assert [(r["source_row"], r["activity"]) for r in rejected] == [("6", "Reopen")]
    notes = json.loads((out / "compare.json").read_text())["notes"]
    assert any(
        n.startswith("After: 1 of 6 rows (17%) was rejected")
        and "tables/rejects_after.csv gives each with its reason" in n
        for n in notes
    ), notes
    assert f"{out}/tables/rejects_after.csv gives each" in result.stderr


def test_compare_dot_draws_only_listed_activities():
    paths = pd.DataFrame({
        "source": ["a", "a"], "target": ["b", "x"], "cases_before": [2, 1],
        "cases_after": [4, 1], "pct_before": [50.0, 25.0], "pct_after": [80.0, 20.0],
        "median_wait_before_s": [60.0, 1.0], "median_wait_after_s": [120.0, 1.0],
        "status": ["both", "both"],
    })  # fmt: skip
    boxes = pd.DataFrame({"activity": ["a", "b"], "cases_before": [2, 2], "cases_after": [4, 4]})
    dot = compare_dot(paths, boxes, view="wait")
    assert dot.count(" -> ") == 1 and "1 min → 2 min" in dot
    with pytest.raises(ValueError, match="unknown view"):
        compare_dot(paths, boxes, view="colour")


def test_templates_compare_as_designed_before_and_after(tmp_path):
    """The template allows an optional 'Check'. Before: case 1 (an extra 'Fix', value
    demand) could have, case 2 went as designed; after: both went as designed."""
    (tmp_path / "before.csv").write_text(BEFORE)
    (tmp_path / "after.csv").write_text(
        "case,activity,timestamp,team\n3,Log,2024-02-01 09:00,Front\n"
        "3,Close,2024-02-01 09:30,Front\n4,Log,2024-02-08 09:00,Front\n"
        "4,Check,2024-02-08 09:10,Front\n4,Close,2024-02-08 10:00,Front\n"
    )
    (tmp_path / "t.toml").write_text(
        '[[template]]\nname = "Quick"\nsteps = ["Log", {optional = "Check"}, "Close"]\n'
    )
    args = ["compare", str(tmp_path / "before.csv"), str(tmp_path / "after.csv"),
            "--templates", str(tmp_path / "t.toml"), "-o", str(tmp_path / "out"), "-q"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "out" / "tables" / "measures.csv").open()))
    assert [list(r.values()) for r in rows if r["key"].startswith("template:")] == [
        ["template:Quick:conforming_pct", "Template 'Quick': as designed", "pct", "50.000",
         "100.000", "50.000"],
        ["template:Quick:straightforward_pct", "Template 'Quick': could have been", "pct",
         "50.000", "0.000", "-50.000"],
    ]  # fmt: skip
    page = (tmp_path / "out" / "compare.html").read_text()
    assert "Template &#x27;Quick&#x27;: as designed</th>" in page
    # Without templates, no such row.
    plain = [*args[:3], "-o", str(tmp_path / "plain")]
    assert CliRunner().invoke(cli, plain).exit_code == 0
    assert "template:" not in (tmp_path / "plain" / "tables" / "measures.csv").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split-at", "2024-01-02", "AFTER"], "give either AFTER or --split-at DATE"),
        ([], "give either AFTER or --split-at DATE"),
        (["--split-at", "soon"], "--split-at soon: not an ISO 8601 date; give the year "
         "first, such as 2024-03-01 or 2024-03-01T12:00"),
        # June in one country, January in another: never guessed
        (["--split-at", "01/06/2012"], "--split-at 01/06/2012: not an ISO 8601 date"),
        (["--split-at", "2024-13-01"], "--split-at 2024-13-01: not a date; give one such as "
         "2024-03-01"),
        (["--split-at", "2030-01-01"], "no case starts from 2030-01-01: cases start from "
         "2024-01-01 to 2024-01-15; give a date between them with --split-at DATE"),
    ],
)  # fmt: skip
def test_usage_mistakes(tmp_path, args, message):
    log = tmp_path / "before.csv"
    log.write_text(BEFORE)
    argv = ["compare", str(log), *[str(log) if a == "AFTER" else a for a in args]]
    result = CliRunner().invoke(cli, [*argv, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_split_charts_the_cases_still_open_at_the_split():
    """Three one-day cases a week for ten weeks, and one of week 5 that takes 30 days.
    Split at week 6: the before side's own complete period would end at the split and
    leave the long case out; the whole log's period keeps it in the before chart."""
    rows = []
    for week in range(10):
        for n in range(3):
            start = pd.Timestamp("2024-01-01 09:00") + pd.Timedelta(days=7 * week + n)
            days = 30 if (week, n) == (4, 0) else 1
            case = f"{week}-{n}"
            rows += [(case, "Open", start), (case, "Close", start + pd.Timedelta(days=days))]
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp"])
    with jm.EventLog.from_frame(frame) as log:
        result = jm.compare_split(log, "2024-02-05")
    charts = [side.check.charts["capability_e2e"] for side in (result.before, result.after)]
    assert [len(c.points) for c in charts] == [15, 15]
    assert max(charts[0].points["x"]) == 30 * 86400
    assert (
        "a case still open at the split stays in the chart of the side it started on"
        in (result.notes[0])
    )


def _edges(events: pd.DataFrame) -> Counter[tuple[str, str]]:
    """Cases per directly-follows path, start and end included, computed plainly."""
    counts: Counter[tuple[str, str]] = Counter()
    for _, acts in events.groupby("case", sort=False)["activity"]:
        seq = list(acts)
        pairs = {("__start__", seq[0]), (seq[-1], "__end__"), *itertools.pairwise(seq)}
        counts.update(pairs)
    return counts


@pytest.mark.datasets
def test_receipt_split_at_its_median_start_date_exact_counts(tmp_path):
    path = dataset("receipt/receipt.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    events = pd.DataFrame({
        "case": raw["case:concept:name"], "activity": raw["concept:name"],
        "time": pd.to_datetime(raw["time:timestamp"], utc=True, format="ISO8601"),
        "row": range(len(raw)),
    }).sort_values(["case", "time", "row"], kind="stable")  # fmt: skip
    starts = events.groupby("case")["time"].min()
    ends = events.groupby("case")["time"].max()
    day = starts.median().strftime("%Y-%m-%d")
    cut = pd.Timestamp(day, tz="UTC")
    sides = {"before": starts.index[starts < cut], "after": starts.index[starts >= cut]}

    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["compare", str(path), "--team", "org:group", "--split-at", day, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    n = {side: len(cases) for side, cases in sides.items()}
    wrote = [line for line in result.stderr.splitlines() if line.startswith("Wrote ")]
    assert wrote[0].endswith(f"(before: {n['before']:,} cases, after: {n['after']:,} cases)")

    with open(out / "tables" / "paths.csv", encoding="utf-8", newline="") as fh:
        found = {
            (r["source"], r["target"]): (int(r["cases_before"]), int(r["cases_after"]), r["status"])
            for r in csv.DictReader(fh)
        }
    counted = {side: _edges(events[events["case"].isin(cases)]) for side, cases in sides.items()}
    keys = set(counted["before"]) | set(counted["after"])
    expected = {
        k: (counted["before"][k], counted["after"][k],
            "both" if counted["before"][k] and counted["after"][k]
            else "new" if counted["after"][k] else "vanished")
        for k in keys
    }  # fmt: skip
    assert found == expected

    measures = pd.read_csv(out / "tables" / "measures.csv").set_index("key")
    assert measures.loc["cases", ["before", "after"]].tolist() == [n["before"], n["after"]]
    per_side_events = [int(events["case"].isin(sides[s]).sum()) for s in ("before", "after")]
    assert measures.loc["events", ["before", "after"]].tolist() == per_side_events
    e2e = (ends - starts).dt.total_seconds()
    for side in ("before", "after"):
        assert measures.loc["e2e_median_s", side] == pytest.approx(
            e2e[sides[side]].median(), abs=1e-3
        )
        # demand a week: the side's cases over the weeks from its first start to its last
        arrived = starts[sides[side]]
        weeks = (arrived.max() - arrived.min()).total_seconds() / (7 * 86400)
        assert measures.loc["cases_per_week", side] == pytest.approx(n[side] / weeks, abs=1e-3)
    # the receipt log's demand fell after the split (read to the last event, it rose)
    assert measures.loc["cases_per_week", "change"] < 0
    chart = (out / "charts" / "capability_e2e.svg").read_text()
    assert chart.count(">Centre ") == 2  # one centre line, with its own limits, per period
    assert f"cases starting before {day}" in chart and f"cases starting from {day}" in chart
    summary = json.loads((out / "compare.json").read_text())
    assert summary["notes"][0].startswith("One log split by the date each case starts")
    page = (out / "compare.html").read_text()
    assert page.count('<th scope="row">') == len(measures)
    assert (out / "compare.svg").read_text().startswith("<?xml")


def test_a_side_of_a_few_days_has_no_weekly_rate_and_its_charts_are_explained(tmp_path):
    """Split near the receipt log's end: the later side's 5 cases start on one day. Five
    cases in a day are no weekly rate; and that side's missing chart is the split's
    doing (the whole log's complete period), not a period the user asked for."""
    out = tmp_path / "out"
    path = dataset("receipt/receipt.csv")
    result = CliRunner().invoke(cli, ["compare", str(path), "--split-at", "2012-01-23",
                                      "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "compare.json").read_text())
    rates = {m["key"]: m for m in summary["measures"]}["cases_per_week"]
    assert rates["before"] > 0 and rates["after"] is None and rates["change"] is None
    notes = " ".join(summary["notes"])
    assert "(5 cases, too short a time for a weekly rate)" in notes
    assert "the period asked for" not in notes
    assert (
        "Cases starting from 2012-01-23: no case of this side started and ended within the "
        "whole log's complete period, so it has no capability chart"
    ) in summary["notes"]
