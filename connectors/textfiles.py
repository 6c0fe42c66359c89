"""Helpers for file-based connectors: finding the file, unpacking, transcoding."""

from __future__ import annotations

import codecs
import gzip
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path

from journeymap.errors import EmptyLogError, SourceError, SourceNotFoundError, option

__all__ = [
    "cr_to_lf",
    "existing_file",
    "gunzip",
    "remove_stale_scratch",
    "remove_tree",
    "scratch_dir",
    "transcode_to_utf8",
    "unzip_single",
]

_CHUNK = 1 << 20
#: An archive that unpacks to more than this many times its size, and to more than
#: ``_BOMB_FLOOR`` bytes, is refused: real exports compress 5 to 30 fold.
_BOMB_RATIO = 200
_BOMB_FLOOR = 1 << 30


def _too_big(name: str, packed: int, unpacked: int) -> SourceError:
    return SourceError(
        f"{name}: unpacks to more than {unpacked:,} bytes, over {_BOMB_RATIO} times its "
        f"packed size of {packed:,} bytes (a decompression bomb?); unpack it yourself if "
        "you trust it, and read the file inside"
    )


def _copy_limited(src: object, dst: object, name: str, packed: int) -> None:
    """Copy a decompressing stream, refusing to write more than the bomb limit."""
    limit = max(_BOMB_FLOOR, _BOMB_RATIO * packed)
    written = 0
    while chunk := src.read(_CHUNK):  # type: ignore[attr-defined]
        written += len(chunk)
        if written > limit:
            raise _too_big(name, packed, limit)
        dst.write(chunk)  # type: ignore[attr-defined]


def existing_file(source: str) -> Path:
    """The path of ``source``, checked to be a non-empty readable file."""
    path = Path(source).expanduser()
    if not path.exists():
        near = sorted(p.name for p in path.parent.glob("*"))[:10] if path.parent.is_dir() else []
        hint = f"; files there: {', '.join(near)}" if near else ""
        raise SourceNotFoundError(f"{source}: no such file{hint}")
    if path.is_dir():
        raise SourceError(f"{source}: is a folder; give the path of one export file")
    if path.stat().st_size == 0:
        raise EmptyLogError(f"{path.name}: the file is empty (0 bytes); export the log again")
    return path


#: A scratch folder's name: the process that made it, then mkdtemp's random part.
_SCRATCH = re.compile(r"journeymap-(\d+)-[\w]+")


def scratch_dir() -> Path:
    """A new private temporary folder, named after this process; the caller removes it.

    The folders of this user's earlier runs whose process has gone (killed with
    SIGKILL, or by the system when out of memory, which no handler sees) are removed
    first: they hold unpacked copies of logs."""
    remove_stale_scratch()
    return Path(tempfile.mkdtemp(prefix=f"journeymap-{os.getpid()}-"))


def remove_stale_scratch(base: Path | None = None) -> list[Path]:
    """Remove the scratch folders in ``base`` (the system's temporary folder) that
    belong to this user and to a process that no longer runs; return them.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> gone = 4_194_305  # above Linux's largest process id: no process has it
    >>> (base / f"journeymap-{gone}-x1").mkdir()
    >>> (base / f"journeymap-{os.getpid()}-x2").mkdir()
    >>> [p.name for p in remove_stale_scratch(base)] == [f"journeymap-{gone}-x1"]
    True
    >>> sorted(p.name for p in base.iterdir()) == [f"journeymap-{os.getpid()}-x2"]
    True
    """
    base = Path(tempfile.gettempdir()) if base is None else base
    removed: list[Path] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        found = _SCRATCH.fullmatch(entry.name)
        if found is None or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        if _running(int(found.group(1))):
            continue
        remove_tree(Path(entry.path))
        removed.append(Path(entry.path))
    return removed


def _running(pid: int) -> bool:
    """Whether a process ``pid`` runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def unzip_single(path: Path, into: Path) -> Path:
    """Extract the one data file a .zip holds into ``into``, streamed."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and not m.filename.startswith("__MACOSX/")
            ]
            if len(members) != 1:
                names = ", ".join(m.filename for m in members) or "nothing"
                raise SourceError(
                    f"{path.name}: a .zip must hold exactly one export file; it holds {names}. "
                    "Unzip it and read the file you want"
                )
            member = members[0]
            target = into / (Path(member.filename).name or "export")
            with archive.open(member) as src, open(target, "wb") as dst:
                _copy_limited(src, dst, path.name, max(member.compress_size, 1))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise SourceError(
            f"{path.name}: not a readable .zip file ({exc}); export it again"
        ) from exc
    if target.stat().st_size == 0:
        raise EmptyLogError(f"{path.name}: the file inside the .zip is empty")
    return target


