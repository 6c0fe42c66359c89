"""How a batch shows its progress: a progress bar on a terminal, lines in a pipe.

On a terminal, a ``rich`` progress bar counts the logs, with a line per log being mined
that shows its current step; each finished log leaves a line above the bar. When stderr
is not a terminal, only the line per finished log is printed. ``--quiet`` prints only
the logs that failed. Everything goes to stderr; log names are printed as text, never
read as markup.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import Any

import click

from journeymap.errors import as_flags

__all__ = ["BatchDisplay", "done_line"]


def done_line(event: Any) -> str:
    """The line for a finished log: ``[3/20] may: mined, 1,350 cases``.

    Examples
    --------
    >>> from journeymap.pipeline.batch import BatchEvent
    >>> done_line(BatchEvent("done", "may", row={"status": "failed", "error": "bad row"},
    ...                      done=3, total=20))
    '[3/20] may: failed: bad row'
    >>> done_line(BatchEvent("done", "one", row={"status": "mined", "cases": 1}, done=1, total=1))
    '[1/1] one: mined, 1 case'
    """
    row = event.row or {}
    status = row.get("status", "")
    text = f"[{event.done}/{event.total}] {event.name}: {status}"
    if status == "failed":
        return f"{text}: {row.get('error') or 'no reason given'}"
    if row.get("cases") is not None:
        return f"{text}, {row['cases']:,} {'case' if row['cases'] == 1 else 'cases'}"
    return text


class BatchDisplay:
    """The progress of one batch; use it as a context manager and pass :meth:`event`
    to :func:`journeymap.batch` as ``progress``."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self.live = sys.stderr.isatty() and not quiet
        self._progress: Any = None
        self._overall: Any = None
        self._logs: dict[str, Any] = {}

    def __enter__(self) -> BatchDisplay:
        if self.live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def event(self, event: Any) -> None:
        """Show one :class:`~journeymap.pipeline.batch.BatchEvent`."""
        if event.kind == "skipped":
            if not self.quiet:
                click.echo(f"journeymap: not mined: {event.name}: {event.message}", err=True)
            return
        if event.kind == "planned":
            if event.message and not self.quiet:
                click.echo(f"journeymap: {as_flags(event.message)}", err=True)
            if self._progress is not None:
                self._overall = self._progress.add_task("logs", total=event.total)
            return
        if event.kind == "stage":
            if self._progress is None:
                return
            task = self._logs.get(event.name)
            text = f"  {event.name}: {event.message}"
            if task is None:
                self._logs[event.name] = self._progress.add_task(text, total=None)
            else:
                self._progress.update(task, description=text)
            return
        line = done_line(event)
        failed = (event.row or {}).get("status") == "failed"
        if self._progress is not None:
            task = self._logs.pop(event.name, None)
            if task is not None:
                self._progress.remove_task(task)
            self._progress.console.print(as_flags(line), markup=False, highlight=False)
            self._progress.advance(self._overall)
        elif failed or not self.quiet:
            click.echo(f"journeymap: {as_flags(line)}", err=True)

    def finished(self, rows: list[dict[str, Any]], index: Path) -> None:
        """The last line: where the index is, and how the batch went."""
        if not self.quiet:
            from journeymap.render.change_words import batch_summary  # pandas: when used

            summary = batch_summary([str(r["status"]) for r in rows])
            click.echo(f"Wrote {index} ({summary})", err=True)
