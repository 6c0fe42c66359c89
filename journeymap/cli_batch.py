"""The commands for many logs and for change: ``batch``, ``compare`` and ``config``.

Like every command, each parses its options, calls the library
(:func:`journeymap.batch`, :func:`journeymap.compare`, the config template) and prints;
progress goes to stderr (a progress bar on a terminal, a line per finished log in a
pipe), results to the files and, with ``--json``, to stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from journeymap.cli_common import (
    handle_errors,
    imported,
    options_from,
    progress_lines,
    read_options,
)
from journeymap.cli_display import BatchDisplay
from journeymap.errors import as_flags

__all__ = ["batch", "compare", "config"]


@click.command(short_help="Mine many logs, one folder each, and an index comparing them.")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUTS...")
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    type=click.Path(file_okay=False, writable=True),
    help="Folder to write into: one folder per log, and index.html, index.csv, index.json.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="TOML file of options, with [[files]] patterns for settings per file.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Logs to mine at once, each in its own process (at most one per core); the "
    "engine's threads and memory are shared out between them.",
)
@click.option("--force", is_flag=True, help="Mine every log again, even those up to date.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first log that fails.")
@click.option(
    "-q", "--quiet", is_flag=True, help="Print only failures (no progress, no last line)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the index as JSON on stdout.")
@handle_errors
def batch(
    inputs: tuple[str, ...],
    outdir: str,
    config_path: str | None,
    jobs: int,
    force: bool,
    fail_fast: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Mine every log that INPUTS name into OUTDIR/<name>/ and compare them in an index.

    INPUTS are files, folders (searched recursively for the suffixes journeymap reads,
    and for JSON, XML and SQLite exports that a system's reader recognises) and glob
    patterns. Each log gets a folder named after its file (made safe and
    unique) with everything `mine` writes; OUTDIR/index.html, index.csv and index.json
    put the logs side by side. The config file's [[files]] patterns give the read,
    mapping and demand settings of each kind of export.

    A log that fails is named on stderr with its reason and in the index; the others
    go on. Exit 0 when every log succeeds, 1 when any failed (or was not run). A rerun
    mines only logs whose input, options or journeymap version changed (--force mines
    all), so after an interrupt it finishes what was left.
    """
    import journeymap as jm
    from journeymap.options_file import load_options

    imported()
    options = load_options(config_path)
    display = BatchDisplay(quiet=quiet)
    try:
        with display:
            result = jm.batch(
                inputs,
                outdir,
                options,
                jobs=jobs,
                force=force,
                fail_fast=fail_fast,
                progress=display.event,
            )
    except KeyboardInterrupt:
        click.echo(
            f"journeymap: the index of the logs that finished is in {outdir}/index.html; "
            "run the same command again to mine the rest",
            err=True,
        )
        raise
    if as_json:
        text = (Path(outdir) / "index.json").read_text(encoding="utf-8")
        click.echo(text, nl=False)
    display.finished(result.rows, Path(outdir) / "index.html")
    failed, not_run, total = result.failed, result.not_run, len(result.rows)
    if failed or not_run:
        parts = [
            f"{len(rows)} of {total} logs {what}: {', '.join(r['name'] for r in rows)}"
            for rows, what in ((failed, "failed"), (not_run, "were not run"))
            if rows
        ]
        click.echo(f"Error: {'; '.join(parts)}", err=True)
        sys.exit(1)


