"""The defaults of the reintegration plan's grouping (the ``[reintegration]`` section of
the config; see :mod:`journeymap.analysis.reintegration_plan`). Kept apart from the
analysis so that reading the options does not load the engine."""

from __future__ import annotations

__all__ = ["MAX_GROUP", "MIN_JOIN_SHARE"]

#: The most handlers a group holds, by default.
MAX_GROUP = 3
#: A join must bring at least this share of the wait inside the joined group, by default.
MIN_JOIN_SHARE = 0.1
