"""The commands around the main job: ``connectors`` (the readers there are),
``generate`` (a synthetic log) and ``template suggest`` (journey templates from a log).

Like every command, each parses its options, calls the library and prints; results go
to the files named, messages to stderr.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from journeymap import errors
from journeymap.cli_common import handle_errors, log_options, options_from

__all__ = ["connectors", "generate", "template"]


@click.command(short_help="List the readers: file suffixes, URL schemes, systems' exports.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def connectors(as_json: bool) -> None:
    """List the readers journeymap has, by name, file suffix and URL scheme, and the
    systems whose exports it recognises by their content (headers, JSON keys)."""
    from journeymap.connectors.registry import available, broken

    rows = [
        {
            "name": c.name,
            "suffixes": list(c.suffixes),
            "schemes": list(c.schemes),
            "recognises": list(c.looks_into),
            "description": c.description,
            "ready": not c.missing_dependencies(),
            "install": f"pip install 'journeymap[{c.extra}]'" if c.missing_dependencies() else "",
        }
        for c in available()
    ]
    if as_json:
        click.echo(json.dumps({"connectors": rows, "broken": broken()}, indent=2))
        return
    width = max([len(row["name"]) for row in rows] + [8])
    for row in rows:
        reads = " ".join(row["suffixes"] + [f"{s}://" for s in row["schemes"]])
        if row["recognises"]:
            reads = "exports in " + " ".join(row["recognises"]) + ", by their content"
        status = "" if row["ready"] else f"  [needs: {row['install']}]"
        click.echo(f"{row['name']:<{width}} {reads}{status}")
        click.echo(f"{'':<{width}} {row['description']}")
    for name, problem in broken().items():
        click.echo(f"{name:<{width}} cannot be loaded: {problem}")


@click.command(short_help="Write a synthetic service-desk log of any size (CSV or XES).")
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--events",
    type=click.IntRange(min=100),
    default=10_000,
    show_default=True,
    help="About how many events to write (within a few percent).",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed.")
@click.option(
    "--activities",
    type=click.IntRange(min=2),
    help="Use exactly this many distinct activity names (a wide, messy process).",
)
@click.option(
    "--truth",
    "truth_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the planted per-case truth to this CSV file.",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT (and the truth file) if they exist.")
@handle_errors
def generate(
    output: str,
    events: int,
    seed: int,
    activities: int | None,
    truth_path: str | None,
    force: bool,
) -> None:
    """Write a synthetic council/utility customer-service log to OUTPUT.

    The log has channels, teams, customers, value and failure demand (chasers,
    complaints, reopens, repeat contacts), rework, hand-offs and ping-pong, with the
    planted truth known exactly. OUTPUT ending in .csv or .csv.gz is written in bounded
    memory, at any size; .xes is built in memory first.
    """
    from journeymap import synthetic

    for path in (output, truth_path):  # a typo must not replace a client's export
        if path is None:
            continue
        if os.path.islink(path):
            raise errors.OutputError(
                f"{path}: is a symbolic link; give the file itself, not a link to it"
            )
        if os.path.lexists(path) and not force:
            raise errors.OutputError(
                f"{path}: exists; give {errors.option('force', True)} to replace it, or "
                "another name"
            )
    lowered = output.lower()
    if lowered.endswith(".xes"):
        made = synthetic.generate_log(
            events=events, seed=seed, activities=activities, with_truth=True
        )
        synthetic.write_xes(made.events, output)
        if truth_path:
            made.cases.to_csv(truth_path, index=False)
        rates = made.rates
    elif lowered.endswith((".csv", ".csv.gz")):
        rates = synthetic.write_csv(
            output, events=events, seed=seed, activities=activities, truth_path=truth_path
        )
    else:
        raise click.BadParameter("must end in .csv, .csv.gz or .xes", param_hint="OUTPUT")
    click.echo(
        f"Wrote {output}: {int(rates['events']):,} events in {int(rates['cases']):,} cases "
        f"({rates['failure_demand_pct']:.1f}% failure demand)",
        err=True,
    )


@click.group(short_help="Journey templates: suggest them from a log.")
def template() -> None:
    """Journey templates: the journey each type of demand is designed to take.

    Write them by hand, or let `journeymap template suggest` propose them from a log,
    then check the log against them with `journeymap mine LOG --templates FILE`.
    """


@template.command(short_help="Suggest one template per type of demand from a log.")
@log_options
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False),
    help="TOML file to write the templates to (an existing file only with --force).",
)
@click.option(
    "--demand-column",
    metavar="COLUMN",
    help="The column that says what each case is a demand for (a request type); without "
    "it, one template for all demand.",
)
@click.option(
    "--min-share",
    type=click.FloatRange(0, 100),
    default=5.0,
    show_default=True,
    metavar="PCT",
    help="Suggest the shortest variant that at least PCT % of a type's value-demand cases follow.",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@handle_errors
def suggest(
    log: str,
    output: str,
    demand_column: str | None,
    min_share: float,
    force: bool,
    config_path: str | None,
    **given: Any,
) -> None:
    """Suggest a journey template for each type of demand in LOG, written to OUTPUT.

    For each type of demand (the values of --demand-column), the shortest variant that
    at least --min-share % of its value-demand cases, and two or more, follow (cases
    still open when the log was exported left out), among those of two or more
    events that end where most of them end (else the most common one), with the share
    of the type's cases that follow it. Edit the file into the journeys
    you designed, then run `journeymap mine LOG --templates OUTPUT`.
    """
    from journeymap.analysis.template_suggest import suggest_templates
    from journeymap.pipeline import open_log
    from journeymap.pipeline.suggest import suggestion_words, suggestions_text, write_suggestions

    options = options_from(config_path, given)
    column = demand_column or options.templates.demand_column
    if Path(output).exists() and not force:  # say so before reading the log
        raise errors.OutputError(
            f"{output}: exists; give {errors.option('force', True)} to replace it, or another file"
        )
    from journeymap.analysis.demand import ACCOUNTS_DOUBT, demand_summary

    with open_log(log, options) as event_log:
        found = suggest_templates(
            event_log, demand_column=column, rules=options.demand, min_share=min_share
        )
        text = suggestions_text(
            found, source=event_log.source, demand_column=column, min_share=min_share
        )
        # The suggestions follow value demand: a doubt on which cases are failure demand
        # (a rule that fires on most cases, a customer column that names accounts) is a
        # doubt on them, said as mine says it.
        notes = demand_summary(event_log, options.demand)["notes"] if found else []
        doubts = [n for n in notes if n.startswith(("rule ", ACCOUNTS_DOUBT))]
    write_suggestions(output, text, force=force)
    for s in found:
        click.echo(suggestion_words(s, min_share))
    click.echo(f"Wrote {len(found)} template{'s' if len(found) != 1 else ''} to {output}", err=True)
    for doubt in doubts:
        click.echo(
            f"journeymap: check before you use them: they follow value demand, and "
            f"{errors.as_flags(doubt)}",
            err=True,
        )
