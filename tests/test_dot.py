"""The one Graphviz runner (journeymap.dot.run_dot, through the graphviz package): formats,
determinism, PNG resolution, and the errors a user sees."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from journeymap.dot import DotRuns, run_dot
from journeymap.errors import MissingDependencyError, RenderError

PROJECT = Path(__file__).resolve().parent.parent
GRAPH = 'digraph { a -> b; b -> c [label="x"]; }'
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` missing")


@needs_dot
def test_formats_and_determinism():
    assert run_dot(GRAPH, "svg").startswith(b"<?xml")
    assert run_dot(GRAPH, "plain").startswith(b"graph ")
    pdf = run_dot(GRAPH, "pdf")
    assert pdf.startswith(b"%PDF") and pdf == run_dot(GRAPH, "pdf")
    assert b"/CreationDate (D:19700101000000" in pdf
    # PNGs at 144 dpi: what `dot -Tpng -Gdpi=144` draws, 1.5 times Graphviz's 96 dpi.
    png = run_dot(GRAPH, "png")
    direct = subprocess.run(
        ["dot", "-Tpng", "-Gdpi=144"], input=GRAPH.encode(), capture_output=True, check=True
    )
    assert png == direct.stdout
    assert _png_width(png) > 1.4 * _png_width(
        subprocess.run(["dot", "-Tpng"], input=GRAPH.encode(), capture_output=True).stdout
    )


def _png_width(png: bytes) -> int:
    return int.from_bytes(png[16:20], "big")  # the IHDR chunk's width


def test_unknown_format():
    with pytest.raises(ValueError, match="cannot draw format 'gif'; choose from svg, png"):
        run_dot(GRAPH, "gif")


def test_missing_dot_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` there
    with pytest.raises(MissingDependencyError) as error:
        run_dot(GRAPH, "svg", what="the journey map")
    message = str(error.value)
    assert "so the journey map could not be drawn" in message
    assert "Debian/Ubuntu: `apt-get install graphviz`" in message


@needs_dot
def test_a_failing_dot_says_why():
    with pytest.raises(RenderError, match=r"could not draw the model as svg: .*syntax error"):
        run_dot("digraph { a -> ", "svg", what="the model")


def _fake_dot(folder: Path, script: str) -> None:
    dot = folder / "dot"
    dot.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    dot.chmod(0o755)


def test_time_limit(monkeypatch, tmp_path):
    _fake_dot(tmp_path, "sleep 10")
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(RenderError, match="took longer than 0.5 s to draw the picture as svg"):
        run_dot(GRAPH, "svg", timeout=0.5)


def test_only_the_first_lines_of_an_error(monkeypatch, tmp_path):
    _fake_dot(tmp_path, 'for i in 1 2 3 4 5; do echo "line $i" >&2; done; exit 3')
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(RenderError, match=r"as png: line 1 / line 2 / line 3$"):
        run_dot(GRAPH, "png")


def test_pictures_are_drawn_side_by_side(monkeypatch, tmp_path):
    # Each fake `dot` notes when it starts and ends: the second starts before the first
    # ends. One that fails says why through its own result; the others are unaffected.
    notes = tmp_path / "notes"
    _fake_dot(
        tmp_path,
        f'read -r graph; echo "start $graph" >> {notes}; sleep 1; echo "end $graph" >> {notes}\n'
        'case "$graph" in *bad*) echo "syntax error" >&2; exit 1;; esac; echo "drawn $graph"',
    )
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with DotRuns() as runs:
        good = runs.start("good", "svg")
        bad = runs.start("bad", "svg", what="the failure map")
        assert good.result() == b"drawn good\n"
        with pytest.raises(RenderError, match="could not draw the failure map as svg: syntax"):
            bad.result()
    lines = notes.read_text(encoding="utf-8").split()[::2]
    assert lines == ["start", "start", "end", "end"]
    # The same source in the same format is drawn once: the report's map view and
    # journey.svg are one picture.
    notes.unlink()
    with DotRuns() as runs:
        first, again = runs.start("good", "svg"), runs.start("good", "svg")
        other = runs.start("good", "png")
        assert first is again and other is not first
        assert again.result() == other.result() == b"drawn good\n"
    assert notes.read_text(encoding="utf-8").split()[::2] == ["start", "start", "end", "end"]


def test_one_graphviz_runner_in_the_code():
    # Pictures are drawn by journeymap.dot alone: nothing else starts a process or asks
    # the graphviz package to render. (The record scan's child, forked with a pipe back,
    # is the one other process: connectors/csv_prescan.py.)
    runs = re.compile(r"\bsubprocess\b|os\.system|Popen|\.pipe\(|\.render\(|graphviz\.pipe")
    others = {PROJECT / "journeymap" / "dot.py", PROJECT / "connectors" / "csv_prescan.py"}
    found = [
        f"{path.relative_to(PROJECT)}:{n}"
        for folder in ("journeymap", "connectors")
        for path in sorted((PROJECT / folder).rglob("*.py"))
        if path not in others
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if runs.search(line)
    ]
    assert found == []
