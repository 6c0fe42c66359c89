"""Customer journeys: a customer's related cases as one journey, across channels."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import journeymap as jm
from journeymap.analysis.journeys import customer_journey_log, journey_summary
from journeymap.cli import cli
from journeymap.render.captions import journey_sentences
from journeymap.render.profile_text import quality_warnings

SAMPLE = Path(__file__).resolve().parents[1] / "sample_logs" / "service_desk.csv"
SAMPLE_CONFIG = SAMPLE.with_suffix(".toml")

# A: web, phone, web within 14 days of each other: one journey of 3 cases, 2 switches.
# B: two phone cases two months apart: two journeys. C: one e-mail case, one event with
# no channel. Case 7 has no customer.
ROWS = [
    ("1", "Form", "2024-01-01 09:00", "A", "web"),
    ("1", "Reply", "2024-01-01 10:00", "A", "web"),
    ("2", "Call", "2024-01-05 09:00", "A", "phone"),
    ("2", "Fix", "2024-01-06 09:00", "A", "phone"),
    ("3", "Form", "2024-01-10 09:00", "A", "web"),
    ("4", "Call", "2024-01-02 09:00", "B", "phone"),
    ("5", "Call", "2024-03-01 09:00", "B", "phone"),
    ("6", "Mail", "2024-01-03 09:00", "C", "e-mail"),
    ("6", "Note", "2024-01-03 12:00", "C", None),
    ("6", "Mail", "2024-01-04 09:00", "C", "e-mail"),
    ("7", "Call", "2024-01-08 09:00", None, "phone"),
]


def hand_log() -> jm.EventLog:
    frame = pd.DataFrame(ROWS, columns=["ticket", "activity", "timestamp", "customer", "channel"])
    return jm.EventLog.from_frame(frame, case="ticket", source="hand")


def test_the_hand_built_log_gives_hand_counted_journeys():
    with hand_log() as log:
        found = journey_summary(log)
        assert found.to_dict() == {
            "customers": 3,
            "customers_several_cases": 2,
            "customers_several_cases_pct": pytest.approx(200 / 3),
            "journeys": 4,
            "journeys_several_cases": 1,
            "cases": 6,
            "cases_without_customer": 1,
            "median_e2e_s": 43200.0,  # journeys of 9 d, 0, 0 and 1 d
            "channel": True,
            "cross_channel": 1,
            "cross_channel_pct": 25.0,
            "channel_switches": 2,
            "cross_channel_median_e2e_s": 777600.0,
            "paths": [
                {
                    "path": "web > phone > web",
                    "journeys": 1,
                    "pct": 100.0,
                    "cases": 3,
                    "median_e2e_s": 777600.0,
                }
            ],
            "customer_ids": None,  # mine sets it from the profile
        }
        table = found.table.to_pandas()
        assert table[["journey", "cases", "channels", "channel_switches", "channel_path"]].astype(
            object
        ).values.tolist() == [
            ["A", 3, 2, 2, "web > phone > web"],
            ["B", 1, 1, 0, "phone"],
            ["B #2", 1, 1, 0, "phone"],
            ["C", 1, 1, 0, "e-mail"],
        ]


def test_channel_paths_of_journeys_of_one_case_and_of_overlapping_cases():
    """A journey of one case that kept to one channel takes its path from the case; a
    lone case that changed channel is put in order; cases that overlap in time are taken
    case by case (the customer did not go back and forth: two cases were open)."""
    rows = [
        # D: one case, phone, web, phone: 2 switches.
        ("8", "Call", "2024-01-01 09:00", "D", "phone"),
        ("8", "Form", "2024-01-01 10:00", "D", "web"),
        ("8", "Call", "2024-01-01 11:00", "D", "phone"),
        # E: one case, no known channel: no path.
        ("9", "Call", "2024-01-01 09:00", "E", None),
        # F: two one-channel cases that overlap: phone, web, phone in time; case 10
        # (phone) starts first, then case 11 (web): phone > web, one switch.
        ("10", "Call", "2024-01-01 09:00", "F", "phone"),
        ("11", "Form", "2024-01-01 10:00", "F", "web"),
        ("10", "Call", "2024-01-01 11:00", "F", "phone"),
        # G: one case, one channel, an event without one in between.
        ("12", "Mail", "2024-01-01 09:00", "G", "e-mail"),
        ("12", "Note", "2024-01-01 10:00", "G", None),
        ("12", "Mail", "2024-01-01 11:00", "G", "e-mail"),
    ]
    frame = pd.DataFrame(rows, columns=["ticket", "activity", "timestamp", "customer", "channel"])
    with jm.EventLog.from_frame(frame, case="ticket", source="hand") as log:
        found = journey_summary(log)
        table = found.table.to_pandas().sort_values("journey")
        assert table[["journey", "cases", "channels", "channel_switches", "channel_path"]].astype(
            object
        ).where(table.notna(), None).values.tolist() == [
            ["D", 1, 2, 2, "phone > web > phone"],
            ["E", 1, None, None, None],
            ["F", 2, 2, 1, "phone > web"],
            ["G", 1, 1, 0, "e-mail"],
        ]
        assert (found.cross_channel, found.channel_switches) == (2, 3)


def test_a_journey_log_has_the_journeys_as_cases_and_keeps_each_case():
    with hand_log() as log:
        journeys = customer_journey_log(log)
        assert (journeys.cases, journeys.events, journeys.rows_read) == (4, 10, 10)
        df = journeys.to_pandas()
        assert df[df["case"] == "A"][["activity", "ticket", "channel"]].values.tolist() == [
            ["Form", "1", "web"],
            ["Reply", "1", "web"],
            ["Call", "2", "phone"],
            ["Fix", "2", "phone"],
            ["Form", "3", "web"],
        ]
        assert journeys.notes[-1].endswith(
            "each event keeps its case in column 'ticket'; 1 events of cases without a "
            "customer are left out"
        )
        assert journeys.mapping.case == "customer (customer journeys)"


def test_without_a_channel_the_channel_figures_are_none():
    frame = pd.DataFrame(
        [r[:4] for r in ROWS], columns=["case", "activity", "timestamp", "customer"]
    )
    with jm.EventLog.from_frame(frame) as log:
        found = journey_summary(log)
        assert (found.journeys, found.channel, found.cross_channel, found.paths) == (
            4,
            False,
            None,
            [],
        )


def test_a_customer_id_named_only_beside_a_smaller_one_is_in_no_journey():
    """Case 6 names C and D, case 8 names D and E: each belongs to its smallest id, so E
    is in no journey, and a sentence says so (helpdesk: 2 of 397 ids, as inspect counts)."""
    rows = [*ROWS[:9], ("6", "Mail", "2024-01-04 09:00", "D", "e-mail")]
    rows += [("8", "Call", "2024-01-09 09:00", "D", "phone")]
    rows += [("8", "Call", "2024-01-09 10:00", "E", "phone")]
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "customer", "channel"])
    with jm.EventLog.from_frame(frame) as log:
        mined = jm.mine(log)
    found = mined.journeys
    # A (cases 1-3), B (4, 5), C (6) and D (8); E is named only beside D in case 8
    assert (found.customers, found.customer_ids) == (4, 5)
    assert (found.customers_several_cases, found.cases) == (2, 7)
    assert journey_sentences(found)[2] == (
        "1 of the 5 customer ids is in no journey: it is named only in cases that also "
        "name another customer, and such a case belongs to the customer whose id comes "
        "first by name."
    )
    # Cases 6 and 8 name two customers each: a data-quality warning says so (helpdesk: 7)
    assert mined.profile.several_customer_cases == 2
    assert (
        "2 cases (29%) name more than one customer on their events; each counts for the "
        "customer whose id comes first by name (in journeys and repeat contacts)"
    ) in quality_warnings(mined.profile)
    assert len(journey_sentences({**found.to_dict(), "customer_ids": 4})) == 3


def test_journeys_need_a_customer():
    frame = pd.DataFrame([r[:3] for r in ROWS], columns=["case", "activity", "timestamp"])
    with jm.EventLog.from_frame(frame) as log, pytest.raises(jm.MappingError, match="customer"):
        journey_summary(log)


def test_mine_journeys_customer_without_a_customer_is_one_line(tmp_path):
    path = tmp_path / "log.csv"
    pd.DataFrame([r[:3] for r in ROWS], columns=["case", "activity", "timestamp"]).to_csv(
        path, index=False
    )
    result = CliRunner().invoke(cli, ["mine", str(path), "--journeys", "customer"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --journeys customer maps customer journeys, which need the customer role; "
        "map it with --customer COLUMN\n"
    )


# -- the sample log, against a count made here with pandas ---------------------------------


def sample_truth(days: int = 14) -> dict[str, object]:
    """The sample's journeys counted the slow, obvious way: case by case."""
    events = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    events["at"] = pd.to_datetime(events["timestamp"], utc=True)
    events["row"] = range(len(events))
    cases = events.groupby("case_id").agg(
        customer=("customer_id", "min"), start=("at", "min"), end=("at", "max")
    )
    journey_of: dict[str, str] = {}
    for customer, group in cases.reset_index().groupby("customer"):
        reach, number = None, 0
        for row in group.sort_values(["start", "case_id"]).itertuples():
            if reach is None or (row.start - reach).total_seconds() > days * 86400:
                number += 1
            reach = row.end if reach is None else max(reach, row.end)
            journey_of[row.case_id] = customer if number == 1 else f"{customer} #{number}"
    events["journey"] = events["case_id"].map(journey_of)
    switches, paths = {}, {}
    for journey, group in events.sort_values(["at", "row"]).groupby("journey", sort=False):
        runs = [
            c for i, c in enumerate(group["channel"]) if i == 0 or c != group["channel"].iloc[i - 1]
        ]
        switches[journey], paths[journey] = len(runs) - 1, " > ".join(runs)
    per_customer = cases.groupby("customer").size()
    crossing = [j for j, n in switches.items() if n]
    top = pd.Series([paths[j] for j in crossing]).value_counts()
    return {
        "customers": len(per_customer),
        "customers_several_cases": int((per_customer > 1).sum()),
        "journeys": len(switches),
        "cross_channel": len(crossing),
        "channel_switches": sum(switches.values()),
        "top_path": (top.index[0], int(top.iloc[0])),
        "events": len(events),
    }


