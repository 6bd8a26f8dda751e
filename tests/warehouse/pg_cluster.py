"""A throwaway PostgreSQL server for the tests: its own cluster in a temporary directory, on a
free port, never an existing database.

PostgreSQL refuses to run as root (initdb: "cannot be run as root"), and CI runs as root. So when
the tests run as root the cluster belongs to the unprivileged `nobody`: its directory is chowned
to it and initdb and pg_ctl run under `runuser -u nobody`. The directory is created with
`tempfile.mkdtemp` directly under the system temp dir, because pytest's own temp dirs sit under
a 0700 root-owned directory that `nobody` cannot enter. As any other user the cluster runs as
that user. The binaries come from Debian's `postgresql` package (scripts/setup-reference
installs it when missing): `initdb` on PATH, else the newest /usr/lib/postgresql/*/bin.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

UNPRIVILEGED = "nobody"


def pg_bin(name: str) -> str:
    """The path of a PostgreSQL server program; raises FileNotFoundError with the fix."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise FileNotFoundError(f"PostgreSQL's {name} is not installed: run ./scripts/setup-reference "
                            "(apt-get install postgresql)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """initdb + pg_ctl start in a temp dir; `url(db)` for SQLAlchemy; `stop` removes everything."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="wabei-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam(UNPRIVILEGED)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", UNPRIVILEGED, "--"]

    def _run(self, *cmd: str) -> None:
        done = subprocess.run([*self._as_user, *cmd], capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")

    def start(self) -> PgCluster:
        self._run(pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
                  "-w", "-t", "60", "start")
        return self

    def create_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL (psycopg 3)."""
        name = "w_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
