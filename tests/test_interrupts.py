"""Interrupts stop a run and are never lost: Ctrl-C or SIGTERM during `mine` leaves the
output folder as it was (exit 130), and an interrupt that Python swallowed in a
finaliser still stops the run at its next step."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import journeymap as jm
from journeymap import interrupts
from journeymap.cli import cli
from journeymap.cli_common import stop_run

LOG = "case,activity,timestamp\nA,Report,2024-03-01 08:00\nA,Resolve,2024-03-02 08:00\n"


@pytest.fixture
def fresh_interrupts(monkeypatch):
    """No interrupt noted yet, and Python's own report of unraisable errors restored
    after the test."""
    monkeypatch.setattr(interrupts, "_noted", False)
    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)


class _Finalised:
    """An object whose finaliser is interrupted, as one running when Ctrl-C lands is."""

    def __del__(self) -> None:
        stop_run(signal.SIGINT, None)


def test_an_interrupt_swallowed_by_a_finaliser_stops_the_next_step(
    tmp_path, capsys, fresh_interrupts
):
    log_path = tmp_path / "log.csv"
    log_path.write_text(LOG)
    with jm.read_log(str(log_path)) as log:
        _Finalised()  # collected at once: Python swallows the KeyboardInterrupt
        assert capsys.readouterr().err == ""  # and does not print it
        with pytest.raises(KeyboardInterrupt):
            jm.mine(log, jm.Options())


def test_steps_pass_messages_on_until_an_interrupt_is_noted(fresh_interrupts):
    heard: list[str] = []
    say = interrupts.steps(heard.append)
    say("reading")
    interrupts.note()
    with pytest.raises(KeyboardInterrupt):
        say("drawing the map")
    assert heard == ["reading"]


def _journeymap() -> str:
    return str(Path(sys.executable).parent / "journeymap")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_mine_stopped_while_writing_leaves_the_earlier_result(tmp_path, signum):
    log = tmp_path / "log.csv"
    made = CliRunner().invoke(cli, ["generate", str(log), "--events", "20000"])
    assert made.exit_code == 0, made.output
    out = tmp_path / "out"
    first = CliRunner().invoke(cli, ["mine", str(log), "-o", str(out), "--quiet"])
    assert first.exit_code == 0, first.output
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    process = subprocess.Popen(
        [_journeymap(), "mine", str(log), "-o", str(out)], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".out.*.partial")) and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr
    assert stderr.splitlines()[-1] == "Error: interrupted"
    assert "Traceback" not in stderr
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert json.loads((out / "summary.json").read_text())["accepted"] == 19918
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob(".*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "out"], left


def test_an_interrupt_while_the_result_folder_is_made_leaves_nothing(tmp_path, monkeypatch):
    """The stop can land just as the new folder is made, before its maker returns its
    name (a flake of the test above: '.out.j_ha1ip9.partial' was left beside 'out'). The
    name is chosen first, so the folder is removed all the same."""
    from journeymap.pipeline import staging

    made = Path.mkdir

    def made_then_stopped(self: Path, *args: object, **kwargs: object) -> None:
        made(self, *args, **kwargs)
        if self.name.endswith(".partial"):
            raise KeyboardInterrupt

    monkeypatch.setattr(Path, "mkdir", made_then_stopped)
    with pytest.raises(KeyboardInterrupt), staging.staged(tmp_path / "out"):
        pass
    assert list(tmp_path.iterdir()) == []
