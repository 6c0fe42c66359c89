"""The TOML configuration file: checked keys and types, errors naming the key and file."""

from __future__ import annotations

import pytest

from journeymap.config import load_config
from journeymap.errors import ConfigError


def test_reads_sections(write_file):
    path = write_file("c.toml", '[read]\nsep = ";"\nstrict = true\n[mapping]\ncase = "SR"\n')
    config = load_config(path)
    assert config.section("read") == {"sep": ";", "strict": True}
    assert config.section("mapping") == {"case": "SR"}
    assert config.section("demand") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[mapping]\ncase = 3\n", "c.toml: mapping.case must be a string, not 3"),
        ("[read]\nstrict = 'yes'\n", "c.toml: read.strict must be true or false, not 'yes'"),
        ("[mapings]\n", "c.toml: unknown section [mapings] (did you mean 'mapping'?)"),
        ("[read]\nseparator = ';'\n", "c.toml: unknown key read.separator"),
        ("[read\n", "c.toml: not valid TOML"),
        ("read = 1\n", "c.toml: read must be a [read] table"),
    ],
)
def test_errors_name_the_file_and_key(write_file, text, message):
    with pytest.raises(ConfigError) as info:
        load_config(write_file("c.toml", text))
    assert message in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "none.toml")
