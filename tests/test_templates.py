"""Conformance to journey templates on the engine: exact values on a tiny log, every
method, the sample log's planted deviations, and agreement with pm4py's alignments."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap.analysis.template_measures import (
    demand_segments,
    template_activities,
    template_deviations,
    template_paths,
    template_summary,
)
from journeymap.analysis.templates import (
    Templates,
    template_conformance,
    template_methods,
    template_notes,
    unknown_activities,
)
from journeymap.errors import ConfigError, as_keywords
from journeymap.options import load_templates
from journeymap.options_file import load_options
from journeymap.template_model import parse_templates
from shared_datasets import dataset

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"
H = 3600.0

# case, service, channel, activities (one an hour from the case's day at 09:00)
CASES = [
    ("C1", "Bins", "phone", ["Call", "Log", "Collect", "Close"]),
    ("C2", "Bins", "web", ["Web", "Log", "Collect", "Close"]),
    ("C3", "Bins", "phone", ["Call", "Log", "Info", "Collect", "Close"]),
    ("C4", "Bins", "phone", ["Call", "Log", "Collect", "Chase", "Collect", "Close"]),
    ("C5", "Bins", "letter", ["Letter", "Collect", "Close"]),
    ("C6", "Leak", "phone", ["Call", "Inspect", "Close"]),
    ("C7", "Leak", "web", ["Web", "Inspect", "Repair", "Repair", "Close"]),
    ("C8", "Other", "phone", ["Call", "Close"]),
]
STEPS = {
    "Bins": [{"one_of": ["Call", "Web", "Letter"]}, "Log", "Collect", "Close"],
    "Leak": [{"one_of": ["Call", "Web"]}, "Inspect", {"repeat": "Repair"}, "Close"],
}
# C2 runs three 20-minute steps; the others one step an hour, except C4's last (5 h).
GAPS = {"C2": [0, 1200, 2400, 3600], "C4": [0, 1, 2, 3, 4, 10]}


def tiny_log(more=(), **options) -> jm.EventLog:
    rows = []
    for day, (case, service, channel, acts) in enumerate([*CASES, *more], 1):
        start = pd.Timestamp(f"2024-01-{day:02d} 09:00")
        offsets = GAPS.get(case, range(len(acts)))
        for act, off in zip(acts, offsets, strict=True):
            at = start + pd.Timedelta(seconds=off if case == "C2" else off * H)
            rows.append((case, act, str(at), channel, service))
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "channel", "service"])
    return jm.EventLog.from_frame(frame, **options)


def spec(method: str = "sequence match", **settings) -> Templates:
    tables = [{"name": name, "demand": name, "steps": steps} for name, steps in STEPS.items()]
    return Templates(parse_templates(tables), demand_column="service", method=method, **settings)


@pytest.fixture(scope="module")
def tiny():
    with tiny_log() as log:
        yield log


@pytest.mark.parametrize("method", ["sequence match", "alignments"])
def test_conformance_per_case_by_hand(tiny, method):
    got = template_conformance(tiny, spec(method))
    assert got["case"].tolist() == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]  # C8: none
    assert got["template"].tolist() == ["Bins"] * 5 + ["Leak"] * 2
    assert got["conforming"].tolist() == [True, True, False, False, False, False, True]
    assert got["failure"].tolist() == [False, False, False, True, False, False, False]
    assert got["straightforward"].tolist() == [False, False, True, False, True, True, False]
    assert got["skipped_steps"].tolist() == ["", "", "", "", "Log", "Repair", ""]
    assert got["inserted_steps"].tolist() == ["", "", "Info", "Chase", "", "", ""]
    assert got["repeated_steps"].tolist() == ["", "", "", "Collect", "", "", ""]
    assert got[["skipped", "inserted", "repeated"]].sum().tolist() == [2, 2, 1]
    assert got["e2e_s"].tolist() == [3 * H, H, 4 * H, 10 * H, 2 * H, 2 * H, 4 * H]


def test_a_case_still_open_is_left_out_of_the_template_measures():
    """With end activities known, a case whose journey has not ended (C9: called and
    logged, not yet collected) is no deviation: its steps to come are not skipped, and
    the notes say it was left out."""
    open_case = [("C9", "Bins", "phone", ["Call", "Log"])]
    with tiny_log(open_case, end_activities=["Close"]) as log:
        got = template_conformance(log, spec())
        assert got["case"].tolist() == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
        assert template_summary(log, spec())["Bins"]["cases"] == 5
        assert template_methods(log, spec())["Bins"]["cases"] == 5
        assert template_notes(log, spec())[-1] == (
            "1 case was still open when the log was exported; left out of the template "
            "measures (a journey that has not ended has skipped no step yet)"
        )
    with tiny_log(open_case) as log:  # no end activities: C9 is checked
        got = template_conformance(log, spec())
        assert got.loc[got["case"] == "C9", "skipped_steps"].tolist() == ["Close; Collect"]


def test_summary_by_hand(tiny):
    s = template_summary(tiny, spec())
    assert list(s) == ["Bins", "Leak"]
    bins, leak = s["Bins"], s["Leak"]
    assert (bins["cases"], bins["conforming"], bins["straightforward"]) == (5, 2, 2)
    assert (bins["conforming_pct"], bins["straightforward_pct"]) == (40.0, 40.0)
    # conforming C1 3 h, C2 1 h: median 2 h; deviating 4 h, 10 h, 2 h: median 4 h
    assert (bins["median_e2e_conforming_s"], bins["median_e2e_deviating_s"]) == (2 * H, 4 * H)
    assert bins["median_extra_e2e_s"] == 2 * H
    assert leak["median_extra_e2e_s"] == -2 * H  # the skip made it quicker
    assert bins["method"] == "sequence match" and bins["demand"] == "Bins"


def test_deviations_by_hand(tiny):
    d = template_deviations(tiny, spec())
    rows = [tuple(r) for r in d[["template", "kind", "activity", "cases", "events"]].to_numpy()]
    assert rows == [
        ("Bins", "inserted", "Chase", 1, 1), ("Bins", "inserted", "Info", 1, 1),
        ("Bins", "repeated", "Collect", 1, 1), ("Bins", "skipped", "Log", 1, 1),
        ("Leak", "skipped", "Repair", 1, 1),
    ]  # fmt: skip
    assert d["extra_e2e_s"].tolist() == [8 * H, 2 * H, 8 * H, 0.0, -2 * H]
    assert d["straightforward_cases"].tolist() == [0, 1, 0, 1, 1]
    assert math.isnan(d["straightforward_extra_e2e_s"][0])
    assert d["straightforward_extra_e2e_s"][1] == 2 * H


def test_segments_by_type_and_channel(tiny):
    s = demand_segments(tiny, spec())
    keys = list(zip(s["demand"], s["channel"], s["template"], s["cases"], strict=True))
    assert keys == [
        ("Bins", "", "Bins", 5), ("Bins", "phone", "Bins", 3), ("Bins", "letter", "Bins", 1),
        ("Bins", "web", "Bins", 1), ("Leak", "", "Leak", 2), ("Leak", "phone", "Leak", 1),
        ("Leak", "web", "Leak", 1), ("Other", "", "", 1), ("Other", "phone", "", 1),
    ]  # fmt: skip
    first = s.iloc[0]
    # five different variants of one case each: the first four reach 80%
    assert (first["variants"], first["variants_for_80pct"]) == (5, 4)
    assert (first["conforming_pct"], first["straightforward_pct"], first["failure_pct"]) == (
        40.0, 40.0, 20.0,
    )  # fmt: skip
    assert first["median_e2e_s"] == 3 * H
    assert s.iloc[1]["variants_for_80pct"] == 3  # 3 cases: 2 of 3 is below 80%
    assert math.isnan(s.iloc[7]["conforming_pct"])  # no template


def test_paths_and_activities_of_a_template(tiny):
    paths = template_paths(tiny, spec())
    leak = paths[paths["template"] == "Leak"]
    rows = [tuple(r) for r in leak[["source", "target", "cases", "designed"]].to_numpy()]
    assert rows == [
        ("Call", "Inspect", 1, True), ("Close", "__end__", 2, True),
        ("Inspect", "Close", 1, False), ("Inspect", "Repair", 1, True),
        ("Repair", "Close", 1, True), ("Repair", "Repair", 1, True),
        ("Web", "Inspect", 1, True), ("__start__", "Call", 1, True),
        ("__start__", "Web", 1, True),
    ]  # fmt: skip
    bins = paths[paths["template"] == "Bins"]
    assert bins[(bins["source"] == "Letter") & (bins["target"] == "Log")]["cases"].tolist() == [0]
    acts = template_activities(tiny, spec())
    bins = acts[acts["template"] == "Bins"].set_index("activity")
    assert bins.loc["Collect", ["cases", "events"]].tolist() == [5, 6]
    assert bool(bins.loc["Info", "designed"]) is False and bool(bins.loc["Web", "designed"])


def test_the_method_is_chosen_by_size(tiny):
    assert {k: v["method"] for k, v in template_methods(tiny, spec("auto")).items()} == {
        "Bins": "alignments", "Leak": "alignments",
    }  # fmt: skip
    small = spec("auto", alignment_max_cases=2)
    assert {k: v["method"] for k, v in template_methods(tiny, small).items()} == {
        "Bins": "sequence match", "Leak": "alignments",
    }  # fmt: skip
    assert template_methods(tiny, small)["Bins"]["cases"] == 5


def test_token_replay_agrees_on_conformance(tiny):
    replayed = template_conformance(tiny, spec("token replay"))
    matched = template_conformance(tiny, spec())
    assert replayed["conforming"].tolist() == matched["conforming"].tolist()
    assert replayed["skipped"].sum() == 0  # token replay cannot name skipped steps


def test_templates_for_all_demand_and_the_demand_column(tiny):
    everyone = Templates(parse_templates([{"name": "All", "steps": ["Call", "Close"]}]))
    got = template_conformance(tiny, everyone)
    assert len(got) == 8 and got["conforming"].sum() == 1  # C8
    tables = [{"name": "Bins", "demand": "Bins", "steps": STEPS["Bins"]},
              {"name": "Rest", "steps": ["Call", "Close"]}]  # fmt: skip
    mixed = Templates(parse_templates(tables), demand_column="service")
    assert template_conformance(tiny, mixed)["template"].tolist() == ["Bins"] * 5 + ["Rest"] * 3
    no_column = Templates(parse_templates([{"name": "B", "demand": "Bins", "steps": ["a"]}]))
    with pytest.raises(ConfigError, match="demand_column does not say which column"):
        template_conformance(tiny, no_column)
    wrong = dataclasses.replace(no_column, demand_column="servce")
    with pytest.raises(ConfigError, match="the log has no column 'servce'; its columns are: "):
        template_conformance(tiny, wrong)


def test_cases_that_end_with_no_last_step_are_said_when_no_end_activity_is_known():
    """C9 stops at 'Collect': a deviation ('Close' skipped), or a case still open when the
    log was exported; naming the end activities tells them apart."""
    more = [("C9", "Bins", "phone", ["Call", "Log", "Collect"])]
    with tiny_log(more) as log:
        assert as_keywords(template_notes(log, spec())[-1]) == (
            "1 of the 8 cases of the templates ends with none of their last steps ('Close') "
            "and counts as deviations: if they were still open when the log was exported, "
            "name the activities that finish a case with end_activities='Close' to leave "
            "them out"
        )
    with tiny_log(more, end_activities=["Close"]) as log:
        assert template_notes(log, spec())[-1] == (
            "1 case was still open when the log was exported; left out of the template "
            "measures (a journey that has not ended has skipped no step yet)"
        )
    with tiny_log() as log:  # every case ends with 'Close'
        assert not any("last steps" in n for n in template_notes(log, spec()))


def test_a_step_naming_an_activity_no_event_has_is_said(tiny):
    """'collect' differs from the log's 'Collect' only in case; 'Inspekt' is close to
    'Inspect'; 'Survey' is like nothing. Conformance counts them as skipped steps."""
    tables = [
        {"name": "Bins", "demand": "Bins", "steps": ["Call", "Log", "collect", "Close"]},
        {"name": "Leak", "demand": "Leak", "steps": ["Call", "Inspekt", "Survey"]},
    ]
    wrong = Templates(parse_templates(tables), demand_column="service")
    assert unknown_activities(tiny, wrong) == [
        "template 'Bins': no event has the activity 'collect' (did you mean 'Collect'?), so "
        "no case can go through it as designed; check the step's spelling",
        "template 'Leak': no event has the activity 'Inspekt' (did you mean 'Inspect'?), so "
        "no case can go through it as designed; check the step's spelling",
        "template 'Leak': no event has the activity 'Survey', so no case can go through it "
        "as designed; check the step's spelling",
    ]
    assert template_conformance(tiny, wrong)["conforming"].sum() == 0
    assert unknown_activities(tiny, spec()) == []
    findings = jm.mine(tiny, dataclasses.replace(jm.Options(), templates=wrong))
    assert findings.templates.unknown_activities == unknown_activities(tiny, wrong)
    from journeymap.render.doubts import doubts

    assert [d for d in doubts(findings) if d.startswith("template ")] == (
        findings.templates.unknown_activities
    )


# -- the sample log: the planted deviations, and pm4py's alignments --------------------------
@pytest.fixture(scope="module")
def sample():
    options = load_options(SAMPLES / "service_desk.toml")
    templates = load_templates(SAMPLES / "service_desk_templates.toml")
    with jm.read_log(str(SAMPLES / "service_desk.csv"), case="case_id",
                     customer="customer_id") as log:  # fmt: skip
        yield log, dataclasses.replace(templates, method="sequence match"), options


def test_the_planted_deviations_are_recovered(sample):
    log, templates, options = sample
    got = template_conformance(log, templates, options.demand)
    truth = pd.read_csv(SAMPLES / "service_desk_truth.csv", dtype={"case_id": str})
    both = got.merge(truth, left_on="case", right_on="case_id", validate="1:1")
    assert len(both) == len(truth) == 1350  # every case has its service's template
    found = both.assign(skipped_step_found=both["skipped"] > 0,
                        inserted_step_found=both["inserted"] > 0,
                        repeated_step_found=both["repeated"] > 0)  # fmt: skip
    for service, rows in found.groupby("service"):
        for planted, seen in (("follows_template", "conforming"),
                              ("skipped_step", "skipped_step_found"),
                              ("inserted_step", "inserted_step_found"),
                              ("repeated_step", "repeated_step_found")):  # fmt: skip
            planted_pct = 100 * rows[planted].mean()
            assert abs(100 * rows[seen].mean() - planted_pct) < 1.0, (service, planted)
    # in fact case by case
    assert found["conforming"].tolist() == found["follows_template"].tolist()
    assert found["skipped_step_found"].tolist() == found["skipped_step"].tolist()
    assert found["repeated_step_found"].tolist() == found["repeated_step"].tolist()


def _pm4py_fitness(events: pd.DataFrame, template) -> dict[str, float]:
    """pm4py's alignment fitness per case, on the template's Petri net."""
    import warnings

    import pm4py
    from pm4py.objects.log.obj import Event, EventLog, Trace

    from journeymap.discovery.alignments import template_net

    traces = []
    for case, rows in events.groupby("case", sort=True):
        trace = Trace([Event({"concept:name": a}) for a in rows["activity"]])
        trace.attributes["concept:name"] = case
        traces.append(trace)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = pm4py.conformance_diagnostics_alignments(
            EventLog(traces),
            *template_net(template),
            multi_processing=False,
            show_progress_bar=False,
        )
    return {t.attributes["concept:name"]: r["fitness"] for t, r in zip(traces, found, strict=True)}


def test_conformance_agrees_with_pm4py_alignments_on_the_sample(sample):
    log, templates, options = sample
    got = template_conformance(log, templates, options.demand).set_index("case")
    events = log.to_pandas()  # in case order: timestamp, then source row
    for template in templates.templates:
        mine = got[got["template"] == template.name]
        fitness = _pm4py_fitness(events[events["case"].isin(mine.index)], template)
        assert {c: f == 1.0 for c, f in fitness.items()} == mine["conforming"].to_dict()


HELPDESK = {
    "name": "Helpdesk ticket",
    "steps": [
        {"optional": "Insert ticket"},
        {"repeat": "Assign seriousness"},
        {"one_of": ["Take in charge ticket",
                    ["Take in charge ticket", {"repeat": "Wait"},
                     {"optional": "Take in charge ticket"}]]},
        {"one_of": ["Resolve ticket", {"any_order": ["Require upgrade", "Resolve ticket"]}]},
        "Closed",
    ],
}  # fmt: skip


@pytest.mark.datasets
def test_conformance_agrees_with_pm4py_alignments_on_helpdesk():
    templates = Templates(parse_templates([HELPDESK]), method="sequence match")
    with jm.read_log(str(dataset("helpdesk/helpdesk_full.csv"))) as log:
        got = template_conformance(log, templates).set_index("case")
        fitness = _pm4py_fitness(log.to_pandas(), templates.templates[0])
        assert len(got) == 4580
        assert {c: f == 1.0 for c, f in fitness.items()} == got["conforming"].to_dict()
        assert 60 < 100 * got["conforming"].mean() < 90  # the template fits most tickets
        aligned = template_conformance(log, dataclasses.replace(templates, method="alignments"))
        # Both are optimal alignments: as many deviations, though where two explanations
        # are equally good each method may name another (25 of 4,580 cases here).
        assert aligned["conforming"].tolist() == got["conforming"].tolist()
        total = ["skipped", "inserted", "repeated"]
        assert aligned[total].sum(axis=1).tolist() == got[total].sum(axis=1).tolist()


# -- BPMN templates -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bpmn_folder(tmp_path_factory):
    """BPMN files of the tiny log's templates, drawn from their steps by pm4py."""
    import pm4py

    from journeymap.discovery.alignments import process_tree

    folder = tmp_path_factory.mktemp("bpmn")
    for t in spec().templates:
        pm4py.write_bpmn(
            pm4py.convert_to_bpmn(process_tree(t.steps)), str(folder / f"{t.name}.bpmn")
        )
    (folder / "broken.bpmn").write_text("<definitions>not a model")
    return folder


