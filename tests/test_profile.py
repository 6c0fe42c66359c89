"""The data-quality profile (`journeymap inspect`, the report's data-quality section):
exact counts on a log checked by hand."""

import pandas as pd

from journeymap import EventLog
from journeymap.analysis.profile import profile
from journeymap.discovery.activities import activity_stats
from journeymap.render.profile_text import quality_warnings


def test_ties_and_duplicates_are_counted_within_cases():
    # A: three events at 09:00, two of them "Call" (two possible duplicates), one later.
    # B: two events at 09:00 with different activities (a tie, no duplicate).
    # C: the same instant as A and B, but one event each: no tie across cases.
    # D: two "Call"s an hour apart: neither a tie nor a duplicate.
    log = EventLog.from_frame(
        pd.DataFrame(
            {
                "case": ["A", "A", "A", "A", "B", "B", "C", "D", "D"],
                "activity": [
                    "Call", "Call", "Note", "Close", "Call", "Note", "Call", "Call", "Call",
                ],
                "timestamp": [
                    "2024-01-01 09:00", "2024-01-01 09:00", "2024-01-01 09:00",
                    "2024-01-01 10:00", "2024-01-01 09:00", "2024-01-01 09:00",
                    "2024-01-01 09:00", "2024-01-01 09:00", "2024-01-01 10:00",
                ],
            }
        )
    )  # fmt: skip
    p = profile(log)
    assert (p.cases, p.events) == (4, 9)
    assert p.cases_with_equal_timestamps == 2
    assert p.possible_duplicates == 2
    # A's second Call is a copy, and A's only rework; D's rework is no copy.
    assert p.copies == {"events": 1, "cases": 1, "rework_only": 1}
    # Said as the rework doubt counts them: one copy, not the two events that match.
    assert (
        "1 event is a copy of another event of its case (the same activity at the same "
        "time: possible duplicates), in 1 case"
    ) in quality_warnings(p)
    assert p.events_per_case == {"min": 1, "median": 2.0, "max": 4}
    assert p.single_event_cases == 1


def _cases(spans):
    """A log of one Open and one Close per case, from (start, end) dates."""
    rows = [
        (f"c{i}", a, s) for i, (s, e) in enumerate(spans) for a, s in (("Open", s), ("Close", e))
    ]
    return EventLog.from_frame(pd.DataFrame(rows, columns=["case", "activity", "timestamp"]))


def test_the_activity_table_gives_the_profile_the_same_activities():
    # b, C and é have 2 events each: ties go to the name by code point (C before b,
    # é after both), not as a dictionary would sort them.
    rows = [("1", "a"), ("1", "b"), ("1", "C"), ("2", "a"), ("2", "é"), ("2", "a"),
            ("3", "C"), ("3", "b"), ("3", "é"), ("3", "z"), ("4", "a")]  # fmt: skip
    log = EventLog.from_frame(
        pd.DataFrame(
            [(c, a, f"2024-01-0{int(c)} {9 + i}:00") for i, (c, a) in enumerate(rows)],
            columns=["case", "activity", "timestamp"],
        )
    )
    alone = profile(log, top=3)
    assert alone.activities == 5
    assert alone.top_activities == [
        {"activity": "a", "events": 4}, {"activity": "C", "events": 2},
        {"activity": "b", "events": 2},
    ]  # fmt: skip
    given = profile(log, top=3, activities=activity_stats(log))
    assert given == alone
    assert profile(log, activities=activity_stats(log)) == profile(log)


def test_an_extract_of_cases_closed_in_a_window_is_named():
    from journeymap.render.profile_text import quality_warnings

    # 30 cases opened over 2023, all closed in March 2024: 30 of 30 started before the
    # first close. Plus 10 opened and closed in March.
    spans = [(f"2023-{1 + i % 12:02d}-15", f"2024-03-{1 + i % 28:02d}") for i in range(30)]
    spans += [(f"2024-03-{2 + i:02d}", f"2024-03-{3 + i:02d}") for i in range(10)]
    p = profile(_cases(spans))
    assert p.closed_window == {
        "cases": 30, "of": 40, "first_end": "2024-03-01T00:00:00Z",
        "last_end": "2024-03-28T00:00:00Z",
    }  # fmt: skip
    said = (
        "30 of 40 cases (75%) started before the first case ended, and every case ended "
        "between 2024-03-01 and 2024-03-28: this looks like an extract of the cases closed "
        "in that window, so demand before it counts only the cases still open then, and long "
        "cases weigh more than they should in the end-to-end times"
    )
    assert quality_warnings(p)[-1] == said


