"""The pipeline: one call computes the findings (:func:`mine`), one writes them
(:func:`write_outputs`). The command line's ``mine``, and ``batch``, ``compare`` and
templates, are these two calls."""

from journeymap.pipeline.mine import Progress, mine
from journeymap.pipeline.outputs import write_outputs
from journeymap.pipeline.reading import open_log

__all__ = ["Progress", "mine", "open_log", "write_outputs"]
