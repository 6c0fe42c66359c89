"""The pipeline: one call computes the findings (:func:`mine`), one writes them
(:func:`write_outputs`). The command line's ``mine``, and ``batch``, ``compare`` and
templates, are these two calls: :func:`batch` mines many logs into one folder each with
an index that compares them, :func:`compare` puts two periods side by side.

Each member is imported from its module when first used: ``journeymap mine`` then loads
neither the batch runner, its index page and process pool, nor the comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.facade import lazy_members

_MEMBERS = {
    "BatchEvent": "journeymap.pipeline.batch",
    "BatchResult": "journeymap.pipeline.batch",
    "batch": "journeymap.pipeline.batch",
    "compare": "journeymap.pipeline.compare",
    "compare_split": "journeymap.pipeline.compare",
    "split_log": "journeymap.pipeline.compare",
    "write_comparison": "journeymap.pipeline.compare_outputs",
    "Progress": "journeymap.pipeline.mine",
    "mine": "journeymap.pipeline.mine",
    "write_outputs": "journeymap.pipeline.outputs",
    "open_log": "journeymap.pipeline.reading",
}

if TYPE_CHECKING:
    from journeymap.pipeline.batch import BatchEvent, BatchResult, batch
    from journeymap.pipeline.compare import compare, compare_split, split_log
    from journeymap.pipeline.compare_outputs import write_comparison
    from journeymap.pipeline.mine import Progress, mine
    from journeymap.pipeline.outputs import write_outputs
    from journeymap.pipeline.reading import open_log

__getattr__, __dir__ = lazy_members(__name__, globals(), _MEMBERS)

__all__ = [
    "BatchEvent",
    "BatchResult",
    "Progress",
    "batch",
    "compare",
    "compare_split",
    "mine",
    "open_log",
    "split_log",
    "write_comparison",
    "write_outputs",
]