def test_an_extract_of_cases_closed_in_a_window_is_doubted_before_its_figures(tmp_path):
    """Not only among the data-quality warnings at the report's end: the demand chart's
    rise and the long end-to-end times come from how the cases were cut, so the doubt
    goes wherever the figures are shown (summary.json, the CLI, the batch index)."""
    import journeymap as jm
    from journeymap.render.doubts import doubts

    spans = [(f"2023-{1 + i % 12:02d}-15", f"2024-03-{1 + i % 28:02d}") for i in range(30)]
    spans += [(f"2024-03-{2 + i:02d}", f"2024-03-{3 + i:02d}") for i in range(10)]
    found = doubts(jm.mine(_cases(spans)))
    assert found[0][:52] == "30 of 40 cases (75%) started before the first case e"
    jm.write_outputs(jm.mine(_cases(spans)), tmp_path / "out", formats=["svg"])
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    header = report[report.index("<header>") : report.index("</header>")]
    assert '<p class="warning">30 of 40 cases (75%) started before the first case ended' in header
    assert header.index('class="warning"') < header.index('class="numbers"')
    days = pd.date_range("2024-01-01", periods=40, freq="7D")
    whole = [(d.date().isoformat(), (d + pd.Timedelta(days=14)).date().isoformat()) for d in days]
    assert not any("started before the first case" in d for d in doubts(jm.mine(_cases(whole))))


def test_a_log_of_all_cases_in_a_period_is_not_an_extract_of_closed_cases():
    # 40 cases a week apart, each closed two weeks after it opened: the 2 opened before
    # the first close are the open cases at the log's start, not a quarter of them.
    days = pd.date_range("2024-01-01", periods=40, freq="7D")
    p = profile(_cases([(d.date().isoformat(), (d + pd.Timedelta(days=14)).date().isoformat())
                        for d in days]))  # fmt: skip
    assert p.closed_window == {}
    # 19 cases (under CLOSED_MIN_CASES), all before the first close: too few to tell.
    spans = [(f"2023-{1 + i % 12:02d}-15", "2024-03-01") for i in range(19)]
    assert profile(_cases(spans)).closed_window == {}


def _counted(events_per_case: list[int]) -> EventLog:
    rows = [
        (f"C{c}", "Call" if i == 0 else "Close", f"2024-01-{c + 1:02d} {9 + i:02d}:00")
        for c, n in enumerate(events_per_case)
        for i in range(n)
    ]
    return EventLog.from_frame(pd.DataFrame(rows, columns=["case", "activity", "timestamp"]))


def test_a_log_of_mostly_single_event_cases_is_a_list_of_records():
    # Half the cases or more with one event: records as they stand, not their history.
    half = profile(_counted([1, 1, 2, 3]))
    assert (half.single_event_cases, half.cases, half.records_not_history) == (2, 4, True)
    fewer = profile(_counted([1, 2, 2]))
    assert (fewer.single_event_cases, fewer.records_not_history) == (1, False)
    assert profile(_counted([2, 3])).records_not_history is False


def test_the_report_says_so_before_its_figures(tmp_path):
    import journeymap as jm

    log = _counted([1, 1, 1, 2])
    jm.write_outputs(jm.mine(log), tmp_path / "out", formats=["svg"])
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    header = report[report.index("<header>") : report.index("</header>")]
    assert '<p class="warning">3 of 4 cases (75%) have a single event, as in a list' in header
    assert header.index('class="warning"') < header.index('class="numbers"')


def _steps(lifecycle: bool) -> pd.DataFrame:
    """30 cases, each a step A then a step B by one person, each step started and
    completed: 120 events, 90 transitions, 60 of them within a step (A -> A, B -> B)."""
    rows = []
    for case in range(30):
        for hour, (step, stage) in enumerate(
            [("A", "start"), ("A", "complete"), ("B", "start"), ("B", "complete")]
        ):
            when = f"2024-01-{case + 1:02d} {9 + hour:02d}:00"
            rows.append((f"C{case}", step, when, "Ann", stage))
    frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp", "resource", "stage"])
    return frame.rename(columns={"stage": "lifecycle:transition"}) if lifecycle else frame


def test_a_step_started_and_completed_is_not_read_as_a_snapshot_export():
    # bpic2012 read with --activity concept:name: a step's start and completion are two
    # events of one activity by one person, a quarter of the log's transitions.
    log = EventLog.from_frame(_steps(lifecycle=True))
    assert log.events == 120
    assert log.repeats is not None
    assert (log.repeats.events, log.repeats.transitions) == (60, 90)
    assert log.repeats.lifecycle == "lifecycle:transition"
    assert not log.repeats.collapsed and not log.repeats.looks_like_snapshot
    warnings = quality_warnings(profile(log))
    assert warnings[-1] == (
        "60 events (67% of transitions, in 30 cases) repeat the state before them (same "
        "activity and resource): the log records each step's life cycle "
        "('lifecycle:transition'), so these are read as steps started and completed, not "
        "as a snapshot export's rows, and kept; with the life cycle in the activity "
        '(--activity "activity,lifecycle:transition") each stage is an activity of its own'
    )


