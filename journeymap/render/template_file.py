"""Journey templates written as a TOML file, for people to read and edit.

:func:`templates_toml` writes ``[[template]]`` tables (and a ``[templates]`` section)
from the TOML values of the templates, each step on a line of its own, with comments
above each template. Reading the text back with :func:`journeymap.load_templates` gives
the same templates. The same input gives the same text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["templates_toml", "toml_value"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_value(value: Any) -> str:
    """A TOML value on one line: strings (basic strings, escaped), numbers, booleans,
    lists and inline tables.

    Examples
    --------
    >>> print(toml_value(["a \\"b\\"", {"optional": ["c\\td"]}, 3, True]))
    ["a \\"b\\"", {optional = ["c\\td"]}, 3, true]
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # JSON's string escapes are TOML's basic-string escapes (\\uXXXX included),
        # except that TOML has no escape for "/" and JSON does not write one.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_value(key)


def _comment(text: str) -> list[str]:
    return [f"# {line}".rstrip() for line in text.splitlines() or [""]]


def templates_toml(
    templates: Sequence[Mapping[str, Any]],
    *,
    settings: Mapping[str, Any] | None = None,
    heading: Sequence[str] = (),
    comments: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The text of a templates file.

    Parameters
    ----------
    templates : ``[[template]]`` tables as TOML values (``name``, ``demand``, ``steps``
        or ``bpmn``), in order.
    settings : the ``[templates]`` section (``demand_column``, ...), if any.
    heading : comment lines at the top of the file.
    comments : comment lines above each template, by its name.

    Examples
    --------
    >>> print(templates_toml([{"name": "All", "steps": ["a", {"repeat": "b"}]}],
    ...                      comments={"All": ["covers 3 of 4 cases"]}), end="")
    # covers 3 of 4 cases
    [[template]]
    name = "All"
    steps = [
        "a",
        {repeat = "b"},
    ]
    """
    lines: list[str] = []
    for text in heading:
        lines += _comment(text)
    if settings:
        if lines:
            lines.append("")
        lines.append("[templates]")
        lines += [f"{_key(k)} = {toml_value(v)}" for k, v in settings.items() if v is not None]
    for table in templates:
        if lines:
            lines.append("")
        for text in (comments or {}).get(str(table["name"]), ()):
            lines += _comment(text)
        lines.append("[[template]]")
        for key, value in table.items():
            if key == "steps":
                lines.append("steps = [")
                lines += [f"    {toml_value(step)}," for step in value]
                lines.append("]")
            else:
                lines.append(f"{_key(key)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"
