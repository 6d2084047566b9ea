"""`flexos-mcp serve` as a real subprocess speaking MCP over stdio, as an MCP host starts it."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from helpers.mcp_client import new_email

EXECUTABLE = shutil.which("flexos-mcp", path=str(Path(sys.executable).parent)) or "flexos-mcp"


def _params(env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=EXECUTABLE, args=["serve"], env=env)


async def test_stdio_server_on_a_given_database(database_url):
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url, "FLEXOS_USER_EMAIL": new_email()}
    async with Client(_params(env)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"create_project", "list_projects"} <= names
        created = await client.call_tool("create_project", {"name": "Over stdio", "type": "mobile-app"})
        assert not created.is_error and created.structured_content["slug"] == "over-stdio"
        bad = await client.call_tool("create_project", {"name": "X", "type": "toaster"})
        assert bad.is_error and "`type`" in bad.content[0].text


async def test_stdio_server_with_no_configuration_uses_an_embedded_database_and_keeps_it():
    """No DATABASE_URL, no FLEXOS_* variables: the server starts its own PostgreSQL under the
    user's data directory; a second start finds the same data; two at once share it."""
    home = Path(tempfile.mkdtemp(prefix="flexos-home-"))
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    async with Client(_params(env), read_timeout_seconds=120) as client:
        created = await client.call_tool("create_project", {"name": "Kept", "type": "web-app"})
        assert not created.is_error, created.content[0].text
        me = (await client.call_tool("get_me", {})).structured_content
        assert me["email"].endswith("@localhost")
    assert (home / ".local" / "share" / "flexos-mcp" / "postgres" / "PG_VERSION").exists()

    seen: list[list[str]] = []

    async def one_window() -> None:
        async with Client(_params(env), read_timeout_seconds=120) as client:
            listed = await client.call_tool("list_projects", {})
            seen.append([p["name"] for p in listed.structured_content["items"]])

    async with anyio.create_task_group() as windows:
        windows.start_soon(one_window)
        windows.start_soon(one_window)
    assert seen == [["<user-content>Kept</user-content>"]] * 2
    shutil.rmtree(home, ignore_errors=True)
