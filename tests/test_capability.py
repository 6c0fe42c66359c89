"""XmR capability charts (journeymap.analysis.capability), checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from journeymap import EventLog
from journeymap.analysis.capability import capability_e2e, weekly_share, weekly_volume, xmr
from journeymap.analysis.period import complete_period
from journeymap.render.capability_words import capability_statement

DAY = 86400.0


def _flagged(chart, rule: str) -> list[int]:
    return [i for i, flag in enumerate(chart.points[rule]) if flag]


def test_limits_equal_a_hand_computation():
    # mR = 2, 1, 3, 5; mRbar = 11 / 4 = 2.75; centre = 31 / 5 = 6.2
    # UNPL = 6.2 + 2.66 * 2.75 = 13.515; LNPL = max(0, -1.115) = 0; URL = 3.268 * 2.75 = 8.987
    chart = xmr([5, 7, 6, 9, 4])
    assert chart.mrbar == pytest.approx(2.75)
    assert chart.centre == pytest.approx(6.2)
    assert chart.unpl == pytest.approx(13.515)
    assert chart.lnpl == 0.0
    assert chart.url == pytest.approx(8.987)
    p = chart.points
    assert list(p.columns) == [
        "x", "mr", "centre", "unpl", "lnpl", "url", "rule1", "rule2", "rule3",
    ]  # fmt: skip
    assert pd.isna(p["mr"].iloc[0])
    assert p["mr"].tolist()[1:] == [2.0, 1.0, 3.0, 5.0]
    assert chart.signals == 0 and chart.predictable


def test_negative_lnpl_is_kept_when_the_measure_can_be_negative():
    chart = xmr([5, 7, 6, 9, 4], lower_bound_zero=False)
    assert chart.lnpl == pytest.approx(-1.115)


def test_an_outlier_raises_rule_1_at_that_point_only():
    # centre 14.1, mRbar 89 / 9, UNPL 40.40: only the 50 is outside.
    chart = xmr([10, 11, 9, 10, 11, 9, 10, 50, 10, 11])
    assert chart.unpl == pytest.approx(14.1 + 2.66 * 89 / 9)
    assert _flagged(chart, "rule1") == [7]
    assert _flagged(chart, "rule2") == [] and _flagged(chart, "rule3") == []
    assert chart.signals == 1 and not chart.predictable


def test_eight_above_the_centre_raise_rule_2_on_exactly_those_eight():
    # centre 10.1: six below, eight above, six below; limits 8.14 .. 12.06.
    x = [10, 9, 10, 9, 10, 9] + [11] * 8 + [9, 10, 9, 10, 9, 10]
    chart = xmr(x)
    assert chart.centre == pytest.approx(10.1)
    assert _flagged(chart, "rule2") == list(range(6, 14))
    assert _flagged(chart, "rule1") == [] and _flagged(chart, "rule3") == []
    assert chart.signals == 8


def test_seven_in_a_row_is_no_run():
    chart = xmr([10, 9, 10, 9, 10, 9] + [11] * 7 + [9, 10, 9, 10, 9, 10, 9])
    assert _flagged(chart, "rule2") == []


def test_a_point_on_the_centre_line_breaks_a_run():
    # centre exactly 10: 4 above, one on the centre, 4 above, 8 below, one on the centre.
    chart = xmr([11] * 4 + [10] + [11] * 4 + [9] * 8 + [10])
    assert chart.centre == 10.0
    assert _flagged(chart, "rule2") == list(range(9, 17))


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        # centre 10.75, mRbar 2.4: upper halfway line 10.75 + 1.33 * 2.4 = 13.942.
        ([9, 11, 9, 11, 9, 11, 14, 14, 10, 14, 9, 11, 9, 11, 9, 11], [6, 7, 9]),
        # centre 9.25: lower halfway line 9.25 - 3.192 = 6.058.
        ([9, 11, 9, 11, 9, 11, 6, 6, 10, 6, 9, 11, 9, 11, 9, 11], [6, 7, 9]),
    ],
)
def test_three_of_four_beyond_halfway_raise_rule_3_on_those_points(x, expected):
    chart = xmr(x)
    assert _flagged(chart, "rule3") == expected
    assert _flagged(chart, "rule1") == [] and _flagged(chart, "rule2") == []


def test_rule_3_lower_halfway_line_is_halfway_to_the_limit_the_data_give():
    # Zero stands in for a negative LNPL; the lower halfway line stays centre - 1.33 mRbar.
    # centre 8.4167, mRbar 46 / 11 = 4.1818: LNPL 8.4167 - 11.1236 < 0, so 0; the halfway
    # line 8.4167 - 5.5618 = 2.8548: three waits of 3 are not beyond it (halfway to 0,
    # 4.21, they were).
    chart = xmr([8, 12, 8, 12, 8, 12, 3, 3, 3, 12, 8, 12])
    assert chart.lnpl == 0.0
    assert _flagged(chart, "rule3") == []
    # centre 8.1667, mRbar 48 / 11 = 4.3636: the halfway line 2.363; three waits of 2 are.
    chart = xmr([8, 12, 8, 12, 8, 12, 2, 2, 2, 12, 8, 12])
    assert chart.lnpl == 0.0
    assert _flagged(chart, "rule3") == [6, 7, 8]
    # Short waits between long ones: the halfway line is 6.8 - 1.33 * 116 / 9 < 0.
    chart = xmr([1, 1, 1, 30, 1, 1, 1, 1, 30, 1])
    assert _flagged(chart, "rule3") == []


@pytest.mark.parametrize("values", [[], [3.0]])
def test_fewer_than_two_values_is_an_error(values):
    with pytest.raises(ValueError, match="at least two values"):
        xmr(values)


def test_nan_is_an_error():
    with pytest.raises(ValueError, match="finite"):
        xmr([1.0, float("nan"), 2.0])


def test_labels_must_match_the_values():
    with pytest.raises(ValueError, match="labels has 1 items for 2 values"):
        xmr([1, 2], labels=["a"])


def _log() -> EventLog:
    # B: 1 h, A: 2 h (both end on 1 Jan); D and C end together on 2 Jan (3 h each).
    return EventLog.from_frame(
        pd.DataFrame(
            {
                "case": ["A", "A", "B", "B", "D", "D", "C", "C"],
                "activity": ["x", "y"] * 4,
                "timestamp": [
                    "2024-01-01 08:00", "2024-01-01 10:00", "2024-01-01 08:00",
                    "2024-01-01 09:00", "2024-01-02 08:00", "2024-01-02 11:00",
                    "2024-01-02 08:00", "2024-01-02 11:00",
                ],
            }
        )
    )  # fmt: skip


def test_capability_e2e_plots_one_point_per_case_in_order_of_end():
    chart = capability_e2e(_log())
    assert chart.basis == "case" and chart.kind == "duration"
    assert chart.points["label"].tolist() == ["B", "A", "C", "D"]  # equal ends: case order
    assert chart.points["x"].tolist() == [3600.0, 7200.0, 10800.0, 10800.0]
    assert chart.points["time"].iloc[0] == pd.Timestamp("2024-01-01 09:00", tz="UTC")
    # mR = 3600, 3600, 0; mRbar = 2400; centre = 8100
    assert chart.mrbar == pytest.approx(2400.0)
    assert chart.centre == pytest.approx(8100.0)


def test_capability_e2e_switches_to_the_daily_mean_over_max_points():
    chart = capability_e2e(_log(), max_points=3)
    assert chart.basis == "daily mean"
    assert [str(d) for d in chart.points["label"]] == ["2024-01-01", "2024-01-02"]
    assert chart.points["x"].tolist() == [5400.0, 10800.0]
    assert capability_e2e(_log(), max_points=4).basis == "case"


def test_weekly_volume_counts_an_empty_week_as_zero():
    log = EventLog.from_frame(
        pd.DataFrame(
            {
                "case": ["A", "B", "C", "D", "E"],
                "activity": ["x"] * 5,
                # Sunday 7 Jan is in the ISO week starting Monday 1 Jan.
                "timestamp": ["2024-01-01", "2024-01-07 23:00", "2024-01-03", "2024-01-16",
                              "2024-01-22"],
            }
        )
    )  # fmt: skip
    chart = weekly_volume(log)
    assert [str(d) for d in chart.points["label"]] == [
        "2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22",
    ]  # fmt: skip
    assert chart.points["x"].tolist() == [3.0, 0.0, 1.0, 1.0]
    assert chart.basis == "week" and chart.kind == "count"


def test_weekly_volume_over_a_period_that_starts_mid_week_counts_its_whole_weeks():
    """A period that starts on a Wednesday (a log too short for the complete period to
    be detected: "whole log") charts the weeks from the Monday after, each with its
    cases, as the weekly failure-demand chart and demand_by_week.csv count them."""
    log = EventLog.from_frame(
        pd.DataFrame(
            {
                "case": ["A", "B", "C", "D", "E", "F"],
                "activity": ["x"] * 6,
                "timestamp": ["2024-01-03", "2024-01-04", "2024-01-09", "2024-01-10",
                              "2024-01-16", "2024-01-31"],
            }
        )
    )  # fmt: skip
    period = (pd.Timestamp("2024-01-03", tz="UTC"), pd.Timestamp("2024-01-31 00:00:01", tz="UTC"))
    chart = weekly_volume(log, weeks=period)
    assert [str(d) for d in chart.points["label"]] == ["2024-01-08", "2024-01-15", "2024-01-22"]
    assert chart.points["x"].tolist() == [2.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="at least two values"):
        weekly_volume(log, weeks=(period[0], pd.Timestamp("2024-01-16", tz="UTC")))
    later = (pd.Timestamp("2024-02-01", tz="UTC"), pd.Timestamp("2024-02-19", tz="UTC"))
    none = r"^no new case in any of the 2 whole weeks of the period \(the log's 6 cases started"
    with pytest.raises(ValueError, match=none + r" outside them\)$"):
        weekly_volume(log, weeks=later)  # 5 and 12 February: a line at 0 says nothing


def test_weekly_share_skips_weeks_without_cases():
    # Week of 1 Jan: 1 of 3 flagged; week of 8 Jan: no case; week of 15 Jan: 2 of 2.
    weeks = ["2024-01-01", "2024-01-08", "2024-01-15"]
    chart = weekly_share(weeks, [1, 0, 2], [3, 0, 2], measure="failure demand")
    assert [str(d) for d in chart.points["label"]] == ["2024-01-01", "2024-01-15"]
    assert chart.points["x"].tolist() == pytest.approx([1 / 3, 1.0])
    assert chart.kind == "share" and chart.measure == "failure demand"


def test_weekly_share_needs_two_weeks_with_cases():
    with pytest.raises(ValueError, match="at least two values"):
        weekly_share(["2024-01-01", "2024-01-08"], [1, 0], [2, 0])


def test_statement_for_a_predictable_duration():
    chart = xmr([d * DAY for d in (5, 7, 6, 9, 4)], kind="duration", basis="case")
    assert capability_statement(chart) == (
        "Customers wait between 0 and 14 days for this service; the system is predictable."
        + few("5 cases")
    )
    # 13.515 days = 324.36 hours
    assert capability_statement(chart, unit="hours").startswith(
        "Customers wait between 0 and 324 hours"
    )


def test_statement_when_no_case_took_any_time():
    # A list of records (one event per case): no wait to chart, not "between 0 and 0 days".
    chart = xmr([0.0] * 6, kind="duration", basis="case")
    assert capability_statement(chart) == (
        "Every charted case ends at the instant it starts (a single event, or all its "
        "events at one time): the log records no wait to chart."
    )
    daily = xmr([0.0] * 6, kind="duration", basis="daily mean")
    assert capability_statement(daily).startswith(
        "On every charted day the cases end at the instant they start (a single event, or "
        "all their events at one time)"
    )
    some = xmr([0.0, 60.0, 0.0], kind="duration", basis="case")  # UNPL 20 + 2.66 x 60
    assert capability_statement(some, unit="seconds") == (
        "Customers wait between 0 and 180 seconds for this service; the system is predictable."
        + few("3 cases")
    )


def test_statement_counts_signals():
    chart = xmr([10, 11, 9, 10, 11, 9, 10, 50, 10, 11], kind="duration", basis="case")
    # Not predictable: that comes first, and the limits are no promise of a wait.
    assert capability_statement(chart, unit="seconds") == (
        "Customers' waits for this service are not predictable: 1 signal, of a longer "
        "wait. The limits these data give, 0 to 40 seconds, predict nothing until the "
        "causes of the signals are found." + few("10 cases")
    )
    chart = xmr([10, 9, 10, 9, 10, 9] + [11] * 8 + [9, 10, 9, 10, 9, 10], kind="duration")
    assert "not predictable: 8 signals, all of longer waits; none beyond the limits. The " in (
        capability_statement(chart, unit="seconds")
    )
    # Two long flat runs either side of the centre: every point is a signal.
    chart = xmr([9.0] * 600 + [11.0] * 600, kind="duration")
    assert chart.signals == 1200
    assert chart.signal_sides() == (600, 600)
    assert ": 1,200 signals, 600 of longer waits and 600 of shorter ones; all beyond the " in (
        capability_statement(chart, unit="seconds")
    )
    # Counts and shares are high or low.
    weeks = xmr([100, 104, 98, 102, 100, 99, 101, 260], kind="count", basis="week",
                measure="new cases")  # fmt: skip
    assert capability_statement(weeks) == (
        "The new cases a week are not predictable: 1 signal, high. The limits these data "
        "give, 53 to 188, predict nothing until the causes of the signals are found."
        + few("8 weeks")
    )
    weeks = xmr([50] * 4 + [40] * 8 + [90], kind="count", basis="week", measure="new cases")
    assert weeks.signal_sides() == (1, 8)
    assert ": 9 signals, 1 high and 8 low; 1 of them beyond the limits. " in (
        capability_statement(weeks)
    )


def test_statement_on_skewed_waits_points_at_the_cases_beyond_the_limit():
    """Nine cases of a day, one of 30 days, twice: the mean (3.9 days) is far above the
    median (1 day), so every short case sits in a run below the centre line. The
    statement says so, and sends the reader to the two cases beyond the upper limit
    (centre 3.9 + 2.66 x mRbar 87/19 = 16.08 days)."""
    days = ([1.0] * 9 + [30.0]) * 2
    chart = xmr([d * DAY for d in days], kind="duration", basis="case")
    assert chart.signal_sides() == (2, 18)
    assert capability_statement(chart) == (
        "Customers' waits for this service are not predictable: 20 signals, 2 of longer "
        "waits and 18 of shorter ones; 2 of them beyond the limits. The limits these data "
        "give, 0 to 16 days, predict nothing until the causes of the signals are found. "
        "Most cases end well short of the centre line, the mean wait of 3.9 days (the charted "
        "cases' median is 1.0 day): in waits this uneven, runs of shorter waits below the "
        "mean come often and say little of a change; look first at the 2 cases beyond the "
        "upper limit."
    )
    # Not on the weeks' volumes, nor when the waits are even (mean within 1.5 x median).
    even = xmr([d * DAY for d in ([4.0] * 9 + [6.0]) * 2], kind="duration", basis="case")
    assert "Most cases end" not in capability_statement(even)


def test_statement_for_small_durations_keeps_one_decimal():
    chart = xmr([1 * DAY, 2 * DAY, 1.5 * DAY], kind="duration", basis="case")
    # centre 1.5, mRbar 0.75: 0 .. 3.495 days
    assert capability_statement(chart) == (
        "Customers wait between 0 and 3.5 days for this service; the system is predictable."
        + few("3 cases")
    )


def test_statement_for_daily_means_volume_and_share():
    daily = xmr([DAY, 2 * DAY, 1.5 * DAY], kind="duration", basis="daily mean")
    assert capability_statement(daily).startswith(
        "On a typical day, customers' mean wait is between 0 and 3.5 days;"
    )
    # Not "customers' mean wait per day", which reads as a wait per day.
    days = [DAY] * 12 + [9 * DAY] + [DAY] * 12
    assert capability_statement(xmr(days, kind="duration", basis="daily mean")).startswith(
        "The mean wait of the cases ending each day is not predictable: "
    )
    volume = xmr([1200, 1500, 1300, 1400], kind="count", basis="week", measure="new cases")
    # centre 1,350, mRbar 200: 818 .. 1,882
    assert capability_statement(volume) == (
        "Between 818 and 1,882 new cases a week; the system is predictable." + few("4 weeks")
    )
    share = xmr([0.2, 0.3, 0.25], kind="share", basis="week", measure="failure demand")
    # centre 0.25, mRbar 0.075: 5.05% .. 44.95%
    assert capability_statement(share) == (
        "Between 5.1% and 45% of cases a week are failure demand; the system is predictable."
        + few("3 weeks")
    )


def few(points: str) -> str:
    """What a statement adds when its limits rest on fewer than 20 points."""
    return (
        f" These limits rest on {points} only: take them as provisional until 20 or more "
        "are charted."
    )


def test_limits_from_fewer_than_20_points_are_said_to_be_provisional():
    """Six Salesforce cases had read 'the system is predictable' with nothing more."""
    steady = [5, 7, 6, 9, 4] * 4
    assert "provisional" not in capability_statement(
        xmr([d * DAY for d in steady], kind="duration", basis="case")
    )
    nineteen = xmr([d * DAY for d in steady[:19]], kind="duration", basis="case")
    assert capability_statement(nineteen).endswith(few("19 cases"))
    days = xmr([DAY, 2 * DAY, DAY], kind="duration", basis="daily mean")
    assert capability_statement(days).endswith(few("3 days"))
    # Two points give one moving range: no limits to read, and not "predictable".
    one = xmr([DAY, 3 * DAY], kind="duration", basis="case")
    assert capability_statement(one) == (
        "With 2 cases only, the chart cannot tell whether the system is predictable: chart "
        "20 or more before reading its limits."
    )


def test_statement_rejects_an_unknown_unit():
    with pytest.raises(ValueError, match="unknown unit 'fortnights'"):
        capability_statement(xmr([1, 2], kind="duration"), unit="fortnights")


def test_capability_by_channel_takes_the_channel_each_case_arrived_by():
    from journeymap.pipeline.check import check

    rows = [  # case, activity, timestamp, channel
        ("1", "a", "2024-01-01 09:00", "web"), ("1", "b", "2024-01-01 10:00", "web"),
        ("2", "a", "2024-01-02 09:00", "web"), ("2", "b", "2024-01-02 11:00", None),
        ("3", "a", "2024-01-03 09:00", "web"), ("3", "b", "2024-01-03 12:00", "web"),
        ("4", "a", "2024-01-01 09:00", "phone"), ("4", "b", "2024-01-01 14:00", "phone"),
        ("5", "a", "2024-01-02 09:00", "web"), ("5", "b", "2024-01-02 10:00", "phone"),
        ("6", "a", "2024-01-04 09:00", None),
        ("7", "a", "2024-01-05 09:00", None), ("7", "b", "2024-01-05 11:00", "phone"),
    ]  # fmt: skip
    log = EventLog.from_frame(
        pd.DataFrame(rows, columns=["case", "activity", "timestamp", "channel"]),
        channel="channel",
    )
    charts = check(log, by="channel").charts
    # Case 5 came by web and was answered by phone: it counts under web (its first
    # event's channel, not "phone", the first by name). Case 7's first event has no
    # channel: its second's counts. Case 6 has none.
    assert sorted(charts) == [
        "capability_e2e", "capability_e2e:phone", "capability_e2e:web",
    ]  # fmt: skip
    web, phone = charts["capability_e2e:web"].points, charts["capability_e2e:phone"].points
    assert web["label"].tolist() == ["1", "5", "2", "3"]
    assert web["x"].tolist() == [3600.0, 3600.0, 7200.0, 10800.0]
    assert phone["label"].tolist() == ["4", "7"]
    assert phone["x"].tolist() == [18000.0, 7200.0]


def test_no_weekly_charts_under_one_new_case_a_week():
    """Ten cases, one every third week from Monday 1 January 2024 (weeks 1, 4, ..., 28),
    plus a chaser in the first: 28 weeks of 0.36 new cases on average. Weekly counts of
    0 and 1 show chance, not the service (the road-fines sample: 0.2 a week over 650
    weeks), so neither weekly chart is drawn and the notes say why; with a case every
    week (28 cases) both are."""
    from journeymap.pipeline.check import check

    def log_of(cases: range, step: int) -> EventLog:
        start = pd.Timestamp("2024-01-01")
        rows = [(str(i), "Log request", str(start + pd.Timedelta(weeks=step * i))) for i in cases]
        rows.append(("0", "Chase", "2024-01-02 09:00:00"))
        return EventLog.from_frame(pd.DataFrame(rows, columns=["case", "activity", "timestamp"]))

    sparse = check(log_of(range(10), 3))
    assert sorted(sparse.charts) == ["capability_e2e"]
    why = ("0.4 new cases a week on average over 28 weeks, too few for weekly counts to show "
           "anything but chance (is the log a sample?)")  # fmt: skip
    assert [n for n in sparse.notes if n.startswith("no weekly")] == [
        f"no weekly volume chart: {why}", f"no weekly failure demand chart: {why}",
    ]  # fmt: skip
    weekly = check(log_of(range(28), 1))
    assert sorted(weekly.charts) == ["capability_e2e", "weekly_failure_demand", "weekly_volume"]
    assert weekly.charts["weekly_volume"].points["x"].tolist() == [1.0] * 28


def test_a_whole_log_period_is_the_days_of_the_log():
    """From the midnight before the first event to the midnight after the last (the
    first instant after the period), as for a period given by its days: the end was the
    last event plus a microsecond, which summary.json showed as such, and the start the
    first event, so that the week starting on its day was not whole."""
    log = EventLog.from_frame(
        pd.DataFrame(
            {
                "case": ["A", "A", "B"],
                "activity": ["x", "y", "x"],
                "timestamp": ["2024-01-03 09:00", "2024-01-05 16:00", "2024-01-04 10:00"],
            }
        )
    )
    period = complete_period(log)
    assert period.basis == "whole log"
    assert (period.start, period.end) == (
        pd.Timestamp("2024-01-03", tz="UTC"),
        pd.Timestamp("2024-01-06", tz="UTC"),
    )
    assert period.cases_in == 2


def test_the_weeks_of_a_whole_log_period_include_the_first_events_week():
    """Cases from Monday 1 January 09:00 to Sunday 14 January: two whole weeks, the
    first of which starts on the first event's day (9 hours before it)."""
    days = ["2024-01-01 09:00", "2024-01-03 10:00", "2024-01-09 11:00", "2024-01-14 15:00"]
    log = EventLog.from_frame(
        pd.DataFrame({"case": list("ABCD"), "activity": "x", "timestamp": days})
    )
    period = complete_period(log)
    chart = weekly_volume(log, weeks=(period.start, period.end))
    assert [str(d) for d in chart.points["label"]] == ["2024-01-01", "2024-01-08"]
    assert chart.points["x"].tolist() == [2.0, 2.0]


