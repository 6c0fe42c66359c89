"""Numbers for people: counts, durations, ratios and shares as journeymap writes them.

Every number a person reads (on a map, in the report, in summary.json) is formatted
here, from the plain numbers the analyses return. All functions are pure and
deterministic: the same value always gives the same text, whatever the platform.
Rounding is half up on the number as Python prints it (so ``2.25`` hours is ``2.3 h``,
not the ``2.2 h`` that binary floating point would give).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

__all__ = [
    "MISSING",
    "counted",
    "human_duration",
    "one_or_many",
    "ratio_text",
    "share_of",
    "thousands",
    "wait_text",
]


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
_DAY = 86400.0


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
    >>> human_duration(-0.38)  # a change that rounds to nothing has no sign
    '0 s'
    >>> human_duration(14_748_000_000)  # groups of three digits in long durations
    '24,384.9 wk'

    """
    if _is_missing(seconds):
        return MISSING
    value = float(seconds)  # type: ignore[arg-type]
    if value < 0:
        positive = human_duration(-value)
        return positive if positive == "0 s" else "-" + positive  # no "-0 s"
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


def counted(n: Any, noun: str, plural: str | None = None) -> str:
    """A count and its noun, which is singular for one.

    Examples
    --------
    >>> counted(1, "case"), counted(1350, "case"), counted(0, "activity", "activities")
    ('1 case', '1,350 cases', '0 activities')
    """
    shown = thousands(n)
    return f"{shown} {noun if shown == '1' else plural or noun + 's'}"


def one_or_many(n: Any, one: str, many: str) -> str:
    """``one`` for a count of one, else ``many``: the verb or pronoun that agrees with a
    count :func:`counted` writes.

    Examples
    --------
    >>> one_or_many(1, "has", "have"), one_or_many(3, "has", "have")
    ('has', 'have')
    """
    return one if thousands(n) == "1" else many


def ratio_text(value: Any) -> str:
    """A ratio such as hand-offs per case: two decimals; a positive one that two
    decimals would show as 0.00 keeps two significant digits, so that a few hand-offs
    in many cases never read as none. ``None`` and NaN give ``"–"``.

    Examples
    --------
    >>> ratio_text(1.5), ratio_text(11 / 4580), ratio_text(0), ratio_text(None)
    ('1.50', '0.0024', '0.00', '–')
    >>> ratio_text(0.004996), ratio_text(2e-7)
    ('0.0050', '0.00000020')
    """
    if _is_missing(value):
        return MISSING
    number = float(value)
    if number == 0 or abs(number) >= 0.005:
        return f"{number:.2f}"
    # Two significant digits: as many decimals as reach the second one.
    decimals = 1 - math.floor(math.log10(abs(float(f"{number:.1e}"))))
    return f"{number:.{decimals}f}"


def wait_text(seconds: float | None) -> str:
    """A waiting time as text, read in days as customers count them: the sum of many
    customers' waits, or the end-to-end times side by side on the report's tiles (a
    median of 4.6 days beside a 90th percentile of 8.4, not 1.2 weeks).

    Under one day it is :func:`human_duration` (``"45 s"``,
    ``"12 min"``, ``"5.0 h"``). From one day on it is in days: one decimal below ten
    days (``"3.2 days"``), whole days with thousands separators from ten days on
    (``"1,230 days"``); never weeks, which read badly for a total. Rounding is half up;
    when it reaches the next rule, the next rule is used. A change that shortened a wait
    keeps its sign. ``None`` and NaN give ``"–"``.

    Examples
    --------
    >>> [wait_text(s) for s in (720, 18000, 86400, 276480, 106272000, None)]
    ['12 min', '5.0 h', '1.0 day', '3.2 days', '1,230 days', '–']
    >>> wait_text(-345600), wait_text(-0.38)
    ('-4.0 days', '0 s')
    """
    text = human_duration(seconds)
    if text.startswith("-"):
        return f"-{wait_text(-float(seconds))}"  # type: ignore[arg-type]
    if text == MISSING or text.endswith((" s", " min", " h")):
        return text
    days = float(seconds) / _DAY  # type: ignore[arg-type]
    shown = Decimal(repr(days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if shown < 10:
        return f"{shown} {'day' if shown == 1 else 'days'}"
    return f"{thousands(days)} days"


def share_of(part: int, whole: int) -> str:
    """``"21%"``: a share of a whole, whole percent (one decimal under 10%, "under
    0.1%" for a sliver); a share short of the whole that rounds to it has one decimal,
    or is "over 99.9%" (3 cases in 4,580 without are not none).

    Examples
    --------
    >>> share_of(927, 1350), share_of(5, 4580), share_of(1, 10_000), share_of(0, 1)
    ('69%', '0.1%', 'under 0.1%', '0%')
    >>> share_of(4577, 4580), share_of(9999, 10_000), share_of(4580, 4580)
    ('99.9%', 'over 99.9%', '100%')
    """
    if not whole or not part:
        return "0%"
    value = 100 * part / whole
    if 0 < value < 0.05:
        return "under 0.1%"
    if part < whole and value >= 99.5:  # would round to the whole
        return "over 99.9%" if value >= 99.95 else f"{_round_half_up(value, 1)}%"
    return f"{_round_half_up(value, 1 if value < 10 else 0)}%"


def _number(value: float, *, whole: bool = False) -> str:
    """Rounded half up with thousands separators: whole numbers from 10 on (or always,
    with ``whole``), one decimal below (no trailing .0)."""
    places = Decimal(1) if whole or abs(value) >= 10 else Decimal("0.1")
    shown = Decimal(repr(float(value))).quantize(places, rounding=ROUND_HALF_UP)
    text = f"{shown:,}"
    return text[:-2] if text.endswith(".0") else text
