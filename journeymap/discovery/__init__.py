"""Discovery: the directly-follows graph, activities, variants and formal models.

Everything here but :mod:`journeymap.discovery.models` runs on the engine; the models
are built by pm4py from the aggregated graph. :func:`to_pm4py` gives the events in
pm4py's form, for pm4py users.
"""

from journeymap.discovery.activities import activity_stats
from journeymap.discovery.dfg import DFG_COLUMNS, END, START, dfg
from journeymap.discovery.pm4py_log import to_pm4py
from journeymap.discovery.variants import variants

__all__ = ["DFG_COLUMNS", "END", "START", "activity_stats", "dfg", "to_pm4py", "variants"]
