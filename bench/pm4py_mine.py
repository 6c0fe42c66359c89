"""What `journeymap mine` does, done with pm4py on the events: the baseline of bench_mine.

Run by hand (not part of the tests), with the interpreter of a virtual environment that
has only pm4py and its dependencies (`pip install pm4py`), as a user who picks pm4py has
it; bench_mine.py makes one as bench/.pm4py-venv:

    bench/.pm4py-venv/bin/python bench/pm4py_mine.py bench/data/service_100000.csv /tmp/pm4py-out

Reads a CSV made by `journeymap.synthetic.write_csv` (columns case_id, activity,
timestamp, ...) with pandas, and computes with pm4py what a pm4py user would compute to
get what `journeymap mine` gives: the DFG, its waits, the variants, the case durations,
an inductive-miner process tree, and a picture of the performance DFG (SVG). With
--steps it prints the seconds each step took to stderr. (pm4py 2.7 leaves a copy of the
picture, tmp*.gv.svg, in the temporary folder on every run; bench_mine.py points TMPDIR
at a folder it removes.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from steps import StepClock  # bench/steps.py, beside this script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="CSV log from journeymap.synthetic.write_csv")
    parser.add_argument("outdir", type=Path, help="folder for the picture")
    parser.add_argument("--steps", action="store_true", help="print each step's seconds")
    args = parser.parse_args()
    step = StepClock(args.steps)

    import pandas as pd
    import pm4py

    step("import pandas, pm4py")
    frame = pd.read_csv(args.log)
    step("pandas.read_csv")
    frame = pm4py.format_dataframe(
        frame, case_id="case_id", activity_key="activity", timestamp_key="timestamp"
    )
    step("pm4py.format_dataframe")
    dfg, starts, ends = pm4py.discover_dfg(frame)
    step("discover_dfg")
    performance, _, _ = pm4py.discover_performance_dfg(frame)
    step("discover_performance_dfg")
    variants = pm4py.get_variants(frame)
    step("get_variants")
    durations = pm4py.get_all_case_durations(frame)
    step("get_all_case_durations")
    tree = pm4py.discover_process_tree_inductive(frame)
    step("discover_process_tree_inductive")
    args.outdir.mkdir(parents=True, exist_ok=True)
    pm4py.save_vis_performance_dfg(performance, starts, ends, str(args.outdir / "dfg.svg"))
    step("save_vis_performance_dfg (svg)")
    print(
        f"{len(frame):,} events, {len(durations):,} cases, {len(dfg):,} edges, "
        f"{len(variants):,} variants, tree of {len(str(tree)):,} characters"
    )


if __name__ == "__main__":
    main()
