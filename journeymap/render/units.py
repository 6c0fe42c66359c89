"""Numbers and durations as people read them on a journey map.

Both functions are pure and deterministic: the same value always gives the same text,
whatever the platform. Rounding is half up on the number as Python prints it (so
``2.25`` hours is ``2.3 h``, not the ``2.2 h`` that binary floating point would give).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

__all__ = ["MISSING", "human_duration", "thousands"]

#: What a missing value (None, NaN, infinity) looks like: an en dash.
MISSING = "–"

# (unit, seconds per unit, decimals, where the next unit starts in this unit).
# Seconds and minutes are whole numbers: a wait of "12 min" reads better than
# "12.4 min", and nobody acts on the tenths. From hours on, one decimal keeps
# "1.5 d" apart from "2 d", which matters for waits a customer feels.
_UNITS: tuple[tuple[str, float, int, float], ...] = (
    ("s", 1.0, 0, 60.0),
    ("min", 60.0, 0, 60.0),
    ("h", 3600.0, 1, 24.0),
    ("d", 86400.0, 1, 7.0),
    ("wk", 604800.0, 1, math.inf),
)


_WIDE = Context(prec=400)


def _round_half_up(value: float, decimals: int) -> Decimal:
    # Decimal(repr(value)) is the shortest decimal that round-trips, i.e. the number
    # as a person would write it; rounding that avoids binary surprises.
    # A wide context, so that even absurd values (1e300 s) quantize without error.
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP, context=_WIDE)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def human_duration(seconds: float | None) -> str:
    """A duration in seconds as a short text with one unit.

    The unit is the largest one the value reaches:

    ========================  =========  ==================
    duration                  unit       shown as
    ========================  =========  ==================
    under 1 minute            seconds    ``"45 s"``
    under 1 hour              minutes    ``"12 min"``
    under 1 day               hours      ``"5.0 h"``
    under 1 week              days       ``"3.2 d"``
    1 week or more            weeks      ``"6.1 wk"``
    ========================  =========  ==================

    Seconds and minutes are whole numbers, hours, days and weeks have one decimal,
    always rounded half up, with a comma between groups of three digits. When rounding
    reaches the next unit, the next unit is used (59.6 s is ``"1 min"``, 23.97 h is
    ``"1.0 d"``). A negative duration keeps its sign. ``None``, NaN and infinity give
    ``"–"`` (an en dash).

    Parameters
    ----------
    seconds : float or None
        The duration in seconds.

    Returns
    -------
    str

    Examples
    --------
    >>> [human_duration(s) for s in (0, 45, 59.6, 720, 18000, 276480, 3689280)]
    ['0 s', '45 s', '1 min', '12 min', '5.0 h', '3.2 d', '6.1 wk']
    >>> human_duration(None), human_duration(float("nan")), human_duration(-90)
    ('–', '–', '-2 min')
    >>> human_duration(14_748_000_000)  # groups of three digits in long durations
    '24,384.9 wk'

    """
    if _is_missing(seconds):
        return MISSING
    value = float(seconds)  # type: ignore[arg-type]
    if value < 0:
        return "-" + human_duration(-value)
    for unit, size, decimals, limit in _UNITS:
        shown = _round_half_up(value / size, decimals)
        if shown < limit:
            return f"{shown:,} {unit}"
    raise AssertionError("unreachable: the last unit has no limit")  # pragma: no cover


def thousands(n: Any) -> str:
    """A count with a comma between groups of three digits, rounded half up.

    ``None`` and NaN give ``"–"`` (an en dash).

    Parameters
    ----------
    n : int or float or None
        The count.

    Returns
    -------
    str

    Examples
    --------
    >>> thousands(4210), thousands(1234567.0), thousands(0), thousands(None)
    ('4,210', '1,234,567', '0', '–')
    """
    if _is_missing(n):
        return MISSING
    return f"{int(_round_half_up(float(n), 0)):,}"
