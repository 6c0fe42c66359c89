"""Where `journeymap mine --no-report` spends its time, engine query by engine query.

Run by hand (not part of the tests):

    .venv/bin/python bench/profile_mine.py bench/data/service_1000000.csv -o /tmp/mine-out

Runs what `journeymap mine LOG -o OUT --no-report` runs (read_log with the default
config: open_log, mine, write_outputs without the report; with --report, what
`journeymap mine LOG -o OUT` runs), in this process, and
times, without changing the library (its functions are wrapped here):

- each step `mine` reports to its progress callback (wall and CPU seconds);
- each engine table derived once and kept (`EventLog.derived`, by its key: "ordered",
  "handlers_team", ...), each result fetched (`Engine.fetch` and Ibis's `to_pandas`,
  labelled by the journeymap function that asked), each CSV file written
  (`duckdb_csv.copy_to_csv`), reading (`read_log`) and Ibis's SQL compilation
  (`ibis.to_sql` and the DuckDB backend's `compile`).

Times are exclusive: a derived table built while another is being built counts for
itself only, and compilation counts apart from the query that it compiles. CPU seconds
are the process's (all DuckDB threads). Compare with `bench/engine_floor.py --steps`.
"""

from __future__ import annotations

import argparse
import functools
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from steps import compile_project  # bench/steps.py, beside this script

TOTALS: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])  # calls, wall, cpu
_STACK: list[list[float]] = []  # per open call: children's wall, children's cpu
#: With --by-step, the step now running (its progress message), prefixed to each label.
STEP: list[str] = []


def timed(label_of):
    """Wrap a function: its exclusive wall and CPU time go to TOTALS[label_of(...)]."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            label = label_of(*args, **kwargs)
            if label is None:
                return func(*args, **kwargs)
            if STEP:
                label = f"{STEP[0]}: {label}"
            if threading.current_thread() is not threading.main_thread():
                # a table written beside the rest (Engine.csv_writes): its wall time only,
                # since the process's CPU time is shared with the main thread
                wall = time.perf_counter()
                try:
                    return func(*args, **kwargs)
                finally:
                    entry = TOTALS[label + " (on a thread: wall only)"]
                    entry[0] += 1
                    entry[1] += time.perf_counter() - wall
            wall, cpu = time.perf_counter(), time.process_time()
            _STACK.append([0.0, 0.0])
            try:
                return func(*args, **kwargs)
            finally:
                child_wall, child_cpu = _STACK.pop()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                entry = TOTALS[label]
                entry[0] += 1
                entry[1] += wall - child_wall
                entry[2] += cpu - child_cpu
                if _STACK:
                    _STACK[-1][0] += wall
                    _STACK[-1][1] += cpu

        return inner

    return wrap


def caller() -> str:
    """The innermost journeymap function outside the engine and the CSV writer."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("journeymap") and not module.startswith("journeymap.engine"):
            return f"{module.removeprefix('journeymap.')}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


def instrument() -> None:
    import ibis
    import ibis.backends.duckdb as ibis_duckdb

    from journeymap import eventlog, reader
    from journeymap.engine import Engine, duckdb_csv, duckdb_engine
    from journeymap.pipeline import reading

    log_cls = eventlog.EventLog
    derived = log_cls.derived

    def derived_label(log, key, build, **options):
        if key in log._derived:
            return None  # kept from before: no work
        # flow_<hash> and demand_<hash>: one table per set of rules
        return "derived table: " + (
            key.split("_")[0] if key.startswith(("flow_", "demand_")) else key
        )

    log_cls.derived = timed(derived_label)(derived)
    fetch = timed(lambda self, expr: f"fetch: {caller()}")
    Engine.fetch = fetch(Engine.fetch)
    duckdb_engine.DuckDBEngine.fetch = fetch(duckdb_engine.DuckDBEngine.fetch)  # its own
    backend = ibis_duckdb.Backend
    backend.execute = timed(lambda self, expr, *a, **k: f"to_pandas: {caller()}")(backend.execute)
    backend.compile = timed(lambda *a, **k: "Ibis compile (backend.compile)")(backend.compile)
    ibis.to_sql = timed(lambda *a, **k: "Ibis compile (ibis.to_sql)")(ibis.to_sql)
    csv_label = timed(lambda con, table, path, **k: f"write CSV: {Path(path).name}")
    # every CSV the DuckDB engine writes goes through copy_to_csv (called by name)
    duckdb_csv.copy_to_csv = csv_label(duckdb_csv.copy_to_csv)
    read = timed(lambda *a, **k: "read_log (read, type, validate)")
    reader.read_log = read(reader.read_log)
    reading.read_log = read(reading.read_log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument(
        "--report", action="store_true", help="write the HTML report too (as `mine` does)"
    )
    parser.add_argument(
        "--by-step", action="store_true", help="engine work within each step, apart"
    )
    args = parser.parse_args()
    compile_project()
    started, started_cpu = time.perf_counter(), time.process_time()

    import journeymap as jm  # (the import is timed as a step)
    from journeymap.cli_common import options_from
    from journeymap.pipeline import open_log

    imported = time.perf_counter() - started, time.process_time() - started_cpu
    instrument()
    steps: list[tuple[str, float, float]] = [("imports (journeymap, pandas, duckdb)", *imported)]
    mark = [time.perf_counter(), time.process_time(), "read the log"]
    if args.by_step:
        STEP[:] = [mark[2]]

    def say(message: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        steps.append((mark[2], now - mark[0], cpu - mark[1]))
        mark[:] = [now, cpu, message]
        if args.by_step:
            STEP[:] = [message]

    # What `journeymap mine LOG -o OUT [--no-report]` runs (journeymap.cli.mine).
    options = options_from(None, {}, source=str(args.log), output={"report": args.report})
    with open_log(str(args.log), options) as log:
        findings = jm.mine(log, options, progress=say)
        jm.write_outputs(findings, args.output, source_path=str(args.log), progress=say)
    say("done")
    total = time.perf_counter() - started, time.process_time() - started_cpu

    print(f"`journeymap mine {args.log.name}{'' if args.report else ' --no-report'}` in process: "
          f"{total[0]:.2f} s wall, {total[1]:.2f} s CPU\n")  # fmt: skip
    print("| step (mine's progress messages) | wall (s) | CPU (s) |")
    print("|---|---:|---:|")
    for name, wall, cpu in steps:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    print("\n| engine work (exclusive) | calls | wall (s) | CPU (s) |")
    print("|---|---:|---:|---:|")
    by = (lambda kv: kv[0].split(":")[0]) if args.by_step else (lambda kv: "")
    for label, (calls, wall, cpu) in sorted(TOTALS.items(), key=lambda kv: (by(kv), -kv[1][2])):
        if cpu >= 0.02 or wall >= 0.02:
            print(f"| {label} | {calls} | {wall:.2f} | {cpu:.2f} |")
    accounted = sum(v[1] for v in TOTALS.values()), sum(v[2] for v in TOTALS.values())
    print(f"| (all of the above) | | {accounted[0]:.2f} | {accounted[1]:.2f} |")


if __name__ == "__main__":
    main()
