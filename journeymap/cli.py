"""The ``journeymap`` command: a thin click layer over the library.

Each command parses its options, calls one library function and turns library errors
into one ``Error: ...`` line: exit 1 for bad data, exit 2 for bad usage (a wrong
option, a column or file that does not exist). No traceback for a user mistake.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from journeymap import errors
from journeymap.mapping import ROLES

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

#: Library errors that mean "what you typed is wrong" (exit 2); the rest are exit 1.
_USAGE_ERRORS = (
    errors.MappingError,
    errors.ConfigError,
    errors.ConnectorNotFoundError,
    errors.SourceNotFoundError,
)


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn library errors into an ``Error:`` line and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _USAGE_ERRORS as exc:
            _fail(str(exc), 2)
        except errors.JourneymapError as exc:
            _fail(str(exc), 1)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click reports these itself, with its usage line and exit code
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:
            if os.environ.get("JOURNEYMAP_DEBUG"):
                raise
            _fail(
                f"unexpected {type(exc).__name__}: {exc}. This is a bug in journeymap: "
                "please report it with the command you ran (set JOURNEYMAP_DEBUG=1 "
                "to see the traceback)",
                1,
            )

    return wrapper  # type: ignore[return-value]


def log_options(func: F) -> F:
    """The options every command that reads a log shares: source, roles and parsing."""
    options = [
        click.argument("log", metavar="LOG"),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="TOML file with [read] and [mapping] sections (options given here win).",
        ),
        *[
            click.option(
                f"--{role.replace('_', '-')}",
                role,
                metavar="COLUMN",
                help=f"Column holding the {role.replace('_', ' ')} "
                + ("(detected if not given)." if role in ROLES[:3] else "(optional)."),
            )
            for role in ROLES
        ],
        click.option(
            "--timestamp-format",
            metavar="FORMAT",
            help="strptime format of the timestamps, e.g. '%d/%m/%Y %H:%M' (detected if "
            "not given).",
        ),
        click.option(
            "--timezone",
            metavar="ZONE",
            help="IANA zone for timestamps with no UTC offset (default UTC), e.g. Europe/London.",
        ),
        click.option("--sep", metavar="CHAR", help="CSV delimiter, e.g. ';' or '\\t'."),
        click.option("--encoding", metavar="NAME", help="Text encoding (default utf-8)."),
        click.option("--sheet", metavar="NAME", help="Excel sheet name or number."),
        click.option("--table", metavar="NAME", help="Database table to read (SQL URLs)."),
        click.option("--query", metavar="SQL", help="Query to read (SQL URLs)."),
        click.option("--connector", metavar="NAME", help="Reader to use (see `connectors`)."),
        click.option("--strict", is_flag=True, default=None, help="Fail if any row is rejected."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def read_from_options(log: str, config_path: str | None, **given: Any) -> Any:
    """Read the log with command-line options over the config file's values."""
    from journeymap.config import load_config
    from journeymap.eventlog import read_log

    config = load_config(config_path)
    read = config.section("read")
    mapping = config.section("mapping")
    for key, value in given.items():
        if value is None:
            continue
        (mapping if key in (*ROLES, "timestamp_format", "timezone") else read)[key] = value
    return read_log(log, **read, **mapping)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="journeymap", prog_name="journeymap")
def cli() -> None:
    """journeymap: how customer demand really flows through a service.

    Reads event-log exports (CSV, Excel, XES, Parquet, SQL) and shows hand-offs, rework,
    failure demand and how long customers wait. Start with `journeymap inspect LOG`.
    """


@cli.command(short_help="Profile a log: rows, rejects, cases, activities, data quality.")
@log_options
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Write rejected rows, with their row number and reason, to this CSV file.",
)
@handle_errors
def inspect(log: str, as_json: bool, rejects_path: str | None, **options: Any) -> None:
    """Profile an event log: rows read and rejected, cases, activities, time span,
    data-quality warnings.

    Roles not given as options are detected from the headers, and the profile says
    which column was chosen for each.
    """
    from journeymap.profile import format_profile, profile

    event_log = read_from_options(log, **options)
    if as_json and event_log.mapping.detected:  # the text profile shows the mapping itself
        click.echo(f"Mapping: {event_log.mapping.describe()}", err=True)
    result = profile(event_log)
    if rejects_path:
        n = event_log.write_rejects(rejects_path)
        click.echo(f"Wrote {n:,} rejected rows to {rejects_path}", err=True)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_profile(result))


