"""The record scan of a CSV file (:func:`csv_records.scan_records`), made by a child
process while the command line imports the rest of journeymap.

The scan needs only NumPy and runs on one core; importing pandas, Ibis and the analyses
takes more than a second on one core, and the machine's other core waits. A thread
cannot share that second: the scan's NumPy calls wait for Python's lock, which the
importing thread holds (docs/benchmarks.md, sixteenth round). A forked process has a
lock of its own. It sends its :class:`CsvRecords` back through a pipe; the reading takes
them (:func:`take_scan`) where it would have scanned, when the file, delimiter and
encoding are the ones it would have scanned with, and scans itself otherwise (also when
the child failed: then its own scan raises the error, in the usual words).

A process is forked only when it is the only thread running (a fork copies one thread,
and a lock another thread held would never be released in the child) and only on
systems that fork. Whatever the child does not hand over is stopped at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from journeymap.connectors.csv_records import CsvRecords

__all__ = ["ScanKey", "fork_scan", "take_scan"]

#: What a scan was made of: the file, its delimiter (None: guessed) and its encoding.
ScanKey = tuple[Path, str | None, str]


@dataclass
class _Child:
    pid: int
    reader: int  # the pipe's end the child's result arrives at


_children: list[_Child] = []


def fork_scan(work: Callable[[], tuple[ScanKey, CsvRecords] | None]) -> bool:
    """Run ``work`` (which scans a file, or returns None when there is none to scan) in
    a child process; return whether one was started."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no handler of the parent's, no exit of Python's
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.close(reader)
            try:
                payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # the parent scans itself, and says what went wrong
                payload = pickle.dumps(None)
            with open(writer, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(writer)
    if not _children:
        atexit.register(_stop_all)
    _children.append(_Child(pid, reader))
    return True


def take_scan(key: ScanKey) -> CsvRecords | None:
    """The records a child scanned for ``key``, waiting for it to finish; None when no
    child was started, or it scanned something else, or failed."""
    while _children:
        child = _children.pop(0)
        try:
            with open(child.reader, "rb") as pipe:
                data = pipe.read()
            os.waitpid(child.pid, 0)
            found = pickle.loads(data) if data else None
        except (OSError, pickle.UnpicklingError, EOFError):
            continue
        if found is not None and found[0] == key:
            records: CsvRecords = found[1]
            return records
    return None


def _stop_all() -> None:
    """Stop the children whose scan nobody took (the run ended before reading)."""
    while _children:
        child = _children.pop()
        with contextlib.suppress(OSError):
            os.close(child.reader)
        with contextlib.suppress(OSError):
            os.kill(child.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(child.pid, 0)
