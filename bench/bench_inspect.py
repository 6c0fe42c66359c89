"""Benchmark: `journeymap inspect` on generated logs of growing size.

Run by hand (not part of the tests):

    .venv/bin/python bench/bench_inspect.py --events 100000 1000000

Logs are generated once into bench/data/ (ignored by git) with the project's own
generator. Each run is a fresh `journeymap inspect --json` process; the table gives its
wall time and peak resident memory (the child's maximum RSS from getrusage). Paste the
table into docs/benchmarks.md with the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def ensure_log(events: int, gz: bool) -> Path:
    from journeymap.synthetic import write_csv

    DATA.mkdir(exist_ok=True)
    path = DATA / f"service_{events}.csv{'.gz' if gz else ''}"
    if not path.exists():
        started = time.perf_counter()
        write_csv(path, events=events, seed=7)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def run(path: Path, memory_limit: str | None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `journeymap inspect --json` process."""
    env = dict(os.environ)
    if memory_limit:
        env["JOURNEYMAP_MEMORY_LIMIT"] = memory_limit
    command = [str(Path(sys.executable).parent / "journeymap"), "inspect", str(path), "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the maximum over all children so far: run the largest last.
    return elapsed, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--gz", action="store_true", help="benchmark gzipped CSV")
    parser.add_argument("--memory-limit", help="JOURNEYMAP_MEMORY_LIMIT for the runs")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    python = platform.python_version()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {python}")
    print("| events | file | best wall (s) | peak RSS (MB) |")
    print("|---:|---|---:|---:|")
    for events in sorted(args.events):
        path = ensure_log(events, args.gz)
        runs = [run(path, args.memory_limit) for _ in range(args.repeat)]
        best = min(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        size = path.stat().st_size / 1e6
        print(f"| {events:,} | {path.name} ({size:.0f} MB) | {best:.2f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
