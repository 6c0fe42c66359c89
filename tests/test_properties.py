"""Property tests: any table of strings read through the CSV path keeps every row."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeymap as jm

# Printable text with the characters that trouble CSV readers: quotes, delimiters,
# line breaks, blanks; plus values that are valid or almost valid timestamps.
cell = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
    st.sampled_from(["", " ", '"', ",", "a,b", "x\ny", "T01", "001", "2024-01-01 10:00",
                     "2024-13-45", "31/12/2024", "=1+1"]),
)  # fmt: skip
rows = st.lists(st.tuples(cell, cell, cell, cell), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows)
def test_every_row_is_accepted_or_rejected(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["case", "activity", "timestamp", "note"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            log = jm.read_log(str(path), timestamp_format="%Y-%m-%d %H:%M")
        except jm.MappingError:
            return  # too few timestamps to call the column a timestamp column
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
            assert event["note"] == (note if note != "" else None)
