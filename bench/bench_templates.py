"""Benchmark: `journeymap mine` with journey templates on a large log.

Run by hand (not part of the tests):

    .venv/bin/python bench/bench_templates.py --events 1000000 --repeat 2

The log is the project's generated service log (seed 7, bench/data/, as bench_mine.py
makes it); the templates are the designed journeys of its request types
(journeymap.synthetic.journeys), written to bench/data/templates.toml. Each run is a
fresh process behind a wrapper that reports its wall time and peak resident memory
(see bench_mine.py). Rows:

- `mine --no-report`: without templates, the baseline;
- `mine --no-report --templates T`: every case checked against its request type's
  template (the method `auto` chooses is read back from summary.json);
- the same with `--template NAME`: also the paths and activities of every template's
  cases, and the map of one template;
- the same with the report: a map per template;
- `method = "alignments"` forced on the whole log (pm4py on every distinct sequence).

The table gives each row's best wall time and highest peak over the rounds, and the
methods used. Paste it into docs/benchmarks.md with the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_mine import BIN, DATA, ensure_log, measure

from journeymap.render.template_file import templates_toml
from journeymap.synthetic.journeys import DEMAND_COLUMN, designed_journeys


def templates_file(method: str = "auto") -> Path:
    """bench/data/templates[_<method>].toml: the generator's designed journeys."""
    DATA.mkdir(exist_ok=True)
    path = DATA / ("templates.toml" if method == "auto" else f"templates_{method}.toml")
    settings = {"demand_column": DEMAND_COLUMN, "method": method}
    path.write_text(templates_toml(designed_journeys(), settings=settings), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-alignments", action="store_true", help="Skip the forced row.")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print("| events | run | wall (s) | peak (MB) | methods |")
    print("|---:|---|---:|---:|---|")
    journeymap = str(BIN / "journeymap")
    auto, forced = templates_file(), templates_file("alignments")
    for events in sorted(args.events):
        log = str(ensure_log(events))
        with tempfile.TemporaryDirectory(prefix="bench-templates-") as tmp:
            out = str(Path(tmp) / "out")
            mine = [journeymap, "mine", log, "-o", out]
            runs = {
                "mine --no-report": [*mine, "--no-report"],
                "mine --no-report --templates T": [*mine, "--no-report", "--templates", str(auto)],
                "... --template 'Missed bin collection'": [
                    *mine, "--no-report", "--templates", str(auto),
                    "--template", "Missed bin collection",
                ],
                "mine --templates T (with the report)": [*mine, "--templates", str(auto)],
                "mine --no-report --templates T, method alignments": [
                    *mine, "--no-report", "--templates", str(forced),
                ],
            }  # fmt: skip
            if args.no_alignments:
                runs.pop("mine --no-report --templates T, method alignments")
            measured: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
            methods: dict[str, str] = {}
            for _ in range(args.repeat):
                for name, command in runs.items():
                    found = measure(command, {}, Path(tmp))
                    measured[name].append((found["wall"], found["peak_mb"]))
                    summary = json.loads((Path(out) / "summary.json").read_text())
                    used = {t["method"] for t in summary.get("templates", {}).values()}
                    methods[name] = ", ".join(sorted(used)) or "–"
            for name, results in measured.items():
                wall, peak = min(r[0] for r in results), max(r[1] for r in results)
                print(f"| {events:,} | {name} | {wall:.2f} | {peak:.0f} | {methods[name]} |",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
