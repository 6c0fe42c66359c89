"""What the bench scripts share: the ``--steps`` clock (each step's seconds, to
stderr), and compiling the project before it is timed."""

from __future__ import annotations

import compileall
import importlib.util
import sys
import time


def compile_project() -> None:
    """Write the bytecode of the journeymap that this interpreter imports (the package
    and its connectors), as a first run on a user's machine does. Where
    PYTHONDONTWRITEBYTECODE is set (this sandbox sets it), an editable install is
    otherwise compiled from source at every start: 0.45 s of a 1M-event run. pm4py's
    packages were compiled when pip installed them."""
    for package in ("journeymap", "journeymap.connectors"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)


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
