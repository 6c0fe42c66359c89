"""The TOML configuration file: checked keys and types, errors naming the key and file,
and the options it sets (journeymap.options)."""

from __future__ import annotations

import pytest

from journeymap.errors import ConfigError
from journeymap.options import Options
from journeymap.options_file import load_options


def test_reads_sections(write_file):
    path = write_file(
        "c.toml",
        '[read]\nsep = ";"\nstrict = true\n[mapping]\ncase = "SR"\ntimezone = "Europe/London"\n'
        '[map]\nlanes = "none"\nactivities_pct = 50\n[output]\nformats = ["svg", "png"]\n'
        '[engine]\nmemory_limit = "1GB"\n[flow]\ndirty_activities = ["Ask"]\n',
    )
    options = load_options(path)
    assert (options.read.sep, options.read.strict, options.read.timezone) == (
        ";",
        True,
        "Europe/London",
    )
    assert options.mapping == {"case": "SR"}
    assert (options.map.lanes, options.map.activities_pct) == ("none", 50)
    assert options.output.formats == ("svg", "png")
    assert options.engine.memory_limit == "1GB"
    assert options.flow.dirty_activities == ("Ask",)
    assert options.source == str(path)


def test_defaults_without_a_file():
    assert load_options(None) == Options()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[mapping]\ncase = 3\n", "c.toml: mapping.case must be a string, not 3"),
        ("[read]\nstrict = 'yes'\n", "c.toml: read.strict must be true or false, not 'yes'"),
        ("[mapings]\n", "c.toml: unknown section [mapings] (did you mean 'mapping'?)"),
        ("[read]\nseparator = ';'\n", "c.toml: unknown key read.separator"),
        ("[read\n", "c.toml: not valid TOML"),
        ("read = 1\n", "c.toml: read must be a [read] table"),
        ("[map]\nview = 'sideways'\n", "c.toml: map.view must be one of frequency"),
        ("[map]\npaths_pct = 0\n", "c.toml: map.paths_pct must be a percentage above 0"),
        ("[output]\nformats = ['gif']\n", "c.toml: output.formats must be one of svg, png, pdf"),
        ("[flow]\ndirty_activities = 'x'\n", "flow.dirty_activities must be a list of strings"),
        ("[read]\nsheet = true\n", "read.sheet must be a string or a whole number, not True"),
    ],
)
def test_errors_name_the_file_and_key(write_file, text, message):
    with pytest.raises(ConfigError) as info:
        load_options(write_file("c.toml", text))
    assert message in str(info.value)


def test_a_sheet_is_given_by_name_or_number(write_file):
    """As --sheet 2 gives the second sheet, so does [read] sheet = 2 (it was refused:
    "must be a string")."""
    assert load_options(write_file("n.toml", "[read]\nsheet = 2\n")).read.sheet == "2"
    assert load_options(write_file("s.toml", "[read]\nsheet = 'Log'\n")).read.sheet == "Log"


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_options(tmp_path / "none.toml")


def test_replace_overlays_given_values_only(write_file):
    options = load_options(write_file("c.toml", '[map]\nlanes = "none"\nview = "performance"\n'))
    changed = options.replace(map={"lanes": "team", "view": None}, mapping={"case": "Id"})
    assert (changed.map.lanes, changed.map.view, changed.mapping) == (
        "team",
        "performance",
        {"case": "Id"},
    )
    with pytest.raises(ConfigError, match="unknown map option 'lane' \\(did you mean 'lanes'"):
        options.replace(map={"lane": "team"})
    with pytest.raises(ConfigError, match="unknown role 'ticket'"):
        options.replace(mapping={"ticket": "Id"})
