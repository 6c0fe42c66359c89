"""Regenerate the committed sample logs and the planted-truth table in README.md.

Run from the repository root, with journeymap installed (or importable)::

    python sample_logs/make_samples.py

It rewrites ``service_desk.csv``, ``service_desk.xes``, ``service_desk_truth.csv``,
``service_desk_templates.toml`` (the designed journey of each request type) and the
table between the ``rates`` markers of ``README.md``. The tests regenerate the files
into a temporary folder and compare them byte for byte with the committed ones.
"""

from __future__ import annotations

from pathlib import Path

from journeymap.render.template_file import templates_toml
from journeymap.synthetic import generate_log, write_csv, write_xes
from journeymap.synthetic.journeys import DEMAND_COLUMN, designed_journeys

CASES, SEED = 1350, 19
HERE = Path(__file__).resolve().parent
START, END = "<!-- rates:start -->", "<!-- rates:end -->"

# (key of the rates dict, what it counts, number format)
ROWS = (
    ("cases", "cases (customer requests)", "{:.0f}"),
    ("events", "events", "{:.0f}"),
    ("failure_demand_pct", "failure demand, % of cases (not `value`)", "{:.2f}"),
    ("failure_activity_pct", "... `failure_activity` (chasers, complaints, reopens)", "{:.2f}"),
    ("repeat_contact_pct", "... `repeat_contact` (new case within 14 days)", "{:.2f}"),
    ("repeat_contact_rule_pct", "cases the `repeat_contact` rule matches, any type, %", "{:.2f}"),
    ("value_demand_pct", "value demand, %", "{:.2f}"),
    ("single_handler_pct", "single handler (no team hand-off), %", "{:.2f}"),
    ("cases_with_handoff_pct", "cases with at least one team hand-off, %", "{:.2f}"),
    ("mean_handoffs", "mean team hand-offs per case", "{:.4f}"),
    ("mean_handoffs_resource", "mean resource hand-offs per case", "{:.4f}"),
    ("pingpong_cases_pct", "ping-pong cases (team level), %", "{:.2f}"),
    ("pingpongs", "ping-pongs (team level X Y X), total", "{:.0f}"),
    ("rework_cases_pct", "cases with rework, %", "{:.2f}"),
    ("rework_events", "rework events, total", "{:.0f}"),
    ("redo_events", "... redo (different resource)", "{:.0f}"),
    ("repeat_events", "... repeat (same resource)", "{:.0f}"),
    ("redo_cases_pct", "cases with a redo, %", "{:.2f}"),
    ("self_loop_cases_pct", "cases with a self-loop (a -> a), %", "{:.2f}"),
    ("dirty_cases_pct", "cases with a dirty activity (Request information), %", "{:.2f}"),
    ("one_stop_pct", "one-stop cases, %", "{:.2f}"),
    ("clean_pct", "clean cases, %", "{:.2f}"),
    ("tie_cases", "cases with two events at the same timestamp", "{:.0f}"),
    ("follows_template_pct", "cases that follow their designed journey, %", "{:.2f}"),
    ("skipped_step_pct", "... cases that skip a designed step, %", "{:.2f}"),
    ("inserted_step_pct", "... cases with an inserted step, %", "{:.2f}"),
    ("repeated_step_pct", "... cases that repeat a step, %", "{:.2f}"),
)  # fmt: skip
TEMPLATES_HEADING = (
    "Journey templates of the sample log: the designed journey of each request type",
    "(journeymap.synthetic.journeys). Written by make_samples.py; use them with",
    "  journeymap mine sample_logs/service_desk.csv --config sample_logs/service_desk.toml \\",
    "      --templates sample_logs/service_desk_templates.toml",
)


def rates_table(rates: dict[str, float]) -> str:
    """The README table of planted rates (Markdown)."""
    lines = ["| measure | key | value |", "|---|---|---:|"]
    lines += [f"| {label} | `{key}` | {fmt.format(rates[key])} |" for key, label, fmt in ROWS]
    return "\n".join(lines) + "\n"


def make(outdir: Path) -> str:
    """Write the four sample files into ``outdir``; return the rates table."""
    outdir = Path(outdir)
    rates = write_csv(outdir / "service_desk.csv", cases=CASES, seed=SEED,
                      truth_path=outdir / "service_desk_truth.csv")  # fmt: skip
    write_xes(generate_log(cases=CASES, seed=SEED), outdir / "service_desk.xes")
    text = templates_toml(
        designed_journeys(), settings={"demand_column": DEMAND_COLUMN}, heading=TEMPLATES_HEADING
    )
    (outdir / "service_desk_templates.toml").write_text(text, encoding="utf-8")
    return rates_table(rates)


def main() -> None:
    table = make(HERE)
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8")
    before, rest = text.split(START)
    after = rest.split(END)[1]
    readme.write_text(before + START + "\n" + table + END + after, encoding="utf-8")
    print(table, end="")


if __name__ == "__main__":
    main()
