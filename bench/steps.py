"""The ``--steps`` clock of the bench scripts: each step's seconds, to stderr."""

from __future__ import annotations

import sys
import time


class StepClock:
    """Call with a step's name when the step is done: prints the seconds since the
    previous call (or since it was made) when ``enabled``."""

    def __init__(self, enabled: bool, width: int = 32) -> None:
        self.enabled, self.width = enabled, width
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.enabled:
            print(f"{name:<{self.width}} {now - self.last:6.2f} s", file=sys.stderr)
        self.last = now
