"""Benchmark: `journeymap mine` against a pm4py script and the engine's lean floor.

Run by hand (not part of the tests):

    .venv/bin/python bench/bench_mine.py                      # 1M events, 3 rounds
    .venv/bin/python bench/bench_mine.py --sample --events    # the 8k-event sample only
    .venv/bin/python bench/bench_mine.py --events 10000000 --repeat 1
    .venv/bin/python bench/bench_mine.py --tools pm4py mine floor --repeat 5

Logs are generated once into bench/data/ (ignored by git) with the project's own
generator, seed 7 (existing files are reused); --sample adds sample_logs/service_desk.csv.
Each run is a fresh process measured by GNU time (`/usr/bin/time -f '%e %U %S %M'`):
wall seconds, CPU seconds (user + system, the process and the children it waited for,
such as `dot`) and peak memory (the maximum resident set of the process or of its
largest child). Install Debian's `time` package if /usr/bin/time is missing.

The tools (all with default options):

- pm4py: bench/pm4py_mine.py, run by the interpreter of bench/.pm4py-venv, a virtual
  environment with only `pip install pm4py` and its dependencies, as a user who picks
  pm4py has it (created on first use, or again with --setup-pm4py; ignored by git);
- mine: `journeymap mine LOG -o OUT --no-report`;
- mine-report: `journeymap mine LOG -o OUT` (with the HTML report);
- mine-2gb: `mine` under a 2 GB engine memory limit: `--memory-limit 2GB` when `mine`
  has that option, otherwise the JOURNEYMAP_MEMORY_LIMIT=2GB environment variable;
- floor: bench/engine_floor.py, the work of `mine --no-report` in plain DuckDB SQL,
  tables written as CSV (no map drawn).

By default 1M-event and smaller logs run pm4py, mine, mine-report and floor; logs of
5M events and more pm4py, mine, mine-2gb and floor; the sample pm4py and mine. --tools
picks others. The tools run in rounds, one run of each per round, each round starting
with the next tool, so that a machine whose speed drifts slows them alike; the tables
give every round and the medians, with ratios to pm4py (of the medians, and the range
of the per-round ratios). After the rounds, `dot -Tsvg` is timed on its own on the
journey.dot of the last `mine` run (Graphviz layout of the map `mine` draws), and the
floor's tables are checked against that `mine` output (engine_floor.py --compare).
Raw figures go to bench/results/ (ignored by git) as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from steps import compile_project  # bench/steps.py, beside this script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
RESULTS = HERE / "results"
PM4PY_VENV = HERE / ".pm4py-venv"
SAMPLE = ROOT / "sample_logs" / "service_desk.csv"
BIN = Path(sys.executable).parent
TIME = "/usr/bin/time"
TOOLS = ("pm4py", "mine", "mine-report", "mine-2gb", "floor")
BIG = 5_000_000  # from this many events on, mine-2gb replaces mine-report by default


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


def pm4py_python(setup: bool) -> Path:
    """The interpreter of bench/.pm4py-venv, made with `pip install pm4py` only."""
    python = PM4PY_VENV / "bin" / "python"
    if setup or not python.exists():
        print(f"creating {PM4PY_VENV.relative_to(ROOT)} with `pip install pm4py`", file=sys.stderr)
        if PM4PY_VENV.exists():
            shutil.rmtree(PM4PY_VENV)
        base = getattr(sys, "_base_executable", None) or shutil.which("python3") or "python3"
        subprocess.run([base, "-m", "venv", str(PM4PY_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "pm4py"], check=True)
    return python


def version_of(python: Path, module: str) -> str:
    if not python.is_file():  # no pm4py among the tools: its environment was not asked for
        return "not used"
    done = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({module!r}))"],
        capture_output=True, text=True, check=False, cwd="/",  # not the worktree's egg-info
    )  # fmt: skip
    return done.stdout.strip() or "not installed"


def mine_has_memory_limit(journeymap: str) -> bool:
    done = subprocess.run([journeymap, "mine", "--help"], capture_output=True, text=True)
    return "--memory-limit" in done.stdout


def commands(log: Path, out: Path, pm4py: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Each tool's command line and extra environment, writing into ``out``."""
    journeymap = str(BIN / "journeymap")
    mine = [journeymap, "mine", str(log), "-o", str(out)]
    if mine_has_memory_limit(journeymap):
        limited = ([*mine, "--no-report", "--memory-limit", "2GB"], {})
    else:
        limited = ([*mine, "--no-report"], {"JOURNEYMAP_MEMORY_LIMIT": "2GB"})
    return {
        "pm4py": ([str(pm4py), str(HERE / "pm4py_mine.py"), str(log), str(out)], {}),
        "mine": ([*mine, "--no-report"], {}),
        "mine-report": (mine, {}),
        "mine-2gb": limited,
        "floor": ([sys.executable, str(HERE / "engine_floor.py"), str(log), "-o", str(out)], {}),
    }


