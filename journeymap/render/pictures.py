"""Pictures from DOT: the ``.dot`` file and the pictures Graphviz draws from it
(through :func:`journeymap.dot.run_dot`, the one place ``dot`` is run).

:func:`draw` draws and writes at once; :func:`start_drawing` starts the pictures on a
:class:`~journeymap.dot.DotRuns` and :meth:`Drawing.finish` writes them when the caller
is ready, so that Graphviz lays them out while other work goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from journeymap.dot import DotRuns

__all__ = ["DRAW_FORMATS", "Drawing", "draw", "start_drawing"]

#: Picture formats :func:`draw` writes besides the ``.dot`` file.
DRAW_FORMATS = ("svg", "png", "pdf")


def draw(
    dot_source: str, stem: Path, formats: Sequence[str], *, timeout: float = 300.0
) -> list[Path]:
    """Write ``stem.dot`` and, with Graphviz's ``dot``, a picture in each format.

    ``stem.dot`` is always written first (so it exists even when ``dot`` is missing);
    then ``stem.svg``, ``stem.png`` and ``stem.pdf`` for the formats asked for. The
    suffix is added to the whole file name (``map.v2`` gives ``map.v2.svg``). PNGs are
    drawn at 144 dpi. A picture is written only once ``dot`` has succeeded.

    Parameters
    ----------
    dot_source : str
        DOT text, as :func:`journey_dot` returns.
    stem : pathlib.Path
        The path of the files without their suffix; missing folders are created.
    formats : sequence of {"svg", "png", "pdf"}
        The pictures to draw; repeats are drawn once.
    timeout : float
        Seconds to allow ``dot`` for each picture.

    Returns
    -------
    list of pathlib.Path
        The files written: the ``.dot`` file, then one per format, in the order asked.

    Raises
    ------
    ValueError
        For an unknown format.
    MissingDependencyError
        When Graphviz's ``dot`` program is not on the PATH.
    RenderError
        When ``dot`` fails or runs out of time.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in draw("digraph { a -> b }", Path(folder) / "journey", ["svg"])]
    ['journey.dot', 'journey.svg']
    """
    with DotRuns() as runs:
        return start_drawing(dot_source, stem, formats, runs, timeout=timeout).finish()


@dataclass(frozen=True)
class Drawing:
    """Pictures of one DOT source being laid out (:func:`start_drawing`)."""

    dot_source: str
    stem: Path
    pictures: dict[str, Future[bytes]]

    def finish(self) -> list[Path]:
        """Write ``stem.dot``, then each picture once Graphviz has drawn it; return the
        files written, as :func:`draw` does (and raise its errors)."""
        self.stem.parent.mkdir(parents=True, exist_ok=True)
        dot_path = self.stem.with_name(self.stem.name + ".dot")
        dot_path.write_text(self.dot_source, encoding="utf-8", newline="\n")
        written = [dot_path]
        for fmt, picture in self.pictures.items():
            path = self.stem.with_name(f"{self.stem.name}.{fmt}")
            path.write_bytes(picture.result())
            written.append(path)
        return written


def start_drawing(
    dot_source: str,
    stem: Path,
    formats: Sequence[str],
    runs: DotRuns,
    *,
    timeout: float = 300.0,
    what: str | None = None,
) -> Drawing:
    """Start drawing ``dot_source`` in each format on ``runs``; :meth:`Drawing.finish`
    writes the files :func:`draw` writes. Arguments and errors as :func:`draw`'s (an
    unknown format is refused here, Graphviz's errors come from ``finish``); ``what``
    names the picture in those errors (default: the ``.dot`` file's path)."""
    stem = Path(stem)
    if isinstance(formats, str):  # draw(..., "svg") means ["svg"], not ["s", "v", "g"]
        formats = [formats]
    wanted = list(dict.fromkeys(str(f).lower().lstrip(".") for f in formats))
    unknown = [f for f in wanted if f not in DRAW_FORMATS]
    if unknown:
        raise ValueError(
            f"cannot draw format {', '.join(map(repr, unknown))}; "
            f"choose from {', '.join(DRAW_FORMATS)}"
        )
    what = what or f"the picture of {stem.with_name(stem.name + '.dot')}"
    pictures = {fmt: runs.start(dot_source, fmt, timeout=timeout, what=what) for fmt in wanted}
    return Drawing(dot_source, stem, pictures)
