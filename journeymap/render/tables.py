"""Reading the renderers' input tables: required columns, rows, numbers and scales.

The renderers receive small pandas tables from the analyses. These helpers check the
columns, turn rows into plain dicts, read numbers (missing values become None) and
scale values to a share on 0..1, the same way for every picture.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["number", "records", "require", "scale", "values"]


def require(frame: pd.DataFrame, name: str, columns: list[str]) -> None:
    """Raise ValueError naming the columns of ``columns`` that ``frame`` lacks.

    Examples
    --------
    >>> require(pd.DataFrame({"a": [1]}), "dfg", ["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: dfg has no column 'b'; its columns are a
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} has no column {', '.join(map(repr, missing))}; "
            f"its columns are {', '.join(map(str, frame.columns))}"
        )


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts with text keys."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def number(value: Any) -> float | None:
    """A finite float, or None for None/NaN/infinity/text.

    Examples
    --------
    >>> number(3), number(None), number(float("nan")), number("x")
    (3.0, None, None, None)
    """
    if value is None:
        return None
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return found if math.isfinite(found) else None


def values(rows: list[dict[str, Any]], column: str) -> list[float]:
    """The finite numbers of ``column`` in ``rows`` (rows without the column are skipped)."""
    found = (number(row.get(column)) for row in rows)
    return [v for v in found if v is not None]


def scale(value: float | None, among: list[float]) -> float:
    """``value`` on 0..1: the square root of its share of the largest of ``among``.

    The square root keeps small counts visible next to large ones; on waits it lets
    the slowest paths stand out while minutes and hours fade next to days.

    Examples
    --------
    >>> scale(25, [25, 100]), scale(None, [1]), scale(5, [])
    (0.5, 0.0, 0.0)
    """
    top = max(among, default=0.0)
    if value is None or top <= 0:
        return 0.0
    return math.sqrt(min(max(value, 0.0) / top, 1.0))
