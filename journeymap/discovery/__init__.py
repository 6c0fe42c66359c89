"""Discovery: the directly-follows graph, activities, variants and formal models.

Everything here but :mod:`journeymap.discovery.models` runs on the engine; the models
are built by pm4py from the aggregated graph.
"""

from journeymap.discovery.activities import activity_stats
from journeymap.discovery.dfg import DFG_COLUMNS, END, START, dfg
from journeymap.discovery.variants import variants

__all__ = ["DFG_COLUMNS", "END", "START", "activity_stats", "dfg", "variants"]