def test_the_same_repeats_without_a_life_cycle_read_as_a_snapshot_export():
    log = EventLog.from_frame(_steps(lifecycle=False))
    assert log.repeats is not None and log.repeats.collapsed
    assert log.repeats.lifecycle is None
    assert log.events == 60


def test_warnings_of_one_are_in_the_singular():
    # Case A: two events at one time (a tie), the second's resource "?"; case B: one event.
    log = EventLog.from_frame(
        pd.DataFrame(
            {
                "case": ["A", "A", "B"],
                "activity": ["Open", "Close", "Open"],
                "timestamp": ["2024-01-01 09:00", "2024-01-01 09:00", "2024-01-02 09:00"],
                "resource": ["Ann", "?", "Bob"],
            }
        )
    )
    warnings = quality_warnings(profile(log))
    assert (
        "1 case (50%) has events with equal timestamps; their order follows the "
        "source rows" in warnings
    )
    assert "1 case (50%) has a single event" in warnings
    assert (
        "resource is not recorded on 1 event (33%, all of them placeholder values read as "
        "missing (see \x1emissing_values\x1fLIST\x1e))"
    ) in warnings


def test_activities_that_differ_only_by_invisible_characters_are_warned():
    """'Close' and 'Close' with a zero-width space pasted in (and 'Open' with a byte
    order mark) look the same on the map and in the tables: inspect and the report warn,
    and show the hidden character as U+FFFD; a zero-width joiner in a real name (an emoji
    sequence) is not a look-alike of anything."""
    rows = [
        ("C1", "Open", "2024-01-01 09:00"), ("C1", "Close", "2024-01-01 10:00"),
        ("C2", "\ufeffOpen", "2024-01-02 09:00"), ("C2", "Close\u200b", "2024-01-02 10:00"),
        ("C3", "Rate \U0001f469\u200d\U0001f4bb", "2024-01-03 09:00"),
    ]  # fmt: skip
    log = EventLog.from_frame(pd.DataFrame(rows, columns=["case", "activity", "timestamp"]))
    full = profile(log)
    assert full.look_alike_activities == [["Close", "Close\u200b"], ["Open", "\ufeffOpen"]]
    # the same from the activity table mine passes in
    assert profile(log, activities=activity_stats(log)).look_alike_activities == (
        full.look_alike_activities
    )
    said = [w for w in quality_warnings(full) if "look the same" in w]
    assert said == [
        "activities 'Close' and 'Close\ufffd' look the same but differ by invisible "
        "characters (such as a zero-width space, shown as \ufffd): they count as different "
        "steps; correct the names in the export",
        "activities 'Open' and '\ufffdOpen' look the same but differ by invisible "
        "characters (such as a zero-width space, shown as \ufffd): they count as different "
        "steps; correct the names in the export",
    ]


def test_a_step_repeated_in_most_cases_is_doubted_as_rework(tmp_path):
    """Zendesk's open after pending (the customer replied) and BPIC 2013's "Accepted - In
    Progress" after a wait recur by design: counted as rework they made every case
    rework and none one-stop. Over half the cases: doubted, the figures kept."""
    import journeymap as jm
    from journeymap.render.doubts import doubts, recurring_steps_doubt

    def log(recurring: int) -> EventLog:
        rows = []
        for case in range(4):
            steps = (
                ["open", "pending", "open", "solved"] if case < recurring else ["open", "solved"]
            )
            rows += [
                (f"T{case}", s, f"2024-01-0{case + 1} {9 + i:02d}:00") for i, s in enumerate(steps)
            ]
        return EventLog.from_frame(pd.DataFrame(rows, columns=["case", "activity", "timestamp"]))

    said = recurring_steps_doubt(jm.mine(log(3)))
    assert said == (
        "an activity occurs more than once in most cases ('open' in 3 cases (75%)): a step "
        "repeated in most cases is more likely one that recurs by design (a status a case "
        "returns to after waiting on the customer, a test repeated, a call chasing an "
        "answer) than work done again, yet the rework, one-stop and clean figures count "
        "every repeat; check what the repeats are before showing them"
    )
    assert said in doubts(jm.mine(log(3)))
    assert recurring_steps_doubt(jm.mine(log(2))) is None  # half is not most
    # The report says it in the Rework section, and the tile points there.
    jm.write_outputs(jm.mine(log(3)), tmp_path / "out", formats=["svg"])
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    rework = report[report.index('<section id="rework">') :]
    assert rework.index('<p class="warning">An activity occurs more than once in most') < (
        rework.index("<table")
    )
    assert "Cases with rework (a recurring step counts: see Rework)" in report


