"""Batch mining: many exports, one folder each, and an index that compares them.

:func:`batch` finds the logs its inputs name (:mod:`journeymap.pipeline.batch_inputs`),
mines each into ``OUTDIR/<name>/`` with the options for that file
(:meth:`~journeymap.options.Options.for_source`), and writes the index
(:mod:`journeymap.pipeline.batch_index`). A log whose folder holds a run record of the
same input bytes, options and journeymap version is not mined again. A log that fails is
a row of the index with its reason; the others go on.

With ``jobs`` above 1, logs are mined in that many worker processes at once (at most
one per thread the engine may use: ``[engine] threads``, else every core), each engine
given ``threads // jobs`` threads and a share of the memory (``[engine] memory_limit``,
else 60% of the machine's memory, divided by ``jobs``): together never more than the
machine has. A
worker that dies (out of memory, killed) fails only the log it was mining: the logs it
was mining are tried again one at a time, in a new worker, to tell which one it was.
"""

from __future__ import annotations

import contextlib
import glob
import os
import queue as queues
import re
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from journeymap.errors import ConfigError, OutputError, SourceNotFoundError
from journeymap.options import Options
from journeymap.pipeline.batch_index import check_index_folder, empty_row, write_index
from journeymap.pipeline.batch_inputs import (
    Skipped,
    content_suffixes,
    find_logs,
    known_suffixes,
    log_names,
)
from journeymap.pipeline.batch_worker import (
    LogTask,
    failure_text,
    fresh_row,
    init_worker,
    mine_in_worker,
    mine_one,
)
from journeymap.pipeline.run_record import RUN_RECORD

__all__ = ["BatchEvent", "BatchResult", "batch", "engine_share"]

#: Share of the machine's memory the workers' engines may use together.
MEMORY_SHARE = 0.6
#: Seconds a worker has to stop after an interrupt, or to exit after the last log, before
#: it is ended.
WORKER_GRACE = 30.0
#: Seconds workers have to exit once the batch has stopped them after an interrupt.
_AFTER_INTERRUPT = 5.0
_CRASHED = (
    "the process mining this log stopped (out of memory, or killed); mine fewer logs at "
    "once, or give the engine less memory ([engine] memory_limit)"
)


@dataclass(frozen=True)
class BatchEvent:
    """What a batch tells its ``progress`` callback.

    ``kind`` is ``"skipped"`` (a file ``name`` in a folder searched is not mined:
    ``message`` says why; before the plan), ``"planned"`` (once, ``total`` logs;
    ``message`` says why fewer logs
    are mined at once than ``jobs`` asked, when that is so), ``"stage"`` (log ``name``
    is at the step ``message``) or ``"done"`` (log ``name`` finished, ``row`` is its
    index row). ``done`` counts the finished logs.
    """

    kind: str
    name: str = ""
    message: str = ""
    row: dict[str, Any] | None = None
    done: int = 0
    total: int = 0


