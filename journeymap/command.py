"""The ``journeymap`` console script: stop cleanly even while starting.

Ctrl-C or SIGTERM before the command line is ready (while Python imports it) ends the
run with ``Error: interrupted`` and exit code 130, as it does later, instead of a
traceback. Then :func:`journeymap.cli.main` takes over.
"""

from __future__ import annotations

import signal
import sys

__all__ = ["main"]


def _stopped_while_starting(signum: int, frame: object) -> None:
    print("Error: interrupted", file=sys.stderr)
    sys.exit(130)


def main() -> None:
    """Entry point of the ``journeymap`` console script."""
    signal.signal(signal.SIGINT, _stopped_while_starting)
    signal.signal(signal.SIGTERM, _stopped_while_starting)
    from journeymap.cli import main as run

    run()
