"""Check that `journeymap mine` writes the same bytes as before a change.

Run by hand, before and after a change that should not change any output:

    .venv/bin/python bench/same_outputs.py run /tmp/before     # at the old commit
    .venv/bin/python bench/same_outputs.py run /tmp/after      # at the new commit
    .venv/bin/python bench/same_outputs.py compare /tmp/before /tmp/after

`run` mines the bundled sample log (with its config, two views, every table, chart and
the report) and every public log of ../shared/datasets that is present, each with the
mapping its README gives, into one folder per job. `compare` lists every file that is
missing on one side or differs, and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DATASETS = PROJECT.parent / "shared" / "datasets"
JOURNEYMAP = Path(sys.executable).parent / "journeymap"

SAMPLE = str(PROJECT / "sample_logs" / "service_desk.csv")
SAMPLE_CONFIG = str(PROJECT / "sample_logs" / "service_desk.toml")

#: (job name, log, extra options). Logs under ../shared/datasets are skipped when absent.
JOBS: list[tuple[str, str, list[str]]] = [
    ("sample", SAMPLE, ["--config", SAMPLE_CONFIG, "--format", "svg,png", "--by", "channel"]),
    ("sample-performance", SAMPLE, ["--config", SAMPLE_CONFIG, "--view", "performance"]),
    ("sample-handoffs", SAMPLE, ["--view", "handoffs", "--no-report"]),
    ("sample-failure", SAMPLE, ["--demand", "failure", "--lanes", "channel", "--no-report"]),
    ("helpdesk-xes", "helpdesk/helpdesk.xes.gz", ["--team", "workgroup"]),
    ("helpdesk-csv", "helpdesk/helpdesk_full.csv", []),
    (
        "bpic2013-closed",
        "bpic2013_closed_problems/BPI_Challenge_2013_closed_problems.xes.gz",
        ["--team", "organization involved"],
    ),
    ("bpic2013-closed-csv", "bpic2013_closed_problems/BPI2013_closed.csv", []),
    ("bpic2013-open", "bpic2013_open_problems/BPI_Challenge_2013_open_problems.xes.gz", []),
    ("receipt-csv", "receipt/receipt.csv", ["--team", "org:group"]),
    ("receipt-xes", "receipt/receipt_env_permit.xes.gz", ["--team", "org:group"]),
    ("sepsis-xes", "sepsis/Sepsis_Cases_Event_Log.xes.gz", ["--team", "org:group"]),
    ("sepsis-csv", "sepsis/sepsis.csv", []),
    ("bpic2012", "bpic2012/bpic2012.xes.gz", []),
    ("roadtraffic100-csv", "road_traffic_fines_sample/roadtraffic100traces.csv", []),
    ("roadtraffic100-xes", "road_traffic_fines_sample/roadtraffic100traces.xes", []),
    ("roadtraffic50", "road_traffic_fines_sample/roadtraffic50traces.xes", []),
    ("running-example", "pm4py_examples/running-example.xes", []),
    ("reviewing", "pm4py_examples/reviewing.xes", []),
    ("interval", "pm4py_examples/interval_event_log.csv", []),
]


def run(folder: Path, only: list[str] | None = None) -> int:
    """Mine every job into ``folder/<job>``; return the number of failed jobs."""
    folder.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name, log, extra in JOBS:
        if only and name not in only:
            continue
        path = Path(log) if Path(log).is_absolute() else DATASETS / log
        if not path.is_file():
            print(f"skip {name}: {path} not found")
            continue
        out = folder / name
        argv = [str(JOURNEYMAP), "mine", str(path), "-o", str(out), *extra]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        status = "ok" if done.returncode == 0 else f"exit {done.returncode}"
        (folder / f"{name}.stderr").write_text(done.stderr, encoding="utf-8")
        print(f"{name}: {status}")
        failed += done.returncode != 0
    return failed


def compare(before: Path, after: Path) -> int:
    """Print every file that differs or exists on one side only; return their number."""
    differences = 0
    names = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    names |= {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    for name in sorted(names):
        if name.suffix == ".stderr":
            continue
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"only in {'after' if not a.exists() else 'before'}: {name}")
            differences += 1
        elif not filecmp.cmp(a, b, shallow=False):
            print(f"differs: {name}")
            differences += 1
    print(f"{len(names)} files compared, {differences} differ")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="mine every job into FOLDER")
    run_parser.add_argument("folder", type=Path)
    run_parser.add_argument("--only", nargs="*", help="job names to run")
    compare_parser = sub.add_parser("compare", help="compare two folders written by run")
    compare_parser.add_argument("before", type=Path)
    compare_parser.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        sys.exit(1 if run(args.folder, args.only) else 0)
    sys.exit(1 if compare(args.before, args.after) else 0)


if __name__ == "__main__":
    main()
