"""The index of a batch: one row per log, read from the log's own output folder.

A row's figures come from the folder's ``summary.json`` (and the top row of
``tables/reintegration.csv``), so the index always agrees with what each log's folder
says, whether the log was mined in this run or was already up to date. The index is
written three ways into the batch's folder: ``index.json``, ``index.csv`` (text that a
spreadsheet would run as a formula is neutralised) and ``index.html`` (a self-contained
page linking each log's report). Each file is replaced whole.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.engine import connect
from journeymap.errors import OutputError
from journeymap.jsonout import plain
from journeymap.render.index_page import render_index
from journeymap.version import __version__

__all__ = ["COLUMNS", "STATUSES", "empty_row", "row_from_folder", "write_index"]

#: The index's columns, in order. Durations are in seconds, shares in percent.
COLUMNS = (
    "name", "source", "status", "error", "doubts", "events", "cases", "rejected_rows",
    "failure_demand_pct", "one_stop_pct", "clean_pct", "e2e_median_s", "e2e_p90_s",
    "capability_lnpl_s", "capability_unpl_s", "capability_predictable", "capability_points",
    "capability_basis",
    "handoffs_per_case", "handoff_level", "top_reintegration", "report",
)  # fmt: skip
_COUNTS = ("events", "cases", "rejected_rows", "capability_points")
#: What a row's ``status`` can be: mined in this run, already up to date (not mined
#: again), failed (``error`` says why) or not run (the batch was interrupted or stopped
#: at a failure first).
STATUSES = ("mined", "up to date", "failed", "not run")


def empty_row(name: str, source: str, status: str, error: str = "") -> dict[str, Any]:
    """A row without figures (a log that failed or was not run)."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(name=name, source=source, status=status, error=error, report="")
    return row


def _top_reintegration(folder: Path) -> str:
    path = folder / "tables" / "reintegration.csv"
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            first = next(csv.DictReader(fh), None)
    except OSError:
        return ""
    return (first or {}).get("sentence") or ""


def row_from_folder(folder: str | Path, name: str, source: str, status: str) -> dict[str, Any]:
    """The index row of a log whose results are in ``folder`` (its ``summary.json``).

    ``doubts`` is what to check before showing its figures (the summary's ``doubts``,
    joined by " / "); ``handoffs_per_case`` is the summary's (total hand-offs over the
    cases with a known handler), between the handlers of ``handoff_level`` ("team",
    "resource"); ``key_figures`` the report's headline figures as its header words them
    (for the page, not a column);
    ``capability_points`` how many points the capability limits rest on, each a case or
    a day's mean as ``capability_basis`` says ("case", "daily mean"; under 20 points the
    limits are provisional, as the report says); ``top_reintegration`` the
    sentence of the first reintegration candidate (the split of
    work that cost the customers the most waiting); ``report`` the report's path relative
    to the batch's folder, when there is one.
    """
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    row = empty_row(name, source, status)
    e2e = summary.get("end_to_end") or {}
    capability = summary.get("capability") or {}
    handoffs = summary.get("handoffs") or {}
    row.update(
        events=summary.get("events"),
        cases=summary.get("cases"),
        rejected_rows=summary.get("rejected_rows"),
        failure_demand_pct=summary.get("failure_demand_pct"),
        one_stop_pct=summary.get("one_stop_pct"),
        clean_pct=summary.get("clean_pct"),
        e2e_median_s=e2e.get("median_s"),
        e2e_p90_s=e2e.get("p90_s"),
        capability_lnpl_s=capability.get("lnpl"),
        capability_unpl_s=capability.get("unpl"),
        capability_predictable=capability.get("predictable"),
        capability_points=capability.get("points"),
        capability_basis=capability.get("basis"),
        handoffs_per_case=handoffs.get("per_case"),
        handoff_level=handoffs.get("level"),
        doubts=" / ".join(summary.get("doubts") or []),
        top_reintegration=_top_reintegration(folder),
        report=f"{name}/report.html" if (folder / "report.html").is_file() else "",
    )
    # The page words each figure as the log's report does (not a column of the tables).
    row["key_figures"] = summary.get("key_figures") or []
    return row


def _replace(target: Path, write: Any) -> Path:
    """Write a file beside ``target`` with ``write(path)``, then move it into place."""
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        write(Path(temp))
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def _frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([{c: row.get(c) for c in COLUMNS} for row in rows], columns=COLUMNS)
    for column in _COUNTS:
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    frame["capability_predictable"] = pd.array(
        frame["capability_predictable"].tolist(), dtype="boolean"
    )
    for column in ("name", "source", "status", "error", "doubts", "capability_basis",
                   "top_reintegration", "report"):  # fmt: skip
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    return frame


INDEX_FILES = ("index.json", "index.html", "index.csv")


def check_index_folder(outdir: str | Path) -> None:
    """Refuse a batch folder whose index files journeymap did not write (a shared
    folder's own index.html): the batch would replace them. An index journeymap wrote
    is known by its ``index.json`` (``{"journeymap": version, ...}``).

    Raises
    ------
    OutputError
        Naming the files in the way.
    """
    folder = Path(outdir)
    present = [name for name in INDEX_FILES if os.path.lexists(folder / name)]
    if not present:
        return
    try:
        found = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        ours = isinstance(found, dict) and "journeymap" in found
    except (OSError, ValueError, TypeError):
        ours = False
    if not ours or any((folder / name).is_symlink() for name in present):
        raise OutputError(
            f"{folder}: holds {', '.join(present)} that journeymap did not write; a batch "
            "writes its index there: move them out or choose another folder"
        )


def write_index(
    rows: Sequence[dict[str, Any]],
    outdir: str | Path,
    *,
    title: str = "",
    skipped: Sequence[tuple[Path, str]] = (),
) -> list[Path]:
    """Write ``index.json``, ``index.csv`` and ``index.html`` of ``rows`` into ``outdir``.

    The JSON holds ``{"journeymap": version, "logs": rows, "skipped": [{"file", "why"}]}``
    (numbers rounded to three decimals; ``skipped``: the files in the folders searched
    that were not mined); the CSV one line per row with the columns of :data:`COLUMNS`;
    the page the same table, sortable, linking each report, and the files not mined.

    Raises
    ------
    OutputError
        The folder cannot be made or written.
    """
    folder = Path(outdir)
    passed = [{"file": str(path), "why": why} for path, why in skipped]
    data = {"journeymap": __version__, "logs": plain(list(rows)), "skipped": passed}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    page = render_index(list(rows), title=title, skipped=passed)
    frame = _frame(rows)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = [
            _replace(folder / "index.json", lambda p: p.write_text(text, encoding="utf-8")),
            _replace(folder / "index.html", lambda p: p.write_text(page, encoding="utf-8")),
        ]
        with connect(threads=1) as engine:
            written.append(_replace(folder / "index.csv", lambda p: engine.write_csv(frame, p)))
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot write the index there ({exc.strerror or exc}); choose another folder"
        ) from exc
    return written
