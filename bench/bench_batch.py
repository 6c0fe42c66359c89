"""Benchmark: `journeymap batch` against one `journeymap mine` process per log.

Run by hand (not part of the tests):

    .venv/bin/python bench/bench_batch.py --copies 20

Makes COPIES copies of the bundled sample log (sample_logs/service_desk.csv, 8,035
events) in a temporary folder and, in one run, times with the same options
(sample_logs/service_desk.toml, report included):

- `journeymap mine COPY -o OUT` once per copy, one process after the other (what a shell
  loop over exports does: every log pays Python's and journeymap's start-up);
- `journeymap batch COPIES -o OUT --jobs 1` (one process, imports once);
- `journeymap batch COPIES -o OUT --jobs 2` (two worker processes, the engine's threads
  and memory shared out between them).

Each batch starts from an empty output folder (nothing up to date), and a last run of
`--jobs 2` into the same folder times a rerun where every log is up to date. The order
can be repeated (--rounds) to see the machine's drift. Paste the table into
docs/benchmarks.md with the machine it ran on and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
SAMPLE = PROJECT / "sample_logs" / "service_desk.csv"
CONFIG = PROJECT / "sample_logs" / "service_desk.toml"
JOURNEYMAP = str(Path(sys.executable).parent / "journeymap")


def _timed(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not POSIX
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average at start {_load()}")  # fmt: skip
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
        folder = Path(scratch)
        logs = folder / "logs"
        logs.mkdir()
        copies = [logs / f"service_desk_{i:02d}.csv" for i in range(1, args.copies + 1)]
        for copy in copies:
            shutil.copyfile(SAMPLE, copy)
        for round_ in range(1, args.rounds + 1):
            out = folder / f"mine-{round_}"
            started = time.perf_counter()
            for copy in copies:
                _timed([JOURNEYMAP, "mine", str(copy), "--config", str(CONFIG), "-q",
                        "-o", str(out / copy.stem)])  # fmt: skip
            rows.append((f"{args.copies} `mine` processes", time.perf_counter() - started))
            for jobs in ("1", "2"):
                out = folder / f"batch-{jobs}-{round_}"
                argv = [JOURNEYMAP, "batch", str(logs), "--config", str(CONFIG), "-q",
                        "-o", str(out), "--jobs", jobs]  # fmt: skip
                rows.append((f"`batch --jobs {jobs}`", _timed(argv)))
            rows.append(("`batch --jobs 2` again (all up to date)", _timed(argv)))
            print(f"round {round_} done; load average {_load()}", flush=True)
    print(f"\n| run ({args.copies} copies of the sample log) | wall time | per log |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} s | {seconds / args.copies:.2f} s |")
    print(f"\nload average at the end {_load()}")


if __name__ == "__main__":
    main()
