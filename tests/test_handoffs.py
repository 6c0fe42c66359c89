"""Hand-offs and ping-pong on tiny hand-checkable logs, the sample log's planted truth and
the reference figures of the public logs (shared/datasets/README.md)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap import EventLog
from journeymap.analysis.handoffs import (
    handler_sequence,
    handoff_summary,
    handoffs,
    handoffs_per_case,
    pingpong,
)
from journeymap.discovery.ordering import handler_role
from journeymap.errors import MappingError
from shared_datasets import dataset

SAMPLE = Path(__file__).resolve().parent.parent / "sample_logs"
H = 3600.0


def make_log(rows, columns=("case", "activity", "timestamp", "team"), **mapping):
    return EventLog.from_frame(pd.DataFrame(rows, columns=list(columns)), **mapping)


def t(hour, minute=0):
    return f"2024-01-01 {hour:02d}:{minute:02d}"


# Case M: a missing handler is dropped: X, (none), Y is one hand-off X -> Y, waited 09-12.
# Case T: a tie at 10:00 broken by source row (b was written before c): X Y X.
# Case S: one event.  Case N: no known handler.  Case O: one handler throughout.
# Case P: X X Y X (runs X Y X, one ping-pong X-Y).  Case Q: A B A B (two ping-pongs).
ROWS = [
    ("M", "a", t(9), "X"),
    ("T", "a", t(9), "X"),
    ("M", "b", t(10), None),
    ("T", "b", t(10), "Y"),
    ("T", "c", t(10), "X"),
    ("M", "c", t(12), "Y"),
    ("S", "a", t(9), "X"),
    ("N", "a", t(9), None),
    ("N", "b", t(11), None),
    ("O", "a", t(9), "X"),
    ("O", "b", t(13), "X"),
    ("P", "a", t(8), "X"),
    ("P", "b", t(9), "X"),
    ("P", "c", t(11), "Y"),
    ("P", "d", t(14), "X"),
    ("Q", "a", t(8), "A"),
    ("Q", "b", t(9), "B"),
    ("Q", "c", t(10), "A"),
    ("Q", "d", t(12), "B"),
]


@pytest.fixture(scope="module")
def log():
    return make_log(ROWS)


def test_handoffs_per_case(log):
    table = handoffs_per_case(log, level="team")
    assert list(table.columns) == ["case", "handoffs", "pingpongs", "handlers", "handoff_wait_s"]
    assert table.to_dict("list") == {
        "case": ["M", "N", "O", "P", "Q", "S", "T"],
        "handoffs": [1, 0, 0, 2, 3, 0, 2],
        "pingpongs": [0, 0, 0, 1, 2, 0, 1],
        "handlers": [2, 0, 1, 2, 2, 1, 2],
        "handoff_wait_s": [3 * H, 0.0, 0.0, 5 * H, 4 * H, 0.0, 1 * H],
    }


def test_handler_sequence_drops_missing_handlers_and_breaks_ties_by_source_row(log):
    seq = handler_sequence(log, level="team").to_pandas()
    m = seq[seq["case"] == "M"].sort_values("source_row")
    assert m["activity"].tolist() == ["a", "c"]
    assert m["prev_handler"].tolist()[1] == "X"
    assert m["wait_s"].tolist()[1] == 3 * H
    tie = seq[seq["case"] == "T"].sort_values("source_row")
    assert tie["prev_handler"].tolist()[1:] == ["X", "Y"]
    assert tie["handoff"].tolist() == [False, True, True]


def test_tie_order_follows_source_rows():
    # The same events as case T with c written before b: X X Y, one hand-off, no ping-pong.
    rows = [("T", "a", t(9), "X"), ("T", "c", t(10), "X"), ("T", "b", t(10), "Y")]
    table = handoffs_per_case(make_log(rows), level="team")
    assert (table.at[0, "handoffs"], table.at[0, "pingpongs"]) == (1, 0)


def test_handoff_matrix_counts_waits_and_order(log):
    table = handoffs(log)
    assert list(table.columns) == [
        "level", "from", "to", "count", "cases", "median_wait_s", "total_wait_s"
    ]  # fmt: skip
    rows = [tuple(r) for r in table.itertuples(index=False)]
    # Waits: X->Y: M 3 h, T 1 h, P 2 h; Y->X: T 0, P 3 h; A->B: 1 h, 2 h; B->A: 1 h.
    assert rows == [
        ("team", "X", "Y", 3, 3, 2 * H, 6 * H),
        ("team", "A", "B", 2, 1, 1.5 * H, 3 * H),
        ("team", "Y", "X", 2, 2, 1.5 * H, 3 * H),
        ("team", "B", "A", 1, 1, 1 * H, 1 * H),
    ]


def test_pingpong_pairs(log):
    table = pingpong(log)
    assert list(table.columns) == ["level", "a", "b", "count", "cases"]
    assert [tuple(r) for r in table.itertuples(index=False)] == [
        ("team", "X", "Y", 2, 2),
        ("team", "A", "B", 1, 1),
        ("team", "B", "A", 1, 1),
    ]


def test_summary(log):
    s = handoff_summary(log)
    assert {k: s[k] for k in ("level", "total", "cases_with_handoff")} == {
        "level": "team",
        "total": 8,
        "cases_with_handoff": 4,
    }
    assert (s["pingpong_total"], s["pingpong_cases"]) == (4, 3)
    # Hand-offs per case: 8 over the 6 cases with a known team (M O P Q S T), not 7.
    assert (s["cases"], s["per_case"]) == (6, pytest.approx(8 / 6))
    # Case N has no known handler: unknown, so in no bucket and not in the wait share.
    # Hand-off waits 13 h; end-to-end M 3, O 4, P 6, Q 4, S 0, T 1 h = 18 h.
    assert s["wait_share"] == pytest.approx(13 / 18)
    assert s["e2e_by_handoffs"] == [
        {"handoffs": "0", "cases": 2, "median_e2e_s": 2 * H},  # O 4 h, S 0
        {"handoffs": "1", "cases": 1, "median_e2e_s": 3 * H},
        {"handoffs": "2", "cases": 2, "median_e2e_s": 3.5 * H},
        {"handoffs": "3", "cases": 1, "median_e2e_s": 4 * H},
        {"handoffs": "4+", "cases": 0, "median_e2e_s": None},
    ]


def test_spearman_hand_computed(log):
    # Cases M O P Q S T (N has no known handler: unknown, left out).
    # Hand-offs 1 0 2 3 0 2 -> average ranks 3 1.5 4.5 6 1.5 4.5;
    # end-to-end hours 3 4 6 4 0 1 -> average ranks 3 4.5 6 4.5 1 2.
    x = [3, 1.5, 4.5, 6, 1.5, 4.5]
    y = [3, 4.5, 6, 4.5, 1, 2]
    mx, my = sum(x) / 6, sum(y) / 6
    cov = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    assert handoff_summary(log)["spearman"] == pytest.approx(cov / (sx * sy))
    assert pd.Series([1, 0, 2, 3, 0, 2]).corr(
        pd.Series([3, 4, 6, 4, 0, 1]), method="spearman"
    ) == pytest.approx(cov / (sx * sy))


def test_spearman_undefined_and_perfect():
    same = [("1", "a", t(9), "X"), ("1", "b", t(10), "X"), ("2", "a", t(9), "X")]
    assert handoff_summary(make_log(same))["spearman"] is None
    one = [("1", "a", t(9), "X"), ("1", "b", t(10), "Y")]
    assert handoff_summary(make_log(one))["spearman"] is None
    rows = [("1", "a", t(9), "X"), ("1", "b", t(10), "Y"), ("2", "a", t(9), "X")]
    rows += [("3", "a", t(9), "X"), ("3", "b", t(10), "Y"), ("3", "c", t(12), "X")]
    assert handoff_summary(make_log(rows))["spearman"] == pytest.approx(1.0)


def test_bucket_four_or_more():
    handlers = ["X", "Y"] * 3  # 5 hand-offs, 4 ping-pongs
    rows = [("1", f"s{i}", t(8 + i), h) for i, h in enumerate(handlers)]
    s = handoff_summary(make_log(rows))
    assert s["e2e_by_handoffs"][4] == {"handoffs": "4+", "cases": 1, "median_e2e_s": 5 * H}
    assert (s["total"], s["pingpong_total"], s["pingpong_cases"]) == (5, 4, 1)


def test_resource_level_and_handler_role():
    rows = [("1", "a", t(9), "Ann", "X"), ("1", "b", t(10), "Bob", "X")]
    log = make_log(rows, columns=("case", "activity", "timestamp", "resource", "team"))
    assert handler_role(log) == "team"
    assert handoffs(log)["count"].tolist() == []
    table = handoffs(log, level="resource")
    assert table[["level", "from", "to", "count"]].values.tolist() == [
        ["resource", "Ann", "Bob", 1]
    ]


def test_unmapped_or_unknown_level_is_a_mapping_error():
    rows = [("1", "a", t(9), "Ann")]
    log = make_log(rows, columns=("case", "activity", "timestamp", "resource"))
    assert handler_role(log) == "resource"
    with pytest.raises(MappingError, match="team role, which is not mapped.*level 'resource'"):
        handoffs(log)
    with pytest.raises(MappingError, match="level must be 'team' or 'resource'"):
        handoffs(log, level="department")
    bare = make_log([("1", "a", t(9))], columns=("case", "activity", "timestamp"))
    assert handler_role(bare) is None


def test_start_timestamps_wait_from_end_to_next_start():
    # Hand-off X -> Y: b starts at 11:00 after a ended at 09:00 (2 h); Y -> X: c started
    # at 11:30, before b ended at 12:00 (0); the start of d is missing (its end counts).
    rows = [
        ("1", "a", t(8), t(9), "X"),
        ("1", "b", t(11), t(12), "Y"),
        ("1", "c", t(11, 30), t(13), "X"),
        ("1", "d", None, t(15), "Y"),
    ]
    columns = ("case", "activity", "start_timestamp", "timestamp", "team")
    table = handoffs_per_case(make_log(rows, columns=columns), level="team")
    assert table.at[0, "handoff_wait_s"] == 2 * H + 0 + 2 * H


def test_sample_log_matches_the_planted_truth():
    log = jm.read_log(str(SAMPLE / "service_desk.csv"))
    truth = pd.read_csv(SAMPLE / "service_desk_truth.csv", dtype={"case_id": str})
    truth = truth.set_index("case_id").sort_index()
    team = handoffs_per_case(log, level="team").set_index("case")
    resource = handoffs_per_case(log, level="resource").set_index("case")
    assert team.index.tolist() == truth.index.tolist()
    assert team["handoffs"].tolist() == truth["handoffs"].tolist()
    assert team["pingpongs"].tolist() == truth["pingpongs"].tolist()
    assert resource["handoffs"].tolist() == truth["handoffs_resource"].tolist()
    s = handoff_summary(log)
    assert s["total"] == truth["handoffs"].sum()
    assert s["pingpong_cases"] == (truth["pingpongs"] > 0).sum()
    assert handoffs(log)["count"].sum() == s["total"]
    assert pingpong(log)["count"].sum() == s["pingpong_total"]


# (file, read_log mapping, level, hand-offs, cases with a hand-off, ping-pong cases): the
# reference figures of shared/datasets/README.md. They were computed in file order; the
# events of every trace of these logs are in timestamp order in the file, so file order
# and the order of MEASURES.md (timestamp, then source row) agree.
REFERENCE = [
    ("helpdesk/helpdesk.xes.gz", {}, "resource", 8_648, 4_577, 269),
    ("bpic2013_closed_problems/BPI_Challenge_2013_closed_problems.xes.gz",
     {"team": "organization involved"}, "team", 655, 280, 107),
    ("receipt/receipt_env_permit.xes.gz", {}, "team", 5_440, 1_318, 269),
    ("sepsis/Sepsis_Cases_Event_Log.xes.gz", {}, "team", 7_048, 1_050, 918),
]  # fmt: skip


@pytest.mark.datasets
@pytest.mark.parametrize(("name", "mapping", "level", "total", "cases", "pingpongs"), REFERENCE)
def test_reference_figures_of_the_public_logs(name, mapping, level, total, cases, pingpongs):
    # The README's figures take every value as a handler, placeholders ('?', 'EMPTY')
    # included: read with no placeholders to compare.
    log = jm.read_log(str(dataset(name)), missing_values=(), **mapping)
    s = handoff_summary(log, level=level)
    assert (s["total"], s["cases_with_handoff"], s["pingpong_cases"]) == (total, cases, pingpongs)


@pytest.mark.datasets
def test_placeholders_are_no_handlers_on_the_public_logs():
    # Sepsis writes '?' as org:group on 294 events; receipt writes 'EMPTY' on 1,936
    # (zcat receipt_env_permit.xes.gz | grep -c 'key="org:group" value="EMPTY"').
    sepsis = jm.read_log(str(dataset("sepsis/Sepsis_Cases_Event_Log.xes.gz")))
    receipt = jm.read_log(str(dataset("receipt/receipt_env_permit.xes.gz")))
    assert sepsis.placeholders["team"] == 294 and receipt.placeholders["team"] == 1_936
    for log in (sepsis, receipt):
        teams = log.to_pandas()["team"].dropna()
        assert not set(teams.str.lower()) & {"?", "empty"}
        assert "?" not in set(handoffs(log)["from"]) | set(handoffs(log)["to"])


def test_a_team_column_never_recorded_leaves_the_handler_to_the_resource():
    # A Jira project without components: the team column is empty or a placeholder on
    # every event. Case 1: Ann -> Bob (one hand-off) -> Bob.
    rows = [
        ("1", "a", t(9), "?", "Ann"),
        ("1", "b", t(10), None, "Bob"),
        ("1", "c", t(12), "", "Bob"),
    ]
    log = make_log(rows, ("case", "activity", "timestamp", "team", "resource"))
    assert log.mapping.team is None
    assert handler_role(log) == "resource"
    assert (
        "the team column 'team' holds no value (or only placeholders): hand-offs are "
        "counted between resources ('resource')"
    ) in log.notes
    found = handoffs(log, level=handler_role(log))
    assert found[["level", "from", "to", "count"]].values.tolist() == [
        ["resource", "Ann", "Bob", 1]
    ]


def test_a_team_recorded_once_stays_the_handler():
    rows = [
        ("1", "a", t(9), "X", "Ann"),
        ("1", "b", t(10), None, "Bob"),
        ("1", "c", t(12), None, "Bob"),
    ]
    log = make_log(rows, ("case", "activity", "timestamp", "team", "resource"))
    assert log.mapping.team == "team"
    assert handler_role(log) == "team"
    assert not any("holds no value" in note for note in log.notes)


def test_end_to_end_by_hand_offs_counts_the_cases_that_ended():
    """Case 3 was still open when exported (its last event is no end activity): its
    time so far is no end-to-end time, so the buckets and the correlation leave it out,
    as the end-to-end figures do; hand-off counts keep it."""
    log = EventLog.from_frame(
        pd.DataFrame({
            "case": ["1", "1", "2", "2", "2", "3", "3"],
            "activity": ["Log", "Close", "Log", "Fix", "Close", "Log", "Fix"],
            "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00",
                          "2024-01-02 12:00", "2024-01-02 13:00", "2024-01-03 09:00",
                          "2024-01-03 09:05"],
            "team": ["A", "A", "A", "B", "B", "A", "A"]}),
        end_activities=["Close"],
    )  # fmt: skip
    s = handoff_summary(log, level="team")
    assert (s["cases"], s["total"]) == (3, 1)
    assert s["e2e_by_handoffs"][:2] == [
        {"handoffs": "0", "cases": 1, "median_e2e_s": 3600.0},
        {"handoffs": "1", "cases": 1, "median_e2e_s": 4 * 3600.0},
    ]
    assert s["spearman"] == pytest.approx(1.0)


def test_a_handler_that_work_reaches_within_a_second_is_doubted_as_a_system(tmp_path):
    """Twenty cases: ann applies, 'sys' registers half a second later, bob reviews an
    hour after. Work reaches 'sys' within a second each time: a system, not a person;
    bob, reached after an hour, is not named."""
    from journeymap.render.doubts import system_account_doubt
    from journeymap.render.report import key_numbers

    rows = []
    for i in range(20):
        day = f"2024-01-{i + 1:02d}"
        rows += [(f"c{i}", "Apply", f"{day} 09:00:00", "ann"),
                 (f"c{i}", "Register", f"{day} 09:00:00.5", "sys"),
                 (f"c{i}", "Review", f"{day} 10:00:00", "bob")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "resource"])
    with EventLog.from_frame(frame) as log:
        found = jm.mine(log)
        said = system_account_doubt(found)
        labels = dict(key_numbers(found))
        jm.write_outputs(found, tmp_path / "out", formats=(), report=True)
    assert labels["Hand-offs per case (a system may count as a handler: see Hand-offs)"] == "2.00"
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Work reaches &#x27;sys&#x27; (20 of the 20 hand-offs to it)" in page
    # The plan that would group 'sys' with the people says so before proposing it.
    plan = page[page.index('<section id="plan">') :]
    assert (
        "&#x27;sys&#x27; is grouped below, but work reaches it within a second of the event "
        "before, as a system&#x27;s does (see Hand-offs): if it is a system account, mine "
        "the log again with --extra-missing-values sys before proposing the groups."
    ) in plan
    assert said == (
        "work reaches 'sys' (20 of the 20 hand-offs to it) less than a second after the "
        "event before: a system answers that fast, a resource does not. It takes part in 40 "
        "of the 40 hand-offs (100%), which may be the system reacting rather than work "
        "passing between resources; if it is a system account, add --extra-missing-values "
        "'sys' to read it as not recorded"
    )


def test_a_team_that_never_changes_within_a_case_is_doubted():
    """A list export's current assignment group on every event of its case: 20 cases
    of two events, each with one team throughout, show no hand-off and all one-stop;
    doubted, and the tiles say so. One hand-off, or 19 such cases, and it is not."""
    from journeymap.errors import as_flags
    from journeymap.render.doubts import no_handoff_doubt
    from journeymap.render.report import key_numbers

    def log(cases: int, handed_on: bool = False) -> EventLog:
        rows = []
        for c in range(cases):
            team = "Desk" if c % 2 else "Field"
            second = "Back office" if handed_on and c == 0 else team
            rows += [(f"INC{c}", "New", f"2024-01-{1 + c % 28:02d} 09:00", team),
                     (f"INC{c}", "Closed", f"2024-01-{1 + c % 28:02d} 15:00", second)]  # fmt: skip
        frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "group"])
        return EventLog.from_frame(frame, team="group")

    found = jm.mine(log(20))
    assert as_flags(no_handoff_doubt(found)) == (
        "the team ('group') never changes within a case: no hand-off in the 20 cases of two "
        "events or more, so every case is single-handler and all the value demand one-stop; "
        "if 'group' holds each record's current team (as a list export's assignment group "
        "does) rather than who did each step, map the column that records who did each step "
        "with --team COLUMN"
    )
    assert dict(key_numbers(found))["One-stop (the team never changes: see Hand-offs)"] == (
        "100.0%"
    )
    assert no_handoff_doubt(jm.mine(log(20, handed_on=True))) is None
    assert no_handoff_doubt(jm.mine(log(19))) is None
