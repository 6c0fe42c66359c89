"""Benchmark: `journeymap mine` against the same work done with pm4py.

Run by hand (not part of the tests):

    .venv/bin/python bench/bench_mine.py --events 100000 1000000 --repeat 3

Logs are generated once into bench/data/ (ignored by git) with the project's own
generator, seed 7 (existing files are reused). Each run is a fresh process, started by a
fresh wrapper process that reports the run's wall time and the peak resident memory of
its children (getrusage), so one run's peak never hides another's:

- pm4py: bench/pm4py_mine.py, which reads the CSV with pandas and does with pm4py what
  `mine` gives: DFG, performance DFG, variants, case durations, an inductive-miner tree
  and a picture of the performance DFG (SVG);
- journeymap: `journeymap mine LOG -o OUTDIR --no-report`, also with `--model inductive` (the
  inductive miner on the aggregated DFG, which is what the pm4py script's tree costs);
- the engine's floor: bench/engine_floor.py, part of mine's work (DFG, variants, case
  durations, team hand-offs) in plain DuckDB SQL, with no validation and no outputs,
  under DuckDB's default memory limit and under 300 MB.

The tools run in rounds (one run of each per round), and the table gives each tool's
best wall time and highest peak over the rounds, and both as a ratio to pm4py's. Paste
it into docs/benchmarks.md with the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
BIN = Path(sys.executable).parent

# Runs argv[1:] once and prints its wall seconds and the peak RSS (KiB) of its children.
WRAPPER = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - started
if done.returncode:
    sys.exit(done.stderr.decode(errors="replace")[-2000:])
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def ensure_log(events: int) -> Path:
    """bench/data/service_<events>.csv, generated (seed 7) if it is not there yet."""
    from journeymap.synthetic import write_csv

    DATA.mkdir(exist_ok=True)
    path = DATA / f"service_{events}.csv"
    if not path.exists():
        started = time.perf_counter()
        write_csv(path, events=events, seed=7)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def measure(command: list[str], tmp: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of ``command`` in a fresh process."""
    # TMPDIR: pm4py's save_vis_* leaves its Graphviz output in the temporary folder
    env = {**os.environ, "TMPDIR": tmp}
    wrapped = [sys.executable, "-c", WRAPPER, *command]
    done = subprocess.run(wrapped, capture_output=True, text=True, check=False, env=env)
    if done.returncode:
        raise SystemExit(f"failed: {shlex.join(command)}\n{done.stderr}")
    wall, peak_kib = done.stdout.split()
    return float(wall), int(peak_kib) / 1024


def tools(log: Path, outdir: Path) -> dict[str, list[str] | None]:
    """The commands to compare (None: `journeymap mine` is not installed)."""
    pm4py = [sys.executable, str(HERE / "pm4py_mine.py"), str(log), str(outdir)]
    journeymap = str(BIN / "journeymap")
    exists = (
        Path(journeymap).exists()
        and not subprocess.run(
            [journeymap, "mine", "--help"], capture_output=True, check=False
        ).returncode
    )
    # Without the HTML report, as the mine issue asks: the same outputs as the script.
    mine = [journeymap, "mine", str(log), "-o", str(outdir), "--no-report"] if exists else None
    floor = [sys.executable, str(HERE / "engine_floor.py"), str(log)]
    return {
        "pm4py (bench/pm4py_mine.py)": pm4py,
        "journeymap mine": mine,
        "journeymap mine --model inductive": mine and [*mine, "--model", "inductive"],
        "DuckDB floor, a subset (bench/engine_floor.py)": floor,
        "DuckDB floor, a subset, --memory-limit 300MB": [*floor, "--memory-limit", "300MB"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    python = platform.python_version()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {python}")
    print("| events | tool | wall (s) | peak (MB) | wall / pm4py | peak / pm4py |")
    print("|---:|---|---:|---:|---:|---:|")
    for events in sorted(args.events):
        log = ensure_log(events)
        baseline: tuple[float, float] | None = None
        with tempfile.TemporaryDirectory(prefix="bench-mine-") as tmp:
            commands = tools(log, Path(tmp) / "out")
            for name in [n for n, c in commands.items() if c is None]:
                print(f"skipped {name}: `journeymap mine` is not available", file=sys.stderr)
            # Rounds of one run of each tool, so that a machine whose speed drifts
            # (shared virtual machines do, by 20% and more) slows all tools alike.
            runs: dict[str, list[tuple[float, float]]] = {n: [] for n, c in commands.items() if c}
            for _ in range(args.repeat):
                for name in runs:
                    runs[name].append(measure(commands[name] or [], tmp))
            for name, measured in runs.items():
                wall, peak = min(r[0] for r in measured), max(r[1] for r in measured)
                baseline = baseline or (wall, peak)
                print(
                    f"| {events:,} | {name} | {wall:.2f} | {peak:.0f} | "
                    f"{wall / baseline[0]:.2f} | {peak / baseline[1]:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
