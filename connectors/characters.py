"""Characters every reader treats alike, whatever the source: the blanks trimmed from
values, and the invisible characters that change the direction text is shown in."""

from __future__ import annotations

__all__ = ["BLANKS", "DIRECTION_CONTROLS"]

#: What is trimmed from either end of a value read from a source: every character
#: Python's ``str.strip()`` removes (spaces, tabs, line breaks, and the non-breaking
#: and other Unicode spaces that exports carry). Written out: computing it scans every
#: code point, a tenth of a second at each start (tests/test_connectors_base.py checks it).
BLANKS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

#: Characters that change the direction text is shown in, invisibly (a right-to-left
#: override can make "exe.gnp" read "png.exe"): reading counts them, pictures and pages
#: show them as U+FFFD (:mod:`journeymap.render.text`).
DIRECTION_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
