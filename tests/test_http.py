"""Streamable HTTP: every request needs a bearer token, and runs as the token's user."""

from __future__ import annotations

import httpx2
import pytest
from mcp.shared.exceptions import MCPError

from helpers.http_helpers import cli, http_server, mcp_client
from helpers.mcp_client import new_email


@pytest.fixture(scope="module")
def server(database_url):
    with http_server(database_url) as running:
        yield running


async def test_each_request_runs_as_its_tokens_user(server, database_url):
    alice, bob = new_email(), new_email()
    alice_token = cli(database_url, "token", "create", "--email", alice).stdout.strip()
    bob_token = cli(database_url, "token", "create", "--email", bob, "--name", "laptop").stdout.strip()
    assert alice_token.startswith("flexos_") and bob_token.startswith("flexos_")

    async with mcp_client(server.mcp_url, alice_token) as client:
        assert (await client.call_tool("get_me", {})).structured_content["email"] == alice
        created = await client.call_tool("create_project", {"name": "Over HTTP", "type": "web-app"})
        project_id = created.structured_content["id"]
    async with mcp_client(server.mcp_url, bob_token) as client:
        assert (await client.call_tool("get_me", {})).structured_content["email"] == bob
        assert (await client.call_tool("list_projects", {})).structured_content["items"] == []
        foreign = await client.call_tool("get_project", {"project_id": project_id})
        assert foreign.is_error and "No project" in foreign.content[0].text

    listed = cli(database_url, "token", "list", "--email", bob)
    token_id = listed.stdout.splitlines()[1].split()[0]  # below the header row
    assert "laptop" in listed.stdout and "active" in listed.stdout
    assert cli(database_url, "token", "revoke", token_id).returncode == 0
    with pytest.raises(ExceptionGroup) as refused:  # the SDK's task groups wrap the HTTP error
        async with mcp_client(server.mcp_url, bob_token) as client:
            await client.list_tools()
    assert refused.group_contains(MCPError)


async def test_requests_without_a_valid_token_are_refused(server):
    async with httpx2.AsyncClient(timeout=30) as http:
        response = await http.post(server.mcp_url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert response.status_code == 401
        response = await http.post(
            server.mcp_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Authorization": "Bearer flexos_not-a-real-token"},
        )
        assert response.status_code == 401