def measure(command: list[str], env: dict[str, str], tmp: Path) -> dict[str, float]:
    """Wall and CPU seconds (and the CPU seconds in the kernel, ``system``: page faults
    and the kernel's memory work show there) and peak RSS (MB) of one run of
    ``command``, by GNU time."""
    report = tmp / "time.txt"
    # TMPDIR: pm4py's save_vis_* leaves its Graphviz output in the temporary folder.
    full_env = {**os.environ, "TMPDIR": str(tmp), **env}
    argv = [TIME, "-f", "%e %U %S %M", "-o", str(report), *command]
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=full_env)
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr.decode()[-3000:]}")
    wall, user, system, peak_kib = report.read_text().split()[-4:]
    return {
        "wall": float(wall),
        "cpu": float(user) + float(system),
        "peak_mb": int(peak_kib) / 1024,
        "system": float(system),
    }


def transparent_huge_pages() -> dict[str, str]:
    """The kernel's transparent huge page settings (``enabled``, ``defrag``: the chosen
    value of each), which decide whether a program that asks for huge pages waits while
    memory is defragmented (docs/benchmarks.md, fourteenth round)."""
    found = {}
    for name in ("enabled", "defrag"):
        path = Path("/sys/kernel/mm/transparent_hugepage") / name
        text = path.read_text() if path.exists() else ""
        chosen = [word.strip("[]") for word in text.split() if word.startswith("[")]
        found[name] = chosen[0] if chosen else "unknown"
    return found


def default_tools(label: str, events: int | None) -> list[str]:
    if events is None:  # the sample log
        return ["pm4py", "mine"]
    if events >= BIG:
        return ["pm4py", "mine", "mine-2gb", "floor"]
    return ["pm4py", "mine", "mine-report", "floor"]


def ratio_range(runs: dict[str, list[dict]], name: str, key: str) -> tuple[float, float, float]:
    """Ratio of the medians to pm4py's, and the lowest and highest per-round ratio."""
    base = runs.get("pm4py")
    if not base:
        return (float("nan"),) * 3
    median = statistics.median(r[key] for r in runs[name]) / statistics.median(r[key] for r in base)
    rounds = [r[key] / b[key] for r, b in zip(runs[name], base, strict=False)]
    return median, min(rounds), max(rounds)