@cli.command(short_help="Discover the journey: map, tables and summary of a log.")
@log_options
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False, writable=True),
    help="Folder to write into (default: LOG's name without suffixes, plus '-journeymap').",
)
@click.option(
    "--view",
    type=click.Choice(["frequency", "performance", "handoffs"]),
    default="frequency",
    show_default=True,
    help="Map edges labelled by how often (frequency) or by the median wait "
    "(performance); or draw the hand-off network between teams or people (handoffs).",
)
@click.option(
    "--measure",
    type=click.Choice(["cases", "events"]),
    default="cases",
    show_default=True,
    help="In the frequency view, count cases or events on the map.",
)
@click.option(
    "--lanes",
    type=click.Choice(["auto", "team", "resource", "channel", "none"]),
    default="auto",
    show_default=True,
    help="Swimlanes: each activity sits in the lane of the handler who does it most "
    "(auto: team when mapped).",
)
@click.option(
    "--activities",
    "activities_pct",
    type=click.FloatRange(0, 100, min_open=True),
    help="Show the most frequent PCT % of activities (default: all, at most 40).",
    metavar="PCT",
)
@click.option(
    "--paths",
    "paths_pct",
    type=click.FloatRange(0, 100, min_open=True),
    help="Show the most frequent PCT % of paths, plus those that keep the map connected "
    "(default: a readable number).",
    metavar="PCT",
)
@click.option(
    "--format",
    "formats",
    default="svg",
    show_default=True,
    metavar="LIST",
    help="Picture formats of the map, comma-separated: svg, png, pdf (journey.dot always).",
)
@click.option(
    "--demand",
    "demand_filter",
    type=click.Choice(["all", "failure", "value"]),
    default="all",
    show_default=True,
    help="Draw the map for failure-demand or value-demand cases only (tables cover all).",
)
@click.option(
    "--by",
    type=click.Choice(["demand_type", "channel"]),
    help="Also draw one end-to-end capability chart per demand type or channel.",
)
@click.option(
    "--report/--no-report",
    default=True,
    show_default=True,
    help="Also write report.html, one self-contained file to open or send.",
)
@click.option(
    "--model",
    type=click.Choice(["none", "inductive", "heuristics"]),
    default="none",
    show_default=True,
    help="Also discover a formal model with pm4py (model.bpmn, model.svg).",
)
@handle_errors
def mine(
    log: str,
    outdir: str | None,
    view: str,
    measure: str,
    lanes: str,
    activities_pct: float | None,
    paths_pct: float | None,
    formats: str,
    demand_filter: str,
    by: str | None,
    report: bool,
    model: str,
    **options: Any,
) -> None:
    """Discover how the work flows in LOG and draw it as a journey map.

    Writes journey.dot and journey.svg (and other formats asked for), tables/dfg.csv,
    tables/activities.csv, tables/variants.csv and summary.json, plus model.bpmn and
    model.svg when a model is asked for. Big logs are simplified to a readable map; the
    caption says how much is shown. Progress goes to the terminal, nothing to a pipe.
    """
    from journeymap import mining

    chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in mining.MAP_FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"{unknown[0] if unknown else formats!r}: choose from svg, png, pdf",
            param_hint="--format",
        )
    say = _progress()
    from journeymap.connectors.sql import shown_source

    say(f"reading {shown_source(log)}")  # a database URL may hold a password
    event_log = read_from_options(log, **options)
    target = Path(outdir) if outdir else _default_outdir(log)
    from journeymap.config import load_config

    config = load_config(options.get("config_path"))
    findings = mining.mine(
        event_log,
        config=config,
        demand_filter=demand_filter,
        by=by,
        lanes=lanes,
        activities_pct=activities_pct,
        paths_pct=paths_pct,
        model=model,
        progress=say,
    )
    written = mining.write_outputs(
        findings,
        target,
        view=view,
        measure=measure,
        formats=chosen,
        report=report,
        source_path=log,
        report_options=config.section("report"),
        progress=say,
    )
    say(f"wrote {len(written)} files to {target}/ ({findings.scope.caption()})")


def _progress() -> Callable[[str], None]:
    """Progress lines on a terminal; nothing when stderr is a pipe or file."""
    if not sys.stderr.isatty():
        return lambda message: None
    return lambda message: click.echo(f"journeymap: {message}", err=True)


def _default_outdir(log: str) -> Path:
    name = Path(log).name if "://" not in log else "database"
    for suffix in (".gz", ".zip", ".csv", ".tsv", ".txt", ".xes", ".xlsx", ".xlsm",
                   ".parquet", ".pq", ".db"):  # fmt: skip
        name = name.removesuffix(suffix)
    return Path(f"{name or 'log'}-journeymap")


@cli.command(short_help="List the readers: file suffixes and URL schemes.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def connectors(as_json: bool) -> None:
    """List the readers journeymap has, by name, file suffix and URL scheme."""
    from journeymap.connectors.registry import available, broken

    rows = [
        {
            "name": c.name,
            "suffixes": list(c.suffixes),
            "schemes": list(c.schemes),
            "description": c.description,
            "ready": not c.missing_dependencies(),
            "install": f"pip install 'journeymap[{c.extra}]'" if c.missing_dependencies() else "",
        }
        for c in available()
    ]
    if as_json:
        click.echo(json.dumps({"connectors": rows, "broken": broken()}, indent=2))
        return
    for row in rows:
        reads = " ".join(row["suffixes"] + [f"{s}://" for s in row["schemes"]])
        status = "" if row["ready"] else f"  [needs: {row['install']}]"
        click.echo(f"{row['name']:<8} {reads}{status}")
        click.echo(f"         {row['description']}")
    for name, problem in broken().items():
        click.echo(f"{name:<8} cannot be loaded: {problem}")


@cli.command(short_help="Write a synthetic service-desk log of any size (CSV or XES).")
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
@handle_errors
def generate(
    output: str, events: int, seed: int, activities: int | None, truth_path: str | None
) -> None:
    """Write a synthetic council/utility customer-service log to OUTPUT.

    The log has channels, teams, customers, value and failure demand (chasers,
    complaints, reopens, repeat contacts), rework, hand-offs and ping-pong, with the
    planted truth known exactly. OUTPUT ending in .csv or .csv.gz is written in bounded
    memory, at any size; .xes is built in memory first.
    """
    from journeymap import synthetic

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


def main() -> None:
    """Entry point of the ``journeymap`` console script."""
    cli(prog_name="journeymap")
