"""Detecting roles from export headers."""

from __future__ import annotations

import pytest

from journeymap.errors import MappingError
from journeymap.mapping import detect_mapping


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["SR Number", "Status", "Change Date+Time", "Owner", "Assignment group"],
            {"case": "SR Number", "activity": "Status", "timestamp": "Change Date+Time",
             "resource": "Owner", "team": "Assignment group"},
        ),
        (
            ["Ticket", "Activity", "Complete Timestamp", "Resource", "Team", "Channel"],
            {"case": "Ticket", "activity": "Activity", "timestamp": "Complete Timestamp",
             "resource": "Resource", "team": "Team", "channel": "Channel"},
        ),
        (
            ["case:concept:name", "concept:name", "time:timestamp", "org:resource",
             "org:group", "start_timestamp", "case:channel"],
            {"case": "case:concept:name", "activity": "concept:name",
             "timestamp": "time:timestamp", "start_timestamp": "start_timestamp",
             "resource": "org:resource", "team": "org:group", "channel": "case:channel"},
        ),
        (
            ["CASE_ID", "activity_name", "TIMESTAMP", "customer_id"],
            {"case": "CASE_ID", "activity": "activity_name", "timestamp": "TIMESTAMP",
             "customer": "customer_id"},
        ),
    ],
)  # fmt: skip
def test_detects_common_headers(headers, expected):
    mapping = detect_mapping(headers)
    assert mapping.columns() == expected
    assert mapping.detected == set(expected)


def test_given_roles_win_and_are_not_reused():
    mapping = detect_mapping(
        ["Case ID", "Ticket", "Activity", "Timestamp"], {"case": "Ticket", "team": None}
    )
    assert (mapping.case, mapping.detected) == ("Ticket", {"activity", "timestamp"})


def test_specific_header_beats_generic_one():
    # "Complete Timestamp" is preferred to "Date", whatever the column order.
    mapping = detect_mapping(["Date", "Case", "Activity", "Complete Timestamp"])
    assert mapping.timestamp == "Complete Timestamp"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"case": "Nope"}, "column 'Nope' (given for case) does not exist"),
        ({"case": "A", "activity": "A"}, "column 'A' is given for two roles"),
        ({"kase": "A"}, "unknown role 'kase'"),
    ],
)
def test_mapping_errors(given, message):
    with pytest.raises(MappingError) as info:
        detect_mapping(["A", "B", "C"], given, source="x.csv")
    assert message in str(info.value)


def test_a_column_given_in_the_wrong_case_is_suggested():
    with pytest.raises(MappingError) as raised:
        detect_mapping(["Case ID", "Activity", "Complete Timestamp", "workgroup"],
                       {"team": "Workgroup"}, source="helpdesk.csv")  # fmt: skip
    assert str(raised.value) == (
        "helpdesk.csv: column 'Workgroup' (given for team) does not exist; did you mean "
        "'workgroup'? the columns are: 'Case ID', 'Activity', 'Complete Timestamp', "
        "'workgroup'"
    )


def test_an_empty_name_leaves_an_optional_role_unmapped():
    """A detected team or customer can be turned off (helpdesk's 'workgroup' is one per
    case; a customer column of accounts): an empty name maps no column to the role."""
    headers = ["case", "activity", "timestamp", "org:resource", "workgroup", "customer"]
    detected = detect_mapping(headers)
    assert (detected.team, detected.customer) == ("workgroup", "customer")
    off = detect_mapping(headers, {"team": "", "customer": " "})
    assert (off.team, off.customer, off.resource) == (None, None, "org:resource")
    assert "team" not in off.detected
    with pytest.raises(MappingError, match="the case is required and cannot be left unmapped"):
        detect_mapping(headers, {"case": ""})


def test_the_command_line_and_the_config_turn_a_detected_role_off(tmp_path):
    import json

    from click.testing import CliRunner

    from journeymap.cli import cli

    log = tmp_path / "log.csv"
    log.write_text(
        "case,activity,timestamp,team\n1,Call,2024-01-01 09:00,Front\n1,Fix,2024-01-01 10:00,Back\n"
    )
    config = tmp_path / "c.toml"
    config.write_text('[mapping]\nteam = ""\n')
    for args in (["--team", ""], ["--config", str(config)], []):
        result = CliRunner().invoke(cli, ["inspect", str(log), "--json", *args])
        assert result.exit_code == 0, result.output
        mapping = json.loads(result.stdout)["mapping"]
        assert mapping.get("team") == (None if args else "team")
