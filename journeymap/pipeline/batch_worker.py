"""Mining one log of a batch, in the batch's process or in a worker process.

:func:`mine_one` reads, mines and writes one log and returns its index row
(:func:`fresh_row` first tells whether its folder is already up to date); a log that
fails gives a row that says why, never an exception (except an interrupt). In a worker
process, :func:`init_worker` sets up the channel that carries progress messages back and
makes an interrupt (SIGINT) stop the log being mined (its staged folder is removed)
without killing the process between logs.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from journeymap.errors import JourneymapError
from journeymap.fingerprint import hash_soon
from journeymap.interrupts import note, noted
from journeymap.options import Options
from journeymap.pipeline.batch_index import empty_row, row_from_folder
from journeymap.pipeline.mine import mine
from journeymap.pipeline.outputs import write_outputs
from journeymap.pipeline.reading import open_log
from journeymap.pipeline.run_record import read_run_record, run_record, up_to_date

__all__ = ["LogTask", "failure_text", "fresh_row", "init_worker", "mine_in_worker", "mine_one"]


@dataclass(frozen=True)
class LogTask:
    """One log of a batch: its folder ``name``, the ``source`` file, the folder to write
    (``outdir``) and the options for this file."""

    name: str
    source: str
    outdir: str
    options: Options


def failure_text(exc: BaseException) -> str:
    """One line saying why a log failed.

    Examples
    --------
    >>> failure_text(ValueError("bad\\nthing"))
    'unexpected ValueError: bad / thing'
    >>> failure_text(MemoryError())
    'out of memory while mining this log; give the engine less memory per log (fewer --jobs)'
    """
    if isinstance(exc, MemoryError):
        return (
            "out of memory while mining this log; give the engine less memory per log "
            "(fewer --jobs)"
        )
    text = (
        str(exc) if isinstance(exc, JourneymapError) else f"unexpected {type(exc).__name__}: {exc}"
    )
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def fresh_row(task: LogTask) -> dict[str, Any] | None:
    """The "up to date" row of a log whose folder has the run record that mining it
    again would write (same input bytes, options and version); else None."""
    try:
        if read_run_record(task.outdir) is None:  # nothing to compare: no need to hash
            return None
        if up_to_date(task.outdir, run_record(task.source, task.options)):
            return row_from_folder(task.outdir, task.name, task.source, "up to date")
    except (OSError, ValueError):  # unreadable input or folder: mine it, and say why
        return None
    return None


def mine_one(task: LogTask, say: Callable[[str], None]) -> dict[str, Any]:
    """Mine ``task``'s log into its folder and return its index row. ``say`` is told
    each step. Errors become a failed row; KeyboardInterrupt is raised after the log's
    staged folder was removed."""
    try:
        say("reading")
        hash_soon(task.source)  # the run record's fingerprint, hashed beside the reading
        with open_log(task.source, task.options) as log:
            findings = mine(log, task.options, progress=say)
            write_outputs(findings, task.outdir, source_path=task.source, progress=say)
        return row_from_folder(task.outdir, task.name, task.source, "mined")
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # one log's failure is its row, never the batch's end
        if noted():  # what an interrupt caused (an engine's "Query interrupted")
            raise KeyboardInterrupt from exc
        return empty_row(task.name, task.source, "failed", failure_text(exc))


# -- in a worker process --------------------------------------------------------------
_channel: Any = None
_busy = False


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    """The first SIGINT stops the log being mined; between logs it is only noted (the
    logs still to come are not run)."""
    if noted():
        return
    note()
    if _busy:
        raise KeyboardInterrupt


def init_worker(channel: Any) -> None:
    """Set up a worker process: progress goes to ``channel`` (a multiprocessing queue)
    as (log name, message) pairs, and SIGINT stops the log being mined."""
    global _channel
    _channel = channel
    signal.signal(signal.SIGINT, _on_interrupt)


def mine_in_worker(task: LogTask) -> dict[str, Any]:
    """:func:`mine_one` in a worker process; an interrupt gives a "not run" row."""
    global _busy
    interrupted = empty_row(task.name, task.source, "not run", "interrupted")
    if noted():
        return interrupted

    def say(message: str) -> None:
        if _channel is not None:
            _channel.put((task.name, message))

    _busy = True
    try:
        row = mine_one(task, say)
    except KeyboardInterrupt:
        return interrupted
    finally:
        _busy = False
    return row