def bpmn_spec(folder: Path, method: str, **settings) -> Templates:
    tables = [{"name": n, "demand": n, "bpmn": f"{n}.bpmn"} for n in STEPS]
    return Templates(
        parse_templates(tables, folder=folder), demand_column="service", method=method, **settings
    )


@pytest.mark.parametrize("method", ["alignments", "token replay"])
def test_a_bpmn_template_checks_as_its_steps_do(tiny, bpmn_folder, method):
    got = template_conformance(tiny, bpmn_spec(bpmn_folder, method))
    steps = template_conformance(tiny, spec())
    assert got["conforming"].tolist() == steps["conforming"].tolist()
    if method == "alignments":
        assert got["inserted_steps"].tolist() == steps["inserted_steps"].tolist()
        assert got["skipped_steps"].tolist() == steps["skipped_steps"].tolist()


def test_a_large_bpmn_template_is_replayed_with_tokens(tiny, bpmn_folder):
    large = bpmn_spec(bpmn_folder, "auto", alignment_max_cases=1)
    assert {k: v["method"] for k, v in template_methods(tiny, large).items()} == {
        "Bins": "token replay", "Leak": "token replay",
    }  # fmt: skip
    paths = template_paths(tiny, large)
    leak = paths[(paths["template"] == "Leak") & paths["designed"]]
    assert ("Repair", "Repair") in set(zip(leak["source"], leak["target"], strict=True))


