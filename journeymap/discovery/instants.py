"""The time between two instants, on the engine (used by the ordering of events and by
the per-case times); defined with the ordering, in :mod:`journeymap.event_order`."""

from __future__ import annotations

from journeymap.event_order import seconds_between

__all__ = ["seconds_between"]
