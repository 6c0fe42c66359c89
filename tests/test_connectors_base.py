"""The text rules every reader shares (journeymap.connectors.base)."""

from journeymap.connectors.base import BLANKS


def test_blanks_are_what_str_strip_removes():
    # Written out in the module so that no start-up scans every code point.
    assert "".join(chr(i) for i in range(0x110000) if chr(i).isspace()) == BLANKS
    assert f"{BLANKS}x{BLANKS}".strip() == "x"


def test_a_killed_runs_unpacked_log_is_removed_by_the_next(tmp_path, monkeypatch):
    """A run killed with SIGKILL leaves its scratch folder, with the log unpacked in it;
    the next run that unpacks one removes it, and keeps a running process's folder."""
    import os
    import subprocess
    import tempfile

    from journeymap.connectors.textfiles import scratch_dir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    killed = subprocess.Popen(["sleep", "60"])
    killed.kill()
    killed.wait()
    stale = tmp_path / f"journeymap-{killed.pid}-abc123"
    stale.mkdir()
    (stale / "export.csv").write_text("case,activity,timestamp\n")
    other = tmp_path / "journeymap-spark-xyz"  # not a scratch folder of this kind
    other.mkdir()
    mine = scratch_dir()  # both in tmp_path, removed with it
    assert not stale.exists()
    assert other.exists() and mine.exists()
    assert mine.name.startswith(f"journeymap-{os.getpid()}-")
    assert scratch_dir() != mine and mine.exists()  # this process runs: kept