@click.command(short_help="Compare two logs, or one log before and after a date.")
@click.argument("before_log", metavar="BEFORE")
@click.argument("after_log", metavar="[AFTER]", required=False)
@read_options
@click.option(
    "--split-at",
    metavar="DATE",
    help="Compare one log's cases starting before DATE with those starting from DATE "
    "(UTC; e.g. 2024-03-01), instead of two logs.",
)
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False, writable=True),
    help="Folder to write into (default: BEFORE's name plus '-compare'); replaced whole.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option(
    "--templates",
    "templates_path",
    type=click.Path(dir_okay=False),
    help="TOML file of journey templates: compare each template's share of cases that went "
    "through as designed, and that could have, before and after.",
)
@click.option(
    "--labels",
    metavar="FIRST,SECOND",
    help="Names for the two logs' sides on the page and in the notes, e.g. 'closed "
    "problems,open problems' (default: before, after); not with --split-at, whose sides "
    "are named by the date.",
)
@handle_errors
def compare(
    before_log: str,
    after_log: str | None,
    split_at: str | None,
    outdir: str | None,
    quiet: bool,
    templates_path: str | None,
    labels: str | None,
    config_path: str | None,
    **given: Any,
) -> None:
    """Compare BEFORE with AFTER, or one log split at a date: did the change work?

    Writes compare.html (the headline measures before, after and the change; the
    journey map of both with paths coloured by the change in cases or in median wait,
    new paths bold and dashed, vanished ones grey and dotted; the end-to-end capability
    chart with each period's own limits; every path's change), the maps as DOT and SVG,
    charts/capability_e2e.svg, tables/measures.csv, tables/paths.csv and compare.json.
    The page says when the two logs' mappings or activities differ, so that a change is
    not an artefact of naming.
    """
    import journeymap as jm
    from journeymap.pipeline import open_log
    from journeymap.pipeline.batch_inputs import log_stem

    imported()
    if (after_log is None) == (split_at is None):
        raise click.UsageError("give either AFTER or --split-at DATE (one of the two)")
    named = _labels(labels) if labels is not None else ("before", "after")
    if labels is not None and split_at is not None:
        raise click.UsageError("--labels names two logs' sides; --split-at names them by its date")
    say = (lambda message: None) if quiet else progress_lines()
    target = Path(outdir) if outdir else Path(f"{log_stem(before_log) or 'log'}-compare")

    def with_templates(options: Any) -> Any:
        return options if templates_path is None else options.with_templates(templates_path)

    options = with_templates(options_from(config_path, given, source=before_log))
    title = options.report.title or ""
    with open_log(before_log, options) as first:
        if split_at is not None:
            comparison = jm.compare_split(first, split_at, options, progress=say)
            sources = (first.source, first.source)
            written = jm.write_comparison(
                comparison, target, sources=sources, title=title, progress=say
            )
        else:
            say("mining BEFORE")
            found = jm.mine(first, options, progress=say)
            after_options = with_templates(options_from(config_path, given, source=after_log))
            with open_log(str(after_log), after_options) as second:
                say("mining AFTER")
                comparison = jm.compare(
                    found, jm.mine(second, after_options, progress=say), labels=named
                )
                sources = (first.source, second.source)
                # Written while both logs are open: each side's rejected rows too.
                written = jm.write_comparison(
                    comparison, target, sources=sources, title=title, progress=say
                )
        cases = (  # the sides as --labels named them, else before and after
            f"{named[0]}: {comparison.before.case_count:,} cases, "
            f"{named[1]}: {comparison.after.case_count:,} cases"
        )
    if not quiet:
        click.echo(f"Wrote {len(written)} files to {target}/ ({cases})", err=True)
        # Each side's figures that may mislead, as `mine` says them (once when shared).
        from journeymap.pipeline.compare import rejects_file
        from journeymap.render.doubts import doubts

        before = doubts(comparison.before, rejects_file=f"{target}/{rejects_file('before')}")
        after = doubts(comparison.after, rejects_file=f"{target}/{rejects_file('after')}")
        sides = (
            ("both", [d for d in before if d in after]),
            (comparison.labels[0], [d for d in before if d not in after]),
            (comparison.labels[1], [d for d in after if d not in before]),
        )
        for side, said in sides:
            for doubt in said:
                click.echo(
                    f"journeymap: check before you show it ({side}): {as_flags(doubt)}", err=True
                )


def _labels(given: str) -> tuple[str, str]:
    """``--labels FIRST,SECOND`` as two names, or a usage error saying what it takes."""
    parts = [part.strip() for part in given.split(",")]
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise click.UsageError(
            f"--labels takes two different names, comma-separated (e.g. 'closed "
            f"problems,open problems'); got {given!r}"
        )
    return parts[0], parts[1]


