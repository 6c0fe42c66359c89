"""``run.json``: what an output folder was made from, to tell whether it is up to date.

Every folder :func:`journeymap.write_outputs` writes holds a run record: the journeymap
version, the input file's SHA-256 and size, and the options that shape the outputs. It
has no time stamp, so the same input and options still give byte-identical folders. A
batch rerun compares the record with the one it would write and skips the log when they
are equal (:func:`up_to_date`).

The engine's settings (threads, memory, spill folder) are left out of the record: they
change how fast a log is mined, never what is written, so a batch rerun with another
``--jobs`` does not mine anything again.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from journeymap.fingerprint import file_sha256
from journeymap.jsonout import plain
from journeymap.options import Options
from journeymap.version import __version__

__all__ = ["RUN_RECORD", "file_sha256", "read_run_record", "run_record", "up_to_date"]

#: The run record's file name in an output folder.
RUN_RECORD = "run.json"
# Options that do not change the outputs, or that were resolved into others.
_NOT_RECORDED = ("engine", "files", "source", "mapping_origin")


def _options_record(options: Options, output: dict[str, Any] | None) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for f in dataclasses.fields(options):
        if f.name in _NOT_RECORDED:
            continue
        value = getattr(options, f.name)
        is_section = dataclasses.is_dataclass(value) and not isinstance(value, type)
        record[f.name] = dataclasses.asdict(value) if is_section else value
    record["demand"].pop("source", None)  # where the rules came from, for messages only
    # Likewise where the templates were read from: a config renamed holds the same ones.
    if isinstance(record.get("templates"), dict):
        record["templates"].pop("source", None)
        for template in record["templates"].get("templates") or ():
            template.pop("source", None)
    record["mapping"] = dict(sorted(record["mapping"].items()))
    if output is not None:
        record["output"] = output
    return record


def run_record(
    source: str | Path | None,
    options: Options,
    *,
    output: dict[str, Any] | None = None,
    sha256: str | None = None,
) -> dict[str, Any]:
    """The run record of mining ``source`` (a local file, or None) with ``options``.

    ``output`` replaces ``options.output`` when the writer was told other formats or
    report setting; ``sha256`` saves hashing a file already hashed. The record is plain
    JSON data: ``{"journeymap": version, "input": {"sha256", "size"} or None, "options":
    {...}}``.

    Examples
    --------
    >>> record = run_record(None, Options())
    >>> sorted(record), record["input"], sorted(record["options"])[:3]
    (['input', 'journeymap', 'options'], None, ['check', 'demand', 'flow'])
    """
    given = None
    if source is not None and "://" not in str(source) and Path(source).is_file():
        path = Path(source)
        given = {"sha256": sha256 or file_sha256(path), "size": path.stat().st_size}
    record = {
        "journeymap": __version__,
        "input": given,
        "options": _options_record(options, output),
    }
    # Through JSON and back: tuples become lists, floats are rounded as written.
    result: dict[str, Any] = json.loads(json.dumps(plain(record)))
    return result


def read_run_record(folder: str | Path) -> dict[str, Any] | None:
    """The run record of an output folder, or None when it has none or it is damaged."""
    try:
        found = json.loads((Path(folder) / RUN_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def up_to_date(folder: str | Path, record: dict[str, Any]) -> bool:
    """Whether ``folder`` holds a complete result made from the same input bytes, options
    and journeymap version as ``record`` says (an input that is not a local file never
    is)."""
    if record.get("input") is None:
        return False
    folder = Path(folder)
    if not (folder / "summary.json").is_file():
        return False
    return read_run_record(folder) == record
