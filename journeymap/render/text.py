"""Log-derived text as it is shown: nothing invisible, nothing endless.

Every picture and page journeymap draws shows names from the log (activities, teams,
people, demand types). Before they are escaped for SVG, DOT or HTML they pass through
:func:`visible`: control characters, which XML cannot hold, and the invisible
characters that reorder text (right-to-left overrides and isolates, used to disguise
what a label says) are shown as U+FFFD, and a name longer than the place it is shown in
is cut with an ellipsis. The tables keep every value whole, as read.
"""

from __future__ import annotations

import re
from typing import Any

from journeymap.connectors.base import DIRECTION_CONTROLS
from journeymap.errors import as_flags

__all__ = ["DIRECTION_CONTROLS", "visible"]

#: Characters that would not show, or would show misleadingly: control characters,
#: lone surrogates, non-characters, direction controls, and the zero-width space, word
#: joiner and byte order mark (zero-width joiners stay: scripts and emoji need them).
_HIDDEN = re.compile(
    f"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff\u200b\u2060\ufeff{DIRECTION_CONTROLS}]"
)


def visible(value: Any, *, limit: int | None = None) -> str:
    """``value`` as text to show: line ends as ``\\n``, tabs as spaces, hidden
    characters as U+FFFD, and at most ``limit`` characters (the last an ellipsis). An
    option a note names (:func:`journeymap.errors.option`) reads as the command line
    takes it, ``--timestamp-format %m/%d/%Y``, as the terminal says it.

    Examples
    --------
    >>> visible("Pay\\u202egnp.exe\\r\\nnow\\tplease")
    'Pay\\ufffdgnp.exe\\nnow please'
    >>> visible("Council tax discount, single person", limit=20)
    'Council tax discoun…'
    """
    text = as_flags(str(value)).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _HIDDEN.sub("\ufffd", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
