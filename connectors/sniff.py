"""What a file looks like, said in a few words, for a file no connector reads.

Only the first 64 KiB are read (an SQLite file's table list, a workbook's sheet list),
so describing a file costs the same whatever its size.
"""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

__all__ = ["OCEL1_JSON", "OCEL1_XML", "describe_file", "json_keys"]

#: What :func:`describe_file` says of an OCEL 1.0 log (which journeymap does not read).
OCEL1_JSON = "an OCEL 1.0 JSON log (keys 'ocel:global-log', 'ocel:events')"
OCEL1_XML = "an OCEL 1.0 XML log (root <log> with <global scope=...> and ocel: keys)"

_HEAD_BYTES = 1 << 16
_SHOWN = 6
_SQLITE_MAGIC = b"SQLite format 3\x00"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Excel .xls, Word .doc
_XML_ROOT = re.compile(r"<([A-Za-z_][\w:.\-]*)")
#: OCEL 1.0 XML: its <log> holds <global scope="..."> elements with "ocel:" keys.
_OCEL1_XML = re.compile(r'<global\s+scope=|key="ocel:')
_XML_SKIP = re.compile(r"^\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.DOTALL)
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"')


def _listing(names: list[str]) -> str:
    """``'a', 'b' and 3 more``."""
    shown = ", ".join(repr(n) for n in names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def json_keys(text: str) -> tuple[str, list[str]] | None:
    """The kind of a JSON document's start (``object`` or ``array``) and the keys of its
    top-level object (of the first object, for an array), from its first characters.

    Examples
    --------
    >>> json_keys('{"a": {"x": 1}, "b": [1, 2], "c": "}"')
    ('object', ['a', 'b', 'c'])
    >>> json_keys('[{"id": 1, "when": "2024"}, {"id": 2')
    ('array', ['id', 'when'])
    >>> json_keys('[1, 2]')
    ('array', [])
    """
    text = text.lstrip("\ufeff \t\r\n")
    if not text or text[0] not in "{[":
        return None
    kind = "object" if text[0] == "{" else "array"
    keys: list[str] = []
    depth, at_key_depth = 0, 1 if kind == "object" else 2
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            end = i + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            rest = text[end + 1 : end + 40].lstrip()
            if depth == at_key_depth and rest.startswith(":"):
                keys.append(text[i + 1 : end])
            i = end + 1
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth < at_key_depth and (kind == "object" or keys):
                break
        i += 1
    return kind, list(dict.fromkeys(keys))


def describe_file(path: Path) -> str | None:
    """A few words on what ``path`` holds (``a JSON object with keys 'a', 'b'``,
    ``XML with root <x>``, ``an Excel workbook with sheets ...``), or None when it is
    none of the kinds known here."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04"):
        return _zip(path)
    if head.startswith(_OLE_MAGIC):
        return "an old Excel workbook (.xls) or another Office file; save it as .xlsx or CSV"
    if head.startswith(_SQLITE_MAGIC):
        return _sqlite(path)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    found = json_keys(text)
    if found is not None:
        kind, keys = found
        if "ocel:events" in keys or "ocel:global-log" in keys:
            return OCEL1_JSON
        if kind == "object":
            return f"a JSON object with keys {_listing(keys)}" if keys else "an empty JSON object"
        if keys:
            return f"a JSON array of objects with keys {_listing(keys)}"
        return "a JSON array"
    if text.startswith("<"):
        while (skipped := _XML_SKIP.match(text)) is not None:
            text = text[skipped.end() :]
        root = _XML_ROOT.match(text.lstrip())
        if root and root.group(1) == "log" and _OCEL1_XML.search(text):
            return OCEL1_XML
        return f"XML with root <{root.group(1)}>" if root else "XML"
    return None


def _zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "xl/workbook.xml" in names:
                sheets = _SHEET.findall(archive.read("xl/workbook.xml")[:_HEAD_BYTES])
                shown = _listing([s.decode("utf-8", errors="replace") for s in sheets])
                return f"an Excel workbook with sheets {shown}"
            if "content.xml" in names and "mimetype" in names:
                return "an OpenDocument spreadsheet; save it as .xlsx or CSV"
    except (zipfile.BadZipFile, OSError, KeyError):
        return "a damaged .zip archive"
    files = [n for n in names if not n.endswith("/") and not n.startswith("__MACOSX/")]
    return f"a .zip archive holding {_listing(files)}"


def _sqlite(path: Path) -> str:
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            tables = [
                name
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
        finally:
            db.close()
    except sqlite3.Error:
        return "an SQLite database that cannot be opened"
    return f"an SQLite database with tables {_listing(tables)}"
