"""Streamable HTTP: every request needs a bearer token, and runs as the token's user."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import asynccontextmanager

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from conftest import new_email


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "flexos_mcp", *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def http_server(database_url):
    port = _free_port()
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url}
    process = subprocess.Popen([sys.executable, "-m", "flexos_mcp", "serve", "--transport", "http", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read())
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    process.wait(timeout=30)


@asynccontextmanager
async def _client(url: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            yield client


async def test_each_request_runs_as_its_tokens_user(http_server, database_url):
    alice, bob = new_email(), new_email()
    alice_token = _cli(database_url, "token", "create", "--email", alice).stdout.strip()
    bob_token = _cli(database_url, "token", "create", "--email", bob, "--name", "laptop").stdout.strip()
    assert alice_token.startswith("flexos_") and bob_token.startswith("flexos_")

    async with _client(http_server, alice_token) as client:
        assert (await client.call_tool("get_me", {})).structured_content["email"] == alice
        created = await client.call_tool("create_project", {"name": "Over HTTP", "type": "web-app"})
        project_id = created.structured_content["id"]
    async with _client(http_server, bob_token) as client:
        assert (await client.call_tool("get_me", {})).structured_content["email"] == bob
        assert (await client.call_tool("list_projects", {})).structured_content["items"] == []
        foreign = await client.call_tool("get_project", {"project_id": project_id})
        assert foreign.is_error and "No project" in foreign.content[0].text

    listed = _cli(database_url, "token", "list", "--email", bob)
    token_id = listed.stdout.splitlines()[1].split()[0]  # below the header row
    assert "laptop" in listed.stdout and "active" in listed.stdout
    assert _cli(database_url, "token", "revoke", token_id).returncode == 0
    with pytest.raises(Exception):
        async with _client(http_server, bob_token) as client:
            await client.list_tools()


async def test_requests_without_a_valid_token_are_refused(http_server):
    async with httpx2.AsyncClient(timeout=30) as http:
        response = await http.post(http_server, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert response.status_code == 401
        response = await http.post(http_server, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                   headers={"Authorization": "Bearer flexos_not-a-real-token"})
        assert response.status_code == 401
