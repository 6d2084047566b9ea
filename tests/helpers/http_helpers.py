"""`flexos-mcp serve --transport http` as a real subprocess, the CLI, and MCP clients over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from helpers.controlled_postgres import free_port


def cli(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url, **env}
    return subprocess.run(
        [sys.executable, "-m", "flexos_mcp", *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def new_token(database_url: str, email: str, *args: str) -> str:
    created = cli(database_url, "token", "create", "--email", email, *args)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


@dataclass
class RunningServer:
    process: subprocess.Popen
    base_url: str  # http://127.0.0.1:PORT, where the test reaches it
    log_path: Path

    @property
    def mcp_url(self) -> str:
        return self.base_url + "/mcp"

    def log(self) -> str:
        return self.log_path.read_text()


@contextmanager
def http_server(database_url: str, *args: str, **env: str) -> Iterator[RunningServer]:
    """A server on a free loopback port, with `args` after `serve --transport http`; its stderr
    goes to a file the test can read."""
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="flexos-http-", suffix=".log")[1])
    full_env = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url, **env}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flexos_mcp", "serve", "--transport", "http", "--port", str(port), *args],
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {log_path.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log_path.read_text()}")
            time.sleep(0.1)
        yield RunningServer(process, f"http://127.0.0.1:{port}", log_path)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log_path.unlink(missing_ok=True)


@asynccontextmanager
async def mcp_client(url: str, token: str | None, *, timeout: float = 30) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


def rpc(method: str, params: dict | None = None) -> dict:
    """A JSON-RPC request body, for tests that speak plain HTTP."""
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}


MCP_HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}
