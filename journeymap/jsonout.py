"""Deterministic JSON: UTC timestamps in ISO 8601 and rounded floats."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.errors import as_flags

__all__ = ["flagged", "iso_day", "iso_utc", "plain", "write_json"]


def iso_utc(value: Any) -> str | None:
    """An instant as ISO 8601 in UTC with a ``Z``; fractions only when present.

    Examples
    --------
    >>> iso_utc(pd.Timestamp("2024-03-04 10:15:00+01:00"))
    '2024-03-04T09:15:00Z'
    >>> iso_utc(None) is None
    True
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    text = ts.strftime("%Y-%m-%dT%H:%M:%S")
    if ts.microsecond:
        text += f".{ts.microsecond:06d}".rstrip("0")
    return text + "Z"


def iso_day(value: Any) -> str:
    """The UTC date of an instant, ``YYYY-MM-DD``; ``"?"`` when there is none.

    Examples
    --------
    >>> iso_day(pd.Timestamp("2024-03-04 23:30:00-02:00"))
    '2024-03-05'
    """
    stamp = iso_utc(value)
    return stamp[:10] if stamp else "?"


def flagged(value: Any) -> Any:
    """``value`` with the options its texts name written as command-line flags (as
    :func:`plain` writes them), and nothing else changed: for JSON whose numbers stay
    as they are."""
    if isinstance(value, dict):
        return {k: flagged(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [flagged(v) for v in value]
    return as_flags(value) if isinstance(value, str) else value


def plain(value: Any, decimals: int = 3) -> Any:
    """JSON-ready data: numpy numbers to Python, floats rounded, NaN to None.

    Floats keep ``decimals`` decimals; one that they would show as less than two
    significant digits (under 0.01 with 3) keeps two, as the report shows it: 11
    hand-offs in 4,580 cases are 0.0024 a case, not 0.002.

    Examples
    --------
    >>> plain({"a": 1 / 3, "b": float("nan"), "c": [2.0, 3]})
    {'a': 0.333, 'b': None, 'c': [2, 3]}
    >>> plain([11 / 4580, 0.0512, -2.04e-7, 0.0])
    [0.0024, 0.051, -2e-07, 0]

    Text naming an option (:func:`journeymap.errors.option`) names it as the command
    line takes it, as the terminal and the report do (the Python API's errors name it as
    a keyword):

    >>> from journeymap.errors import option
    >>> plain(f"or give {option('period', 'START..END')}")
    'or give --period START..END'
    """
    if isinstance(value, str):
        return as_flags(value)
    if isinstance(value, dict):
        return {str(k): plain(v, decimals) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, decimals) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value and abs(value) < 10 ** (1 - decimals):
            decimals = max(decimals, 1 - math.floor(math.log10(abs(value))))
        rounded = round(value, decimals)
        return int(rounded) if rounded.is_integer() else rounded
    return value


def write_json(data: Any, path: str | Path) -> Path:
    """Write ``plain(data)`` as indented UTF-8 JSON ending in a newline."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(plain(data), indent=2, ensure_ascii=False)
    target.write_text(text + "\n", encoding="utf-8")
    return target
