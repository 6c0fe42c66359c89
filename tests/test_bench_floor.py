"""bench/engine_floor.py does the same work as `journeymap mine --no-report`: its tables
are mine's, row for row. The bench's speed ratios rest on that; this keeps it true when
a measure changes (it runs the floor on the sample log and compares)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from journeymap.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_logs" / "service_desk.csv"
FLOOR = ROOT / "bench" / "engine_floor.py"


def _floor(log: Path, out: Path, mine: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(FLOOR), str(log), "-o", str(out), "--compare", str(mine)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_floor_makes_mines_tables_row_for_row(tmp_path: Path) -> None:
    mined = tmp_path / "mine"
    result = CliRunner().invoke(cli, ["mine", str(SAMPLE), "-o", str(mined), "--no-report"])
    assert result.exit_code == 0, result.output

    same = _floor(SAMPLE, tmp_path / "floor", mined)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "DIFFERENT" not in same.stdout
    assert "table demand_by_week" in same.stdout and "table journeys" in same.stdout

    # A table that differs by one row is caught.
    weeks = mined / "tables" / "demand_by_week.csv"
    lines = weeks.read_text(encoding="utf-8").splitlines(keepends=True)
    weeks.write_text("".join(lines[:-1]), encoding="utf-8")
    changed = _floor(SAMPLE, tmp_path / "floor2", mined)
    assert changed.returncode == 1
    assert "table demand_by_week" in changed.stdout
    assert "DIFFERENT (1 rows only in the floor's, 0 only in mine's)" in changed.stdout
