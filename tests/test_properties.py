"""Property tests: any table of strings read through the CSV path keeps every row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeymap as jm

FORMAT = "%Y-%m-%d %H:%M"

# Printable text with the characters that trouble CSV readers: quotes, delimiters,
# line breaks, blanks; plus values that are valid or almost valid timestamps.
cell = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
    st.sampled_from(["", " ", '"', ",", "a,b", "x\ny", "T01", "001", "2024-01-01 10:00",
                     "2024-13-45", "31/12/2024", "=1+1"]),
)  # fmt: skip
# Mostly readable timestamps, so that the column is taken as one and most examples reach
# the row-by-row checks; sometimes anything at all.
instant = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 1, 1))
readable = instant.map(lambda d: d.strftime(FORMAT))
timestamp = st.integers(0, 9).flatmap(
    lambda k: readable if k < 8 else st.one_of(instant.map(str), cell)
)
rows = st.lists(st.tuples(cell, cell, timestamp, cell), min_size=1, max_size=25)


def _readable(value: str) -> bool:
    try:
        dt.datetime.strptime(value.strip(), FORMAT)
    except ValueError:
        return False
    return True


def _check(rows: list[tuple[str, str, str, str]]) -> bool:
    """Read the rows through the CSV path and check that none is lost; return whether
    the table was read (False: too few timestamps, which is checked too)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["case", "activity", "timestamp", "note"])
    writer.writerows(rows)
    # The format is chosen from the distinct non-empty values; it must read half of them.
    distinct = {r[2].strip() for r in rows if r[2].strip()}
    readable = sum(_readable(v) for v in distinct)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            log = jm.read_log(str(path), timestamp_format=FORMAT)
        except jm.MappingError:
            assert readable * 2 < len(distinct)  # too few timestamps to call it one
            return False
        assert readable * 2 >= len(distinct)
        with log:
            assert log.rows_read == len(rows)
            assert log.events + log.rejected_rows == len(rows)
            accepted = log.to_pandas()
            rejected = log.rejects()
        numbers = sorted([*accepted["source_row"], *rejected["source_row"]])
        assert numbers == list(range(1, len(rows) + 1))
        # Values come back exactly as written (roles are trimmed of blanks).
        for _, event in accepted.iterrows():
            case, activity, _, note = rows[event["source_row"] - 1]
            assert event["case"] == case.strip()
            assert event["activity"] == activity.strip()
            assert pd.isna(event["note"]) if note == "" else event["note"] == note
    return True


def test_every_row_is_accepted_or_rejected():
    read = []

    # The same 60 examples in every run (a fixed seed, no example database; 55 of them
    # are read): drawn afresh, the share of readable tables moved from run to run, and
    # one CI run's 41 of 60 fell below the 80% checked below.
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
        database=None,
    )
    @given(rows=rows)
    def check(rows):
        read.append(_check(rows))

    check()
    # Most examples are read and checked row by row, not only refused as a whole.
    assert sum(read) >= 0.8 * len(read), f"only {sum(read)} of {len(read)} examples were read"
