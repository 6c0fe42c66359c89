"""The main job, written: the findings as files in one output folder.

:func:`write_outputs` writes the journey map (DOT and pictures), the tables, the capability
charts, ``summary.json`` and ``report.html``. The folder is built beside the target and
swapped in only when complete (:mod:`journeymap.pipeline.staging`), so a result folder is
either the complete previous result or the complete new one. The same findings and
options give byte-identical files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeymap.dot import DotRuns
from journeymap.errors import expect
from journeymap.findings import Findings, MapPicture
from journeymap.interrupts import steps
from journeymap.jsonout import iso_day, write_json
from journeymap.option_sections import MAP_FORMATS
from journeymap.pipeline.run_record import RUN_RECORD, file_sha256, run_record
from journeymap.pipeline.staging import staged
from journeymap.render.captions import chart_title, map_caption
from journeymap.render.charts import chart_files, xmr_svg_text
from journeymap.render.handoffs import network_dot
from journeymap.render.journey import journey_dot
from journeymap.render.key_figures import key_numbers
from journeymap.render.numbers import counted, thousands
from journeymap.render.pictures import start_drawing
from journeymap.render.plan_words import plan_sentences, reintegration_sentences
from journeymap.render.summary import summary
from journeymap.render.template_map import template_dot

__all__ = ["REPORT_VIEWS", "write_outputs"]

#: The journey-map views the report switches between (besides the failure-demand map
#: and the hand-off network).
REPORT_VIEWS = ("frequency", "performance")
_POINT_COLUMNS = ["x", "mr", "centre", "unpl", "lnpl", "url", "rule1", "rule2", "rule3"]

Progress = Callable[[str], None]


def write_outputs(
    findings: Findings,
    outdir: str | Path,
    formats: Sequence[str] | None = None,
    *,
    report: bool | None = None,
    source_path: str | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the findings into the folder ``outdir``; return the paths written.

    Files: ``journey.dot`` and ``journey.<format>`` for each picture format (default
    ``findings.options.output.formats``); ``tables/`` (dfg, activities, variants,
    handoffs, pingpong, reintegration, reintegration_plan, rework, cases, demand,
    demand_by_week, failure_pareto, flow, capability_e2e as CSV; rejects, when rows were
    rejected; with journey templates, conformance, deviations and segments; journeys with
    a customer mapped); ``charts/`` (the XmR charts as SVG); ``summary.json``;
    ``run.json``, the run record (journeymap version, the input's SHA-256 and size, the
    options: :mod:`journeymap.pipeline.run_record`); with a model, ``model.bpmn``
    (inductive) and ``model.svg``; and, unless ``report`` is False (default
    ``findings.options.output.report``), ``report.html``. ``source_path``, when it is a
    local file, is fingerprinted with SHA-256 in the report and the run record.

    The folder is replaced whole: files of an earlier run never mix with the new ones.
    A folder that holds other files than journeymap's is not replaced.

    Raises
    ------
    OutputError
        ``outdir`` is a file, holds files journeymap did not write, or cannot be written.
    With ``options.map.template``, ``journey.*`` is the map of that journey template.
    RenderError, MissingDependencyError
        Graphviz fails or is not installed.

    Examples
    --------
    >>> import tempfile, journeymap as jm
    >>> with jm.read_log("sample_logs/service_desk.csv") as log, \\
    ...         tempfile.TemporaryDirectory() as folder:
    ...     written = jm.write_outputs(jm.mine(log), f"{folder}/out", report=False)
    ...     sorted(p.name for p in written)[:4]
    ['activities.csv', 'capability_e2e.csv', 'capability_e2e.svg', 'cases.csv']
    """
    expect(findings, Findings, "write_outputs()'s findings", "mine the log with jm.mine(log)")
    expect(outdir, (str, os.PathLike), "write_outputs()'s outdir", "a folder's path")
    findings.log.check_open()
    say = steps(progress)  # raises a noted interrupt at each step
    output = findings.options.output
    chosen = list(output.formats if formats is None else formats)
    unknown = sorted(set(chosen) - set(MAP_FORMATS))
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r}; choose from {', '.join(MAP_FORMATS)}")
    with_report = output.report if report is None else report
    target = Path(outdir)
    local = source_path is not None and "://" not in source_path and Path(source_path).is_file()
    sha256 = file_sha256(source_path) if local and source_path else None
    record = run_record(
        source_path if local else None,
        findings.options,
        output={"formats": chosen, "report": with_report},
        sha256=sha256,
    )
    with (
        staged(target, inputs=(source_path,) if source_path else ()) as folder,
        DotRuns() as runs,  # Graphviz draws while the tables and charts are written
    ):
        written = _write(findings, folder, chosen, with_report, sha256, say, runs)
        written.append(write_json(record, folder / RUN_RECORD))
    return [target / p.relative_to(folder) for p in written]


