"""A throwaway PostgreSQL server for the tests, on 127.0.0.1 only.

:func:`start` makes a data directory in the temp folder with ``initdb``, lets only
password logins in (SCRAM, for one superuser with a random password), listens on a free
port of 127.0.0.1 and on a Unix socket inside that directory, starts the server with
``pg_ctl`` and returns where it is; :meth:`PostgresServer.stop` stops it (``pg_ctl stop
-m fast``) and removes the directory.

PostgreSQL refuses to run as root. When the tests run as root (as CI does), the server
programs run as Debian's ``postgres`` system user through ``runuser``, and the data
directory belongs to that user.

The programs are looked for in Debian's ``/usr/lib/postgresql/<version>/bin`` (newest
first), then on the ``PATH``. When they are missing the tests that need the server skip,
unless ``JOURNEYMAP_REQUIRE_SERVICES=1`` (CI) asks for them, in which case they fail.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["PostgresServer", "ServiceMissing", "find_binaries", "free_port", "start"]

#: The superuser the tests log in as.
USER = "journeymap"
#: The database the tests read from (``postgres`` is left alone).
DATABASE = "journeymap_test"
_TIMEOUT = 60  # seconds for initdb, start and stop


class ServiceMissing(RuntimeError):
    """PostgreSQL cannot be run here; the message says what to install."""


@dataclass
class PostgresServer:
    """A running throwaway server and how to log in to it."""

    host: str
    port: int
    user: str
    password: str
    database: str
    folder: Path
    bindir: Path
    run_as: str | None

    def url(
        self,
        *,
        database: str | None = None,
        password: str | None = None,
        port: int | None = None,
        driver: str = "postgresql+psycopg",
    ) -> str:
        """An SQLAlchemy URL; ``password=""`` leaves the password out."""
        secret = self.password if password is None else password
        login = quote(self.user, safe="") + (f":{quote(secret, safe='')}" if secret else "")
        return f"{driver}://{login}@{self.host}:{port or self.port}/{database or self.database}"

    def connect(self, database: str | None = None) -> Any:
        """A psycopg connection in autocommit mode (for setting up test data)."""
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database or self.database,
            autocommit=True,
        )

    def stop(self) -> None:
        """Stop the server at once (``-m fast``) and remove its data directory."""
        try:
            data = str(self.folder / "data")
            stop = [str(self.bindir / "pg_ctl"), "stop", "-D", data, "-m", "fast", "-w"]
            _run(self.run_as, [*stop, "-t", str(_TIMEOUT)], check=False)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def find_binaries() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``.

    Raises
    ------
    ServiceMissing
        When no folder has both.
    """

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.parent.name))

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version, reverse=True)
    candidates = [p.parent for p in debian]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if (folder / "pg_ctl").is_file():
            return folder
    raise ServiceMissing(
        "PostgreSQL server programs (initdb, pg_ctl) not found: install Debian's postgresql "
        "package (`make test` does, through scripts/system-deps.sh --services)"
    )


def start() -> PostgresServer:
    """Start a throwaway server on a free port of 127.0.0.1 and create :data:`DATABASE`.

    Raises
    ------
    ServiceMissing
        When the server programs, or (as root) the ``postgres`` user, are missing.
    RuntimeError
        When the server does not start; the message ends with its log.
    """
    bindir = find_binaries()
    run_as = None
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise ServiceMissing(
                "PostgreSQL refuses to run as root and there is no 'postgres' user to run "
                "it as; install Debian's postgresql package, which creates it"
            ) from None
        run_as = account.pw_name
    # In the temp folder itself: pytest's own temp folders are private to root.
    folder = Path(tempfile.mkdtemp(prefix="journeymap-pg-"))
    try:
        server = _initialise(folder, bindir, run_as)
        _start(server)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        with contextlib.closing(server.connect("postgres")) as con:
            con.execute(f'CREATE DATABASE "{DATABASE}"')
    except BaseException:
        server.stop()
        raise
    return server


def _initialise(folder: Path, bindir: Path, run_as: str | None) -> PostgresServer:
    password = "jm-" + secrets.token_hex(12)
    (folder / "socket").mkdir()
    pwfile = folder / "password"
    pwfile.write_text(password + "\n", encoding="utf-8")
    pwfile.chmod(0o600)
    if run_as is not None:
        account = pwd.getpwnam(run_as)
        for path in (folder, folder / "socket", pwfile):
            os.chown(path, account.pw_uid, account.pw_gid)
    folder.chmod(0o700)
    data = folder / "data"
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={pwfile}"]
    # Password logins only, also on the Unix socket; --no-sync: a throwaway cluster.
    options = ["--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8"]
    _run(run_as, [*initdb, *options, "--locale=C", "--no-sync"])
    pwfile.unlink()
    return PostgresServer(
        host="127.0.0.1",
        port=0,
        user=USER,
        password=password,
        database=DATABASE,
        folder=folder,
        bindir=bindir,
        run_as=run_as,
    )


def _start(server: PostgresServer) -> None:
    """Start on a free port, trying again if another process takes the port first."""
    data, log = server.folder / "data", server.folder / "server.log"
    for attempt in range(3):
        server.port = free_port()
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(server.port),
            "unix_socket_directories": f"'{server.folder / 'socket'}'",
            # A throwaway server: durability is not needed, speed is.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        conf = "".join(f"{key} = {value}\n" for key, value in settings.items())
        # initdb made this file, owned by the server's user; rewriting it keeps the owner.
        (data / "postgresql.auto.conf").write_text(conf, encoding="utf-8")
        start = [str(server.bindir / "pg_ctl"), "start", "-D", str(data), "-l", str(log)]
        started = _run(server.run_as, [*start, "-w", "-t", str(_TIMEOUT)], check=False)
        if started.returncode == 0:
            return
        if attempt == 2 or "could not bind" not in _tail(log):
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr.strip()}\n{_tail(log)}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(log: Path) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
    except OSError:
        return ""


def _run(
    run_as: str | None, command: list[str], *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a server program, as ``run_as`` (through runuser) when given."""
    if run_as is not None:
        command = ["runuser", "-u", run_as, "--", *command]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT + 30,
        check=False,
        cwd="/",  # the postgres user may not be allowed into the current folder
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
    return done
