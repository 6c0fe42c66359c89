"""Interrupt `journeymap mine` at random points and check what it leaves behind.

    .venv/bin/python bench/interrupts.py LOG [--runs 20] [--seed 1] [--within SECONDS]

First one complete run writes the result folder and records its files and their
SHA-256. Then, ``--runs`` times, `mine` is started into the same folder and sent SIGINT
or SIGTERM (alternating) after a random delay of up to ``--within`` seconds (default:
the complete run's own time, so interruptions land in every phase, and some runs finish
first). After each run the script checks:

- the exit code is 130 with "Error: interrupted" as the last line on stderr, or 0 when
  the run finished before the signal;
- no "This is a bug" and no traceback on stderr;
- the folder is the previous complete result, byte for byte, or (exit 0) a complete new
  one with the same files: never a mixture, never a folder that looks complete but
  is not;
- no staging folder (``.NAME.*.partial`` / ``.old``) is left beside it, and no scratch
  folder (``journeymap-*``) in the temporary directory.

It exits 1 and says which run broke a rule. The issue asks for 20 runs on a 1M-event log:
``journeymap generate /tmp/1m.csv --events 1000000`` then
``bench/interrupts.py /tmp/1m.csv --runs 20``.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JOURNEYMAP = Path(sys.executable).parent / "journeymap"


def snapshot(folder: Path) -> dict[str, str]:
    """Each file under ``folder`` (relative path) with its SHA-256."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(folder: Path, scratch_before: set[str]) -> list[str]:
    """Staging folders beside ``folder`` and new scratch folders."""
    staged = [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    return staged + sorted(scratch_folders() - scratch_before)


def scratch_folders() -> set[str]:
    """journeymap's scratch folders in the temporary directory (``journeymap-`` and
    eight random characters; services' folders have longer names)."""
    return {p.name for p in Path(tempfile.gettempdir()).glob("journeymap-????????")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--within", type=float, default=None)
    parser.add_argument("--output", type=Path, default=None, help="result folder (default: temp)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="interrupts-"))
    folder = args.output or work / "result"
    scratch_before = scratch_folders()
    command = [str(JOURNEYMAP), "mine", args.log, "-o", str(folder)]

    started = time.perf_counter()
    first = subprocess.run(command, capture_output=True, text=True)
    took = time.perf_counter() - started
    if first.returncode != 0:
        print(f"the complete run failed: {first.stderr.strip()}")
        return 1
    complete = snapshot(folder)
    within = args.within or took
    print(f"complete run: {took:.1f} s, {len(complete)} files; interrupting within {within:.1f} s")

    rng = random.Random(args.seed)
    problems = 0
    for run in range(1, args.runs + 1):
        signum = signal.SIGINT if run % 2 else signal.SIGTERM
        delay = rng.uniform(0.05, within)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        process.send_signal(signum)
        _, err = process.communicate()
        stderr = err.decode("utf-8", "replace")
        after = snapshot(folder)
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        wrong = []
        if process.returncode == 130:
            if last != "Error: interrupted":
                wrong.append(f"last stderr line {last!r}")
            if after != complete:
                wrong.append("the previous result changed")
        elif process.returncode == 0:
            if sorted(after) != sorted(complete):
                wrong.append("the new result has other files")
            complete = after
        else:
            wrong.append(f"exit {process.returncode}")
        if "This is a bug" in stderr or "Traceback" in stderr:
            wrong.append("a bug report or traceback on stderr")
        left = leftovers(folder, scratch_before)
        if left:
            wrong.append(f"left behind: {', '.join(left)}")
        verdict = "ok" if not wrong else "BROKEN: " + "; ".join(wrong)
        name = signal.Signals(signum).name
        code = process.returncode
        print(f"run {run:>2}: {name:<7} after {delay:5.1f} s -> exit {code}: {verdict}")
        if wrong:
            print("\n".join(f"         | {line}" for line in stderr.strip().splitlines()[-6:]))
        problems += bool(wrong)
    print(f"{args.runs - problems} of {args.runs} runs left a complete result or the previous one")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
