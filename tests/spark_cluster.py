"""A throwaway standalone Spark cluster for the tests: one master and one worker on
127.0.0.1 only, from the pyspark package's own scripts.

:func:`start` runs ``bin/spark-class`` for the master and the worker (it ``exec``\\ s
Java, so the process started is the daemon itself), on free ports of 127.0.0.1, with
``SPARK_LOCAL_IP=127.0.0.1`` so that every socket, the web UIs included, binds to
loopback, and with their logs and work folders in a temporary folder. It waits until
the worker has registered with the master. :meth:`SparkCluster.stop` stops both, waits
for them to exit and removes the folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SparkCluster", "free_port", "leftover_processes", "start"]

_TIMEOUT = 240  # seconds for a daemon to come up on a loaded two-core machine


@dataclass
class SparkCluster:
    """A running master and worker."""

    url: str
    folder: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self) -> None:
        """Stop the worker, then the master (SIGTERM, SIGKILL after 30 s)."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=30)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def _wait_for(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _TIMEOUT
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: exited with {process.returncode}: {_tail(log)}")
        time.sleep(0.5)
    raise RuntimeError(f"{log.name}: no {text!r} within {_TIMEOUT} s: {_tail(log)}")


def _tail(log: Path) -> str:
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return " | ".join(lines[-5:])


def start(folder: Path, *, cores: int = 1, memory: str = "1g") -> SparkCluster:
    """Start a master and a worker (``cores``, ``memory``) with their files in
    ``folder``; return once the worker has registered."""
    home = _spark_home()
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(folder / "logs"),
        "SPARK_WORKER_DIR": str(folder / "work"),
    }
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"spark://127.0.0.1:{port}"
    daemons = {
        "master": [
            "org.apache.spark.deploy.master.Master",
            "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(free_port()),
        ],
        # Started at once: the worker retries until the master is up.
        "worker": [
            "org.apache.spark.deploy.worker.Worker",
            "--host", "127.0.0.1", "--port", str(free_port()),
            "--webui-port", str(free_port()), "--cores", str(cores), "--memory", memory,
            "--work-dir", str(folder / "work"), url,
        ],
    }  # fmt: skip
    cluster = SparkCluster(url=url, folder=folder)
    try:
        for name, argv in daemons.items():
            log = (folder / "logs" / f"{name}.log").open("wb")
            cluster.processes.append(
                subprocess.Popen(
                    ["bash", str(home / "bin" / "spark-class"), *argv],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            log.close()
        master, worker = cluster.processes
        _wait_for(folder / "logs" / "master.log", "I have been elected leader", master)
        _wait_for(folder / "logs" / "worker.log", "Successfully registered with master", worker)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def leftover_processes(folder: Path) -> list[str]:
    """Processes that still run from, or name, ``folder`` (the daemons, and the
    executors the worker started, which run in its work folder)."""
    found = []
    marker = str(folder)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if marker in cmdline or cwd.startswith(marker):
            found.append(f"{entry.name}: {cmdline[:120]}")
    return found
