"""Write ``report.html``: the findings of ``mine`` as one self-contained document.

The pictures are drawn here (the journey map in each view, the hand-off network; the
capability charts are those ``mine`` already wrote), then
:func:`journeymap.render.report.render_report` puts them and the tables into one HTML
file that needs no network and opens from disk or an e-mail attachment.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journeymap.mining import Findings

__all__ = ["REPORT_VIEWS", "write_report"]

#: The journey-map views the report switches between.
REPORT_VIEWS = ("frequency", "performance")


def write_report(
    findings: Findings,
    outdir: str | Path,
    *,
    chart_files: Mapping[str, Path] | None = None,
    source_path: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``outdir/report.html`` and return its path.

    ``chart_files`` maps the names of ``findings.check.charts`` to the SVG files already
    written for them; ``source_path``, when it is a local file, is fingerprinted with
    SHA-256 in the report's "how it was made" section.
    """
    from journeymap.render.journey import journey_dot
    from journeymap.render.pictures import draw
    from journeymap.render.report import render_report

    def svg_of(dot_source: str, folder: Path, name: str) -> str:
        written = draw(dot_source, folder / name, ["svg"])
        svg = next(p for p in written if p.suffix == ".svg")
        return svg.read_text(encoding="utf-8")

    with tempfile.TemporaryDirectory(prefix="journeymap-report-") as scratch:
        folder = Path(scratch)
        journey_svgs = {
            view: svg_of(
                journey_dot(
                    findings.map_dfg,
                    findings.map_activities,
                    view=view,
                    lanes=findings.lanes,
                    caption=findings.scope.caption(),
                ),
                folder,
                view,
            )
            for view in REPORT_VIEWS
        }
        failure_svg = _failure_map_svg(findings, folder, svg_of)
        if failure_svg is not None:
            journey_svgs["failure demand"] = failure_svg
        network_svg = None
        if findings.level is not None and findings.handoffs is not None:
            from journeymap.mining import network_dot

            network_svg = svg_of(network_dot(findings), folder, "net")
            journey_svgs["hand-offs"] = network_svg
    chart_svgs = {
        name: Path(path).read_text(encoding="utf-8") for name, path in (chart_files or {}).items()
    }
    report_options = dict(options or {})
    if source_path and "://" not in source_path and Path(source_path).is_file():
        report_options["source_sha256"] = _sha256(Path(source_path))
    html = render_report(
        findings,
        journey_svgs=journey_svgs,
        network_svg=network_svg,
        chart_svgs=chart_svgs,
        options=report_options,
    )
    target = Path(outdir) / "report.html"
    target.write_text(html, encoding="utf-8")
    return target


def _failure_map_svg(findings: Findings, folder: Path, svg_of: Any) -> str | None:
    """The journey map of the failure-demand cases only (None without any)."""
    from journeymap.discovery.activities import activity_stats
    from journeymap.discovery.dfg import dfg
    from journeymap.render.journey import journey_dot

    if findings.check is None:
        return None
    subset = findings.log.only_cases(findings.check.demand_cases(failure=True),
                                     label="failure demand")  # fmt: skip
    if subset.events == 0:
        return None
    flags = findings.activities.set_index("activity")[["rework_pct", "failure_activity"]]
    activities = activity_stats(subset, lanes=findings.lanes).join(flags, on="activity")
    shown = set(findings.map_activities["activity"])
    activities = activities[activities["activity"].isin(shown)].reset_index(drop=True)
    edges = dfg(subset, activities=sorted(set(activities["activity"])))
    caption = f"Failure demand only: {subset.cases:,} cases"
    dot_source = journey_dot(edges, activities, lanes=findings.lanes, caption=caption)
    return str(svg_of(dot_source, folder, "failure"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
