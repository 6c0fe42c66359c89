"""The ``journeymap`` console script: stop cleanly even while starting, and leave
quickly once done.

Ctrl-C or SIGTERM before the command line is ready (while Python imports it) ends the
run with ``Error: interrupted`` and exit code 130, as it does later, instead of a
traceback. Then :func:`journeymap.cli.main` takes over.

Python's cyclic garbage collector runs less often than its default (every 10,000 new
objects, not 700: :data:`YOUNG_OBJECTS`). Importing pandas and Ibis and building Ibis
expressions make millions of objects that live for the whole run; with the default,
0.42 s of the sample log's `mine` went to 430 collections, against 0.17 s in 28.

NumPy is told not to ask for transparent huge pages (``NUMPY_MADVISE_HUGEPAGE=0``, read
by NumPy when it is imported; a value the user set is kept). Left alone, NumPy asks for
them for every array of 4 MB or more, and Linux by default defragments memory for a
process that asks (``/sys/kernel/mm/transparent_hugepage/defrag``: ``madvise``) while
the process waits. On this project's bench machine that made the record scan of a
10M-event file take 5.2 to 7.6 s, 3.2 to 5.6 s of it in the kernel, against 2.3 to
2.7 s without (4 runs each; docs/benchmarks.md, fourteenth round).

When the command is done, the process ends without Python taking its modules apart one
by one: with pandas, Ibis, DuckDB and Arrow loaded that teardown took 0.6-0.7 s of every
run (the sample log's `mine`: 0.72 s of 5.0; a million events: 0.66 s), and frees nothing
the operating system does not free at exit. Exit handlers still run and the output is
flushed first (:func:`leave`).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import signal
import sys
import threading

__all__ = ["YOUNG_OBJECTS", "leave", "main"]

#: New objects between two collections of the youngest generation (Python's default:
#: 700); the older generations keep their thresholds.
YOUNG_OBJECTS = 10_000


def _stopped_while_starting(signum: int, frame: object) -> None:
    print("Error: interrupted", file=sys.stderr)
    sys.exit(130)


def main() -> None:
    """Entry point of the ``journeymap`` console script."""
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")  # before NumPy is imported
    signal.signal(signal.SIGINT, _stopped_while_starting)
    signal.signal(signal.SIGTERM, _stopped_while_starting)
    from journeymap.cli import main as run

    try:
        run()
    except SystemExit as stop:
        leave(stop.code)
    leave(0)


def leave(code: object) -> None:
    """End the process with ``code`` as :class:`SystemExit` would (None is 0, a number
    is itself, anything else is printed to stderr and gives 1), after running the exit
    handlers and flushing the output, but without tearing the interpreter down.

    While a thread that is not a daemon still runs, the process ends the ordinary way,
    which waits for it.
    """
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(not t.daemon and t.is_alive() for t in others):
        raise SystemExit(code)
    atexit._run_exitfuncs()  # what Python runs at exit: temporary folders, logging
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say
            stream.flush()
    os._exit(code)
