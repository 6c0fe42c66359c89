"""Pictures from DOT: run Graphviz's ``dot`` program and write the files.

Graphviz is called as a program, not through a Python binding, so journeymap needs
no extra package; only ``dot`` has to be installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from journeymap.errors import MissingDependencyError, RenderError

__all__ = ["DRAW_FORMATS", "draw"]

#: Picture formats :func:`draw` writes besides the ``.dot`` file.
DRAW_FORMATS = ("svg", "png", "pdf")
# PNG only: 96 dpi (Graphviz's default) makes 13 pt text too small on today's screens.
_PNG_DPI = 144


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
    stem.parent.mkdir(parents=True, exist_ok=True)
    dot_path = stem.with_name(stem.name + ".dot")
    dot_path.write_text(dot_source, encoding="utf-8", newline="\n")
    written = [dot_path]
    if not wanted:
        return written
    program = shutil.which("dot")
    if program is None:
        raise MissingDependencyError(
            "Graphviz's `dot` program was not found on the PATH, so the journey map "
            f"could not be drawn (its DOT source is in {dot_path}). Install Graphviz "
            "(Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install graphviz`; "
            "others: https://graphviz.org/download/) and run again."
        )
    # Cairo stamps PDFs with the time unless SOURCE_DATE_EPOCH fixes it.
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
    for fmt in wanted:
        args = [program, f"-T{fmt}"] + ([f"-Gdpi={_PNG_DPI}"] if fmt == "png" else [])
        try:
            done = subprocess.run(
                args,
                input=dot_source.encode("utf-8"),
                capture_output=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RenderError(
                f"Graphviz took longer than {timeout:g} s to draw {fmt}; the map is too "
                "large to draw: show fewer activities and paths, or allow more time"
            ) from None
        if done.returncode != 0:
            # dot can print hundreds of diagnostic lines; the first few say what failed.
            why = " / ".join(done.stderr.decode("utf-8", "replace").strip().splitlines()[:3])
            raise RenderError(
                f"Graphviz could not draw {fmt} from {dot_path}: {why or 'no message'}"
            )
        path = stem.with_name(f"{stem.name}.{fmt}")
        path.write_bytes(done.stdout)
        written.append(path)
    return written
