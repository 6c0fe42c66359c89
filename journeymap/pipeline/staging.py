"""Output folders that are complete or untouched.

:func:`staged` gives a new, empty folder beside the target; when the body finishes, the
target (if any) is moved aside and the new folder renamed into its place, then the old
one is removed. If the body fails or is interrupted, the new folder is removed and the
target is untouched. Files of an earlier run therefore never mix with a new one.

A target that holds files journeymap did not write (a folder of the user's own, or a
result the user has added notes to) is never replaced, and neither is a symbolic link:
the run stops with an :class:`~journeymap.errors.OutputError` naming what is in the way,
before anything is written. A folder of the user's that happens to hold a file named
``summary.json`` is not taken for a result.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from journeymap.errors import OutputError

__all__ = ["OUTPUT_MARKERS", "check_output", "staged", "umask"]

#: Pauses (seconds) between tries at removing a staged folder that is still there.
_REMOVE_PAUSES = (0.0, 0.05, 0.1, 0.25, 0.5, 1.0)
#: Files by which an existing folder is recognised as a result journeymap wrote.
OUTPUT_MARKERS = ("summary.json", "journey.dot", "compare.json")


@contextmanager
def staged(target: str | Path, *, inputs: tuple[str, ...] = ()) -> Iterator[Path]:
    """A temporary folder to write a result into, swapped in for ``target`` at the end.

    Raises
    ------
    OutputError
        ``target`` is a file or a symbolic link, or a folder with other files than a
        journeymap result, holds one of ``inputs`` (the log being read), or its parent
        folder cannot be written.
    """
    target = check_output(target, inputs=inputs)
    # The name is chosen before the folder is made, so that an interrupt that lands
    # while it is being made (mkdtemp would not have returned its name yet) still
    # removes it.
    stage = target.parent / f".{target.name}.{secrets.token_hex(6)}.partial"
    try:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            stage.mkdir(mode=0o777 & ~umask())
        except FileExistsError:  # the same 48 random bits twice: take others
            stage = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
            )
            stage.chmod(0o777 & ~umask())  # mkdtemp makes it private; results are not
        except OSError as exc:
            raise OutputError(
                f"{target}: cannot write there ({exc.strerror or exc}); choose another folder"
            ) from exc
        yield stage
        _swap(stage, target)
    except BaseException:
        _remove(stage)
        raise


def check_output(target: str | Path, *, inputs: tuple[str, ...] = ()) -> Path:
    """``target`` as an absolute path, when :func:`staged` can write a result there;
    called before a long run too, so that a folder it would refuse is said at once.

    Raises
    ------
    OutputError
        As :func:`staged` does (but for a parent folder that cannot be written).
    """
    target = Path(target).absolute()
    for source in inputs:
        if "://" not in source and target.resolve() in Path(source).resolve().parents:
            raise OutputError(
                f"{target}: holds the log being read ({source}); choose another output folder"
            )
    _check_target(target)
    return target


def _remove(folder: Path) -> None:
    """Remove a staged folder, again for a moment while it still exists: an engine that
    was interrupted mid-write may finish or tidy its file just after it gave up."""
    for pause in _REMOVE_PAUSES:
        time.sleep(pause)
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.lexists(folder):
            return


def umask() -> int:
    """The process's file-creation mask (reading it means setting it; it is put back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: What journeymap writes in a result folder (mine's and compare's): the names at its top,
#: and in its ``tables`` and ``charts`` folders.
_OWN_NAMES = re.compile(
    r"charts|tables|run\.json|summary\.json|report\.html|compare\.(json|html)"
    r"|(journey|compare|compare_wait)\.(dot|svg|png|pdf)|model\.(bpmn|svg)"
)
_OWN_INSIDE = {"tables": re.compile(r"[\w.-]+\.csv"), "charts": re.compile(r"[\w.-]+\.svg")}


def _check_target(target: Path) -> None:
    if target.is_symlink():
        raise OutputError(
            f"{target}: is a symbolic link; give the output folder itself, not a link to it"
        )
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(f"{target}: is a file, not a folder; choose a folder for the results")
    entries = sorted(target.iterdir())
    if not entries:
        return
    marked = any((target / name).is_file() for name in OUTPUT_MARKERS)
    foreign = _foreign(target, entries) if marked else [_shown(target, e) for e in entries]
    if foreign:
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise OutputError(
            f"{target}: holds files journeymap did not write ({shown}); move them out or "
            "choose a new or empty folder (journeymap replaces its output folder whole)"
        )


def _foreign(target: Path, entries: list[Path]) -> list[str]:
    """The entries of a journeymap result folder that journeymap does not write there
    (a user's notes beside the report): replacing the folder would delete them."""
    found = []
    for entry in entries:
        if not _OWN_NAMES.fullmatch(entry.name):
            found.append(_shown(target, entry))
        elif entry.name in _OWN_INSIDE:
            if not entry.is_dir() or entry.is_symlink():
                found.append(_shown(target, entry))
                continue
            own = _OWN_INSIDE[entry.name]
            found += [
                _shown(target, e)
                for e in sorted(entry.iterdir())
                if not own.fullmatch(e.name) or not e.is_file()
            ]
    return found


def _shown(target: Path, entry: Path) -> str:
    """An entry as the user would find it: its path in the folder, ``/`` after a folder."""
    return str(entry.relative_to(target)) + (
        "/" if entry.is_dir() and not entry.is_symlink() else ""
    )


def _swap(stage: Path, target: Path) -> None:
    """Put ``stage`` in the place of ``target``; remove what was there."""
    old = None
    try:
        if target.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
            )
            os.rmdir(old)  # a free name beside the target
            os.rename(target, old)
        os.rename(stage, target)
    except BaseException as exc:  # a failure, or an interrupt between the two renames
        if old is not None and old.exists() and not target.exists():
            os.rename(old, target)  # put the previous result back
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: cannot be replaced ({exc.strerror or exc})") from exc
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
