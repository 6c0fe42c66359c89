"""The library's entry points given the wrong thing, or a closed log: a clear error that
names the argument and what to give (a new user's trial met AttributeErrors from deep
inside, DuckDB's "Connection already closed!", and jm.batch walking the file system)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap.errors import EngineError

FRAME = pd.DataFrame(
    {
        "case": ["1", "1", "2", "2"],
        "activity": ["Open", "Close", "Open", "Close"],
        "timestamp": ["2024-01-01 09:00", "2024-01-02 09:00", "2024-02-01 09:00",
                      "2024-02-03 09:00"],
    }
)  # fmt: skip


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda log: jm.mine("log.csv"),
         "mine()'s log must be EventLog, not str: read the file with jm.read_log(path)"),
        (lambda log: jm.mine(log, {"map": {}}),
         "mine()'s options must be Options or NoneType, not dict: load a config file with "
         "jm.load_options(path)"),
        (lambda log: jm.write_outputs(jm.mine(log), 5),
         "write_outputs()'s outdir must be str or PathLike, not int: a folder's path"),
        (lambda log: jm.write_outputs(log, "out"),
         "write_outputs()'s findings must be Findings, not EventLog: mine the log with "
         "jm.mine(log)"),
        (lambda log: jm.compare(jm.mine(log), log),
         "compare()'s after must be Findings, not EventLog: mine each log with jm.mine(log)"),
        (lambda log: jm.compare_split(log, 20240115),
         "the split's date must be a date or timestamp such as '2024-09-01', not 20240115"),
        (lambda log: jm.template_conformance(log, "t.toml"),
         "template_conformance()'s templates must be Templates, not str: read a templates "
         "file with jm.load_templates(path)"),
    ],
)  # fmt: skip
def test_a_wrong_argument_is_named(call, message):
    with jm.EventLog.from_frame(FRAME) as log, pytest.raises(TypeError) as caught:
        call(log)
    assert str(caught.value) == message


def test_a_role_names_a_column_as_text(tmp_path):
    path = tmp_path / "log.csv"
    FRAME.to_csv(path, index=False)
    with pytest.raises(TypeError, match=r"^read_log\(\)'s case must be str, not int: a role"):
        jm.read_log(path, case=3)


def test_a_closed_log_says_so(tmp_path):
    """Mining each log in its own `with` block and comparing after: the findings' tables
    went with the engine. The error says so, rather than DuckDB's own words."""
    with jm.EventLog.from_frame(FRAME) as log:
        found = jm.mine(log)
    closed = "the log was closed (its `with` block ended, or close() was called)"
    for call in (
        lambda: jm.mine(log),
        log.to_pandas,
        lambda: jm.write_outputs(found, tmp_path / "out"),
        lambda: jm.compare(found, found),
        lambda: jm.split_log(log, "2024-01-15"),
    ):
        with pytest.raises(EngineError) as caught:
            call()
        assert str(caught.value).startswith(closed)
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_a_templates_base_is_templates(tmp_path):
    path = Path(tmp_path, "t.toml")
    path.write_text('[[template]]\nname = "All"\nsteps = ["Open", "Close"]\n')
    with pytest.raises(TypeError, match=r"^load_templates\(\)'s base must be Templates"):
        jm.load_templates(path, base=jm.Options())
    assert [t.name for t in jm.load_templates(path, base=jm.Options().templates).templates] == [
        "All"
    ]


def test_options_the_log_was_not_read_with_are_refused(tmp_path):
    """jm.mine(log, jm.load_options(cfg)) used the config's demand and map settings but
    not its [read] and [mapping], while run.json said they were applied."""
    path = tmp_path / "log.csv"
    FRAME.assign(team=["A", "B", "A", "A"]).to_csv(path, index=False)
    options = jm.Options().replace(mapping={"team": ""}, read={"timezone": "Europe/Rome"})
    with jm.read_log(path) as log, pytest.raises(jm.ConfigError) as caught:
        jm.mine(log, options)
    assert str(caught.value) == (
        "log.csv: the options hold read settings or a mapping the log was not read with "
        "([mapping] timezone = 'Europe/Rome' (read with 'UTC'); [mapping] team = '' (read with "
        "None)): read it with them, jm.open_log(path, options), or give the same to "
        "jm.read_log"
    )
    # A read setting of the config's [mapping] section is named by that section.
    formatted = jm.Options().replace(read={"timestamp_format": "%Y-%m-%d"})
    with (
        jm.read_log(path) as log,
        pytest.raises(jm.ConfigError, match=r"\(\[mapping\] timestamp_format"),
    ):
        jm.mine(log, formatted)
    with jm.open_log(str(path), options) as log:
        found = jm.mine(log, options)
        assert (found.level, log.timezone) == (None, "Europe/Rome")  # no team: no hand-offs
    with jm.read_log(path, team="", timezone="Europe/Rome") as log:
        assert jm.mine(log, options).level is None  # the same, given to read_log
    with jm.read_log(path) as log:
        assert jm.mine(log, jm.Options()).level == "team"  # nothing to differ
    # Read with the same words as the options give them: "utc" is read as "UTC".
    with jm.read_log(path, timezone="utc") as log:
        assert jm.mine(log, jm.Options().replace(read={"timezone": "utc"})).case_count == 2


def test_a_log_whose_rows_were_all_rejected_says_how_many_and_why():
    frame = FRAME.assign(case="")  # no row has a case id
    with jm.EventLog.from_frame(frame) as log, pytest.raises(jm.EmptyLogError) as error:
        jm.mine(log)
    assert str(error.value) == (
        "data frame: no events to mine: 4 of 4 rows were rejected (no case id); see log.rejects()"
    )