@click.group(short_help="Write a configuration template, or check a configuration file.")
def config() -> None:
    """The configuration file (TOML): everything a run can be told, in one place.

    `journeymap config init` writes a commented template listing every key with its
    default; `journeymap config check FILE` validates a file and says which files each
    [[files]] pattern matches.
    """


@config.command("init", short_help="Write a commented template listing every key.")
@click.argument("file", required=False, type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Replace FILE when it exists.")
@handle_errors
def config_init(file: str | None, force: bool) -> None:
    """Write a commented configuration template to FILE (or print it: no FILE, or -).

    Every key of every section is listed with its one-line help and its default; keys
    that are not set by default are commented out. As written, the template gives the
    defaults: edit what you need.
    """
    from journeymap.errors import OutputError
    from journeymap.render.config_template import config_template

    text = config_template()
    if file is None or file == "-":
        click.echo(text, nl=False)
        return
    path = Path(file)
    if path.exists() and not force:
        raise OutputError(f"{file}: exists already; give another name, or --force to replace it")
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {file}: edit it, then check it with `journeymap config check {file}`",
               err=True)  # fmt: skip


@config.command("check", short_help="Validate a configuration file; show what [[files]] match.")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, metavar="[INPUTS]...")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@handle_errors
def config_check(file: str, inputs: tuple[str, ...], as_json: bool) -> None:
    """Validate FILE and list, for each [[files]] pattern, the files it applies to.

    The files are INPUTS (files, folders, globs, as `batch` takes them), or without
    them the logs in FILE's folder and below. A file takes the settings of the first
    pattern that matches it; the files no pattern matches use the top-level settings.
    An invalid file is an error naming the key (exit 2), a line for each problem.
    """
    from journeymap.options_file import config_problems
    from journeymap.pipeline.batch_inputs import files_by_pattern, find_inputs

    options, problems = config_problems(file)
    if options is None:  # every problem, one line each, in the file's words (sep=';;')
        if as_json:  # a script reads the verdict where it reads a valid file's
            data = {"config": file, "valid": False, "problems": [str(p) for p in problems]}
            click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        for problem in problems:
            click.echo(f"Error: {problem}", err=True)
        raise click.exceptions.Exit(2)
    base = Path(file).parent
    paths = find_inputs(inputs or [str(base)])
    found, rest = files_by_pattern(options.files, paths, base=base)
    if as_json:
        data = {
            "config": file,
            "valid": True,
            "files": [
                {"pattern": p.pattern, "matches": [str(m) for m in matched]}
                for p, matched in zip(options.files, found, strict=True)
            ],
            "unmatched": [str(m) for m in rest],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"{file}: valid; {len(options.files)} [[files]] pattern(s), {len(paths)} log(s)")
    for i, (pattern, matched) in enumerate(zip(options.files, found, strict=True), 1):
        shown = {**pattern.read, **pattern.mapping}
        shown |= {f"demand.{k}": v for k, v in pattern.demand.items()}
        # As the file writes them (lists in brackets, text in double quotes): a pattern's
        # [files.demand] keys with the top-level [demand] keys they go over.
        settings = ", ".join(
            f"{k} = {json.dumps(list(v) if isinstance(v, tuple) else v, ensure_ascii=False)}"
            for k, v in shown.items()
        )
        click.echo(f"[[files]] {i}: {pattern.pattern!r} ({settings or 'no settings'}) matches "
                   f"{len(matched)} file(s)")  # fmt: skip
        for path in matched:
            click.echo(f"  {path}")
    if options.files and not paths:  # nothing to match: not "every file matches"
        where = "the INPUTS given" if inputs else f"{base}/ (FILE's folder) and below"
        click.echo(f"No log found in {where}: give the logs as INPUTS to see the pattern "
                   "each takes.")  # fmt: skip
    elif options.files and not rest:
        click.echo("Every file matches a pattern.")
    elif options.files:
        click.echo(f"No pattern matches {len(rest)} file(s) (top-level settings):")
        for path in rest:
            click.echo(f"  {path}")