def test_a_bpmn_file_pm4py_cannot_read(tiny, bpmn_folder):
    broken = Templates(
        parse_templates(
            [{"name": "B", "bpmn": "broken.bpmn"}], source="t.toml", folder=bpmn_folder
        ),
        method="alignments",
    )
    with pytest.raises(ConfigError, match=r"^t.toml: template 'B': cannot read the BPMN file"):
        template_conformance(tiny, broken)


def test_matching_steps_does_not_import_pm4py(tmp_path):
    import subprocess
    import sys

    script = (
        "import sys, pandas as pd, journeymap as jm\n"
        "from journeymap.analysis.templates import Templates, template_conformance\n"
        "from journeymap.template_model import parse_templates\n"
        "log = jm.EventLog.from_frame(pd.DataFrame({'case': ['1', '1'], 'activity': ['a', 'b'],"
        " 'timestamp': ['2024-01-01', '2024-01-02']}))\n"
        "spec = Templates(parse_templates([{'name': 't', 'steps': ['a', 'b']}]),"
        " alignment_max_cases=0)\n"
        "assert template_conformance(log, spec)['conforming'].tolist() == [True]\n"
        "print('pm4py' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, check=True)  # fmt: skip
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("method", ["sequence match", "alignments"])
def test_of_equally_good_readings_the_one_that_skips_fewest_steps(method):
    """A case that did Active and Resolved twice is read as repeating them, not as
    skipping the optional vendor step to do Active again (both readings need two moves);
    pm4py's alignments and the sequence match read it the same way."""
    cases = {
        "A": ["New", "Active", "Resolved", "Active", "Resolved", "Closed"],
        "B": ["New", "Active", "Awaiting User Info", "Active", "Resolved", "Closed"],
        "C": ["New", "Active", "Awaiting Vendor", "Active", "Resolved", "Closed"],
    }
    rows = [(case, activity, f"2024-01-0{day} {9 + hour:02d}:00")
            for day, (case, steps) in enumerate(cases.items(), 1)
            for hour, activity in enumerate(steps)]  # fmt: skip
    steps = ["New", "Active", {"optional": ["Awaiting Vendor", "Active"]}, "Resolved", "Closed"]
    spec_ = Templates(parse_templates([{"name": "H", "steps": steps}]), method=method)
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp"])
    with jm.EventLog.from_frame(frame) as log:
        got = template_conformance(log, spec_)
    columns = ["conforming", "skipped_steps", "inserted_steps", "repeated_steps"]
    assert got[columns].values.tolist() == [
        [False, "", "", "Active; Resolved"],
        [False, "", "Awaiting User Info", "Active"],
        [True, "", "", ""],
    ]
