"""Value and failure demand: rules, repeat contacts, journeys, config errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap.analysis.demand import (
    AttributeRule,
    DemandRules,
    demand,
    demand_summary,
)
from journeymap.analysis.demand_tables import (
    customer_journeys,
    demand_by_week,
    failure_matches,
    failure_pareto,
)
from journeymap.errors import ConfigError, MappingError, as_flags
from journeymap.eventlog import EventLog
from journeymap.options_file import load_options

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


def make_log(rows: list[tuple[str, ...]], columns: tuple[str, ...] = ()) -> EventLog:
    names = ["case", "activity", "timestamp", *columns]
    return EventLog.from_frame(pd.DataFrame(rows, columns=names))


def types(log: EventLog, rules: DemandRules | None = None) -> dict[str, str]:
    frame = demand(log, rules)
    return dict(zip(frame["case"], frame["demand_type"], strict=True))


def test_activity_patterns_are_whole_words_ignoring_case():
    log = make_log(
        [
            ("1", "PROGRESS Chase call", "2024-01-01 09:00"),
            ("2", "Customer escalation", "2024-01-01 09:00"),  # escalations may be ordinary
            ("3", "Re-Open request", "2024-01-01 09:00"),
            ("4", "Fix the bin", "2024-01-01 09:00"),
            ("5", "Where is my parcel", "2024-01-01 09:00"),
            ("6", "Accepted-In Progress", "2024-01-01 09:00"),  # an ordinary status
            ("7", "Purchase order", "2024-01-01 09:00"),  # "chase" inside a word
            ("8", "Complaints handled", "2024-01-01 09:00"),
        ]
    )
    assert types(log) == {
        "1": "failure_activity",
        "2": "value",
        "3": "failure_activity",
        "4": "value",
        "5": "failure_activity",
        "6": "value",
        "7": "value",
        "8": "failure_activity",
    }


def test_a_rule_that_fires_on_most_cases_is_questioned():
    log = make_log([(str(i), "Chaser sent", "2024-01-01 09:00") for i in range(3)]
                   + [("9", "Fix", "2024-01-01 09:00")])  # fmt: skip
    summary = demand_summary(log, DemandRules(repeat_contact_days=0))
    assert summary["rule_cases"] == {"failure_activity": 3}
    assert summary["notes"] == [
        "rule 'failure_activity' matches 3 of 4 cases (75.0%): a rule that fires on most "
        "demand is more likely a naming accident than a finding; check which activities it "
        "matched and change the [demand] rules"
    ]
    assert failure_matches(log).values.tolist() == [["chaser", "Chaser sent", 3]]


def customer_log() -> EventLog:
    # C1: case A ends Jan 1 10:00; B starts 13 days later, D exactly 14 days later,
    # E 15 days after D ends. C2: F and G overlap (G starts before F ends).
    rows = [
        ("A", "Call", "2024-01-01 09:00", "C1"),
        ("A", "Close", "2024-01-01 10:00", "C1"),
        ("B", "Call", "2024-01-14 10:00", "C1"),
        ("B", "Close", "2024-01-14 12:00", "C1"),
        ("D", "Call", "2024-01-28 12:00", "C1"),
        ("D", "Close", "2024-01-28 13:00", "C1"),
        ("E", "Call", "2024-02-12 13:00", "C1"),
        ("F", "Call", "2024-03-01 09:00", "C2"),
        ("G", "Call", "2024-03-02 09:00", "C2"),
        ("F", "Close", "2024-03-05 09:00", "C2"),
        ("G", "Close", "2024-03-06 09:00", "C2"),
        ("H", "Chaser", "2024-03-10 09:00", "C2"),
    ]
    return make_log(rows, ("customer",))


def test_repeat_contact_13_14_15_days_and_overlap():
    # 13 days: repeat; exactly 14 days: repeat (inclusive); 15 days: value.
    # Overlapping F and G: neither ended before the other started: value.
    # H starts 4 days after G ends, but its chaser wins: the first rule that matches.
    assert types(customer_log()) == {
        "A": "value",
        "B": "repeat_contact",
        "D": "repeat_contact",
        "E": "value",
        "F": "value",
        "G": "value",
        "H": "failure_activity",
    }


def test_repeat_contact_window_and_off():
    log = customer_log()
    assert types(log, DemandRules(repeat_contact_days=13))["D"] == "value"
    assert set(types(log, DemandRules(repeat_contact_days=0)).values()) == {
        "value",
        "failure_activity",
    }


def test_summary_pareto_week():
    log = customer_log()
    assert demand_summary(log) == {
        "cases": 7,
        "failure_cases": 3,
        "failure_demand_pct": 300 / 7,
        "by_type": {"failure_activity": 1, "repeat_contact": 2, "value": 4},
        # The chaser's case is a repeat contact too: the first rule names it.
        "rule_cases": {"failure_activity": 1, "repeat_contact": 3},
        "notes": [],
    }
    pareto = failure_pareto(log)
    assert pareto.to_dict("list") == {
        "demand_type": ["repeat_contact", "failure_activity"],
        "cases": [2, 1],
        "pct": [200 / 3, 100 / 3],
        "cum_pct": [200 / 3, 100.0],
    }
    weeks = demand_by_week(log)
    # Every week from the first to the last, the quiet ones with 0 and no share.
    assert [str(w) for w in weeks["week"]] == [
        "2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22", "2024-01-29",
        "2024-02-05", "2024-02-12", "2024-02-19", "2024-02-26", "2024-03-04",
    ]  # fmt: skip
    assert weeks["value"].tolist() == [1, 0, 0, 0, 0, 0, 1, 0, 2, 0]
    assert weeks["failure"].tolist() == [0, 1, 0, 1, 0, 0, 0, 0, 0, 1]
    assert weeks["failure_pct"].isna().tolist() == [False, False, True, False, True, True,
                                                     False, True, False, False]  # fmt: skip


def test_customer_journeys():
    frame = customer_journeys(customer_log())
    assert frame["customer"].tolist() == ["C1", "C1", "C2"]
    assert frame["cases"].tolist() == [3, 1, 3]
    assert frame["journey_id"].tolist() == [1, 2, 3]
    # A..D: Jan 1 09:00 to Jan 28 13:00.
    assert frame["e2e_s"].tolist() == [27 * 86400 + 4 * 3600, 0.0, 9 * 86400]


def test_journeys_need_a_customer():
    log = make_log([("1", "Call", "2024-01-01")])
    with pytest.raises(MappingError, match="customer='COLUMN'"):
        customer_journeys(log)


def test_attribute_rule_and_rule_order():
    log = make_log(
        [
            ("1", "Call", "2024-01-01 09:00", "complaint"),
            ("2", "Complaint", "2024-01-01 09:00", "complaint"),
            ("3", "Call", "2024-01-01 09:00", "phone"),
            ("4", "Call", "2024-01-01 09:00", "Complaint line"),
        ],
        ("channel",),
    )
    exact = DemandRules(
        attribute_rules=(AttributeRule("complaint_channel", "channel", "complaint"),)
    )
    assert types(log, exact) == {
        "1": "complaint_channel",
        "2": "failure_activity",
        "3": "value",
        "4": "value",
    }
    regex = DemandRules(attribute_rules=(AttributeRule("cc", "channel", matches="^compl"),))
    assert types(log, regex)["4"] == "cc"
    assert demand_summary(log, regex)["by_type"] == {"failure_activity": 1, "cc": 2, "value": 1}


def test_failure_activities_alone_and_with_attribute_rules_flag_the_same_cases():
    # A rule that never matches changes nothing about the failure activities' cases.
    log = make_log(
        [
            ("1", "Call", "2024-01-01 09:00", "C1", "phone"),
            ("1", "Progress chase", "2024-01-02 09:00", "C1", "phone"),
            ("1", "Chaser call", "2024-01-03 09:00", "C1", "phone"),
            ("2", "Call", "2024-01-20 09:00", "C1", "phone"),
            ("3", "Form", "2024-01-01 09:00", None, "web"),
            ("3", "Complaint", "2024-01-05 09:00", None, "web"),
            ("4", "Form", "2024-01-04 09:00", "C1", "web"),
        ],
        ("customer", "channel"),
    )
    alone = demand(log)
    never = DemandRules(attribute_rules=(AttributeRule("fax", "channel", "fax"),))
    with_rule = demand(log, never)
    columns = ["case", "demand_type", "failure", "matches_failure_activity"]
    assert alone[columns].equals(with_rule[columns])
    assert alone["matches_failure_activity"].tolist() == [True, False, True, False]
    assert alone["demand_type"].tolist() == [
        "failure_activity", "value", "failure_activity", "repeat_contact",
    ]  # fmt: skip


def test_rules_from_config(write_file):
    path = write_file(
        "c.toml",
        '[demand]\nfailure_activities = ["^chase"]\nextra_failure_activities = ["missed"]\n'
        "repeat_contact_days = 3\n"
        '[[demand.rule]]\nname = "web"\ncolumn = "channel"\nequals = "web"\n',
    )
    rules = load_options(path).demand
    assert rules.failure_activities == ("^chase", "missed")
    assert rules.repeat_days == 3
    assert rules.attribute_rules == (AttributeRule("web", "channel", "web"),)
    log = make_log(
        [
            ("1", "Progress chase", "2024-01-01", "phone", "C1"),
            ("2", "Chase", "2024-01-01", "phone", "C2"),
            ("3", "Missed bin", "2024-01-01", "phone", "C3"),
            ("4", "Call", "2024-01-01", "web", "C4"),
        ],
        ("channel", "customer"),
    )
    assert types(log, rules) == {
        "1": "value",
        "2": "failure_activity",
        "3": "failure_activity",
        "4": "web",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[demand]\nextra_failure_activities = ["chase("]\n',
            "c.toml: demand.extra_failure_activities: 'chase(' is not a valid regular expression",
        ),
        (
            '[[demand.rule]]\nname = "x"\ncolumn = "channel"\nmatches = "[a"\n',
            "c.toml: demand.rule[1].matches: '[a' is not a valid regular expression",
        ),
        ('[demand]\nfailure_activity = ["x"]\n', "c.toml: unknown key demand.failure_activity"),
        ('[demand]\nfailure_activities = "chase"\n', "must be a list of strings, not 'chase'"),
        ("[demand]\nrepeat_contact_days = -1\n", "must be 0 (off) or more, not -1"),
        (
            '[[demand.rule]]\nname = "x"\ncolum = "c"\n',
            "c.toml: demand.rule[1]: unknown key 'colum'",
        ),
        (
            '[[demand.rule]]\nname = "x"\ncolumn = "c"\n',
            "c.toml: demand.rule[1]: give exactly one of 'equals' or 'matches'",
        ),
        ('[[demand.rule]]\nname = "value"\ncolumn = "c"\nequals = "x"\n', "already a rule"),
    ],
)
def test_config_errors_name_key_and_file(write_file, text, message):
    with pytest.raises(ConfigError) as info:
        load_options(write_file("c.toml", text))
    assert message in str(info.value)


def test_rule_on_missing_column(write_file):
    path = write_file("c.toml", '[[demand.rule]]\nname = "x"\ncolumn = "chanel"\nequals = "a"\n')
    rules = load_options(path).demand
    with pytest.raises(
        ConfigError, match=r"c.toml: demand.rule\[1\].column: the log has no column 'chanel'"
    ):
        demand(make_log([("1", "Call", "2024-01-01")]), rules)


def test_a_rule_names_columns_by_the_exports_headers(write_file):
    """Roles are named by the headers they were read from, in the rule and in the error:
    a rule on 'Channel Name' (the channel role) works; a misspelt one lists the headers."""
    frame = pd.DataFrame({
        "Ticket": ["1", "1", "2"], "Status": ["Call", "Close", "Call"],
        "When": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-02 09:00"],
        "Channel Name": ["web", "web", "phone"], "priority": ["1", "1", "2"]})  # fmt: skip
    log = EventLog.from_frame(
        frame, case="Ticket", activity="Status", timestamp="When", channel="Channel Name"
    )
    rule = '[[demand.rule]]\nname = "web"\ncolumn = "Channel Name"\nequals = "web"\n'
    found = demand(log, load_options(write_file("c.toml", rule)).demand)
    assert found["demand_type"].tolist() == ["web", "value"]
    wrong = rule.replace('"Channel Name"', '"Chanel Name"')
    with pytest.raises(ConfigError) as info:
        demand(log, load_options(write_file("d.toml", wrong)).demand)
    assert str(info.value).endswith(
        "the log has no column 'Chanel Name'; its columns are: Ticket (case), Status "
        "(activity), When (timestamp), Channel Name (channel), priority"
    )


def test_regex_the_engine_cannot_run():
    # All patterns are tried in one query; the error names the one the engine refused.
    rules = DemandRules(failure_activities=("chase", "(?=chase)", "again"))
    with pytest.raises(
        ConfigError, match=r"'\(\?=chase\)' is not a regular expression the engine can run"
    ):
        demand(make_log([("1", "Call", "2024-01-01")]), rules)


def test_repeat_contact_asked_for_without_customer(write_file):
    rules = load_options(write_file("c.toml", "[demand]\nrepeat_contact_days = 14\n")).demand
    log = make_log([("1", "Call", "2024-01-01")])
    with pytest.raises(MappingError, match=r"c.toml: demand.repeat_contact_days .*customer="):
        demand(log, rules)
    # The default rules skip it with a note; 0 switches it off silently.
    assert demand_summary(log)["notes"]
    # Neither finds failure demand in a log of one call: that is said, as what the rules
    # saw (the failure words, and no repeat contact rule at all with 0).
    assert demand_summary(log, DemandRules(repeat_contact_days=0))["notes"] == [
        "no failure demand found by the rules: no activity's name has a failure word "
        "(chase, chaser, chasing, progress chase, ...). That is what the rules saw, not a "
        "finding that there is none: name this service's failure activities in the config "
        "([demand] extra_failure_activities), and check by listening to demand"
    ]


def read_sample() -> EventLog:
    return jm.read_log(
        str(SAMPLES / "service_desk.csv"),
        case="case_id",
        activity="activity",
        timestamp="timestamp",
        resource="resource",
        team="team",
        channel="channel",
        customer="customer_id",
    )


def test_sample_log_agrees_with_planted_truth_case_by_case():
    log = read_sample()
    truth = pd.read_csv(SAMPLES / "service_desk_truth.csv", dtype=str)
    found = demand(log).merge(truth, left_on="case", right_on="case_id", validate="1:1")
    assert len(found) == 1350
    assert (found["demand_type_x"] == found["demand_type_y"]).all()
    summary = demand_summary(log)
    assert summary["failure_demand_pct"] == pytest.approx(27.26, abs=0.01)
    assert summary["by_type"] == {"failure_activity": 198, "repeat_contact": 170, "value": 982}


def test_a_customer_column_of_accounts_makes_repeat_contact_doubtful():
    """Ten cases a day apart for one customer (an account), and two for another: nine
    are repeat contacts; 12 cases over 2 customers is 6 per customer, so it is noted.
    A column only detected by its name ('customer', as helpdesk's, 11.6 cases per
    customer) is not trusted with the headline: the rule is skipped unless asked for."""
    rows = [(f"a{i}", "A", f"2024-01-{i + 1:02d} 09:00") for i in range(10)]
    rows += [("b1", "B", "2024-01-01 09:00"), ("b2", "B", "2024-03-01 09:00")]
    frame = pd.DataFrame(rows, columns=["case", "customer", "timestamp"]).assign(activity="Call")
    detected = demand_summary(EventLog.from_frame(frame))
    assert detected["by_type"] == {"failure_activity": 0, "value": 12}
    assert as_flags(detected["notes"][0]) == (
        "repeat_contact rule skipped: the customer column 'customer' was detected by its "
        "name, not mapped, and gives 6.0 cases per customer (12 cases, 2 customers), more "
        "like accounts than people, so neither repeat contacts nor customer journeys are "
        "drawn from it; map it (--customer customer) or set [demand] repeat_contact_days "
        "to count them"
    )
    assert "and repeat contacts were not counted (see the note on them)." in (detected["notes"][1])
    assert jm.mine(EventLog.from_frame(frame)).journeys is None  # nor journeys of accounts
    assert jm.mine(EventLog.from_frame(frame), journeys="customer").journeys is not None
    assert jm.mine(EventLog.from_frame(frame, customer="customer")).journeys is not None
    asked = demand_summary(EventLog.from_frame(frame), DemandRules(repeat_contact_days=14))
    assert asked["by_type"] == {"failure_activity": 0, "repeat_contact": 9, "value": 3}
    assert "column 'customer' (detected by its name, not mapped) gives 6.0" in asked["notes"][1]
    log = EventLog.from_frame(frame, customer="customer")
    summary = demand_summary(log)
    assert summary["by_type"] == {"failure_activity": 0, "repeat_contact": 9, "value": 3}
    assert summary["notes"][0].startswith("rule 'repeat_contact' matches 9 of 12 cases (75.0%)")
    assert summary["notes"][1:] == [
        "repeat contact: 9 of 12 cases are counted as repeat contacts, but the customer "
        "column 'customer' gives 6.0 cases per "
        "customer (12 cases, 2 customers): if it names accounts or organisations rather than "
        "people, a new case within the window is a new request, not failure demand, and the "
        "one-stop and clean shares, which leave failure demand out, are too low; then set "
        "[demand] repeat_contact_days = 0"
    ]
    named = pd.DataFrame(rows, columns=["case", "account", "timestamp"]).assign(activity="Call")
    mapped = EventLog.from_frame(named, customer="account")
    assert demand_summary(mapped)["notes"][1].startswith(
        "repeat contact: 9 of 12 cases are counted as repeat contacts, but the customer "
        "column 'account' gives 6.0 cases per customer"
    )
    people = EventLog.from_frame(  # 3 cases for 3 customers: no note
        pd.DataFrame(rows[:1] + rows[10:], columns=["case", "customer", "timestamp"]).assign(
            activity="Call"
        )
    )
    notes = demand_summary(people)["notes"]  # no account note; no failure demand found
    assert [n.split(":")[0] for n in notes] == ["no failure demand found by the rules"]
    assert "no activity's name has a failure word" in notes[0]
    assert "and no customer came back within 14 days." in notes[0]


def test_a_failure_pattern_the_user_gave_that_matches_nothing_is_doubted():
    """'chasr' (a typo of 'chaser') marks no case; 'chase' (a default) matches nothing
    either here but says nothing: the defaults are words a service may not use."""
    frame = pd.DataFrame(
        {
            "case": ["1", "2"],
            "activity": ["Chaser call", "Call"],
            "timestamp": ["2024-01-01", "2024-01-02"],
        }
    )
    log = EventLog.from_frame(frame)
    rules = DemandRules(failure_activities=(*DemandRules().failure_activities, "chasr"))
    notes = demand_summary(log, rules)["notes"]
    assert [n for n in notes if "given in the config" in n] == [
        "rule 'failure_activity': the pattern 'chasr', given in the config, matches no "
        "activity of this log (as a whole word, ignoring case), so it marks no case as "
        "failure demand; check it in [demand] failure_activities or extra_failure_activities"
    ]
    assert not [n for n in demand_summary(log)["notes"] if "given in the config" in n]
