"""The record scan made by a child process while the command imports
(journeymap.connectors.csv_prescan): the reading takes it only when it scanned what the
reading would scan, and gives the same records, rejects and figures as a scan of its own.

The fork happens only in a process with one thread, which a test process may not be:
each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

#: A multi-line value, a broken line (an unclosed quote) and a value holding the
#: delimiter in quotes: what the scan is for.
CSV = (
    "case,activity,timestamp,team\n"
    '1,"Call\nreceived",2024-01-01 09:00,Front\n'
    '1,"Assess, then fix",2024-01-01 10:00,Back\n'
    '2,"Call received,2024-01-02 09:00,Front\n'
    "2,Close,2024-01-02 11:00,Front\n"
)


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_childs_scan_is_taken_when_it_scanned_the_same(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(CSV)
    out = run_python(f"""
        import os
        from pathlib import Path
        from journeymap.connectors.csv_prescan import fork_scan, take_scan
        from journeymap.connectors.csv_records import scan_records

        parent, path = os.getpid(), Path({str(path)!r})
        def work():
            assert os.getpid() != parent  # in the child
            return (path, None, "utf-8"), scan_records(path, None, "log.csv")
        assert fork_scan(work)
        taken = take_scan((path, None, "utf-8"))
        own = scan_records(path, None, "log.csv")
        assert taken is not None and taken is not own
        print(taken.records, taken.broken, taken.multiline_records, taken.sep)
        assert (taken.records, taken.broken, taken.multiline_records) == (
            own.records, own.broken, own.multiline_records)
        assert (taken.engine_lines(set()) == own.engine_lines(set())).all()
    """)
    assert out.split(" ", 1)[0] == "4"


@pytest.mark.parametrize(
    ("work", "why"),
    [
        ('lambda: ((path, ";", "utf-8"), scan_records(path, ";", "log.csv"))', "another delimiter"),
        ("lambda: None", "nothing to scan"),
        ("lambda: 1 / 0", "the child failed"),
    ],
)
def test_otherwise_the_reading_scans_itself(tmp_path, work, why):
    path = tmp_path / "log.csv"
    path.write_text(CSV)
    out = run_python(f"""
        from pathlib import Path
        from journeymap.connectors.csv_prescan import fork_scan, take_scan
        from journeymap.connectors.csv_records import scan_records

        path = Path({str(path)!r})
        assert fork_scan({work})  # {why}
        print(take_scan((path, None, "utf-8")))
    """)
    assert out == "None\n"


def test_a_scan_nobody_takes_is_stopped_at_exit():
    out = run_python("""
        import time
        from journeymap.connectors.csv_prescan import _children, fork_scan

        assert fork_scan(lambda: time.sleep(60))
        print(_children[0].pid)
    """)
    with pytest.raises(ProcessLookupError):  # killed and reaped when the parent exited
        os.kill(int(out), 0)


def test_the_console_script_reads_as_without_a_child(tmp_path):
    """`journeymap inspect` as the console script runs it (one thread: a child scans,
    and the reading takes its scan) gives what it gives when the reading scans itself."""
    path = tmp_path / "log.csv"
    path.write_text(CSV)

    def inspect(fork: bool) -> subprocess.CompletedProcess[str]:
        code = f"""
            import atexit, sys
            from journeymap.connectors import csv, csv_prescan
            if not {fork}:
                csv_prescan.fork_scan = lambda work: False  # the reading scans itself
            taken = []
            def take(key, take=csv.take_scan):
                found = take(key)
                taken.append(found is not None)
                return found
            csv.take_scan = take
            atexit.register(lambda: print("taken:", taken, file=sys.stderr))
            from journeymap.command import main
            sys.argv = ["journeymap", "inspect", {str(path)!r}, "--json"]
            main()
        """
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True
        )

    forked, own = inspect(fork=True), inspect(fork=False)
    assert forked.returncode == own.returncode == 0, forked.stderr + own.stderr
    assert forked.stderr.splitlines()[-1] == "taken: [True]"
    assert own.stderr.splitlines()[-1] == "taken: [False]"
    assert forked.stdout == own.stdout
    assert forked.stderr.splitlines()[:-1] == own.stderr.splitlines()[:-1]
    data = json.loads(forked.stdout)
    assert (data["rows_read"], data["accepted"], data["rejected_rows"]) == (4, 3, 1)