def gunzip(path: Path, into: Path) -> Path:
    """Decompress a .gz file into ``into``, streamed, refusing a decompression bomb."""
    target = into / path.name[:-3]
    try:
        with gzip.open(path, "rb") as src, open(target, "wb") as dst:
            _copy_limited(src, dst, path.name, max(path.stat().st_size, 1))
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(
            f"{path.name}: the file is damaged or truncated ({exc}); export or download it again"
        ) from exc
    if target.stat().st_size == 0:
        raise EmptyLogError(f"{path.name}: the file inside the .gz is empty")
    return target


def first_bytes(path: Path, size: int) -> bytes | None:
    """The first ``size`` bytes of a text file (of its content, for a .gz); None when
    it cannot be read (the read that follows says why, in its own words)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            return bytes(fh.read(size))
    except (OSError, EOFError):
        return None


def with_byte_order(path: Path, encoding: str) -> str:
    """``encoding``, or for UTF-16 and UTF-32 named without a byte order, on a file that
    has no byte-order mark, the order its bytes show (Python's codec needs the mark):
    ``utf-16-le`` when ASCII text has its zero bytes second.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".csv") as fh:
    ...     _ = fh.write("case".encode("utf-16-le")); fh.flush()
    ...     with_byte_order(Path(fh.name), "UTF16"), with_byte_order(Path(fh.name), "cp1252")
    ('utf-16-le', 'cp1252')
    """
    name = codecs.lookup(encoding).name
    if name not in ("utf-16", "utf-32"):
        return encoding
    head = first_bytes(path, 4)
    if head is None:
        return encoding
    marks = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE) if name == "utf-32" else (
        codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # fmt: skip
    if not head or head.startswith(marks):
        return encoding
    return f"{name}-be" if head[0] == 0 else f"{name}-le"


def cr_to_lf(path: Path, into: Path) -> Path:
    """Copy an uncompressed text file in an ASCII-compatible encoding into ``into`` with
    every CR byte made an LF (an old Mac file's line ends), streamed."""
    target = into / (path.name + ".lf")
    with open(path, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(_CHUNK):
            dst.write(chunk.replace(b"\r", b"\n"))
    return target


def transcode_to_utf8(path: Path, encoding: str, into: Path) -> Path:
    """Copy a text file (optionally .gz) in ``encoding`` to UTF-8, streamed.

    Raises
    ------
    SourceError
        When the encoding is unknown or the bytes are not valid in it.
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError as exc:
        raise SourceError(
            f"unknown encoding {encoding!r}; try utf-8, cp1252, latin-1 or utf-16"
        ) from exc
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64: not a text encoding
        raise SourceError(
            f"{encoding!r} is not a text encoding; try utf-8, cp1252, latin-1 or utf-16"
        )
    target = into / (path.name.removesuffix(".gz") + ".utf8")
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    decoder = codecs.getincrementaldecoder(with_byte_order(path, encoding))()
    offset = 0
    packed = max(path.stat().st_size, 1)
    limit = max(_BOMB_FLOOR, _BOMB_RATIO * packed) if opener is gzip.open else 1 << 62
    try:
        with opener(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(_CHUNK):
                dst.write(decoder.decode(chunk))
                offset += len(chunk)
                if offset > limit:
                    raise _too_big(path.name, packed, limit)
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{path.name}: is not valid {encoding} at byte offset {offset + exc.start}; "
            f"check the file's encoding and give it with {option('encoding')}"
        ) from exc
    except UnicodeError as exc:  # a codec's own complaint about the bytes
        raise SourceError(
            f"{path.name}: cannot be read as {encoding} ({exc}); check the file's encoding "
            f"and give it with {option('encoding')}"
        ) from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"{path.name}: cannot be read ({exc}); export it again") from exc
    return target


def remove_tree(path: Path) -> None:
    """Remove a scratch folder, ignoring what is already gone."""
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():  # pragma: no cover - only on exotic file systems
        os.rmdir(path)
