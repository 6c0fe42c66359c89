"""The text rules every reader shares (journeymap.connectors.base)."""

from journeymap.connectors.base import BLANKS


def test_blanks_are_what_str_strip_removes():
    # Written out in the module so that no start-up scans every code point.
    assert "".join(chr(i) for i in range(0x110000) if chr(i).isspace()) == BLANKS
    assert f"{BLANKS}x{BLANKS}".strip() == "x"
