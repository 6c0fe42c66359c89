"""Interrupts (Ctrl-C, SIGTERM) that stop a run and are never lost.

Python raises KeyboardInterrupt wherever the main thread is when the signal arrives.
When that is inside a finaliser (an object's ``__del__``, run by the garbage collector),
Python prints "Exception ignored in ..." with a traceback and carries on, and the run
would go on to the end. A signal handler therefore calls :func:`note` before it raises:
the interrupt is remembered, such reports of it are silenced, and :func:`steps` (the
progress callback every step of a run goes through) raises it again at the next step.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["note", "noted", "steps"]

_noted = False


def note() -> None:
    """Remember an interrupt, and keep Python from printing one that a finaliser
    swallowed."""
    global _noted
    _noted = True
    sys.unraisablehook = _quiet_interrupts


def noted() -> bool:
    """Whether an interrupt was noted in this process."""
    return _noted


def steps(progress: Callable[[str], None] | None) -> Callable[[str], None]:
    """The callback a run tells each step to: ``progress`` (if any), after raising
    KeyboardInterrupt if an interrupt was noted since."""

    def say(message: str) -> None:
        if _noted:
            raise KeyboardInterrupt
        if progress is not None:
            progress(message)

    return say


def _quiet_interrupts(unraisable: Any) -> None:
    """Drop the interrupts raised in finalisers; report anything else as Python does."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)