@dataclass
class BatchResult:
    """The outcome of a batch: every log's index row (in name order), the index files
    written, whether the batch was interrupted, and the files in the folders searched
    that were not mined, with why."""

    rows: list[dict[str, Any]]
    index: list[Path] = field(default_factory=list)
    interrupted: bool = False
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The rows of the logs that failed."""
        return [r for r in self.rows if r["status"] == "failed"]

    @property
    def not_run(self) -> list[dict[str, Any]]:
        """The rows of the logs that were not mined (stopped at a failure, interrupted)."""
        return [r for r in self.rows if r["status"] == "not run"]


Progress = Callable[[BatchEvent], None]
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b)\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}  # fmt: skip


def _bytes(text: str) -> int:
    found = _SIZE.match(text)
    if not found:
        raise ConfigError(f'memory_limit {text!r} is not a size; write it like "4GB" or "512MB"')
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def _machine_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return None


def engine_share(options: Options, jobs: int) -> Options:
    """The options of one of ``jobs`` logs mined at once: the engine's threads and
    memory divided between them (see the module's description). One job keeps the
    options as they are.

    Raises
    ------
    ConfigError
        ``[engine] memory_limit`` is not a size.

    Examples
    --------
    >>> shared = engine_share(
    ...     Options().replace(engine={"threads": 8, "memory_limit": "4GB"}), 3
    ... ).engine
    >>> shared.name, shared.threads, shared.memory_limit, shared.temp_directory
    ('duckdb', 2, '1271MiB', None)
    """
    if jobs <= 1:
        return options
    threads = _thread_budget(options)
    limit = options.engine.memory_limit or os.environ.get("JOURNEYMAP_MEMORY_LIMIT")
    total = _bytes(limit) if limit else _machine_memory()
    memory = None
    if total:
        base = total if limit else total * MEMORY_SHARE
        memory = f"{max(64, int(base / jobs) // 2**20)}MiB"
    return options.replace(engine={"threads": max(1, threads // jobs), "memory_limit": memory})


def batch(
    inputs: Iterable[str | Path] | str | Path,
    outdir: str | Path,
    options: Options | None = None,
    *,
    jobs: int = 1,
    force: bool = False,
    fail_fast: bool = False,
    progress: Progress | None = None,
) -> BatchResult:
    """Mine every log that ``inputs`` name into ``outdir/<name>/`` and write the index.

    Parameters
    ----------
    inputs : files, folders (searched recursively) and glob patterns; or one of them.
    outdir : the batch's folder: one folder per log, and ``index.html``, ``index.csv``,
        ``index.json``.
    options : the options (with ``[[files]]`` patterns for some files).
    jobs : how many logs to mine at once, each in its own process.
    force : mine every log, even those whose folder is up to date.
    fail_fast : stop at the first log that fails (the rest are "not run").
    progress : told of each log's steps and of each log done (:class:`BatchEvent`).

    Returns
    -------
    BatchResult
        With ``interrupted`` False; on an interrupt the index of what finished is
        written and KeyboardInterrupt is raised again.

    Raises
    ------
    SourceNotFoundError
        An input that does not exist, a pattern that matches nothing, or no log at all.
    ConfigError
        A bad ``jobs`` or engine memory setting.
    OutputError
        ``outdir`` is a file, or the index cannot be written there.
    KeyboardInterrupt
        After writing the index, when interrupted; a rerun finishes the rest.
    """
    if jobs < 1:
        raise ConfigError(f"jobs must be 1 or more, not {jobs}")
    tell = progress or (lambda event: None)
    options = options or Options()
    folder = Path(outdir)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder; choose a folder for the results")
    check_index_folder(folder)  # before anything is mined
    one = isinstance(inputs, (str, Path))  # one path, not its characters
    given = [str(inputs)] if one else [str(i) for i in inputs]  # type: ignore[union-attr]
    paths, skipped = find_logs(given, exclude=folder)
    if not paths:
        suffixes = " ".join(known_suffixes())
        sniffed = " ".join(s for s in content_suffixes() if s not in known_suffixes())
        passed = "".join(f"; {s.path.name}: {s.why}" for s in skipped[:3])
        raise SourceNotFoundError(
            f"no logs found in {', '.join(given)}; a batch reads files ending in {suffixes}, "
            f"and files ending in {sniffed} that a system's reader recognises (Jira, "
            f"ServiceNow, Zendesk, OCEL 2.0){passed}"
        )
    for left in skipped:
        tell(BatchEvent("skipped", str(left.path), left.why))
    budget = _thread_budget(options)
    workers = min(jobs, len(paths), budget)
    shared = engine_share(options, workers)
    tasks = [
        LogTask(name, str(path), str(folder / name), shared.for_source(path))
        for name, path in zip(log_names(paths), paths, strict=True)
    ]
    tell(BatchEvent("planned", total=len(tasks), message=_capped(jobs, len(tasks), options)))
    started = time.time()
    rows: dict[str, dict[str, Any]] = {}
    run = _Run(tasks, rows, tell, fail_fast)
    try:
        stale = []
        for task in tasks:  # up-to-date folders are found here, without a worker
            row = None if force else fresh_row(task)
            if row is None:
                stale.append(task)
            else:
                run.done(task, row)
        if min(workers, len(stale)) <= 1:
            run.in_process(stale)
        else:
            run.in_workers(stale, workers)
    except KeyboardInterrupt:
        for task in tasks:  # finished, but interrupted before it could say so
            if task.name not in rows and (row := fresh_row(task)) is not None:
                mtime = (Path(task.outdir) / RUN_RECORD).stat().st_mtime
                rows[task.name] = {
                    **row,
                    "status": "mined" if mtime >= started - 1 else row["status"],
                }
        _finish(tasks, rows, folder, options, skipped, interrupted=True)
        raise
    return _finish(tasks, rows, folder, options, skipped, interrupted=False)


def _thread_budget(options: Options) -> int:
    return options.engine.threads or os.cpu_count() or 1


def _capped(jobs: int, logs: int, options: Options) -> str:
    """Why fewer of the ``logs`` than ``jobs`` are mined at once, when the threads the
    engine may use are the reason ("" otherwise): each log needs a thread of its own."""
    budget = _thread_budget(options)
    if budget >= min(jobs, logs):
        return ""
    per = (
        f"engine thread ([engine] threads = {budget})"
        if options.engine.threads
        else f"core (this machine has {budget})"
    )
    return f"mining {budget} log{'s' if budget != 1 else ''} at once, not {jobs}: one per {per}"


def _finish(
    tasks: Sequence[LogTask],
    rows: dict[str, dict[str, Any]],
    folder: Path,
    options: Options,
    skipped: list[Skipped],
    *,
    interrupted: bool,
) -> BatchResult:
    why = "interrupted" if interrupted else "stopped at the first failure"
    ordered = [rows.get(t.name) or empty_row(t.name, t.source, "not run", why) for t in tasks]
    index = write_index(ordered, folder, title=options.report.title or "", skipped=skipped)
    return BatchResult(ordered, index, interrupted=interrupted, skipped=skipped)


class _Run:
    """One batch run: the tasks, the rows found so far, and how to tell progress."""

    def __init__(
        self,
        tasks: Sequence[LogTask],
        rows: dict[str, dict[str, Any]],
        tell: Progress,
        fail_fast: bool,
    ) -> None:
        self.tasks, self.rows, self.tell, self.fail_fast = tasks, rows, tell, fail_fast
        self.stop = False

    def done(self, task: LogTask, row: dict[str, Any]) -> None:
        self.rows[task.name] = row
        if row["status"] == "failed" and self.fail_fast:
            self.stop = True
        self.tell(
            BatchEvent("done", task.name, row=row, done=len(self.rows), total=len(self.tasks))
        )

    def in_process(self, tasks: Sequence[LogTask]) -> None:
        """Mine the logs one after the other in this process."""
        for task in tasks:
            if self.stop:
                break

            def say(message: str, name: str = task.name) -> None:
                self.tell(BatchEvent("stage", name, message))

            self.done(task, mine_one(task, say))

    def in_workers(self, tasks: Sequence[LogTask], jobs: int) -> None:
        """Mine the logs in ``jobs`` worker processes; after a worker died, try the logs
        it may have been mining one at a time."""
        pending = deque(tasks)
        while pending and not self.stop:
            suspects = self._pool(pending, jobs)
            for task in suspects:  # each alone: the one that kills its worker failed
                alone = deque([task])
                while alone and not self.stop:  # (again if the pool broke before it ran)
                    if self._pool(alone, 1):
                        self.done(task, empty_row(task.name, task.source, "failed", _CRASHED))

    def _pool(self, pending: deque[LogTask], jobs: int) -> list[LogTask]:
        """Run tasks from ``pending`` in a pool of ``jobs`` workers until it is empty or
        a worker dies; return the tasks that were running when one died (tasks not yet
        started stay in ``pending``)."""
        import multiprocessing  # here, not at import: `mine` alone needs no processes
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        context = _context()
        channel = context.Queue()
        others = set(multiprocessing.active_children())  # not this pool's to stop
        running: dict[Future[dict[str, Any]], LogTask] = {}
        crashed: list[LogTask] = []
        broken = False
        grace = WORKER_GRACE
        executor = ProcessPoolExecutor(
            jobs, mp_context=context, initializer=init_worker, initargs=(channel,)
        )
        try:
            with _interrupts_noted() as interrupted:
                while (pending and not self.stop and not broken) or running:
                    while pending and not self.stop and not broken and len(running) < jobs:
                        task = pending.popleft()
                        try:
                            running[executor.submit(mine_in_worker, task)] = task
                        except BrokenProcessPool:  # a worker died between logs
                            pending.appendleft(task)
                            broken = True
                    finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                    if interrupted():
                        raise KeyboardInterrupt
                    self._relay(channel)
                    for future in finished:
                        task = running.pop(future)
                        try:
                            row = future.result()
                        except BrokenProcessPool:
                            crashed.append(task)
                            broken = True
                            continue
                        except Exception as exc:  # a task that could not reach a worker
                            row = empty_row(task.name, task.source, "failed", failure_text(exc))
                        self.done(task, row)
                    if broken and not running:
                        break
        except KeyboardInterrupt:
            grace = _AFTER_INTERRUPT  # told to stop and waited for (a second Ctrl-C: less)
            self._interrupt(running, others)
            raise
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
            _end_workers(others, grace)
            executor.shutdown(wait=True)
            channel.close()
        return crashed

    def _relay(self, channel: Any) -> None:
        """Pass the workers' progress messages on."""
        while True:
            try:
                name, message = channel.get_nowait()
            except (queues.Empty, OSError, ValueError, EOFError):
                return
            self.tell(BatchEvent("stage", name, message))

    def _interrupt(self, running: dict[Future[dict[str, Any]], LogTask], others: set[Any]) -> None:
        """Stop: cancel what has not started, interrupt the workers (each removes its
        unfinished folder) and keep the rows of logs that finished meanwhile. A worker
        that has not stopped after :data:`WORKER_GRACE` seconds is ended, and the folder
        it was writing removed."""
        self.stop = True
        for future in running:
            future.cancel()
        for worker in _workers(others):
            with contextlib.suppress(OSError):  # a worker that has ended meanwhile
                if worker.pid:  # (pid 0 would be this whole process group)
                    os.kill(worker.pid, signal.SIGINT)
        finished, unfinished = wait(running, timeout=WORKER_GRACE)
        for future in finished:
            if future.cancelled() or future.exception() is not None:
                continue
            row = future.result()
            if row["status"] != "not run":
                self.done(running[future], row)
        if unfinished:
            _end_workers(others, 0)
            for future in unfinished:
                _remove_staged(Path(running[future].outdir))


@contextlib.contextmanager
def _interrupts_noted() -> Iterator[Callable[[], bool]]:
    """While the pool runs, SIGINT (and SIGTERM, when a handler stops the run on it) is
    noted rather than raised wherever this thread happens to be: inside the executor's
    or the queue's locks, an interrupt could leave a lock held and the batch waiting on
    it for ever. The pool's loop asks the function given and stops at its next turn.
    Outside the main thread signals cannot be caught; nothing is changed there."""
    noted: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        noted.append(signum)

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, note)
        if callable(signal.getsignal(signal.SIGTERM)):
            previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, note)
    try:
        yield lambda: bool(noted)
    finally:
        for signum, handler in previous.items():  # None: set outside Python
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)


def _workers(others: set[Any]) -> list[Any]:
    """The worker processes of a pool: this process's children but ``others``."""
    import multiprocessing

    return [child for child in multiprocessing.active_children() if child not in others]


def _end_workers(others: set[Any], grace: float) -> None:
    """Wait up to ``grace`` seconds for the pool's workers to exit, then kill those still
    there: a worker stuck on its way out (a lock an interrupt left held) must not keep
    the batch from ending. Their work is done or abandoned by then."""
    deadline = time.monotonic() + grace
    for worker in _workers(others):
        worker.join(max(0.0, deadline - time.monotonic()))
    for worker in _workers(others):
        worker.kill()
        worker.join(5)


def _remove_staged(outdir: Path) -> None:
    """Remove the half-written folders a killed worker left beside ``outdir``."""
    for leftover in outdir.parent.glob(f".{glob.escape(outdir.name)}.*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)


def _context() -> Any:
    """Workers start from a fork server that imported journeymap once (spawn where
    there is none)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["journeymap.pipeline.batch_worker"])
    return context
