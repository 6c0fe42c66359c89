"""The time between two instants, on the engine (used by the ordering of events and by
the per-case times)."""

from __future__ import annotations

from typing import Any

__all__ = ["seconds_between"]


def seconds_between(later: Any, earlier: Any) -> Any:
    """Ibis expression: seconds from ``earlier`` to ``later`` (timestamps), as a float,
    exact to the microsecond on every engine (epoch seconds lose the fraction on Spark)."""
    return later.delta(earlier, unit="microsecond").cast("float64") / 1e6