def print_tables(label: str, runs: dict[str, list[dict]]) -> None:
    print(f"\n#### {label}: every round\n")
    print("| round | tool | wall (s) | CPU (s) | peak (MB) | wall / pm4py | CPU / pm4py |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    rounds = max(len(r) for r in runs.values())
    for i in range(rounds):
        base = runs.get("pm4py", [None] * rounds)[i]
        for name, measured in runs.items():
            r = measured[i]
            rel = (
                f"{r['wall'] / base['wall']:.2f} | {r['cpu'] / base['cpu']:.2f}"
                if base
                else "- | -"
            )
            cells = f"{r['wall']:.2f} | {r['cpu']:.2f} | {r['peak_mb']:.0f}"
            print(f"| {i + 1} | {name} | {cells} | {rel} |")
    what = "ratios: of the medians, [per-round range]"
    print(f"\n#### {label}: medians of {rounds} rounds ({what})\n")
    print("| tool | wall (s) | CPU (s) | peak (MB) | wall / pm4py | CPU / pm4py | peak / pm4py |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, measured in runs.items():
        cells = []
        for key, fmt in (("wall", ".2f"), ("cpu", ".2f"), ("peak_mb", ".0f")):
            values = [r[key] for r in measured]
            med = statistics.median(values)
            spread = f" ({min(values):{fmt}}-{max(values):{fmt}})" if len(values) > 1 else ""
            cells.append(f"{med:{fmt}}{spread}")
        for key in ("wall", "cpu", "peak_mb"):
            med, lo, hi = ratio_range(runs, name, key)
            span = f" [{lo:.2f}-{hi:.2f}]" if len(measured) > 1 and lo == lo else ""
            cells.append(f"{med:.2f}{span}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    sys.stdout.flush()


def time_dot(dot_file: Path, repeat: int, tmp: Path) -> list[dict]:
    """`dot -Tsvg` of a journey.dot, timed on its own."""
    dot = shutil.which("dot")
    if dot is None:
        print("skipped timing dot: Graphviz's `dot` is not installed", file=sys.stderr)
        return []
    return [
        measure([dot, "-Tsvg", str(dot_file), "-o", str(tmp / "journey.svg")], {}, tmp)
        for _ in range(repeat)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events",
        type=int,
        nargs="*",
        default=None,
        help="generated logs to run (default 1000000; none with --sample)",
    )
    parser.add_argument(
        "--sample", action="store_true", help="also run sample_logs/service_desk.csv (8k events)"
    )
    parser.add_argument(
        "--tools", nargs="+", choices=TOOLS, help="tools to run on every log (default: see above)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument(
        "--setup-pm4py",
        action="store_true",
        help="(re)create bench/.pm4py-venv with `pip install pm4py`",
    )
    parser.add_argument(
        "--no-compare", action="store_true", help="skip checking the floor's tables against mine's"
    )
    args = parser.parse_args()  # fmt: skip
    if not Path(TIME).exists():
        raise SystemExit(
            f"{TIME} is missing: GNU time measures each run's CPU time and peak memory. "
            "Install Debian's `time` package: apt-get install time"
        )
    compile_project()
    events = args.events if args.events is not None else ([] if args.sample else [1_000_000])
    logs: list[tuple[str, Path, int | None]] = [
        (f"{n:,} events", ensure_log(n), n) for n in sorted(events)
    ]
    if args.sample:
        logs.insert(0, ("sample_logs/service_desk.csv", SAMPLE, None))
    needs_pm4py = any("pm4py" in (args.tools or default_tools(*log[::2])) for log in logs)
    pm4py = pm4py_python(args.setup_pm4py) if needs_pm4py or args.setup_pm4py else Path("-")

    import duckdb

    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    thp = transparent_huge_pages()
    started = dt.datetime.now(dt.UTC)
    print(
        f"{started:%Y-%m-%d %H:%M} UTC; {platform.platform()}; nproc {os.cpu_count()}; "
        f"RAM {int(mem) / 1024**2:.1f} GiB; Python {platform.python_version()}; "
        f"DuckDB {duckdb.__version__}; pm4py venv: pm4py {version_of(pm4py, 'pm4py')}, "
        f"pandas {version_of(pm4py, 'pandas')}, journeymap {version_of(pm4py, 'journeymap')}; "
        f"transparent huge pages: {', '.join(f'{k} {v}' for k, v in thp.items())}"
    )
    record: dict = {"started": started.isoformat(), "huge_pages": thp, "logs": {}}
    for label, log, n in logs:
        tools = args.tools or default_tools(label, n)
        runs: dict[str, list[dict]] = {t: [] for t in tools}
        load_before = os.getloadavg()
        with tempfile.TemporaryDirectory(prefix="bench-mine-") as tmp_name:
            tmp = Path(tmp_name)
            out = {t: tmp / f"out-{t}" for t in tools}
            cmds = {t: commands(log, out[t], pm4py)[t] for t in tools}
            if "mine-2gb" in cmds:
                how = cmds["mine-2gb"][1] or {"option": "--memory-limit 2GB"}
                print(f"mine-2gb: {', '.join(f'{k}={v}' for k, v in how.items())}")
            for i in range(args.repeat):
                order = tools[i % len(tools) :] + tools[: i % len(tools)]
                for tool in order:
                    shutil.rmtree(out[tool], ignore_errors=True)
                    runs[tool].append(measure(*cmds[tool], tmp))
                    print(
                        f"  {label} round {i + 1} {tool}: "
                        + ", ".join(f"{k} {v:.2f}" for k, v in runs[tool][-1].items()),
                        file=sys.stderr,
                        flush=True,
                    )
            load_after = os.getloadavg()
            print(f"\n### {label} ({log.name}), {args.repeat} round(s)")
            print(
                f"\nload average (1/5/15 min) before {'/'.join(f'{x:.1f}' for x in load_before)}"
                f", after {'/'.join(f'{x:.1f}' for x in load_after)}"
            )
            print_tables(label, {t: runs[t] for t in tools})
            entry = {"log": str(log), "runs": runs, "load": [load_before, load_after]}
            mined = next((out[t] for t in ("mine", "mine-2gb", "mine-report") if t in tools), None)
            if mined is not None and (mined / "journey.dot").exists():
                dots = time_dot(mined / "journey.dot", args.repeat, tmp)
                if dots:
                    walls = [d["wall"] for d in dots]
                    print(
                        f"\n`dot -Tsvg journey.dot` on its own (the map of `mine`): wall "
                        f"{statistics.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f}), "
                        f"CPU {statistics.median(d['cpu'] for d in dots):.2f} s, peak "
                        f"{max(d['peak_mb'] for d in dots):.0f} MB"
                    )
                    entry["dot"] = dots
            if mined is not None and "floor" in tools and not args.no_compare:
                print(f"\nThe floor's tables against `mine`'s ({label}):\n", flush=True)
                subprocess.run(
                    [sys.executable, str(HERE / "engine_floor.py"), str(log),
                     "-o", str(tmp / "floor-check"), "--compare", str(mined)],
                    check=False,
                )  # fmt: skip
                sys.stdout.flush()
        record["logs"][label] = entry
    RESULTS.mkdir(exist_ok=True)
    # to the second: two runs started in the same minute keep their own files
    saved = RESULTS / f"bench_mine-{started:%Y%m%dT%H%M%S}.json"
    saved.write_text(json.dumps(record, indent=1))
    print(f"\nraw figures: {saved.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
