"""The ``--steps`` clock of the bench scripts: each step's seconds, to stderr."""

from __future__ import annotations

import sys
import time


class StepClock:
    """Call with a step's name when the step is done: prints the wall seconds and the
    process's CPU seconds (all threads, user + system) since the previous call (or
    since it was made) when ``enabled``. On a shared machine the CPU seconds move less
    than the wall seconds."""

    def __init__(self, enabled: bool, width: int = 32) -> None:
        self.enabled, self.width = enabled, width
        self.last, self.last_cpu = time.perf_counter(), time.process_time()

    def __call__(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if self.enabled:
            wall, used = now - self.last, cpu - self.last_cpu
            print(f"{name:<{self.width}} {wall:6.2f} s wall {used:6.2f} s CPU", file=sys.stderr)
        self.last, self.last_cpu = now, cpu
