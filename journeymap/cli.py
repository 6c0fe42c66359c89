"""The ``journeymap`` command: a thin click layer over the library.

Each command parses its options, calls one library function and turns library errors
into one ``Error: ...`` line: exit 1 for bad data, exit 2 for bad usage (a wrong
option, a column or file that does not exist). No traceback for a user mistake.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import click

from journeymap.cli_batch import batch, compare, config
from journeymap.cli_common import (
    handle_errors,
    imported,
    importing,
    log_options,
    options_from,
    progress_lines,
    scan_ahead,
    stop_run,
)
from journeymap.cli_tools import connectors, generate, template
from journeymap.errors import as_flags
from journeymap.option_sections import (
    BY_GROUPS,
    DEMAND_SUBSETS,
    JOURNEYS,
    LANES,
    MAP_FORMATS,
    MODELS,
    VIEWS,
)

__all__ = ["cli", "main"]

#: Progress lines on a terminal, nothing in a pipe (a name tests can replace).
_progress = progress_lines


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
    type=click.Path(dir_okay=False),
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
    options = options_from(config_path, given, source=log)
    scan_ahead(log, options)  # while the rest imports
    from journeymap.analysis.profile import profile
    from journeymap.pipeline import open_log
    from journeymap.pipeline.rejects import default_rejects_path
    from journeymap.render.profile_text import profile_json, profile_text

    imported()
    with open_log(log, options) as event_log:
        if as_json and event_log.mapping.detected:  # the text profile shows the mapping
            click.echo(f"Mapping: {event_log.mapping.describe()}", err=True)
        fallback = default_rejects_path(log)
        _check_rejects(event_log, log, rejects_path, fallback, "them with --rejects FILE")
        result = profile(event_log)
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
    help="Show the most frequent PCT % of activities (default: all, at most 40; 25 over 50).",
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
    "(default: from the first to the last week in which new demand arrived at its usual rate).",
)
@click.option(
    "--model",
    type=click.Choice(MODELS),
    help="Also discover a formal model with pm4py (model.bpmn, model.svg); default none.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False),
    help="Also write rejected rows, with their row number and reason, to this CSV file "
    "(they are in tables/rejects.csv too).",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print nothing but errors (no final 'Wrote ...' line)."
)
@click.option(
    "--templates",
    "templates_path",
    type=click.Path(dir_okay=False),
    help="TOML file of journey templates ([[template]] tables, see `journeymap template "
    "suggest`): check each case against the journey designed for its type of demand "
    "(tables/conformance.csv, deviations.csv, segments.csv).",
)
@click.option(
    "--template",
    "template_name",
    metavar="NAME",
    help="Draw the map of the journey template NAME instead: its designed steps and paths, "
    "and where its cases deviated.",
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
    rejects_path: str | None,
    quiet: bool,
    templates_path: str | None,
    template_name: str | None,
    journeys: str | None,
    config_path: str | None,
    **given: Any,
) -> None:
    """Discover how the work flows in LOG and draw it as a journey map.

    Writes journey.dot and journey.svg (and other formats asked for), tables/dfg.csv,
    tables/activities.csv, tables/variants.csv and summary.json, plus model.bpmn and
    model.svg when a model is asked for. With journey templates (--templates, or
    [[template]] in the config), each case is checked against the journey designed for
    its type of demand. Big logs are simplified to a readable map; the caption says how
    much is shown. Progress goes to the terminal, nothing to a pipe; the last line says
    what was written (also in a pipe, unless --quiet).
    """
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
        source=log,
        map={
            "view": view,
            "measure": measure,
            "lanes": lanes,
            "activities_pct": activities_pct,
            "paths_pct": paths_pct,
            "demand": demand_filter,
            "by": by,
            "model": model,
            "template": template_name,
            "journeys": journeys,
        },
        output={"formats": chosen, "report": report},
        check={"period": period},
    )
    if templates_path is not None:
        options = options.with_templates(templates_path)
    scan_ahead(log, options)  # before any thread starts and the rest is imported
    from journeymap.fingerprint import hash_soon

    hash_soon(log)  # the run record's fingerprint, hashed while the rest imports
    import journeymap as jm
    from journeymap.pipeline import open_log
    from journeymap.pipeline.rejects import default_rejects_path

    imported()
    say = (lambda message: None) if quiet else _progress()
    from journeymap.connectors.sql import shown_source

    target = Path(outdir) if outdir else _default_outdir(log)
    from journeymap.pipeline.staging import check_output

    check_output(target, inputs=(log,))  # a folder it would refuse, before the reading
    say(f"reading {shown_source(log)}")  # a database URL may hold a password
    with open_log(log, options) as event_log:
        fallback = default_rejects_path(log, target.absolute().parent)
        _check_rejects(event_log, log, rejects_path, fallback, f"{target}/tables/rejects.csv")
        findings = jm.mine(event_log, options, progress=say)
        written = jm.write_outputs(findings, target, source_path=log, progress=say)
        drawn = _drawn(findings)
    if not quiet:
        click.echo(f"Wrote {len(written)} files to {target}/ ({drawn})", err=True)
        # Figures that may mislead: the terminal says so, as the report does.
        from journeymap.render.doubts import doubts

        for doubt in doubts(findings):
            click.echo(f"journeymap: check before you show it: {as_flags(doubt)}", err=True)


def _drawn(findings: Any) -> str:
    """What ``journey.*`` shows, for the last line: the map's scope, the hand-off
    network, or a journey template."""
    from journeymap.render.captions import map_caption

    chosen = findings.options.map
    if chosen.template is not None:
        return f"the map of journey template {chosen.template!r}"
    if chosen.view == "handoffs" and findings.network_parts is not None:
        paths = len(findings.network_parts.edges)
        return f"the hand-off network between {findings.level}s: {paths:,} paths"
    return map_caption(findings.scope)


def _check_rejects(
    event_log: Any, source: str, rejects_path: str | None, fallback: Path, elsewhere: str
) -> None:
    """Write the rejects where asked, say on stderr how many rows were rejected and
    why (also to a pipe, so batch runs see it), and stop when no row is left: then the
    rejects go to ``rejects_path`` or ``fallback``. ``elsewhere`` says where else the
    user finds them."""
    from journeymap.pipeline.rejects import require_events, write_rejects
    from journeymap.render.captions import rejects_line

    require_events(event_log, source, rejects_path or fallback)
    if rejects_path:  # written even when empty: the file the user asked for exists
        write_rejects(event_log, rejects_path, inputs=(source,))
    if not event_log.rejected_rows:
        return
    where = rejects_path or elsewhere
    reasons = event_log.rejected_by_reason()
    line = rejects_line(event_log.source, event_log.read_counts.rejected_of(), reasons, where)
    click.echo(f"journeymap: {as_flags(line)}", err=True)


def _default_outdir(log: str) -> Path:
    name = Path(log).name if "://" not in log else "database"
    for suffix in (".gz", ".zip", ".csv", ".tsv", ".txt", ".xes", ".xlsx", ".xlsm",
                   ".parquet", ".pq", ".db"):  # fmt: skip
        name = name.removesuffix(suffix)
    return Path(f"{name or 'log'}-journeymap")


for command in (batch, compare, config, connectors, generate, template):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``journeymap`` console script."""
    importing()
    signal.signal(signal.SIGINT, stop_run)
    signal.signal(signal.SIGTERM, stop_run)
    try:
        cli(prog_name="journeymap")
    finally:  # the work is done (or undone): a late signal must not turn into a traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