def test_the_sample_log_drawn_as_customer_journeys_across_channels(tmp_path):
    truth = sample_truth()
    out = tmp_path / "out"
    args = ["mine", str(SAMPLE), "--config", str(SAMPLE_CONFIG), "--journeys", "customer",
            "--lanes", "channel", "-o", str(out)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    found = summary["customer_journeys"]
    # Hand-checked on this sample: 279 of 939 customers had more than one case.
    assert (found["customers"], found["customers_several_cases"]) == (939, 279)
    assert (found["journeys"], found["cross_channel"], found["channel_switches"]) == (
        truth["journeys"],
        truth["cross_channel"],
        truth["channel_switches"],
    )
    assert (found["paths"][0]["path"], found["paths"][0]["journeys"]) == truth["top_path"]
    assert (found["journeys"], found["cross_channel"], found["channel_switches"]) == (
        1152,
        119,
        136,
    )
    # The map's cases are the journeys; its lanes are the channels.
    assert (summary["cases"], summary["events"]) == (1152, truth["events"])
    assert summary["map"]["lanes"] == "channel"
    assert summary["options"]["journeys"] == "customer"
    dot = (out / "journey.dot").read_text(encoding="utf-8")
    for channel in ("phone", "web", "e-mail", "branch", "letter"):
        assert f"<b>{channel}</b>" in dot
    report = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="journeys"><h2>Customer journeys</h2>' in report
    assert "279 of 939 customers (30%) needed more than one case" in report
    journeys_csv = pd.read_csv(out / "tables" / "journeys.csv", dtype=str)
    assert len(journeys_csv) == 1152
    assert list(journeys_csv.columns) == [
        "journey", "customer", "cases", "start", "end", "e2e_s", "channels",
        "channel_switches", "channel_path",
    ]  # fmt: skip
