"""Graphviz's ``dot``: the one place journeymap runs it, through the graphviz package.

The journey map, the hand-off network and the process models are all laid out and drawn
by :func:`run_dot`. It runs ``dot`` the way :func:`graphviz.pipe` does (the same
command, from :mod:`graphviz`'s backend, and its :class:`graphviz.ExecutableNotFound`
and :class:`graphviz.CalledProcessError`), adding what ``graphviz.pipe`` cannot be told:
a time limit, PNGs at 144 dpi, and a fixed PDF time stamp. The same DOT always gives the
same bytes. :class:`DotRuns` runs several at once, beside the work that goes on.
"""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor

from journeymap.errors import MissingDependencyError, RenderError

__all__ = ["OUTPUT_FORMATS", "DotRuns", "run_dot"]

#: Formats :func:`run_dot` produces (``plain`` is Graphviz's layout as text).
OUTPUT_FORMATS = ("svg", "png", "pdf", "plain")
# PNG only: 96 dpi (Graphviz's default) makes 13 pt text too small on today's screens.
PNG_DPI = 144
_PDF_DATE = re.compile(rb"(/CreationDate \(D:)\d{14}")
_INSTALL = (
    "Install Graphviz (Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install "
    "graphviz`; others: https://graphviz.org/download/) and run again."
)


def run_dot(
    source: str, format: str, *, timeout: float = 300.0, what: str = "the picture"
) -> bytes:
    """Lay out DOT ``source`` with Graphviz's ``dot`` and return the output in ``format``.

    PNGs are drawn at 144 dpi; a PDF's creation date is fixed (1970-01-01), so that
    the same source always gives the same bytes. ``what`` names the picture in error
    messages.

    Raises
    ------
    ValueError
        For an unknown format.
    MissingDependencyError
        When Graphviz's ``dot`` program is not on the PATH (Debian's package
        ``graphviz`` installs it).
    RenderError
        When ``dot`` fails or takes longer than ``timeout`` seconds.

    Examples
    --------
    >>> run_dot("digraph { a -> b }", "svg").startswith(b"<?xml")
    True
    """
    if format not in OUTPUT_FORMATS:
        raise ValueError(f"cannot draw format {format!r}; choose from {', '.join(OUTPUT_FORMATS)}")
    import graphviz  # on the first picture: the import takes a fifth of a second
    from graphviz.backend import dot_command, execute

    # graphviz.pipe("dot", format, data)'s command, and its runner, which passes the time
    # limit and the environment on to subprocess.run.
    command = dot_command.command("dot", format)
    if format == "png":
        command.append(f"-Gdpi={PNG_DPI}")
    # Cairo stamps PDFs with the time unless SOURCE_DATE_EPOCH fixes it.
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
    try:
        done = execute.run_check(
            command,
            input=source.encode("utf-8"),
            capture_output=True,
            quiet=True,
            timeout=timeout,
            env=env,
        )
    except graphviz.ExecutableNotFound:
        raise MissingDependencyError(
            f"Graphviz's `dot` program was not found on the PATH, so {what} could not be "
            f"drawn. {_INSTALL}"
        ) from None
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"Graphviz took longer than {timeout:g} s to draw {what} as {format}; it is too "
            "large to draw: show fewer activities and paths, or allow more time"
        ) from None
    except graphviz.CalledProcessError as exc:
        # dot can print hundreds of diagnostic lines; the first few say what failed.
        stderr = exc.stderr or b""
        why = " / ".join(stderr.decode("utf-8", "replace").strip().splitlines()[:3])
        raise RenderError(
            f"Graphviz could not draw {what} as {format}: {why or 'no message'}"
        ) from None
    output = bytes(done.stdout)
    if format == "pdf":
        return _PDF_DATE.sub(rb"\g<1>19700101000000", output)
    return output


class DotRuns:
    """:func:`run_dot` on several pictures at once, while the caller goes on.

    Each ``dot`` is a process of its own, so the pictures are laid out side by side (as
    many as the machine has cores, at least two), and beside what the caller does
    meanwhile (writing tables, drawing charts). :meth:`start` returns a future whose
    ``result()`` is :func:`run_dot`'s (its bytes, or its error); the same source in the
    same format is drawn once, and its future returned again. Leaving the ``with``
    block cancels the pictures not yet started and waits for those being drawn, as a
    single :func:`run_dot` would be waited for.

    Examples
    --------
    >>> with DotRuns() as runs:
    ...     svg = runs.start("digraph { a -> b }", "svg")
    ...     plain = runs.start("digraph { a -> b }", "plain")
    ...     svg.result().startswith(b"<?xml"), plain.result().startswith(b"graph")
    (True, True)
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=max(2, os.cpu_count() or 1), thread_name_prefix="journeymap-dot"
        )
        self._started: dict[tuple[str, str], Future[bytes]] = {}

    def start(
        self, source: str, format: str, *, timeout: float = 300.0, what: str = "the picture"
    ) -> Future[bytes]:
        """Start laying out ``source`` in ``format`` (arguments as :func:`run_dot`'s),
        unless it was started already."""
        key = (format, source)
        if key not in self._started:
            self._started[key] = self._pool.submit(
                run_dot, source, format, timeout=timeout, what=what
            )
        return self._started[key]

    def __enter__(self) -> DotRuns:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