def test_a_step_repeated_in_most_of_the_cases_it_occurs_in_is_doubted_as_rework():
    """BPIC 2012's call after an offer ("W_Nabellen offertes") is repeated in 85% of the
    cases that have it, a third of all: a chasing call recurs by design. Here 'Call' is
    in 15 of 100 cases and repeated in 12 of them (12% of all, 80% of its own): doubted.
    Not doubted: repeated in 12 of its 24 (half is not most); in 8 of its 10 (8% of all,
    under the floor); in 3 of its 4 of 20 cases (too few cases to show a design)."""
    import journeymap as jm
    from journeymap.render.doubts import recurring_steps_doubt

    def log(repeated: int, once: int, cases: int = 100) -> EventLog:
        rows = []
        for case in range(cases):
            calls = 2 if case < repeated else 1 if case < repeated + once else 0
            steps = ["Offer", *(s for j in range(calls) for s in ("Call", f"Note {j}")), "Close"]
            rows += [(f"A{case}", s, f"2024-02-01 {8 + i:02d}:{case % 60:02d}")
                     for i, s in enumerate(steps)]  # fmt: skip
        frame = pd.DataFrame(rows, columns=["case", "activity", "timestamp"])
        return EventLog.from_frame(frame)

    assert recurring_steps_doubt(jm.mine(log(12, 3))).startswith(
        "an activity occurs more than once in most of the cases it occurs in ('Call' in 12 "
        "cases, 80% of the 15 it occurs in): a step repeated"
    )
    assert recurring_steps_doubt(jm.mine(log(12, 12))) is None
    assert recurring_steps_doubt(jm.mine(log(8, 2))) is None
    assert recurring_steps_doubt(jm.mine(log(3, 1, cases=20))) is None


def test_copies_of_events_are_named_beside_the_rework_they_make():
    """Case 1's second 'Check' is a copy (same activity, same time) and its only rework;
    case 2 does 'Check' again an hour later (rework); cases 3 to 5 have none (4 and 5
    check once: 'Check' is repeated in half the cases it occurs in, not most). With the
    copy, 2 of 5 cases have rework; without it, 1."""
    import journeymap as jm
    from journeymap.render.report import key_numbers
    from journeymap.render.summary import summary

    log = EventLog.from_frame(
        pd.DataFrame(
            {
                "case": ["1", "1", "1", "2", "2", "3", "3", "4", "4", "5", "5"],
                "activity": ["Open", "Check", "Check", "Check", "Check", "Open", "Close"]
                + ["Open", "Check"] * 2,
                "timestamp": ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 10:00",
                              "2024-01-02 09:00", "2024-01-02 10:00", "2024-01-03 09:00",
                              "2024-01-03 10:00", "2024-01-04 09:00", "2024-01-04 10:00",
                              "2024-01-05 09:00", "2024-01-05 10:00"],
            }
        )
    )  # fmt: skip
    found = jm.mine(log)
    assert found.rework_summary["cases"] == 2
    doubt = (
        "1 event is a copy of another event of its case (the same activity at the same "
        "time), in 1 case; each copy counts as rework, and 1 case has no other: without the "
        "copies 20.0% of cases have rework, not 40.0%; if they are one event written twice, "
        "remove the copies from the export"
    )
    assert doubt in summary(found)["doubts"]
    assert ("Cases with rework (copies of events count: see Rework)", "40.0%") in key_numbers(found)


def test_placeholders_are_counted_among_the_missing_values_in_words():
    """Case 1's resource is '?' (a placeholder) on one event and empty on another: 2
    missing, 1 of them a placeholder; with both '?', all of them are."""
    from journeymap.errors import as_flags

    def warning(resources: list[str]) -> str:
        frame = pd.DataFrame({
            "case": ["1", "1", "1", "1"], "activity": ["a", "b", "c", "d"],
            "timestamp": [f"2024-01-01 0{h}:00" for h in range(1, 5)],
            "resource": resources})  # fmt: skip
        (said,) = [w for w in quality_warnings(profile(EventLog.from_frame(frame)))
                   if w.startswith("resource")]  # fmt: skip
        return as_flags(said)

    assert warning(["ann", "?", "", "bob"]) == (
        "resource is not recorded on 2 events (50%, 1 of them placeholder values read as "
        "missing (see --missing-values LIST))"
    )
    assert "(50%, all of them placeholder values" in warning(["ann", "?", "n/a", "bob"])
