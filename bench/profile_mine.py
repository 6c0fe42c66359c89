"""Where `journeymap mine --no-report` spends its time, engine query by engine query.

Run by hand (not part of the tests):

    .venv/bin/python bench/profile_mine.py bench/data/service_1000000.csv -o /tmp/mine-out

Runs what `journeymap mine LOG -o OUT --no-report` runs (read_log with the default
config, mining.mine, mining.write_outputs without the report), in this process, and
times, without changing the library (its functions are wrapped here):

- each step `mine` reports to its progress callback (wall and CPU seconds);
- each engine table derived once and kept (`EventLog.derived`, by its key: "ordered",
  "handlers_team", ...), each result fetched (`Engine.fetch` and Ibis's `to_pandas`,
  labelled by the journeymap function that asked), each CSV file written
  (`safecsv.copy_to_csv`), reading (`read_log`) and Ibis's SQL compilation
  (`ibis.to_sql` and the DuckDB backend's `compile`).

Times are exclusive: a derived table built while another is being built counts for
itself only, and compilation counts apart from the query that it compiles. CPU seconds
are the process's (all DuckDB threads). Compare with `bench/engine_floor.py --steps`.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import defaultdict
from pathlib import Path

TOTALS: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])  # calls, wall, cpu
_STACK: list[list[float]] = []  # per open call: children's wall, children's cpu


def timed(label_of):
    """Wrap a function: its exclusive wall and CPU time go to TOTALS[label_of(...)]."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            label = label_of(*args, **kwargs)
            if label is None:
                return func(*args, **kwargs)
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
        if module.startswith("journeymap") and module not in (
            "journeymap.engine",
            "journeymap.safecsv",
        ):
            return f"{module.removeprefix('journeymap.')}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


def instrument() -> None:
    import ibis
    import ibis.backends.duckdb as ibis_duckdb

    from journeymap import eventlog, mining, safecsv
    from journeymap.engine import Engine

    log_cls = eventlog.EventLog
    derived = log_cls.derived

    def derived_label(log, key, build):
        if key in log._derived:
            return None  # kept from before: no work
        # flow_<hash> and demand_<hash>: one table per set of rules
        return "derived table: " + (
            key.split("_")[0] if key.startswith(("flow_", "demand_")) else key
        )

    log_cls.derived = timed(derived_label)(derived)
    Engine.fetch = timed(lambda self, expr: f"fetch: {caller()}")(Engine.fetch)
    backend = ibis_duckdb.Backend
    backend.execute = timed(lambda self, expr, *a, **k: f"to_pandas: {caller()}")(backend.execute)
    backend.compile = timed(lambda *a, **k: "Ibis compile (backend.compile)")(backend.compile)
    ibis.to_sql = timed(lambda *a, **k: "Ibis compile (ibis.to_sql)")(ibis.to_sql)
    safecsv.copy_to_csv = timed(lambda con, table, path, **k: f"write CSV: {Path(path).name}")(
        safecsv.copy_to_csv
    )
    eventlog.read_log = timed(lambda *a, **k: "read_log (read, type, validate)")(eventlog.read_log)
    del mining


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    started, started_cpu = time.perf_counter(), time.process_time()

    import journeymap  # noqa: F401  (the import is timed as a step)
    from journeymap import eventlog, mining
    from journeymap.config import load_config

    imported = time.perf_counter() - started, time.process_time() - started_cpu
    instrument()
    steps: list[tuple[str, float, float]] = [("imports (journeymap, pandas, duckdb)", *imported)]
    mark = [time.perf_counter(), time.process_time(), "read the log"]

    def say(message: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        steps.append((mark[2], now - mark[0], cpu - mark[1]))
        mark[:] = [now, cpu, message]

    config = load_config(None)
    log = eventlog.read_log(str(args.log), **config.section("read"), **config.section("mapping"))
    findings = mining.mine(log, config=config, progress=say)
    mining.write_outputs(
        findings,
        args.output,
        report=False,
        source_path=str(args.log),
        report_options=config.section("report"),
        progress=say,
    )
    say("done")
    total = time.perf_counter() - started, time.process_time() - started_cpu

    print(f"`journeymap mine {args.log.name} --no-report` in process: "
          f"{total[0]:.2f} s wall, {total[1]:.2f} s CPU\n")  # fmt: skip
    print("| step (mine's progress messages) | wall (s) | CPU (s) |")
    print("|---|---:|---:|")
    for name, wall, cpu in steps:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    print("\n| engine work (exclusive) | calls | wall (s) | CPU (s) |")
    print("|---|---:|---:|---:|")
    for label, (calls, wall, cpu) in sorted(TOTALS.items(), key=lambda kv: -kv[1][2]):
        if cpu >= 0.02 or wall >= 0.02:
            print(f"| {label} | {calls} | {wall:.2f} | {cpu:.2f} |")
    accounted = sum(v[1] for v in TOTALS.values()), sum(v[2] for v in TOTALS.values())
    print(f"| (all of the above) | | {accounted[0]:.2f} | {accounted[1]:.2f} |")


if __name__ == "__main__":
    main()
