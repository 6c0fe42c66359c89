"""A comparison, written: the before/after map, chart, tables and page in one folder.

:func:`write_comparison` writes into a folder swapped in whole when complete
(:mod:`journeymap.pipeline.staging`): ``compare.dot`` / ``compare.svg`` (the map coloured
by the change in cases), ``compare_wait.dot`` / ``compare_wait.svg`` (by the change in
median wait), ``charts/capability_e2e.svg`` (both periods, each with its own limits),
``tables/measures.csv`` and ``tables/paths.csv`` (and each side's rejected rows,
``tables/rejects_before.csv`` and ``tables/rejects_after.csv``, when it has any),
``compare.json`` and ``compare.html``. The same comparison gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from journeymap.errors import expect
from journeymap.findings import Comparison
from journeymap.interrupts import steps
from journeymap.jsonout import write_json
from journeymap.pipeline.compare import rejects_file
from journeymap.pipeline.staging import staged
from journeymap.render.compare_chart import two_period_svg
from journeymap.render.compare_map import COMPARE_VIEWS, compare_dot
from journeymap.render.pictures import draw
from journeymap.version import __version__

__all__ = ["map_tables", "write_comparison"]

_FILES = {"cases": "compare", "wait": "compare_wait"}


def map_tables(comparison: Comparison) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """What the before/after map draws: the activities on either period's journey map
    (with their cases in each), the paths on either map, and a caption saying so."""
    before, after = comparison.before, comparison.after
    shown = sorted(
        set(before.map.activities["activity"].astype(str))
        | set(after.map.activities["activity"].astype(str))
    )
    counts = [f.activities.set_index("activity")["cases"] for f in (before, after)]
    boxes = pd.DataFrame(
        {
            "activity": shown,
            "cases_before": [int(counts[0].get(a, 0)) for a in shown],
            "cases_after": [int(counts[1].get(a, 0)) for a in shown],
        }
    )
    on_maps = {
        (str(s), str(t))
        for f in (before, after)
        for s, t in zip(f.map.dfg["source"], f.map.dfg["target"], strict=True)
    }
    paths = comparison.paths
    keep = [(str(s), str(t)) in on_maps for s, t in zip(paths["source"], paths["target"],
                                                        strict=True)]  # fmt: skip
    drawn = paths[keep].reset_index(drop=True)
    every = len(set(before.activities["activity"]) | set(after.activities["activity"]))
    caption = (
        f"{len(shown):,} of {every:,} activities and {len(drawn):,} of {len(paths):,} paths "
        "(those on either period's journey map)"
    )
    return boxes, drawn, caption


def write_comparison(
    comparison: Comparison,
    outdir: str | Path,
    *,
    sources: tuple[str, str] = ("", ""),
    title: str = "",
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the comparison into the folder ``outdir`` (replaced whole); return the
    paths written.

    Raises
    ------
    OutputError
        ``outdir`` is a file, holds files journeymap did not write, or cannot be written.
    RenderError, MissingDependencyError
        Graphviz fails or is not installed.
    """
    expect(comparison, Comparison, "write_comparison()'s comparison",
           "compare two findings with jm.compare(before, after)")  # fmt: skip
    comparison.before.log.check_open()
    comparison.after.log.check_open()
    say = steps(progress)  # raises a noted interrupt at each step
    target = Path(outdir)
    boxes, drawn, caption = map_tables(comparison)
    with staged(target) as folder:
        written: list[Path] = []
        say("drawing the before/after map")
        map_svgs = {}
        for view in COMPARE_VIEWS:
            dot = compare_dot(drawn, boxes, view=view, labels=comparison.labels,
                              caption=caption)  # fmt: skip
            pictures = draw(dot, folder / _FILES[view], ["svg"])
            written += pictures
            map_svgs[view] = (folder / f"{_FILES[view]}.svg").read_text(encoding="utf-8")
        say("capability chart")
        charts = [f.check.charts.get("capability_e2e") if f.check else None
                  for f in (comparison.before, comparison.after)]  # fmt: skip
        chart_svg = None
        if charts[0] is not None and charts[1] is not None:
            chart_svg = two_period_svg(charts[0], charts[1], labels=comparison.labels)
            path = folder / "charts" / "capability_e2e.svg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(chart_svg, encoding="utf-8")
            written.append(path)
        say("tables")
        engine = comparison.before.log.engine
        written.append(engine.write_csv(comparison.measures, folder / "tables" / "measures.csv"))
        written.append(engine.write_csv(comparison.paths, folder / "tables" / "paths.csv"))
        for side, found in (("before", comparison.before), ("after", comparison.after)):
            if found.log.rejected_rows:  # each side's, as mine writes them
                path = folder / rejects_file(side)
                found.log.write_rejects(str(path))
                written.append(path)
        status = comparison.paths["status"]
        data = {
            "journeymap": __version__,
            "labels": list(comparison.labels),
            "sources": list(sources),
            "notes": comparison.notes,
            "measures": comparison.measures.drop(columns="kind").to_dict("records"),
            "paths": {
                "total": len(status),
                "new": int((status == "new").sum()),
                "vanished": int((status == "vanished").sum()),
            },
            "map": caption,
        }
        written.append(write_json(data, folder / "compare.json"))
        say("writing the page")
        from journeymap.render.compare_page import render_comparison  # lxml: only here

        page = render_comparison(
            comparison,
            map_svgs=map_svgs,
            chart_svg=chart_svg,
            title=title,
            sources=sources,
            caption=caption,
        )
        (folder / "compare.html").write_text(page, encoding="utf-8")
        written.append(folder / "compare.html")
    return [target / p.relative_to(folder) for p in written]
