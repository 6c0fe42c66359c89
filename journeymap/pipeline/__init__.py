"""The pipeline: one call computes the findings (:func:`mine`), one writes them
(:func:`write_outputs`). The command line's ``mine``, and ``batch``, ``compare`` and
templates, are these two calls: :func:`batch` mines many logs into one folder each with
an index that compares them, :func:`compare` puts two periods side by side."""

from journeymap.pipeline.batch import BatchEvent, BatchResult, batch
from journeymap.pipeline.compare import compare, compare_split, split_log
from journeymap.pipeline.compare_outputs import write_comparison
from journeymap.pipeline.mine import Progress, mine
from journeymap.pipeline.outputs import write_outputs
from journeymap.pipeline.reading import open_log

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
