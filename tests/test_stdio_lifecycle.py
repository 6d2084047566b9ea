"""How `flexos-mcp serve` on stdio ends: Ctrl-C in a real terminal (a pty), SIGTERM and SIGINT
while the client keeps stdin open, a call in flight finishing inside the grace period, and the
embedded PostgreSQL stopped by the last process that used it, never under another one."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import anyio
import mcp_types as types
import psutil
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from helpers.mcp_client import new_email

EXECUTABLE = shutil.which("flexos-mcp", path=str(Path(sys.executable).parent)) or "flexos-mcp"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "lifecycle-test", "version": "1"},
    },
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
EXIT_BOUND_S = 20  # generous on a noisy machine; before the fix the server never exited while stdin was open


@pytest.fixture(scope="module")
def home():
    """A home whose embedded PostgreSQL is created and migrated once (`flexos-mcp migrate`, which
    stops it again), so each test starts an existing cluster instead of running initdb."""
    folder = Path(tempfile.mkdtemp(prefix="flexos-lifecycle-"))
    subprocess.run([EXECUTABLE, "migrate"], env=_env(folder), check=True, capture_output=True, timeout=300)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "FLEXOS_DATA_DIR": str(home / "data"),
        "FLEXOS_USER_EMAIL": new_email(),
        "FLEXOS_LOG_LEVEL": "INFO",
    }
    return env | extra


def _postmaster(home: Path) -> Path:
    return home / "data" / "postgres" / "postmaster.pid"


def _postgres_stopped(home: Path, within: float = 15) -> bool:
    """PostgreSQL removes postmaster.pid when it has shut down."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _postmaster(home).exists():
            return True
        time.sleep(0.1)
    return False


