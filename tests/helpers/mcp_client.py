"""A real MCP client on a real server, and calling tools through it.

`connect(url, email=...)` builds "a server as user X on database Y" in one call."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp import Client

from flexos_mcp.config import Config
from flexos_mcp.server.app import build_server
from flexos_mcp.untrusted import unwrap


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.test"


@asynccontextmanager
async def connect(database_url: str, email: str | None = None, **settings: object) -> AsyncIterator[Client]:
    """A real MCP client on a real server acting as `email`, with any Config settings (every
    toolset unless `toolsets` is given).

    A context manager, not a fixture: the SDK's task groups must be entered and left in the same
    task, which async-generator fixtures do not guarantee."""
    settings.setdefault("toolsets", ("all",))  # tests reach every tool unless they say otherwise
    config = Config(database_url=database_url, user_email=email or new_email(), **settings)  # type: ignore[arg-type]
    if config.read_only:  # a read-only server never creates its user: make it exist, as an operator would
        await create_user(database_url, config.user_email)
    async with Client(build_server(config)) as client:
        yield client


async def create_user(database_url: str, email: str) -> None:
    from flexos_mcp.db.gateway import Database
    from flexos_mcp.db.pool import create_pool
    from flexos_mcp.domain.users import ensure_user

    pool = await create_pool(database_url, max_size=1)
    try:
        await ensure_user(Database(pool), email)
    finally:
        await pool.close()


async def call(client, tool: str, **args):
    """Call a tool that must succeed; its structured result with the <user-content> blocks
    unwrapped, so tests compare values (the boundary itself: test_untrusted.py; `raw_call`)."""
    return unwrap(await raw_call(client, tool, **args))


async def raw_call(client, tool: str, **args):
    """Call a tool that must succeed; its structured result exactly as a model gets it."""
    result = await client.call_tool(tool, args)
    assert not result.is_error, f"{tool}: {result.content[0].text}"
    return result.structured_content


async def error_of(client, tool: str, **args) -> str:
    """Call a tool that must fail; its error text."""
    result = await client.call_tool(tool, args)
    assert result.is_error, f"{tool} should have failed: {result.structured_content}"
    return result.content[0].text
