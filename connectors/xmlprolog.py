"""The prolog of an XML file (XES, OCEL): whether it declares entities.

An XML entity declaration can make a parser read local files or expand a few bytes into
gigabytes. Event logs never need one, so the XML connectors refuse a file whose prolog
declares any, before a parser sees it.
"""

from __future__ import annotations

import re
from typing import Protocol

__all__ = [
    "Readable",
    "find_entity_declaration",
    "read_prolog",
    "undeclared_entity",
    "undeclared_entity_text",
]

# A reference to an entity other than XML's five and character references: declared, if
# anywhere, in a DTD outside the file, which the parsers never read (nor substitute).
_REFERENCE = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos);)([A-Za-z_:][-\w.:]*);")

_PROLOG_CHUNK = 1 << 16


class Readable(Protocol):
    """A binary stream."""

    def read(self, size: int = -1, /) -> bytes: ...


def find_entity_declaration(stream: Readable) -> bool:
    """Whether the XML prolog (before the root element) declares an entity.

    Reads the stream only up to the root element's start tag. Comments, processing
    instructions and quoted strings are skipped, so ``<!ENTITY`` written inside them
    does not count.

    Examples
    --------
    >>> import io
    >>> find_entity_declaration(io.BytesIO(b'<?xml version="1.0"?><log/>'))
    False
    >>> find_entity_declaration(io.BytesIO(
    ...     b'<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]><log/>'))
    True
    """
    return read_prolog(stream)[0]


def read_prolog(stream: Readable) -> tuple[bool, bool]:
    """Whether the XML prolog declares an entity (:func:`find_entity_declaration`), and
    whether it has a DOCTYPE: only then can the file refer to entities it does not
    declare (an external DTD's) and still be well-formed XML.

    Examples
    --------
    >>> import io
    >>> read_prolog(io.BytesIO(b'<!DOCTYPE log SYSTEM "xes.dtd"><log/>'))
    (False, True)
    """
    scanner = _PrologScanner(stream)
    return scanner.has_entity(), scanner.doctype


class _PrologScanner:
    """Reads the XML prolog (declaration, comments, PIs, DOCTYPE) and stops at the root."""

    def __init__(self, stream: Readable) -> None:
        self.stream = stream
        first = stream.read(_PROLOG_CHUNK)
        # Markup is ASCII: latin-1 shows it in any ASCII-compatible encoding; UTF-16
        # (recognised by its byte order mark or its first '<') is decoded.
        if first[:2] in (b"\xff\xfe", b"<\x00"):
            self.encoding = "utf-16-le"
        elif first[:2] in (b"\xfe\xff", b"\x00<"):
            self.encoding = "utf-16-be"
        else:
            self.encoding = "latin-1"
            first = first.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
        self.pending = b""
        self.text = ""
        self.doctype = False  # whether the prolog has a DOCTYPE (known after has_entity)
        self._add(first)

    def _add(self, data: bytes) -> bool:
        data = self.pending + data
        self.pending = b""
        if self.encoding != "latin-1" and len(data) % 2:
            data, self.pending = data[:-1], data[-1:]
        self.text += data.decode(self.encoding, errors="replace")
        return bool(data or self.pending)

    def _have(self, end: int) -> bool:
        """Whether the text reaches index ``end - 1``, reading on as needed."""
        while len(self.text) < end:
            if not self._add(self.stream.read(_PROLOG_CHUNK)):
                return False
        return True

    def _starts(self, i: int, token: str) -> bool:
        return self._have(i + len(token)) and self.text.startswith(token, i)

    def _after(self, token: str, start: int) -> int:
        """The index just after the next ``token``; the end of the text if there is none."""
        while (found := self.text.find(token, start)) < 0:
            if not self._add(self.stream.read(_PROLOG_CHUNK)):
                return len(self.text)
        return found + len(token)

    def has_entity(self) -> bool:
        i, doctype, subset = 0, False, False
        while self._have(i + 1):
            char = self.text[i]
            if self._starts(i, "<?"):
                i = self._after("?>", i + 2)
            elif self._starts(i, "<!--"):
                i = self._after("-->", i + 4)
            elif not doctype:
                if char not in "\ufeff \t\r\n" and not self._starts(i, "<!DOCTYPE"):
                    return False  # the root element starts: the prolog is over
                doctype, i = self._starts(i, "<!DOCTYPE"), i + (9 if char == "<" else 1)
                self.doctype = doctype
            elif subset and self._starts(i, "<!ENTITY"):
                return True
            elif char in "\"'":
                i = self._after(char, i + 1)  # a quoted string: skipped whole
            elif char in "[]":
                subset, i = char == "[", i + 1  # the internal subset opens or closes
            elif char == ">" and not subset:
                return False  # the DOCTYPE ends without declaring an entity
            else:
                i += 1
        return False


def undeclared_entity(data: bytes) -> str | None:
    """The name of the first entity ``data`` refers to that is not one of XML's own
    (``&lt;`` and the others, or a character reference), or None.

    Examples
    --------
    >>> undeclared_entity(b'<e v="a &amp; b &#233;"/><e v="&open;"/>')
    'open'
    >>> undeclared_entity(b'<e v="R&D"/>') is None
    True
    """
    found = _REFERENCE.search(data)
    return None if found is None else found.group(1).decode("utf-8", "replace")


def undeclared_entity_text(label: str, name: str, where: str = "") -> str:
    """The error for a file that uses an entity it does not declare: a parser that
    reads no DTD would read its value as empty (an event without a name or a type)."""
    return (
        f"{label}: {where}uses the entity &{name}; which the file does not declare (an "
        "external DTD's, which journeymap never reads, for safety); export the log with "
        "its values written out"
    )
