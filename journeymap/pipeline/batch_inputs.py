"""What a batch mines: the logs that its inputs name, and a folder name for each.

Inputs are files (taken as given), folders (searched recursively for the file suffixes
a connector reads, and for the files of other suffixes that a system's reader recognises
by their content, such as a Jira or ServiceNow JSON export; hidden files and folders
left out) and glob patterns (``*``, ``?``,
``[...]``; ``**`` crosses folders). Each log gets a folder name made of its file name
without the known suffixes, safe for any file system, and unique in the batch. The files
a folder holds that are not mined are named with the reason (:class:`Skipped`): a note
that is not a table, a JSON or XML file no system's reader recognises, a file another
log is read with (Salesforce's Case.csv beside its CaseHistory export).
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from journeymap.config import FilePattern
from journeymap.errors import SourceNotFoundError
from journeymap.pipeline.run_record import RUN_RECORD

__all__ = [
    "RESERVED_NAMES",
    "Skipped",
    "content_suffixes",
    "files_by_pattern",
    "find_inputs",
    "find_logs",
    "known_suffixes",
    "log_names",
    "log_stem",
]

#: Files a batch writes beside the logs' folders: no log's folder may take these names.
RESERVED_NAMES = ("index.html", "index.csv", "index.json")
_GLOB = re.compile(r"[*?\[]")
_UNSAFE = re.compile(r"[^\w.-]+")
_MAX_NAME = 80


class Skipped(NamedTuple):
    """A file in a folder a batch searched that it does not mine, and why."""

    path: Path
    why: str


def known_suffixes() -> tuple[str, ...]:
    """The file suffixes the installed connectors read, longest first."""
    from journeymap.connectors.registry import available

    return _longest_first({s.lower() for c in available() for s in c.suffixes})


def content_suffixes() -> tuple[str, ...]:
    """The suffixes of files that some connector recognises by their content (a JSON
    export of Jira, ServiceNow or Zendesk, an OCEL log), longest first."""
    from journeymap.connectors.registry import available

    return _longest_first({s.lower() for c in available() for s in c.looks_into})


def _longest_first(suffixes: set[str]) -> tuple[str, ...]:
    """Longest first (``.xes.gz`` before ``.gz``), then in order."""
    return tuple(sorted(suffixes, key=lambda s: (-len(s), s)))


def _recognised(path: Path) -> bool:
    from journeymap.connectors.registry import recognise

    return recognise(path) is not None


def _within(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


#: Suffixes of plain text that may be a delimited export or anything else (notes, a
#: readme): in a folder, such a file is a log only when its header looks like a table's.
_PLAIN_TEXT = (".txt",)
_DELIMITERS = (",", ";", "\t", "|")


def _looks_like_a_table(path: Path) -> bool:
    """Whether the first line of ``path``, and its second when there is one, split into
    three fields or more on one of the usual delimiters (an event log needs case,
    activity and timestamp columns).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     notes, log = Path(folder, "notes.txt"), Path(folder, "log.txt")
    ...     kickoff = Path(folder, "kickoff.txt")
    ...     _ = notes.write_text("Exported on Monday, by Ann\\n")
    ...     _ = kickoff.write_text("Kickoff, Tuesday, with the client\\nAsk for the audit.\\n")
    ...     _ = log.write_text("\\ufeffcase|activity|time\\n1|Log|2024-01-01\\n")
    ...     _looks_like_a_table(notes), _looks_like_a_table(kickoff), _looks_like_a_table(log)
    (False, False, True)
    """
    try:
        with path.open("rb") as stream:
            head = stream.read(1 << 16)
    except OSError:
        return True  # the reader then says what is wrong with it
    lines = [x for x in head.decode("utf-8", "replace").lstrip("\ufeff").splitlines() if x][:2]
    # Its header, and its first row when it has one, split so (a note's first sentence
    # may hold two commas; its next line seldom does).
    return bool(lines) and any(all(x.count(d) >= 2 for x in lines) for d in _DELIMITERS)


def _results(folder: Path, files: list[str]) -> bool:
    """Whether ``folder`` holds what ``mine`` writes (its run record) or what ``batch``
    writes (its index), by the names of the files in it."""
    names = set(files)
    return RUN_RECORD in names or set(RESERVED_NAMES) <= names


def _in_folder(
    folder: Path, suffixes: tuple[str, ...], exclude: Path | None
) -> tuple[list[Path], list[Skipped]]:
    """The logs below ``folder``: files with a suffix a connector reads, and files with a
    suffix that some connector looks into when one recognises their content (a folder
    of exports holds other JSON files too: a batch's own summaries, say). A plain text
    file is taken when its first line looks like a table's header (a folder of exports
    holds notes too); named on its own, any file is taken. The folders of journeymap's
    own results (``mine``'s, ``batch``'s) are left out. Also the files not taken that
    look like exports (notes, unrecognised JSON or XML, companions), with why."""
    sniffed = tuple(s for s in content_suffixes() if s not in suffixes)
    found, skipped = [], []
    for root, dirs, files in os.walk(folder):
        if _results(Path(root), files):
            dirs[:] = []  # journeymap's own results: their tables are not logs
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _within(
            Path(root) / d, exclude))  # fmt: skip
        for name in files:
            if name.startswith("."):
                continue
            lowered, path = name.lower(), Path(root) / name
            if lowered.endswith(_PLAIN_TEXT) and not _looks_like_a_table(path):
                skipped.append(Skipped(path, _NOT_A_TABLE))
            elif lowered.endswith(suffixes):
                found.append(path)
            elif lowered.endswith(sniffed):
                if _recognised(path):
                    found.append(path)
                else:
                    skipped.append(Skipped(path, _NOT_RECOGNISED))
    kept, read_with = _without_companions(found)
    return kept, skipped + read_with


def _without_companions(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """``paths`` without the files another of them is read with (Salesforce's Case.csv
    beside a CaseHistory export: mined on its own it failed, and failed the batch); and
    those files, each with the log it is read with."""
    from journeymap.connectors.registry import companions

    kept = {p.resolve() for p in paths}
    read_with: dict[Path, Path] = {}
    for path in paths:
        if path.suffix.lower() in _COMPANION_SUFFIXES:
            for companion in companions(path):
                if companion.resolve() in kept:
                    read_with.setdefault(companion.resolve(), path)
    skipped = [
        Skipped(p, f"read with {read_with[p.resolve()].name}, not mined on its own")
        for p in paths
        if p.resolve() in read_with
    ]
    return [p for p in paths if p.resolve() not in read_with], skipped


#: Why a file is not mined.
_NOT_A_TABLE = "a note, not a table: its first lines are not split by , ; tab or |"
_NOT_RECOGNISED = (
    "no system's reader recognises it (a Jira, ServiceNow or Zendesk JSON export, an OCEL "
    "2.0 log); name it on its own to see why"
)


#: The suffixes of the logs whose readers read other files beside them.
_COMPANION_SUFFIXES = (".csv",)


def find_logs(
    inputs: Iterable[str | Path], *, exclude: str | Path | None = None
) -> tuple[list[Path], list[Skipped]]:
    """The log files that ``inputs`` name, each once, sorted by path; and the files in
    the folders searched that are not mined, with why (sorted by path).

    A file is taken whatever its suffix (the reader then says if it cannot read it); a
    folder gives every file below it with a suffix a connector reads, and every other
    file that a system's reader recognises by its content; a glob pattern
    gives the files it matches (and the logs in the folders it matches). Files inside
    ``exclude`` (the batch's output folder) are left out.

    Raises
    ------
    SourceNotFoundError
        An input that does not exist, a pattern that matches nothing, or a database URL
        (a batch reads files).

    Examples
    --------
    >>> logs, skipped = find_logs(["sample_logs"])
    >>> [p.name for p in logs], [(s.path.name, s.why) for s in skipped]
    (['service_desk.csv', 'service_desk.xes', 'service_desk_truth.csv'], [])
    """
    suffixes = known_suffixes()
    skip = Path(exclude) if exclude is not None else None
    found: dict[Path, Path] = {}
    passed: dict[Path, Skipped] = {}
    for given in inputs:
        text = str(given)
        if "://" in text:
            raise SourceNotFoundError(
                f"{text}: a batch reads files and folders, not databases; "
                "mine a database with `journeymap mine`"
            )
        path = Path(text)
        if path.exists():
            matches = [path]
        elif _GLOB.search(text):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))]
            if not matches:
                raise SourceNotFoundError(f"{text}: no file matches this pattern")
        else:
            raise SourceNotFoundError(f"{text}: no such file or folder")
        for match in matches:
            logs, skipped = _in_folder(match, suffixes, skip) if match.is_dir() else ([match], [])
            for log in logs:
                if not _within(log, skip):
                    found.setdefault(log.resolve(), log)
            for left in skipped:
                passed.setdefault(left.path.resolve(), left)
    named = [s for p, s in passed.items() if p not in found]  # a file named on its own is read
    return sorted(found.values(), key=_by_path), sorted(named, key=lambda s: _by_path(s.path))


def _by_path(path: Path) -> tuple[str, str]:
    return path.as_posix().lower(), path.as_posix()


def find_inputs(inputs: Iterable[str | Path], *, exclude: str | Path | None = None) -> list[Path]:
    """The log files that ``inputs`` name (:func:`find_logs` without the files passed
    over).

    Examples
    --------
    >>> [p.name for p in find_inputs(["sample_logs"])]
    ['service_desk.csv', 'service_desk.xes', 'service_desk_truth.csv']
    """
    return find_logs(inputs, exclude=exclude)[0]


def log_stem(path: str | Path, suffixes: Sequence[str] | None = None) -> str:
    """A file's name without a suffix a connector reads or looks into (``may.xes.gz`` ->
    ``may``, ``issues.json`` -> ``issues``).

    Examples
    --------
    >>> log_stem("exports/may.xes.gz"), log_stem("june.csv"), log_stem("issues.json")
    ('may', 'june', 'issues')
    >>> log_stem("notes")
    'notes'
    """
    name = Path(path).name
    for suffix in suffixes if suffixes is not None else _all_suffixes():
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _all_suffixes() -> tuple[str, ...]:
    """Suffixes read by name and suffixes looked into, longest first."""
    return _longest_first({*known_suffixes(), *content_suffixes()})


def _safe(stem: str) -> str:
    """Letters, digits, ``_``, ``.`` and ``-`` only; no leading dot or dash."""
    safe = _UNSAFE.sub("-", stem).strip(".-")[:_MAX_NAME].rstrip(".-")
    return safe or "log"


def log_names(paths: Sequence[str | Path]) -> list[str]:
    """A folder name for each log, in the order given: its :func:`log_stem` made safe
    for file names (any run of other characters becomes ``-``), unique in the batch
    ignoring upper and lower case (a clash gets ``-2``, ``-3``, ... in the order given),
    and never one of :data:`RESERVED_NAMES`.

    Examples
    --------
    >>> log_names(["a/may.csv", "b/may.xes.gz", "c/<script>.csv", "d/MAY.csv"])
    ['may', 'may-2', 'script', 'MAY-3']
    """
    suffixes = _all_suffixes()
    taken = {n.lower() for n in RESERVED_NAMES}
    names = []
    for path in paths:
        base = _safe(log_stem(path, suffixes))
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.lower())
        names.append(name)
    return names


def files_by_pattern(
    patterns: Sequence[FilePattern], paths: Sequence[Path], *, base: str | Path
) -> tuple[list[list[Path]], list[Path]]:
    """Which of ``paths`` each ``[[files]]`` pattern applies to (the first pattern that
    matches a file wins), and the files no pattern matches.

    Examples
    --------
    >>> found, rest = files_by_pattern([FilePattern("*.csv"), FilePattern("a*")],
    ...                                [Path("a.csv"), Path("a.xes"), Path("b.xes")], base=".")
    >>> [[p.name for p in f] for f in found], [p.name for p in rest]
    ([['a.csv'], ['a.xes']], ['b.xes'])
    """
    found: list[list[Path]] = [[] for _ in patterns]
    rest = []
    for path in paths:
        for i, pattern in enumerate(patterns):
            if pattern.matches(path, base=base):
                found[i].append(path)
                break
        else:
            rest.append(path)
    return found, rest
