"""Compare `journeymap mine` at two versions of the code on one log, in blocks that
cancel a drifting machine.

Run by hand (not part of the tests):

    .venv/bin/python bench/ab_mine.py LOG --before 371e01b             # against the working tree
    .venv/bin/python bench/ab_mine.py LOG --before HEAD~3 --after HEAD --blocks 8
    .venv/bin/python bench/ab_mine.py --before HEAD~1 LOG -- --no-report --view performance

Each version is unpacked into a temporary folder (`git archive`; the working tree is
used as it is for the default --after), its bytecode compiled (a sandbox that sets
PYTHONDONTWRITEBYTECODE would otherwise compile one side's sources in every run), and
run with the same interpreter and installed packages. A block is four fresh processes:
before, after, after, before. A machine whose speed drifts steadily slows both sides
of a block alike, and the block's difference is the mean of its two "before" runs less
the mean of its two "after" runs. The summary gives the mean of the blocks'
differences and its standard error, for wall and CPU seconds, and the medians of
every figure (GNU time: wall, CPU user + system, peak resident set). The two versions'
last outputs are compared file by file at the end.

Options after ``--`` go to `mine` (default: --no-report).
"""

from __future__ import annotations

import argparse
import filecmp
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_mine import measure  # bench/bench_mine.py, beside this script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def unpack(revision: str, into: Path) -> Path:
    """The project at ``revision``, unpacked under ``into``, importable from its root:
    ``journeymap.connectors`` lives in the top-level ``connectors/`` folder, which the
    editable install maps for the working tree only, so the unpacked tree links it."""
    folder = into / revision.replace("/", "_")
    folder.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "journeymap" / "connectors").symlink_to("../connectors")
    return folder


def compile_tree(folder: Path) -> None:
    """Write the bytecode of ``folder``'s journeymap and connectors (outside any
    PYTHONDONTWRITEBYTECODE: compileall writes it when asked)."""
    import compileall

    for package in ("journeymap", "connectors"):
        compileall.compile_dir(str(folder / package), quiet=1)


def command(source: Path, log: str, out: Path, options: list[str]) -> list[str]:
    start = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'journeymap'; "
        "from journeymap.cli import main; main()"
    )
    return [sys.executable, "-c", start, str(source), "mine", log, "-o", str(out), *options]


def summary(runs: dict[str, list[dict[str, float]]]) -> None:
    before, after = runs["before"], runs["after"]
    blocks = len(before) // 2
    print(f"\n{blocks} block(s) of before, after, after, before\n")
    print("| figure | before (median) | after (median) | before - after (mean of blocks) |")
    print("|---|---:|---:|---:|")
    for key, unit in (("wall", "s"), ("cpu", "s"), ("peak_mb", "MB")):
        diffs = [
            (before[2 * i][key] + before[2 * i + 1][key]) / 2
            - (after[2 * i][key] + after[2 * i + 1][key]) / 2
            for i in range(blocks)
        ]
        mean = statistics.mean(diffs)
        spread = (
            f" (standard error {statistics.stdev(diffs) / len(diffs) ** 0.5:.2f})"
            if len(diffs) > 1
            else ""
        )
        b = statistics.median(r[key] for r in before)
        a = statistics.median(r[key] for r in after)
        print(f"| {key} ({unit}) | {b:.2f} | {a:.2f} | {mean:+.2f}{spread} |")


def same_outputs(one: Path, other: Path) -> list[str]:
    """Files that differ or exist on one side only."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(one, other), "")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--before", required=True, help="git revision of the first side")
    parser.add_argument("--after", help="git revision of the second (default: working tree)")
    parser.add_argument("--blocks", type=int, default=4, help="blocks of four runs (default 4)")
    parser.add_argument("mine_options", nargs="*", help="options for mine, after --")
    args = parser.parse_args()
    options = args.mine_options or ["--no-report"]
    with tempfile.TemporaryDirectory(prefix="journeymap-ab-") as scratch:
        tmp = Path(scratch)
        sources = {"before": unpack(args.before, tmp)}
        sources["after"] = unpack(args.after, tmp) if args.after else ROOT
        for folder in sources.values():
            compile_tree(folder)
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        outs = {side: tmp / f"out-{side}" for side in sources}
        for block in range(args.blocks):
            for side in ("before", "after", "after", "before"):
                figures = measure(command(sources[side], args.log, outs[side], options), {}, tmp)
                runs[side].append(figures)
                print(
                    f"block {block + 1} {side:6}: wall {figures['wall']:.2f} s, "
                    f"CPU {figures['cpu']:.2f} s, peak {figures['peak_mb']:.0f} MB",
                    flush=True,
                )
        summary(runs)
        differ = same_outputs(outs["before"], outs["after"])
        print(
            f"\noutputs: {len(differ)} file(s) differ: {', '.join(differ[:10])}"
            if differ
            else "\noutputs: the same files, byte for byte"
        )


if __name__ == "__main__":
    main()