def _write(
    findings: Findings,
    out: Path,
    formats: list[str],
    with_report: bool,
    sha256: str | None,
    say: Progress,
    runs: DotRuns,
) -> list[Path]:
    engine = findings.log.engine
    written: list[Path] = []
    # The pictures first: Graphviz lays them out while the tables are written. (Errors
    # name the picture, not the folder being built, which is gone when they are read.)
    shown = [f for f in MAP_FORMATS if f in formats]
    what = "the journey map (journey.dot)"
    drawing = start_drawing(_journey_map_dot(findings), out / "journey", shown, runs, what=what)
    report_pictures = _start_report_pictures(findings, runs) if with_report else None

    # The per-case tables are written beside the rest (DuckDB: two at a time, on cursors
    # of their own); all are complete when the block ends.
    with engine.csv_writes() as writes:
        say("tables")
        tables = out / "tables"
        for name in ("dfg", "activities", "variants", "handoffs", "pingpong", "reintegration",
                     "reintegration_plan", "rework"):  # fmt: skip
            table = getattr(findings, name)
            if table is None:
                continue
            if name == "reintegration":
                sentences = reintegration_sentences(
                    table, findings.failure_activities, findings.timed
                )
                table = table.assign(sentence=sentences)
            if name == "reintegration_plan":
                table = table.assign(sentence=plan_sentences(table))
            written.append(engine.write_csv(table, tables / f"{name}.csv"))
        if findings.cases is not None:
            written.append(writes.add(findings.cases, tables / "cases.csv"))
        if findings.journeys is not None:
            written.append(writes.add(findings.journeys.table, tables / "journeys.csv"))
        if findings.templates is not None:
            found = findings.templates
            written += [
                writes.add(found.conformance, tables / "conformance.csv"),
                engine.write_csv(found.deviations, tables / "deviations.csv"),
                engine.write_csv(found.segments, tables / "segments.csv"),
            ]
        if findings.log.rejected_rows:
            findings.log.write_rejects(str(tables / "rejects.csv"))
            written.append(tables / "rejects.csv")

        say("drawing the journey map")
        written += drawing.finish()
        if findings.model is not None:
            say("drawing the model")
            if findings.model.kind == "inductive":
                written.append(findings.model.save_bpmn(out / "model.bpmn"))
            written.append(findings.model.draw(out / "model.svg", format="svg"))

        chart_svgs: dict[str, str] = {}
        check = findings.check
        if check is not None:
            say("capability charts")
            written += [
                writes.add(check.demand, tables / "demand.csv"),
                engine.write_csv(check.demand_by_week, tables / "demand_by_week.csv"),
                engine.write_csv(check.failure_pareto, tables / "failure_pareto.csv"),
                writes.add(check.flow, tables / "flow.csv"),
            ]
            e2e = check.charts.get("capability_e2e")
            if e2e is not None:
                points = e2e.points
                front = [c for c in ("label", "time") if c in points.columns]
                written.append(
                    engine.write_csv(points[front + _POINT_COLUMNS], tables / "capability_e2e.csv")
                )
            files = chart_files(out / "charts", list(check.charts))
            for name, chart in check.charts.items():
                svg = chart_svgs[name] = xmr_svg_text(chart, title=chart_title(name))
                path = files[name]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(svg, encoding="utf-8")
                written.append(path)
        figures = summary(findings)
        # The report's headline figures as its header words them (what each is of, what
        # puts it in doubt): the batch index shows them so, and never disagrees.
        figures["key_figures"] = [
            {"label": label, "value": text} for label, text in key_numbers(findings, figures)
        ]
        written.append(write_json(figures, out / "summary.json"))
        if report_pictures is not None:
            say("writing the report")
            written.append(_write_report(findings, out, chart_svgs, sha256, report_pictures))
    return written


def _journey_map_dot(findings: Findings) -> str:
    """The DOT of ``journey.*``: the journey map in the view asked for, the hand-off
    network, or a journey template's map."""
    view = findings.options.map.view
    title = _title(findings, findings.map if view != "handoffs" else None)
    if findings.options.map.template is not None:
        name = findings.options.map.template
        return _template_map(findings, name, title=_template_title(findings, name))
    if view == "handoffs":
        return network_dot(findings, title)
    return _map_dot(findings.map, findings, view=view, title=title)


