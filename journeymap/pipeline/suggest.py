"""Suggested journey templates, written as a file to edit (``journeymap template
suggest``).

The file is written whole or not at all: into a temporary file beside the target,
renamed into place when complete. An existing file is replaced only when asked.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from journeymap.analysis.template_suggest import Suggestion
from journeymap.errors import OutputError, option
from journeymap.render.template_file import templates_toml
from journeymap.render.template_words import suggestion_heading, suggestion_text

__all__ = ["suggestion_words", "suggestions_text", "write_suggestions"]


def suggestions_text(
    suggestions: Sequence[Suggestion],
    *,
    source: str,
    demand_column: str | None,
    min_share: float,
) -> str:
    """The text of a templates file holding the suggestions, each with what it covers."""
    tables = []
    comments = {}
    for s in suggestions:
        t = s.template
        table = {"name": t.name, **({"demand": t.demand} if t.demand else {})}
        tables.append({**table, "steps": t.toml_steps()})
        comments[t.name] = [suggestion_words(s, min_share)]
    return templates_toml(
        tables,
        settings={"demand_column": demand_column} if demand_column else None,
        heading=suggestion_heading(source, demand_column, min_share),
        comments=comments,
    )


def write_suggestions(path: str | Path, text: str, *, force: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically; return the path.

    Raises
    ------
    OutputError
        ``path`` exists and ``force`` is False, is a folder, or cannot be written.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give the name of a .toml file to write")
    if target.exists() and not force:
        raise OutputError(
            f"{target}: exists; give {option('force', True)} to replace it, or another file"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".partial", dir=target.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot be written ({exc.strerror or exc})") from exc
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def suggestion_words(s: Suggestion, min_share: float) -> str:
    """:func:`~journeymap.render.template_words.suggestion_text` of a suggestion, saying
    when it is the most common journey because none reached ``min_share``."""
    return suggestion_text(
        s.template.name,
        s.covered,
        s.cases,
        s.variant_value_cases,
        s.value_cases,
        short_of=min_share if s.most_common else None,
    )