def _long_and_short_cases() -> EventLog:
    """Ten cases starting on 1 to 10 January 2024: A and B last a day, the other eight
    a hundred days (the road-fines sample: 41 cases start in three weeks, 37 of them
    end a year or two later)."""
    rows = []
    for i, case in enumerate("ABCDEFGHIJ"):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
        end = start + pd.Timedelta(days=1 if i < 2 else 100)
        rows += [(case, "Open", start), (case, "Close", end)]
    return EventLog.from_frame(pd.DataFrame(rows, columns=["case", "activity", "timestamp"]))


def test_a_period_that_most_cases_outlast_charts_no_end_to_end_time():
    """Of the ten cases that started in the period asked for (1 to 14 January), eight
    ended after it: a chart of the two that ended within it would be of the quickest
    cases only ('predictable, 0 to 1 days' on road fines' 4 of 41). There is none, and the
    note says which period charts them all."""
    from journeymap.pipeline.check import check

    log = _long_and_short_cases()
    period = complete_period(log, given="2024-01-01..2024-01-14")
    assert (period.cases_in, period.ended_after, period.cases) == (2, 8, 10)
    assert period.mostly_ended_after
    assert period.last_end == pd.Timestamp("2024-04-19", tz="UTC")
    found = check(log, period=period)
    assert "capability_e2e" not in found.charts
    assert (
        "no capability e2e chart: 8 of the 10 cases that started from 2024-01-01 to "
        "2024-01-14 ended after it, so a chart of the 2 that ended within it would show only "
        "the quickest waits, not how long customers wait; give a period that covers their "
        "ends: \x1eperiod\x1f2024-01-01..2024-04-19\x1e"
    ) in found.notes
    # The period it suggests charts all ten.
    whole = complete_period(log, given="2024-01-01..2024-04-19")
    assert (whole.cases_in, whole.ended_after, whole.mostly_ended_after) == (10, 0, False)
    assert "capability_e2e" in check(log, period=whole).charts


def test_cases_that_ended_after_the_period_are_counted_among_those_left_out():
    from journeymap.render.capability_words import period_text

    log = _long_and_short_cases()
    # A and B ended in January, C to E on 12 to 14 April, F to J on 15 to 19 April.
    period = complete_period(log, given="2024-01-01..2024-04-14")
    assert (period.cases_in, period.ended_after, period.mostly_ended_after) == (5, 5, False)
    assert period_text(period) == (
        "Cases that started and ended from 2024-01-01 to 2024-04-14, the period asked for "
        "(5 of 10 cases; 5 cases that started in it and ended after it are left out)."
    )
