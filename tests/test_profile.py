"""The data-quality profile (`journeymap inspect`, the report's data-quality section):
exact counts on a log checked by hand."""

import pandas as pd

from journeymap import EventLog
from journeymap.analysis.profile import profile


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
    assert p.events_per_case == {"min": 1, "median": 2.0, "max": 4}
    assert p.single_event_cases == 1
