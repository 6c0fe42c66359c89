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
