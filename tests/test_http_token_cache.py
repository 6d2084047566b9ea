"""The HTTP server's cache of verified bearer tokens (server/http_auth.py): it saves the token's
database read on every request, and a token revoked, deleted or demoted by anyone (the CLI, plain
SQL from another connection) is refused or demoted from the moment the database's announcement
reaches the server (milliseconds after the change commits; these tests allow `ANNOUNCED_WITHIN_S`
on a busy machine, and a cache without announcements would serve for `CACHE_MAX_AGE_S`), and on
every request after that; a server that lost its listening connection trusts nothing it cached."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx2
import pytest

from flexos_mcp.db.gateway import Database
from flexos_mcp.domain import tokens
from flexos_mcp.server.http_auth import CACHE_MAX_AGE_S, LISTENER_NAME

from helpers.http_helpers import MCP_HEADERS, cli, http_server, rpc
from helpers.mcp_client import new_email

ANNOUNCED_WITHIN_S = 2.0
assert ANNOUNCED_WITHIN_S < CACHE_MAX_AGE_S / 5


@pytest.fixture(scope="module")
def server(database_url):
    with http_server(database_url) as running:
        yield running


async def _token(database_url: str, email: str | None = None) -> tuple[str, tokens.ApiToken]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        return await tokens.create_token(Database(pool), email or new_email(), "cache")
    finally:
        await pool.close()


async def _post(http: httpx2.AsyncClient, server, token: str, body: dict | None = None) -> httpx2.Response:
    return await http.post(
        server.mcp_url,
        json=body or rpc("tools/call", {"name": "list_projects", "arguments": {}}),
        headers={**MCP_HEADERS, "Authorization": f"Bearer {token}"},
    )


async def _cached(http: httpx2.AsyncClient, server, token: str, db: asyncpg.Connection) -> None:
    """Served, with the listener up: from here on the token comes from the cache."""
    assert (await _post(http, server, token)).status_code == 200  # the server's first request opens it
    deadline = time.monotonic() + 20
    while not await db.fetchval("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", LISTENER_NAME):
        assert time.monotonic() < deadline, "the server never started listening for token changes"
        await asyncio.sleep(0.1)
    for _ in range(2):
        assert (await _post(http, server, token)).status_code == 200


async def _refused_from_now_on(http: httpx2.AsyncClient, server, token: str, status: int = 401) -> None:
    """Refused once the announcement has arrived, and on every request after that."""
    deadline = time.monotonic() + ANNOUNCED_WITHIN_S
    while (response := await _post(http, server, token)).status_code != status:
        assert response.status_code == 200, response.text
        assert time.monotonic() < deadline, f"still served {ANNOUNCED_WITHIN_S} s after the change"
        await asyncio.sleep(0.01)
    for _ in range(5):
        assert (await _post(http, server, token)).status_code == status


async def _token_lookups(db: asyncpg.Connection) -> int:
    """Reads of api_tokens by token digest since the statistics began (its unique index)."""
    await asyncio.sleep(1.5)  # backends report their statistics within a second of going idle
    await db.execute("SELECT pg_stat_clear_snapshot()")
    return await db.fetchval(
        "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'api_tokens_token_sha256_key'"
    )


async def test_a_cached_token_is_not_read_from_the_database_again(server, database_url, db):
    token, _ = await _token(database_url)
    async with httpx2.AsyncClient(timeout=30) as http:
        await _cached(http, server, token, db)
        before = await _token_lookups(db)
        for _ in range(20):
            assert (await _post(http, server, token)).status_code == 200
        assert await _token_lookups(db) == before


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE api_tokens SET revoked_at = NOW() WHERE id = $1",
        "DELETE FROM api_tokens WHERE id = $1",
        "UPDATE api_tokens SET expires_at = NOW() - INTERVAL '1 second' WHERE id = $1",
        "DELETE FROM users WHERE id = (SELECT user_id FROM api_tokens WHERE id = $1)",
    ],
    ids=["revoked", "deleted", "expired", "user-deleted"],
)
async def test_a_token_changed_with_plain_sql_is_refused_on_the_next_request(server, database_url, db, change):
    token, record = await _token(database_url)
    async with httpx2.AsyncClient(timeout=30) as http:
        await _cached(http, server, token, db)
        other = await asyncpg.connect(database_url)  # another client of the database, not the server
        try:
            await other.execute(change, record.id)
        finally:
            await other.close()
        assert (await _post(http, server, token)).status_code == 401


async def test_a_token_revoked_with_the_cli_is_refused_on_the_next_request(server, database_url, db):
    token, record = await _token(database_url)
    async with httpx2.AsyncClient(timeout=30) as http:
        await _cached(http, server, token, db)
        assert cli(database_url, "token", "revoke", str(record.id)).returncode == 0
        assert (await _post(http, server, token)).status_code == 401  # the CLI takes longer than the announcement


async def test_a_demoted_admin_sees_only_their_own_projects_on_the_next_request(server, database_url, db):
    admin_token, admin = await _token(database_url)
    other_token, _ = await _token(database_url)
    async with httpx2.AsyncClient(timeout=30) as http:
        created = await _post(
            http,
            server,
            other_token,
            rpc("tools/call", {"name": "create_project", "arguments": {"name": "Theirs", "type": "web-app"}}),
        )
        assert created.status_code == 200 and not created.json()["result"].get("isError"), created.text
        await db.execute("UPDATE users SET role = 'admin' WHERE email = $1", admin.email)
        await _cached(http, server, admin_token, db)

        async def listed() -> int:
            response = await _post(http, server, admin_token)
            return len(response.json()["result"]["structuredContent"]["items"])

        assert await listed() >= 1  # an admin sees every project
        await db.execute("UPDATE users SET role = 'user' WHERE email = $1", admin.email)
        deadline = time.monotonic() + ANNOUNCED_WITHIN_S
        while await listed():
            assert time.monotonic() < deadline, f"still an admin {ANNOUNCED_WITHIN_S} s after the demotion"
            await asyncio.sleep(0.01)


async def test_a_server_that_lost_its_listener_trusts_nothing_it_cached(server, database_url, db):
    token, record = await _token(database_url)
    async with httpx2.AsyncClient(timeout=30) as http:
        await _cached(http, server, token, db)
        # The listening connection is cut, and the token revoked before it is back: no announcement
        # reaches the server, yet the next request is refused.
        await db.execute(
            """SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1;""",
            LISTENER_NAME,
        )
        await db.execute("UPDATE api_tokens SET revoked_at = NOW() WHERE id = $1", record.id)
        await _refused_from_now_on(http, server, token)
        # A token's last use is written by the server itself and announces nothing: the server
        # listens again and serves from its cache as before.
        live, _ = await _token(database_url)
        await _cached(http, server, live, db)
