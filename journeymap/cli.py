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
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import click

from journeymap import errors
from journeymap.engine import ENGINES
from journeymap.mapping import ROLES, ReadOptions
from journeymap.options import (
    BY_GROUPS,
    DEMAND_SUBSETS,
    JOURNEYS,
    LANES,
    MAP_FORMATS,
    MODELS,
    VIEWS,
    Options,
    load_options,
)

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

#: Library errors that mean "what you typed is wrong" (exit 2); the rest are exit 1.
_USAGE_ERRORS = (
    errors.MappingError,
    errors.ConfigError,
    errors.ConnectorNotFoundError,
    errors.SourceNotFoundError,
    errors.OutputError,
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
            _fail(exc.for_command_line(), 2)
        except errors.JourneymapError as exc:
            _fail(exc.for_command_line(), 1)
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


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def log_options(func: F) -> F:
    """The options every command that reads a log shares: source, roles, parsing and
    the engine. Each read option of :class:`~journeymap.mapping.ReadOptions` is offered
    from its own definition (name, help, metavar)."""
    read_options = [
        click.option(
            _flag(f.name),
            f.name,
            is_flag=f.type in (bool, "bool"),
            default=None,
            type=click.Choice(f.metadata["choices"]) if f.metadata.get("choices") else None,
            metavar=f.metadata.get("metavar") or None,
            help=f.metadata["help"],
        )
        for f in fields(ReadOptions)
    ]
    options = [
        click.argument("log", metavar="LOG"),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="TOML file of options (see `journeymap config`); options given here win.",
        ),
        *[
            click.option(
                _flag(role),
                role,
                metavar="COLUMN",
                help=f"Column holding the {role.replace('_', ' ')} "
                + ("(detected if not given)." if role in ROLES[:3] else "(optional)."),
            )
            for role in ROLES
        ],
        *read_options,
        click.option(
            "--memory-limit",
            metavar="SIZE",
            help="Memory the engine may use, e.g. 2GB; beyond it, work spills to disk.",
        ),
        click.option(
            "--threads", type=click.IntRange(min=1), help="Worker threads (default: all cores)."
        ),
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            help="Where the analyses run: duckdb (embedded, the default), or postgres: "
            "inside the PostgreSQL database the log is read from, without copying it out.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def options_from(config_path: str | None, given: dict[str, Any], **sections: Any) -> Options:
    """The run's options: the config file's, with the command line's over them."""
    lists = {f.name for f in fields(ReadOptions) if str(f.type).startswith("tuple")}
    read = {k: v for k, v in given.items() if k in {f.name for f in fields(ReadOptions)}}
    for name in lists & set(read):  # comma-separated on the command line
        if read[name] is not None:
            read[name] = tuple(v.strip() for v in read[name].split(",") if v.strip())
    return load_options(config_path).replace(
        read=read,
        mapping={k: v for k, v in given.items() if k in ROLES},
        engine={
            "memory_limit": given.get("memory_limit"),
            "threads": given.get("threads"),
            "name": given.get("engine"),
        },
        **sections,
    )


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
def inspect(
    log: str, as_json: bool, rejects_path: str | None, config_path: str | None, **given: Any
) -> None:
    """Profile an event log: rows read and rejected, cases, activities, time span,
    data-quality warnings.

    Roles not given as options are detected from the headers, and the profile says
    which column was chosen for each.
    """
    from journeymap.analysis.profile import profile
    from journeymap.pipeline import open_log
    from journeymap.render.profile_text import profile_json, profile_text

    options = options_from(config_path, given)
    with open_log(log, options) as event_log:
        if as_json and event_log.mapping.detected:  # the text profile shows the mapping
            click.echo(f"Mapping: {event_log.mapping.describe()}", err=True)
        result = profile(event_log)
        if rejects_path:
            n = event_log.write_rejects(rejects_path)
            click.echo(f"Wrote {n:,} rejected rows to {rejects_path}", err=True)
    if as_json:
        click.echo(json.dumps(profile_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(profile_text(result))


@cli.command(short_help="Discover the journey: map, tables and summary of a log.")
@log_options
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False, writable=True),
    help="Folder to write into (default: LOG's name without suffixes, plus '-journeymap'). "
    "It is replaced whole when the results are complete.",
)
@click.option(
    "--view",
    type=click.Choice(VIEWS),
    help="Map edges labelled by how often (frequency, the default) or by the median wait "
    "(performance); or draw the hand-off network between teams or people (handoffs).",
)
@click.option(
    "--measure",
    type=click.Choice(["cases", "events"]),
    help="In the frequency view, count cases (the default) or events on the map.",
)
@click.option(
    "--lanes",
    type=click.Choice(LANES),
    help="Swimlanes: each activity sits in the lane of the handler who does it most "
    "(auto, the default: team when mapped).",
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
    metavar="LIST",
    help="Picture formats of the map, comma-separated: svg (the default), png, pdf "
    "(journey.dot always).",
)
@click.option(
    "--demand",
    "demand_filter",
    type=click.Choice(DEMAND_SUBSETS),
    help="Draw the map for failure-demand or value-demand cases only (tables cover all).",
)
@click.option(
    "--by",
    type=click.Choice(BY_GROUPS),
    help="Also draw one end-to-end capability chart per demand type or channel.",
)
@click.option(
    "--report/--no-report",
    default=None,
    help="Also write report.html, one self-contained file to open or send (the default).",
)
@click.option(
    "--period",
    metavar="START..END",
    help="The period the capability and weekly charts cover, e.g. 2024-01-01..2024-06-30 "
    "(default: the weeks in which new demand arrived at its usual rate).",
)
@click.option(
    "--model",
    type=click.Choice(MODELS),
    help="Also discover a formal model with pm4py (model.bpmn, model.svg); default none.",
)
@click.option(
    "--journeys",
    type=click.Choice(JOURNEYS),
    help="Map cases (the default), or customer journeys: each customer's related cases "
    "as one journey, their events in time order (needs the customer role).",
)
@handle_errors
def mine(
    log: str,
    outdir: str | None,
    view: str | None,
    measure: str | None,
    lanes: str | None,
    activities_pct: float | None,
    paths_pct: float | None,
    formats: str | None,
    demand_filter: str | None,
    by: str | None,
    report: bool | None,
    period: str | None,
    model: str | None,
    journeys: str | None,
    config_path: str | None,
    **given: Any,
) -> None:
    """Discover how the work flows in LOG and draw it as a journey map.

    Writes journey.dot and journey.svg (and other formats asked for), tables/dfg.csv,
    tables/activities.csv, tables/variants.csv and summary.json, plus model.bpmn and
    model.svg when a model is asked for. Big logs are simplified to a readable map; the
    caption says how much is shown. Progress goes to the terminal, nothing to a pipe.
    """
    import journeymap as jm
    from journeymap.pipeline import open_log
    from journeymap.render.words import map_caption

    chosen = None
    if formats is not None:
        chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
        unknown = [f for f in chosen if f not in MAP_FORMATS]
        if unknown or not chosen:
            raise click.BadParameter(
                f"{unknown[0] if unknown else formats!r}: choose from svg, png, pdf",
                param_hint="--format",
            )
    options = options_from(
        config_path,
        given,
        map={
            "view": view,
            "measure": measure,
            "lanes": lanes,
            "activities_pct": activities_pct,
            "paths_pct": paths_pct,
            "demand": demand_filter,
            "by": by,
            "model": model,
            "journeys": journeys,
        },
        output={"formats": chosen, "report": report},
        check={"period": period},
    )
    say = _progress()
    from journeymap.connectors.sql import shown_source

    say(f"reading {shown_source(log)}")  # a database URL may hold a password
    target = Path(outdir) if outdir else _default_outdir(log)
    with open_log(log, options) as event_log:
        findings = jm.mine(event_log, options, progress=say)
        written = jm.write_outputs(findings, target, source_path=log, progress=say)
        say(f"wrote {len(written)} files to {target}/ ({map_caption(findings.scope)})")


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


@cli.command(short_help="List the readers: file suffixes, URL schemes, systems' exports.")
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