class Served:
    """`flexos-mcp serve` as a subprocess with pipes, spoken to one JSON-RPC line at a time, the
    way an MCP host does; stdin stays open until the test closes it."""

    def __init__(self, env: dict[str, str], home: Path):
        self.log = open(home / f"stderr-{time.monotonic_ns()}.log", "w+b")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [EXECUTABLE, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env
        )
        self._buffer = b""

    def send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def receive(self, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0, deadline - time.monotonic()))
            chunk = os.read(self.proc.stdout.fileno(), 65536) if ready else b""
            if not chunk:
                raise AssertionError(f"no message from the server; its stderr:\n{self.stderr()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def initialize(self) -> None:
        self.send(INITIALIZE)
        assert "result" in self.receive(), self.stderr()
        self.send(INITIALIZED)

    def exit_code(self, within: float = EXIT_BOUND_S) -> int:
        try:
            return self.proc.wait(timeout=within)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running {within} s after the signal; stderr:\n{self.stderr()}") from None

    def stderr(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.log.close()


def test_ctrl_c_in_a_terminal_stops_the_server_and_its_embedded_postgres(home):
    """The README says Ctrl-C stops it: in a real terminal, with the input still open."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal; no echo, so output is only the server's
        attributes = termios.tcgetattr(0)
        attributes[3] &= ~termios.ECHO
        termios.tcsetattr(0, termios.TCSANOW, attributes)
        env = _env(home)
        os.execve(EXECUTABLE, [EXECUTABLE, "serve"], env)
    output = b""
    status = None
    try:
        os.write(terminal, json.dumps(INITIALIZE).encode() + b"\n")
        deadline = time.monotonic() + 90
        while b'"id":1,"result"' not in output.replace(b" ", b""):
            assert time.monotonic() < deadline, output.decode(errors="replace")
            ready, _, _ = select.select([terminal], [], [], 1)
            if ready:
                output += os.read(terminal, 65536)
        assert _postmaster(home).exists()

        os.write(terminal, b"\x03")  # Ctrl-C: the terminal sends SIGINT to the foreground process group
        deadline = time.monotonic() + EXIT_BOUND_S
        while status is None and time.monotonic() < deadline:
            finished, raw = os.waitpid(pid, os.WNOHANG)
            status = os.waitstatus_to_exitcode(raw) if finished else None
            ready, _, _ = select.select([terminal], [], [], 0.1)
            if ready:
                with contextlib.suppress(OSError):  # the terminal closed with the process
                    output += os.read(terminal, 65536)
        assert status == 130, f"exit {status}; output:\n{output.decode(errors='replace')}"
        assert _postgres_stopped(home), "the embedded PostgreSQL is still running"
        assert b"Traceback" not in output, output.decode(errors="replace")
    finally:
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(terminal)


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_the_server_while_the_client_keeps_stdin_open(database_url, home, signum, code):
    served = Served(_env(home, DATABASE_URL=database_url), home)
    try:
        served.initialize()
        served.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert served.receive()["id"] == 2
        served.proc.send_signal(signum)
        assert served.exit_code() == code
        assert f"{signal.Signals(signum).name}: stopping" in served.stderr()
        assert "Traceback" not in served.stderr()
    finally:
        served.close()


def test_the_last_server_to_leave_stops_the_shared_embedded_postgres(home):
    """Two windows share one embedded PostgreSQL, and a third process that used it died without
    leaving (SIGKILL: its pid stays in the wheel's list of users). One window ends with SIGTERM
    while the other still uses the database, which keeps running; the other ends and, as the last
    live user, stops it."""
    env = _env(home)
    first, last = windows = [Served(env, home) for _ in range(2)]  # started together, as a host does
    try:
        for window in windows:
            window.initialize()
        users = home / "data" / "postgres" / ".handle_pids.json"
        crashed = subprocess.Popen(["sleep", "0"])
        crashed.wait()
        users.write_text(json.dumps([*json.loads(users.read_text()), crashed.pid]))

        first.proc.send_signal(signal.SIGTERM)
        assert first.exit_code() == 143
        assert _postmaster(home).exists(), "stopped under a server that still uses it"
        last.send(
            {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_projects", "arguments": {}}}
        )
        answer = last.receive()
        assert answer["id"] == 2 and not answer["result"].get("isError"), answer

        last.proc.send_signal(signal.SIGTERM)
        assert last.exit_code() == 143
        assert _postgres_stopped(home), "the last live user left, yet PostgreSQL still runs"
    finally:
        for window in windows:
            window.close()


async def test_a_call_in_flight_finishes_within_the_grace_period(database_url, home):
    """SIGTERM arrives while ask_user waits for the person (an elicitation round trip to the
    client): the client's answer still gets in, the call completes, and only then the server
    exits with 143. A request sent after the signal is not served."""
    env = _env(home, DATABASE_URL=database_url, FLEXOS_TOOLSETS="all")
    signalled = anyio.Event()

    def server_process() -> psutil.Process:
        for child in psutil.Process().children():
            try:
                if child.environ().get("FLEXOS_DATA_DIR") == env["FLEXOS_DATA_DIR"]:
                    return child
            except psutil.Error:
                continue
        raise AssertionError("the server process is not among this test's children")

    async def person(context, params):
        server_process().send_signal(signal.SIGTERM)
        signalled.set()
        await anyio.sleep(1)  # the server is stopping; it must still take this answer
        return types.ElicitResult(action="accept", content={"answer": "Teachers, between classes"})

    parameters = StdioServerParameters(command=EXECUTABLE, args=["serve"], env=env)
    async with Client(parameters, mode="legacy", elicitation_callback=person, read_timeout_seconds=60) as client:
        process = server_process()
        project = await client.call_tool("create_project", {"name": "Grace", "type": "web-app"})
        asked = await client.call_tool(
            "ask_user", {"project_id": project.structured_content["id"], "question": "Who uses this page?"}
        )
        assert signalled.is_set()
        assert not asked.is_error, asked.content[0].text
        assert asked.structured_content["outcome"] == "answered"
        # The exit code itself (143) is the SDK's child watcher's to collect; the signal tests above check it.
        await anyio.to_thread.run_sync(lambda: process.wait(EXIT_BOUND_S))
        with pytest.raises(Exception):  # noqa: B017 — the connection is gone, whatever the SDK calls it
            with anyio.fail_after(10):
                await client.list_tools()
