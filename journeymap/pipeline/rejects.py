"""Rejected rows, written where the user can see them, and never over an input.

Every row journeymap reads is either accepted or rejected with its reason. The
rejected rows go to a CSV file the user chooses (``inspect --rejects``), and into
``tables/rejects.csv`` of a ``mine`` result. When every row is rejected there is
nothing to analyse: the rejects are written (so the user can see why) and the run stops
with one line giving the reasons.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from journeymap.errors import EmptyLogError, OutputError
from journeymap.eventlog import EventLog
from journeymap.pipeline.staging import umask
from journeymap.render.captions import rejects_line

__all__ = ["default_rejects_path", "require_events", "write_rejects"]


def default_rejects_path(source: str, folder: str | Path = ".") -> Path:
    """``<name>-rejects.csv`` in ``folder`` for a log file ``source``.

    Examples
    --------
    >>> default_rejects_path("exports/calls.csv.gz").as_posix()
    'calls-rejects.csv'
    """
    name = Path(source).name if "://" not in source else "database"
    for suffix in (".gz", ".zip", ".csv", ".tsv", ".txt", ".xes", ".xlsx", ".xlsm",
                   ".parquet", ".pq", ".json", ".xml", ".sqlite", ".db"):  # fmt: skip
        name = name.removesuffix(suffix)
    return Path(folder) / f"{name or 'log'}-rejects.csv"


def write_rejects(log: EventLog, path: str | Path, *, inputs: tuple[str, ...] = ()) -> Path:
    """Write ``log``'s rejected rows to ``path`` whole or not at all.

    The file is written beside ``path`` and renamed over it, so a link at ``path`` is
    replaced, never followed, and an interrupted write leaves nothing half-written.

    Raises
    ------
    OutputError
        ``path`` is one of ``inputs`` (the log being read), a folder, or cannot be written.
    """
    target = Path(path).absolute()
    for source in inputs:
        if "://" not in source and _same_file(target, Path(source)):
            raise OutputError(f"{path}: is the log being read; write the rejects to another file")
    if target.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name for the rejects")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                    dir=target.parent)  # fmt: skip
        os.close(fd)
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write there ({exc.strerror or exc}); choose another file"
        ) from exc
    staging = Path(name)
    try:
        log.write_rejects(str(staging))
        os.chmod(staging, 0o666 & ~umask())
        os.replace(staging, target)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from exc
    finally:
        staging.unlink(missing_ok=True)
    return target


def require_events(log: EventLog, source: str, rejects_path: str | Path) -> None:
    """Stop when every row was rejected, after writing the rejects to ``rejects_path``.

    Raises
    ------
    EmptyLogError
        With the reasons and where the rejects are.
    """
    if log.rows_read == 0 or log.accepted > 0:
        return
    written = write_rejects(log, rejects_path, inputs=(source,))
    counts = log.read_counts.rejected_of()
    line = rejects_line(log.source, counts, log.rejected_by_reason(), str(written))
    raise EmptyLogError(f"{line}; no row is left to analyse: fix the mapping or the export")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()
