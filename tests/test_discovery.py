"""Discovery on tiny hand-checkable logs: DFG, waits, variants, activities, scope."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from journeymap import EventLog
from journeymap.discovery import dfg
from journeymap.discovery.activities import activity_stats
from journeymap.discovery.ordering import ordered_events
from journeymap.discovery.simplify import MapScope, choose_activities, choose_paths
from journeymap.discovery.times import case_times, case_times_expr, end_to_end_summary
from journeymap.discovery.variants import variants, variants_covering
from journeymap.render.captions import map_caption


def make_log(rows, **mapping):
    columns = ["case", "activity", "timestamp", *mapping.pop("extra", [])]
    return EventLog.from_frame(pd.DataFrame(rows, columns=columns), **mapping)


# Case 1: Log -> Fix -> Fix -> Close; case 2: Log -> Close, with a tie broken by source
# order (Close was written after Log at the same minute); case 3: a single event.
ROWS = [
    ("1", "Log", "2024-01-01 09:00"),
    ("1", "Fix", "2024-01-01 10:00"),
    ("2", "Log", "2024-01-02 09:00"),
    ("2", "Close", "2024-01-02 09:00"),
    ("1", "Fix", "2024-01-01 13:00"),
    ("1", "Close", "2024-01-02 09:00"),
    ("3", "Log", "2024-01-03 09:00"),
]


def edges(table):
    return {(s, t): (e, c) for s, t, e, c in table[["source", "target", "events", "cases"]].values}


def test_dfg_counts_and_start_end_edges():
    table = dfg(make_log(ROWS))
    assert edges(table) == {
        ("__start__", "Log"): (3, 3),
        ("Log", "Fix"): (1, 1),
        ("Fix", "Fix"): (1, 1),
        ("Fix", "Close"): (1, 1),
        ("Log", "Close"): (1, 1),
        ("Close", "__end__"): (2, 2),
        ("Log", "__end__"): (1, 1),
    }
    assert table["source"].iloc[0] == "__start__" and table["target"].iloc[-1] == "__end__"
    waits = table.set_index(["source", "target"])["median_wait_s"]
    assert waits[("Log", "Fix")] == 3600
    assert waits[("Fix", "Fix")] == 3 * 3600
    assert waits[("Fix", "Close")] == 20 * 3600
    assert waits[("Log", "Close")] == 0  # the tie: source order decides, wait 0
    assert math.isnan(waits[("__start__", "Log")])


def test_a_transition_a_case_repeats_counts_the_case_once():
    # Case 1: A B A B A C (A -> B twice, B -> A twice, A -> C once); case 2: A B C;
    # case 3: C C (a self-loop, once). Cases count each case once per edge and
    # activity; events count every transition and event.
    rows = [
        ("1", "A", "2024-01-01 09:00"), ("1", "B", "2024-01-01 10:00"),
        ("1", "A", "2024-01-01 11:00"), ("1", "B", "2024-01-01 12:00"),
        ("1", "A", "2024-01-01 13:00"), ("1", "C", "2024-01-01 14:00"),
        ("2", "A", "2024-01-02 09:00"), ("2", "B", "2024-01-02 10:00"),
        ("2", "C", "2024-01-02 11:00"),
        ("3", "C", "2024-01-03 09:00"), ("3", "C", "2024-01-03 10:00"),
    ]  # fmt: skip
    log = make_log(rows)
    assert edges(dfg(log)) == {
        ("__start__", "A"): (2, 2),
        ("__start__", "C"): (1, 1),
        ("A", "B"): (3, 2),
        ("B", "A"): (2, 1),
        ("A", "C"): (1, 1),
        ("B", "C"): (1, 1),
        ("C", "C"): (1, 1),
        ("C", "__end__"): (3, 3),
    }
    stats = activity_stats(log).set_index("activity")
    assert stats[["events", "cases"]].to_dict("index") == {
        "A": {"events": 4, "cases": 2},
        "B": {"events": 3, "cases": 2},
        "C": {"events": 4, "cases": 3},
    }
    # Over some activities the cases are a distinct count; over all of them, the same.
    every = sorted({r[1] for r in rows})
    assert edges(dfg(log, activities=every)) == edges(dfg(log))
    assert activity_stats(log, activities=every)["cases"].tolist() == (
        activity_stats(log)["cases"].tolist()
    )


def test_dfg_mean_median_p90_over_several_transitions():
    rows = [(str(i), a, f"2024-01-0{i} {h}") for i in (1, 2, 3, 4)
            for a, h in (("A", "09:00"), ("B", f"{9 + i}:00"))]  # fmt: skip
    row = dfg(make_log(rows)).set_index(["source", "target"]).loc[("A", "B")]
    # waits 1, 2, 3, 4 hours: mean 2.5 h, median 2.5 h, p90 interpolated 3.7 h
    assert (row["mean_wait_s"], row["median_wait_s"], row["p90_wait_s"]) == (9000, 9000, 13320)


# Case 1 with start timestamps (case, activity, timestamp, start).
WITH_STARTS = [
    ("1", "A", "2024-01-01 10:00", "2024-01-01 09:00"),
    ("1", "B", "2024-01-01 12:00", "2024-01-01 11:30"),
    ("1", "C", "2024-01-01 12:30", "2024-01-01 11:45"),  # starts before B completes
    ("1", "D", "2024-01-01 14:00", None),  # no start: its timestamp stands in
]


def test_waits_use_start_timestamps_when_mapped():
    log = make_log(WITH_STARTS, extra=["start"], start_timestamp="start")
    waits = dfg(log).set_index(["source", "target"])["median_wait_s"]
    assert waits[("A", "B")] == 5400  # 11:30 - 10:00
    assert waits[("B", "C")] == 0  # max(0, 11:45 - 12:00)
    assert waits[("C", "D")] == 5400  # 14:00 - 12:30
    stats = activity_stats(log).set_index("activity")
    assert stats.loc["A", "median_processing_s"] == 3600
    times = case_times(log)
    assert times["e2e_s"][0] == 5 * 3600  # from the first start, 09:00, to 14:00


def test_ordered_events_wait_out_of_and_into_each_event():
    # A one-event case has neither wait.
    rows = [*WITH_STARTS, ("2", "A", "2024-01-02 10:00", None)]
    ordered = ordered_events(make_log(rows, extra=["start"], start_timestamp="start"))
    ev = ordered.order_by(["case", "position"]).to_pandas()
    assert ev["activity"].tolist() == ["A", "B", "C", "D", "A"]
    assert ev["position"].tolist() == [0, 1, 2, 3, 0]
    assert ev["wait_s"].tolist()[:3] == [5400.0, 0.0, 5400.0]
    assert ev["wait_in_s"].tolist()[1:4] == [5400.0, 0.0, 5400.0]
    # The wait out of a case's last event and into its first are missing, not 0.
    assert ev["wait_s"].isna().tolist() == [False, False, False, True, True]
    assert ev["wait_in_s"].isna().tolist() == [True, False, False, False, True]
    # Without start timestamps the wait is the plain difference of timestamps.
    plain = ordered_events(make_log([r[:3] for r in rows])).order_by(["case", "position"])
    assert plain.to_pandas()["wait_in_s"].tolist()[1:4] == [7200.0, 1800.0, 5400.0]


def test_dfg_over_some_activities_reconnects_neighbours():
    table = dfg(make_log(ROWS), activities=["Log", "Close"])
    assert edges(table) == {
        ("__start__", "Log"): (3, 3),
        ("Log", "Close"): (2, 2),
        ("Close", "__end__"): (2, 2),
        ("Log", "__end__"): (1, 1),
    }


def test_variants_rank_by_cases_then_sequence():
    rows = [
        ("a", "X", "2024-01-01 09:00"), ("a", "Y", "2024-01-01 10:00"),
        ("b", "X", "2024-01-02 09:00"),
        ("c", "X", "2024-01-03 09:00"), ("c", "Y", "2024-01-03 09:30"),
        ("d", "W", "2024-01-04 09:00"),
    ]  # fmt: skip
    table = variants(make_log(rows))
    assert table[["rank", "variant", "cases"]].values.tolist() == [
        [1, "X > Y", 2],
        [2, "W", 1],
        [3, "X", 1],
    ]
    assert table["cum_pct"].tolist() == [50.0, 75.0, 100.0]
    assert table["median_e2e_s"].tolist() == [2700.0, 0.0, 0.0]
    assert variants_covering(table, 80) == 3
    assert variants_covering(table, 50) == 1


def test_activity_stats_and_lanes():
    rows = [
        ("1", "Log", "2024-01-01 09:00", "Front"),
        ("1", "Fix", "2024-01-01 10:00", "Back"),
        ("1", "Fix", "2024-01-01 11:00", "Field"),
        ("2", "Log", "2024-01-02 09:00", None),
        ("2", "Fix", "2024-01-02 10:00", "Back"),
    ]
    stats = activity_stats(make_log(rows, extra=["team"]), lanes="team").set_index("activity")
    assert stats.loc["Fix", ["events", "cases", "first_in_cases", "last_in_cases"]].tolist() == [
        3, 2, 0, 2,
    ]  # fmt: skip
    assert (stats.loc["Fix", "lane"], round(stats.loc["Fix", "lane_share"], 2)) == ("Back", 66.67)
    assert (stats.loc["Log", "lane"], stats.loc["Log", "lane_share"]) == ("Front", 100.0)
    assert stats["pct_events"].sum() == pytest.approx(100)


def test_end_to_end_summary_and_case_order():
    log = make_log(ROWS)
    times = case_times(log)
    assert times["case"].tolist() == ["1", "2", "3"]  # by case end, equal ends by case
    assert times["e2e_s"].tolist() == [24 * 3600.0, 0.0, 0.0]
    assert end_to_end_summary(log) == {"median_s": 0.0, "mean_s": 28800.0, "p90_s": 69120.0}


def test_choose_activities_and_paths_keep_the_map_connected():
    table = pd.DataFrame(
        {
            "source": ["__start__", "__start__", "A", "A", "B", "C", "C", "B"],
            "target": ["A", "C", "B", "C", "__end__", "B", "__end__", "C"],
            "events": [90, 10, 80, 10, 85, 3, 7, 2],
        }
    )
    kept = choose_paths(table, pct=1)  # the top path alone would leave C unreachable
    pairs = set(zip(kept["source"], kept["target"], strict=True))
    assert pairs == {("__start__", "A"), ("A", "B"), ("B", "__end__"),
                     ("__start__", "C"), ("C", "__end__")}  # fmt: skip
    stats = pd.DataFrame({"activity": ["A", "B", "C"], "events": [90, 90, 20]})
    assert choose_activities(stats, pct=50) == ["A", "B"]
    assert choose_activities(stats, max_activities=1) == ["A"]
    scope = MapScope(2, 3, 4, 8, 180, 200)
    assert map_caption(scope) == "2 of 3 activities, 4 of 8 paths, 90% of events"


def test_variant_ranks_follow_python_order_of_sequences():
    # Ties in cases are ranked by the sequence in code-point order, on the engine.
    names = ["b", "a", "a > b", "É", "Z", "a", "ab", "a\u00e9"]
    rows = [(str(i), name, "2024-01-01 09:00") for i, name in enumerate(names)]
    rows += [("1", "b", "2024-01-01 10:00")]  # case 1 is "a" then "b"
    table = variants(make_log(rows))
    # Every case is its own variant (one case each): the order is Python's tuple order.
    expected = sorted({("a", "b"), ("a",), *((n,) for n in names if n != "a")})
    assert table["variant"].tolist() == [" > ".join(s) for s in expected]
    assert table["rank"].tolist() == list(range(1, len(expected) + 1))


def test_map_handoffs_need_two_known_handlers():
    rows = [
        ("1", "A", "2024-01-01 09:00", "X"),
        ("1", "B", "2024-01-01 10:00", None),
        ("1", "C", "2024-01-01 11:00", "Y"),
        ("2", "A", "2024-01-02 09:00", "X"),
        ("2", "C", "2024-01-02 10:00", "Y"),
    ]
    table = dfg(make_log(rows, extra=["team"])).set_index(["source", "target"])["handoffs"]
    assert table[("A", "B")] == 0 and table[("B", "C")] == 0  # B's handler is unknown
    assert table[("A", "C")] == 1
    assert table[("__start__", "A")] == 0


def test_scalar_queries_leave_the_connection_free():
    # DuckDB 2 keeps a connection busy until a result is read to its end.
    log = make_log(ROWS)
    dfg(log)
    assert log.cases == 3
    assert len(dfg(log)) == 7


def test_fetch_gives_what_ibis_gives():
    log = make_log(ROWS)
    expr = case_times_expr(log)
    fetched, through_ibis = log.engine.fetch(expr), expr.to_pandas()
    assert fetched.dtypes.equals(through_ibis.dtypes)
    pd.testing.assert_frame_equal(
        fetched.sort_values("case", ignore_index=True),
        through_ibis.sort_values("case", ignore_index=True),
    )


def test_a_released_derived_table_is_dropped_and_built_again_when_asked_for():
    log = make_log(ROWS)
    first = log.engine.fetch(ordered_events(log).order_by("source_row"))
    tables = "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'derived_ordered%'"
    assert log.engine.con.execute(tables).fetchall() == [(1,)]
    log.release("ordered", "never_built")
    assert log.engine.con.execute(tables).fetchall() == [(0,)]
    again = log.engine.fetch(ordered_events(log).order_by("source_row"))
    pd.testing.assert_frame_equal(first, again)


def test_the_events_are_stored_compressed_and_later_tables_as_made():
    """On DuckDB the events, kept for the whole run, are compressed once read (the
    engine's compact); the events in case order and tables made later are stored as
    they are made."""

    def kinds(con, name):
        query = "SELECT DISTINCT compression FROM pragma_storage_info($name)"
        return {row[0] for row in con.execute(query, {"name": name}).fetchall()}

    log = make_log(ROWS)
    con = log.engine.con
    # the events are a view that encodes their text (duckdb_encode) over their table
    assert kinds(con, log.engine._stored[log.table_name]) - {"Uncompressed"}
    ordered = log._derived["ordered"]  # made when the log was read (repeated states)
    assert kinds(con, ordered) == {"Uncompressed"}
    later = log.engine.materialize(log.table.select("case"), "later")
    assert kinds(con, later) == {"Uncompressed"}
    assert log.engine.fetch(ordered_events(log)).shape[0] == len(ROWS)


def test_engine_looks_up_a_table_once_and_forgets_it_when_dropped():
    log = make_log(ROWS)
    engine = log.engine
    name = engine.materialize(case_times_expr(log), "times")
    assert engine.table(name) is engine.table(name)
    assert engine.fetch(engine.table(name)).shape == (3, 5)
    engine.drop(name)
    assert name not in engine._tables
    found = f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{name}'"
    assert engine.con.execute(found).fetchall() == [(0,)]


def test_a_subset_keeps_the_order_of_the_whole_log():
    """A subset keeps whole cases, so its events in case order are the log's, filtered
    (a view, not another ordering): the same as ordering the subset's own events, down
    to the last known team and resource before each event."""
    rows = [
        ("1", "Log", "2024-01-01 09:00", "Front", "ann"),
        ("1", "Fix", "2024-01-01 10:00", None, "bob"),
        ("2", "Log", "2024-01-02 09:00", "Front", None),
        ("2", "Close", "2024-01-02 09:00", "Back", "cy"),
        ("1", "Fix", "2024-01-01 13:00", "Back", None),
        ("1", "Close", "2024-01-02 09:00", "Front", "ann"),
        ("3", "Log", "2024-01-03 09:00", None, "bob"),
    ]
    log = make_log(rows, extra=["team", "resource"])
    part = log.only_cases(["1", "3"], label="two")
    assert part._derived["ordered"].startswith("subset_ordered")
    kept, own = (part.engine.fetch(e) for e in (part.ordered(), part.in_order()))
    assert "prev_team" in kept.columns and len(kept) == 5

    def by_place(frame):
        return frame.sort_values(["case", "position"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(by_place(kept), by_place(own))
    # Releasing the log's table releases the subset's view of it first (PostgreSQL
    # refuses to drop a table a view reads); the subset then orders its own events.
    log.release("ordered")
    assert "ordered" not in part._derived
    again = part.engine.fetch(part.ordered())
    assert not part._derived["ordered"].startswith("subset_ordered")
    pd.testing.assert_frame_equal(by_place(again), by_place(own))
    # The view of a subset no longer held is dropped all the same.
    log.ordered()
    gone = log.only_cases(["2"], label="one")._derived["ordered"]
    views = "SELECT view_name FROM duckdb_views() WHERE NOT internal"
    assert (gone,) in log.engine.con.execute(views).fetchall()
    log.release("ordered")
    assert (gone,) not in log.engine.con.execute(views).fetchall()


def test_a_subset_keeps_the_rework_flags_of_the_whole_log():
    """The rework flags are computed within each case too: a subset's are the log's,
    filtered (a view), equal to flagging the subset's own events; the subset's map
    counts its cases from them."""
    from journeymap.discovery.rework_events import _flags, rework_flags

    rows = [
        ("1", "Log", "2024-01-01 09:00", "ann"),
        ("1", "Fix", "2024-01-01 10:00", "bob"),
        ("1", "Fix", "2024-01-01 11:00", "cy"),
        ("1", "Close", "2024-01-01 12:00", "ann"),
        ("2", "Log", "2024-01-02 09:00", "ann"),
        ("2", "Log", "2024-01-02 10:00", "ann"),
        ("3", "Fix", "2024-01-03 09:00", "bob"),
        ("3", "Close", "2024-01-03 10:00", "cy"),
        ("3", "Fix", "2024-01-03 11:00", "bob"),
    ]
    log = make_log(rows, extra=["resource"])
    rework_flags(log)
    part = log.only_cases(["1", "3"], label="two")
    assert part._derived["rework_flags"].startswith("subset_rework_flags")

    def by_place(frame):
        return frame.sort_values(["case", "activity", "wait_in_s"]).reset_index(drop=True)

    kept, own = (part.engine.fetch(e) for e in (rework_flags(part), _flags(part)))
    assert sorted(kept["case"]) == ["1", "1", "3", "3"]
    pd.testing.assert_frame_equal(by_place(kept), by_place(own))
    edges = dfg(part).set_index(["source", "target"])
    assert edges.loc[("Fix", "Fix"), "cases"] == 1
    assert edges.loc[("Fix", "Close"), "cases"] == 2
    log.release("rework_flags")
    assert "rework_flags" not in part._derived


def test_only_cases_takes_ids_or_a_table_of_them_on_the_engine():
    log = make_log(ROWS)
    times = case_times_expr(log)
    on_engine = log.only_cases(times.filter(times.events > 1).select("case"), label="long")
    from_list = log.only_cases(["1", "2"], label="long")
    assert (on_engine.events, on_engine.cases) == (from_list.events, from_list.cases) == (6, 2)
    assert on_engine.source == from_list.source


def _single_and_timed(single: int, hours: int) -> EventLog:
    """``single`` cases of one event, and cases lasting 1 to ``hours`` hours."""
    rows = [(f"s{i}", "Call", "2024-01-01 09:00") for i in range(single)]
    for h in range(1, hours + 1):
        rows += [(f"t{h}", "Call", "2024-01-01 00:00"), (f"t{h}", "Done", f"2024-01-01 {h:02d}:00")]
    return EventLog.from_frame(pd.DataFrame(rows, columns=["case", "activity", "timestamp"]))


def test_single_event_cases_that_move_the_median_are_counted():
    # 6 of 20 cases of one event: the median is 4.5 h with them (0 x 6, 1 .. 14 h), 7.5 h
    # without: they move it by 40%, and the median without them is given.
    found = end_to_end_summary(_single_and_timed(6, 14))
    assert found["median_s"] == 4.5 * 3600
    assert (found["single_event_cases"], found["median_s_without_single_events"]) == (6, 7.5 * 3600)
    # 2 of 20: 8.5 h against 9.5 h, a shift of 11%: nothing added.
    assert "single_event_cases" not in end_to_end_summary(_single_and_timed(2, 18))


def _resolved_then_closed(hours: list[int]) -> EventLog:
    """One case per wait: Resolved on day i at 09:00, Closed that many hours later."""
    rows = []
    for i, h in enumerate(hours):
        start = pd.Timestamp("2024-03-01 09:00") + pd.Timedelta(days=i)
        rows += [
            (f"c{i}", "Resolved", str(start)),
            (f"c{i}", "Closed", str(start + pd.Timedelta(hours=h))),
        ]
    return EventLog.from_frame(pd.DataFrame(rows, columns=["case", "activity", "timestamp"]))


def test_a_small_extract_whose_every_close_waits_the_same_is_timed():
    """Four incidents, each closed 72 hours after it was resolved: too few for a quarter
    of them to say much, but all four to the hour is a timer (trial 15's ServiceNow
    export). Four different waits, or two alike, are not."""
    from journeymap.discovery.dfg import dfg, timed_transitions

    log = _resolved_then_closed([72, 72, 72, 72])
    assert timed_transitions(log, dfg(log), 4) == [
        {"source": "Resolved", "target": "Closed", "events": 4, "timed": 4, "wait_s": 259200.0}
    ]
    for hours in ([24, 50, 72, 100], [72, 72], [72, 72, 72, 30]):
        log = _resolved_then_closed(hours)
        assert timed_transitions(log, dfg(log), len(hours)) == [], hours