def _title(findings: Findings, picture: MapPicture | None = None) -> str:
    """The title of a picture of the log, or of a map of one type of demand's cases."""
    log = findings.log
    days = _days(findings)
    if picture is not None and picture.scope.subset is not None:
        return (
            f"{log.source}, {picture.scope.subset}: {counted(picture.cases, 'case')}, "
            f"{counted(picture.scope.events_total, 'event')}, {days}"
        )
    cases, events = counted(findings.case_count, "case"), counted(log.events, "event")
    return f"{log.source}: {cases}, {events}, {days}"


def _template_title(findings: Findings, name: str) -> str:
    """The title of a journey template's map: its cases among the log's."""
    found = findings.templates
    cases = int(found.summary[name]["cases"]) if found is not None else 0
    return (
        f"{findings.log.source}: template '{name}', {thousands(cases)} of "
        f"{counted(findings.case_count, 'case')}, {_days(findings)}"
    )


def _days(findings: Findings) -> str:
    """The days the log covers, for a picture's title."""
    return f"{iso_day(findings.start)} to {iso_day(findings.end)}"


def _map_dot(picture: MapPicture, findings: Findings, *, view: str, title: str = "") -> str:
    caption = map_caption(picture.scope)
    still = (findings.end_to_end or {}).get("open_cases")
    if still and picture.scope.subset is None:  # their last event so far also leads to ◎
        caption += (
            f"; ◎ is where the cases ended, and where the {counted(still, 'case')} still "
            "open stop for now"
        )
    return journey_dot(
        picture.dfg,
        picture.activities,
        view=view,
        measure=findings.options.map.measure,
        lanes=findings.lanes,
        caption=caption,
        title=title,
    )


def _template_map(findings: Findings, name: str, title: str = "") -> str:
    found = findings.templates
    assert found is not None and found.paths is not None and found.activities is not None
    return template_dot(
        name, found.paths, found.activities, found.deviations, found.summary[name], title=title
    )


@dataclass(frozen=True)
class _ReportPictures:
    """The report's pictures being drawn (:func:`_start_report_pictures`), as SVG."""

    #: The journey map in each view, the failure-demand map and the hand-off network,
    #: in the report's order.
    journeys: dict[str, Future[bytes]]
    templates: dict[str, Future[bytes]]


def _start_report_pictures(findings: Findings, runs: DotRuns) -> _ReportPictures:
    """Start drawing the report's pictures: the journey map in each view, the
    failure-demand map, the hand-off network and the journey templates' maps."""

    def svg(dot_source: str) -> Future[bytes]:
        return runs.start(dot_source, "svg", what="the report's pictures")

    # The map's views as journey.* draws them (title, measure): the view journey.* shows
    # is the same picture, drawn once.
    title = _title(findings, findings.map)
    journeys = {
        view: svg(_map_dot(findings.map, findings, view=view, title=title)) for view in REPORT_VIEWS
    }
    failure = findings.failure_map
    if failure is not None:
        caption = f"Failure demand only: {failure.cases:,} cases"
        journeys["failure demand"] = svg(
            journey_dot(failure.dfg, failure.activities, lanes=findings.lanes, caption=caption)
        )
    if findings.level is not None and findings.network_parts is not None:
        journeys["hand-offs"] = svg(network_dot(findings))
    templates, found = {}, findings.templates
    if found is not None and found.paths is not None:
        templates = {name: svg(_template_map(findings, name)) for name in found.summary}
    return _ReportPictures(journeys, templates)


def _write_report(
    findings: Findings,
    out: Path,
    chart_svgs: dict[str, str],
    sha256: str | None,
    pictures: _ReportPictures,
) -> Path:
    """Write ``report.html``: the journey map in each view, the failure-demand map, the
    hand-off network and the charts, inline in one self-contained file."""
    # Here, not at the top: `mine --no-report` never loads the report's page, its
    # sanitiser (lxml) and scripts.
    from journeymap.render.report import render_report

    journey_svgs = {name: p.result().decode("utf-8") for name, p in pictures.journeys.items()}
    network_svg = journey_svgs.get("hand-offs")
    template_svgs = {name: p.result().decode("utf-8") for name, p in pictures.templates.items()}
    report = findings.options.report
    settings: dict[str, Any] = {
        k: v for k, v in (("purpose", report.purpose), ("title", report.title)) if v is not None
    }
    settings.update(view=findings.options.map.view, measure=findings.options.map.measure)
    if sha256:
        settings["source_sha256"] = sha256
    html = render_report(
        findings,
        journey_svgs=journey_svgs,
        network_svg=network_svg,
        chart_svgs=chart_svgs,
        options=settings,
        template_svgs=template_svgs,
    )
    target = out / "report.html"
    target.write_text(html, encoding="utf-8")
    return target
